#include "batch.h"

#include <stdlib.h>
#include <string.h>

/* What a row weighs in a submit message, near enough (its array, its line, each
 * field's header). */
static size_t row_bytes(const submit_view *v, uint32_t r)
{
    size_t n = 16;
    for (uint32_t c = 0; c < v->ncols; c++)
        n += strlen(submit_field(v, r, c)) + 5;
    return n;
}

void batch_head(submit_view *all, const char *file, const char *agent_unit)
{
    memset(all, 0, sizeof *all);
    all->compact_ack = 1;
    all->file = file;
    all->agent_unit = agent_unit;
    all->as = "";
}

uint32_t batch_cut(const submit_view *all, uint32_t per, client *cl, int file, batch **out, uint32_t *n,
                   uint32_t *cap)
{
    uint32_t added = 0;
    batch *cur = NULL;
    size_t bytes = 0;
    for (uint32_t r = 0; r < all->nrows; r++) {
        size_t w = row_bytes(all, r);
        if (!cur || cur->v.nrows == per || bytes + w > BATCH_MAX_BYTES) {
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 16;
                *out = xrealloc(*out, (size_t)*cap * sizeof **out);
            }
            cur = &(*out)[(*n)++];
            memset(cur, 0, sizeof *cur);
            cur->v = *all; /* the head and cols; the view owns nothing */
            memset(&cur->v.arena, 0, sizeof cur->v.arena);
            cur->v.bad = NULL;
            cur->v.cap_rows = cur->v.cap_fields = 0;
            cur->v.id = client_next_id(cl);
            cur->v.nrows = 0;
            cur->v.lines = all->lines + r;
            cur->v.fields = all->fields + (size_t)r * all->ncols;
            cur->file = file;
            bytes = 0;
            added++;
        }
        cur->v.nrows++;
        bytes += w;
    }
    return added;
}

int batch_send(batch *b, client *cl, par_err *e)
{
    if (!b->packed.buf)
        submit_pack(&b->packed, &b->v);
    return client_send_bytes(cl, "collector", b->packed.buf, b->packed.len, e);
}

void batch_done(batch *b)
{
    b->done = 1;
    b->in_flight = 0;
    sbuf_free(&b->packed);
}

void batch_free_all(batch *bs, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        sbuf_free(&bs[i].packed);
    free(bs);
}
