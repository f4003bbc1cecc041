/* replica: the scorer's own copy of what scoring needs from the record, kept from
 * the collector's change events (the zguide's Clone pattern), in the scorer's LMDB
 * next to the results; and what each change touches. */
#ifndef PAR_REPLICA_H
#define PAR_REPLICA_H

#include "../common/store.h"
#include "../common/strset.h"
#include "../proto/proto.h"

#define SCORER_SCHEMA 1

enum {
    S_UNITS,   /* id -> {id, parent, level, name} */
    S_CRIT,    /* INDEX|year|level|id -> criterion */
    S_FW,      /* year|level -> INDEX (dupsort): the indices scored at a level in a year */
    S_TASKS,   /* id -> task */
    S_LEAD,    /* lead unit -> task id (dupsort) */
    S_SUBS,    /* unit|year|period|kind|key -> {value, date, note, received} */
    S_RESULTS, /* INDEX|year|unit -> result */
    S_GROUPS,  /* INDEX|year|level|parent -> unit (dupsort): peers ranked together */
    S_STATE,   /* "seq" -> the last change applied */
    S_COUNT
};

/* What a batch of changes touches, expanded into results to recompute at its end. */
typedef struct {
    strset results;   /* INDEX|year|unit */
    strset fw;        /* INDEX|year|level: every unit of the level */
    strset unit_year; /* year|unit: every index of the unit's level that year */
    strset unit_all;  /* unit: every year and index */
} dirty;

void dirty_init(dirty *d);
void dirty_free(dirty *d);

const char *const *replica_db_names(void);
const int *replica_db_dups(void);

/* Applies one change event to the replica. 0, or an LMDB error code. */
int replica_apply(MDB_txn *txn, store *s, const pv *event, dirty *d);

#endif
