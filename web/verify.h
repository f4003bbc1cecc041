/* verify: password checks off the event loop. An Argon2id verification takes a fraction
 * of a second and 64 MiB by design; one worker thread runs them, so that pages keep being
 * served while officials log in. The loop hands a check over with the number of the
 * request waiting for it, and learns of finished ones through an eventfd it polls. */
#ifndef PAR_WEB_VERIFY_H
#define PAR_WEB_VERIFY_H

#include <stdint.h>
#include "../proto/base.h"

typedef struct verifier verifier;

verifier *verifier_new(par_err *e);
/* Stops the worker (after the check it is running) and forgets the rest. */
void verifier_destroy(verifier *v);
/* Readable when checks have finished. */
int verifier_fd(const verifier *v);
/* Queues a check of password against an Argon2id hash for request number tag. */
void verifier_submit(verifier *v, uint64_t tag, const char *hash, const char *password);
/* A finished check: 1 with *tag and *ok, 0 when there is none (the fd is drained). */
int verifier_take(verifier *v, uint64_t *tag, int *ok);

#endif
