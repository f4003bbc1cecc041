#include "event.h"
#include "proto.h"

#include <stdlib.h>
#include <string.h>

void event_batch_init(event_batch *b)
{
    b->v = NULL;
    b->n = b->cap = 0;
}

void event_batch_clear(event_batch *b)
{
    b->n = 0;
}

void event_batch_free(event_batch *b)
{
    for (uint32_t i = 0; i < b->cap; i++)
        row_free(&b->v[i].row);
    free(b->v);
    event_batch_init(b);
}

/* ---------- a small reader over msgpack bytes (bounds checked by proto_skip first) ---------- */

typedef struct {
    const unsigned char *p;
    size_t len, pos;
} rd;

static int rd_be(rd *r, int w, uint64_t *out)
{
    if (r->len - r->pos < (size_t)w)
        return -1;
    uint64_t v = 0;
    for (int i = 0; i < w; i++)
        v = v << 8 | r->p[r->pos + (size_t)i];
    r->pos += (size_t)w;
    *out = v;
    return 0;
}

static int rd_map(rd *r, uint64_t *n)
{
    if (r->pos >= r->len)
        return -1;
    unsigned c = r->p[r->pos++];
    if ((c & 0xf0) == 0x80) {
        *n = c & 0x0f;
        return 0;
    }
    return c == 0xde ? rd_be(r, 2, n) : c == 0xdf ? rd_be(r, 4, n) : -1;
}

static int rd_array(rd *r, uint64_t *n)
{
    if (r->pos >= r->len)
        return -1;
    unsigned c = r->p[r->pos++];
    if ((c & 0xf0) == 0x90) {
        *n = c & 0x0f;
        return 0;
    }
    return c == 0xdc ? rd_be(r, 2, n) : c == 0xdd ? rd_be(r, 4, n) : -1;
}

/* A string: its bytes in place. */
static int rd_str(rd *r, const char **s, size_t *n)
{
    if (r->pos >= r->len)
        return -1;
    unsigned c = r->p[r->pos++];
    uint64_t l;
    if ((c & 0xe0) == 0xa0)
        l = c & 0x1f;
    else if (c == 0xd9 || c == 0xda || c == 0xdb) {
        if (rd_be(r, c == 0xd9 ? 1 : c == 0xda ? 2 : 4, &l) < 0)
            return -1;
    } else
        return -1;
    if (l > r->len - r->pos)
        return -1;
    *s = (const char *)r->p + r->pos;
    *n = (size_t)l;
    r->pos += (size_t)l;
    return 0;
}

static int rd_uint(rd *r, uint64_t *v)
{
    if (r->pos >= r->len)
        return -1;
    unsigned c = r->p[r->pos++];
    if (c <= 0x7f) {
        *v = c;
        return 0;
    }
    if (c >= 0xcc && c <= 0xcf)
        return rd_be(r, 1 << (c - 0xcc), v);
    if (c >= 0xd0 && c <= 0xd3) { /* a signed encoding of a value that must not be negative */
        int w = 1 << (c - 0xd0);
        if (rd_be(r, w, v) < 0 || (*v >> (8 * w - 1)) & 1)
            return -1;
        return 0;
    }
    return -1;
}

static int rd_skip(rd *r)
{
    return proto_skip(r->p, r->len, &r->pos);
}

static int key_is(const char *k, size_t kl, const char *name)
{
    return kl == strlen(name) && !memcmp(k, name, kl);
}

/* A text field into a fixed buffer: valid UTF-8, no NUL, and short enough. */
static int text_into(rd *r, char *out, size_t cap)
{
    const char *s;
    size_t n;
    if (rd_str(r, &s, &n) < 0 || n >= cap || (n && memchr(s, '\0', n)) || !str_utf8_ok(s, n))
        return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

static event_view *next_slot(event_batch *b)
{
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 64;
        b->v = xrealloc(b->v, cap * sizeof *b->v);
        for (uint32_t i = b->cap; i < cap; i++)
            row_init(&b->v[i].row);
        b->cap = cap;
    }
    return &b->v[b->n];
}

/* One event map at the reader's position, into the next slot of b. */
static int read_event(event_batch *b, rd *r, par_err *e)
{
    event_view *ev = next_slot(b);
    ev->seq = 0;
    ev->what[0] = ev->received[0] = ev->sender[0] = '\0';
    ev->row.n = 0;
    uint64_t n;
    int has_seq = 0;
    if (rd_map(r, &n) < 0)
        goto bad;
    for (uint64_t i = 0; i < n; i++) {
        const char *k;
        size_t kl;
        if (rd_str(r, &k, &kl) < 0)
            goto bad;
        if (key_is(k, kl, "seq")) {
            if (rd_uint(r, &ev->seq) < 0)
                goto bad;
            has_seq = 1;
        } else if (key_is(k, kl, "what")) {
            if (text_into(r, ev->what, sizeof ev->what) < 0)
                goto bad;
        } else if (key_is(k, kl, "received")) {
            if (text_into(r, ev->received, sizeof ev->received) < 0)
                goto bad;
        } else if (key_is(k, kl, "sender")) {
            if (text_into(r, ev->sender, sizeof ev->sender) < 0)
                goto bad;
        } else if (key_is(k, kl, "row")) {
            size_t at = r->pos;
            if (rd_skip(r) < 0 || row_decode(&ev->row, r->p + at, r->pos - at, e) < 0)
                goto bad;
        } else if (key_is(k, kl, "t")) {
            const char *t;
            size_t tl;
            if (rd_str(r, &t, &tl) < 0 || !key_is(t, tl, MSG_EVENT))
                goto bad;
        } else if (rd_skip(r) < 0) { /* "v", and fields a newer collector may add */
            goto bad;
        }
    }
    if (!has_seq || !ev->what[0])
        goto bad;
    b->n++;
    return 0;
bad:
    err_set(e, "a change event is malformed (it needs seq, what and a row of text fields)");
    return -1;
}

int event_batch_add(event_batch *b, const void *buf, size_t len, par_err *e)
{
    rd r = {buf, len, 0};
    size_t end = 0;
    if (proto_skip(buf, len, &end) < 0 || end != len) {
        err_set(e, "a change event is not one whole message");
        return -1;
    }
    return read_event(b, &r, e);
}

int event_batch_add_bus(event_batch *b, const void *buf, size_t len, par_err *e)
{
    char type[16];
    int64_t id;
    if (proto_peek(buf, len, type, &id) < 0) {
        err_set(e, "a bus message without a type");
        return -1;
    }
    if (!strcmp(type, MSG_EVENT))
        return event_batch_add(b, buf, len, e);
    rd r = {buf, len, 0};
    size_t end = 0;
    uint32_t first = b->n;
    uint64_t n;
    if (strcmp(type, MSG_EVENTS) || proto_skip(buf, len, &end) < 0 || end != len || rd_map(&r, &n) < 0)
        goto bad;
    for (uint64_t i = 0; i < n; i++) {
        const char *k;
        size_t kl;
        if (rd_str(&r, &k, &kl) < 0)
            goto bad;
        if (!key_is(k, kl, "events")) {
            if (rd_skip(&r) < 0)
                goto bad;
            continue;
        }
        uint64_t ne;
        if (rd_array(&r, &ne) < 0)
            goto bad;
        for (uint64_t x = 0; x < ne; x++)
            if (read_event(b, &r, e) < 0)
                goto fail;
    }
    return 0;
bad:
    err_set(e, "a bus message is malformed");
fail:
    b->n = first;
    return -1;
}

int event_batch_add_changes(event_batch *b, const void *buf, size_t len, uint64_t *last, par_err *e)
{
    rd r = {buf, len, 0};
    size_t end = 0;
    uint32_t first = b->n;
    uint64_t n;
    *last = 0;
    if (proto_skip(buf, len, &end) < 0 || end != len || rd_map(&r, &n) < 0)
        goto bad;
    for (uint64_t i = 0; i < n; i++) {
        const char *k;
        size_t kl;
        if (rd_str(&r, &k, &kl) < 0)
            goto bad;
        if (!key_is(k, kl, "data")) {
            if (rd_skip(&r) < 0)
                goto bad;
            continue;
        }
        uint64_t m;
        if (rd_map(&r, &m) < 0)
            goto bad;
        for (uint64_t j = 0; j < m; j++) {
            if (rd_str(&r, &k, &kl) < 0)
                goto bad;
            if (key_is(k, kl, "last")) {
                if (rd_uint(&r, last) < 0)
                    goto bad;
            } else if (key_is(k, kl, "events")) {
                uint64_t ne;
                if (rd_array(&r, &ne) < 0)
                    goto bad;
                for (uint64_t x = 0; x < ne; x++)
                    if (read_event(b, &r, e) < 0)
                        goto fail;
            } else if (rd_skip(&r) < 0) {
                goto bad;
            }
        }
    }
    return 0;
bad:
    err_set(e, "a changes reply is malformed");
fail:
    b->n = first;
    return -1;
}

int event_batch_add_pv(event_batch *b, const pv *ev, par_err *e)
{
    char *buf;
    size_t len;
    proto_encode(ev, &buf, &len);
    int rc = event_batch_add(b, buf, len, e);
    free(buf);
    return rc;
}
