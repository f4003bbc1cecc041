#include "compute.h"
#include "formula.h"
#include "../common/clock.h"
#include "../common/deadline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    char id[64];
    pv *row;        /* the criterion */
    double max, score;
    int leaf, parent, missing;
    const char *source; /* appraisal, self, survey, computed, missing */
    char reason[1024]; /* a note is up to 1023 bytes (validate.h) */
    double self; int has_self;
    double acc_sum, acc_share; /* children's points and shares, for the parent */
    int acc_n;
    double target; int has_target;
} node;

typedef struct {
    node *v;
    size_t n, cap;
} nodes;

typedef struct {
    char **keys; /* period|kind|key, in store order (sorted) */
    pv **vals;
    size_t n, cap;
} subs;

int compute_id_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            char *ea, *eb;
            long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);
            if (x != y)
                return x < y ? -1 : 1;
            a = ea;
            b = eb;
            continue;
        }
        if (*a != *b)
            return *a == '.' ? -1 : *b == '.' ? 1 : (unsigned char)*a - (unsigned char)*b;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

static int node_cmp(const void *x, const void *y)
{
    return compute_id_cmp(((const node *)x)->id, ((const node *)y)->id);
}

static int collect_node(void *ctx, const char *key, size_t klen, pv *val)
{
    (void)key;
    (void)klen;
    nodes *ns = ctx;
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? ns->cap * 2 : 64;
        ns->v = xrealloc(ns->v, ns->cap * sizeof *ns->v);
    }
    node *nd = &ns->v[ns->n++];
    memset(nd, 0, sizeof *nd);
    str_copy(nd->id, sizeof nd->id, pv_get_str(val, "id") ? pv_get_str(val, "id") : "");
    nd->row = pv_copy(val);
    const char *mx = pv_get_str(val, "max"), *leaf = pv_get_str(val, "leaf");
    nd->max = mx ? strtod(mx, NULL) : 0;
    nd->leaf = leaf && !strcmp(leaf, "1");
    nd->parent = -1;
    return 0;
}

static int collect_sub(void *ctx, const char *key, size_t klen, pv *val)
{
    subs *ss = ctx;
    /* keep period|kind|key: the part after unit|year| */
    const char *p = memchr(key, '|', klen);
    p = p ? memchr(p + 1, '|', klen - (size_t)(p + 1 - key)) : NULL;
    if (!p)
        return 0;
    p++;
    if (ss->n == ss->cap) {
        ss->cap = ss->cap ? ss->cap * 2 : 64;
        ss->keys = xrealloc(ss->keys, ss->cap * sizeof *ss->keys);
        ss->vals = xrealloc(ss->vals, ss->cap * sizeof *ss->vals);
    }
    ss->keys[ss->n] = xstrndup(p, klen - (size_t)(p - key));
    ss->vals[ss->n++] = pv_copy(val);
    return 0;
}

static void subs_free(subs *ss)
{
    for (size_t i = 0; i < ss->n; i++) {
        free(ss->keys[i]);
        pv_free(ss->vals[i]);
    }
    free(ss->keys);
    free(ss->vals);
}

static const pv *sub_find(const subs *ss, const char *period, const char *kind, const char *key)
{
    char k[300];
    snprintf(k, sizeof k, "%s|%s|%s", period, kind, key);
    size_t lo = 0, hi = ss->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(ss->keys[mid], k);
        if (c == 0)
            return ss->vals[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The report of a task for a period in any period's submission: done and its date. */
static const pv *task_sub(const subs *ss, const char *task, const char **period_out)
{
    for (size_t i = 0; i < ss->n; i++) {
        const char *k = ss->keys[i], *bar = strchr(k, '|');
        if (bar && !strncmp(bar + 1, "task|", 5) && !strcmp(bar + 6, task)) {
            *period_out = k;
            return ss->vals[i];
        }
    }
    return NULL;
}

static double num(const pv *sub)
{
    const char *v = pv_get_str(sub, "value");
    return v ? strtod(v, NULL) : 0;
}

/* A survey value: points, or counts "satisfied/answers" giving that share of max. */
static double survey_points(const pv *sub, double max)
{
    const char *v = pv_get_str(sub, "value"), *slash = v ? strchr(v, '/') : NULL;
    if (!slash)
        return num(sub);
    double all = strtod(slash + 1, NULL);
    return all > 0 ? strtod(v, NULL) / all * max : 0;
}

int compute_is_done(const pv *sub)
{
    const char *v = pv_get_str(sub, "value");
    return v && (!strcmp(v, "done") || strtod(v, NULL) >= 100);
}

/* The day a report counts from (common/service.h: service_sent_on, decided when it came
 * in); a replica of before kept only the date, else the day the province received it. */
void compute_sent_day(const pv *sub, char out[11])
{
    const char *d = pv_get_str(sub, "sent");
    if (!d || !*d)
        d = pv_get_str(sub, "date");
    if (!d || !*d)
        d = pv_get_str(sub, "received");
    snprintf(out, 11, "%s", d ? d : "9999-12-31");
}

/* A day number as YYYY-MM-DD, days of grace added and moved past days off (a deadline on
 * a day off ends with the next working day, Civil Code 2015, art. 148). */
static void due_text(const compute_rules *r, int64_t d, int days, char out[11])
{
    d += days;
    if (r->cal)
        d = calendar_next_workday(r->cal, d);
    int y, mm, dd;
    clock_civil_from_days(d, &y, &mm, &dd);
    snprintf(out, 11, "%04d-%02d-%02d", y, mm, dd);
}

typedef struct {
    MDB_txn *txn;
    store *s;
    const char *unit;
    int year;
    const subs *ss;
    const compute_rules *rules;
} ctx;

/* Tasks the unit leads. */
static pv *lead_tasks(const ctx *c)
{
    pv *ids = pv_arr(), *tasks = pv_arr();
    MDB_cursor *cur;
    if (mdb_cursor_open(c->txn, store_dbi(c->s, S_LEAD), &cur) == 0) {
        MDB_val k = {strlen(c->unit), (void *)c->unit}, v;
        for (int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP))
            pv_push(ids, pv_strn(v.mv_data, v.mv_size));
        mdb_cursor_close(cur);
    }
    for (uint32_t i = 0; i < ids->u.a.n; i++) {
        pv *t;
        if (store_get_pv(c->txn, store_dbi(c->s, S_TASKS), ids->u.a.v[i]->u.s.p, &t) == 1)
            pv_push(tasks, t);
    }
    pv_free(ids);
    return tasks;
}

static const char *note_of(const pv *sub)
{
    const char *n = sub ? pv_get_str(sub, "note") : NULL;
    return n && *n ? n : NULL;
}

/* The unit's reporting duties of the year for a report-counting criterion (INDEX:id):
 * each period of a recurring report it leads, due on the report day of the period's last
 * month, and each dated report it leads that serves this criterion, due on its day;
 * with when each was sent (the first report of it done) and its state. */
static pv *duties(const ctx *c, const formula *f, const char *index, const char *crit)
{
    pv *tasks = lead_tasks(c), *out = pv_arr();
    char y[8];
    snprintf(y, sizeof y, "%d", c->year);
    for (uint32_t i = 0; i < tasks->u.a.n; i++) {
        const pv *t = tasks->u.a.v[i];
        const char *id = pv_get_str(t, "id"), *kind = pv_get_str(t, "deadline_kind"), *at = pv_get_str(t, "deadline_at"),
                   *ti = pv_get_str(t, "index"), *tc = pv_get_str(t, "criterion");
        if (!id || !kind || !at)
            continue;
        char periods[16][4];
        int np = 0, dated = 0;
        /* a report serves the criterion it names (as model.c reads it: "INDEX:id", exactly);
         * one that names none counts for every criterion counting reports */
        int named = ti && *ti && tc && *tc, ours = named && !strcmp(ti, index) && !strcmp(tc, crit);
        if (!strcmp(kind, "recurring") && (!named || ours)) {
            /* deadline_at: recurring:Q1,H1,Q3,Y or recurring:M */
            const char *list = strchr(at, ':');
            for (const char *p = list ? list + 1 : ""; *p && np < 16;) {
                size_t l = strcspn(p, ",");
                if (l == 1 && *p == 'M') {
                    for (int m = 1; m <= 12 && np < 16; m++)
                        snprintf(periods[np++], 4, "M%02d", m);
                } else if (l < 4) {
                    memcpy(periods[np], p, l);
                    periods[np++][l] = '\0';
                }
                p += l + (p[l] == ',');
            }
        } else if (!strcmp(kind, "date") && !strncmp(at, y, 4) && ours) {
            dated = 1;
        }
        for (int k = 0; k < np + dated; k++) {
            char due[11], sent[11] = "";
            const pv *sub = NULL;
            if (dated) {
                int yy, mo, dd;
                if (sscanf(at, "%4d-%2d-%2d", &yy, &mo, &dd) != 3)
                    continue;
                due_text(c->rules, clock_days_from_civil(yy, mo, dd), f->days, due);
                /* reported in any period of the year: the earliest report of it done */
                for (size_t q = 0; q < c->ss->n; q++) {
                    const char *key = c->ss->keys[q], *bar = strchr(key, '|');
                    char s2[11];
                    if (bar && !strncmp(bar + 1, "task|", 5) && !strcmp(bar + 6, id) && compute_is_done(c->ss->vals[q]) &&
                        (compute_sent_day(c->ss->vals[q], s2), !sent[0] || strcmp(s2, sent) < 0))
                        memcpy(sent, s2, sizeof sent);
                }
            } else {
                int64_t d = deadline_period_due(periods[k], c->year, c->rules->report_days);
                if (d < 0)
                    continue;
                due_text(c->rules, d, f->days, due);
                sub = sub_find(c->ss, periods[k], "task", id);
                if (sub && compute_is_done(sub))
                    compute_sent_day(sub, sent);
            }
            pv *o = pv_map();
            pv_set_str(o, "task", id);
            pv_set_str(o, "name", pv_get_str(t, "task") && *pv_get_str(t, "task") ? pv_get_str(t, "task")
                                                                                   : pv_get_str(t, "target") ? pv_get_str(t, "target") : "");
            pv_set_str(o, "period", dated ? "" : periods[k]);
            pv_set_str(o, "due", due);
            pv_set_str(o, "sent", sent);
            int late = sent[0] && strcmp(sent, due) > 0;
            pv_set_str(o, "state", !sent[0] ? "missing" : late ? "late" : "on_time");
            if (late) {
                int a, b2, c2, d2, e2, f2;
                sscanf(sent, "%d-%d-%d", &a, &b2, &c2);
                sscanf(due, "%d-%d-%d", &d2, &e2, &f2);
                pv_set_int(o, "days_late", clock_days_from_civil(a, b2, c2) - clock_days_from_civil(d2, e2, f2));
            }
            pv_push(out, o);
        }
    }
    pv_free(tasks);
    return out;
}

/* "25/05/2023" of an ISO day. */
static const char *vn_day(const char *iso, char out[16])
{
    unsigned y, m, d;
    if (sscanf(iso, "%4u-%2u-%2u", &y, &m, &d) != 3)
        return iso;
    snprintf(out, 16, "%02u/%02u/%04u", d % 100, m % 100, y % 10000);
    return out;
}

/* The reporting duties' share for a formula (or what the province's rule leaves of the
 * maximum), with the late and missing reports named in the reason; -1 when there is
 * nothing to count. */
/* How many of the duties came late and how many never came. */
static void tally(const pv *ds, int *late, int *missing)
{
    *late = *missing = 0;
    for (uint32_t i = 0; i < ds->u.a.n; i++) {
        const char *st = pv_get_str(ds->u.a.v[i], "state");
        *late += !strcmp(st, "late");
        *missing += !strcmp(st, "missing");
    }
}

static double report_share(const ctx *c, const formula *f, const char *index, const char *crit, double max,
                           char *reason, size_t n)
{
    pv *ds = duties(c, f, index, crit);
    int total = (int)ds->u.a.n, late, missing;
    tally(ds, &late, &missing);
    sbuf why;
    sbuf_init(&why);
    for (uint32_t i = 0; i < ds->u.a.n; i++) {
        const pv *d = ds->u.a.v[i];
        const char *st = pv_get_str(d, "state");
        char d1[16], d2[16];
        if (!strcmp(st, "on_time"))
            continue;
        sbuf_printf(&why, "; %s%s%s (hạn %s, %s%s)", pv_get_str(d, "name"), *pv_get_str(d, "period") ? " kỳ " : "",
                    pv_get_str(d, "period"), vn_day(pv_get_str(d, "due"), d1),
                    !strcmp(st, "late") ? "nhận " : "chưa nhận", !strcmp(st, "late") ? vn_day(pv_get_str(d, "sent"), d2) : "");
    }
    pv_free(ds);
    double share = formula_reports_share(f, total, late, missing, max);
    if (f->kind == F_DEDUCT_REPORTS) {
        snprintf(reason, n, "Báo cáo muộn %d, chưa gửi %d trong %d báo cáo%s", late, missing, total,
                 why.buf ? why.buf : "");
    } else if (!total) {
        snprintf(reason, n, "Không có báo cáo định kỳ");
    } else {
        snprintf(reason, n, "Báo cáo đúng hạn %d/%d%s", total - late - missing, total, why.buf ? why.buf : "");
    }
    sbuf_free(&why);
    return share;
}

/* The share for a formula, or -1 with the reason why it cannot be computed. */
static double evaluate(const ctx *c, const formula *f, const char *index, const node *nd, char *reason, size_t n)
{
    if (f->kind == F_RATIO) {
        const pv *a = sub_find(c->ss, "Y", "metric", f->num), *b = sub_find(c->ss, "Y", "metric", f->den);
        if (!a || !b || num(b) <= 0) {
            snprintf(reason, n, "Thiếu số liệu %s", !a ? f->num : f->den);
            return -1;
        }
        if (note_of(a) || note_of(b)) /* the unit's own words for its figures, as the appraisal cites them */
            snprintf(reason, n, "%s%s%s", note_of(a) ? note_of(a) : "", note_of(a) && note_of(b) ? "; " : "",
                     note_of(b) ? note_of(b) : "");
        else
            snprintf(reason, n, "Tỷ lệ %s/%s", pv_get_str(a, "value"), pv_get_str(b, "value"));
        return num(a) / num(b);
    }
    if (formula_counts_reports(f))
        return report_share(c, f, index, nd->id, nd->max, reason, n);
    pv *tasks = lead_tasks(c);
    int total = 0, good = 0;
    char y[8];
    snprintf(y, sizeof y, "%d", c->year);
    for (uint32_t i = 0; i < tasks->u.a.n; i++) {
        const pv *t = tasks->u.a.v[i];
        const char *id = pv_get_str(t, "id"), *kind = pv_get_str(t, "deadline_kind"),
                   *at = pv_get_str(t, "deadline_at");
        if (!id || !kind || !at)
            continue;
        const char *period;
        const pv *sub = task_sub(c->ss, id, &period);
        int in_year = (!strcmp(kind, "date") && !strncmp(at, y, 4)) || sub;
        if (!in_year)
            continue;
        total++;
        /* done in any period of the year */
        int done = 0;
        for (size_t k = 0; k < c->ss->n && !done; k++) {
            const char *key = c->ss->keys[k], *bar = strchr(key, '|');
            if (bar && !strncmp(bar + 1, "task|", 5) && !strcmp(bar + 6, id) && compute_is_done(c->ss->vals[k]))
                done = 1;
        }
        good += done;
    }
    pv_free(tasks);
    if (!total) {
        snprintf(reason, n, "%s", "Không có nhiệm vụ trong năm");
        return -1;
    }
    snprintf(reason, n, "Hoàn thành %d/%d nhiệm vụ", good, total);
    return (double)good / total;
}

static void score_leaf(const ctx *c, const char *index, node *nd)
{
    char key[160];
    snprintf(key, sizeof key, "%s:%s", index, nd->id);
    const char *method = pv_get_str(nd->row, "method");
    method = method ? method : "";
    const pv *appr = sub_find(c->ss, "Y", "appraisal", key), *self = sub_find(c->ss, "Y", "score", key);
    double v = 0;
    nd->missing = 0;
    nd->reason[0] = '\0';
    if (self) {
        nd->self = num(self);
        nd->has_self = 1;
    }
    if (!strcmp(method, "survey")) {
        const pv *sv = sub_find(c->ss, "Y", "survey", key);
        nd->source = sv ? "survey" : "missing";
        v = sv ? survey_points(sv, nd->max) : 0;
        if (note_of(sv))
            snprintf(nd->reason, sizeof nd->reason, "%s", note_of(sv));
    } else if (appr) {
        nd->source = "appraisal";
        v = num(appr);
        if (note_of(appr))
            snprintf(nd->reason, sizeof nd->reason, "%s", note_of(appr));
        else if (self) {
            snprintf(nd->reason, sizeof nd->reason, "Điểm thẩm định %s (tự chấm %s)", pv_get_str(appr, "value"),
                     pv_get_str(self, "value"));
            for (char *p = nd->reason; *p; p++)
                if (*p == '.')
                    *p = ',';
        }
    } else if (!strcmp(method, "computed")) {
        formula f;
        par_err e;
        const char *text = pv_get_str(nd->row, "formula");
        double share = -1;
        if (formula_parse(text ? text : "", &f, &e) == 0)
            share = evaluate(c, &f, index, nd, nd->reason, sizeof nd->reason);
        else
            snprintf(nd->reason, sizeof nd->reason, "Công thức không hợp lệ: %s", text ? text : "");
        nd->source = share < 0 ? "missing" : "computed";
        v = share < 0 ? 0 : formula_points(&f, share, nd->max);
    } else if (self) {
        nd->source = "self";
        v = num(self);
        if (note_of(self))
            snprintf(nd->reason, sizeof nd->reason, "%s", note_of(self));
    } else {
        nd->source = "missing";
    }
    if (!strcmp(nd->source, "missing")) {
        nd->missing = 1;
        if (!nd->reason[0])
            snprintf(nd->reason, sizeof nd->reason, "Chưa có số liệu");
    }
    if (v < 0)
        v = 0;
    if (v > nd->max)
        v = nd->max;
    nd->score = v;
    if (!nd->reason[0]) {
        /* no note was written: say at least where the points come from */
        const char *who = !strcmp(nd->source, "survey") ? "Điểm điều tra xã hội học"
                          : !strcmp(nd->source, "appraisal") ? "Điểm thẩm định"
                                                             : "Đơn vị tự chấm";
        snprintf(nd->reason, sizeof nd->reason, "%s %g/%g", who, v, nd->max);
        for (char *p = nd->reason; *p; p++) /* Vietnamese decimal mark */
            if (*p == '.' && p > nd->reason && p[-1] >= '0' && p[-1] <= '9')
                *p = ',';
    }
}

static double pct(double score, double max)
{
    return max > 0 ? score / max * 100 : 0;
}

/* What the criteria list and the areas both show of a node. */
static pv *node_map(const node *nd, const char *name)
{
    pv *m = pv_map();
    pv_set_str(m, "id", nd->id);
    pv_set_str(m, "name", name ? name : "");
    pv_set(m, "score", pv_float(nd->score));
    pv_set(m, "max", pv_float(nd->max));
    pv_set(m, "pct", pv_float(pct(nd->score, nd->max)));
    if (nd->has_target) {
        pv_set(m, "target", pv_float(nd->target));
        pv_set(m, "gap", pv_float(nd->target - nd->score));
    }
    return m;
}

int compute_result(MDB_txn *txn, store *s, const compute_rules *rules, const char *index, int year, const pv *unit,
                   pv **out)
{
    *out = NULL;
    const char *uid = pv_get_str(unit, "id"), *level = pv_get_str(unit, "level");
    if (!uid || !level)
        return 0;
    char prefix[256];
    nodes ns = {0};
    subs ss = {0};
    snprintf(prefix, sizeof prefix, "%s|%d|%s|", index, year, level);
    if (store_scan(txn, store_dbi(s, S_CRIT), prefix, collect_node, &ns) < 0)
        goto fail;
    snprintf(prefix, sizeof prefix, "%s|%d|", uid, year);
    if (store_scan(txn, store_dbi(s, S_SUBS), prefix, collect_sub, &ss) < 0)
        goto fail;
    if (ns.n > 1) /* no criteria: no array to sort */
        qsort(ns.v, ns.n, sizeof *ns.v, node_cmp);
    /* parents: in natural order every node follows its ancestors */
    int *stack = xmalloc((ns.n + 1) * sizeof *stack), top = 0;
    for (size_t i = 0; i < ns.n; i++) {
        while (top > 0) {
            const char *p = ns.v[stack[top - 1]].id;
            size_t l = strlen(p);
            if (!strncmp(ns.v[i].id, p, l) && ns.v[i].id[l] == '.')
                break;
            top--;
        }
        ns.v[i].parent = top ? stack[top - 1] : -1;
        stack[top++] = (int)i;
    }
    free(stack);
    ctx c = {txn, s, uid, year, &ss, rules};
    int data = 0;
    double appraised = 0, survey = 0;
    for (size_t i = 0; i < ns.n; i++) {
        node *nd = &ns.v[i];
        if (!nd->leaf)
            continue;
        score_leaf(&c, index, nd);
        data |= !nd->missing;
        const char *method = pv_get_str(nd->row, "method");
        if (method && !strcmp(method, "survey"))
            survey += nd->score;
        else
            appraised += nd->score;
    }
    if (!data) {
        for (size_t i = 0; i < ns.n; i++)
            pv_free(ns.v[i].row);
        free(ns.v);
        subs_free(&ss);
        return 0;
    }
    /* children come after their parent: backwards, every parent is complete when reached */
    int aggregated = 0;
    for (size_t i = ns.n; i-- > 0;) {
        node *nd = &ns.v[i];
        char key[160];
        snprintf(key, sizeof key, "%s:%s", index, nd->id);
        const pv *whole = nd->leaf ? NULL : sub_find(&ss, "Y", "survey", key);
        if (whole) { /* published whole: the official figure, not what its parts add up to */
            nd->score = num(whole);
            aggregated = 1;
        } else if (!nd->leaf) {
            const char *agg = pv_get_str(nd->row, "formula");
            if (agg && !strcmp(agg, "mean")) /* the mean share of its children, as SIPAS */
                nd->score = nd->acc_n ? nd->acc_share / nd->acc_n * nd->max : 0;
            else
                nd->score = nd->acc_sum;
        }
        if (nd->parent >= 0) {
            node *p = &ns.v[nd->parent];
            p->acc_sum += nd->score;
            p->acc_share += nd->max > 0 ? nd->score / nd->max : 0;
            p->acc_n++;
        }
        const pv *tg = sub_find(&ss, "Y", "target", key);
        if (tg) {
            nd->target = num(tg);
            nd->has_target = 1;
        }
    }
    pv *r = pv_map(), *comps = pv_arr(), *crits = pv_arr(), *deds = pv_arr(), *missing = pv_arr(),
       *off = pv_arr();
    double total = 0, max = 0, target = 0;
    int targets = 0, tops = 0;
    for (size_t i = 0; i < ns.n; i++) {
        node *nd = &ns.v[i];
        const char *name = pv_get_str(nd->row, "name");
        pv *cr = node_map(nd, name);
        if (nd->has_target && nd->score + 1e-9 < nd->target)
            pv_push(off, pv_str(nd->id));
        if (nd->leaf) {
            pv_set_str(cr, "method", pv_get_str(nd->row, "method") ? pv_get_str(nd->row, "method") : "");
            pv_set_str(cr, "source", nd->source);
            if (nd->has_self)
                pv_set(cr, "self", pv_float(nd->self));
            if (nd->missing)
                pv_push(missing, pv_str(nd->id));
            if (nd->max - nd->score > 1e-9) {
                pv *d = pv_map();
                pv_set_str(d, "id", nd->id);
                pv_set_str(d, "name", name ? name : "");
                pv_set(d, "lost", pv_float(nd->max - nd->score));
                pv_set_str(d, "reason", nd->reason);
                const char *owner = pv_get_str(nd->row, "owner");
                if (owner && *owner) { /* who follows it, by name: the report's "per responsible office" */
                    pv *ou = NULL;
                    pv_set_str(d, "owner", owner);
                    if (store_get_pv(txn, store_dbi(s, S_UNITS), owner, &ou) == 1 && pv_get_str(ou, "name"))
                        pv_set_str(d, "owner_name", pv_get_str(ou, "name"));
                    pv_free(ou);
                }
                pv_push(deds, d);
            }
        }
        pv_push(crits, cr);
        if (nd->parent < 0) {
            total += nd->score;
            max += nd->max;
            tops++;
            targets += nd->has_target;
            target += nd->target;
            pv *co = node_map(nd, name);
            pv_set_int(co, "rank", 0);
            pv_push(comps, co);
        }
    }
    /* the whole: as the survey published it, else the areas' mean for a percent index
     * (every area a mean of one maximum: SIPAS), else their sum (model.c: index_total) */
    char tkey[160];
    snprintf(tkey, sizeof tkey, "%s:total", index);
    const pv *official = sub_find(&ss, "Y", "survey", tkey), *whole_target = sub_find(&ss, "Y", "target", tkey);
    int percent = tops > 0;
    double amax = -1;
    for (size_t i = 0; i < ns.n && percent; i++) {
        const node *nd = &ns.v[i];
        const char *agg = pv_get_str(nd->row, "formula");
        if (nd->parent < 0) {
            percent = !nd->leaf && agg && !strcmp(agg, "mean") && (amax < 0 || nd->max == amax);
            amax = nd->max;
        }
    }
    if (percent) {
        total /= tops;
        max = amax;
    }
    if (official)
        total = num(official);
    if (official || aggregated || percent)
        survey = total - appraised;
    pv_set_str(r, "unit", uid);
    pv_set_str(r, "name", pv_get_str(unit, "name") ? pv_get_str(unit, "name") : "");
    pv_set_str(r, "level", level);
    pv_set_str(r, "parent", pv_get_str(unit, "parent") ? pv_get_str(unit, "parent") : "");
    pv_set_str(r, "index", index);
    pv_set_int(r, "year", year);
    pv_set(r, "total", pv_float(total));
    pv_set(r, "max", pv_float(max));
    pv_set(r, "pct", pv_float(pct(total, max)));
    if (percent) /* read as a percent, not as points out of a maximum */
        pv_set(r, "percent", pv_bool(1));
    pv_set(r, "appraised", pv_float(appraised));
    pv_set(r, "survey", pv_float(survey));
    pv_set_int(r, "rank", 0);
    pv_set_int(r, "of", 0);
    pv_set(r, "components", comps);
    pv_set(r, "criteria", crits);
    pv_set(r, "deductions", deds);
    pv_set(r, "missing", missing);
    if (whole_target || (targets && targets == tops && !percent)) {
        /* set for the whole, or every area has a target: so has the whole */
        target = whole_target ? num(whole_target) : target;
        pv_set(r, "target", pv_float(target));
        pv_set(r, "gap", pv_float(target - total));
    }
    pv_set(r, "off_track", off);
    for (size_t i = 0; i < ns.n; i++)
        pv_free(ns.v[i].row);
    free(ns.v);
    subs_free(&ss);
    *out = r;
    return 0;
fail:
    for (size_t i = 0; i < ns.n; i++)
        pv_free(ns.v[i].row);
    free(ns.v);
    subs_free(&ss);
    return -1;
}

typedef struct {
    pv *crits; /* report-counting criteria: {id, name, max, formula} */
} report_crits;

static int collect_report_crit(void *ctx, const char *key, size_t klen, pv *val)
{
    (void)key;
    (void)klen;
    report_crits *rc = ctx;
    const char *text = pv_get_str(val, "formula"), *leaf = pv_get_str(val, "leaf");
    formula f;
    par_err e;
    if (text && leaf && !strcmp(leaf, "1") && formula_parse(text, &f, &e) == 0 && formula_counts_reports(&f))
        pv_push(rc->crits, pv_copy(val));
    return 0;
}

int compute_duties(MDB_txn *txn, store *s, const compute_rules *rules, const char *index, int year, const pv *unit,
                   pv **out)
{
    *out = NULL;
    const char *uid = pv_get_str(unit, "id"), *level = pv_get_str(unit, "level");
    if (!uid || !level)
        return 0;
    char prefix[256];
    report_crits rcs = {pv_arr()};
    subs ss = {0};
    int rc = -1;
    snprintf(prefix, sizeof prefix, "%s|%d|%s|", index, year, level);
    if (store_scan(txn, store_dbi(s, S_CRIT), prefix, collect_report_crit, &rcs) < 0)
        goto done;
    snprintf(prefix, sizeof prefix, "%s|%d|", uid, year);
    if (store_scan(txn, store_dbi(s, S_SUBS), prefix, collect_sub, &ss) < 0)
        goto done;
    ctx c = {txn, s, uid, year, &ss, rules};
    pv *list = pv_arr();
    for (uint32_t i = 0; i < rcs.crits->u.a.n; i++) {
        const pv *cr = rcs.crits->u.a.v[i];
        formula f;
        par_err e;
        formula_parse(pv_get_str(cr, "formula"), &f, &e);
        pv *o = pv_map(), *ds = duties(&c, &f, index, pv_get_str(cr, "id"));
        int late, missing;
        tally(ds, &late, &missing);
        double max = strtod(pv_get_str(cr, "max") ? pv_get_str(cr, "max") : "0", NULL);
        pv_set_str(o, "criterion", pv_get_str(cr, "id"));
        pv_set_str(o, "name", pv_get_str(cr, "name") ? pv_get_str(cr, "name") : "");
        pv_set_str(o, "formula", pv_get_str(cr, "formula"));
        pv_set(o, "max", pv_float(max));
        pv_set_int(o, "due", (int64_t)ds->u.a.n);
        pv_set_int(o, "on_time", (int64_t)ds->u.a.n - late - missing);
        pv_set_int(o, "late", late);
        pv_set_int(o, "missing", missing);
        /* what the rule gives before any appraisal (the result says what counts) */
        double share = formula_reports_share(&f, (int)ds->u.a.n, late, missing, max);
        if (share >= 0)
            pv_set(o, "points", pv_float(formula_points(&f, share, max)));
        pv_set(o, "duties", ds);
        pv_push(list, o);
    }
    pv *r = pv_map();
    pv_set_str(r, "unit", uid);
    pv_set_str(r, "name", pv_get_str(unit, "name") ? pv_get_str(unit, "name") : "");
    pv_set_str(r, "index", index);
    pv_set_int(r, "year", year);
    pv *days = pv_map(); /* the day of a period's last month each kind of report is due */
    pv_set_int(days, "month", rules->report_days.month);
    pv_set_int(days, "quarter", rules->report_days.quarter);
    pv_set_int(days, "half", rules->report_days.half);
    pv_set_int(days, "year", rules->report_days.year);
    pv_set(r, "report_days", days);
    pv_set(r, "criteria", list);
    *out = r;
    rc = 0;
done:
    pv_free(rcs.crits);
    subs_free(&ss);
    return rc;
}
