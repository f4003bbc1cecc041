/* strset: a set of strings (open addressing), kept in insertion order for iteration. */
#ifndef PAR_STRSET_H
#define PAR_STRSET_H

#include <stddef.h>

typedef struct {
    char **items;   /* insertion order */
    size_t n, cap;
    size_t *slots;  /* index + 1 into items, 0 = empty */
    size_t nslots;
} strset;

void strset_init(strset *s);
void strset_free(strset *s);
/* Adds a copy of str; returns 1 if it was new. */
int strset_add(strset *s, const char *str);
int strset_has(const strset *s, const char *str);
/* The position of str in items, -1 when absent: a set doubles as an id -> index map. */
long strset_index(const strset *s, const char *str);
void strset_clear(strset *s);

#endif
