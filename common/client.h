/* client: a program's connection to the broker's public endpoint (agents, parctl).
 * Requests carry an id; replies are matched by it, late ones from an earlier
 * attempt are dropped. A request is re-sent while the server cannot be reached. */
#ifndef PAR_CLIENT_H
#define PAR_CLIENT_H

#include <zmq.h>
#include "config.h"
#include "../proto/proto.h"

typedef struct client client;

/* Connects to [general] endpoint, with the CurveZMQ keys of key_file and server_key
 * when they are set. */
client *client_new(const par_config *conf, par_err *e);
/* The same to another endpoint (a daemon of this server: the broker's internal socket). */
client *client_new_at(const par_config *conf, const char *endpoint, par_err *e);
/* 1 when the server refused the handshake (unknown, revoked or missing key): e says so. */
int client_refused(client *c, par_err *e);
void client_destroy(client *c);
const char *client_endpoint(const client *c);
/* The socket, for a daemon's zmq_poll (then client_recv with no wait). */
void *client_socket(client *c);
int64_t client_next_id(client *c);

/* 1 sent, 0 not sent now (no connection yet: try again later), -1 error. */
int client_send(client *c, const char *service, const pv *msg, par_err *e);
/* The same for a message already packed (a batch packed once and sent again as it is). */
int client_send_bytes(client *c, const char *service, const void *buf, size_t len, par_err *e);
/* Waits up to timeout_ms until a connection can take a message; 1 if so. */
int client_wait_writable(client *c, int timeout_ms);
/* 1 a message in *msg, 0 time-out, -1 a bad message (e says why; go on reading). */
int client_recv(client *c, int timeout_ms, pv **msg, par_err *e);
/* The same, the message left undecoded in *m (initialised by the caller, closed by it):
 * for a reply read as typed views. 1, 0 (nothing within the time) or -1. */
int client_recv_raw(client *c, int timeout_ms, zmq_msg_t *m, par_err *e);

/* A client that asks rather than delivers (parctl) gives up on a service the broker has
 * down after unavailable_ms (a restart's gap) instead of retrying until its timeout. */
void client_set_patience(client *c, int unavailable_ms);
/* Sends msg (its "id" set here) to service and waits for the reply with that id,
 * re-sending while the service is unavailable, until timeout_ms. The reply may be
 * a "reply", "ack" or "error" message; an "error" is returned as CLIENT_REFUSED with
 * its text (-1 for "storage": the service could not store, try again), no answer in
 * time as -1. */
#define CLIENT_REFUSED (-2)
int client_call(client *c, const char *service, pv *msg, int timeout_ms, pv **reply, par_err *e);

#endif
