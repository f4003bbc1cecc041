/* outbox: files accepted from the spool folder, kept in the agent's own LMDB until
 * the province has answered every line (store-and-forward). Keyed by the content's
 * hash, so that a file seen twice (a crash between accepting and moving it) is held
 * once. An entry: its head {name, cols, lines} and, beside it, its rows and the lines
 * refused at intake, each packed as outbox_lines. (Entries written by 0.3.0 and before hold
 * rows: [[line, field...]] and local: [{line, reason}] in the head instead; they are
 * still read.) */
#ifndef PAR_OUTBOX_H
#define PAR_OUTBOX_H

#include <stdint.h>
#include "../common/store.h"
#include "../proto/proto.h"

/* 2: rows and refused lines beside the head (0.3.1). An outbox of version 1 is read as it
 * is and marked 2 when opened: 0.3.0 would take a head without rows for an empty file. */
#define OUTBOX_SCHEMA 2

typedef struct outbox outbox;

int outbox_open(outbox **out, const char *dir, par_err *e);
/* Opens it to read what waits (outbox_list, outbox_depth only) beside a running agent:
 * its data neither created nor changed, an outbox of 0.3.0 read without being marked
 * (store_open_reader). */
int outbox_open_reader(outbox **out, const char *dir, par_err *e);
void outbox_close(outbox *o);

/* 64-bit FNV-1a of the bytes: the entry's key. */
uint64_t outbox_hash(const void *data, size_t len);
/* A file's lines as the outbox keeps them beside its entry: records of a line number
 * and width texts (its rows: their fields; its refused lines: the reason), read back
 * into arrays over one copy of the bytes, no value a field. Not in the entry's head
 * because a value tree stops at the protocol's 16 MiB and 200,000 items, and a file of
 * 64 MiB is taken. */
typedef struct {
    uint32_t width, n;
    int64_t *line;     /* n */
    const char **text; /* n x width, into bytes */
    char *bytes;
} outbox_lines;

/* Packs n records (line[i], text[i * width .. + width]) into out (appended). */
void outbox_lines_pack(sbuf *out, uint32_t width, uint32_t n, const int64_t *line, const char *const *text);
/* Reads packed records of width texts from buf (copied): 0, or -1 with e (bytes that
 * are not such records, whole). */
int outbox_lines_read(outbox_lines *l, const void *buf, size_t len, uint32_t width, par_err *e);
void outbox_lines_free(outbox_lines *l);

/* Stores an entry durably: its head and its rows and refused lines as packed by
 * outbox_lines_pack. 1 stored, 0 already there (replace: written over it, in its place
 * in the order; 1). */
int outbox_put(outbox *o, uint64_t key, const pv *head, const sbuf *rows, const sbuf *refused, int replace,
               par_err *e);
/* key's rows (which 0, width its columns) or lines refused at intake (which 1, width 1):
 * 1 read, 0 none kept (an entry written by 0.3.0 and before keeps them in its head), -1 not
 * readable (e says why). */
int outbox_lines_get(outbox *o, uint64_t key, int which, uint32_t width, outbox_lines *out, par_err *e);
int outbox_del(outbox *o, uint64_t key, par_err *e);
/* The oldest entries first (at most max): an array of {key, entry}, or {key, unreadable:
 * true} for an entry whose head cannot be read back (0.3.0 kept a file's rows in it, and
 * one over the protocol's 16 MiB or 200,000 items cannot be). NULL with e when the
 * outbox cannot be read (never an empty list for it). */
pv *outbox_list(outbox *o, int max, par_err *e);
/* Files waiting; -1 when the outbox cannot be read. */
int64_t outbox_depth(outbox *o);

#endif
