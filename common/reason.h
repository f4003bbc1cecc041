/* reason: a refusal's reason in Vietnamese with the same facts as the English one the
 * programs log and send (the values, the limits, the ids), for what people read (.err
 * files, pages). One table of patterns: "{}" stands for a fact, carried over in order.
 * A reason no pattern knows is given in English after a Vietnamese lead. */
#ifndef PAR_REASON_H
#define PAR_REASON_H

#include <stddef.h>

/* Writes the Vietnamese of en into out (n bytes) and returns out. */
char *reason_vi(const char *en, char *out, size_t n);

#endif
