#include "record.h"
#include "../proto/pack.h"

#include <stdlib.h>
#include <string.h>

struct record {
    store *s;
    uint64_t seq; /* as of the last commit */
};

static const char *const db_names[DB_COUNT] = {"units", "frameworks", "framework_ids", "tasks",
                                               "submissions", "log", "seasons", "evidence", "users"};
static const int db_dups[DB_COUNT] = {0, 0, 1, 0, 0, 0, 0, 0, 0};

/* The transaction keeps the first error: store_write then grows a full map and runs
 * the whole request again. */
static int lmdb_err(record_txn *t, par_err *e, const char *what, int rc)
{
    store_txn_check(t->st, rc, what);
    err_set(e, "%s: %s", what, mdb_strerror(rc));
    return rc == MDB_MAP_FULL ? RECORD_FULL : -1;
}

int record_open(record **out, const char *dir, size_t map, par_err *e)
{
    record *r = xcalloc(1, sizeof *r);
    if (store_open_from(&r->s, dir, db_names, db_dups, DB_COUNT, RECORD_SCHEMA_OLDEST, RECORD_SCHEMA, map, e) < 0) {
        free(r);
        return -1;
    }
    /* the log's last key is the last sequence number */
    store_txn t;
    if (store_txn_begin(r->s, &t, 0, e) < 0) {
        record_close(r);
        return -1;
    }
    r->seq = store_txn_last_u64(&t, DB_LOG);
    int rc = t.rc;
    store_txn_abort(&t);
    if (rc) { /* a sequence number taken as 0 would make every write collide with key 1 */
        err_set(e, "cannot read the change log's last key: %s", mdb_strerror(rc));
        record_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

void record_close(record *r)
{
    if (!r)
        return;
    store_close(r->s);
    free(r);
}

store *record_store(record *r)
{
    return r->s;
}

uint64_t record_last_seq(record *r)
{
    return r->seq;
}

int record_begin(record *r, record_txn *t, par_err *e)
{
    memset(t, 0, sizeof *t);
    t->r = r;
    t->seq = r->seq;
    if (store_txn_begin(r->s, &t->own, 0, e) < 0)
        return -1;
    t->st = &t->own;
    t->txn = t->own.txn;
    return 0;
}

static void cache_forget(record_cache *c)
{
    for (size_t i = 0; i < c->ids.n; i++)
        pv_free(c->vals[i]);
    free(c->vals);
    c->vals = NULL;
    strset_free(&c->ids);
}

/* The record under key in db, from c or read into it; NULL when there is none. */
static const pv *cache_get(record_txn *t, record_cache *c, int db, const char *key)
{
    long i = strset_index(&c->ids, key);
    if (i >= 0)
        return c->vals[i];
    pv *v = NULL;
    if (record_get(t, db, key, &v) != 1)
        v = NULL;
    strset_add(&c->ids, key);
    c->vals = xrealloc(c->vals, c->ids.n * sizeof *c->vals);
    c->vals[c->ids.n - 1] = v;
    return v;
}

/* The transaction's cursor on db, opened at first use; NULL when it cannot be. */
static MDB_cursor *cursor(record_txn *t, int db)
{
    if (!t->cur[db] && mdb_cursor_open(t->txn, store_dbi(t->r->s, db), &t->cur[db]))
        t->cur[db] = NULL;
    return t->cur[db];
}

/* A put through the transaction's cursor on db (mdb_put when it has none). */
static int put_bytes(record_txn *t, int db, MDB_val *k, MDB_val *v, unsigned flags)
{
    MDB_cursor *c = cursor(t, db);
    return c ? mdb_cursor_put(c, k, v, flags) : mdb_put(t->txn, store_dbi(t->r->s, db), k, v, flags);
}

void record_abort(record_txn *t)
{
    for (int i = 0; i < DB_COUNT; i++) /* before the transaction ends: a write one's are closed by it */
        if (t->cur[i])
            mdb_cursor_close(t->cur[i]);
    memset(t->cur, 0, sizeof t->cur);
    cache_forget(&t->units);
    cache_forget(&t->crits);
    if (t->st == &t->own)
        store_txn_abort(&t->own);
    t->txn = NULL;
    record_events_free(&t->events);
}

void record_events_free(record_events *ev)
{
    sbuf_free(&ev->buf);
    free(ev->end);
    memset(ev, 0, sizeof *ev);
}

typedef struct {
    record *r;
    record_fn fn;
    void *ctx;
    record_events events;
    uint64_t seq;
} write_ctx;

static int write_once(store_txn *st, void *ctx, par_err *e)
{
    write_ctx *w = ctx;
    record_events_free(&w->events); /* a run before this one met a full map */
    record_txn t;
    memset(&t, 0, sizeof t);
    t.r = w->r;
    t.seq = w->r->seq;
    t.st = st;
    t.txn = st->txn;
    int rc = w->fn(&t, w->ctx, e);
    w->events = t.events; /* handed over whole */
    memset(&t.events, 0, sizeof t.events);
    w->seq = t.seq;
    record_abort(&t); /* the store transaction is store_write's */
    return rc;
}

int record_write(record *r, record_fn fn, void *ctx, record_events *events, par_err *e)
{
    write_ctx w = {.r = r, .fn = fn, .ctx = ctx};
    memset(events, 0, sizeof *events);
    int rc = store_write(r->s, write_once, &w, e);
    if (rc != 0) {
        record_events_free(&w.events);
        return rc;
    }
    r->seq = w.seq;
    *events = w.events;
    return 0;
}

static MDB_val kv(const char *s)
{
    MDB_val v = {strlen(s), (void *)s};
    return v;
}

int record_get(record_txn *t, int db, const char *key, pv **out)
{
    return store_get_pv(t->txn, store_dbi(t->r->s, db), key, out);
}

int record_exists(record_txn *t, int db, const char *key)
{
    MDB_val k = kv(key), v;
    return mdb_get(t->txn, store_dbi(t->r->s, db), &k, &v) == 0;
}

const pv *record_unit(record_txn *t, const char *id)
{
    return cache_get(t, &t->units, DB_UNITS, id);
}

const pv *record_crit(record_txn *t, const char *fk)
{
    return cache_get(t, &t->crits, DB_FW, fk);
}

int record_unit_spans(record_txn *t, const char *id, validity_span *out, int max)
{
    const pv *u = record_unit(t, id);
    if (!u)
        return 0;
    return validity_read(pv_get_str(u, "periods"), pv_get_str(u, "valid_from"), pv_get_str(u, "valid_to"),
                         pv_get_str(u, "parent"), pv_get_str(u, "level"), out, max);
}

const char *record_unit_end(record_txn *t, const char *id)
{
    const pv *u = record_unit(t, id);
    const char *to = u ? pv_get_str(u, "valid_to") : NULL;
    return to ? to : "";
}

/* What a transaction read of units and criteria is stale once db is written (an import). */
static void forget_read(record_txn *t, int db)
{
    if (db == DB_UNITS)
        cache_forget(&t->units);
    if (db == DB_FW)
        cache_forget(&t->crits);
}

int record_put(record_txn *t, int db, const char *key, const pv *val, par_err *e)
{
    forget_read(t, db);
    int rc = store_put_pv(t->txn, store_dbi(t->r->s, db), key, val);
    return rc ? lmdb_err(t, e, "put", rc) : 0;
}

int record_del(record_txn *t, int db, const char *key, par_err *e)
{
    forget_read(t, db);
    int rc = store_del(t->txn, store_dbi(t->r->s, db), key, NULL);
    return rc ? lmdb_err(t, e, "delete", rc) : 0;
}

int record_put_dup(record_txn *t, int db, const char *key, const char *val, par_err *e)
{
    forget_read(t, db);
    int rc = store_put_dup(t->txn, store_dbi(t->r->s, db), key, val);
    return rc ? lmdb_err(t, e, "put", rc) : 0;
}

int record_del_dup(record_txn *t, int db, const char *key, const char *val, par_err *e)
{
    forget_read(t, db);
    int rc = store_del(t->txn, store_dbi(t->r->s, db), key, val);
    return rc ? lmdb_err(t, e, "delete", rc) : 0;
}

int record_get_dups(record_txn *t, int db, const char *key, char vals[][32], int max)
{
    MDB_cursor *cur;
    if (mdb_cursor_open(t->txn, store_dbi(t->r->s, db), &cur))
        return -1;
    MDB_val k = kv(key), v;
    int n = 0;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY);
    while (rc == 0 && n < max) {
        size_t l = v.mv_size < 31 ? v.mv_size : 31;
        memcpy(vals[n], v.mv_data, l);
        vals[n++][l] = '\0';
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP);
    }
    mdb_cursor_close(cur);
    return n;
}

int record_put_raw(record_txn *t, int db, const char *key, const void *val, size_t len, par_err *e)
{
    forget_read(t, db);
    MDB_val k = kv(key), v = {len, (void *)val};
    int rc = put_bytes(t, db, &k, &v, 0);
    return rc ? lmdb_err(t, e, "put", rc) : 0;
}

#define LINE_REF_LEN 9 /* 0xcf, then the sequence number big-endian: msgpack's uint64 */

static void line_ref(uint64_t seq, unsigned char v[LINE_REF_LEN])
{
    v[0] = 0xcf;
    store_u64_key(seq, v + 1);
}

int record_put_line(record_txn *t, const char *key, uint64_t seq, par_err *e)
{
    unsigned char v[LINE_REF_LEN];
    line_ref(seq, v);
    return record_put_raw(t, DB_SUBS, key, v, sizeof v, e);
}

int record_claim_line(record_txn *t, MDB_val *k, MDB_val *v, uint64_t *seq, par_err *e)
{
    unsigned char ref[LINE_REF_LEN];
    line_ref(t->seq + 1, ref);
    *v = (MDB_val){sizeof ref, ref}; /* copied in by the put; on MDB_KEYEXIST, the stored one */
    int rc = put_bytes(t, DB_SUBS, k, v, MDB_NOOVERWRITE);
    *seq = 0;
    if (rc == 0) {
        *seq = t->seq + 1;
        *v = (MDB_val){0, NULL};
        return 1;
    }
    return rc == MDB_KEYEXIST ? 0 : lmdb_err(t, e, "put", rc);
}

int record_find_line(record_txn *t, MDB_val *k, MDB_val *v, par_err *e)
{
    MDB_cursor *c = cursor(t, DB_SUBS);
    int rc = c ? mdb_cursor_get(c, k, v, MDB_SET) : mdb_get(t->txn, store_dbi(t->r->s, DB_SUBS), k, v);
    if (rc == MDB_NOTFOUND)
        return 1;
    return rc ? lmdb_err(t, e, "get", rc) : 0;
}

int record_line_bytes(record_txn *t, const MDB_val *v, MDB_val *entry)
{
    const unsigned char *p = v->mv_data;
    if (v->mv_size != LINE_REF_LEN || p[0] != 0xcf) { /* a map: the line itself */
        *entry = *v;
        return 0;
    }
    /* not through the log's cursor, which stays where the next append goes */
    MDB_val k = {8, (void *)(p + 1)};
    return mdb_get(t->txn, store_dbi(t->r->s, DB_LOG), &k, entry) == 0 ? 1 : -1;
}

uint64_t record_line_seq(const MDB_val *v)
{
    const unsigned char *p = v->mv_data;
    if (v->mv_size == LINE_REF_LEN && p[0] == 0xcf)
        return store_u64_from(p + 1);
    pv *line = NULL;
    par_err ig;
    if (proto_decode_value(v->mv_data, v->mv_size, &line, &ig) < 0)
        return 0;
    uint64_t seq = (uint64_t)pv_get_int(line, "seq", 0);
    const char *s = seq ? NULL : pv_get_str(line, "seq"); /* a string in some stored lines */
    if (s)
        seq = strtoull(s, NULL, 10);
    pv_free(line);
    return seq;
}

int record_line_pv(record_txn *t, const MDB_val *v, pv **out)
{
    *out = NULL;
    MDB_val b;
    pv *ev = NULL;
    par_err ig;
    int kind = record_line_bytes(t, v, &b);
    if (kind < 0 || proto_decode_value(b.mv_data, b.mv_size, &ev, &ig) < 0)
        return -1;
    if (kind == 0) {
        *out = ev;
        return 0;
    }
    const pv *row = pv_get(ev, "row");
    const char *what = pv_get_str(ev, "what");
    if (!row || row->t != PV_MAP || !what || strcmp(what, "submission")) {
        pv_free(ev);
        return -1;
    }
    pv *line = pv_map();
    for (uint32_t i = 0; i < row->u.m.n; i++)
        pv_set(line, row->u.m.kv[i].k, pv_copy(row->u.m.kv[i].v));
    pv_set_int(line, "seq", pv_get_int(ev, "seq", 0));
    pv_set_str(line, "received", pv_get_text(ev, "received"));
    pv_set_str(line, "sender", pv_get_text(ev, "sender"));
    pv_free(ev);
    *out = line;
    return 0;
}

int record_get_line(record_txn *t, const char *key, pv **out)
{
    *out = NULL;
    MDB_val k = kv(key), v;
    int rc = mdb_get(t->txn, store_dbi(t->r->s, DB_SUBS), &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    return rc == 0 && record_line_pv(t, &v, out) == 0 ? 1 : -1;
}

int record_log_packed(record_txn *t, const char *what, const void *row, size_t row_len, const char *received,
                      const char *sender, uint64_t *seq, par_err *e)
{
    uint64_t s = t->seq + 1;
    /* the event message, v, t, seq, what, row, received, sender, packed where it will be
     * published from */
    record_events *ev = &t->events;
    sbuf *b = &ev->buf;
    size_t from = b->len;
    if (ev->n == ev->cap) {
        ev->cap = ev->cap ? 2 * ev->cap : 64;
        ev->end = xrealloc(ev->end, ev->cap * sizeof *ev->end);
    }
    pack_message(b, MSG_EVENT, 5);
    pack_str(b, "seq");
    pack_int(b, (int64_t)s);
    pack_str(b, "what");
    pack_str(b, what);
    pack_str(b, "row");
    pack_raw(b, row, row_len);
    pack_str(b, "received");
    pack_str(b, received);
    pack_str(b, "sender");
    pack_str(b, sender);
    unsigned char key[8];
    store_u64_key(s, key);
    MDB_val k = {8, key}, v = {b->len - from, b->buf + from};
    int rc = put_bytes(t, DB_LOG, &k, &v, MDB_APPEND);
    if (rc) {
        b->len = from; /* not logged: not published */
        return lmdb_err(t, e, "append to change log", rc);
    }
    ev->end[ev->n++] = b->len;
    t->seq = s;
    if (seq)
        *seq = s;
    return 0;
}

int record_log(record_txn *t, const char *what, const pv *row, const char *received, const char *sender,
               uint64_t *seq, par_err *e)
{
    char *buf;
    size_t len;
    proto_encode(row, &buf, &len);
    int rc = record_log_packed(t, what, buf, len, received, sender, seq, e);
    free(buf);
    return rc;
}
