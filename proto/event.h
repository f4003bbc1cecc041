/* event: the collector's change events (its change log entries, the bus messages, the
 * pages of a "changes" reply), read in one bounded pass into views that a batch owns
 * and reuses: a follower decodes a batch without building a value tree per event.
 * The bytes are the event messages of docs/protocol.md. */
#ifndef PAR_PROTO_EVENT_H
#define PAR_PROTO_EVENT_H

#include <stdint.h>
#include "base.h"
#include "row.h"

/* what an event is, told once when it is read: a follower asks it for every event */
typedef enum { EV_OTHER, EV_SUBMISSION, EV_SCORE, EV_UNIT, EV_FRAMEWORK, EV_CRITERION, EV_TASK, EV_SEASON, EV_COUNT } event_type;

typedef struct {
    uint64_t seq;
    event_type type;    /* what, as one of the kinds followers know */
    char what[16];      /* unit, framework, criterion, task, submission, score, ... */
    char received[48];  /* the province's clock when the change was stored */
    char sender[160];
    row_view row;       /* the changed row's fields */
    line_view line;     /* a submission's fields (what is "submission"), else all "" */
} event_view;

typedef struct {
    event_view *v;
    uint32_t n, cap;
} event_batch;

void event_batch_init(event_batch *b);
/* Empties the batch, keeping its buffers for the next one. */
void event_batch_clear(event_batch *b);
void event_batch_free(event_batch *b);
/* Appends one event message (its whole bytes). 0, or -1 with e saying why (nothing
 * appended). */
int event_batch_add(event_batch *b, const void *buf, size_t len, par_err *e);
/* Appends the events of a bus message: one "event", or an "events" message carrying
 * those of one commit ({"v", "t": "events", "events": [event...]}). */
int event_batch_add_bus(event_batch *b, const void *buf, size_t len, par_err *e);
/* Appends the events of a "changes" reply message (data.events) and gives data.last,
 * the collector's last sequence number. 0, or -1 (a malformed reply). */
int event_batch_add_changes(event_batch *b, const void *buf, size_t len, uint64_t *last, par_err *e);

/* Appends events held as value trees, an array of event maps (in-process callers:
 * tests, benchmarks). 0, or -1 with none of them appended. */
struct pv;
int event_batch_add_pvs(event_batch *b, const struct pv *events, par_err *e);

#endif
