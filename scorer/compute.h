/* compute: one unit's result for an index and a year, from the replica alone.
 *
 * A leaf scores its appraised value where there is one, else the self-assessed
 * one (method self), the survey points (survey), or its formula (computed); a leaf
 * with none scores 0 and is listed as missing. Parents sum their children. Every
 * point lost on a leaf is a deduction with its reason. The year before, when known,
 * gives the change. Ranks are the engine's. Deterministic: same replica, same bytes. */
#ifndef PAR_COMPUTE_H
#define PAR_COMPUTE_H

#include "replica.h"
#include "../common/calendar.h"
#include "../common/deadline.h"

/* When a report is on time: the working days (NULL: every day works; a deadline on a
 * day off ends with the next working day, Civil Code 2015 art. 148) and the day of a
 * period's last month a recurring report is due ([notifier] report_day, the same day
 * the notifier reminds of). */
typedef struct {
    const calendar *cal;
    dl_days report_days;
} compute_rules;

/* *out: the result, or NULL when the unit has no data at all for this index and year.
 * 0, or -1 when the store cannot be read. */
int compute_result(MDB_txn *txn, store *s, const compute_rules *rules, const char *index, int year, const pv *unit,
                   pv **out);

/* The unit's reporting duties of the year (each criterion of the index counting reports:
 * share(reports_on_time) or deduct(reports, ...)): every report due, when, when it was
 * received, on time, late or missing, and what the criterion's rule gives. *out NULL
 * when the unit is unknown; 0, or -1 when the store cannot be read. */
int compute_duties(MDB_txn *txn, store *s, const compute_rules *rules, const char *index, int year, const pv *unit,
                   pv **out);

/* A task report (a stored submission of kind task): done (or 100 %), and the day it counts
 * from (common/service.h: service_sent_on; older replicas: its date, else the receipt). */
int compute_is_done(const pv *sub);
void compute_sent_day(const pv *sub, char out[11]);

/* Natural order of dotted ids ("1.2" < "1.10" < "2"): a pre-order walk of the tree. */
int compute_id_cmp(const char *a, const char *b);

#endif
