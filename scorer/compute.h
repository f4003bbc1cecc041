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

/* *out: the result, or NULL when the unit has no data at all for this index and year.
 * 0, or -1 when the store cannot be read. */
int compute_result(MDB_txn *txn, store *s, const calendar *cal, const char *index, int year, const pv *unit,
                   pv **out);

/* Natural order of dotted ids ("1.2" < "1.10" < "2"): a pre-order walk of the tree. */
int compute_id_cmp(const char *a, const char *b);

#endif
