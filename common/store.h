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
 * (0: 1 GiB, sparse; it doubles whenever it fills). */
int store_open(store **out, const char *dir, const char *const names[], const int dupsort[], int n,
               unsigned schema, size_t map, par_err *e);
void store_close(store *s);

MDB_env *store_env(store *s);
MDB_dbi store_dbi(store *s, int i);

/* Begins a transaction, adopting a map grown by another process. */
int store_begin(store *s, unsigned flags, MDB_txn **txn, par_err *e);
/* Doubles the map; call with no transaction open in this process. */
int store_grow(store *s, par_err *e);
/* Frees reader slots left by killed processes; returns how many. */
int store_reader_check(store *s);
/* Consistent compacted copy into dir (created), fsynced before returning. */
int store_backup(store *s, const char *dir, par_err *e);

/* Big-endian u64 keys sort in numeric order. */
void store_u64_key(uint64_t v, unsigned char out[8]);
uint64_t store_u64_from(const void *p);

#endif
