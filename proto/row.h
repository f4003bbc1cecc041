/* row: a stored record that is a flat map of names to text (a unit, a task, a
 * criterion, a submission line, as the change log and the stores keep them), read in
 * one bounded pass without building a value tree: its strings are copied once into a
 * buffer the view owns and reuses, so reading a million rows allocates almost nothing. */
#ifndef PAR_PROTO_ROW_H
#define PAR_PROTO_ROW_H

#include <stdint.h>
#include "base.h"
#include "reader.h"

#define ROW_MAX_FIELDS 32

typedef struct {
    uint32_t n;
    const char *k[ROW_MAX_FIELDS], *v[ROW_MAX_FIELDS];
    sbuf arena;
} row_view;

void row_init(row_view *r);
void row_free(row_view *r);
/* Reads buf (one whole msgpack map: string keys, values text, integers, booleans or
 * nil, integers kept as their decimal text) into r. 0, or -1 with e saying why. */
int row_decode(row_view *r, const void *buf, size_t len, par_err *e);
/* The same for the map at m's position (a row inside a message), m then past it. */
int row_read(row_view *r, mp_reader *m, par_err *e);
/* The value of key, "" when the row has none. */
const char *row_str(const row_view *r, const char *key);

/* A submission line as a change event carries it (docs/protocol.md), each field found
 * in one pass over the row instead of a search by name at every use: "" for those the
 * row lacks. Views into the row's arena, valid while the row is. */
typedef struct {
    const char *unit, *year, *period, *kind, *key, *value, *date, *note;
} line_view;

void row_line(const row_view *r, line_view *l);

/* Packs n names and texts as one msgpack map (a row as stored) into out (replaced). */
void row_pack(sbuf *out, const char *const keys[], const char *const vals[], int n);

#endif
