/* alert: the notifier's record of one alert (an entry of its alert log), packed
 * straight into a reused buffer: a country's first evaluation records 1.5 million of
 * them in one transaction. The bytes are the msgpack map readers already decode:
 * id, key, task, instance, kind, deadline, slot, days, working_days, level, created,
 * to [{unit, role, message}]. */
#ifndef PAR_PROTO_ALERT_H
#define PAR_PROTO_ALERT_H

#include <stdint.h>
#include "base.h"

typedef struct {
    const char *unit, *role;
    uint64_t message;
} alert_to;

typedef struct {
    uint64_t id;
    const char *key, *task, *instance, *kind, *deadline, *slot, *created;
    int days, working_days, level;
    const alert_to *to;
    uint32_t nto;
} alert_rec;

/* Replaces out's contents with the record's bytes. */
void proto_alert_pack(const alert_rec *a, sbuf *out);

#endif
