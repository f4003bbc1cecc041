#include "row.h"
#include "pack.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void row_init(row_view *r)
{
    r->n = 0;
    sbuf_init(&r->arena);
}

void row_free(row_view *r)
{
    sbuf_free(&r->arena);
    r->n = 0;
}

/* Reads a big-endian unsigned of w bytes at *pos. */
static int be(const unsigned char *p, size_t len, size_t *pos, int w, uint64_t *out)
{
    if (len - *pos < (size_t)w)
        return -1;
    uint64_t v = 0;
    for (int i = 0; i < w; i++)
        v = v << 8 | p[*pos + (size_t)i];
    *pos += (size_t)w;
    *out = v;
    return 0;
}

/* One scalar at *pos as text appended to the arena (NUL-terminated); its offset in *at. */
static int scalar(row_view *r, const unsigned char *p, size_t len, size_t *pos, int key_only, size_t *at)
{
    if (*pos >= len)
        return -1;
    unsigned c = p[(*pos)++];
    uint64_t n = 0;
    char num[32];
    const char *text = NULL;
    size_t tl = 0;
    if ((c & 0xe0) == 0xa0) {
        n = c & 0x1f;
    } else if (c == 0xd9 || c == 0xda || c == 0xdb) {
        if (be(p, len, pos, c == 0xd9 ? 1 : c == 0xda ? 2 : 4, &n) < 0)
            return -1;
    } else if (key_only) {
        return -1; /* keys are strings */
    } else if (c <= 0x7f) {
        tl = (size_t)snprintf(num, sizeof num, "%u", c);
        text = num;
    } else if (c >= 0xe0) {
        tl = (size_t)snprintf(num, sizeof num, "%d", (int)(int8_t)c);
        text = num;
    } else if (c == 0xc0 || c == 0xc2 || c == 0xc3) {
        text = c == 0xc3 ? "1" : c == 0xc2 ? "0" : "";
        tl = strlen(text);
    } else if (c >= 0xcc && c <= 0xcf) {
        if (be(p, len, pos, 1 << (c - 0xcc), &n) < 0)
            return -1;
        tl = (size_t)snprintf(num, sizeof num, "%" PRIu64, n);
        text = num;
    } else if (c >= 0xd0 && c <= 0xd3) {
        int w = 1 << (c - 0xd0);
        if (be(p, len, pos, w, &n) < 0)
            return -1;
        int64_t v = w == 8 ? (int64_t)n : (int64_t)(n << (64 - 8 * w)) >> (64 - 8 * w);
        tl = (size_t)snprintf(num, sizeof num, "%" PRId64, v);
        text = num;
    } else {
        return -1; /* floats, bins, exts and containers have no place in a row */
    }
    if (!text) {
        if (n > len - *pos)
            return -1;
        text = (const char *)p + *pos;
        tl = (size_t)n;
        *pos += tl;
        if ((tl && memchr(text, '\0', tl)) || !str_utf8_ok(text, tl))
            return -1;
    }
    *at = r->arena.len;
    sbuf_add(&r->arena, text, tl);
    sbuf_add(&r->arena, "", 1);
    return 0;
}

int row_decode(row_view *r, const void *buf, size_t len, par_err *e)
{
    const unsigned char *p = buf;
    size_t pos = 0;
    uint64_t n = 0;
    r->n = 0;
    r->arena.len = 0;
    if (!len)
        goto bad;
    unsigned c = p[pos++];
    if ((c & 0xf0) == 0x80)
        n = c & 0x0f;
    else if (c == 0xde || c == 0xdf) {
        if (be(p, len, &pos, c == 0xde ? 2 : 4, &n) < 0)
            goto bad;
    } else
        goto bad;
    if (n > ROW_MAX_FIELDS) {
        err_set(e, "a row has %" PRIu64 " fields, more than %d", n, ROW_MAX_FIELDS);
        return -1;
    }
    size_t ko[ROW_MAX_FIELDS], vo[ROW_MAX_FIELDS];
    for (uint64_t i = 0; i < n; i++)
        if (scalar(r, p, len, &pos, 1, &ko[i]) < 0 || scalar(r, p, len, &pos, 0, &vo[i]) < 0)
            goto bad;
    if (pos != len)
        goto bad;
    /* the arena has stopped moving: now the pointers */
    r->n = (uint32_t)n;
    for (uint32_t i = 0; i < r->n; i++) {
        r->k[i] = r->arena.buf + ko[i];
        r->v[i] = r->arena.buf + vo[i];
        for (uint32_t j = 0; j < i; j++)
            if (!strcmp(r->k[i], r->k[j])) {
                r->n = 0;
                err_set(e, "a row names field '%s' twice", r->k[i]);
                return -1;
            }
    }
    return 0;
bad:
    r->n = 0;
    err_set(e, "a stored row is not a flat map of names to text");
    return -1;
}

const char *row_str(const row_view *r, const char *key)
{
    for (uint32_t i = 0; i < r->n; i++)
        if (!strcmp(r->k[i], key))
            return r->v[i];
    return "";
}

void row_pack(sbuf *out, const char *const keys[], const char *const vals[], int n)
{
    out->len = 0;
    pack_map(out, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        pack_str(out, keys[i]);
        pack_str(out, vals[i]);
    }
}
