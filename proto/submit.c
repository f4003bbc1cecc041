#include "submit.h"
#include "proto.h"

#include <stdlib.h>
#include <string.h>

void submit_init(submit_view *v)
{
    memset(v, 0, sizeof *v);
    sbuf_init(&v->arena);
}

void submit_free(submit_view *v)
{
    free(v->lines);
    free(v->fields);
    sbuf_free(&v->arena);
    memset(v, 0, sizeof *v);
}

typedef struct {
    const unsigned char *p;
    size_t len, pos;
} rd;

static int be(rd *r, int w, uint64_t *out)
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

/* A container header: fix (map 0x80 / array 0x90) with its 16- and 32-bit forms. */
static int header(rd *r, unsigned fix, unsigned t16, unsigned t32, uint64_t *n)
{
    if (r->pos >= r->len)
        return -1;
    unsigned c = r->p[r->pos++];
    if ((c & 0xf0) == fix) {
        *n = c & 0x0f;
        return 0;
    }
    return c == t16 ? be(r, 2, n) : c == t32 ? be(r, 4, n) : -1;
}

static int str_at(rd *r, const char **s, size_t *n)
{
    if (r->pos >= r->len)
        return -1;
    unsigned c = r->p[r->pos++];
    uint64_t l;
    if ((c & 0xe0) == 0xa0)
        l = c & 0x1f;
    else if (c == 0xd9 || c == 0xda || c == 0xdb) {
        if (be(r, c == 0xd9 ? 1 : c == 0xda ? 2 : 4, &l) < 0)
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

static int int_at(rd *r, int64_t *v)
{
    if (r->pos >= r->len)
        return -1;
    unsigned c = r->p[r->pos++];
    uint64_t u;
    if (c <= 0x7f) {
        *v = c;
        return 0;
    }
    if (c >= 0xe0) {
        *v = (int8_t)c;
        return 0;
    }
    if (c >= 0xcc && c <= 0xcf) {
        if (be(r, 1 << (c - 0xcc), &u) < 0 || u > INT64_MAX)
            return -1;
        *v = (int64_t)u;
        return 0;
    }
    if (c >= 0xd0 && c <= 0xd3) {
        int w = 1 << (c - 0xd0);
        if (be(r, w, &u) < 0)
            return -1;
        *v = w == 8 ? (int64_t)u : (int64_t)(u << (64 - 8 * w)) >> (64 - 8 * w);
        return 0;
    }
    return -1;
}

static int key_is(const char *k, size_t kl, const char *name)
{
    return kl == strlen(name) && !memcmp(k, name, kl);
}

/* A text into the arena, its offset in *at. */
static int text(submit_view *v, rd *r, size_t *at)
{
    const char *s;
    size_t n;
    if (str_at(r, &s, &n) < 0 || (n && memchr(s, '\0', n)) || !str_utf8_ok(s, n))
        return -1;
    *at = v->arena.len;
    sbuf_add(&v->arena, s, n);
    sbuf_add(&v->arena, "", 1);
    return 0;
}

int submit_decode(submit_view *v, const void *buf, size_t len, par_err *e)
{
    rd r = {buf, len, 0};
    size_t end = 0;
    uint64_t n;
    int has_v = 0, has_t = 0, has_id = 0, has_cols = 0, has_rows = 0, unknown = 0;
    size_t *col_at = NULL, *field_at = NULL;
    uint64_t rows_n = 0;
    v->ncols = v->nrows = 0;
    v->arena.len = 0;
    /* the whole message is walked first: every count and length is checked against the
     * bytes left before anything is reserved for it */
    if (proto_skip(buf, len, &end) < 0 || end != len) {
        err_set(e, "not one whole message within the limits");
        return -1;
    }
    if (header(&r, 0x80, 0xde, 0xdf, &n) < 0)
        goto bad;
    for (uint64_t i = 0; i < n; i++) {
        const char *k;
        size_t kl;
        if (str_at(&r, &k, &kl) < 0)
            goto bad;
        if (key_is(k, kl, "v")) {
            int64_t ver;
            if (has_v)
                goto bad;
            if (int_at(&r, &ver) < 0 || ver != PROTO_VERSION) {
                err_set(e, "unsupported protocol version (this program speaks version %d)", PROTO_VERSION);
                goto fail;
            }
            has_v = 1;
        } else if (key_is(k, kl, "t")) {
            const char *t;
            size_t tl;
            if (has_t || str_at(&r, &t, &tl) < 0 || !key_is(t, tl, MSG_SUBMIT))
                goto bad;
            has_t = 1;
        } else if (key_is(k, kl, "id")) {
            if (has_id || int_at(&r, &v->id) < 0)
                goto bad;
            has_id = 1;
        } else if (key_is(k, kl, "cols")) {
            uint64_t c;
            if (has_cols || header(&r, 0x90, 0xdc, 0xdd, &c) < 0 || c == 0 || c > SUBMIT_MAX_COLS) {
                err_set(e, "cols: 1 to %d column names", SUBMIT_MAX_COLS);
                goto fail;
            }
            col_at = xmalloc(c * sizeof *col_at);
            for (uint64_t j = 0; j < c; j++)
                if (text(v, &r, &col_at[j]) < 0) {
                    err_set(e, "cols: column names are strings");
                    goto fail;
                }
            v->ncols = (uint32_t)c;
            has_cols = 1;
        } else if (key_is(k, kl, "rows")) {
            /* the rows come after cols in every message we write; a message that puts
             * them first is read as refused rather than buffered */
            if (!has_cols || has_rows || header(&r, 0x90, 0xdc, 0xdd, &rows_n) < 0) {
                err_set(e, "rows: expected after cols, as an array");
                goto fail;
            }
            if (rows_n > PROTO_MAX_ROWS) {
                err_set(e, "rows: more than %d", PROTO_MAX_ROWS);
                goto fail;
            }
            if (rows_n > v->cap_rows) {
                v->cap_rows = rows_n;
                v->lines = xrealloc(v->lines, rows_n * sizeof *v->lines);
            }
            if (rows_n * v->ncols > v->cap_fields) {
                v->cap_fields = rows_n * v->ncols;
                v->fields = xrealloc(v->fields, v->cap_fields * sizeof *v->fields);
            }
            field_at = xmalloc((rows_n * v->ncols + 1) * sizeof *field_at);
            for (uint64_t x = 0; x < rows_n; x++) {
                uint64_t f;
                if (header(&r, 0x90, 0xdc, 0xdd, &f) < 0 || f != v->ncols + 1 || int_at(&r, &v->lines[x]) < 0 ||
                    v->lines[x] < 0) {
                    err_set(e, "rows[%llu]: expected [line, one string per column]", (unsigned long long)x);
                    goto fail;
                }
                for (uint32_t c = 0; c < v->ncols; c++)
                    if (text(v, &r, &field_at[x * v->ncols + c]) < 0) {
                        err_set(e, "rows[%llu]: fields are strings of valid UTF-8 text", (unsigned long long)x);
                        goto fail;
                    }
            }
            has_rows = 1;
        } else {
            /* a field a newer peer added: ignored, once the whole message passes the
             * decoder's own checks (unique keys, text strings), which are not repeated here */
            pv *whole = NULL;
            if (!unknown && proto_decode(buf, len, &whole, e) < 0)
                goto fail;
            pv_free(whole);
            unknown = 1;
            if (proto_skip(buf, len, &r.pos) < 0)
                goto bad;
        }
    }
    if (!has_v || !has_t || !has_id || !has_cols || !has_rows) {
        err_set(e, "submit message without '%s'", !has_v ? "v" : !has_t ? "t" : !has_id ? "id" : !has_cols ? "cols"
                                                                                                    : "rows");
        goto fail;
    }
    /* the arena has stopped moving: now the pointers */
    for (uint32_t c = 0; c < v->ncols; c++)
        v->cols[c] = v->arena.buf + col_at[c];
    v->nrows = (uint32_t)rows_n;
    for (size_t i = 0; i < (size_t)rows_n * v->ncols; i++)
        v->fields[i] = v->arena.buf + field_at[i];
    free(col_at);
    free(field_at);
    return 0;
bad:
    err_set(e, "malformed submit message");
fail:
    free(col_at);
    free(field_at);
    v->ncols = v->nrows = 0;
    return -1;
}
