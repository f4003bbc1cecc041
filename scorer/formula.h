/* formula: the language of `computed` criteria (docs/scoring.md).
 *
 *   share(tasks_done)               tasks of the unit's plan done in the year
 *   share(reports_on_time[, DAYS])  reporting duties met on time (+ DAYS of grace)
 *   deduct(reports, L[, M[, FLOOR]]) the maximum less L points per report late and M
 *                                   (default L) per report not sent, never below FLOOR
 *                                   (default 0): the province's rule for 1.2.1 (seed 003:
 *                                   a report a day late lost 0.5 of 1)
 *   ratio(METRIC / METRIC)          a ratio of two of the unit's yearly figures, at most 1
 *   ... >= T                        all or nothing: the maximum when the share reaches T, else 0
 *
 * Points = share x the criterion's maximum. */
#ifndef PAR_FORMULA_H
#define PAR_FORMULA_H

#include "../common/util.h"

typedef enum { F_TASKS_DONE, F_REPORTS_ON_TIME, F_RATIO, F_DEDUCT_REPORTS } formula_kind;

typedef struct {
    formula_kind kind;
    int days;          /* grace days after a period's end (reports) */
    char num[64];      /* ratio: numerator metric */
    char den[64];      /* ratio: denominator metric */
    double threshold;  /* < 0: none */
    double late, missing, floor; /* deduct(reports, ...): points per late and per missing report */
} formula;

int formula_parse(const char *text, formula *f, par_err *e);
/* Points for a share in [0, 1] of a criterion of maximum max. */
double formula_points(const formula *f, double share, double max);
/* The share a report-counting formula gives for total duties of which late came late and
 * missing never came: deduct(reports, ...) what its rule leaves of max (no duty, nothing
 * lost), share(reports_on_time) those on time, -1 with no duty to count. The ranking
 * (model.c), the explanation and the duties record (compute.c) all take it from here. */
double formula_reports_share(const formula *f, int total, int late, int missing, double max);
/* A reporting duty's criterion: share(reports_on_time) or deduct(reports, ...). */
int formula_counts_reports(const formula *f);

#endif
