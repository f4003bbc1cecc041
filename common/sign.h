/* sign: the province's signature on its receipts (Ed25519, libsodium), so that a
 * district can prove what it sent and when. The collector signs, per acknowledged
 * batch, the digest of its lines: for each line acknowledged (stored now or found
 * stored before), in the order sent,
 *     "<seq>\t<received>\t<sha256 hex of the line's 8 fields as sent>\n"
 * after the text "par-receipt-1\n"; a line's fields are unit, year, period, kind, key,
 * value, date, note, joined by the byte 0x1f (a control character, never in a field).
 * The key pair: KEYS_DIR/receipt.key (secret, 0600) and its public line "ed25519 HEX",
 * written in receipt.pub and appended to server.pub, which clients already hold. */
#ifndef PAR_SIGN_H
#define PAR_SIGN_H

#include <nettle/sha2.h>
#include <sodium.h>
#include "config.h"

#define SIGN_HEX (2 * crypto_sign_BYTES + 1)

/* SHA-256 by nettle, which uses the CPU's SHA instructions where it has them (3.5 times
 * libsodium's portable code here: two hashes a line were a sixth of the collector's work) */
typedef struct {
    struct sha256_ctx h;
    uint32_t lines;
} sign_digest;

void sign_digest_init(sign_digest *d);
/* f: the 8 fields in the order above (NULL read as ""). */
void sign_digest_line(sign_digest *d, uint64_t seq, const char *received, const char *const f[8]);

typedef struct {
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    char path[CONF_PATH + 32];
} sign_key;

/* The collector's key: KEYS_DIR/receipt.key, made on first use (and its public line
 * added to server.pub when that exists without it); where KEYS_DIR cannot be written,
 * DATA_DIR/collector/receipt.key. 0, or -1 with e. */
int sign_key_load(const par_config *conf, sign_key *k, par_err *e);
/* The signature of d's lines, as hex. */
void sign_digest_sign(sign_digest *d, const sign_key *k, char out[SIGN_HEX]);
/* 0 when hex is d's signature by pk, -1 otherwise. */
int sign_digest_verify(sign_digest *d, const unsigned char pk[crypto_sign_PUBLICKEYBYTES], const char *hex);

/* The public key from a file holding a line "ed25519 HEX" (server.pub, receipt.pub). */
int sign_pub_read(const char *path, unsigned char pk[crypto_sign_PUBLICKEYBYTES], par_err *e);
/* Adds the public line to path (server.pub) unless it holds one. 0, or -1 with e. */
int sign_pub_append(const char *path, const unsigned char pk[crypto_sign_PUBLICKEYBYTES], par_err *e);
/* The public key file a verifier uses when none is named: [general] server_key, else
 * KEYS_DIR/server.pub, else KEYS_DIR/receipt.pub, else DATA_DIR/collector/receipt.pub. */
void sign_pub_default(const par_config *conf, char *out, size_t n);

#endif
