/* due: which alerts are due now. For every task instance not done and not
 * acknowledged: a reminder at each offset (working days before the deadline), an
 * overdue alert from the first working day after it, repeated every `repeat`
 * working days, and escalated one level up the unit tree every `escalate`
 * working days overdue. Only the latest slot reached counts: a notifier that was
 * down for three days sends one alert for the task, not three. */
#ifndef PAR_DUE_H
#define PAR_DUE_H

#include <stdint.h>
#include "book.h"
#include "../common/calendar.h"

#define DUE_MAX_OFFSETS 8

typedef struct {
    int remind[DUE_MAX_OFFSETS]; /* working days before the deadline, any order */
    int nremind;
    int repeat;      /* working days between overdue alerts */
    int escalate;    /* working days overdue for each level up */
    int send_minute; /* a day's alerts go out from this minute after midnight */
    dl_days report_days; /* day of a period's last month each kind of report is due */
} due_policy;

typedef enum { DUE_REMIND, DUE_OVERDUE } due_kind;

typedef struct {
    uint32_t task;   /* index into book_tasks */
    due_kind kind;
    char inst[16];   /* book_instance */
    char period[4];  /* "" for a dated task */
    int year;
    int64_t due;     /* the deadline (civil day) */
    int64_t slot;    /* the working day this alert belongs to */
    int days;        /* calendar days left (reminder) or overdue, as of today */
    int wdays;       /* the same in working days */
    int level;       /* levels up the unit tree the alert also goes to */
} due_alert;

typedef struct {
    due_alert *v;
    size_t n, cap;
} due_list;

/* Reads "7,1" into the policy's offsets; -1 with a message when it is not such a list. */
int due_parse_offsets(due_policy *p, const char *text, par_err *e);
/* "08:00" into send_minute. */
int due_parse_time(due_policy *p, const char *text, par_err *e);

/* The deadlines the notifier tracks for task t around today, in order: a dated task's
 * one (period ""), or a recurring report's periods of last year to next year that fall
 * due after the task was first recorded and within 400 days. Returns how many. */
#define DUE_MAX_DEADLINES (3 * DL_MAX_INSTANCES)
int due_deadlines(const ntask *t, int64_t today, dl_days days, dl_instance out[DUE_MAX_DEADLINES]);

/* The alerts due at now_ms (the province's clock) over every task of b. */
void due_eval(const book *b, const calendar *cal, const due_policy *p, int64_t now_ms, due_list *out);
void due_list_free(due_list *l);
/* The alert's key in the log: task|instance|kind|slot. */
void due_key(const book *b, const due_alert *a, char *out, size_t n);
const char *due_kind_name(due_kind k);

#endif
