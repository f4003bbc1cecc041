/* rank: the ranking of a peer group (units of one level under one parent, for one
 * index and year): competition ranking on the total and on each area (1, 1, 3).
 * Totals equal to a millionth of a point are ties. */
#ifndef PAR_RANK_H
#define PAR_RANK_H

#include "replica.h"

/* group: INDEX|year|level|parent. Rewrites the members whose ranks changed; adds to
 * changed the INDEX|year|unit keys whose rank or group size changed (not those whose
 * only change is an area's rank). 0, or an LMDB error code. */
int rank_group(MDB_txn *txn, store *s, const char *group, strset *changed);

#endif
