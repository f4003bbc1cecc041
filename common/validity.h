/* validity: when a unit belongs to the tree, and under which parent. Since the 2025
 * reorganisation (districts dissolved, communes merged) a unit's place changes with
 * time, and a past year's ranking must keep the tree of that year. A unit has one or
 * more spans, each with its parent and level, that do not overlap; dates are ISO
 * (YYYY-MM-DD) so that they compare as text, and "" is open (always before, always
 * after). A stored unit with one span keeps it in its own fields (valid_from,
 * valid_to, parent, level); with several, its "periods" field holds all of them as
 * "FROM|TO|PARENT|LEVEL;..." (ids hold no '|' or ';', and a dated unit's level may not
 * either), because stored rows are flat maps of text (proto/row.h). */
#ifndef PAR_VALIDITY_H
#define PAR_VALIDITY_H

#include "../proto/base.h"

#define VALIDITY_MAX 64 /* spans a unit may have: one per reorganisation that touched it */
#define VALIDITY_TEXT 64

typedef struct {
    char from[11], to[11]; /* YYYY-MM-DD, "" open */
    char parent[VALIDITY_TEXT], level[VALIDITY_TEXT];
} validity_span;

/* A stored unit's spans: from its periods text when set, else one span of its own
 * fields. The count (1..max), or -1 when periods is malformed or too long. */
int validity_read(const char *periods, const char *from, const char *to, const char *parent, const char *level,
                  validity_span *out, int max);
/* Appends the periods text of n spans to b. */
void validity_write(sbuf *b, const validity_span *s, int n);
/* The span that holds day (YYYY-MM-DD), -1 when none. */
int validity_at(const validity_span *s, int n, const char *day);
/* Whether every day from..to ("" open) lies in one of the spans (sorted by from,
 * non-overlapping). */
int validity_covers(const validity_span *s, int n, const char *from, const char *to);
/* Whether [a_from, a_to] and [b_from, b_to] share a day ("" open). */
int validity_overlap(const char *a_from, const char *a_to, const char *b_from, const char *b_to);
/* day moved by delta days (YYYY-MM-DD in and out). */
void validity_day_add(const char *day, int delta, char out[11]);
/* YYYY-MM-DD as the province writes it (dd/mm/yyyy); "" as "…" for an open end. */
void validity_vn(const char *day, char out[16]);
/* The day of year's tree: its last, 31 December (docs/scoring.md says why). */
void validity_year_day(int year, char out[11]);

#endif
