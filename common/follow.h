/* follow: keeps a process's copy of the record current (the zguide's Clone
 * pattern). It listens to the collector's change events on the bus, and asks the
 * collector for "changes since N" at start and whenever it sees a gap, through the
 * broker's internal socket. The owner applies the events to its own store. */
#ifndef PAR_FOLLOW_H
#define PAR_FOLLOW_H

#include <stdint.h>
#include <zmq.h>
#include "config.h"
#include "../proto/event.h"
#include "../proto/proto.h"

typedef struct {
    void *ctx;
    /* the last sequence number applied */
    uint64_t (*seq)(void *ctx);
    /* applies events (in order, older ones skipped): 0, 1 when a gap was seen, -1 error */
    int (*apply)(void *ctx, const event_batch *events, par_err *e);
    /* forgets everything (the record was restored from an older backup) */
    int (*reset)(void *ctx, par_err *e);
    /* optional: told the record's last sequence number before each page of catch-up,
     * so that a copy far behind can choose to load in bulk */
    void (*behind)(void *ctx, uint64_t last);
} follow_ops;

typedef struct follow follow;

#define FOLLOW_ITEMS 2

follow *follow_new(void *zctx, const par_config *conf, const follow_ops *ops, par_err *e);
void follow_destroy(follow *f);
int follow_caught_up(const follow *f);
/* The owner went back to an earlier sequence number (it could not commit what it had
 * applied): it is caught up again from there. */
void follow_resync(follow *f);
/* Before zmq_poll: asks for changes when due, fills FOLLOW_ITEMS poll items and
 * returns wait shortened to the next request. */
int follow_prepare(follow *f, zmq_pollitem_t *items, int wait);
/* After zmq_poll, with the same items: 1 when events were applied. */
int follow_handle(follow *f, const zmq_pollitem_t *items);

#endif
