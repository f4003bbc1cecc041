/* formula: the language of `computed` criteria (docs/scoring.md).
 *
 *   share(tasks_done)               tasks of the unit's plan done in the year
 *   share(reports_on_time[, DAYS])  periodic reports sent by the end of their period (+ DAYS)
 *   ratio(METRIC / METRIC)          a ratio of two of the unit's yearly figures, at most 1
 *   ... >= T                        all or nothing: the maximum when the share reaches T, else 0
 *
 * Points = share x the criterion's maximum. */
#ifndef PAR_FORMULA_H
#define PAR_FORMULA_H

#include "../common/util.h"

typedef enum { F_TASKS_DONE, F_REPORTS_ON_TIME, F_RATIO } formula_kind;

typedef struct {
    formula_kind kind;
    int days;          /* grace days after a period's end (reports) */
    char num[64];      /* ratio: numerator metric */
    char den[64];      /* ratio: denominator metric */
    double threshold;  /* < 0: none */
} formula;

int formula_parse(const char *text, formula *f, par_err *e);
/* Points for a share in [0, 1] of a criterion of maximum max. */
double formula_points(const formula *f, double share, double max);

#endif
