/* deliver: sends messages without blocking the notifier's loop: e-mail over SMTP
 * and JSON POSTs to a webhook through libcurl's multi interface, whose sockets
 * join the loop's zmq_poll; or, with no SMTP server configured, an .eml file per
 * message in mail_dir. */
#ifndef PAR_DELIVER_H
#define PAR_DELIVER_H

#include <stdint.h>
#include <zmq.h>
#include "../common/config.h"
#include "../proto/proto.h"

typedef struct deliver deliver;

#define DELIVER_MAX_ITEMS 16

deliver *deliver_new(const par_config *conf, par_err *e);
void deliver_destroy(deliver *d);

/* 1 when a delivery on channel ch is in flight. */
int deliver_channel_busy(const deliver *d, int ch);
/* Transfers under way; new ones are started only below DELIVER_MAX_ITEMS. */
int deliver_count(const deliver *d);
/* Starts delivering message m (alertlog_message) on channel ch. 0 started, 1 done at
 * once (files), -1 could not start (e says why: a failure to retry). */
int deliver_start(deliver *d, uint64_t msg, int ch, const pv *m, int64_t now_ms, par_err *e);

/* Before zmq_poll: curl's sockets into items (returns how many) and wait shortened. */
int deliver_prepare(deliver *d, zmq_pollitem_t *items, int max, int *wait);
/* After zmq_poll: moves transfers on; each finished one is reported to done. */
void deliver_perform(deliver *d, void (*done)(void *ctx, uint64_t msg, int ch, int ok, const char *why), void *ctx);

/* The e-mail of a message: headers (RFC 2047 subject, UTF-8) and the body in base64
 * (safe through any SMTP server), or as 8-bit text for files people read. */
char *deliver_mime(const pv *m, const char *from, int64_t now_ms, int eightbit, size_t *len);

#endif
