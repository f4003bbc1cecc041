/* record: the system of record in LMDB. Units, frameworks, tasks and the latest
 * submission per (unit, year, period, kind, key), each change also appended to a
 * change log under a monotonically increasing sequence number. Only the collector
 * writes it. Values are pv maps encoded by proto. */
#ifndef PAR_RECORD_H
#define PAR_RECORD_H

#include <stdint.h>
#include "../common/store.h"
#include "../common/strset.h"
#include "../common/validity.h"
#include "../proto/proto.h"

/* 2 (0.3.2): a submission line is stored as the sequence number of its change-log
 * entry (record_put_line). A store of version 1 is read as it is (its lines stored
 * whole are read too) and marked 2, so that 0.3.1 refuses it rather than misread it. */
#define RECORD_SCHEMA 2
#define RECORD_SCHEMA_OLDEST 1

enum {
    DB_UNITS,  /* id -> unit */
    DB_FW,     /* INDEX|year|level|id -> criterion */
    DB_FWID,   /* year|level|id -> INDEX (dupsort): finds a criterion without its index */
    DB_TASKS,  /* id -> task */
    DB_SUBS,   /* unit|year|period|kind|key -> seq of the line's latest change (record_put_line) */
    DB_LOG,    /* seq (u64, big-endian) -> change event */
    DB_SEASONS,  /* INDEX|year|level -> season (proto/season.h) */
    DB_EVIDENCE, /* unit|year|INDEX:id|sha256 -> evidence document's record */
    DB_USERS,    /* name -> web account (collector/users.h) */
    DB_COUNT
};

/* Returned where LMDB ran out of map: abort, grow, retry. */
#define RECORD_FULL (-2)

typedef struct record record;

/* Records of one database decoded once a transaction, by key (absent ones too). */
typedef struct {
    strset ids;
    pv **vals;
} record_cache;

/* The change events of one transaction, packed back to back as the change log holds
 * them: one buffer for all of them (no allocation an event), published after the
 * commit from these same bytes. Zeroed is empty. */
typedef struct {
    sbuf buf;
    size_t *end; /* where each event ends in buf */
    uint32_t n, cap;
} record_events;

void record_events_free(record_events *ev);

typedef struct {
    record *r;
    MDB_txn *txn;     /* st->txn */
    store_txn *st;    /* carries the first error */
    store_txn own;    /* a read transaction's own */
    uint64_t seq;     /* last sequence number, advanced by record_log */
    record_events events; /* what this transaction logged, published after its commit */
    record_cache units; /* units decoded in this transaction, read again by every line */
    record_cache crits; /* criteria (by framework key), read again by a file's lines */
    MDB_cursor *cur[DB_COUNT]; /* opened at first use, closed by record_abort */
} record_txn;

/* map: initial map size, 0 for the default. */
int record_open(record **out, const char *dir, size_t map, par_err *e);
void record_close(record *r);
store *record_store(record *r);
uint64_t record_last_seq(record *r);

/* A read transaction; record_abort ends it. */
int record_begin(record *r, record_txn *t, par_err *e);
void record_abort(record_txn *t);
/* Runs fn in one durable write transaction, again from the start when the map must
 * grow (store_write): fn keeps nothing outside the transaction across runs. After the
 * commit, *events holds the changes it logged, to publish (the caller frees them with
 * record_events_free; empty otherwise). fn returns 0 to commit, STORE_NOTHING to write
 * nothing, -1 on failure (e set). 0, STORE_NOTHING or -1. */
typedef int (*record_fn)(record_txn *t, void *ctx, par_err *e);
int record_write(record *r, record_fn fn, void *ctx, record_events *events, par_err *e);

/* 1 found (*out set), 0 absent, -1 error. */
int record_get(record_txn *t, int db, const char *key, pv **out);
int record_exists(record_txn *t, int db, const char *key);
/* A unit's record, decoded once per transaction (owned by t); NULL when unknown. */
const pv *record_unit(record_txn *t, const char *id);
/* The criterion stored under fk (index|year|level|id), read once a transaction: a
 * file's lines name the same few criteria again and again. NULL when there is none. */
const pv *record_crit(record_txn *t, const char *fk);
/* A stored unit's spans in the tree (common/validity.h): their count, 0 when the unit
 * is unknown, -1 when its stored periods cannot be read. */
int record_unit_spans(record_txn *t, const char *id, validity_span *out, int max);
/* The unit's last day ("" while it lasts), "" too for an unknown unit. */
const char *record_unit_end(record_txn *t, const char *id);
int record_put(record_txn *t, int db, const char *key, const pv *val, par_err *e);
int record_del(record_txn *t, int db, const char *key, par_err *e);
int record_put_dup(record_txn *t, int db, const char *key, const char *val, par_err *e);
int record_del_dup(record_txn *t, int db, const char *key, const char *val, par_err *e);
/* The values of a dupsort key; returns their count (up to max), -1 on error. */
int record_get_dups(record_txn *t, int db, const char *key, char vals[][32], int max);

/* A value already packed. */
int record_put_raw(record_txn *t, int db, const char *key, const void *val, size_t len, par_err *e);
/* A stored submission line (DB_SUBS, unit|year|period|kind|key) is the sequence number
 * of its change-log entry, the line with its receipt, packed once: the value is that
 * number as a msgpack uint64 (9 bytes). A store of schema 1 (0.3.1 and before) holds
 * the line itself there, its row's pairs with seq, received and sender; both are read. */
int record_put_line(record_txn *t, const char *key, uint64_t seq, par_err *e);
/* A line's key k claimed for the change the transaction logs next (*seq), in one walk
 * down the tree where a look-up then a put often took two (a cursor that did not find a
 * key is not left ready for its put): 1 when k was free and now names *seq, which the
 * caller logs next (record_log_packed; store_line checks the number); 0 when a line is
 * stored under k (*v then its stored bytes, valid until the transaction's next write);
 * or an error as record_put's. */
int record_claim_line(record_txn *t, MDB_val *k, MDB_val *v, uint64_t *seq, par_err *e);
/* The stored bytes of the line under k, read only (for a line that will not be stored
 * now): 0 found (*v valid until the next write), 1 absent, or an error as record_put's. */
int record_find_line(record_txn *t, MDB_val *k, MDB_val *v, par_err *e);
/* The bytes of a stored line's value v: 1 with *entry its change-log event (an "event"
 * message: seq, what, row, received, sender), 0 with *entry = *v for a line stored
 * whole, -1 when the entry it names is missing. */
int record_line_bytes(record_txn *t, const MDB_val *v, MDB_val *entry);
/* A stored line's value as a value tree: the row's fields, then seq (an integer),
 * received and sender, whichever way it is stored. 0, or -1 when it cannot be read. */
int record_line_pv(record_txn *t, const MDB_val *v, pv **out);
/* The sequence number of a stored line's latest change (0 when it cannot be read). */
uint64_t record_line_seq(const MDB_val *v);
/* The same for the line under key: 1 found (*out set), 0 absent, -1 unreadable. */
int record_get_line(record_txn *t, const char *key, pv **out);
/* Appends a change whose row is already packed (a submission line, the hot path). */
int record_log_packed(record_txn *t, const char *what, const void *row, size_t row_len, const char *received,
                      const char *sender, uint64_t *seq, par_err *e);
/* Appends a change (row copied) and returns its sequence number in *seq. */
int record_log(record_txn *t, const char *what, const pv *row, const char *received, const char *sender,
               uint64_t *seq, par_err *e);

#endif
