#include "row.h"
#include "pack.h"
#include "proto.h"
#include "reader.h"

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

/* Text into the arena (NUL-terminated); its offset in *at. */
static int add_text(row_view *r, const char *s, size_t n, size_t *at)
{
    if (!str_utf8_ok(s, n)) /* which refuses a NUL too */
        return -1;
    *at = r->arena.len;
    sbuf_add(&r->arena, s, n);
    sbuf_add(&r->arena, "", 1);
    return 0;
}

/* A value: text as it is; integers, booleans and nil as text. */
static int value(row_view *r, mp_reader *m, size_t *at)
{
    if (m->pos >= m->len)
        return -1;
    unsigned c = m->p[m->pos];
    const char *s;
    size_t n;
    if ((c & 0xe0) == 0xa0 || c == 0xd9 || c == 0xda || c == 0xdb)
        return mp_str(m, &s, &n) < 0 ? -1 : add_text(r, s, n, at);
    if (c == 0xc0 || c == 0xc2 || c == 0xc3) {
        m->pos++;
        s = c == 0xc3 ? "1" : c == 0xc2 ? "0" : "";
        return add_text(r, s, strlen(s), at);
    }
    int64_t v;
    if (mp_int(m, &v) < 0)
        return -1; /* floats, bins, exts and containers have no place in a row */
    char num[32];
    n = (size_t)snprintf(num, sizeof num, "%" PRId64, v);
    return add_text(r, num, n, at);
}

int row_decode(row_view *r, const void *buf, size_t len, par_err *e)
{
    mp_reader m;
    mp_begin(&m, buf, len);
    if (row_read(r, &m, e) < 0)
        return -1;
    if (m.pos != len) {
        r->n = 0;
        err_set(e, "a stored row has bytes after its map");
        return -1;
    }
    return 0;
}

int row_read(row_view *r, mp_reader *m_, par_err *e)
{
    mp_reader m = *m_; /* the caller's reader moves only past a whole row */
    uint64_t n = 0;
    r->n = 0;
    r->arena.len = 0;
    if (mp_map(&m, &n) < 0)
        goto bad;
    if (n > ROW_MAX_FIELDS) {
        err_set(e, "a row has %" PRIu64 " fields, more than %d", n, ROW_MAX_FIELDS);
        return -1;
    }
    size_t ko[ROW_MAX_FIELDS], vo[ROW_MAX_FIELDS], kn[ROW_MAX_FIELDS];
    for (uint64_t i = 0; i < n; i++) {
        const char *k;
        if (mp_str(&m, &k, &kn[i]) < 0 || add_text(r, k, kn[i], &ko[i]) < 0 || value(r, &m, &vo[i]) < 0)
            goto bad;
    }
    /* the arena has stopped moving: now the pointers; no name twice, told apart by
     * length and first byte before their bytes (every row of every event comes here) */
    r->n = (uint32_t)n;
    for (uint32_t i = 0; i < r->n; i++) {
        r->k[i] = r->arena.buf + ko[i];
        r->v[i] = r->arena.buf + vo[i];
        for (uint32_t j = 0; j < i; j++)
            if (kn[i] == kn[j] && r->k[i][0] == r->k[j][0] && !memcmp(r->k[i], r->k[j], kn[i])) {
                r->n = 0;
                err_set(e, "a row names field '%s' twice", r->k[i]);
                return -1;
            }
    }
    *m_ = m;
    return 0;
bad:
    r->n = 0;
    err_set(e, "a stored row is not a flat map of names to text");
    return -1;
}

const char *row_str(const row_view *r, const char *key)
{
    /* the first byte tells most names apart (unit, year, period, kind, value...): a
     * change event's line is read a score of times on its way through the scorer */
    for (uint32_t i = 0; i < r->n; i++)
        if (r->k[i][0] == key[0] && !strcmp(r->k[i], key))
            return r->v[i];
    return "";
}

void row_line(const row_view *r, line_view *l)
{
    const char **f[] = {&l->unit, &l->year, &l->period, &l->kind, &l->key, &l->value, &l->date, &l->note};
    static const char *const names[] = {"unit", "year", "period", "kind", "key", "value", "date", "note"};
    for (int j = 0; j < 8; j++)
        *f[j] = "";
    for (uint32_t i = 0; i < r->n; i++) /* a row names each field once (row_read) */
        for (int j = 0; j < 8; j++)
            if (r->k[i][0] == names[j][0] && !strcmp(r->k[i], names[j])) {
                *f[j] = r->v[i];
                break;
            }
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
