/* keys: CurveZMQ key files. A key pair file (secret: mode 0600) holds the Z85 public
 * key on its first line and the Z85 secret key on its second; a public key file holds
 * the public key. The broker's keys_dir holds server.pub, server.key, clients/NAME
 * (a registered client: "PUBLIC ROLE") and revoked/NAME. */
#ifndef PAR_KEYS_H
#define PAR_KEYS_H

#include "util.h"

#define KEY_Z85 41 /* 40 characters and the NUL */

int keys_read_pair(const char *path, char pub[KEY_Z85], char sec[KEY_Z85], par_err *e);
int keys_read_public(const char *path, char pub[KEY_Z85], par_err *e);
/* Writes a new pair to path (mode 0600; refuses to overwrite). */
int keys_write_pair(const char *path, const char pub[KEY_Z85], const char sec[KEY_Z85], par_err *e);
/* The broker's keys_dir: [broker] keys_dir, else DATA_DIR/keys. */
void keys_dir(const char *configured, const char *data_dir, char *out, size_t n);

#endif
