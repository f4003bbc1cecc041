#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct outbox {
    store *s;
};

enum { O_FILES, O_ORDER, O_COUNT }; /* key -> entry; arrival (u64) -> key */

static const char *const names[O_COUNT] = {"files", "order"};

int outbox_open(outbox **out, const char *dir, par_err *e)
{
    outbox *o = xcalloc(1, sizeof *o);
    if (store_open(&o->s, dir, names, NULL, O_COUNT, OUTBOX_SCHEMA, 64u << 20, e) < 0) {
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

typedef struct {
    outbox *o;
    uint64_t key;
    const pv *entry;
} put_ctx;

static int put_entry(store_txn *t, void *ctx, par_err *e)
{
    (void)e;
    put_ctx *p = ctx;
    char k[17];
    hex(p->key, k);
    MDB_val v;
    if (store_txn_get(t, O_FILES, k, 16, &v))
        return STORE_NOTHING; /* the same file, already waiting */
    /* arrival order: the last order key + 1 */
    uint64_t next = 1;
    MDB_cursor *cur;
    if (!t->rc && mdb_cursor_open(t->txn, store_dbi(p->o->s, O_ORDER), &cur) == 0) {
        MDB_val ok, ov;
        if (mdb_cursor_get(cur, &ok, &ov, MDB_LAST) == 0 && ok.mv_size == 8)
            next = store_u64_from(ok.mv_data) + 1;
        mdb_cursor_close(cur);
    }
    unsigned char ob[8];
    store_u64_key(next, ob);
    if (!t->rc)
        store_txn_check(t, store_put_pv(t->txn, store_dbi(p->o->s, O_FILES), k, p->entry), "outbox");
    store_txn_put(t, O_ORDER, ob, 8, k, 16);
    return t->rc ? -1 : 0;
}

int outbox_put(outbox *o, uint64_t key, const pv *entry, par_err *e)
{
    put_ctx p = {o, key, entry};
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

pv *outbox_list(outbox *o, int max)
{
    pv *out = pv_arr();
    MDB_txn *txn;
    par_err e;
    if (store_begin(o->s, MDB_RDONLY, &txn, &e) < 0)
        return out;
    MDB_cursor *cur;
    if (mdb_cursor_open(txn, store_dbi(o->s, O_ORDER), &cur) == 0) {
        MDB_val ok, ov;
        for (int g = mdb_cursor_get(cur, &ok, &ov, MDB_FIRST); g == 0 && (int)out->u.a.n < max;
             g = mdb_cursor_get(cur, &ok, &ov, MDB_NEXT)) {
            char k[17];
            snprintf(k, sizeof k, "%.*s", (int)ov.mv_size, (char *)ov.mv_data);
            pv *entry = NULL;
            if (store_get_pv(txn, store_dbi(o->s, O_FILES), k, &entry) != 1)
                continue;
            pv *item = pv_map();
            pv_set_int(item, "key", (int64_t)strtoull(k, NULL, 16));
            pv_set(item, "entry", entry);
            pv_push(out, item);
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
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
    if (mdb_stat(txn, store_dbi(o->s, O_FILES), &st) == 0)
        n = (int64_t)st.ms_entries;
    mdb_txn_abort(txn);
    return n;
}
