/* book: the notifier's LMDB store. It holds a copy of what alerting needs from
 * the record (units with their addresses, tasks, reports of tasks done), kept from
 * the collector's change events, and the alert log: alerts, the messages that
 * carry them, their delivery, acknowledgements. An in-memory index of the tasks
 * (built at open, kept with every change) is what evaluation runs over. */
#ifndef PAR_BOOK_H
#define PAR_BOOK_H

#include <stdint.h>
#include "../common/deadline.h"
#include "../common/store.h"
#include "../common/strset.h"
#include "../proto/event.h"
#include "../proto/proto.h"

#define NOTIFIER_SCHEMA 1

enum {
    N_UNITS,     /* id -> {id, parent, level, name, email} */
    N_TASKS,     /* id -> task row, with first_day: the day the task was first recorded */
    N_DONE,      /* task|year|period|unit -> date: reports of a task done */
    N_ACKS,      /* task|instance -> {alert, by, at} */
    N_ALERTS,    /* task|instance|kind|slot -> alert */
    N_ALERT_IDS, /* alert number (u64) -> its key */
    N_MSGS,      /* message number (u64) -> message with its deliveries */
    N_OUTBOX,    /* message number (u64) -> when its next delivery is due (u64 ms): messages with one to make */
    N_STATE,     /* seq, alert, message: the last numbers used */
    N_COUNT
};

typedef struct {
    int16_t year;
    char period[4];
    uint32_t unit;
    int32_t day; /* the civil day the report was received (0: not known) */
} done_mark;

/* The latest alert recorded for one deadline of a task (memory only: it spares the
 * log a lookup on every evaluation; the log is the truth). */
typedef struct {
    int64_t due, slot;
    int kind;
} sent_mark;

typedef struct {
    char *id;
    uint32_t lead;
    uint32_t *sup, nsup;
    deadline dl;
    int64_t first_day;
    done_mark *done;
    uint32_t ndone;
    char (*acks)[16]; /* instances acknowledged */
    uint32_t nacks;
    sent_mark *sent;
    uint32_t nsent;
    int64_t silence_until; /* no alert for it up to this civil day (an official silenced it); 0 */
    int remind_only; /* a season's deadline (S.INDEX.YEAR.PHASE.UNIT): reminded before it,
                      * never chased after (the collector refuses what comes late) */
    long crit;       /* the criterion it serves ("INDEX|ID" in the book's task_crits), -1 */
} ntask;

typedef struct {
    char *id;
    long parent; /* index, -1 for a root */
    char *name;  /* "" until the unit is known */
    char *email; /* ';'-separated, as in the registry */
    char *level; /* district, commune, department, office ... */
    int64_t end_day; /* the civil day after its last period ends (0: open): dissolved from then */
    long successor;  /* the unit that takes over its work then, -1: none named */
} nunit;

typedef struct book book;

int book_open(book **out, const char *dir, size_t map, par_err *e);
void book_close(book *b);
store *book_store(book *b);
uint64_t book_seq(const book *b);

/* Applies change events in order (older ones skipped): 0, 1 when a gap stopped it, -1 error. */
int book_apply(book *b, const event_batch *events, par_err *e);
/* Forgets the copy of the record (kept: the alert log). */
int book_reset(book *b, par_err *e);

const ntask *book_tasks(const book *b, size_t *n);
const nunit *book_units(const book *b, size_t *n);
long book_unit_index(const book *b, const char *id);
/* Who answers for unit u's work on civil day `day`: u itself, or once it is dissolved
 * (the 2025 reorganisation) its successor, else the unit it stood under, as far as needed. */
uint32_t book_unit_on(const book *b, uint32_t u, int64_t day);
/* Whether unit is mine or below it. */
int book_below(const book *b, const char *unit, const char *mine);
long book_task_index(const book *b, const char *id);

/* The instance name of a task's deadline: "2024-12-31", or "2024-Q1" for a period of a report. */
void book_instance(char out[16], int year, const char *period, int64_t due);
int book_is_done(const ntask *t, int year, const char *period, int64_t *day);
int book_is_acked(const ntask *t, const char *inst);
/* Marks an instance acknowledged in memory (the caller has stored it). */
void book_mark_acked(book *b, long task, const char *inst);
/* Silences task's alerts up to day (civil days; 0 lifts it). */
void book_silence(book *b, long task, int64_t day);

/* Whether the alert of (task, due, kind) at slot is known to be in the log already;
 * and remembering that it is. */
int book_was_sent(const book *b, uint32_t task, int64_t due, int kind, int64_t slot);
void book_mark_sent(book *b, uint32_t task, int64_t due, int kind, int64_t slot);

/* Points at risk: what the task's lead would lose on the criterion the task serves if it
 * stays undone: its current points there (appraised, else self-scored, latest year), or
 * the criterion's maximum in the latest framework of its level when it has none. -1 when
 * the task names no criterion the book knows. name (may be NULL) gets the criterion's. */
double book_at_risk(const book *b, const ntask *t, const char **name, const char **criterion);
/* Whether a framework of some index exists for units of level: their reports exist. */
int book_has_framework(const book *b, const char *level);
/* The unit that follows tasks up (copied on escalations), -1 for none. */
void book_set_follow_up(book *b, const char *id);
long book_follow_up(const book *b);

/* The last number of a counter of N_STATE ("alert", "message") inside txn; a
 * transaction numbers from it in memory and writes the last one used once. */
uint64_t book_number(book *b, MDB_txn *txn, const char *counter);
int book_set_number(book *b, MDB_txn *txn, const char *counter, uint64_t last);

#endif
