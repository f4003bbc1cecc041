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
    textpool_free(&s->text); /* items are copied into it, not allocated one by one */
    s->n = 0;
    if (s->slots)
        memset(s->slots, 0, s->nslots * sizeof *s->slots);
}

void strset_free(strset *s)
{
    strset_clear(s);
    free(s->items);
    free(s->low);
    free(s->slots);
    strset_init(s);
}

/* The slot tag: the hash's high bits, where its low ones chose the slot. */
static uint32_t tag_of(size_t h)
{
    return (uint32_t)((uint64_t)h >> 32);
}

static strset_slot *find(const strset *s, const char *str, size_t h)
{
    size_t i = h & (s->nslots - 1);
    uint32_t tag = tag_of(h);
    while (s->slots[i].item && (s->slots[i].tag != tag || strcmp(s->items[s->slots[i].item - 1], str)))
        i = (i + 1) & (s->nslots - 1);
    return &s->slots[i];
}

static void grow(strset *s)
{
    strset_slot *old = s->slots;
    size_t nold = s->nslots;
    s->nslots = s->nslots ? s->nslots * 2 : 64;
    s->slots = xcalloc(s->nslots, sizeof *s->slots);
    /* every item is in a slot of the old table, with its tag: the new slot is found from
     * the low bits kept, and no two items are equal, so no string is compared */
    for (size_t j = 0; j < nold; j++) {
        if (!old[j].item)
            continue;
        size_t i = s->low[old[j].item - 1] & (s->nslots - 1);
        while (s->slots[i].item)
            i = (i + 1) & (s->nslots - 1);
        s->slots[i] = old[j];
    }
    free(old);
}

int strset_has(const strset *s, const char *str)
{
    return s->nslots && find(s, str, hash(str))->item != 0;
}

/* The slot of str, made when absent (*added then 1). */
static strset_slot *slot_of(strset *s, const char *str, int *added)
{
    if ((s->n + 1) * 2 > s->nslots)
        grow(s);
    size_t h = hash(str);
    strset_slot *slot = find(s, str, h);
    *added = !slot->item;
    if (slot->item)
        return slot;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->items = xrealloc(s->items, s->cap * sizeof *s->items);
        s->low = xrealloc(s->low, s->cap * sizeof *s->low);
    }
    s->low[s->n] = (uint32_t)h;
    s->items[s->n++] = (char *)textpool_put(&s->text, str);
    *slot = (strset_slot){(uint32_t)s->n, tag_of(h)};
    return slot;
}

int strset_add(strset *s, const char *str)
{
    int added;
    slot_of(s, str, &added);
    return added;
}

size_t strset_intern(strset *s, const char *str)
{
    int added;
    return slot_of(s, str, &added)->item - 1;
}

long strset_index(const strset *s, const char *str)
{
    if (!s->nslots)
        return -1;
    uint32_t item = find(s, str, hash(str))->item;
    return item ? (long)item - 1 : -1;
}
