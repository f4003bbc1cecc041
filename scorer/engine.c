#include "engine.h"
#include "compute.h"
#include "rank.h"
#include "replica.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct engine {
    store *s;
    uint64_t seq;
    uint64_t bulk; /* 1 while changes are only copied (engine_begin_bulk) */
};

static MDB_dbi db(engine *en, int i)
{
    return store_dbi(en->s, i);
}

int engine_open(engine **out, const char *dir, size_t map, par_err *e)
{
    engine *en = xcalloc(1, sizeof *en);
    if (store_open(&en->s, dir, replica_db_names(), replica_db_dups(), S_COUNT, SCORER_SCHEMA, map, e) < 0) {
        free(en);
        return -1;
    }
    if (store_read_u64(en->s, S_STATE, "seq", &en->seq, e) < 0 ||
        store_read_u64(en->s, S_STATE, "bulk", &en->bulk, e) < 0) {
        engine_close(en);
        return -1;
    }
    *out = en;
    return 0;
}

void engine_close(engine *en)
{
    if (!en)
        return;
    store_close(en->s);
    free(en);
}

uint64_t engine_seq(engine *en)
{
    return en->seq;
}

/* ---------- what a batch touches ---------- */

typedef struct {
    strset *set;
    const char *prefix; /* added before each collected part */
    int field;          /* which |-separated field of the key to collect */
} collect;

static int collect_field(void *ctx, const char *key, size_t klen, pv *val)
{
    (void)val;
    collect *c = ctx;
    const char *p = key, *end = key + klen;
    for (int f = 0; f < c->field && p < end; f++) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        p = bar ? bar + 1 : end;
    }
    const char *bar = memchr(p, '|', (size_t)(end - p));
    size_t l = bar ? (size_t)(bar - p) : (size_t)(end - p);
    char buf[512];
    snprintf(buf, sizeof buf, "%s%.*s", c->prefix, (int)l, p);
    strset_add(c->set, buf);
    return 0;
}

typedef struct {
    const char *level, *index, *year;
    strset *results;
} by_level;

static int unit_of_level(void *ctx, const char *key, size_t klen, pv *val)
{
    by_level *b = ctx;
    const char *lv = pv_get_str(val, "level");
    if (lv && !strcmp(lv, b->level)) {
        char k[512];
        snprintf(k, sizeof k, "%s|%s|%.*s", b->index, b->year, (int)klen, key);
        strset_add(b->results, k);
    }
    return 0;
}

static void indices_for(engine *en, MDB_txn *txn, const char *year, const char *level, strset *out)
{
    char key[256];
    snprintf(key, sizeof key, "%s|%s", year, level);
    MDB_cursor *cur;
    if (mdb_cursor_open(txn, db(en, S_FW), &cur))
        return;
    MDB_val k = {strlen(key), key}, v;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
        char *ix = xstrndup(v.mv_data, v.mv_size);
        strset_add(out, ix);
        free(ix);
    }
    mdb_cursor_close(cur);
}

/* Turns "every year of a unit", "every index of a unit's year" and "every unit of a
 * framework" into the results to recompute. */
static void expand(engine *en, MDB_txn *txn, dirty *d)
{
    for (size_t i = 0; i < d->unit_all.n; i++) {
        char prefix[128];
        snprintf(prefix, sizeof prefix, "%s|", d->unit_all.items[i]);
        strset years;
        strset_init(&years);
        collect c = {&years, "", 1};
        store_scan(txn, db(en, S_SUBS), prefix, collect_field, &c);
        for (size_t y = 0; y < years.n; y++) {
            char k[192];
            snprintf(k, sizeof k, "%s|%s", years.items[y], d->unit_all.items[i]);
            strset_add(&d->unit_year, k);
        }
        strset_free(&years);
    }
    for (size_t i = 0; i < d->unit_year.n; i++) {
        char year[16], unit[128];
        if (sscanf(d->unit_year.items[i], "%15[^|]|%127s", year, unit) != 2)
            continue;
        pv *u = NULL;
        if (store_get_pv(txn, db(en, S_UNITS), unit, &u) != 1)
            continue;
        strset ix;
        strset_init(&ix);
        indices_for(en, txn, year, pv_get_str(u, "level") ? pv_get_str(u, "level") : "", &ix);
        for (size_t k = 0; k < ix.n; k++) {
            char key[256];
            snprintf(key, sizeof key, "%s|%s|%s", ix.items[k], year, unit);
            strset_add(&d->results, key);
        }
        strset_free(&ix);
        pv_free(u);
    }
    for (size_t i = 0; i < d->fw.n; i++) {
        char index[64], year[16], level[128];
        if (sscanf(d->fw.items[i], "%63[^|]|%15[^|]|%127[^\n]", index, year, level) != 3)
            continue;
        by_level b = {level, index, year, &d->results};
        store_scan(txn, db(en, S_UNITS), "", unit_of_level, &b);
    }
}

static double total_of(const pv *r)
{
    const pv *t = pv_get(r, "total");
    return t && t->t == PV_FLOAT ? t->u.f : 0;
}

static void group_key(const pv *r, char *out, size_t n)
{
    snprintf(out, n, "%s|%lld|%s|%s", pv_get_str(r, "index"), (long long)pv_get_int(r, "year", 0),
             pv_get_str(r, "level"), pv_get_str(r, "parent"));
}

/* Keeps an unchanged rank on a recomputed result, so that only real moves show. */
static void carry_ranks(pv *fresh, const pv *old)
{
    pv_set_int(fresh, "rank", pv_get_int(old, "rank", 0));
    pv_set_int(fresh, "of", pv_get_int(old, "of", 0));
    const pv *oc = pv_get(old, "components");
    pv *nc = (pv *)pv_get(fresh, "components");
    for (uint32_t i = 0; oc && nc && i < nc->u.a.n && i < oc->u.a.n; i++)
        pv_set_int(nc->u.a.v[i], "rank", pv_get_int(oc->u.a.v[i], "rank", 0));
}

/* Recomputes one result; its group is marked for ranking, a moved total reported. */
static int recompute(engine *en, MDB_txn *txn, const char *key, strset *groups, strset *moved)
{
    char index[64], unit[128];
    int year;
    if (sscanf(key, "%63[^|]|%d|%127s", index, &year, unit) != 3)
        return 0;
    pv *u = NULL, *old = NULL, *fresh = NULL;
    store_get_pv(txn, db(en, S_UNITS), unit, &u);
    store_get_pv(txn, db(en, S_RESULTS), key, &old);
    int rc = u ? compute_result(txn, en->s, index, year, u, &fresh) : 0;
    char og[512] = "", ng[512] = "";
    if (old)
        group_key(old, og, sizeof og);
    if (fresh)
        group_key(fresh, ng, sizeof ng);
    if (rc == 0 && old && strcmp(og, ng)) {
        rc = store_del(txn, db(en, S_GROUPS), og, unit);
        strset_add(groups, og);
    }
    if (rc == 0 && fresh) {
        if (old)
            carry_ranks(fresh, old);
        rc = store_put_pv(txn, db(en, S_RESULTS), key, fresh);
        if (rc == 0)
            rc = store_put_dup(txn, db(en, S_GROUPS), ng, unit);
        strset_add(groups, ng);
    } else if (rc == 0 && old) {
        rc = store_del(txn, db(en, S_RESULTS), key, NULL);
    }
    if (rc == 0 && fresh && (!old || fabs(total_of(old) - total_of(fresh)) > 1e-9))
        strset_add(moved, key);
    pv_free(u);
    pv_free(old);
    pv_free(fresh);
    return rc;
}

static int write_seq(engine *en, MDB_txn *txn, uint64_t seq)
{
    return store_put_u64(txn, db(en, S_STATE), "seq", seq);
}

/* Recomputes what d names and re-ranks the groups concerned, inside txn. */
static int settle(engine *en, MDB_txn *txn, dirty *d, strset *moved)
{
    expand(en, txn, d);
    strset groups;
    strset_init(&groups);
    int rc = 0;
    for (size_t i = 0; i < d->results.n && rc == 0; i++)
        rc = recompute(en, txn, d->results.items[i], &groups, moved);
    for (size_t i = 0; i < groups.n && rc == 0; i++)
        rc = rank_group(txn, en->s, groups.items[i], moved);
    strset_free(&groups);
    return rc;
}

static pv *score_event(engine *en, MDB_txn *txn, const char *key)
{
    pv *r = NULL;
    if (store_get_pv(txn, db(en, S_RESULTS), key, &r) != 1)
        return NULL;
    pv *ev = proto_msg(MSG_EVENT), *row = pv_map();
    char buf[64];
    pv_set_int(ev, "seq", (int64_t)en->seq);
    pv_set_str(ev, "what", "score");
    pv_set_str(row, "unit", pv_get_str(r, "unit"));
    pv_set_str(row, "index", pv_get_str(r, "index"));
    snprintf(buf, sizeof buf, "%lld", (long long)pv_get_int(r, "year", 0));
    pv_set_str(row, "year", buf);
    snprintf(buf, sizeof buf, "%.4f", total_of(r));
    pv_set_str(row, "total", buf);
    snprintf(buf, sizeof buf, "%lld", (long long)pv_get_int(r, "rank", 0));
    pv_set_str(row, "rank", buf);
    snprintf(buf, sizeof buf, "%lld", (long long)pv_get_int(r, "of", 0));
    pv_set_str(row, "of", buf);
    pv_set(ev, "row", row);
    pv_set_str(ev, "received", "");
    pv_set_str(ev, "sender", "scorer");
    pv_free(r);
    return ev;
}

int engine_apply(engine *en, const pv *events, pv **scores, par_err *e)
{
    *scores = NULL;
    for (int attempt = 0; attempt < 8; attempt++) {
        MDB_txn *txn;
        if (store_begin(en->s, 0, &txn, e) < 0)
            return -1;
        dirty d;
        dirty_init(&d);
        strset moved;
        strset_init(&moved);
        uint64_t seq = en->seq;
        int gap = 0, rc = 0;
        for (uint32_t i = 0; i < events->u.a.n && rc == 0; i++) {
            const pv *ev = events->u.a.v[i];
            const char *what = pv_get_str(ev, "what");
            int64_t s = pv_get_int(ev, "seq", 0);
            if (!what || !strcmp(what, "score") || s <= (int64_t)seq)
                continue;
            if (s != (int64_t)seq + 1) {
                gap = 1;
                break;
            }
            rc = replica_apply(txn, en->s, ev, &d);
            seq = (uint64_t)s;
        }
        /* in bulk mode the results wait for one recomputation at the end */
        if (rc == 0 && seq != en->seq && !en->bulk)
            rc = settle(en, txn, &d, &moved);
        if (rc == 0)
            rc = write_seq(en, txn, seq);
        if (rc == 0)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
        dirty_free(&d);
        if (rc == 0) {
            en->seq = seq;
            pv *out = pv_arr();
            if (moved.n && store_begin(en->s, MDB_RDONLY, &txn, e) == 0) {
                for (size_t i = 0; i < moved.n; i++) {
                    pv *ev = score_event(en, txn, moved.items[i]);
                    if (ev)
                        pv_push(out, ev);
                }
                mdb_txn_abort(txn);
            }
            strset_free(&moved);
            *scores = out;
            return gap;
        }
        strset_free(&moved);
        if (rc != MDB_MAP_FULL) {
            err_set(e, "apply changes: %s", mdb_strerror(rc));
            return -1;
        }
        if (store_grow(en->s, e) < 0)
            return -1;
    }
    err_set(e, "the scorer's store cannot grow enough");
    return -1;
}

static int all_units(void *ctx, const char *key, size_t klen, pv *val)
{
    (void)val;
    char *u = xstrndup(key, klen);
    strset_add(ctx, u);
    free(u);
    return 0;
}

int engine_recompute_all(engine *en, par_err *e)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        MDB_txn *txn;
        if (store_begin(en->s, 0, &txn, e) < 0)
            return -1;
        /* from nothing: no result, no group */
        int rc = mdb_drop(txn, db(en, S_RESULTS), 0);
        if (rc == 0)
            rc = mdb_drop(txn, db(en, S_GROUPS), 0);
        dirty d;
        dirty_init(&d);
        strset moved;
        strset_init(&moved);
        if (rc == 0)
            store_scan(txn, db(en, S_UNITS), "", all_units, &d.unit_all);
        if (rc == 0)
            rc = settle(en, txn, &d, &moved);
        if (rc == 0)
            rc = store_put_u64(txn, db(en, S_STATE), "bulk", 0);
        if (rc == 0)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
        dirty_free(&d);
        strset_free(&moved);
        if (rc == 0) {
            en->bulk = 0;
            return 0;
        }
        if (rc != MDB_MAP_FULL || store_grow(en->s, e) < 0) {
            err_set(e, "recompute: %s", mdb_strerror(rc));
            return -1;
        }
    }
    return -1;
}

int engine_begin_bulk(engine *en, par_err *e)
{
    MDB_txn *txn;
    if (store_begin(en->s, 0, &txn, e) < 0)
        return -1;
    int rc = store_put_u64(txn, db(en, S_STATE), "bulk", 1);
    if (rc == 0)
        rc = mdb_txn_commit(txn);
    else
        mdb_txn_abort(txn);
    if (rc) {
        err_set(e, "bulk mode: %s", mdb_strerror(rc));
        return -1;
    }
    en->bulk = 1;
    return 0;
}

int engine_in_bulk(const engine *en)
{
    return en->bulk != 0;
}

int engine_reset(engine *en, par_err *e)
{
    MDB_txn *txn;
    if (store_begin(en->s, 0, &txn, e) < 0)
        return -1;
    int rc = 0;
    for (int i = 0; i < S_COUNT && rc == 0; i++)
        rc = mdb_drop(txn, db(en, i), 0);
    if (rc == 0)
        rc = mdb_txn_commit(txn);
    else
        mdb_txn_abort(txn);
    if (rc) {
        err_set(e, "reset: %s", mdb_strerror(rc));
        return -1;
    }
    en->seq = 0;
    en->bulk = 0;
    return 0;
}

int engine_backup(engine *en, const char *dir, pv **data, par_err *e)
{
    return store_backup_into(en->s, dir, "scorer", en->seq, data, e);
}

/* ---------- queries ---------- */

static double num(const pv *m, const char *k)
{
    const pv *v = pv_get(m, k);
    return !v ? 0 : v->t == PV_FLOAT ? v->u.f : v->t == PV_INT ? (double)v->u.i : 0;
}

/* The change from the year before, read from that year's result as it stands now
 * (stored copies would go stale when last year's ranks settle). */
static void add_prev(engine *en, MDB_txn *txn, pv *r)
{
    char key[256];
    snprintf(key, sizeof key, "%s|%lld|%s", pv_get_str(r, "index"), (long long)pv_get_int(r, "year", 0) - 1,
             pv_get_str(r, "unit"));
    pv *prev = NULL;
    if (store_get_pv(txn, db(en, S_RESULTS), key, &prev) != 1)
        return;
    pv_set(r, "prev_total", pv_float(num(prev, "total")));
    pv_set(r, "change", pv_float(num(r, "total") - num(prev, "total")));
    pv_set_int(r, "prev_rank", pv_get_int(prev, "rank", 0));
    pv_set_int(r, "prev_of", pv_get_int(prev, "of", 0));
    const pv *pc = pv_get(prev, "components");
    pv *comps = (pv *)pv_get(r, "components");
    for (uint32_t i = 0; comps && i < comps->u.a.n; i++) {
        pv *c = comps->u.a.v[i];
        for (uint32_t k = 0; pc && k < pc->u.a.n; k++) {
            if (strcmp(pv_get_str(pc->u.a.v[k], "id"), pv_get_str(c, "id")))
                continue;
            pv_set(c, "prev_score", pv_float(num(pc->u.a.v[k], "score")));
            pv_set(c, "prev_pct", pv_float(num(pc->u.a.v[k], "pct")));
            pv_set(c, "change_pp", pv_float(num(c, "pct") - num(pc->u.a.v[k], "pct")));
            pv_set_int(c, "prev_rank", pv_get_int(pc->u.a.v[k], "rank", 0));
        }
    }
    pv_free(prev);
}

static pv *summary(const pv *r)
{
    pv *o = pv_map();
    const char *keys[] = {"unit",  "name",   "index",      "year",   "level",     "parent",  "total",
                          "max",   "pct",    "appraised",  "survey", "rank",      "of",      "prev_total",
                          "change", "prev_rank", "prev_of", "target", "gap",     "off_track"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const pv *v = pv_get(r, keys[i]);
        if (v)
            pv_set(o, keys[i], pv_copy(v));
    }
    pv *comps = pv_arr();
    const pv *rc = pv_get(r, "components");
    for (uint32_t i = 0; rc && i < rc->u.a.n; i++) {
        pv *c = pv_map();
        const char *ck[] = {"id",       "name",     "score",     "max",    "pct", "rank",
                            "prev_score", "prev_pct", "change_pp", "target", "gap"};
        for (size_t k = 0; k < sizeof ck / sizeof ck[0]; k++) {
            const pv *v = pv_get(rc->u.a.v[i], ck[k]);
            if (v)
                pv_set(c, ck[k], pv_copy(v));
        }
        pv_push(comps, c);
    }
    pv_set(o, "components", comps);
    return o;
}

typedef struct {
    engine *en;
    MDB_txn *txn;
    const char *level, *parent;
    pv *out;
} filter;

static int take_result(void *ctx, const char *key, size_t klen, pv *val)
{
    (void)key;
    (void)klen;
    filter *f = ctx;
    const char *lv = pv_get_str(val, "level"), *pa = pv_get_str(val, "parent");
    if ((f->level && (!lv || strcmp(lv, f->level))) || (f->parent && (!pa || strcmp(pa, f->parent))))
        return 0;
    add_prev(f->en, f->txn, val);
    pv_push(f->out, summary(val));
    return 0;
}

static int by_rank(const void *x, const void *y)
{
    const pv *a = *(pv *const *)x, *b = *(pv *const *)y;
    int c = strcmp(pv_get_str(a, "level"), pv_get_str(b, "level"));
    if (!c)
        c = strcmp(pv_get_str(a, "parent"), pv_get_str(b, "parent"));
    if (!c)
        c = (int)(pv_get_int(a, "rank", 0) - pv_get_int(b, "rank", 0));
    if (!c)
        c = strcmp(pv_get_str(a, "unit"), pv_get_str(b, "unit"));
    return c;
}

typedef struct {
    const char *task;
    const pv *done; /* the first report of it done */
    char period[8];
} done_find;

static int find_done(void *ctx, const char *key, size_t klen, pv *val)
{
    done_find *d = ctx;
    /* unit|year|period|task|id */
    char k[512];
    snprintf(k, sizeof k, "%.*s", (int)klen, key);
    char *parts[5] = {0};
    int n = 0;
    for (char *p = k, *save = NULL, *t = strtok_r(p, "|", &save); t && n < 5; t = strtok_r(NULL, "|", &save))
        parts[n++] = t;
    const char *v = pv_get_str(val, "value");
    if (n == 5 && !strcmp(parts[3], "task") && !strcmp(parts[4], d->task) && v && !strcmp(v, "done") && !d->done) {
        d->done = pv_copy(val);
        str_copy(d->period, sizeof d->period, parts[2]);
    }
    return 0;
}

/* The unit's tasks with a dated deadline, and their state on day `today`: done,
 * done late, overdue, or open. */
static int unit_tasks(engine *en, MDB_txn *txn, const pv *args, pv **data, par_err *e)
{
    const char *unit = pv_get_str(args, "unit"), *today = pv_get_str(args, "today");
    if (!unit || !today) {
        err_set(e, "the tasks query needs unit and today");
        return -1;
    }
    pv *out = pv_arr();
    MDB_cursor *cur;
    if (mdb_cursor_open(txn, db(en, S_LEAD), &cur) == 0) {
        MDB_val k = {strlen(unit), (void *)unit}, v;
        for (int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
            char id[128];
            snprintf(id, sizeof id, "%.*s", (int)v.mv_size, (char *)v.mv_data);
            pv *t = NULL;
            if (store_get_pv(txn, db(en, S_TASKS), id, &t) != 1)
                continue;
            const char *kind = pv_get_str(t, "deadline_kind"), *at = pv_get_str(t, "deadline_at");
            if (!kind || strcmp(kind, "date") || !at) {
                pv_free(t);
                continue;
            }
            char prefix[160];
            snprintf(prefix, sizeof prefix, "%s|", unit);
            done_find d = {id, NULL, ""};
            store_scan(txn, db(en, S_SUBS), prefix, find_done, &d);
            pv *o = pv_map();
            const char *keys[] = {"id", "plan", "task", "target", "index", "criterion", "deadline", "deadline_at"};
            for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
                pv_set_str(o, keys[i], pv_get_str(t, keys[i]) ? pv_get_str(t, keys[i]) : "");
            const char *state;
            if (d.done) {
                const char *day = pv_get_str(d.done, "date");
                if (!day || !*day)
                    day = pv_get_str(d.done, "received");
                char done_on[11];
                snprintf(done_on, sizeof done_on, "%s", day ? day : "");
                pv_set_str(o, "done_on", done_on);
                state = strcmp(done_on, at) > 0 ? "late" : "done";
            } else {
                state = strcmp(today, at) > 0 ? "overdue" : "open";
            }
            pv_set_str(o, "state", state);
            pv_push(out, o);
            pv_free((pv *)d.done);
            pv_free(t);
        }
        mdb_cursor_close(cur);
    }
    *data = out;
    return 0;
}

int engine_query(engine *en, const pv *msg, pv **data, par_err *e)
{
    const char *q = pv_get_str(msg, "q");
    const pv *args = pv_get(msg, "args");
    if (!strcmp(q, "backup"))
        return engine_backup(en, pv_get_str(args, "dir"), data, e);
    if (!strcmp(q, "tasks")) {
        MDB_txn *txn;
        if (store_begin(en->s, MDB_RDONLY, &txn, e) < 0)
            return -1;
        int rc = unit_tasks(en, txn, args, data, e);
        mdb_txn_abort(txn);
        return rc;
    }
    const char *index = pv_get_str(args, "index"), *year = pv_get_str(args, "year");
    int64_t y;
    if (!index || !year || str_to_i64(year, &y) < 0) {
        err_set(e, "the %s query needs index and year", q);
        return -1;
    }
    MDB_txn *txn;
    if (store_begin(en->s, MDB_RDONLY, &txn, e) < 0)
        return -1;
    int rc = 0;
    if (!strcmp(q, "scores")) {
        char prefix[128];
        snprintf(prefix, sizeof prefix, "%s|%lld|", index, (long long)y);
        filter f = {en, txn, pv_get_str(args, "level"), pv_get_str(args, "parent"), pv_arr()};
        store_scan(txn, db(en, S_RESULTS), prefix, take_result, &f);
        if (f.out->u.a.n > 1)
            qsort(f.out->u.a.v, f.out->u.a.n, sizeof(pv *), by_rank);
        *data = f.out;
    } else if (!strcmp(q, "result")) {
        const char *unit = pv_get_str(args, "unit");
        char key[256];
        snprintf(key, sizeof key, "%s|%lld|%s", index, (long long)y, unit ? unit : "");
        pv *r = NULL;
        if (!unit || store_get_pv(txn, db(en, S_RESULTS), key, &r) != 1) {
            err_set(e, "no %s %lld result for unit %s", index, (long long)y, unit ? unit : "(none given)");
            rc = -1;
        } else {
            add_prev(en, txn, r);
            *data = r;
        }
    } else {
        err_set(e, "the scorer has no query '%s' (scores, result, tasks, backup)", q);
        rc = -1;
    }
    mdb_txn_abort(txn);
    return rc;
}

pv *engine_stats(engine *en)
{
    pv *info = pv_map();
    MDB_txn *txn;
    par_err e;
    if (store_begin(en->s, MDB_RDONLY, &txn, &e) == 0) {
        MDB_stat st;
        if (mdb_stat(txn, db(en, S_RESULTS), &st) == 0)
            pv_set_int(info, "results", (int64_t)st.ms_entries);
        mdb_txn_abort(txn);
    }
    store_usage(en->s, info);
    return info;
}

void engine_dump(engine *en, sbuf *out)
{
    MDB_txn *txn;
    par_err e;
    if (store_begin(en->s, MDB_RDONLY, &txn, &e) < 0)
        return;
    int dbs[] = {S_RESULTS, S_GROUPS};
    for (int i = 0; i < 2; i++) {
        MDB_cursor *cur;
        if (mdb_cursor_open(txn, db(en, dbs[i]), &cur))
            continue;
        MDB_val k, v;
        for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            sbuf_add(out, k.mv_data, k.mv_size);
            sbuf_add(out, "=", 1);
            sbuf_add(out, v.mv_data, v.mv_size);
            sbuf_add(out, "\n", 1);
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
}
