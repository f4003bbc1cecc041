#include "textpool.h"
#include "../proto/base.h"

#include <stdlib.h>
#include <string.h>

struct textpool_chunk {
    textpool_chunk *next;
    size_t used, cap;
    char b[];
};

static void add_chunk(textpool *p, size_t cap)
{
    textpool_chunk *c = xmalloc(sizeof *c + cap);
    xhuge(c, sizeof *c + cap); /* a chunk sized for a whole file */
    c->next = p->head;
    c->used = 0;
    c->cap = cap;
    p->head = c;
}

void textpool_reserve(textpool *p, size_t room)
{
    add_chunk(p, room);
}

const char *textpool_put(textpool *p, const char *s)
{
    size_t n = strlen(s) + 1;
    textpool_chunk *c = p->head;
    if (!c || c->cap - c->used < n) {
        /* small pools (a transaction's units) take little; large ones 64 KiB a chunk */
        size_t cap = c ? (c->cap < (32u << 10) ? 2 * c->cap : 64u << 10) : 512;
        add_chunk(p, cap < n ? n : cap);
        c = p->head;
    }
    char *out = memcpy(c->b + c->used, s, n);
    c->used += n;
    return out;
}

void textpool_free(textpool *p)
{
    for (textpool_chunk *c = p->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    p->head = NULL;
}
