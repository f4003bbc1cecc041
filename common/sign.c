#include "sign.h"
#include "keys.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIGN_CONTEXT "par-receipt-1\n"

static void hash_str(struct sha256_ctx *c, const char *s)
{
    sha256_update(c, strlen(s), (const uint8_t *)s);
}

void sign_digest_init(sign_digest *d)
{
    sha256_init(&d->h);
    hash_str(&d->h, SIGN_CONTEXT);
    d->lines = 0;
}

/* Bytes gathered for one hash update: this runs for every stored line, and a line's
 * parts are a few bytes each (19 updates of them took a twelfth of the collector's time);
 * the hash sees the same bytes as when each part is given alone. */
typedef struct {
    struct sha256_ctx *h;
    size_t at;
    char b[1024];
} gather;

static void gather_add(gather *g, const void *p, size_t n)
{
    if (g->at + n > sizeof g->b) { /* full: what is gathered goes first, a long part alone */
        sha256_update(g->h, g->at, (const uint8_t *)g->b);
        g->at = 0;
        if (n > sizeof g->b) {
            sha256_update(g->h, n, p);
            return;
        }
    }
    memcpy(g->b + g->at, p, n);
    g->at += n;
}

static void gather_end(gather *g)
{
    sha256_update(g->h, g->at, (const uint8_t *)g->b);
    g->at = 0;
}

void sign_digest_line(sign_digest *d, uint64_t seq, const char *received, const char *const f[8])
{
    struct sha256_ctx lh;
    uint8_t h[SHA256_DIGEST_SIZE];
    sha256_init(&lh);
    gather g; /* its bytes are written before they are read */
    g.h = &lh;
    g.at = 0;
    for (int i = 0; i < 8; i++) {
        const char *v = f[i] ? f[i] : "";
        gather_add(&g, v, strlen(v));
        if (i < 7)
            gather_add(&g, "\x1f", 1);
    }
    gather_end(&g);
    sha256_digest(&lh, sizeof h, h);
    /* "seq\treceived\thex\n", formatted by hand: a digest of public bytes needs no
     * constant-time hex */
    static const char digits[] = "0123456789abcdef";
    char head[24], hex[2 * sizeof h + 1];
    head[sizeof head - 1] = '\t';
    size_t n = (size_t)(dec_u64(head + sizeof head - 1, seq) - head);
    for (size_t i = 0; i < sizeof h; i++) {
        hex[2 * i] = digits[h[i] >> 4];
        hex[2 * i + 1] = digits[h[i] & 15];
    }
    hex[2 * sizeof h] = '\n';
    g.h = &d->h;
    gather_add(&g, head + n, sizeof head - n);
    gather_add(&g, received, strlen(received));
    gather_add(&g, "\t", 1);
    gather_add(&g, hex, sizeof hex);
    gather_end(&g);
    d->lines++;
}

void sign_digest_sign(sign_digest *d, const sign_key *k, char out[SIGN_HEX])
{
    uint8_t h[SHA256_DIGEST_SIZE];
    unsigned char sig[crypto_sign_BYTES];
    sha256_digest(&d->h, sizeof h, h);
    crypto_sign_detached(sig, NULL, h, sizeof h, k->sk);
    sodium_bin2hex(out, SIGN_HEX, sig, sizeof sig);
}

int sign_digest_verify(sign_digest *d, const unsigned char pk[crypto_sign_PUBLICKEYBYTES], const char *hex)
{
    uint8_t h[SHA256_DIGEST_SIZE];
    unsigned char sig[crypto_sign_BYTES];
    size_t n = 0;
    sha256_digest(&d->h, sizeof h, h);
    if (strlen(hex) != 2 * sizeof sig || sodium_hex2bin(sig, sizeof sig, hex, strlen(hex), NULL, &n, NULL) < 0 ||
        n != sizeof sig)
        return -1;
    return crypto_sign_verify_detached(sig, h, sizeof h, pk);
}

static int pub_line(FILE *f, unsigned char pk[crypto_sign_PUBLICKEYBYTES])
{
    char line[256], hex[200];
    size_t n = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "ed25519 %199s", hex) == 1 &&
            sodium_hex2bin(pk, crypto_sign_PUBLICKEYBYTES, hex, strlen(hex), NULL, &n, NULL) == 0 &&
            n == crypto_sign_PUBLICKEYBYTES)
            return 0;
    return -1;
}

int sign_pub_read(const char *path, unsigned char pk[crypto_sign_PUBLICKEYBYTES], par_err *e)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        err_set(e, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = pub_line(f, pk);
    fclose(f);
    if (rc < 0)
        err_set(e, "%s holds no receipt key (a line 'ed25519 HEX'): run parctl keys init on the provincial server, "
                   "or give the key file with --key",
                path);
    return rc;
}

int sign_pub_append(const char *path, const unsigned char pk[crypto_sign_PUBLICKEYBYTES], par_err *e)
{
    unsigned char have[crypto_sign_PUBLICKEYBYTES];
    FILE *f = fopen(path, "a+");
    if (!f) {
        err_set(e, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    rewind(f);
    int rc = 0;
    if (pub_line(f, have) < 0) {
        char hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
        sodium_bin2hex(hex, sizeof hex, pk, crypto_sign_PUBLICKEYBYTES);
        rc = fprintf(f, "ed25519 %s\n", hex) < 0 ? -1 : 0;
    }
    if (fclose(f) != 0 || rc < 0) {
        err_set(e, "cannot write %s", path);
        return -1;
    }
    return 0;
}

/* Reads dir/receipt.key, or makes it (with receipt.pub) when absent. */
static int load_in(const char *dir, sign_key *k, par_err *e)
{
    snprintf(k->path, sizeof k->path, "%s/receipt.key", dir);
    char hex[2 * crypto_sign_SECRETKEYBYTES + 2];
    FILE *f = fopen(k->path, "r");
    if (f) {
        size_t n = 0;
        int ok = fgets(hex, sizeof hex, f) && (hex[strcspn(hex, "\r\n")] = '\0', 1) &&
                 sodium_hex2bin(k->sk, sizeof k->sk, hex, strlen(hex), NULL, &n, NULL) == 0 && n == sizeof k->sk;
        fclose(f);
        sodium_memzero(hex, sizeof hex);
        if (!ok) {
            err_set(e, "%s is not a receipt key (one line of %zu hex digits)", k->path, 2 * sizeof k->sk);
            return -1;
        }
        /* a server.pub made after the key (keys init) gets its line here */
        unsigned char pk[crypto_sign_PUBLICKEYBYTES];
        char pub[CONF_PATH + 32];
        par_err pe;
        crypto_sign_ed25519_sk_to_pk(pk, k->sk);
        snprintf(pub, sizeof pub, "%s/server.pub", dir);
        if (access(pub, F_OK) == 0 && sign_pub_append(pub, pk, &pe) < 0)
            log_warn("event=receipt_key_not_in_server_pub error=\"%s\"", pe.msg);
        return 0;
    }
    if (errno != ENOENT || dir_make(dir, e) < 0) {
        if (!e->msg[0])
            err_set(e, "cannot read %s: %s", k->path, strerror(errno));
        return -1;
    }
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_keypair(pk, k->sk);
    int fd = open(k->path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    sodium_bin2hex(hex, sizeof hex, k->sk, sizeof k->sk);
    int ok = fd >= 0 && dprintf(fd, "%s\n", hex) > 0 && fsync(fd) == 0;
    sodium_memzero(hex, sizeof hex);
    if (fd >= 0)
        close(fd);
    if (!ok) {
        err_set(e, "cannot write %s: %s", k->path, strerror(errno));
        unlink(k->path);
        return -1;
    }
    char pub[CONF_PATH + 32];
    snprintf(pub, sizeof pub, "%s/receipt.pub", dir);
    if (sign_pub_append(pub, pk, e) < 0)
        return -1;
    snprintf(pub, sizeof pub, "%s/server.pub", dir);
    if (access(pub, F_OK) == 0 && sign_pub_append(pub, pk, e) < 0)
        return -1;
    log_info("event=receipt_key_made path=%s", k->path);
    return 0;
}

int sign_key_load(const par_config *conf, sign_key *k, par_err *e)
{
    char dir[CONF_PATH + 16];
    if (sodium_init() < 0) {
        err_set(e, "libsodium cannot start");
        return -1;
    }
    keys_dir(conf->keys_dir, conf->data_dir, dir, sizeof dir);
    if (load_in(dir, k, e) == 0)
        return 0;
    log_warn("event=receipt_key_elsewhere reason=\"%s\"", e->msg);
    e->msg[0] = '\0';
    snprintf(dir, sizeof dir, "%s/collector", conf->data_dir);
    return load_in(dir, k, e);
}

void sign_pub_default(const par_config *conf, char *out, size_t n)
{
    char dir[CONF_PATH + 16];
    keys_dir(conf->keys_dir, conf->data_dir, dir, sizeof dir);
    if (conf->server_key[0]) {
        str_copy(out, n, conf->server_key);
        return;
    }
    snprintf(out, n, "%s/server.pub", dir);
    if (access(out, R_OK) == 0)
        return;
    snprintf(out, n, "%s/receipt.pub", dir);
    if (access(out, R_OK) == 0)
        return;
    snprintf(out, n, "%s/collector/receipt.pub", conf->data_dir);
}
