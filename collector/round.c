#include "round.h"

#include <string.h>

void round_init(round_count *r)
{
    memset(r, 0, sizeof *r);
}

int round_add(round_count *r, const void *id, size_t len, uint64_t lines)
{
    r->lines += lines;
    int i = 0;
    while (i < r->n && !(r->c[i].len == len && !memcmp(r->c[i].id, id, len)))
        i++;
    uint64_t mine = lines;
    if (i < r->n) {
        mine = r->c[i].lines += lines;
    } else if (r->n < ROUND_TRACKED) {
        r->c[r->n].id = id;
        r->c[r->n].len = len;
        r->c[r->n++].lines = lines;
    }
    return mine >= ROUND_LINES || r->lines >= (uint64_t)ROUND_LINES * ROUND_CLIENTS;
}
