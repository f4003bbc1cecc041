/* alertlog: the alerts in the notifier's store. An evaluation's new alerts and
 * the messages that carry them are recorded durably before any is sent (a large day
 * in several commits, the messages in the last; a recording cut short is taken back),
 * and each delivery is marked after it is made: a crash repeats at most the delivery
 * in flight, never misses one, and a restart the same day finds every alert of the
 * day already there. */
#ifndef PAR_ALERTLOG_H
#define PAR_ALERTLOG_H

#include <stdint.h>
#include "book.h"
#include "digest.h"
#include "due.h"

/* Delivery channels of a message. */
enum { CH_SMTP, CH_WEBHOOK, CH_FILE, CH_COUNT };
const char *alertlog_channel_name(int ch);

/* Alerts written a transaction: the memory a recording holds (LMDB keeps a
 * transaction's pages until it commits) against a commit's cost. */
#define ALERTLOG_CHUNK 100000

typedef struct {
    unsigned channels;      /* a bit per channel in use */
    const char *report_url; /* the unit's report, "{unit}" replaced; NULL or "" for none */
    size_t chunk;           /* alerts a transaction; 0: ALERTLOG_CHUNK */
    int crash_after;        /* tests: stop as a killed process would after this many commits */
    int fail_after;         /* tests: fail as a write would after this many commits */
} alertlog_opts;

/* Records the alerts of due that are not in the log yet, and one message per
 * recipient unit for them; a recording cut short (a crash, a failed write) is taken
 * back first (alertlog_recover). */
int alertlog_record(book *b, const due_list *due, const alertlog_opts *o, int64_t now_ms, int *alerts, int *messages,
                    par_err *e);

/* Takes back the alerts of a recording that did not reach its messages (the process
 * stopped between its transactions): no message carries them, so none was sent, and
 * the next evaluation records them again; chunk alerts a transaction (0: ALERTLOG_CHUNK).
 * What it takes back is logged with why (a failure too). Returns how many, or -1. */
long alertlog_recover(book *b, size_t chunk, const char *why, par_err *e);

typedef struct {
    uint64_t msg;
    int ch;
} delivery;

/* Deliveries due at now_ms (first attempts and retries), at most max. */
int alertlog_due(book *b, int64_t now_ms, delivery *out, int max);
/* The message as delivered (see digest_compose), with its number and deliveries,
 * composed now from the alerts it records, with o (digest.h; web_url: where the lead
 * reports done, NULL or "": through its agent). 1, 0 absent, -1. */
int alertlog_message(book *b, uint64_t msg, const digest_opts *o, pv **out);
/* Marks a delivery made (ok) or failed with why; a failure is retried after
 * retry_s doubled per attempt, up to an hour. 0, -1 when the store could not be written
 * (it may pass: a full disk), -2 when the message is not there to mark or cannot be read. */
int alertlog_mark(book *b, uint64_t msg, int ch, int ok, const char *why, int64_t now_ms, int retry_s, par_err *e);
/* Stops the alerts of the task instance of alert number n. by: who acknowledged (a unit
 * key for what was sent to its unit, an admin or this server). */
int alertlog_ack(book *b, uint64_t n, const char *by, int64_t now_ms, pv **out, par_err *e);
/* No alert for task up to until (YYYY-MM-DD from today to ALERTLOG_SILENCE_DAYS after;
 * "" lifts it), kept with who and when: a unit key for a task it leads or supports, an
 * admin or this server. */
#define ALERTLOG_SILENCE_DAYS 366
int alertlog_silence(book *b, const char *task, const char *until, const char *by, int64_t now_ms, pv **out,
                     par_err *e);
/* The alerts (newest first) with their recipients and delivery states; unit filters. */
int alertlog_list(book *b, const char *unit, size_t limit, pv **out, par_err *e);

#endif
