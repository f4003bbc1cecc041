/* outbox: files accepted from the spool folder, kept in the agent's own LMDB until
 * the province has answered every line (store-and-forward). Keyed by the content's
 * hash, so that a file seen twice (a crash between accepting and moving it) is held
 * once. An entry: {name, cols, rows, lines, local: [{line, reason}]}. */
#ifndef PAR_OUTBOX_H
#define PAR_OUTBOX_H

#include <stdint.h>
#include "../common/store.h"
#include "../proto/proto.h"

#define OUTBOX_SCHEMA 1

typedef struct outbox outbox;

int outbox_open(outbox **out, const char *dir, par_err *e);
void outbox_close(outbox *o);

/* 64-bit FNV-1a of the bytes: the entry's key. */
uint64_t outbox_hash(const void *data, size_t len);
/* Stores an entry durably; 1 stored, 0 already there. */
int outbox_put(outbox *o, uint64_t key, const pv *entry, par_err *e);
int outbox_del(outbox *o, uint64_t key, par_err *e);
/* The oldest entries first (at most max): an array of {key, entry}. */
pv *outbox_list(outbox *o, int max);
int64_t outbox_depth(outbox *o);

#endif
