/* fair: what the broker lets through to one service, and in what order. A service gets
 * at most FAIR_CREDIT_BYTES (and FAIR_CREDIT_MSGS messages) of requests it has not
 * answered yet; past that, requests wait in the broker in one queue per client and go
 * on as answers come back, the client let through the fewest bytes first. A client that floods waits
 * behind its own queue (bounded: FAIR_CLIENT_BYTES), others pass between its messages,
 * and past the bounds a request is refused "busy" at once. So the service's memory is
 * bounded by the credit, the broker's by the queues, and every client is served. */
#ifndef PAR_BROKER_FAIR_H
#define PAR_BROKER_FAIR_H

#include <stddef.h>
#include <stdint.h>
#include <zmq.h>
#include "../proto/base.h"

#define FAIR_CREDIT_BYTES (8u << 20)
#define FAIR_CREDIT_MSGS 256          /* the collector's max_batch: group commits stay whole */
#define FAIR_CLIENT_BYTES (32u << 20) /* waiting, per client */
#define FAIR_CLIENT_MSGS 64
#define FAIR_TOTAL_BYTES (256u << 20) /* waiting, for all clients of the service */

typedef struct fair fair;

/* One request: the client's routing id, the socket it came on, and the frames that go to
 * the service (the sender as vouched, the body). */
typedef struct {
    void *sock;
    zmq_msg_t cid, sender, body;
} fair_item;

/* Closes an item's three frames (what the broker does not send on). */
void fair_item_close(fair_item *it);

fair *fair_new(void);
void fair_destroy(fair *f);

enum { FAIR_SEND, FAIR_QUEUED, FAIR_BUSY };
/* A request for the service, whose current process is generation gen: FAIR_SEND (send it
 * now, then fair_sent), FAIR_QUEUED (the queue took the item's frames), FAIR_BUSY (why
 * says what is full; the item is still the caller's). */
int fair_offer(fair *f, unsigned gen, fair_item *it, par_err *why);
/* A request of the client cid went to the service (bytes long). */
void fair_sent(fair *f, const zmq_msg_t *cid, size_t bytes);
/* The service answered a request of the client cid. */
void fair_answered(fair *f, const zmq_msg_t *cid);
/* The next waiting request that may go now, of the client let through the fewest bytes:
 * 1 (the item's frames are the caller's), 0 none. */
int fair_next(fair *f, unsigned gen, fair_item *out);
/* The service went away: nothing is in flight any more, and what waits is handed back
 * one by one (1) to be answered unavailable; 0 when none is left. */
int fair_drain(fair *f, fair_item *out);
/* Requests waiting and bytes in flight, for status and tests. */
void fair_counts(const fair *f, size_t *waiting, size_t *inflight_bytes);

#endif
