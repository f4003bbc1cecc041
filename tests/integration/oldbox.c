/* oldbox: puts a file into par-agent's outbox as an agent of 0.3.0 left it (schema 1, its
 * rows and the lines refused at intake inside the entry's head, as value trees), or
 * damaged (a head without rows), for the test that an upgraded agent still sends what
 * an older one accepted, and refuses what it cannot read instead of losing it.
 *
 * usage: oldbox old|damaged|garbled OUTBOX_DIR SPOOL_DIR FILE
 * garbled: a head that is not msgpack at all, as one 0.3.0 could not read back.
 * The file is held under SPOOL_DIR/.outbox/KEY-NAME as the agent holds it.
 *
 * oldbox record COLLECTOR_DIR: puts a stopped collector's store back as 0.3.1 kept it
 * (schema 1: each stored submission line whole under its key, its row's pairs with seq,
 * received and sender, where 0.3.2 keeps the number of its change), for the test that
 * 0.3.2 reads such a store as it is. */
#include "../../agent/outbox.h"
#include "../../common/store.h"
#include "../../common/table.h"
#include "../../common/util.h"
#include "../../proto/pack.h"

#include <libgen.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 0.3.0's outbox: two databases, schema 1; an entry is its head under the key, and the
 * key under the next arrival number */
typedef struct {
    char key[17];
    const pv *head;
    int garbled;
} old_put;

static int put_old(store_txn *t, void *ctx, par_err *e)
{
    (void)e;
    old_put *p = ctx;
    unsigned char ob[8];
    store_u64_key(store_txn_last_u64(t, 1) + 1, ob);
    if (p->garbled)
        store_txn_put(t, 0, p->key, 16, "\xc1\xc1", 2); /* 0xc1: never used in msgpack */
    else
        store_txn_check(t, store_put_pv(t->txn, store_dbi(t->s, 0), p->key, p->head), "files");
    store_txn_put(t, 1, ob, 8, p->key, 16);
    return t->rc ? -1 : 0;
}

/* Every line of the store's "submissions" stored whole again, from its change in "log"
 * (raw LMDB: the collector's own code would mark the store 2 on opening it). */
static int old_record(const char *dir)
{
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    MDB_cursor *cur = NULL;
    MDB_dbi subs, log, meta;
    /* the lines to put back, gathered first: a put moves what a cursor walks over */
    sbuf b, keys, vals;
    sbuf_init(&b);
    sbuf_init(&keys);
    sbuf_init(&vals);
    size_t *ends = NULL, cap = 0;
    int rc, n = 0;
    if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, 32)) ||
        (rc = mdb_env_set_mapsize(env, (size_t)1 << 30)) || (rc = mdb_env_open(env, dir, MDB_NOTLS, 0640)) ||
        (rc = mdb_txn_begin(env, NULL, 0, &txn)) || (rc = mdb_dbi_open(txn, "submissions", 0, &subs)) ||
        (rc = mdb_dbi_open(txn, "log", 0, &log)) || (rc = mdb_dbi_open(txn, "meta", 0, &meta)) ||
        (rc = mdb_cursor_open(txn, subs, &cur)))
        goto fail;
    MDB_val k, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const unsigned char *p = v.mv_data;
        if (v.mv_size != 9 || p[0] != 0xcf)
            continue; /* already whole */
        MDB_val lk = {8, (void *)(p + 1)}, ev;
        pv *e = NULL;
        par_err pe;
        if ((rc = mdb_get(txn, log, &lk, &ev)))
            goto fail;
        if (proto_decode_value(ev.mv_data, ev.mv_size, &e, &pe) < 0) {
            rc = MDB_CORRUPTED;
            goto fail;
        }
        /* as 0.3.1's store_line packed it: the row's pairs, then the receipt */
        const pv *row = pv_get(e, "row");
        int text = row && row->t == PV_MAP;
        for (uint32_t i = 0; text && i < row->u.m.n; i++)
            text = row->u.m.kv[i].v->t == PV_STR;
        if (!text) { /* not a line's change: nothing a collector wrote */
            pv_free(e);
            rc = MDB_CORRUPTED;
            goto fail;
        }
        b.len = 0;
        pack_map(&b, row->u.m.n + 3);
        for (uint32_t i = 0; i < row->u.m.n; i++) {
            pack_str(&b, row->u.m.kv[i].k);
            pack_str(&b, row->u.m.kv[i].v->u.s.p);
        }
        pack_str(&b, "seq");
        pack_int(&b, pv_get_int(e, "seq", 0));
        pack_str(&b, "received");
        pack_str(&b, pv_get_text(e, "received"));
        pack_str(&b, "sender");
        pack_str(&b, pv_get_text(e, "sender"));
        pv_free(e);
        if ((size_t)n == cap) {
            cap = cap ? 2 * cap : 64;
            ends = xrealloc(ends, 2 * cap * sizeof *ends);
        }
        sbuf_add(&keys, k.mv_data, k.mv_size);
        sbuf_add(&vals, b.buf, b.len);
        ends[2 * n] = keys.len, ends[2 * n + 1] = vals.len;
        n++;
    }
    if (rc != MDB_NOTFOUND)
        goto fail;
    mdb_cursor_close(cur);
    cur = NULL;
    rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        size_t k0 = i ? ends[2 * i - 2] : 0, v0 = i ? ends[2 * i - 1] : 0;
        MDB_val key = {ends[2 * i] - k0, keys.buf + k0}, val = {ends[2 * i + 1] - v0, vals.buf + v0};
        rc = mdb_put(txn, subs, &key, &val, 0);
    }
    unsigned char one[4] = {0, 0, 0, 1};
    MDB_val sk = {6, "schema"}, sv = {4, one};
    if (rc || (rc = mdb_put(txn, meta, &sk, &sv, 0)))
        goto fail;
    rc = mdb_txn_commit(txn);
    txn = NULL; /* ended, committed or not */
    if (rc)
        goto fail;
    printf("%d lines stored whole, schema 1\n", n);
fail:
    if (cur)
        mdb_cursor_close(cur);
    if (txn)
        mdb_txn_abort(txn);
    if (rc)
        fprintf(stderr, "oldbox: %s: %s\n", dir, mdb_strerror(rc));
    if (env)
        mdb_env_close(env);
    free(ends);
    sbuf_free(&b);
    sbuf_free(&keys);
    sbuf_free(&vals);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "record"))
        return old_record(argv[2]);
    if (argc != 5 || (strcmp(argv[1], "old") && strcmp(argv[1], "damaged") && strcmp(argv[1], "garbled"))) {
        fprintf(stderr, "usage: oldbox old|damaged|garbled OUTBOX_DIR SPOOL_DIR FILE | oldbox record COLLECTOR_DIR\n");
        return 2;
    }
    par_err e = {{0}};
    char *bytes;
    size_t len;
    if (file_read(argv[4], &bytes, &len, &e) < 0) {
        fprintf(stderr, "oldbox: %s\n", e.msg);
        return 1;
    }
    char path[4096];
    str_copy(path, sizeof path, argv[4]);
    const char *name = basename(path);
    /* the key as intake makes it: the name's hash and the content's */
    uint64_t key = outbox_hash(name, strlen(name) + 1) ^ outbox_hash(bytes, len) * 31;
    table t;
    char *report = NULL;
    size_t rlen = 0;
    FILE *rs = open_memstream(&report, &rlen);
    if (table_load_file(argv[4], table_cols(TABLE_SUBMISSIONS), table_required(TABLE_SUBMISSIONS), &t, rs, &e) < 0) {
        fprintf(stderr, "oldbox: %s\n", e.msg);
        return 1;
    }
    fclose(rs);
    pv *head = pv_map();
    pv_set_str(head, "name", name);
    pv_set(head, "cols", table_cols_pv(&t));
    pv_set_int(head, "lines", t.lines);
    if (!strcmp(argv[1], "old")) {
        /* 0.3.0's entry: the rows, and the lines refused at intake ("PATH: line N: why") */
        pv *local = pv_arr();
        for (char *save = NULL, *ln = strtok_r(report, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
            char *at = strstr(ln, ": line "), *why = at ? strchr(at + 7, ':') : NULL;
            if (!at || !why)
                continue;
            pv *r = pv_map();
            pv_set_int(r, "line", atoll(at + 7));
            pv_set_str(r, "reason", why + 2);
            pv_push(local, r);
        }
        pv_set(head, "rows", table_rows_pv(&t));
        pv_set(head, "local", local);
    }
    static const char *const names[] = {"files", "order"};
    store *s;
    old_put p = {"", head, !strcmp(argv[1], "garbled")};
    snprintf(p.key, sizeof p.key, "%016llx", (unsigned long long)key);
    if (store_open(&s, argv[2], names, NULL, 2, 1, 64u << 20, &e) < 0 || store_write(s, put_old, &p, &e) < 0) {
        fprintf(stderr, "oldbox: %s\n", e.msg);
        return 1;
    }
    store_close(s);
    char held[8192];
    snprintf(held, sizeof held, "%s/.outbox", argv[3]);
    if (dir_make(held, &e) < 0) {
        fprintf(stderr, "oldbox: %s\n", e.msg);
        return 1;
    }
    snprintf(held, sizeof held, "%s/.outbox/%016llx-%s", argv[3], (unsigned long long)key, name);
    FILE *f = fopen(held, "wb");
    if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "oldbox: cannot write %s\n", held);
        return 1;
    }
    printf("%016llx\n", (unsigned long long)key);
    pv_free(head);
    free(report);
    table_free(&t);
    free(bytes);
    return 0;
}
