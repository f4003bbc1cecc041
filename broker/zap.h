/* zap: the broker's ZAP handler (RFC 27) for CurveZMQ. It must be bound before the
 * CURVE socket: without one, libzmq lets every key in. A client is let in when its
 * public key is registered in keys_dir/clients/NAME ("PUBLIC ROLE"); its User-Id is
 * then "ROLE:NAME". The registry is read again whenever the folder changes, so a
 * revoked key (moved to keys_dir/revoked/) is refused without a restart. */
#ifndef PAR_ZAP_H
#define PAR_ZAP_H

#include "../common/util.h"

typedef struct zap zap;

zap *zap_new(void *ctx, const char *keys_dir, par_err *e);
void zap_destroy(zap *z);
void *zap_socket(zap *z);
/* Answers one waiting ZAP request. */
void zap_handle(zap *z);
/* Whether a User-Id ("ROLE:NAME") is still registered. */
int zap_allowed(zap *z, const char *user_id);
/* Connects a client with a fresh, unregistered key to endpoint and checks that it is
 * refused: 0 refused (good), -1 with e when it got in or the check could not run. */
int zap_selfcheck(zap *z, void *ctx, const char *endpoint, const char *server_pub, par_err *e);

#endif
