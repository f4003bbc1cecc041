/* alert: the notifier's record of one alert (an entry of its alert log), packed
 * straight into a reused buffer: a country's first evaluation records 1.5 million of
 * them in one transaction, so the record is positional (no field names) and its dates
 * are numbers. One msgpack array:
 *   [id, task, instance, kind, deadline, slot, days, working_days, level, created,
 *    [unit, role, message, unit, role, message, ...]]
 * deadline and slot are civil days (days since 1970-01-01), created milliseconds
 * since the epoch. Readers of the log also meet the map an older version wrote
 * (proto_alert_unpack says which it found). */
#ifndef PAR_PROTO_ALERT_H
#define PAR_PROTO_ALERT_H

#include <stdint.h>
#include "base.h"

/* recipients of one alert: the lead, supporting units, the units above */
#define ALERT_MAX_TO 64

typedef struct {
    const char *unit, *role;
    uint64_t message;
} alert_to;

typedef struct {
    uint64_t id;
    const char *task, *instance, *kind;
    int64_t deadline, slot; /* civil days */
    int days, working_days, level;
    int64_t created_ms;
    const alert_to *to;
    uint32_t nto;
} alert_rec;

/* Replaces out's contents with the record's bytes. */
void proto_alert_pack(const alert_rec *a, sbuf *out);

/* A record read back: its strings copied once into an arena the view owns and reuses. */
typedef struct {
    alert_rec rec;
    alert_to to[ALERT_MAX_TO];
    sbuf arena;
} alert_view;

void alert_view_init(alert_view *v);
void alert_view_free(alert_view *v);
/* Reads buf into v in one bounded pass: 0; 1 when buf is a map (an older version's
 * record: read it as a value tree); -1 with e saying why. */
int proto_alert_unpack(alert_view *v, const void *buf, size_t len, par_err *e);

#endif
