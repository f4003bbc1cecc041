#include "engine.h"
#include "compute.h"
#include "gaps.h"
#include "model.h"
#include "replica.h"
#include "../common/clock.h"
#include "../common/log.h"
#include "../common/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct engine {
    store *s;
    model *m;
    uint64_t seq;
    uint64_t bulk; /* 1 while changes are only copied (engine_begin_bulk) */
    compute_rules rules; /* when a report is on time (the owner keeps the calendar) */
    int merged_prev;     /* CONF_MERGED_*: kept to be given to a new model (engine_reset) */
    /* Changes applied to memory and to the replica but not yet committed: the record is
     * already durable in the collector, so the replica's commit can wait for later ones
     * (engine_set_commit_ms), and queries read through this transaction meanwhile. */
    store_txn open;     /* open.txn NULL: nothing waits */
    int64_t open_since; /* monotonic ms of its first batch */
    int open_batches;   /* batches memory has taken from the open transaction */
    int commit_ms;
    int failing; /* the last commit failed: each batch is committed before memory takes it */
    int stale;   /* memory is not the replica's (a reload or a reset failed): no answers, and
                  * reloaded before the next batch */
    int went_back; /* seq went down since engine_went_back last said so */
};

/* The rules changed after the replica was loaded (par-scorer sets them after opening):
 * every result again by them, or a restarted scorer would rank by the defaults until each
 * unit is touched (its explanation, computed when asked, would already follow them). */
static void rules_changed(engine *en)
{
    if (!en->bulk)
        model_recompute_all(en->m);
}

void engine_set_merged_prev(engine *en, int rule)
{
    en->merged_prev = rule;
    model_set_merged_prev(en->m, rule);
    rules_changed(en);
}

const char *engine_unit_end(engine *en, const char *unit)
{
    return model_unit_end(en->m, unit);
}

void engine_set_calendar(engine *en, const calendar *cal)
{
    en->rules.cal = cal;
    model_set_calendar(en->m, cal);
    rules_changed(en);
}

void engine_set_report_days(engine *en, dl_days days)
{
    en->rules.report_days = days;
    model_set_report_days(en->m, days);
    rules_changed(en);
}

static MDB_dbi db(engine *en, int i)
{
    return store_dbi(en->s, i);
}

/* A stored unit as it stood in year's tree: a report of a past year names the parent
 * and peers of that year, not those of today. */
static void unit_of_year(engine *en, pv *u, int year)
{
    const char *parent, *level;
    if (u && model_unit_year(en->m, pv_get_str(u, "id") ? pv_get_str(u, "id") : "", year, &parent, &level)) {
        pv_set_str(u, "parent", parent);
        pv_set_str(u, "level", level);
    }
}

/* Empties the databases [from, to). */
typedef struct {
    engine *en;
    int from, to;
} drop_range;

static int drop_dbs(store_txn *t, void *ctx, par_err *e)
{
    (void)e;
    drop_range *d = ctx;
    for (int i = d->from; i < d->to && !t->rc; i++)
        store_txn_check(t, mdb_drop(t->txn, db(d->en, i), 0), "empty a database");
    return t->rc ? -1 : 0;
}

/* A new, empty model that judges as the old one did. */
static void new_model(engine *en)
{
    model_destroy(&en->m);
    en->m = model_new();
    model_set_calendar(en->m, en->rules.cal);
    model_set_report_days(en->m, en->rules.report_days);
    model_set_merged_prev(en->m, en->merged_prev);
}

/* Empties what older versions stored (results and their groups), then loads the
 * replica into memory with its sequence number and mode and, unless loading in bulk,
 * computes every result. */
static int load(engine *en, par_err *e)
{
    drop_range retired = {en, S_RESULTS, S_GROUPS + 1};
    MDB_txn *txn;
    if (store_begin(en->s, MDB_RDONLY, &txn, e) < 0)
        return -1;
    /* written only when there is something to empty: a start on a full disk must not fail */
    MDB_stat st[2];
    if (mdb_stat(txn, db(en, S_RESULTS), &st[0]) || mdb_stat(txn, db(en, S_GROUPS), &st[1]) ||
        st[0].ms_entries + st[1].ms_entries) {
        mdb_txn_abort(txn);
        if (store_write(en->s, drop_dbs, &retired, e) < 0 || store_begin(en->s, MDB_RDONLY, &txn, e) < 0)
            return -1;
    }
    en->seq = store_get_u64(txn, db(en, S_STATE), "seq");
    en->bulk = store_get_u64(txn, db(en, S_STATE), "bulk");
    int rc = replica_load(txn, en->s, en->m);
    mdb_txn_abort(txn);
    store_release_pages(en->s);
    if (rc < 0) {
        err_set(e, "the scorer's replica cannot be read");
        return -1;
    }
    if (en->bulk)
        model_forget_changes(en->m);
    else
        model_recompute_all(en->m);
    return 0;
}

int engine_open(engine **out, const char *dir, size_t map, par_err *e)
{
    engine *en = xcalloc(1, sizeof *en);
    if (store_open(&en->s, dir, replica_db_names(), replica_db_dups(), S_COUNT, SCORER_SCHEMA, map, e) < 0) {
        free(en);
        return -1;
    }
    en->m = model_new();
    en->rules.report_days = dl_days_all(MODEL_REPORT_DAY);
    if (load(en, e) < 0) {
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
    par_err e = {{0}};
    /* what cannot be committed now, a restart takes from the collector again */
    if (en->open.txn && store_txn_commit(&en->open, &e) < 0)
        log_error("event=commit_failed error=\"%s\"", e.msg);
    model_destroy(&en->m);
    store_close(en->s);
    free(en);
}

uint64_t engine_seq(engine *en)
{
    return en->seq;
}

void engine_set_commit_ms(engine *en, int ms)
{
    en->commit_ms = ms;
}

/* After a failed write or commit, memory holds changes the replica does not: both go
 * back to what the replica has committed, and the collector is asked again from there. */
static int reload(engine *en, par_err *e)
{
    store_txn_abort(&en->open);
    en->open_batches = 0;
    en->stale = 1;
    en->went_back = 1;
    new_model(en);
    if (load(en, e) < 0)
        return -1;
    en->stale = 0;
    log_info("event=reloaded seq=%llu", (unsigned long long)en->seq);
    return 0;
}

/* Commits the open transaction (or, holding an error, gives it up). On failure: the
 * error in e, the map grown if it was full, memory taken back to the replica when it
 * had taken anything from the transaction, and the batches after committed one by one
 * until a commit succeeds again (a full disk costs one reload, not one a retry). */
static int end_open(engine *en, par_err *e)
{
    int taken = en->open_batches;
    en->open_batches = 0;
    if (store_txn_commit(&en->open, e) == 0) { /* with an error held, this aborts and says it */
        en->failing = 0;
        return 0;
    }
    int full = en->open.rc == MDB_MAP_FULL;
    if (!full) /* a full map is grown: that alone does not make the next batch commit at once */
        en->failing = 1;
    par_err again = {{0}};
    if (full && store_grow(en->s, &again) < 0)
        log_error("event=grow_failed error=\"%s\"", again.msg);
    if (taken && reload(en, &again) < 0)
        log_error("event=reload_failed error=\"%s\"", again.msg);
    return -1;
}

int engine_went_back(engine *en)
{
    int was = en->went_back;
    en->went_back = 0;
    return was;
}

void engine_fail_commits(engine *en, int n, int rc)
{
    store_fail_commits(en->s, n, rc);
}

int engine_commit(engine *en, par_err *e)
{
    return en->open.txn ? end_open(en, e) : 0;
}

int engine_commit_in(engine *en, int64_t now)
{
    if (!en->open.txn)
        return -1;
    int64_t left = en->open_since + en->commit_ms - now;
    return left > 0 ? (int)left : 0;
}

/* A transaction to read what memory holds: the open one, else a new reader. */
static int reader(engine *en, MDB_txn **txn, par_err *e)
{
    if (en->open.txn) {
        *txn = en->open.txn;
        return 0;
    }
    return store_begin(en->s, MDB_RDONLY, txn, e);
}

static void reader_end(engine *en, MDB_txn *txn)
{
    if (txn != en->open.txn)
        mdb_txn_abort(txn);
}

/* store_write for the engine: what waits is committed first, as LMDB has one writer. */
static int write_now(engine *en, store_fn fn, void *ctx, par_err *e)
{
    if (engine_commit(en, e) < 0)
        return -1;
    return store_write(en->s, fn, ctx, e);
}

static int write_seq(engine *en, MDB_txn *txn, uint64_t seq)
{
    return store_put_u64(txn, db(en, S_STATE), "seq", seq);
}

static pv *score_event(engine *en, const char *key)
{
    char index[64], unit[128];
    int year;
    model_result r;
    if (sscanf(key, "%63[^|]|%d|%127s", index, &year, unit) != 3 || !model_get(en->m, index, year, unit, &r))
        return NULL;
    pv *ev = proto_msg(MSG_EVENT), *row = pv_map();
    char buf[64];
    pv_set_int(ev, "seq", (int64_t)en->seq);
    pv_set_str(ev, "what", "score");
    pv_set_str(row, "unit", unit);
    pv_set_str(row, "index", index);
    snprintf(buf, sizeof buf, "%d", year);
    pv_set_str(row, "year", buf);
    snprintf(buf, sizeof buf, "%.4f", r.total);
    pv_set_str(row, "total", buf);
    snprintf(buf, sizeof buf, "%d", r.rank);
    pv_set_str(row, "rank", buf);
    snprintf(buf, sizeof buf, "%d", r.of);
    pv_set_str(row, "of", buf);
    pv_set(ev, "row", row);
    pv_set_str(ev, "received", "");
    pv_set_str(ev, "sender", "scorer");
    return ev;
}

/* The events after seq that follow on without a gap: [0, *n) of events. */
static int next_events(engine *en, const event_batch *events, uint32_t *n, uint64_t *last)
{
    uint64_t seq = en->seq;
    int gap = 0;
    uint32_t i = 0;
    for (; i < events->n; i++) {
        const event_view *ev = &events->v[i];
        if (ev->type == EV_SCORE || ev->seq <= seq)
            continue;
        if (ev->seq != seq + 1) {
            gap = 1;
            break;
        }
        seq = ev->seq;
    }
    *n = i;
    *last = seq;
    return gap;
}

/* Whether ev is the next change after *seq (which it then advances). */
static int applies(const event_view *ev, uint64_t *seq)
{
    if (ev->type == EV_SCORE || ev->seq != *seq + 1)
        return 0;
    (*seq)++;
    return 1;
}

typedef struct {
    engine *en;
    const event_batch *events;
    uint32_t n;
    uint64_t seq;
    sbuf scratch;
} batch;

/* The replica's part of a batch, in the open transaction. */
static void apply_batch(store_txn *t, batch *b)
{
    uint64_t at = b->en->seq;
    for (uint32_t i = 0; i < b->n && !t->rc; i++)
        if (applies(&b->events->v[i], &at))
            store_txn_check(t, replica_apply(t->txn, b->en->s, &b->events->v[i], &b->scratch), "apply changes");
    if (!t->rc)
        store_txn_check(t, write_seq(b->en, t->txn, b->seq), "apply changes");
}

int engine_apply(engine *en, const event_batch *events, pv **scores, par_err *e)
{
    *scores = NULL;
    if (en->stale && reload(en, e) < 0)
        return -1;
    uint32_t n;
    uint64_t seq;
    int gap = next_events(en, events, &n, &seq);
    if (seq == en->seq) {
        *scores = pv_arr();
        return gap;
    }
    /* memory follows the replica's transaction, committed first when it is time (or
     * while commits fail); a commit that fails later takes memory back with it. A map
     * that fills, in the writing or in the commit, with nothing else waiting, is grown
     * and the batch written again at once (store_write's rule). */
    batch b = {en, events, n, seq, {0}};
    sbuf_init(&b.scratch);
    int rc = 0;
    for (int attempt = 0;; attempt++) {
        if (!en->open.txn) {
            if ((rc = store_txn_begin(en->s, &en->open, 1, e)) < 0)
                break;
            en->open_since = clock_mono_ms();
        }
        apply_batch(&en->open, &b);
        if (!en->open.rc && en->commit_ms && !en->failing && engine_commit_in(en, clock_mono_ms()) != 0) {
            en->open_batches++; /* it waits for the commit's time */
            break;
        }
        int alone = !en->open_batches;
        par_err why = {{0}};
        if ((rc = end_open(en, &why)) == 0)
            break;
        if (en->open.rc != MDB_MAP_FULL || !alone || attempt) {
            *e = why;
            break;
        }
    }
    sbuf_free(&b.scratch);
    if (rc < 0)
        return -1;
    uint64_t at = en->seq;
    for (uint32_t i = 0; i < n; i++)
        if (applies(&events->v[i], &at))
            model_apply(en->m, &events->v[i]);
    en->seq = seq;
    pv *out = pv_arr();
    if (en->bulk) {
        model_forget_changes(en->m); /* in bulk mode the results wait for one recomputation */
    } else {
        strset moved;
        strset_init(&moved);
        model_settle(en->m, &moved);
        for (size_t i = 0; i < moved.n; i++) {
            pv *ev = score_event(en, moved.items[i]);
            if (ev)
                pv_push(out, ev);
        }
        strset_free(&moved);
    }
    *scores = out;
    return gap;
}

static int put_bulk(store_txn *t, void *ctx, par_err *e)
{
    (void)e;
    engine *en = ctx;
    return store_txn_check(t, store_put_u64(t->txn, db(en, S_STATE), "bulk", en->bulk), "bulk mode");
}

/* The mode is kept in the store, so that a restart goes on with it. */
static int set_bulk(engine *en, uint64_t on, par_err *e)
{
    uint64_t was = en->bulk;
    en->bulk = on;
    if (write_now(en, put_bulk, en, e) < 0) {
        en->bulk = was;
        return -1;
    }
    return 0;
}

int engine_recompute_all(engine *en, par_err *e)
{
    model_recompute_all(en->m);
    return set_bulk(en, 0, e);
}

int engine_begin_bulk(engine *en, par_err *e)
{
    return set_bulk(en, 1, e);
}

int engine_in_bulk(const engine *en)
{
    return en->bulk != 0;
}

int engine_reset(engine *en, par_err *e)
{
    drop_range all = {en, 0, S_COUNT};
    store_txn_abort(&en->open); /* everything goes */
    en->open_batches = 0;
    if (store_write(en->s, drop_dbs, &all, e) < 0) {
        en->stale = 1; /* memory may hold what was just given up: reloaded before the next batch */
        return -1;
    }
    en->failing = 0; /* the disk took a write */
    en->seq = 0;
    en->bulk = 0;
    en->stale = 0;
    en->went_back = 1;
    new_model(en);
    return 0;
}

int engine_backup(engine *en, const char *dir, pv **data, par_err *e)
{
    if (engine_commit(en, e) < 0) /* the copy holds what queries show */
        return -1;
    return store_backup_into(en->s, dir, "scorer", en->seq, data, e);
}

/* ---------- queries ---------- */

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

static int may_see(engine *en, const char *mine, const char *unit, const char *index, int year);

/* The points lost on the criteria one unit answers for (the framework's owner column),
 * across every unit with a result, for the owner's department to act on: each loss with
 * its unit and reason, and the sum per criterion. mine: a unit key's unit (its view), or
 * NULL. */
static int owner_losses(engine *en, MDB_txn *txn, const char *index, int year, const char *owner, const char *mine,
                        pv **data, par_err *e)
{
    if (!owner || !*owner) {
        err_set(e, "the owner query needs the owner's unit id");
        return -1;
    }
    pv *ranking = model_scores(en->m, index, year, NULL, NULL), *losses = pv_arr(), *per = pv_map();
    double total = 0;
    for (uint32_t i = 0; i < ranking->u.a.n; i++) {
        const char *unit = pv_get_str(ranking->u.a.v[i], "unit");
        pv *u = NULL, *r = NULL;
        if (!unit || (mine && !may_see(en, mine, unit, index, year)) ||
            store_get_pv(txn, db(en, S_UNITS), unit, &u) != 1 || (unit_of_year(en, u, year), 0) ||
            compute_result(txn, en->s, &en->rules, index, year, u, &r) < 0 ||
            !r) {
            pv_free(u);
            continue;
        }
        const pv *deds = pv_get(r, "deductions");
        for (uint32_t k = 0; deds && k < deds->u.a.n; k++) {
            const pv *d = deds->u.a.v[k];
            const char *o = pv_get_str(d, "owner");
            if (!o || strcmp(o, owner))
                continue;
            pv *x = pv_copy(d);
            pv_set_str(x, "unit", unit);
            pv_set_str(x, "unit_name", pv_get_str(u, "name") ? pv_get_str(u, "name") : "");
            const pv *lv = pv_get(d, "lost");
            double lost = lv && lv->t == PV_FLOAT ? lv->u.f : 0;
            total += lost;
            const pv *sum = pv_get(per, pv_get_str(d, "id"));
            pv_set(per, pv_get_str(d, "id"), pv_float((sum ? sum->u.f : 0) + lost));
            pv_push(losses, x);
        }
        pv_free(r);
        pv_free(u);
    }
    pv_free(ranking);
    pv *out = pv_map(), *ou = NULL;
    pv_set_str(out, "owner", owner);
    /* the department by name, as its officials read it (parctl scores --owner) */
    const char *oname = store_get_pv(txn, db(en, S_UNITS), owner, &ou) == 1 ? pv_get_str(ou, "name") : NULL;
    pv_set_str(out, "owner_name", oname ? oname : "");
    pv_free(ou);
    pv_set_str(out, "index", index);
    pv_set_int(out, "year", year);
    pv_set(out, "lost", pv_float(total));
    pv_set(out, "by_criterion", per);
    pv_set(out, "losses", losses);
    *data = out;
    return 0;
}

/* The units a per-unit answer covers: the unit asked, or every unit with a result for
 * the index and year (keep: which of those count, NULL for all). */
static pv *units_asked(engine *en, const char *index, int year, const char *unit,
                       int (*keep)(model *, const char *, const char *, int))
{
    pv *units = pv_arr();
    if (unit && *unit) {
        pv_push(units, pv_str(unit));
        return units;
    }
    pv *ranking = model_scores(en->m, index, year, NULL, NULL);
    for (uint32_t i = 0; i < ranking->u.a.n; i++)
        if (!keep || keep(en->m, pv_get_str(ranking->u.a.v[i], "unit"), index, year))
            pv_push(units, pv_str(pv_get_str(ranking->u.a.v[i], "unit")));
    pv_free(ranking);
    return units;
}

/* One unit's answer of a per-unit question (compute_duties, gaps_unit). */
typedef int (*unit_answer)(MDB_txn *txn, store *s, const compute_rules *rules, const char *index, int year,
                           const pv *unit, pv **out);

/* The answers of fn for each of units that this sender (mine: a unit key's unit, or NULL)
 * may see; keep (may be NULL) drops the answers of units with nothing to show unless the
 * unit was asked by name. what names the question in errors. */
static int per_unit(engine *en, MDB_txn *txn, const char *index, int year, pv *units, int asked, const char *mine,
                    unit_answer fn, int (*keep)(const pv *answer), const char *what, pv **data, par_err *e)
{
    pv *out = pv_arr();
    int rc = 0;
    for (uint32_t i = 0; i < units->u.a.n && rc == 0; i++) {
        const char *id = units->u.a.v[i]->u.s.p;
        pv *u = NULL, *d = NULL;
        if (mine && !may_see(en, mine, id, index, year)) {
            if (asked) {
                err_set(e, "unit %s is neither %s nor below it, and its %s %d results are not published: this key may "
                           "not read its %s",
                        id, mine, index, year, what);
                rc = -1;
            }
        } else if (store_get_pv(txn, db(en, S_UNITS), id, &u) != 1) {
            if (asked) {
                err_set(e, "unknown unit %s", id);
                rc = -1;
            }
        } else if ((unit_of_year(en, u, year), fn(txn, en->s, &en->rules, index, year, u, &d)) < 0) {
            err_set(e, "cannot read the scorer's store for the %s of %s", what, id);
            rc = -1;
        } else if (d && (asked || !keep || keep(d))) {
            pv_push(out, d);
            d = NULL;
        }
        pv_free(d);
        pv_free(u);
    }
    pv_free(units);
    if (rc < 0) {
        pv_free(out);
        return -1;
    }
    *data = out;
    return 0;
}

static int owes_reports(const pv *answer)
{
    const pv *cs = pv_get(answer, "criteria");
    for (uint32_t k = 0; cs && k < cs->u.a.n; k++)
        if (pv_get_int(cs->u.a.v[k], "due", 0) > 0)
            return 1;
    return 0;
}

/* Each unit's reporting duties of the year (compute.h: compute_duties): the unit asked, or
 * every unit that owes reports. A unit that sent nothing owes its reports all the same:
 * every unit of a level the index has a framework for, not only those with a result. */
static int duties(engine *en, MDB_txn *txn, const char *index, int year, const char *unit, const char *mine, pv **data,
                  par_err *e)
{
    int asked = unit && *unit;
    pv *units = asked ? units_asked(en, index, year, unit, NULL) : model_framework_units(en->m, index, year);
    return per_unit(en, txn, index, year, units, asked, mine, compute_duties, owes_reports, "reporting duties", data, e);
}

/* Each unit's figures of an index against its targets (gaps.h): the unit asked, or
 * every unit with a result and a target that this sender may see. */
static int gaps(engine *en, MDB_txn *txn, const char *index, int year, const char *unit, const char *mine, pv **data,
                par_err *e)
{
    pv *units = units_asked(en, index, year, unit, model_has_targets);
    return per_unit(en, txn, index, year, units, unit && *unit, mine, gaps_unit, NULL, "gaps", data, e);
}

/* A unit key's view before publication: its own unit and those below it. */
static int unit_key(const char *sender, char *mine, size_t n)
{
    return service_sender_unit(sender, mine, n);
}

static int may_see(engine *en, const char *mine, const char *unit, const char *index, int year)
{
    return model_below(en->m, unit, mine) || model_published(en->m, index, year, model_level(en->m, unit));
}

/* The rows of a list (each with unit and year) that a unit key may see; frees the rest. */
static pv *visible_only(engine *en, const char *mine, const char *index, pv *all)
{
    pv *seen = pv_arr();
    for (uint32_t i = 0; i < all->u.a.n; i++) {
        const char *u = pv_get_str(all->u.a.v[i], "unit");
        if (u && may_see(en, mine, u, index, (int)pv_get_int(all->u.a.v[i], "year", 0))) {
            pv_push(seen, all->u.a.v[i]);
            all->u.a.v[i] = NULL;
        }
    }
    pv_free(all);
    return seen;
}

int engine_query(engine *en, const pv *msg, const char *sender, pv **data, par_err *e)
{
    char mine[64];
    int restricted = unit_key(sender ? sender : "", mine, sizeof mine);
    const char *q = pv_get_str(msg, "q");
    const pv *args = pv_get(msg, "args");
    if (en->stale) {
        err_set(e, "the scorer cannot read its own store at the moment (see its log); it tries again with the "
                   "next change");
        return -1;
    }
    if (!strcmp(q, "backup"))
        return engine_backup(en, pv_get_str(args, "dir"), data, e);
    if (!strcmp(q, "tasks")) {
        MDB_txn *txn;
        if (reader(en, &txn, e) < 0)
            return -1;
        int rc = unit_tasks(en, txn, args, data, e);
        reader_end(en, txn);
        return rc;
    }
    if (!strcmp(q, "years")) {
        const char *index = pv_get_str(args, "index"), *level = pv_get_str(args, "level");
        if (!index) {
            err_set(e, "the years query needs index");
            return -1;
        }
        const char *unit = pv_get_str(args, "unit");
        *data = model_years(en->m, index, level && *level ? level : NULL, unit && *unit ? unit : NULL);
        if (restricted) /* before publication, nobody else's figures */
            *data = visible_only(en, mine, index, *data);
        return 0;
    }
    const char *index = pv_get_str(args, "index"), *year = pv_get_str(args, "year");
    int64_t y;
    if (!index || !year || str_to_i64(year, &y) < 0) {
        err_set(e, "the %s query needs index and year", q);
        return -1;
    }
    MDB_txn *txn;
    if (reader(en, &txn, e) < 0)
        return -1;
    int rc = 0;
    if (!strcmp(q, "scores")) {
        *data = model_scores(en->m, index, (int)y, pv_get_str(args, "level"), pv_get_str(args, "parent"));
        if (restricted) /* before publication, nobody else's figures */
            *data = visible_only(en, mine, index, *data);
    } else if (!strcmp(q, "result")) {
        /* the explanation (deductions, reasons, names) is worked out for the unit asked */
        const char *unit = pv_get_str(args, "unit");
        pv *u = NULL, *r = NULL;
        model_result mr;
        if (restricted && unit && !may_see(en, mine, unit, index, (int)y)) {
            err_set(e, "unit %s is neither %s nor below it, and its %s %lld results are not published: this key may "
                       "not read them",
                    unit, mine, index, (long long)y);
            rc = -1;
        } else if (unit && model_get(en->m, index, (int)y, unit, &mr) &&
            store_get_pv(txn, db(en, S_UNITS), unit, &u) == 1 && (unit_of_year(en, u, (int)y), 1) &&
            compute_result(txn, en->s, &en->rules, index, (int)y, u, &r) == 0 && r) {
            model_decorate(en->m, r);
            *data = r;
        } else {
            err_set(e, "no %s %lld result for unit %s", index, (long long)y, unit ? unit : "(none given)");
            rc = -1;
        }
        pv_free(u);
    } else if (!strcmp(q, "duties")) {
        rc = duties(en, txn, index, (int)y, pv_get_str(args, "unit"), restricted ? mine : NULL, data, e);
    } else if (!strcmp(q, "gaps")) {
        rc = gaps(en, txn, index, (int)y, pv_get_str(args, "unit"), restricted ? mine : NULL, data, e);
    } else if (!strcmp(q, "owner")) {
        rc = owner_losses(en, txn, index, (int)y, pv_get_str(args, "owner"), restricted ? mine : NULL, data, e);
    } else {
        err_set(e, "the scorer has no query '%s' (scores, years, result, gaps, duties, owner, tasks, backup)", q);
        rc = -1;
    }
    reader_end(en, txn);
    return rc;
}

pv *engine_stats(engine *en)
{
    pv *info = pv_map();
    pv_set_int(info, "results", (int64_t)model_count(en->m));
    store_usage(en->s, info);
    return info;
}

void engine_dump(engine *en, sbuf *out)
{
    model_dump(en->m, out);
}
