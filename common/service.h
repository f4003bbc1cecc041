/* service: a daemon's link to the broker (the Majordomo worker side). The service
 * registers by heartbeating its name; requests arrive as [client][sender][body]
 * and replies go back as [client][body]. */
#ifndef PAR_SERVICE_H
#define PAR_SERVICE_H

#include <stddef.h>
#include <stdint.h>
#include <zmq.h>
#include "config.h"
#include "../proto/proto.h"

typedef struct service service;

typedef struct {
    char client[256]; /* routing id of the client at the broker */
    size_t client_len;
    char sender[256]; /* who sent it, as the broker vouches */
    pv *msg;          /* decoded and schema-checked; NULL when bad (see err) or raw */
    int64_t id;       /* request id, also when the message was bad */
    par_err err;
    char type[16];    /* the message's type, as peeked */
    int raw;          /* 1: the body is left undecoded in body, for a typed reader */
    zmq_msg_t body;
} service_req;

service *service_new(void *ctx, const par_config *conf, const char *name, par_err *e);
void service_destroy(service *s);
/* Messages of this type are handed over undecoded (service_req.raw), for a reader that
 * decodes them as typed views (the collector's submissions). */
void service_keep_raw(service *s, const char *type);
/* Whom a request speaks for: its sender, or, from this server's own processes (sender
 * "internal": par-web), the user named by as ("ROLE:NAME", role unit, appraiser, leader
 * or admin; "unit:U/USER" for a unit's official). A malformed as speaks for nobody ("unit:-": reads and writes nothing). as may
 * be NULL or "". The result lives in out. */
const char *service_on_behalf(const char *sender, const char *as, char *out, size_t n);
/* The unit a sender speaks for ("unit:U", or "unit:U/USER" from par-web: the unit's
 * official by name), into out: 1; 0 when it is no unit's. */
int service_sender_unit(const char *sender, char *out, size_t n);
/* The day a report counts from: what a unit sends counts from the province's receipt (its
 * own date is its word); a line the province records itself (an appraiser's or admin's
 * key, this server's operators: a report received on paper) from the date it states.
 * Returns date or received (its first 10 bytes are the day). */
const char *service_sent_on(const char *sender, const char *date, const char *received);
/* The same for a decoded query: as from its args. */
const char *service_query_sender(const service_req *r, char *out, size_t n);
void *service_socket(service *s);

/* Reads one request without waiting: 1 read, 0 nothing there, -1 error. A bad
 * message is still returned (msg NULL, err set) so that it can be answered. */
int service_recv(service *s, service_req *r);
void service_req_free(service_req *r);
/* Replies to the client of r; never blocks. */
int service_reply(service *s, const service_req *r, const pv *msg);
/* Whether a heartbeat is due (so its info need be computed only then): every
 * heartbeat_ms, and within 20 ms of a new sequence number so that status is current. */
int service_due(const service *s, int64_t seq);
/* Sends a heartbeat when one is due; returns ms until the next one may be. */
int service_tick(service *s, int64_t seq, const pv *info);
/* Tells the broker this service is stopping, so it is shown down at once. */
void service_bye(service *s);

#endif
