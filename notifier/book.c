#include "book.h"
#include "../common/service.h"
#include "../common/clock.h"
#include "../common/validity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct book {
    store *s;
    uint64_t seq;
    strset unit_ids;
    nunit *units;
    size_t cap_units;
    strset task_ids;
    ntask *tasks;
    size_t cap_tasks;
    /* what points at risk are worked out from (N_STATE "crit|..." and "val|...") */
    strset task_crits; /* INDEX|ID of the criteria tasks serve */
    strset crits;      /* INDEX|LEVEL|ID -> its latest framework's maximum and name */
    double *crit_max;
    int *crit_year;
    char **crit_name;
    size_t cap_crits;
    strset vals; /* UNIT|INDEX|ID|KIND (score, appraisal) -> a unit's latest points there */
    double *val;
    int *val_year;
    size_t cap_vals;
    long follow_up;
    char follow_up_id[64];
};

static const char *const names[N_COUNT] = {"units",  "tasks",    "done",   "acks", "alerts",
                                           "alert_ids", "messages", "outbox", "state"};
static const int dups[N_COUNT] = {0};

store *book_store(book *b)
{
    return b->s;
}

uint64_t book_seq(const book *b)
{
    return b->seq;
}

const ntask *book_tasks(const book *b, size_t *n)
{
    *n = b->task_ids.n;
    return b->tasks;
}

uint32_t book_unit_on(const book *b, uint32_t u, int64_t day)
{
    for (int hops = 0; hops < 16 && u < b->unit_ids.n; hops++) {
        const nunit *x = &b->units[u];
        if (!x->end_day || day < x->end_day)
            break;
        long next = x->successor >= 0 ? x->successor : x->parent;
        if (next < 0 || (uint32_t)next == u)
            break;
        u = (uint32_t)next;
    }
    return u;
}

const nunit *book_units(const book *b, size_t *n)
{
    *n = b->unit_ids.n;
    return b->units;
}

int book_below(const book *b, const char *unit, const char *mine)
{
    long u = book_unit_index(b, unit), top = book_unit_index(b, mine);
    for (int depth = 0; u >= 0 && top >= 0 && depth < 64; depth++) {
        if (u == top)
            return 1;
        u = b->units[u].parent;
    }
    return 0;
}

long book_unit_index(const book *b, const char *id)
{
    return strset_index(&b->unit_ids, id);
}

long book_task_index(const book *b, const char *id)
{
    return strset_index(&b->task_ids, id);
}

/* ---------- the in-memory index ---------- */

/* The index of a unit, made (as a root) when not seen yet. */
static uint32_t unit_at(book *b, const char *id)
{
    long i = strset_index(&b->unit_ids, id);
    if (i >= 0)
        return (uint32_t)i;
    strset_add(&b->unit_ids, id);
    if (b->unit_ids.n > b->cap_units) {
        b->cap_units = b->cap_units ? b->cap_units * 2 : 256;
        b->units = xrealloc(b->units, b->cap_units * sizeof *b->units);
    }
    i = (long)b->unit_ids.n - 1;
    b->units[i].id = b->unit_ids.items[i];
    b->units[i].parent = -1;
    b->units[i].name = xstrdup("");
    b->units[i].email = xstrdup("");
    b->units[i].level = NULL;
    b->units[i].end_day = 0;
    b->units[i].successor = -1;
    return (uint32_t)i;
}

/* The civil day of a "YYYY-MM-DD..." text; 0 when it is none. */
static int32_t day_of(const char *iso)
{
    int y, m, d;
    if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3 || !clock_date_valid(y, m, d))
        return 0;
    return (int32_t)clock_days_from_civil(y, m, d);
}

static void mem_unit(book *b, const pv *u)
{
    uint32_t i = unit_at(b, pv_get_text(u, "id"));
    const char *parent = pv_get_text(u, "parent");
    long pi = *parent ? (long)unit_at(b, parent) : -1; /* unit_at may move b->units */
    b->units[i].parent = pi;
    /* digests name units and find their addresses from memory */
    free(b->units[i].name);
    free(b->units[i].email);
    b->units[i].name = xstrdup(pv_get_text(u, "name"));
    b->units[i].email = xstrdup(pv_get_text(u, "email"));
    free(b->units[i].level);
    b->units[i].level = xstrdup(pv_get_text(u, "level"));
    /* its last period's end and successor (common/validity.h): after it, its tasks go on */
    validity_span spans[VALIDITY_MAX];
    int ns = validity_read(pv_get_text(u, "periods"), pv_get_text(u, "valid_from"), pv_get_text(u, "valid_to"), parent, pv_get_text(u, "level"), spans,
                           VALIDITY_MAX);
    int32_t last = ns > 0 ? day_of(spans[ns - 1].to) : 0; /* "" (open): 0 */
    b->units[i].end_day = last ? last + 1 : 0;
    const char *succ = pv_get_text(u, "successor");
    long si = *succ ? (long)unit_at(b, succ) : -1; /* unit_at may move b->units */
    b->units[i].successor = si;
    if (b->follow_up < 0 && *b->follow_up_id && !strcmp(b->follow_up_id, pv_get_text(u, "id")))
        b->follow_up = (long)i;
}

static ntask *task_at(book *b, const char *id)
{
    long i = strset_index(&b->task_ids, id);
    if (i >= 0)
        return &b->tasks[i];
    strset_add(&b->task_ids, id);
    if (b->task_ids.n > b->cap_tasks) {
        b->cap_tasks = b->cap_tasks ? b->cap_tasks * 2 : 1024;
        b->tasks = xrealloc(b->tasks, b->cap_tasks * sizeof *b->tasks);
    }
    ntask *t = &b->tasks[b->task_ids.n - 1];
    memset(t, 0, sizeof *t);
    t->id = b->task_ids.items[b->task_ids.n - 1];
    return t;
}

static void mem_task(book *b, const pv *row)
{
    ntask *t = task_at(b, pv_get_text(row, "id"));
    t->lead = unit_at(b, pv_get_text(row, "lead"));
    deadline_parse(pv_get_text(row, "deadline"), &t->dl);
    int y, m, d;
    t->first_day = sscanf(pv_get_text(row, "first_day"), "%4d-%2d-%2d", &y, &m, &d) == 3 ? clock_days_from_civil(y, m, d) : 0;
    t->remind_only = !strcmp(pv_get_text(row, "remind_only"), "1");
    t->crit = -1;
    if (*pv_get_text(row, "index") && *pv_get_text(row, "criterion")) {
        char k[192];
        snprintf(k, sizeof k, "%.63s|%.127s", pv_get_text(row, "index"), pv_get_text(row, "criterion"));
        t->crit = strset_index(&b->task_crits, k);
        if (t->crit < 0) {
            strset_add(&b->task_crits, k);
            t->crit = (long)b->task_crits.n - 1;
        }
    }
    free(t->sup);
    t->sup = NULL;
    t->nsup = 0;
    char p[256];
    for (const char *l = pv_get_text(row, "support"); str_list_next(&l, p, sizeof p);) {
        if (!*p)
            continue;
        t->sup = xrealloc(t->sup, (t->nsup + 1) * sizeof *t->sup);
        t->sup[t->nsup++] = unit_at(b, p);
    }
}

/* key: task|year|period|unit; day: when it was received (0: not known) */
static void mem_done(book *b, const char *key, int done, int32_t day)
{
    char task[128], period[8], unit[128];
    int year;
    if (sscanf(key, "%127[^|]|%d|%7[^|]|%127s", task, &year, period, unit) != 4)
        return;
    long ti = strset_index(&b->task_ids, task);
    if (ti < 0)
        return;
    ntask *t = &b->tasks[ti];
    uint32_t u = unit_at(b, unit);
    for (uint32_t i = 0; i < t->ndone; i++) {
        done_mark *m = &t->done[i];
        if (m->year == year && m->unit == u && !strcmp(m->period, period)) {
            if (!done)
                t->done[i] = t->done[--t->ndone];
            else if (day && (!m->day || day < m->day)) /* the first report counts */
                m->day = day;
            return;
        }
    }
    if (!done)
        return;
    t->done = xrealloc(t->done, (t->ndone + 1) * sizeof *t->done);
    t->done[t->ndone].year = (int16_t)year;
    str_copy(t->done[t->ndone].period, sizeof t->done[t->ndone].period, period);
    t->done[t->ndone].unit = u;
    t->done[t->ndone].day = day;
    t->ndone++;
}

void book_mark_acked(book *b, long task, const char *inst)
{
    if (task < 0 || (size_t)task >= b->task_ids.n)
        return;
    ntask *t = &b->tasks[task];
    if (book_is_acked(t, inst))
        return;
    t->acks = xrealloc(t->acks, (t->nacks + 1) * sizeof *t->acks);
    str_copy(t->acks[t->nacks++], 16, inst);
}

void book_silence(book *b, long task, int64_t day)
{
    if (task >= 0 && (size_t)task < b->task_ids.n)
        b->tasks[task].silence_until = day;
}

/* One entry of the acknowledgements (key: task|instance -> {alert, by, at}, or
 * task|silence -> {until, by, at}; key is written on) into the task's marks in memory. */
static void mem_ack(book *b, char *key, const MDB_val *v)
{
    char *bar = strrchr(key, '|');
    if (!bar)
        return;
    *bar = '\0';
    if (!strcmp(bar + 1, "silence")) {
        pv *sv = NULL;
        par_err ig;
        int y, m, d;
        if (proto_decode_value(v->mv_data, v->mv_size, &sv, &ig) == 0 && pv_get_str(sv, "until") &&
            sscanf(pv_get_str(sv, "until"), "%4d-%2d-%2d", &y, &m, &d) == 3)
            book_silence(b, strset_index(&b->task_ids, key), clock_days_from_civil(y, m, d));
        pv_free(sv);
    } else {
        book_mark_acked(b, strset_index(&b->task_ids, key), bar + 1);
    }
}

/* The acknowledgements and silence kept for tasks from index from on, which memory has
 * just taken from change events: after a reset (book_reset) the tasks come back from
 * the collector one by one while their acknowledgements stayed in the store, and an
 * acknowledged task would be chased again. */
static void mem_acks_of_new(book *b, size_t from)
{
    MDB_txn *txn;
    par_err e;
    MDB_stat st;
    if (from >= b->task_ids.n || store_begin(b->s, MDB_RDONLY, &txn, &e) < 0)
        return;
    MDB_cursor *cur = NULL;
    if (mdb_stat(txn, store_dbi(b->s, N_ACKS), &st) == 0 && st.ms_entries && /* none: nothing to look for */
        mdb_cursor_open(txn, store_dbi(b->s, N_ACKS), &cur) == 0) {
        for (size_t i = from; i < b->task_ids.n; i++) {
            char prefix[256];
            int pl = snprintf(prefix, sizeof prefix, "%s|", b->task_ids.items[i]);
            if (pl <= 0 || (size_t)pl >= sizeof prefix)
                continue;
            MDB_val k = {(size_t)pl, prefix}, v;
            for (int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
                 rc == 0 && k.mv_size >= (size_t)pl && !memcmp(k.mv_data, prefix, (size_t)pl);
                 rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
                char key[512];
                snprintf(key, sizeof key, "%.*s", (int)k.mv_size, (char *)k.mv_data);
                mem_ack(b, key, &v);
            }
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
}

/* ---------- points at risk: criteria maxima and units' points, kept from the record ---------- */

/* A criterion's maximum, kept when year is the latest seen: 1 when it was kept. */
static int mem_crit(book *b, const char *key, int year, double max, const char *name)
{
    long i = strset_index(&b->crits, key);
    if (i < 0) {
        strset_add(&b->crits, key);
        i = (long)b->crits.n - 1;
        if (b->crits.n > b->cap_crits) {
            b->cap_crits = b->cap_crits ? b->cap_crits * 2 : 256;
            b->crit_max = xrealloc(b->crit_max, b->cap_crits * sizeof *b->crit_max);
            b->crit_year = xrealloc(b->crit_year, b->cap_crits * sizeof *b->crit_year);
            b->crit_name = xrealloc(b->crit_name, b->cap_crits * sizeof *b->crit_name);
        }
        b->crit_year[i] = 0;
        b->crit_name[i] = NULL;
    } else if (year < b->crit_year[i]) {
        return 0;
    }
    b->crit_max[i] = max;
    b->crit_year[i] = year;
    free(b->crit_name[i]);
    b->crit_name[i] = xstrdup(name ? name : "");
    return 1;
}

/* A unit's points on a criterion (key UNIT|INDEX|ID|KIND), kept when year is the latest seen. */
static int mem_val(book *b, const char *key, int year, double v)
{
    long i = strset_index(&b->vals, key);
    if (i < 0) {
        strset_add(&b->vals, key);
        i = (long)b->vals.n - 1;
        if (b->vals.n > b->cap_vals) {
            b->cap_vals = b->cap_vals ? b->cap_vals * 2 : 256;
            b->val = xrealloc(b->val, b->cap_vals * sizeof *b->val);
            b->val_year = xrealloc(b->val_year, b->cap_vals * sizeof *b->val_year);
        }
        b->val_year[i] = 0;
    } else if (year < b->val_year[i]) {
        return 0;
    }
    b->val[i] = v;
    b->val_year[i] = year;
    return 1;
}

/* N_STATE "crit|INDEX|LEVEL|ID" -> "YEAR|MAX|NAME", "val|UNIT|INDEX|ID|KIND" -> "YEAR|VALUE" */
static void mem_risk_entry(book *b, const char *key, const char *val)
{
    int year = atoi(val);
    const char *p = strchr(val, '|');
    if (!p)
        return;
    if (!strncmp(key, "crit|", 5)) {
        const char *q = strchr(p + 1, '|');
        mem_crit(b, key + 5, year, strtod(p + 1, NULL), q ? q + 1 : "");
    } else if (!strncmp(key, "val|", 4)) {
        mem_val(b, key + 4, year, strtod(p + 1, NULL));
    }
}

/* "PAR:1.3" -> index PAR, id 1.3 */
static int split_key(const char *k, char *index, size_t ni, char *id, size_t nid)
{
    const char *colon = strchr(k, ':');
    if (!colon || colon == k || !colon[1])
        return 0;
    snprintf(index, ni, "%.*s", (int)(colon - k), k);
    snprintf(id, nid, "%s", colon + 1);
    return 1;
}

/* Whether a submission line gives a unit's points on a criterion some task serves; its
 * N_STATE key in out. */
static int risk_value_key(const book *b, const line_view *l, char *out, size_t n)
{
    char index[64], id[128], tc[192];
    if ((strcmp(l->kind, "score") && strcmp(l->kind, "appraisal")) || !b->task_crits.n ||
        !split_key(l->key, index, sizeof index, id, sizeof id))
        return 0;
    snprintf(tc, sizeof tc, "%s|%s", index, id);
    if (strset_index(&b->task_crits, tc) < 0)
        return 0;
    snprintf(out, n, "val|%s|%s|%s|%s", l->unit, index, id, l->kind);
    return 1;
}

static void risk_crit_key(const row_view *row, char *out, size_t n)
{
    snprintf(out, n, "crit|%s|%s|%s", row_str(row, "index"), row_str(row, "level"), row_str(row, "id"));
}

/* Stores a criterion's maximum or a unit's points when they are the latest year's: the
 * same rule memory follows after the commit. */
static int apply_risk(book *b, MDB_txn *txn, const char *key, int year, const char *rest)
{
    MDB_val k = {strlen(key), (void *)key}, v;
    if (mdb_get(txn, store_dbi(b->s, N_STATE), &k, &v) == 0 && v.mv_size && atoi((const char *)v.mv_data) > year)
        return 0;
    char val[1200];
    int len = snprintf(val, sizeof val, "%d|%s", year, rest);
    MDB_val nv = {(size_t)(len < (int)sizeof val ? len : (int)sizeof val - 1), val};
    return mdb_put(txn, store_dbi(b->s, N_STATE), &k, &nv, 0);
}

double book_at_risk(const book *b, const ntask *t, const char **name, const char **criterion)
{
    if (t->crit < 0 || t->lead >= b->unit_ids.n)
        return -1;
    const char *ic = b->task_crits.items[t->crit], *bar = strchr(ic, '|');
    const nunit *u = &b->units[t->lead];
    if (!bar || !u->level)
        return -1;
    char key[512];
    snprintf(key, sizeof key, "%.*s|%s|%s", (int)(bar - ic), ic, u->level, bar + 1);
    long c = strset_index(&b->crits, key);
    if (c < 0)
        return -1;
    if (name)
        *name = b->crit_name[c] ? b->crit_name[c] : "";
    if (criterion)
        *criterion = bar + 1;
    /* the unit's points: the appraisal's when the latest year has one, else its own */
    long best = -1;
    static const char *const kinds[] = {"appraisal", "score"};
    for (int k = 0; k < 2; k++) {
        snprintf(key, sizeof key, "%s|%.*s|%s|%s", u->id, (int)(bar - ic), ic, bar + 1, kinds[k]);
        long i = strset_index(&b->vals, key);
        if (i >= 0 && (best < 0 || b->val_year[i] > b->val_year[best]))
            best = i;
    }
    double v = best >= 0 ? b->val[best] : b->crit_max[c];
    return v < 0 ? 0 : v > b->crit_max[c] ? b->crit_max[c] : v;
}

int book_has_framework(const book *b, const char *level)
{
    if (!level || !*level)
        return 0;
    for (size_t i = 0; i < b->crits.n; i++) {
        const char *k = b->crits.items[i], *l = strchr(k, '|');
        if (l && !strncmp(l + 1, level, strlen(level)) && l[1 + strlen(level)] == '|')
            return 1;
    }
    return 0;
}

void book_set_follow_up(book *b, const char *id)
{
    snprintf(b->follow_up_id, sizeof b->follow_up_id, "%s", id ? id : "");
    b->follow_up = *b->follow_up_id ? book_unit_index(b, b->follow_up_id) : -1;
}

long book_follow_up(const book *b)
{
    return b->follow_up;
}

static void mem_free(book *b)
{
    for (size_t i = 0; i < b->task_ids.n; i++) {
        free(b->tasks[i].sup);
        free(b->tasks[i].done);
        free(b->tasks[i].acks);
        free(b->tasks[i].sent);
    }
    free(b->tasks);
    for (size_t i = 0; i < b->unit_ids.n; i++) {
        free(b->units[i].name);
        free(b->units[i].email);
        free(b->units[i].level);
    }
    for (size_t i = 0; i < b->crits.n; i++)
        free(b->crit_name[i]);
    free(b->crit_name);
    free(b->crit_max);
    free(b->crit_year);
    free(b->val);
    free(b->val_year);
    strset_free(&b->task_crits);
    strset_free(&b->crits);
    strset_free(&b->vals);
    b->crit_name = NULL, b->crit_max = NULL, b->crit_year = NULL, b->val = NULL, b->val_year = NULL;
    b->cap_crits = b->cap_vals = 0;
    b->follow_up = -1;
    free(b->units);
    strset_free(&b->task_ids);
    strset_free(&b->unit_ids);
    b->tasks = NULL;
    b->units = NULL;
    b->cap_tasks = b->cap_units = 0;
}

static int load_unit(void *ctx, const char *key, size_t klen, pv *val)
{
    (void)key;
    (void)klen;
    mem_unit(ctx, val);
    return 0;
}

static int load_task(void *ctx, const char *key, size_t klen, pv *val)
{
    (void)key;
    (void)klen;
    mem_task(ctx, val);
    return 0;
}

/* Builds the index from the store. */
static int mem_load(book *b, par_err *e)
{
    mem_free(b);
    MDB_txn *txn;
    if (store_begin(b->s, MDB_RDONLY, &txn, e) < 0)
        return -1;
    store_scan(txn, store_dbi(b->s, N_UNITS), "", load_unit, b);
    store_scan(txn, store_dbi(b->s, N_TASKS), "", load_task, b);
    MDB_cursor *rc_cur;
    if (mdb_cursor_open(txn, store_dbi(b->s, N_STATE), &rc_cur) == 0) { /* criteria maxima, units' points */
        MDB_val k, v;
        for (int rc = mdb_cursor_get(rc_cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(rc_cur, &k, &v, MDB_NEXT)) {
            char key[512], val[1200];
            if (k.mv_size < 4 || (memcmp(k.mv_data, "crit|", 5) && memcmp(k.mv_data, "val|", 4)))
                continue;
            snprintf(key, sizeof key, "%.*s", (int)k.mv_size, (char *)k.mv_data);
            snprintf(val, sizeof val, "%.*s", (int)v.mv_size, (char *)v.mv_data);
            mem_risk_entry(b, key, val);
        }
        mdb_cursor_close(rc_cur);
    }
    int dbs[] = {N_DONE, N_ACKS};
    for (int i = 0; i < 2; i++) {
        MDB_cursor *cur;
        if (mdb_cursor_open(txn, store_dbi(b->s, dbs[i]), &cur))
            continue;
        MDB_val k, v;
        for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            char key[512];
            snprintf(key, sizeof key, "%.*s", (int)k.mv_size, (char *)k.mv_data);
            if (dbs[i] == N_DONE) { /* "DATE|RECEIVED", or (season answers, older stores) one date */
                char val[64];
                snprintf(val, sizeof val, "%.*s", (int)v.mv_size, (char *)v.mv_data);
                const char *bar = strchr(val, '|');
                mem_done(b, key, 1, day_of(bar ? bar + 1 : val));
            } else {
                mem_ack(b, key, &v);
            }
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    store_release_pages(b->s); /* read whole once: the index holds what is needed */
    return 0;
}

/* ---------- the store ---------- */

int book_open(book **out, const char *dir, size_t map, par_err *e)
{
    book *b = xcalloc(1, sizeof *b);
    if (store_open(&b->s, dir, names, dups, N_COUNT, NOTIFIER_SCHEMA, map, e) < 0) {
        free(b);
        return -1;
    }
    if (store_read_u64(b->s, N_STATE, "seq", &b->seq, e) < 0 || mem_load(b, e) < 0) {
        book_close(b);
        return -1;
    }
    *out = b;
    return 0;
}

void book_close(book *b)
{
    if (!b)
        return;
    mem_free(b);
    store_close(b->s);
    free(b);
}

uint64_t book_number(book *b, MDB_txn *txn, const char *counter)
{
    return store_get_u64(txn, store_dbi(b->s, N_STATE), counter);
}

int book_set_number(book *b, MDB_txn *txn, const char *counter, uint64_t last)
{
    return store_put_u64(txn, store_dbi(b->s, N_STATE), counter, last);
}

/* The day (in Vietnam) a change was received: a task is tracked from the day the
 * province first recorded it, and reports due before are not chased. 0 if unreadable. */
static int64_t received_day(const char *received)
{
    int64_t ms, day;
    int sec;
    if (clock_parse_iso(received, &ms) < 0)
        return 0;
    clock_local(ms, &day, &sec);
    return day;
}

static int apply_task(book *b, MDB_txn *txn, const pv *row, const char *received)
{
    pv *t = pv_copy(row), *old = NULL;
    char day[16] = "";
    if (store_get_pv(txn, store_dbi(b->s, N_TASKS), pv_get_text(row, "id"), &old) == 1)
        str_copy(day, sizeof day, pv_get_text(old, "first_day"));
    int64_t first = received_day(received);
    if (!*day && first)
        clock_format_day(first, day);
    pv_set_str(t, "first_day", day);
    int rc = store_put_pv(txn, store_dbi(b->s, N_TASKS), pv_get_text(row, "id"), t);
    pv_free(old);
    pv_free(t);
    return rc;
}

static int apply_unit(book *b, MDB_txn *txn, const pv *row)
{
    pv *u = pv_map();
    const char *keys[] = {"id", "parent", "level", "name", "email", "valid_from", "valid_to", "successor", "periods"};
    for (int i = 0; i < 9; i++)
        pv_set_str(u, keys[i], pv_get_text(row, keys[i]));
    int rc = store_put_pv(txn, store_dbi(b->s, N_UNITS), pv_get_text(row, "id"), u);
    pv_free(u);
    return rc;
}

/* A task report, read straight from its event: no value tree. */
static void done_key(const line_view *l, char *out, size_t n)
{
    snprintf(out, n, "%s|%s|%s|%s", l->key, l->year, l->period, l->unit);
}

/* Stored as "DATE|SENT": the date the line gave and the day the report counts from (what
 * "on time" is judged by, as the scorer judges it: a unit's report from the province's
 * receipt, not the unit's word; common/service.h: service_sent_on). */
static int apply_done(book *b, MDB_txn *txn, const line_view *l, const char *sent)
{
    char key[512], val[160];
    done_key(l, key, sizeof key);
    if (strcmp(l->value, "done"))
        return store_del(txn, store_dbi(b->s, N_DONE), key, NULL);
    snprintf(val, sizeof val, "%.64s|%.10s", l->date, sent);
    MDB_val k = {strlen(key), key}, v = {strlen(val), val}, old;
    /* the first report counts: the earliest day (a paper copy recorded later may be earlier) */
    if (mdb_get(txn, store_dbi(b->s, N_DONE), &k, &old) == 0) {
        const char *bar = memchr(old.mv_data, '|', old.mv_size);
        size_t l = bar ? old.mv_size - (size_t)(bar + 1 - (const char *)old.mv_data) : 0;
        if (!bar || l < 10 || strncmp(bar + 1, sent, 10) <= 0)
            return 0;
    }
    return mdb_put(txn, store_dbi(b->s, N_DONE), &k, &v, 0);
}

/* ---------- a season's deadlines, as tasks of each unit of its level ----------
 * Opening the self-assessment or the explanation round with a deadline gives every unit
 * of the level a task "S.INDEX.YEAR.PHASE.UNIT", reminded like a dated task and never
 * chased once late; the unit's first self-score (or explanation) reports it done, and a
 * move to another phase takes its date away. */

static const char *season_phases[] = {"self", "explanation"};

static void season_task_id(char *out, size_t n, const char *index, const char *year, const char *phase,
                           const char *unit)
{
    snprintf(out, n, "S.%s.%s.%s.%s", index, year, phase, unit);
}

typedef struct {
    book *b;
    MDB_txn *txn;
    const row_view *season;
    const char *received;
    int rc;
} season_ctx;

static int season_unit(void *ctx, const char *key, size_t klen, pv *u)
{
    (void)key;
    (void)klen;
    season_ctx *c = ctx;
    const row_view *r = c->season;
    if (strcmp(pv_get_text(u, "level"), row_str(r, "level")))
        return 0;
    const char *phase = row_str(r, "phase");
    for (int i = 0; i < 2 && c->rc == 0; i++) {
        const char *ph = season_phases[i];
        const char *until = row_str(r, i == 0 ? "self_until" : "explain_until");
        char id[256], due[16] = "", plan[128], text[256];
        int y, m, d;
        season_task_id(id, sizeof id, row_str(r, "index"), row_str(r, "year"), ph, pv_get_text(u, "id"));
        int open = !strcmp(phase, ph) && sscanf(until, "%4d-%2d-%2d", &y, &m, &d) == 3;
        if (open)
            snprintf(due, sizeof due, "%02d/%02d/%04d", d, m, y);
        else if (strset_index(&c->b->task_ids, id) < 0)
            continue; /* never opened: nothing to take back */
        snprintf(plan, sizeof plan, "Đánh giá Chỉ số %s năm %s", row_str(r, "index"), row_str(r, "year"));
        snprintf(text, sizeof text,
                 i == 0 ? "Tự đánh giá, chấm điểm Chỉ số %s năm %s và gửi tài liệu kiểm chứng"
                        : "Giải trình kết quả thẩm định Chỉ số %s năm %s (nếu có ý kiến)",
                 row_str(r, "index"), row_str(r, "year"));
        pv *t = pv_map();
        pv_set_str(t, "plan", plan);
        pv_set_str(t, "id", id);
        pv_set_str(t, "lead", pv_get_text(u, "id"));
        pv_set_str(t, "support", "");
        pv_set_str(t, "index", row_str(r, "index"));
        pv_set_str(t, "criterion", "");
        pv_set_str(t, "target", "");
        pv_set_str(t, "task", text);
        pv_set_str(t, "deadline", due);
        pv_set_str(t, "remind_only", "1");
        c->rc = apply_task(c->b, c->txn, t, c->received);
        pv_free(t);
    }
    return c->rc;
}

static int apply_season(book *b, MDB_txn *txn, const event_view *ev)
{
    season_ctx c = {b, txn, &ev->row, ev->received, 0};
    store_scan(txn, store_dbi(b->s, N_UNITS), "", season_unit, &c);
    return c.rc;
}

/* A unit's self-score or explanation: the season task it answers, when there is one. */
static int season_answer(const book *b, const line_view *l, char *key, size_t n)
{
    const char *colon = strchr(l->key, ':');
    int self = !strcmp(l->kind, "score");
    if ((!self && strcmp(l->kind, "explanation")) || !colon || !b->task_ids.n)
        return 0;
    char index[64], id[256];
    snprintf(index, sizeof index, "%.*s", (int)(colon - l->key), l->key);
    season_task_id(id, sizeof id, index, l->year, self ? "self" : "explanation", l->unit);
    if (strset_index(&b->task_ids, id) < 0)
        return 0;
    snprintf(key, n, "%s|%s|Y|%s", id, l->year, l->unit);
    return 1;
}

/* What the notifier keeps of the record: units, tasks, reports of tasks, seasons and the
 * lines that answer them. Every other change (most of them: scores, figures) is passed
 * over without being decoded further. */
static int relevant(const book *b, const event_view *ev)
{
    char key[512];
    return ev->type == EV_UNIT || ev->type == EV_TASK || ev->type == EV_SEASON ||
           ev->type == EV_CRITERION ||
           (ev->type == EV_SUBMISSION &&
            (!strcmp(ev->line.kind, "task") || season_answer(b, &ev->line, key, sizeof key) ||
             risk_value_key(b, &ev->line, key, sizeof key)));
}

/* After a commit: the same changes in memory. */
static int mem_season_task(void *ctx, const char *key, size_t klen, pv *row)
{
    (void)key;
    (void)klen;
    mem_task(ctx, row);
    return 0;
}

static void mem_apply(book *b, const event_view *ev)
{
    char key[512];
    if (ev->type == EV_SEASON) { /* its tasks, as apply_season stored them */
        char prefix[160];
        MDB_txn *txn;
        par_err e;
        snprintf(prefix, sizeof prefix, "S.%s.%s.", row_str(&ev->row, "index"), row_str(&ev->row, "year"));
        if (store_begin(b->s, MDB_RDONLY, &txn, &e) == 0) {
            store_scan(txn, store_dbi(b->s, N_TASKS), prefix, mem_season_task, b);
            mdb_txn_abort(txn);
        }
        return;
    }
    if (ev->type == EV_CRITERION) {
        risk_crit_key(&ev->row, key, sizeof key);
        mem_crit(b, key + 5, atoi(row_str(&ev->row, "year")), strtod(row_str(&ev->row, "max"), NULL),
                 row_str(&ev->row, "name"));
        return;
    }
    if (ev->type == EV_SUBMISSION && risk_value_key(b, &ev->line, key, sizeof key)) {
        mem_val(b, key + 4, atoi(ev->line.year), strtod(ev->line.value, NULL));
        return;
    }
    if (ev->type == EV_SUBMISSION && season_answer(b, &ev->line, key, sizeof key)) {
        mem_done(b, key, 1, day_of(ev->received));
        return;
    }
    if (ev->type != EV_UNIT && ev->type != EV_TASK) { /* a task report */
        done_key(&ev->line, key, sizeof key);
        mem_done(b, key, !strcmp(ev->line.value, "done"), day_of(service_sent_on(ev->sender, ev->line.date, ev->received)));
        return;
    }
    pv *row = proto_row_pv(&ev->row);
    if (ev->type == EV_UNIT) {
        mem_unit(b, row);
    } else {
        /* first_day as apply_task stored it: kept for a known task, else the day received */
        long i = strset_index(&b->task_ids, pv_get_text(row, "id"));
        int64_t first = i >= 0 ? b->tasks[i].first_day : received_day(ev->received);
        mem_task(b, row);
        b->tasks[strset_index(&b->task_ids, pv_get_text(row, "id"))].first_day = first;
    }
    pv_free(row);
}

static int write_seq(book *b, MDB_txn *txn, uint64_t seq)
{
    return store_put_u64(txn, store_dbi(b->s, N_STATE), "seq", seq);
}

typedef struct {
    book *b;
    const event_batch *events;
    uint64_t seq;  /* out: the last change applied */
    uint32_t last; /* out: events up to here are applied */
    int gap;
} apply_ctx;

static int apply_events(store_txn *t, void *ctx, par_err *e)
{
    (void)e;
    apply_ctx *a = ctx;
    book *b = a->b;
    MDB_txn *txn = t->txn;
    uint64_t seq = b->seq;
    uint32_t last = 0;
    int gap = 0, rc = 0;
    for (uint32_t i = 0; i < a->events->n && rc == 0; i++) {
        const event_view *ev = &a->events->v[i];
        if (ev->type == EV_SCORE || ev->seq <= seq) {
            last = i + 1;
            continue;
        }
        if (ev->seq != seq + 1) {
            gap = 1;
            break;
        }
        char skey[512];
        if (ev->type == EV_SUBMISSION && season_answer(b, &ev->line, skey, sizeof skey)) {
            const char *date = ev->received;
            MDB_val k = {strlen(skey), skey}, v = {10, (void *)date};
            rc = mdb_put(txn, store_dbi(b->s, N_DONE), &k, &v, MDB_NOOVERWRITE); /* the first answer counts */
            rc = rc == MDB_KEYEXIST ? 0 : rc;
        } else if (ev->type == EV_CRITERION) {
            char rest[1100];
            risk_crit_key(&ev->row, skey, sizeof skey);
            snprintf(rest, sizeof rest, "%s|%s", row_str(&ev->row, "max"), row_str(&ev->row, "name"));
            rc = *row_str(&ev->row, "max") ? apply_risk(b, txn, skey, atoi(row_str(&ev->row, "year")), rest) : 0;
        } else if (ev->type == EV_SUBMISSION && risk_value_key(b, &ev->line, skey, sizeof skey)) {
            rc = apply_risk(b, txn, skey, atoi(ev->line.year), ev->line.value);
        } else if (ev->type == EV_SUBMISSION && relevant(b, ev)) {
            rc = apply_done(b, txn, &ev->line, service_sent_on(ev->sender, ev->line.date, ev->received));
        } else if (ev->type == EV_SEASON) {
            rc = apply_season(b, txn, ev);
        } else if (relevant(b, ev)) { /* units and tasks: rare, kept as value trees */
            pv *row = proto_row_pv(&ev->row);
            rc = ev->type == EV_UNIT ? apply_unit(b, txn, row) : apply_task(b, txn, row, ev->received);
            pv_free(row);
        }
        seq = ev->seq;
        last = i + 1;
    }
    if (rc == 0 && seq != b->seq)
        rc = write_seq(b, txn, seq);
    a->seq = seq;
    a->last = last;
    a->gap = gap;
    return store_txn_check(t, rc, "apply changes");
}

int book_apply(book *b, const event_batch *events, par_err *e)
{
    apply_ctx a = {b, events, 0, 0, 0};
    if (store_write(b->s, apply_events, &a, e) < 0)
        return -1;
    uint64_t from = b->seq;
    size_t known = b->task_ids.n;
    for (uint32_t i = 0; i < a.last; i++) {
        const event_view *ev = &events->v[i];
        if (ev->seq > from && ev->seq <= a.seq && ev->type != EV_SCORE && relevant(b, ev))
            mem_apply(b, ev);
    }
    mem_acks_of_new(b, known);
    b->seq = a.seq;
    return a.gap;
}

int book_reset(book *b, par_err *e)
{
    MDB_txn *txn;
    if (store_begin(b->s, 0, &txn, e) < 0)
        return -1;
    int rc = 0, keep[] = {N_UNITS, N_TASKS, N_DONE};
    for (int i = 0; i < 3 && rc == 0; i++)
        rc = mdb_drop(txn, store_dbi(b->s, keep[i]), 0);
    if (rc == 0)
        rc = write_seq(b, txn, 0);
    if (rc == 0)
        rc = mdb_txn_commit(txn);
    else
        mdb_txn_abort(txn);
    if (rc) {
        err_set(e, "reset: %s", mdb_strerror(rc));
        return -1;
    }
    b->seq = 0;
    return mem_load(b, e);
}

void book_instance(char out[16], int year, const char *period, int64_t due)
{
    if (period && *period) {
        snprintf(out, 16, "%04d-%s", year, period);
    } else {
        clock_format_day(due, out);
    }
}

int book_is_done(const ntask *t, int year, const char *period, int64_t *day)
{
    for (uint32_t i = 0; i < t->ndone; i++) {
        const done_mark *m = &t->done[i];
        if (m->unit != t->lead)
            continue;
        if (!*period || (m->year == year && !strcmp(m->period, period))) {
            if (day)
                *day = m->day;
            return 1;
        }
    }
    return 0;
}

int book_is_acked(const ntask *t, const char *inst)
{
    for (uint32_t i = 0; i < t->nacks; i++)
        if (!strcmp(t->acks[i], inst))
            return 1;
    return 0;
}

int book_was_sent(const book *b, uint32_t task, int64_t due, int kind, int64_t slot)
{
    if (task >= b->task_ids.n)
        return 0;
    const ntask *t = &b->tasks[task];
    for (uint32_t i = 0; i < t->nsent; i++)
        if (t->sent[i].due == due && t->sent[i].kind == kind)
            return t->sent[i].slot == slot;
    return 0;
}

void book_mark_sent(book *b, uint32_t task, int64_t due, int kind, int64_t slot)
{
    if (task >= b->task_ids.n)
        return;
    ntask *t = &b->tasks[task];
    for (uint32_t i = 0; i < t->nsent; i++) {
        if (t->sent[i].due == due && t->sent[i].kind == kind) {
            if (slot > t->sent[i].slot)
                t->sent[i].slot = slot;
            return;
        }
    }
    t->sent = xrealloc(t->sent, (t->nsent + 1) * sizeof *t->sent);
    t->sent[t->nsent++] = (sent_mark){due, slot, kind};
}
