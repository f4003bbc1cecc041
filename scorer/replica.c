#include "replica.h"
#include "model.h"
#include "../common/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[S_COUNT] = {"units", "criteria", "frameworks", "tasks",
                                           "tasks_by_lead", "submissions", "results", "groups", "state"};
static const int dups[S_COUNT] = {0, 0, 1, 0, 1, 0, 0, 1, 0};

const char *const *replica_db_names(void)
{
    return names;
}

const int *replica_db_dups(void)
{
    return dups;
}

static int apply_unit(MDB_txn *txn, store *s, const pv *row)
{
    pv *u = pv_map();
    const char *keys[] = {"id", "parent", "level", "name", "valid_from", "valid_to", "successor", "periods"};
    for (int i = 0; i < 8; i++)
        if (i < 4 || *pv_get_text(row, keys[i])) /* a dated unit's fields only where it has them */
            pv_set_str(u, keys[i], pv_get_text(row, keys[i]));
    int rc = store_put_pv(txn, store_dbi(s, S_UNITS), pv_get_text(row, "id"), u);
    pv_free(u);
    return rc;
}

static int drop_framework(void *ctx, const char *key, size_t klen, pv *val)
{
    (void)val;
    strset *keys = ctx;
    char *k = xstrndup(key, klen);
    strset_add(keys, k);
    free(k);
    return 0;
}

static int apply_framework(MDB_txn *txn, store *s, const pv *row)
{
    char prefix[256], fw[128];
    snprintf(prefix, sizeof prefix, "%s|%s|%s|", pv_get_text(row, "index"), pv_get_text(row, "year"), pv_get_text(row, "level"));
    strset old;
    strset_init(&old);
    store_scan(txn, store_dbi(s, S_CRIT), prefix, drop_framework, &old);
    int rc = 0;
    for (size_t i = 0; i < old.n && rc == 0; i++)
        rc = store_del(txn, store_dbi(s, S_CRIT), old.items[i], NULL);
    strset_free(&old);
    snprintf(fw, sizeof fw, "%s|%s", pv_get_text(row, "year"), pv_get_text(row, "level"));
    if (rc == 0)
        rc = store_del(txn, store_dbi(s, S_FW), fw, pv_get_text(row, "index"));
    return rc;
}

static int apply_criterion(MDB_txn *txn, store *s, const pv *row)
{
    char key[256], fw[128];
    snprintf(key, sizeof key, "%s|%s|%s|%s", pv_get_text(row, "index"), pv_get_text(row, "year"), pv_get_text(row, "level"), pv_get_text(row, "id"));
    snprintf(fw, sizeof fw, "%s|%s", pv_get_text(row, "year"), pv_get_text(row, "level"));
    int rc = store_put_pv(txn, store_dbi(s, S_CRIT), key, row);
    if (rc == 0)
        rc = store_put_dup(txn, store_dbi(s, S_FW), fw, pv_get_text(row, "index"));
    return rc;
}

static int apply_task(MDB_txn *txn, store *s, const pv *row)
{
    const char *id = pv_get_text(row, "id");
    pv *old = NULL;
    int rc = 0;
    if (store_get_pv(txn, store_dbi(s, S_TASKS), id, &old) == 1) {
        rc = store_del(txn, store_dbi(s, S_LEAD), pv_get_text(old, "lead"), id);
        pv_free(old);
    }
    if (rc == 0)
        rc = store_put_pv(txn, store_dbi(s, S_TASKS), id, row);
    if (rc == 0)
        rc = store_put_dup(txn, store_dbi(s, S_LEAD), pv_get_text(row, "lead"), id);
    return rc;
}

/* The hot path: a line is stored as its value, date, note and receipt, packed once. */
static int apply_submission(MDB_txn *txn, store *s, const event_view *ev, sbuf *scratch)
{
    const line_view *l = &ev->line;
    store_key k;
    store_key_init(&k);
    const char *parts[] = {l->unit, l->year, l->period, l->kind, l->key};
    for (int i = 0; i < 5; i++)
        store_key_str(&k, parts[i]);
    if (k.over)
        return MDB_BAD_VALSIZE;
    /* sent: the day a report counts from (service_sent_on), kept as the event decided it;
     * a report done again keeps its first day (model_submission does the same) */
    MDB_val kv = {k.n, k.b}, old;
    char sent[11];
    (void)str_copy(sent, sizeof sent, service_sent_on(ev->sender, l->date, ev->received)); /* its day: cut */
    if (!strcmp(l->kind, "task") && (!strcmp(l->value, "done") || strtod(l->value, NULL) >= 100) &&
        mdb_get(txn, store_dbi(s, S_SUBS), &kv, &old) == 0) {
        pv *was = NULL;
        par_err e;
        if (proto_decode_value(old.mv_data, old.mv_size, &was, &e) == 0) {
            const char *v = pv_get_str(was, "value"), *d = pv_get_str(was, "sent");
            if (v && (!strcmp(v, "done") || strtod(v, NULL) >= 100) && d && *d && strncmp(d, sent, 10) < 0)
                snprintf(sent, sizeof sent, "%.10s", d);
        }
        pv_free(was);
    }
    const char *keys[] = {"value", "date", "note", "received", "sent"};
    const char *vals[] = {l->value, l->date, l->note, ev->received, sent};
    row_pack(scratch, keys, vals, 5);
    MDB_val vv = {scratch->len, scratch->buf};
    return mdb_put(txn, store_dbi(s, S_SUBS), &kv, &vv, 0);
}

/* A season's phase: "season|INDEX|year|level" -> phase, in the state database. */
static int apply_season(MDB_txn *txn, store *s, const row_view *r)
{
    store_key k;
    store_key_init(&k);
    store_key_str(&k, "season");
    store_key_str(&k, row_str(r, "index"));
    store_key_str(&k, row_str(r, "year"));
    store_key_str(&k, row_str(r, "level"));
    if (k.over)
        return MDB_BAD_VALSIZE;
    const char *phase = row_str(r, "phase");
    MDB_val kv = {k.n, k.b}, vv = {strlen(phase), (void *)phase};
    return mdb_put(txn, store_dbi(s, S_STATE), &kv, &vv, 0);
}

int replica_apply(MDB_txn *txn, store *s, const event_view *ev, sbuf *scratch)
{
    if (ev->type == EV_SUBMISSION)
        return !strcmp(ev->line.kind, "explanation") ? 0 : apply_submission(txn, s, ev, scratch);
    if (ev->type == EV_SEASON)
        return apply_season(txn, s, &ev->row);
    int unit = ev->type == EV_UNIT, fw = ev->type == EV_FRAMEWORK, crit = ev->type == EV_CRITERION,
        task = ev->type == EV_TASK;
    if (!unit && !fw && !crit && !task)
        return 0; /* events of other kinds carry nothing for scoring */
    /* reference data changes rarely: kept as value trees */
    pv *row = proto_row_pv(&ev->row);
    int rc = unit ? apply_unit(txn, s, row) : fw ? apply_framework(txn, s, row) : crit ? apply_criterion(txn, s, row)
                                                                                      : apply_task(txn, s, row);
    pv_free(row);
    return rc;
}

typedef struct {
    model *m;
    store *s;
    int db;
    unsigned long n;
} loader;

static int load_one(void *ctx, const char *key, size_t klen, pv *val)
{
    (void)key;
    (void)klen;
    loader *l = ctx;
    /* a country's replica is read once at start: its pages need not stay resident */
    if (++l->n % 65536 == 0)
        store_release_pages(l->s);
    switch (l->db) {
    case S_UNITS:
        model_unit_dated(l->m, pv_get_text(val, "id"), pv_get_text(val, "parent"), pv_get_text(val, "level"), pv_get_text(val, "name"),
                         pv_get_text(val, "valid_from"), pv_get_text(val, "valid_to"), pv_get_text(val, "successor"), pv_get_text(val, "periods"));
        break;
    case S_CRIT:
        model_criterion(l->m, val);
        break;
    case S_TASKS:
        model_task(l->m, pv_get_text(val, "id"), pv_get_text(val, "lead"), pv_get_text(val, "deadline_kind"), pv_get_text(val, "deadline_at"),
                   pv_get_text(val, "index"), pv_get_text(val, "criterion"));
        break;
    }
    return 0;
}

/* The lines, millions at a country's scale: read as views of the stored rows into one
 * reused buffer (proto/row.h), not as a value tree each. */
static int load_subs(MDB_txn *txn, store *s, model *m)
{
    MDB_cursor *cur;
    if (mdb_cursor_open(txn, store_dbi(s, S_SUBS), &cur))
        return -1;
    row_view rv;
    row_init(&rv);
    MDB_val k, v;
    unsigned long n = 0;
    int rc = 0;
    for (int got = mdb_cursor_get(cur, &k, &v, MDB_FIRST); got == 0; got = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (++n % 65536 == 0) /* read once at start: its pages need not stay resident */
            store_release_pages(s);
        /* unit|year|period|kind|key: ids hold no '|' (collector/validate.c) */
        char key[512], *f[5];
        int nf = 0;
        par_err e;
        if (k.mv_size >= sizeof key)
            continue;
        if (row_decode(&rv, v.mv_data, v.mv_size, &e) < 0) {
            rc = -1;
            break;
        }
        memcpy(key, k.mv_data, k.mv_size);
        key[k.mv_size] = '\0';
        for (char *save = NULL, *t = strtok_r(key, "|", &save); t && nf < 5; t = strtok_r(NULL, "|", &save))
            f[nf++] = t;
        if (nf == 5) /* a replica of before kept no "sent": its date counted */
            model_submission(m, f[0], atoi(f[1]), f[2], f[3], f[4], row_str(&rv, "value"),
                             *row_str(&rv, "sent") ? row_str(&rv, "sent") : row_str(&rv, "date"),
                             row_str(&rv, "received"));
    }
    row_free(&rv);
    mdb_cursor_close(cur);
    return rc;
}

/* The seasons' phases, read raw: their values are plain text. */
static int load_seasons(MDB_txn *txn, store *s, model *m)
{
    MDB_cursor *cur;
    if (mdb_cursor_open(txn, store_dbi(s, S_STATE), &cur))
        return -1;
    MDB_val k = {7, "season|"}, v;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && k.mv_size > 7 && !memcmp(k.mv_data, "season|", 7);
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        char key[256], phase[32], *f[4];
        int n = 0;
        if (k.mv_size >= sizeof key || v.mv_size >= sizeof phase)
            continue;
        memcpy(key, k.mv_data, k.mv_size);
        key[k.mv_size] = '\0';
        memcpy(phase, v.mv_data, v.mv_size);
        phase[v.mv_size] = '\0';
        for (char *save = NULL, *t = strtok_r(key, "|", &save); t && n < 4; t = strtok_r(NULL, "|", &save))
            f[n++] = t;
        if (n == 4)
            model_season(m, f[1], atoi(f[2]), f[3], phase);
    }
    mdb_cursor_close(cur);
    return 0;
}

int replica_load(MDB_txn *txn, store *s, model *m)
{
    if (load_seasons(txn, s, m) < 0)
        return -1;
    const int dbs[] = {S_UNITS, S_CRIT, S_TASKS};
    for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
        loader l = {m, s, dbs[i], 0};
        if (store_scan(txn, store_dbi(s, dbs[i]), "", load_one, &l) < 0)
            return -1;
    }
    return load_subs(txn, s, m);
}
