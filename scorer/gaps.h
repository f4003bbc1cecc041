/* gaps: a survey index (PAPI, PCI, SIPAS: any index) against the province's targets,
 * per sub-index, with the tasks that should close each gap (`parctl gaps`).
 *
 * A year's figures are set against the targets of that year, or where it has none,
 * of the first later year that has some: a plan writes "by 2025" against 2023's
 * results (seed 002). Places (rank, "44/63") and place targets ("20-30/63") beside
 * the points. A task belongs to the row of the criterion it names; one naming no
 * criterion of the framework, to the index as a whole. */
#ifndef PAR_GAPS_H
#define PAR_GAPS_H

#include "compute.h"

/* *out: {unit, name, index, year, rows: [...], off_track}, rows[0] the whole index
 * (id "total"); NULL when the unit has no result. 0, or -1 when the store fails. */
int gaps_unit(MDB_txn *txn, store *s, const compute_rules *rules, const char *index, int year, const pv *unit,
              pv **out);

#endif
