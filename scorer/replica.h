/* replica: the scorer's own copy of what scoring needs from the record, kept from
 * the collector's change events (the zguide's Clone pattern), in the scorer's LMDB,
 * loaded into the model (model.h) at start. Results are not stored: computing them
 * all from the model takes less time than reading them would. */
#ifndef PAR_REPLICA_H
#define PAR_REPLICA_H

#include "../common/store.h"
#include "../proto/event.h"
#include "../proto/proto.h"

#define SCORER_SCHEMA 1

enum {
    S_UNITS,   /* id -> {id, parent, level, name} */
    S_CRIT,    /* INDEX|year|level|id -> criterion */
    S_FW,      /* year|level -> INDEX (dupsort): the indices scored at a level in a year */
    S_TASKS,   /* id -> task */
    S_LEAD,    /* lead unit -> task id (dupsort) */
    S_SUBS,    /* unit|year|period|kind|key -> {value, date, note, received} */
    S_RESULTS, /* retired (results live in memory): emptied at open */
    S_GROUPS,  /* retired, as S_RESULTS */
    S_STATE,   /* "seq" -> the last change applied */
    S_COUNT
};

const char *const *replica_db_names(void);
const int *replica_db_dups(void);

/* Applies one change event to the replica (scratch: a reused buffer). 0, or an LMDB
 * error code. */
int replica_apply(MDB_txn *txn, store *s, const event_view *ev, sbuf *scratch);
/* Loads the replica into m, one cursor pass per database. 0, or -1 when it cannot be read. */
struct model;
int replica_load(MDB_txn *txn, store *s, struct model *m);

#endif
