#include "strset.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static size_t hash(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

void strset_init(strset *s)
{
    memset(s, 0, sizeof *s);
}

void strset_clear(strset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->items[i]);
    s->n = 0;
    if (s->slots)
        memset(s->slots, 0, s->nslots * sizeof *s->slots);
}

void strset_free(strset *s)
{
    strset_clear(s);
    free(s->items);
    free(s->slots);
    strset_init(s);
}

static size_t *find(const strset *s, const char *str)
{
    size_t i = hash(str) & (s->nslots - 1);
    while (s->slots[i] && strcmp(s->items[s->slots[i] - 1], str))
        i = (i + 1) & (s->nslots - 1);
    return &s->slots[i];
}

static void grow(strset *s)
{
    free(s->slots);
    s->nslots = s->nslots ? s->nslots * 2 : 64;
    s->slots = xcalloc(s->nslots, sizeof *s->slots);
    for (size_t k = 0; k < s->n; k++)
        *find(s, s->items[k]) = k + 1;
}

int strset_has(const strset *s, const char *str)
{
    return s->nslots && *find(s, str) != 0;
}

int strset_add(strset *s, const char *str)
{
    if ((s->n + 1) * 2 > s->nslots)
        grow(s);
    size_t *slot = find(s, str);
    if (*slot)
        return 0;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->items = xrealloc(s->items, s->cap * sizeof *s->items);
    }
    s->items[s->n++] = xstrdup(str);
    *slot = s->n;
    return 1;
}

long strset_index(const strset *s, const char *str)
{
    if (!s->nslots)
        return -1;
    size_t slot = *find(s, str);
    return slot ? (long)slot - 1 : -1;
}
