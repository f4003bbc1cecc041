/* store: an LMDB environment with named databases, a large sparse map that
 * grows on MDB_MAP_FULL, stale reader slots cleared, and a schema version. */
#ifndef PAR_STORE_H
#define PAR_STORE_H

#include <lmdb.h>
#include "util.h"

#define STORE_MAX_DBS 16

typedef struct store store;

/* Opens (creating) dir with the named databases; dupsort[i] marks MDB_DUPSORT ones.
 * schema: the version this program writes; an older store is refused with a clear
 * message until a migration exists, a newer one always. map: the initial map size
 * (0: 32 GiB of address space, the file growing with what is written; it doubles whenever it fills). */
int store_open(store **out, const char *dir, const char *const names[], const int dupsort[], int n,
               unsigned schema, size_t map, par_err *e);
/* The same for a program that still reads a store of versions oldest..schema as it is
 * (a database added, nothing rewritten): such a store is marked schema when opened, so
 * that an older program then refuses it rather than misread what this one writes. */
int store_open_from(store **out, const char *dir, const char *const names[], const int dupsort[], int n,
                    unsigned oldest, unsigned schema, size_t map, par_err *e);
/* Opens dir to read only, beside the program that writes it (par-agent status): its data
 * file is neither created nor changed (an older version is not marked), only LMDB's lock
 * file is written (a reader's slot; made when missing, as by any reader). A store of a
 * version outside oldest..schema, or without one of the named databases, is refused with
 * e saying so. Only those n databases may be read through it. */
int store_open_reader(store **out, const char *dir, const char *const names[], int n, unsigned oldest,
                      unsigned schema, par_err *e);
void store_close(store *s);

MDB_env *store_env(store *s);
MDB_dbi store_dbi(store *s, int i);

/* Begins a transaction, adopting a map grown by another process, and taking back once
 * the reader slots of processes killed since the store was opened when none is free. */
int store_begin(store *s, unsigned flags, MDB_txn **txn, par_err *e);
/* A transaction that carries its first error (Knot DNS's knot_lmdb_txn is the model):
 * every step after a failure does nothing, and the commit reports it. */
typedef struct {
    store *s;
    MDB_txn *txn;
    int rc;           /* the first LMDB error, 0 while none */
    const char *what; /* the step that failed */
} store_txn;

int store_txn_begin(store *s, store_txn *t, int write, par_err *e);
/* Records rc (an LMDB result) as the transaction's error unless one is already held;
 * 0 when rc is 0, else -1. */
int store_txn_check(store_txn *t, int rc, const char *what);
void store_txn_put(store_txn *t, int db, const void *key, size_t klen, const void *val, size_t vlen);
/* 1 found (*out points into the page), 0 absent or after an error. */
int store_txn_get(store_txn *t, int db, const void *key, size_t klen, MDB_val *out);
void store_txn_abort(store_txn *t);
/* The last key of db read as a u64 (store_u64_key's order: logs, arrival orders); 0 when
 * db is empty or its last key is not 8 bytes; 0 with the error held by t when it cannot be
 * read (then a write's commit fails, and a reader must look at t->rc). */
uint64_t store_txn_last_u64(store_txn *t, int db);
/* Commits a write transaction durably, or aborts it when it holds an error. 0, or -1
 * with e said and t->rc the LMDB error (MDB_MAP_FULL: grow with no transaction open,
 * then write it all again). The transaction is ended either way. */
int store_txn_commit(store_txn *t, par_err *e);
/* Tests: the next n commits fail with rc (ENOSPC as on a full disk; MDB_MAP_FULL as
 * when the commit itself needs pages the map has not: store_write then grows it). */
void store_fail_commits(store *s, int n, int rc);

/* Runs fn in a write transaction and commits it durably. The one place where a full
 * map is handled: when any step or the commit meets MDB_MAP_FULL, the transaction is
 * aborted, the map doubled and fn run again from the start, so fn keeps no effect
 * outside the transaction (or starts by undoing it). fn returns 0 to commit,
 * STORE_NOTHING to end without writing, -1 on failure (with e set, or the error held
 * by the transaction). store_write returns 0, STORE_NOTHING or -1. */
#define STORE_NOTHING 1
typedef int (*store_fn)(store_txn *t, void *ctx, par_err *e);
int store_write(store *s, store_fn fn, void *ctx, par_err *e);

/* A binary key built from parts: strings joined by '|' (the stored keys' format) and
 * big-endian integers, which sort in numeric order. Too long a key is refused by LMDB
 * (511 bytes): over marks it, and a put or get with it fails. */
#define STORE_MAX_KEY 511
typedef struct {
    unsigned char b[STORE_MAX_KEY];
    size_t n;
    int over;
} store_key;

void store_key_init(store_key *k);
/* Adds s, after a '|' unless it is the first part. */
void store_key_str(store_key *k, const char *s);
void store_key_u64(store_key *k, uint64_t v);

/* Doubles the map; call with no transaction open in this process. */
int store_grow(store *s, par_err *e);
/* Frees reader slots left by killed processes; returns how many. */
int store_reader_check(store *s);
/* Consistent compacted copy into dir (created), fsynced before returning. */
int store_backup(store *s, const char *dir, par_err *e);
/* A daemon's part of `parctl backup`: the copy into DIR/name (DIR absolute, on this
 * server), answered as {path, seq}. */
struct pv;
int store_backup_into(store *s, const char *dir, const char *name, uint64_t seq, struct pv **data, par_err *e);

/* Values stored as proto-encoded pv trees under string keys. get: 1 found (*out
 * set), 0 absent, -1 stored but not decodable, -2 LMDB could not read it (a damaged
 * page, I/O): a caller that treats a bad value by itself must not take the store's
 * failure for one. put, del: 0 or the LMDB error code (MDB_MAP_FULL...). */
struct pv;
int store_get_pv(MDB_txn *txn, MDB_dbi dbi, const char *key, struct pv **out);
int store_put_pv(MDB_txn *txn, MDB_dbi dbi, const char *key, const struct pv *val);
int store_del(MDB_txn *txn, MDB_dbi dbi, const char *key, const char *dup_val);
/* Adds val under key in a dupsort database; a value already there is no error. */
int store_put_dup(MDB_txn *txn, MDB_dbi dbi, const char *key, const char *val);
/* Calls fn for each key starting with prefix, in order, until fn returns non-zero
 * (which is then returned); the value is decoded for fn. */
int store_scan(MDB_txn *txn, MDB_dbi dbi, const char *prefix,
               int (*fn)(void *ctx, const char *key, size_t klen, struct pv *val), void *ctx);

/* Gives back the resident pages of the map after a process has read its store whole
 * (the scorer's start): they stay in the page cache, not in its memory. */
void store_release_pages(store *s);
/* Adds map_bytes (the map) and used_bytes (its pages in use) to info. */
void store_usage(store *s, struct pv *info);

/* A counter stored as 8 bytes under a string key (a replica's "seq"): 0 when absent;
 * put returns 0 or the LMDB error code. */
uint64_t store_get_u64(MDB_txn *txn, MDB_dbi dbi, const char *key);
int store_put_u64(MDB_txn *txn, MDB_dbi dbi, const char *key, uint64_t v);
/* The u64 under key in a fresh read transaction (at open), 0 when absent. */
int store_read_u64(store *s, int db, const char *key, uint64_t *out, par_err *e);
/* Big-endian u64 keys sort in numeric order. */
void store_u64_key(uint64_t v, unsigned char out[8]);
uint64_t store_u64_from(const void *p);

#endif
