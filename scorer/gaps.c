#include "gaps.h"
#include "compute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the unit's submissions say of one index in every year: targets, place targets,
 * places, and which parents were published whole. */
typedef struct {
    const char *index;
    size_t ilen;
    int year;
    pv *target;      /* key id -> {value, year}: the nearest year at or after `year` */
    pv *rank_target; /* likewise */
    pv *rank;        /* key id -> "44/63", of `year` */
    pv *official;    /* key id -> 1: a survey value of `year` stands for the node */
} facts;

/* Keeps v for id when its year is nearer to f->year than what is held. */
static void keep_nearest(pv *map, const char *id, const char *value, int year)
{
    const pv *held = pv_get(map, id);
    if (held && pv_get_int(held, "year", 0) <= year)
        return;
    pv *x = pv_map();
    pv_set_str(x, "value", value);
    pv_set_int(x, "year", year);
    pv_set(map, id, x);
}

static int collect_fact(void *ctx, const char *key, size_t klen, pv *val)
{
    facts *f = ctx;
    /* unit|year|period|kind|INDEX:id */
    char k[512], *part[5];
    int n = 0;
    if (klen >= sizeof k)
        return 0;
    memcpy(k, key, klen);
    k[klen] = '\0';
    for (char *save = NULL, *t = strtok_r(k, "|", &save); t && n < 5; t = strtok_r(NULL, "|", &save))
        part[n++] = t;
    const char *value = pv_get_str(val, "value");
    if (n < 5 || strcmp(part[2], "Y") || !value || strncmp(part[4], f->index, f->ilen) || part[4][f->ilen] != ':')
        return 0;
    int year = atoi(part[1]);
    const char *id = part[4] + f->ilen + 1, *kind = part[3];
    if (!strcmp(kind, "target") && year >= f->year)
        keep_nearest(f->target, id, value, year);
    else if (!strcmp(kind, "rank_target") && year >= f->year)
        keep_nearest(f->rank_target, id, value, year);
    else if (!strcmp(kind, "rank") && year == f->year)
        pv_set_str(f->rank, id, value);
    else if (!strcmp(kind, "survey") && year == f->year)
        pv_set(f->official, id, pv_bool(1));
    return 0;
}

typedef struct {
    const char *task;
    char done_on[11];
} done_find;

static int find_done(void *ctx, const char *key, size_t klen, pv *val)
{
    done_find *d = ctx;
    size_t tl = strlen(d->task);
    /* ...|task|ID, done: the earliest report of it done, on the day it counts from (as
     * `duties` and the notifier say) */
    if (klen > tl + 6 && !memcmp(key + klen - tl - 6, "|task|", 6) && !memcmp(key + klen - tl, d->task, tl) &&
        compute_is_done(val)) {
        char day[11];
        compute_sent_day(val, day);
        if (!d->done_on[0] || strcmp(day, d->done_on) < 0)
            memcpy(d->done_on, day, sizeof day);
    }
    return 0;
}

typedef struct {
    MDB_txn *txn;
    store *s;
    const char *index, *unit;
    pv *tasks; /* criterion id ("" for none known) -> array of tasks */
} task_find;

/* Whether u is top or below it in the replica's tree: the tasks of a unit's own plans. */
static int below(MDB_txn *txn, store *s, const char *u, const char *top)
{
    char id[64];
    str_copy(id, sizeof id, u);
    for (int depth = 0; depth < 64; depth++) {
        if (!strcmp(id, top))
            return 1;
        pv *x = NULL;
        const char *p = store_get_pv(txn, store_dbi(s, S_UNITS), id, &x) == 1 ? pv_get_str(x, "parent") : NULL;
        int more = p && *p && strcmp(p, id);
        if (more)
            str_copy(id, sizeof id, p);
        pv_free(x);
        if (!more)
            return 0;
    }
    return 0;
}

static int collect_task(void *ctx, const char *key, size_t klen, pv *val)
{
    (void)key;
    (void)klen;
    task_find *tf = ctx;
    const char *index = pv_get_str(val, "index"), *crit = pv_get_str(val, "criterion");
    if (!index || strcmp(index, tf->index))
        return 0;
    const char *id = pv_get_str(val, "id"), *lead = pv_get_str(val, "lead");
    if (!lead || !below(tf->txn, tf->s, lead, tf->unit))
        return 0;
    pv *t = pv_map();
    const char *keys[] = {"id", "plan", "task", "target", "lead", "deadline", "deadline_at"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        pv_set_str(t, keys[i], pv_get_str(val, keys[i]) ? pv_get_str(val, keys[i]) : "");
    pv *u = NULL;
    if (lead && store_get_pv(tf->txn, store_dbi(tf->s, S_UNITS), lead, &u) == 1 && pv_get_str(u, "name"))
        pv_set_str(t, "lead_name", pv_get_str(u, "name"));
    pv_free(u);
    done_find d = {id ? id : "", ""};
    char prefix[80];
    snprintf(prefix, sizeof prefix, "%s|", lead ? lead : "");
    if (lead && id)
        store_scan(tf->txn, store_dbi(tf->s, S_SUBS), prefix, find_done, &d);
    pv_set(t, "done", pv_bool(d.done_on[0] != 0));
    if (d.done_on[0])
        pv_set_str(t, "done_on", d.done_on);
    pv *list = (pv *)pv_get(tf->tasks, crit ? crit : "");
    if (!list) {
        list = pv_arr();
        pv_set(tf->tasks, crit ? crit : "", list);
    }
    pv_push(list, t);
    return 0;
}

/* "20-30/63" as numbers; 0 when it is not one. */
static int rank_range(const char *v, int *lo, int *hi)
{
    return v && (sscanf(v, "%d-%d", lo, hi) == 2);
}

/* One row: the node's figures beside its targets and its tasks. */
static pv *row_of(const facts *f, const pv *node, const char *id, const pv *tasks, int *off)
{
    pv *r = pv_map();
    pv_set_str(r, "id", id);
    pv_set_str(r, "name", pv_get_str(node, "name") ? pv_get_str(node, "name") : "");
    int depth = 0;
    for (const char *p = id; *p; p++)
        depth += *p == '.';
    pv_set_int(r, "depth", strcmp(id, "total") ? depth + 1 : 0);
    const pv *sc = pv_get(node, "score"), *mx = pv_get(node, "max");
    double score = sc && sc->t == PV_FLOAT ? sc->u.f : 0, max = mx && mx->t == PV_FLOAT ? mx->u.f : 0;
    pv_set(r, "score", pv_float(score));
    pv_set(r, "max", pv_float(max));
    /* a leaf's survey value is the survey itself; a parent's, a figure published whole */
    pv_set(r, "official", pv_bool(!pv_get(node, "method") && pv_get(f->official, id) != NULL));
    const char *rank = pv_get_str(f->rank, id);
    int place = 0, of = 0, behind = 0;
    if (rank && sscanf(rank, "%d/%d", &place, &of) == 2) {
        pv_set_int(r, "rank", place);
        pv_set_int(r, "of", of);
    }
    const pv *tg = pv_get(f->target, id), *rt = pv_get(f->rank_target, id);
    if (tg) {
        double target = strtod(pv_get_str(tg, "value"), NULL);
        pv_set(r, "target", pv_float(target));
        pv_set_int(r, "target_year", pv_get_int(tg, "year", 0));
        pv_set(r, "gap", pv_float(target - score));
        behind |= score + 1e-9 < target;
    }
    int lo, hi;
    if (rt && rank_range(pv_get_str(rt, "value"), &lo, &hi)) {
        pv_set_str(r, "rank_target", pv_get_str(rt, "value"));
        pv_set_int(r, "rank_target_from", lo);
        pv_set_int(r, "rank_target_to", hi);
        if (!tg)
            pv_set_int(r, "target_year", pv_get_int(rt, "year", 0));
        behind |= place > hi;
    }
    if (tg || rt) {
        pv_set(r, "on_track", pv_bool(!behind));
        if (off)
            *off += behind;
    }
    const pv *linked = pv_get(tasks, id);
    pv_set(r, "tasks", linked ? pv_copy(linked) : pv_arr());
    return r;
}

int gaps_unit(MDB_txn *txn, store *s, const compute_rules *rules, const char *index, int year, const pv *unit,
              pv **out)
{
    *out = NULL;
    pv *res = NULL;
    if (compute_result(txn, s, rules, index, year, unit, &res) < 0)
        return -1;
    if (!res)
        return 0;
    const char *uid = pv_get_str(unit, "id");
    facts f = {index, strlen(index), year, pv_map(), pv_map(), pv_map(), pv_map()};
    task_find tf = {txn, s, index, uid, pv_map()};
    char prefix[80];
    snprintf(prefix, sizeof prefix, "%s|", uid);
    int rc = -1;
    if (store_scan(txn, store_dbi(s, S_SUBS), prefix, collect_fact, &f) < 0 ||
        store_scan(txn, store_dbi(s, S_TASKS), "", collect_task, &tf) < 0)
        goto done;
    const pv *crits = pv_get(res, "criteria");
    /* a task naming no criterion of this framework: the index as a whole */
    pv *whole = pv_arr();
    for (uint32_t i = 0; i < tf.tasks->u.m.n; i++) {
        const char *crit = tf.tasks->u.m.kv[i].k;
        int known = 0;
        for (uint32_t k = 0; crits && k < crits->u.a.n && !known; k++)
            known = !strcmp(pv_get_str(crits->u.a.v[k], "id"), crit);
        const pv *list = tf.tasks->u.m.kv[i].v;
        for (uint32_t k = 0; !known && k < list->u.a.n; k++)
            pv_push(whole, pv_copy(list->u.a.v[k]));
    }
    pv_set(tf.tasks, "total", whole);
    int off = 0;
    pv *rows = pv_arr(), *o = pv_map();
    pv *top = pv_map();
    pv_set_str(top, "name", "");
    pv_set(top, "score", pv_float(pv_get(res, "total")->u.f));
    pv_set(top, "max", pv_float(pv_get(res, "max")->u.f));
    pv_push(rows, row_of(&f, top, "total", tf.tasks, NULL)); /* off_track counts the sub-indices */
    pv_free(top);
    for (uint32_t k = 0; crits && k < crits->u.a.n; k++) {
        const pv *c = crits->u.a.v[k];
        pv_push(rows, row_of(&f, c, pv_get_str(c, "id"), tf.tasks, &off));
    }
    pv_set_str(o, "unit", uid);
    pv_set_str(o, "name", pv_get_str(unit, "name") ? pv_get_str(unit, "name") : "");
    pv_set_str(o, "index", index);
    pv_set_int(o, "year", year);
    pv_set_int(o, "off_track", off);
    pv_set(o, "percent", pv_bool(pv_get_bool(res, "percent", 0)));
    pv_set(o, "rows", rows);
    *out = o;
    rc = 0;
done:
    pv_free(res);
    pv_free(f.target);
    pv_free(f.rank_target);
    pv_free(f.rank);
    pv_free(f.official);
    pv_free(tf.tasks);
    return rc;
}
