#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct outbox {
    store *s;
};

/* key -> entry's head; arrival (u64) -> key; key -> rows; key -> lines refused at intake.
 * The last two were added in 0.3.1 (schema 2): opening an outbox of 0.3.0 creates them,
 * and its entries, rows in their heads, are read as they are. */
enum { O_FILES, O_ORDER, O_ROWS, O_REFUSED, O_COUNT };

static const char *const names[O_COUNT] = {"files", "order", "rows", "refused"};

int outbox_open(outbox **out, const char *dir, par_err *e)
{
    outbox *o = xcalloc(1, sizeof *o);
    if (store_open_from(&o->s, dir, names, NULL, O_COUNT, 1, OUTBOX_SCHEMA, 64u << 20, e) < 0) {
        free(o);
        return -1;
    }
    *out = o;
    return 0;
}

int outbox_open_reader(outbox **out, const char *dir, par_err *e)
{
    outbox *o = xcalloc(1, sizeof *o);
    /* the heads and their order, which an outbox of every version has (O_FILES, O_ORDER
     * first): what outbox_list and outbox_depth read */
    if (store_open_reader(&o->s, dir, names, O_ORDER + 1, 1, OUTBOX_SCHEMA, e) < 0) {
        free(o);
        return -1;
    }
    *out = o;
    return 0;
}

void outbox_close(outbox *o)
{
    if (!o)
        return;
    store_close(o->s);
    free(o);
}

uint64_t outbox_hash(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

static void hex(uint64_t key, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)key);
}

/* "OBL1", width and count (u32 little-endian), then each record: its line (i64) and
 * width NUL-terminated texts. */
#define LINES_MAGIC "OBL1"

static void put_le(sbuf *b, uint64_t v, int w)
{
    unsigned char x[8];
    for (int i = 0; i < w; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    sbuf_add(b, x, (size_t)w);
}

static uint64_t get_le(const unsigned char *p, int w)
{
    uint64_t v = 0;
    for (int i = w; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

void outbox_lines_pack(sbuf *out, uint32_t width, uint32_t n, const int64_t *line, const char *const *text)
{
    sbuf_add(out, LINES_MAGIC, 4);
    put_le(out, width, 4);
    put_le(out, n, 4);
    for (uint32_t r = 0; r < n; r++) {
        put_le(out, (uint64_t)line[r], 8);
        for (uint32_t c = 0; c < width; c++)
            sbuf_add(out, text[(size_t)r * width + c], strlen(text[(size_t)r * width + c]) + 1);
    }
}

int outbox_lines_read(outbox_lines *l, const void *buf, size_t len, uint32_t width, par_err *e)
{
    memset(l, 0, sizeof *l);
    const unsigned char *p = buf;
    if (len < 12 || memcmp(p, LINES_MAGIC, 4) || get_le(p + 4, 4) != width) {
        err_set(e, "the outbox's copy of the lines is not of this version's form (%u columns)", width);
        return -1;
    }
    uint64_t n = get_le(p + 8, 4);
    /* a record takes at least its line and a NUL a text: the count is checked against
     * the bytes before anything is reserved for it */
    if (n > (len - 12) / (8 + (uint64_t)width)) {
        err_set(e, "the outbox's copy of the lines says %llu of them in %zu bytes", (unsigned long long)n, len);
        return -1;
    }
    l->bytes = xmalloc(len);
    memcpy(l->bytes, buf, len);
    l->width = width;
    l->n = (uint32_t)n;
    l->line = xmalloc((n + 1) * sizeof *l->line);
    l->text = xmalloc((n * width + 1) * sizeof *l->text);
    size_t at = 12;
    for (uint64_t r = 0; r < n; r++) {
        l->line[r] = (int64_t)get_le((const unsigned char *)l->bytes + at, 8);
        at += 8;
        for (uint32_t c = 0; c < width; c++) {
            const char *z = memchr(l->bytes + at, '\0', len - at);
            if (!z) {
                err_set(e, "the outbox's copy of the lines is cut short at line %lld", (long long)l->line[r]);
                outbox_lines_free(l);
                return -1;
            }
            l->text[r * width + c] = l->bytes + at;
            at = (size_t)(z - l->bytes) + 1;
        }
        if (r + 1 < n && len - at < 8 + (size_t)width) {
            err_set(e, "the outbox's copy of the lines is cut short after line %lld", (long long)l->line[r]);
            outbox_lines_free(l);
            return -1;
        }
    }
    if (at != len) {
        err_set(e, "the outbox's copy of the lines has %zu bytes more than its lines", len - at);
        outbox_lines_free(l);
        return -1;
    }
    return 0;
}

void outbox_lines_free(outbox_lines *l)
{
    free(l->line);
    free(l->text);
    free(l->bytes);
    memset(l, 0, sizeof *l);
}

typedef struct {
    outbox *o;
    uint64_t key;
    const pv *entry;
    const sbuf *rows, *refused;
    int replace;
} put_ctx;

static int put_entry(store_txn *t, void *ctx, par_err *e)
{
    (void)e;
    put_ctx *p = ctx;
    char k[17];
    hex(p->key, k);
    MDB_val v;
    int there = store_txn_get(t, O_FILES, k, 16, &v);
    if (there && !p->replace)
        return STORE_NOTHING; /* the same file, already waiting */
    if (!t->rc)
        store_txn_check(t, store_put_pv(t->txn, store_dbi(p->o->s, O_FILES), k, p->entry), "outbox");
    /* replaced without rows or refusals: none of the entry before stays behind */
    const sbuf *parts[2] = {p->rows, p->refused};
    for (int i = 0; i < 2; i++)
        if (parts[i])
            store_txn_put(t, O_ROWS + i, k, 16, parts[i]->buf, parts[i]->len);
        else if (there && !t->rc)
            store_txn_check(t, store_del(t->txn, store_dbi(p->o->s, O_ROWS + i), k, NULL), "outbox");
    if (there) /* replaced: it keeps its place in the order */
        return t->rc ? -1 : 0;
    unsigned char ob[8]; /* arrival order: after the last */
    store_u64_key(store_txn_last_u64(t, O_ORDER) + 1, ob);
    store_txn_put(t, O_ORDER, ob, 8, k, 16);
    return t->rc ? -1 : 0;
}

int outbox_put(outbox *o, uint64_t key, const pv *head, const sbuf *rows, const sbuf *refused, int replace,
               par_err *e)
{
    put_ctx p = {o, key, head, rows, refused, replace};
    int rc = store_write(o->s, put_entry, &p, e);
    return rc < 0 ? -1 : rc == STORE_NOTHING ? 0 : 1;
}

int outbox_del(outbox *o, uint64_t key, par_err *e)
{
    MDB_txn *txn;
    if (store_begin(o->s, 0, &txn, e) < 0)
        return -1;
    char k[17];
    hex(key, k);
    int rc = store_del(txn, store_dbi(o->s, O_FILES), k, NULL);
    for (int db = O_ROWS; rc == 0 && db <= O_REFUSED; db++) /* an entry of 0.3.0 has none */
        rc = store_del(txn, store_dbi(o->s, db), k, NULL);
    MDB_cursor *cur;
    if (rc == 0 && mdb_cursor_open(txn, store_dbi(o->s, O_ORDER), &cur) == 0) {
        MDB_val ok, ov;
        for (int g = mdb_cursor_get(cur, &ok, &ov, MDB_FIRST); g == 0; g = mdb_cursor_get(cur, &ok, &ov, MDB_NEXT))
            if (ov.mv_size == 16 && !memcmp(ov.mv_data, k, 16)) {
                rc = mdb_cursor_del(cur, 0);
                break;
            }
        mdb_cursor_close(cur);
    }
    if (rc == 0)
        rc = mdb_txn_commit(txn);
    else
        mdb_txn_abort(txn);
    if (rc) {
        err_set(e, "outbox: %s", mdb_strerror(rc));
        return -1;
    }
    return 0;
}

pv *outbox_list(outbox *o, int max, par_err *e)
{
    MDB_txn *txn;
    if (store_begin(o->s, MDB_RDONLY, &txn, e) < 0) /* which takes back killed readers' slots */
        return NULL;
    pv *out = pv_arr();
    MDB_cursor *cur;
    int g = mdb_cursor_open(txn, store_dbi(o->s, O_ORDER), &cur);
    if (g == 0) {
        MDB_val ok, ov;
        for (g = mdb_cursor_get(cur, &ok, &ov, MDB_FIRST); g == 0 && (int)out->u.a.n < max;
             g = mdb_cursor_get(cur, &ok, &ov, MDB_NEXT)) {
            char k[17];
            snprintf(k, sizeof k, "%.*s", (int)ov.mv_size, (char *)ov.mv_data);
            pv *entry = NULL;
            int got = store_get_pv(txn, store_dbi(o->s, O_FILES), k, &entry);
            if (got == 0)
                continue;
            if (got == -2) { /* the store failed, not this head: not one to take again from the held copy, and
                            * the next step would fail with MDB_BAD_TXN, which names nothing */
                err_set(e, "cannot read the outbox: LMDB failed to read the head of %s", k);
                g = -2;
                break;
            }
            pv *item = pv_map();
            pv_set_int(item, "key", (int64_t)strtoull(k, NULL, 16));
            if (got == 1)
                pv_set(item, "entry", entry);
            else /* said, not skipped: the agent takes the file again from what it holds */
                pv_set(item, "unreadable", pv_bool(1));
            pv_push(out, item);
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    if (g != 0 && g != MDB_NOTFOUND) { /* not a shorter list: "0 files waiting" lets an outbox be removed */
        if (g != -2)
            err_set(e, "cannot read the outbox: %s", mdb_strerror(g));
        pv_free(out);
        return NULL;
    }
    return out;
}

int64_t outbox_depth(outbox *o)
{
    MDB_txn *txn;
    par_err e;
    int64_t n = 0;
    if (store_begin(o->s, MDB_RDONLY, &txn, &e) < 0)
        return -1;
    MDB_stat st;
    n = mdb_stat(txn, store_dbi(o->s, O_FILES), &st) == 0 ? (int64_t)st.ms_entries : -1; /* never 0 for "unknown" */
    mdb_txn_abort(txn);
    return n;
}

int outbox_lines_get(outbox *o, uint64_t key, int which, uint32_t width, outbox_lines *out, par_err *e)
{
    memset(out, 0, sizeof *out);
    store_txn t;
    if (store_txn_begin(o->s, &t, 0, e) < 0)
        return -1;
    char k[17];
    hex(key, k);
    MDB_val v;
    int rc = 0;
    if (store_txn_get(&t, which ? O_REFUSED : O_ROWS, k, 16, &v))
        rc = outbox_lines_read(out, v.mv_data, v.mv_size, width, e) < 0 ? -1 : 1;
    else if (t.rc) {
        err_set(e, "outbox: %s", mdb_strerror(t.rc));
        rc = -1;
    }
    store_txn_abort(&t);
    return rc;
}
