/* strset: a set of strings (open addressing), kept in insertion order for iteration. */
#ifndef PAR_STRSET_H
#define PAR_STRSET_H

#include <stddef.h>
#include <stdint.h>
#include "textpool.h"

typedef struct {
    uint32_t item; /* index + 1 into items, 0 = empty */
    uint32_t tag;  /* the hash's high bits: most probes that miss end here, without
                    * reading the string (a cache miss of its own in a large set) */
} strset_slot;

typedef struct {
    char **items;   /* insertion order */
    size_t n, cap;
    strset_slot *slots;
    size_t nslots;
    uint32_t *low;      /* each item's hash's low bits: growing reads no string again */
    textpool text;      /* where the items' bytes are */
} strset;

void strset_init(strset *s);
void strset_free(strset *s);
/* Adds a copy of str; returns 1 if it was new. */
int strset_add(strset *s, const char *str);
int strset_has(const strset *s, const char *str);
/* The position of str in items, -1 when absent: a set doubles as an id -> index map. */
long strset_index(const strset *s, const char *str);
/* The position of str, added first when absent (one probe either way). */
size_t strset_intern(strset *s, const char *str);
void strset_clear(strset *s);

#endif
