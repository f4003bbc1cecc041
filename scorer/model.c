#include "model.h"
#include "../common/calendar.h"
#include "compute.h"
#include "formula.h"
#include "../common/clock.h"
#include "../common/deadline.h"
#include "../common/service.h"
#include "../common/config.h"
#include "../common/validity.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

enum { K_SCORE, K_APPRAISAL, K_SURVEY, K_TARGET, K_RANK, K_RTARGET, K_METRIC, K_TASK, K_OTHER };
/* Y, Q1-Q4, H1, M01-M12; P_OTHER never matches a report period */
enum { P_Y = 0, P_Q1 = 1, P_H1 = 5, P_M01 = 6, P_OTHER = 18 };
enum { M_SELF, M_SURVEY, M_COMPUTED, M_OTHER };
enum { T_DATE, T_RECURRING, T_OTHER };
#define F_SLASH 1 /* a survey written as counts: v satisfied of aux answers */

/* k orders entries by kind, key and period; its low byte carries flags, not identity. */
typedef struct {
    uint64_t k;
    double v, aux; /* tasks: v done (0/1), aux the day it was sent */
} entry;

static uint64_t ekey(unsigned kind, uint32_t key, unsigned period)
{
    return (uint64_t)kind << 56 | (uint64_t)key << 16 | (uint64_t)period << 8;
}

typedef struct {
    int year;
    uint32_t n, cap;
    entry *e;
} uyear;

/* A period of a dated unit (common/validity.h): its parent and level then. */
typedef struct {
    char from[11], to[11]; /* YYYY-MM-DD, "" open */
    uint32_t parent, level;
} uspan;

typedef struct {
    uint32_t parent, level; /* the last period's; level NONE: not a known unit (a parent named before it) */
    uspan *spans;           /* NULL: undated, in the tree of every year */
    uint32_t nspans;
    uint32_t successor;     /* the unit that took over after the last period, NONE */
    uint32_t *preds, npreds; /* the units whose successor it is */
    char *name;
    uyear *years;
    uint32_t nyears;
    uint32_t *tasks; /* tasks it leads */
    uint32_t ntasks, taskcap;
} unit;

typedef struct {
    uint32_t lead;
    uint8_t kind, np;
    int at_year;
    int64_t at_day;  /* T_DATE: its day number */
    uint32_t crit;   /* INDEX:criterion it serves (a key id), NONE when it names none */
    uint8_t per[16];
} task;

typedef struct {
    char *id, *name;
    double max;
    uint8_t method, leaf, mean, fok;
    formula f;
    uint32_t key, num, den; /* INDEX:id; the ratio's figures */
    int parent;
} crit;

typedef struct {
    uint32_t index, level;
    int year, built;
    crit *c;
    uint32_t n, cap;
    uint32_t *area, narea; /* criteria at the top, in order */
    uint32_t total_key;    /* INDEX:total: the whole index, where a survey publishes it */
    uint8_t percent;       /* every area a mean of the same maximum (SIPAS): the index is their mean */
    int32_t *slot;         /* key id -> criterion */
    uint32_t nslot;
    double max;
    /* results, indexed by unit id */
    uint32_t ucap;
    uint8_t *has, *gmark;
    double *total, *appraised, *survey, *ascore;
    int32_t *rank, *of, *arank;
    uint32_t *rparent;
} fw;

typedef struct {
    double score, acc_sum, acc_share, target;
    int acc_n;
    uint8_t has_target, missing;
    const entry *self, *appr, *surv, *tgt;
} node;

struct model {
    strset uids, levels, keys, tids, indices;
    strset seasons;      /* INDEX|year|level of every season the collector opened */
    uint8_t *published;  /* by the position in seasons: 1 once published */
    unit *u;
    size_t ucap;
    task *t;
    size_t tcap;
    fw **fw;
    size_t nfw, fwcap;
    /* what changed since the last settle */
    uint8_t *udirty;
    uint32_t *dirty_units, ndu, cdu;
    struct uy {
        uint32_t u;
        int year;
    } *dirty_uy;
    size_t nuy, cuy;
    struct grp {
        uint32_t fw, parent;
    } *groups;
    size_t ngroups, cgroups;
    /* scratch */
    node *nodes;
    size_t nnodes;
    uint32_t *members;
    size_t cmembers;
    const struct calendar *cal; /* working days for "on time"; NULL: every day */
    dl_days report_days;        /* of a period's last month: each kind of recurring report's due day */
    const entry *official;      /* compute(): the index total as published, if it was */
    int aggregated;             /* compute(): some parent stood for its parts (published whole) */
    int merged_prev;            /* CONF_MERGED_*: a merged unit's year before */
};

/* ---------- interning ---------- */

static uint32_t intern(strset *s, const char *str)
{
    return (uint32_t)strset_intern(s, str);
}

static uint32_t lookup(const strset *s, const char *str)
{
    long i = strset_index(s, str);
    return i < 0 ? NONE : (uint32_t)i;
}

static void fw_grow_units(fw *f, uint32_t n);

/* arr (of *cap elements of size sz) grown to hold n, the new elements zeroed; *old
 * gets the former capacity. */
static void *grow(void *arr, size_t *cap, size_t n, size_t sz, size_t *old)
{
    *old = *cap;
    if (n <= *cap)
        return arr;
    *cap = *cap ? *cap * 2 : 256;
    arr = xrealloc(arr, *cap * sz);
    memset((char *)arr + *old * sz, 0, (*cap - *old) * sz);
    return arr;
}

static uint32_t unit_id(model *m, const char *id)
{
    uint32_t u = intern(&m->uids, id);
    if (m->uids.n > m->ucap) {
        size_t old;
        m->u = grow(m->u, &m->ucap, m->uids.n, sizeof *m->u, &old);
        m->udirty = xrealloc(m->udirty, m->ucap);
        memset(m->udirty + old, 0, m->ucap - old);
        for (size_t i = old; i < m->ucap; i++) {
            m->u[i].parent = NONE;
            m->u[i].level = NONE;
            m->u[i].successor = NONE;
        }
        for (size_t i = 0; i < m->nfw; i++)
            fw_grow_units(m->fw[i], (uint32_t)m->ucap);
    }
    return u;
}

static uint32_t task_id(model *m, const char *id)
{
    uint32_t t = intern(&m->tids, id);
    if (m->tids.n > m->tcap) {
        size_t old;
        m->t = grow(m->t, &m->tcap, m->tids.n, sizeof *m->t, &old);
        for (size_t i = old; i < m->tcap; i++)
            m->t[i].lead = NONE;
    }
    return t;
}

model *model_new(void)
{
    model *m = xcalloc(1, sizeof *m);
    strset_init(&m->uids);
    strset_init(&m->levels);
    strset_init(&m->keys);
    strset_init(&m->tids);
    strset_init(&m->indices);
    strset_init(&m->seasons);
    unit_id(m, ""); /* the parent of the top units */
    m->report_days = dl_days_all(MODEL_REPORT_DAY);
    return m;
}

static void fw_free_results(fw *f)
{
    free(f->has);
    free(f->gmark);
    free(f->total);
    free(f->appraised);
    free(f->survey);
    free(f->ascore);
    free(f->rank);
    free(f->of);
    free(f->arank);
    free(f->rparent);
}

static void fw_free(fw *f)
{
    for (uint32_t i = 0; i < f->n; i++) {
        free(f->c[i].id);
        free(f->c[i].name);
    }
    free(f->c);
    free(f->area);
    free(f->slot);
    fw_free_results(f);
    free(f);
}

void model_destroy(model **mp)
{
    model *m = *mp;
    if (!m)
        return;
    for (size_t i = 0; i < m->uids.n; i++) {
        free(m->u[i].name);
        for (uint32_t y = 0; y < m->u[i].nyears; y++)
            free(m->u[i].years[y].e);
        free(m->u[i].years);
        free(m->u[i].tasks);
        free(m->u[i].spans);
        free(m->u[i].preds);
    }
    for (size_t i = 0; i < m->nfw; i++)
        fw_free(m->fw[i]);
    free(m->fw);
    free(m->u);
    free(m->t);
    free(m->udirty);
    free(m->dirty_units);
    free(m->dirty_uy);
    free(m->groups);
    free(m->nodes);
    free(m->members);
    strset_free(&m->uids);
    strset_free(&m->levels);
    strset_free(&m->keys);
    strset_free(&m->tids);
    strset_free(&m->indices);
    strset_free(&m->seasons);
    free(m->published);
    free(m);
    *mp = NULL;
}

/* ---------- what changed ---------- */

static void touch_unit(model *m, uint32_t u)
{
    if (m->udirty[u])
        return;
    m->udirty[u] = 1;
    if (m->ndu == m->cdu) {
        m->cdu = m->cdu ? m->cdu * 2 : 64;
        m->dirty_units = xrealloc(m->dirty_units, m->cdu * sizeof *m->dirty_units);
    }
    m->dirty_units[m->ndu++] = u;
}

static void touch_year(model *m, uint32_t u, int year)
{
    if (m->udirty[u])
        return;
    /* the last few pairs catch the runs of one unit's lines */
    for (size_t i = m->nuy; i-- > 0 && i + 8 >= m->nuy;)
        if (m->dirty_uy[i].u == u && m->dirty_uy[i].year == year)
            return;
    if (m->nuy == m->cuy) {
        m->cuy = m->cuy ? m->cuy * 2 : 64;
        m->dirty_uy = xrealloc(m->dirty_uy, m->cuy * sizeof *m->dirty_uy);
    }
    m->dirty_uy[m->nuy].u = u;
    m->dirty_uy[m->nuy++].year = year;
}

static void touch_group(model *m, uint32_t fi, uint32_t parent)
{
    fw *f = m->fw[fi];
    if (f->gmark[parent])
        return;
    f->gmark[parent] = 1;
    if (m->ngroups == m->cgroups) {
        m->cgroups = m->cgroups ? m->cgroups * 2 : 64;
        m->groups = xrealloc(m->groups, m->cgroups * sizeof *m->groups);
    }
    m->groups[m->ngroups].fw = fi;
    m->groups[m->ngroups++].parent = parent;
}

/* ---------- inputs ---------- */

void model_unit(model *m, const char *id, const char *parent, const char *level, const char *name)
{
    model_unit_dated(m, id, parent, level, name, "", "", "", "");
}

static void preds_drop(unit *x, uint32_t v)
{
    for (uint32_t i = 0; i < x->npreds; i++)
        if (x->preds[i] == v) {
            x->preds[i] = x->preds[--x->npreds];
            return;
        }
}

void model_unit_dated(model *m, const char *id, const char *parent, const char *level, const char *name,
                      const char *valid_from, const char *valid_to, const char *successor, const char *periods)
{
    validity_span sp[VALIDITY_MAX];
    int n = validity_read(periods, valid_from, valid_to, parent, level, sp, VALIDITY_MAX);
    uint32_t u = unit_id(m, id), p = unit_id(m, parent ? parent : "");
    uint32_t succ = successor && *successor ? unit_id(m, successor) : NONE;
    for (int i = 0; i < n; i++) /* interned before x is taken: unit_id may move the units */
        unit_id(m, sp[i].parent);
    unit *x = &m->u[u];
    x->parent = p;
    x->level = intern(&m->levels, level ? level : "");
    free(x->name);
    x->name = xstrdup(name ? name : "");
    free(x->spans);
    x->spans = NULL;
    x->nspans = 0;
    /* an undated unit keeps no periods: it is in every year's tree, as before dates; a
     * record the collector wrote is well formed, anything else reads as undated */
    if (n > 1 || (n == 1 && (*sp[0].from || *sp[0].to))) {
        x->spans = xmalloc((size_t)n * sizeof *x->spans);
        for (int i = 0; i < n; i++) {
            uspan *s = &x->spans[i];
            memcpy(s->from, sp[i].from, sizeof s->from);
            memcpy(s->to, sp[i].to, sizeof s->to);
            s->parent = (uint32_t)strset_index(&m->uids, sp[i].parent);
            /* one period: its level whole, as an undated unit's */
            s->level = n == 1 ? x->level : intern(&m->levels, sp[i].level);
        }
        x->nspans = (uint32_t)n;
    }
    if (x->successor != succ) {
        if (x->successor != NONE)
            preds_drop(&m->u[x->successor], u);
        if (succ != NONE) {
            unit *y = &m->u[succ];
            y->preds = xrealloc(y->preds, (y->npreds + 1) * sizeof *y->preds);
            y->preds[y->npreds++] = u;
        }
        x->successor = succ;
    }
    touch_unit(m, u);
}

/* The unit's place in year's tree: its period that holds 31 December of year (a year
 * is ranked on the tree it ends with, docs/scoring.md). 0 when it is not in that tree. */
static int unit_in_year(const model *m, uint32_t u, int year, uint32_t *parent, uint32_t *level)
{
    const unit *x = &m->u[u];
    if (!x->spans) {
        *parent = x->parent;
        *level = x->level;
        return 1;
    }
    char day[11];
    validity_year_day(year, day);
    for (uint32_t i = 0; i < x->nspans; i++)
        if ((!*x->spans[i].from || strcmp(x->spans[i].from, day) <= 0) &&
            (!*x->spans[i].to || strcmp(day, x->spans[i].to) <= 0)) {
            *parent = x->spans[i].parent;
            *level = x->spans[i].level;
            return 1;
        }
    return 0;
}

/* The level of u in year's tree, NONE when it is not in it. */
static uint32_t level_in_year(const model *m, uint32_t u, int year)
{
    uint32_t p, l;
    return unit_in_year(m, u, year, &p, &l) ? l : NONE;
}

int model_unit_year(model *m, const char *unit, int year, const char **parent, const char **level)
{
    long u = strset_index(&m->uids, unit);
    uint32_t p, l;
    if (u < 0 || !unit_in_year(m, (uint32_t)u, year, &p, &l) || l == NONE)
        return 0;
    *parent = m->uids.items[p];
    *level = m->levels.items[l];
    return 1;
}

const char *model_unit_end(model *m, const char *unit)
{
    long u = strset_index(&m->uids, unit);
    if (u < 0 || !m->u[u].spans)
        return "";
    return m->u[u].spans[m->u[u].nspans - 1].to;
}

void model_set_merged_prev(model *m, int rule)
{
    m->merged_prev = rule;
}

static uint32_t fw_find(model *m, uint32_t index, int year, uint32_t level)
{
    for (size_t i = 0; i < m->nfw; i++)
        if (m->fw[i]->index == index && m->fw[i]->year == year && m->fw[i]->level == level)
            return (uint32_t)i;
    return NONE;
}

static void fw_grow_units(fw *f, uint32_t n)
{
    uint32_t old = f->ucap;
    if (n <= old)
        return;
    f->ucap = n;
    f->has = xrealloc(f->has, n);
    f->gmark = xrealloc(f->gmark, n);
    f->total = xrealloc(f->total, n * sizeof(double));
    f->appraised = xrealloc(f->appraised, n * sizeof(double));
    f->survey = xrealloc(f->survey, n * sizeof(double));
    f->rank = xrealloc(f->rank, n * sizeof(int32_t));
    f->of = xrealloc(f->of, n * sizeof(int32_t));
    f->rparent = xrealloc(f->rparent, n * sizeof(uint32_t));
    f->ascore = xrealloc(f->ascore, (size_t)n * (f->narea ? f->narea : 1) * sizeof(double));
    f->arank = xrealloc(f->arank, (size_t)n * (f->narea ? f->narea : 1) * sizeof(int32_t));
    memset(f->has + old, 0, n - old);
    memset(f->gmark + old, 0, n - old);
    memset(f->rank + old, 0, (n - old) * sizeof(int32_t));
    memset(f->of + old, 0, (n - old) * sizeof(int32_t));
}

static uint32_t fw_get(model *m, const char *index, int year, const char *level)
{
    uint32_t ix = intern(&m->indices, index), lv = intern(&m->levels, level);
    uint32_t i = fw_find(m, ix, year, lv);
    if (i != NONE)
        return i;
    fw *f = xcalloc(1, sizeof *f);
    f->index = ix;
    f->year = year;
    f->level = lv;
    fw_grow_units(f, (uint32_t)m->ucap);
    if (m->nfw == m->fwcap) {
        m->fwcap = m->fwcap ? m->fwcap * 2 : 8;
        m->fw = xrealloc(m->fw, m->fwcap * sizeof *m->fw);
    }
    m->fw[m->nfw] = f;
    return (uint32_t)m->nfw++;
}

void model_framework(model *m, const char *index, int year, const char *level)
{
    uint32_t fi = fw_get(m, index, year, level);
    fw *f = m->fw[fi];
    for (uint32_t i = 0; i < f->n; i++) {
        free(f->c[i].id);
        free(f->c[i].name);
    }
    f->n = 0;
    f->built = 0;
}

void model_criterion(model *m, const pv *row)
{
    int64_t year;
    if (str_to_i64(pv_get_text(row, "year"), &year) < 0)
        return;
    uint32_t fi = fw_get(m, pv_get_text(row, "index"), (int)year, pv_get_text(row, "level"));
    fw *f = m->fw[fi];
    const char *id = pv_get_text(row, "id");
    crit *c = NULL;
    for (uint32_t i = 0; i < f->n && !c; i++)
        if (!strcmp(f->c[i].id, id))
            c = &f->c[i];
    if (!c) {
        if (f->n == f->cap) {
            f->cap = f->cap ? f->cap * 2 : 32;
            f->c = xrealloc(f->c, f->cap * sizeof *f->c);
        }
        c = &f->c[f->n++];
        memset(c, 0, sizeof *c);
        c->id = xstrdup(id);
    }
    free(c->name);
    c->name = xstrdup(pv_get_text(row, "name"));
    c->max = strtod(pv_get_text(row, "max"), NULL);
    c->leaf = !strcmp(pv_get_text(row, "leaf"), "1");
    const char *method = pv_get_text(row, "method"), *formula = pv_get_text(row, "formula");
    c->method = !strcmp(method, "self") ? M_SELF : !strcmp(method, "survey") ? M_SURVEY
              : !strcmp(method, "computed") ? M_COMPUTED : M_OTHER;
    c->mean = !strcmp(formula, "mean");
    par_err e;
    c->fok = formula_parse(formula, &c->f, &e) == 0;
    c->num = c->den = NONE;
    if (c->fok && c->f.kind == F_RATIO) {
        c->num = intern(&m->keys, c->f.num);
        c->den = intern(&m->keys, c->f.den);
    }
    char key[160];
    snprintf(key, sizeof key, "%s:%s", pv_get_text(row, "index"), id);
    c->key = intern(&m->keys, key);
    f->built = 0;
}

/* Recurring deadlines as the explanation reads them: "recurring:Q1,H1,Q3,Y" or "M". */
static void task_periods(task *t, const char *at)
{
    const char *list = strchr(at, ':');
    t->np = 0;
    for (const char *p = list ? list + 1 : ""; *p && t->np < 16;) {
        size_t l = strcspn(p, ",");
        if (l == 1 && *p == 'M') {
            for (int mo = 1; mo <= 12 && t->np < 16; mo++)
                t->per[t->np++] = (uint8_t)(P_M01 + mo - 1);
        } else if (l < 4) {
            char b[4];
            memcpy(b, p, l);
            b[l] = '\0';
            int code = P_OTHER;
            if (!strcmp(b, "Y"))
                code = P_Y;
            else if (b[0] == 'Q' && b[1] >= '1' && b[1] <= '4' && !b[2])
                code = P_Q1 + b[1] - '1';
            else if (!strcmp(b, "H1"))
                code = P_H1;
            else if (b[0] == 'M' && b[1] >= '0' && b[1] <= '1' && b[2] >= '0' && b[2] <= '9' && atoi(b + 1) >= 1 &&
                     atoi(b + 1) <= 12)
                code = P_M01 + atoi(b + 1) - 1;
            t->per[t->np++] = (uint8_t)code;
        }
        p += l + (p[l] == ',');
    }
}

static void lead_drop(unit *x, uint32_t t)
{
    for (uint32_t i = 0; i < x->ntasks; i++)
        if (x->tasks[i] == t) {
            x->tasks[i] = x->tasks[--x->ntasks];
            return;
        }
}

void model_task(model *m, const char *id, const char *lead, const char *kind, const char *at, const char *index,
                const char *criterion)
{
    uint32_t ti = task_id(m, id);
    task *t = &m->t[ti];
    if (t->lead != NONE) {
        lead_drop(&m->u[t->lead], ti);
        touch_unit(m, t->lead);
    }
    uint32_t u = unit_id(m, lead ? lead : "");
    t = &m->t[ti]; /* unit_id may not move tasks, but keep the pointer honest */
    t->lead = u;
    t->kind = !strcmp(kind, "date") ? T_DATE : !strcmp(kind, "recurring") ? T_RECURRING : T_OTHER;
    t->at_year = t->kind == T_DATE ? atoi(at) : 0;
    int y, mo, d;
    t->at_day = t->kind == T_DATE && sscanf(at, "%4d-%2d-%2d", &y, &mo, &d) == 3 ? clock_days_from_civil(y, mo, d) : 0;
    t->crit = NONE;
    if (index && *index && criterion && *criterion) {
        char key[160];
        snprintf(key, sizeof key, "%s:%s", index, criterion);
        t->crit = intern(&m->keys, key);
    }
    if (t->kind == T_RECURRING)
        task_periods(t, at);
    unit *x = &m->u[u];
    if (x->ntasks == x->taskcap) {
        x->taskcap = x->taskcap ? x->taskcap * 2 : 4;
        x->tasks = xrealloc(x->tasks, x->taskcap * sizeof *x->tasks);
    }
    x->tasks[x->ntasks++] = ti;
    touch_unit(m, u);
}

static int period_code(const char *p)
{
    if (!strcmp(p, "Y"))
        return P_Y;
    if (p[0] == 'Q' && p[1] >= '1' && p[1] <= '4' && !p[2])
        return P_Q1 + p[1] - '1';
    if (!strcmp(p, "H1"))
        return P_H1;
    if (p[0] == 'M' && strlen(p) == 3 && atoi(p + 1) >= 1 && atoi(p + 1) <= 12)
        return P_M01 + atoi(p + 1) - 1;
    return P_OTHER;
}

static int kind_code(const char *k)
{
    static const char *const names[] = {"score", "appraisal", "survey", "target", "rank", "rank_target", "metric", "task"};
    for (int i = 0; i < K_OTHER; i++)
        if (!strcmp(k, names[i]))
            return i;
    return K_OTHER;
}

/* YYYY-MM-DD as a day number; INT_MAX when it is not one (never on time). */
static double day_of(const char *s)
{
    int y, mo, d;
    if (!s || strlen(s) < 10 || sscanf(s, "%4d-%2d-%2d", &y, &mo, &d) != 3)
        return (double)INT_MAX;
    return (double)clock_days_from_civil(y, mo, d);
}

static uyear *year_of(unit *x, int year, int create)
{
    for (uint32_t i = 0; i < x->nyears; i++)
        if (x->years[i].year == year)
            return &x->years[i];
    if (!create)
        return NULL;
    x->years = xrealloc(x->years, (x->nyears + 1) * sizeof *x->years);
    uyear *y = &x->years[x->nyears++];
    memset(y, 0, sizeof *y);
    y->year = year;
    return y;
}

/* The first entry at or after k (flags ignored). */
static uint32_t lower(const uyear *y, uint64_t k)
{
    uint32_t lo = 0, hi = y->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if ((y->e[mid].k & ~(uint64_t)0xff) < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const entry *find(const uyear *y, unsigned kind, uint32_t key, unsigned period)
{
    if (!y || key == NONE)
        return NULL;
    uint64_t k = ekey(kind, key, period);
    uint32_t i = lower(y, k);
    return i < y->n && (y->e[i].k & ~(uint64_t)0xff) == k ? &y->e[i] : NULL;
}

void model_submission(model *m, const char *unitid, int year, const char *period, const char *kind,
                      const char *key, const char *value, const char *date, const char *received)
{
    uint32_t u = unit_id(m, unitid);
    int kc = kind_code(kind);
    uint32_t kid = kc == K_TASK ? task_id(m, key) : intern(&m->keys, key);
    entry en = {ekey((unsigned)kc, kid, (unsigned)period_code(period)), 0, 0};
    if (kc == K_TASK) {
        en.v = !strcmp(value, "done") || strtod(value, NULL) >= 100;
        en.aux = day_of(date && *date ? date : received);
    } else if (kc == K_SURVEY && strchr(value, '/')) {
        en.k |= F_SLASH;
        en.v = strtod(value, NULL);
        en.aux = strtod(strchr(value, '/') + 1, NULL);
    } else {
        en.v = strtod(value, NULL);
    }
    uyear *y = year_of(&m->u[u], year, 1);
    uint64_t id = en.k & ~(uint64_t)0xff;
    uint32_t i = lower(y, id);
    if (i < y->n && (y->e[i].k & ~(uint64_t)0xff) == id) {
        /* a report done again (a note corrected, a paper copy recorded) counts from its
         * first day, as the notifier has it: the earliest */
        if (kc == K_TASK && en.v != 0 && y->e[i].v != 0 && y->e[i].aux < en.aux)
            en.aux = y->e[i].aux;
        y->e[i] = en;
    } else {
        if (y->n == y->cap) {
            y->cap = y->cap ? y->cap + y->cap / 2 + 8 : 16;
            y->e = xrealloc(y->e, y->cap * sizeof *y->e);
        }
        memmove(y->e + i + 1, y->e + i, (y->n - i) * sizeof *y->e);
        y->e[i] = en;
        y->n++;
    }
    touch_year(m, u, year);
}

void model_season(model *m, const char *index, int year, const char *level, const char *phase)
{
    char key[160];
    snprintf(key, sizeof key, "%s|%d|%s", index, year, level);
    if (strset_add(&m->seasons, key))
        m->published = xrealloc(m->published, m->seasons.n);
    m->published[strset_index(&m->seasons, key)] = !strcmp(phase, "published");
}

int model_published(model *m, const char *index, int year, const char *level)
{
    char key[160];
    snprintf(key, sizeof key, "%s|%d|%s", index, year, level);
    long i = strset_index(&m->seasons, key);
    return i >= 0 && m->published[i];
}

const char *model_level(model *m, const char *unit)
{
    long u = strset_index(&m->uids, unit);
    return u < 0 || m->u[u].level == NONE ? "" : m->levels.items[m->u[u].level];
}

int model_below(model *m, const char *unit, const char *mine)
{
    long u = strset_index(&m->uids, unit), top = strset_index(&m->uids, mine);
    for (int depth = 0; u >= 0 && top >= 0 && depth < 64; depth++) {
        if (u == top)
            return 1;
        uint32_t p = m->u[u].parent;
        if (p == NONE || p == (uint32_t)u)
            break;
        u = p;
    }
    return 0;
}

void model_apply(model *m, const event_view *ev)
{
    const row_view *r = &ev->row;
    int64_t year = 0;
    if (ev->type == EV_SUBMISSION) {
        const line_view *l = &ev->line;
        /* an explanation is read by people; the appraisal it leads to is what counts */
        if (!strcmp(l->kind, "explanation"))
            return;
        if (str_to_i64(l->year, &year) == 0)
            model_submission(m, l->unit, (int)year, l->period, l->kind, l->key, l->value,
                             service_sent_on(ev->sender, l->date, ev->received), ev->received);
    } else if (ev->type == EV_UNIT) {
        model_unit_dated(m, row_str(r, "id"), row_str(r, "parent"), row_str(r, "level"), row_str(r, "name"),
                         row_str(r, "valid_from"), row_str(r, "valid_to"), row_str(r, "successor"),
                         row_str(r, "periods"));
    } else if (ev->type == EV_FRAMEWORK) {
        if (str_to_i64(row_str(r, "year"), &year) == 0)
            model_framework(m, row_str(r, "index"), (int)year, row_str(r, "level"));
    } else if (ev->type == EV_CRITERION) {
        pv *row = proto_row_pv(r);
        model_criterion(m, row);
        pv_free(row);
    } else if (ev->type == EV_TASK) {
        model_task(m, row_str(r, "id"), row_str(r, "lead"), row_str(r, "deadline_kind"), row_str(r, "deadline_at"),
                   row_str(r, "index"), row_str(r, "criterion"));
    } else if (ev->type == EV_SEASON) {
        if (str_to_i64(row_str(r, "year"), &year) == 0)
            model_season(m, row_str(r, "index"), (int)year, row_str(r, "level"), row_str(r, "phase"));
    }
}

/* ---------- a framework's structure ---------- */

static int crit_cmp(const void *a, const void *b)
{
    return compute_id_cmp(((const crit *)a)->id, ((const crit *)b)->id);
}

static void fw_build(model *m, fw *f)
{
    if (f->n > 1)
        qsort(f->c, f->n, sizeof *f->c, crit_cmp);
    int *stack = xmalloc((f->n + 1) * sizeof *stack), top = 0;
    f->narea = 0;
    f->max = 0;
    free(f->area);
    f->area = xmalloc((f->n + 1) * sizeof *f->area);
    for (uint32_t i = 0; i < f->n; i++) {
        while (top > 0) {
            const char *p = f->c[stack[top - 1]].id;
            size_t l = strlen(p);
            if (!strncmp(f->c[i].id, p, l) && f->c[i].id[l] == '.')
                break;
            top--;
        }
        f->c[i].parent = top ? stack[top - 1] : -1;
        stack[top++] = (int)i;
        if (f->c[i].parent < 0) {
            f->area[f->narea++] = i;
            f->max += f->c[i].max;
        }
    }
    free(stack);
    f->percent = f->narea > 0;
    for (uint32_t a = 0; a < f->narea; a++)
        f->percent &= f->c[f->area[a]].mean && !f->c[f->area[a]].leaf && f->c[f->area[a]].max == f->c[f->area[0]].max;
    if (f->percent)
        f->max = f->c[f->area[0]].max;
    char tk[160];
    snprintf(tk, sizeof tk, "%s:total", m->indices.items[f->index]);
    f->total_key = intern(&m->keys, tk);
    free(f->slot);
    f->nslot = (uint32_t)m->keys.n;
    f->slot = xmalloc((f->nslot + 1) * sizeof *f->slot);
    for (uint32_t i = 0; i < f->nslot; i++)
        f->slot[i] = -1;
    for (uint32_t i = 0; i < f->n; i++)
        f->slot[f->c[i].key] = (int32_t)i;
    size_t na = f->narea ? f->narea : 1;
    f->ascore = xrealloc(f->ascore, (size_t)f->ucap * na * sizeof(double));
    f->arank = xrealloc(f->arank, (size_t)f->ucap * na * sizeof(int32_t));
    memset(f->arank, 0, (size_t)f->ucap * na * sizeof(int32_t));
    memset(f->ascore, 0, (size_t)f->ucap * na * sizeof(double));
    f->built = 1;
}

/* ---------- one result ---------- */

static const char *period_name(int code, char out[8])
{
    if (code == P_Y)
        return "Y";
    if (code == P_H1)
        return "H1";
    if (code >= P_Q1 && code < P_H1)
        snprintf(out, 8, "Q%d", code - P_Q1 + 1);
    else if (code >= P_M01 && code < P_OTHER)
        snprintf(out, 8, "M%02d", code - P_M01 + 1);
    else
        return "";
    return out;
}

/* The day a report is due, days of grace added, moved past days off (art. 148). */
static double due_day(const model *m, int64_t due, int days)
{
    due += days;
    return (double)(m->cal ? calendar_next_workday(m->cal, due) : due);
}

void model_set_calendar(model *m, const struct calendar *cal)
{
    m->cal = cal;
}

void model_set_report_days(model *m, dl_days days)
{
    m->report_days = days;
}

/* The share a formula gives, or -1 when it cannot be computed (compute.c explains it). */
static double evaluate(model *m, const crit *c, uint32_t u, const uyear *y, int year)
{
    const formula *f = &c->f;
    if (f->kind == F_RATIO) {
        const entry *a = find(y, K_METRIC, c->num, P_Y), *b = find(y, K_METRIC, c->den, P_Y);
        if (!a || !b || b->v <= 0)
            return -1;
        return a->v / b->v;
    }
    const unit *x = &m->u[u];
    int total = 0, good = 0, late = 0, missing = 0;
    for (uint32_t i = 0; i < x->ntasks; i++) {
        uint32_t ti = x->tasks[i];
        const task *t = &m->t[ti];
        if (f->kind == F_TASKS_DONE) {
            /* reported in any period of the year, or due in it */
            uint32_t at = y ? lower(y, ekey(K_TASK, ti, 0)) : 0;
            int reported = y && at < y->n && (y->e[at].k & ~(uint64_t)0xffff) == ekey(K_TASK, ti, 0);
            if (!((t->kind == T_DATE && t->at_year == year) || reported))
                continue;
            total++;
            int done = 0;
            for (uint32_t k = at; reported && k < y->n && (y->e[k].k & ~(uint64_t)0xffff) == ekey(K_TASK, ti, 0); k++)
                done |= y->e[k].v != 0;
            good += done;
        } else if (t->kind == T_RECURRING && (t->crit == NONE || t->crit == c->key)) {
            /* a duty per period, due on the report day of its last month; a report naming
             * another criterion is that criterion's */
            for (int k = 0; k < t->np; k++) {
                char pn[8];
                int64_t due = deadline_period_due(period_name(t->per[k], pn), year, m->report_days);
                total++;
                const entry *s = t->per[k] == P_OTHER ? NULL : find(y, K_TASK, ti, t->per[k]);
                if (due < 0 || !s || s->v == 0)
                    missing++;
                else if (s->aux <= due_day(m, due, f->days))
                    good++;
                else
                    late++;
            }
        } else if (t->kind == T_DATE && t->crit == c->key && t->at_year == year) {
            /* a report due on its own day (seed 003: 08-NQ/TU's review by 25/5/2023), sent in
             * any period of the year: the first report of it done */
            total++;
            double sent = -1;
            uint32_t at = y ? lower(y, ekey(K_TASK, ti, 0)) : 0;
            for (uint32_t k = at; y && k < y->n && (y->e[k].k & ~(uint64_t)0xffff) == ekey(K_TASK, ti, 0); k++)
                if (y->e[k].v != 0 && (sent < 0 || y->e[k].aux < sent))
                    sent = y->e[k].aux;
            if (sent < 0)
                missing++;
            else if (sent <= due_day(m, t->at_day, f->days))
                good++;
            else
                late++;
        }
    }
    if (formula_counts_reports(f))
        return formula_reports_share(f, total, late, missing, c->max);
    return total ? (double)good / total : -1;
}

/* Scores every criterion of f for unit u into m->nodes; 1 when some leaf has a value. */
static int compute(model *m, fw *f, uint32_t u, double *appraised, double *survey)
{
    if (m->nnodes < f->n) {
        m->nnodes = f->n;
        m->nodes = xrealloc(m->nodes, m->nnodes * sizeof *m->nodes);
    }
    node *ns = m->nodes;
    memset(ns, 0, f->n * sizeof *ns);
    const uyear *y = year_of(&m->u[u], f->year, 0);
    for (uint32_t i = 0; y && i < y->n; i++) {
        const entry *e = &y->e[i];
        unsigned kind = (unsigned)(e->k >> 56), period = (unsigned)(e->k >> 8) & 0xff;
        uint32_t key = (uint32_t)(e->k >> 16);
        if (kind > K_TARGET)
            break; /* sorted by kind: figures and tasks come after */
        if (period != P_Y || key >= f->nslot || f->slot[key] < 0)
            continue;
        node *nd = &ns[f->slot[key]];
        if (kind == K_SCORE)
            nd->self = e;
        else if (kind == K_APPRAISAL)
            nd->appr = e;
        else if (kind == K_SURVEY)
            nd->surv = e;
        else
            nd->tgt = e;
    }
    int data = 0;
    *appraised = *survey = 0;
    m->official = find(y, K_SURVEY, f->total_key, P_Y);
    m->aggregated = 0;
    for (uint32_t i = 0; i < f->n; i++) {
        const crit *c = &f->c[i];
        node *nd = &ns[i];
        if (!c->leaf)
            continue;
        double v = 0;
        int missing = 0;
        if (c->method == M_SURVEY) {
            missing = !nd->surv;
            if (nd->surv)
                v = !(nd->surv->k & F_SLASH) ? nd->surv->v : nd->surv->aux > 0 ? nd->surv->v / nd->surv->aux * c->max : 0;
        } else if (nd->appr) {
            v = nd->appr->v;
        } else if (c->method == M_COMPUTED) {
            double share = c->fok ? evaluate(m, c, u, y, f->year) : -1;
            missing = share < 0;
            v = share < 0 ? 0 : formula_points(&c->f, share, c->max);
        } else if (nd->self) {
            v = nd->self->v;
        } else {
            missing = 1;
        }
        if (v < 0)
            v = 0;
        if (v > c->max)
            v = c->max;
        nd->score = v;
        nd->missing = (uint8_t)missing;
        data |= !missing;
        if (c->method == M_SURVEY)
            *survey += v;
        else
            *appraised += v;
    }
    if (!data)
        return 0;
    /* backwards, every parent is complete when reached (as compute.c adds them) */
    for (uint32_t i = f->n; i-- > 0;) {
        const crit *c = &f->c[i];
        node *nd = &ns[i];
        if (!c->leaf && nd->surv) { /* published whole: the official figure, not what its parts add up to */
            nd->score = nd->surv->v;
            m->aggregated = 1;
        }
        else if (!c->leaf)
            nd->score = c->mean ? (nd->acc_n ? nd->acc_share / nd->acc_n * c->max : 0) : nd->acc_sum;
        if (c->parent >= 0) {
            node *p = &ns[c->parent];
            p->acc_sum += nd->score;
            p->acc_share += c->max > 0 ? nd->score / c->max : 0;
            p->acc_n++;
        }
        if (nd->tgt) {
            nd->target = nd->tgt->v;
            nd->has_target = 1;
        }
    }
    return 1;
}

/* The index's points: what the survey published whole, else the areas' mean for a
 * percent index (SIPAS), else their sum. */
static double index_total(const fw *f, const node *ns, const entry *official)
{
    if (official)
        return official->v;
    double total = 0;
    for (uint32_t a = 0; a < f->narea; a++)
        total += ns[f->area[a]].score;
    return f->percent ? total / f->narea : total;
}

static int unit_has_year(const unit *x, int year)
{
    for (uint32_t i = 0; i < x->nyears; i++)
        if (x->years[i].year == year)
            return x->years[i].n > 0;
    return 0;
}

static void moved_add(model *m, strset *moved, fw *f, uint32_t u)
{
    if (!moved)
        return;
    char k[512];
    snprintf(k, sizeof k, "%s|%d|%s", m->indices.items[f->index], f->year, m->uids.items[u]);
    strset_add(moved, k);
}

static void recompute(model *m, uint32_t fi, uint32_t u, strset *moved)
{
    fw *f = m->fw[fi];
    const unit *x = &m->u[u];
    double appraised = 0, survey = 0;
    uint32_t parent = NONE, level = NONE;
    int now = unit_in_year(m, u, f->year, &parent, &level) && level == f->level && unit_has_year(x, f->year) &&
              compute(m, f, u, &appraised, &survey);
    if (!now) {
        if (f->has[u]) {
            f->has[u] = 0;
            f->rank[u] = f->of[u] = 0;
            touch_group(m, fi, f->rparent[u]);
        }
        return;
    }
    double total = index_total(f, m->nodes, m->official);
    for (uint32_t a = 0; a < f->narea; a++)
        f->ascore[(size_t)u * f->narea + a] = m->nodes[f->area[a]].score;
    if (m->official || m->aggregated || f->percent)
        survey = total - appraised; /* official aggregates stand in for the survey's parts */
    if (!f->has[u] || fabs(f->total[u] - total) > 1e-9)
        moved_add(m, moved, f, u);
    if (!f->has[u]) {
        f->rank[u] = f->of[u] = 0;
        for (uint32_t a = 0; a < f->narea; a++)
            f->arank[(size_t)u * f->narea + a] = 0;
    } else if (f->rparent[u] != parent) {
        touch_group(m, fi, f->rparent[u]);
    }
    f->has[u] = 1;
    f->total[u] = total;
    f->appraised[u] = appraised;
    f->survey[u] = survey;
    f->rparent[u] = parent;
    touch_group(m, fi, parent);
}

/* ---------- ranks ---------- */

static int by_points_desc(const void *a, const void *b, void *ctx)
{
    const long long *pts = ctx;
    long long x = pts[*(const uint32_t *)a], y = pts[*(const uint32_t *)b];
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Competition ranks (1, 1, 3) of n members by points: rank[i] = 1 + how many are better. */
static void competition(uint32_t *order, long long *pts, uint32_t n, int32_t *rank_out)
{
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof *order, by_points_desc, pts);
    for (uint32_t i = 0; i < n; i++)
        rank_out[order[i]] = i > 0 && pts[order[i]] == pts[order[i - 1]] ? rank_out[order[i - 1]] : (int32_t)i + 1;
}

/* Ranks the members (units) of one peer group of f. */
static void rank_members(model *m, uint32_t fi, const uint32_t *mem, uint32_t n, strset *moved)
{
    fw *f = m->fw[fi];
    long long *pts = xmalloc((n + 1) * sizeof *pts);
    uint32_t *order = xmalloc((n + 1) * sizeof *order);
    int32_t *r = xmalloc((n + 1) * sizeof *r);
    for (uint32_t i = 0; i < n; i++)
        pts[i] = llround(f->total[mem[i]] * 1e6);
    competition(order, pts, n, r);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t u = mem[i];
        if (f->rank[u] != r[i] || f->of[u] != (int32_t)n)
            moved_add(m, moved, f, u);
        f->rank[u] = r[i];
        f->of[u] = (int32_t)n;
    }
    for (uint32_t a = 0; a < f->narea; a++) {
        for (uint32_t i = 0; i < n; i++)
            pts[i] = llround(f->ascore[(size_t)mem[i] * f->narea + a] * 1e6);
        competition(order, pts, n, r);
        for (uint32_t i = 0; i < n; i++)
            f->arank[(size_t)mem[i] * f->narea + a] = r[i];
    }
    free(pts);
    free(order);
    free(r);
}

static void rank_group(model *m, uint32_t fi, uint32_t parent, strset *moved)
{
    fw *f = m->fw[fi];
    uint32_t n = 0;
    if (m->cmembers < f->ucap) {
        m->cmembers = f->ucap;
        m->members = xrealloc(m->members, m->cmembers * sizeof *m->members);
    }
    for (uint32_t u = 0; u < m->uids.n; u++)
        if (f->has[u] && f->rparent[u] == parent)
            m->members[n++] = u;
    rank_members(m, fi, m->members, n, moved);
}

static int by_parent(const void *a, const void *b, void *ctx)
{
    const uint32_t *par = ctx, x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return par[x] != par[y] ? (par[x] < par[y] ? -1 : 1) : (x < y ? -1 : x > y);
}

/* Every group of f at once: members sorted by parent, each run ranked. */
static void rank_all(model *m, uint32_t fi)
{
    fw *f = m->fw[fi];
    uint32_t n = 0;
    if (m->cmembers < f->ucap) {
        m->cmembers = f->ucap;
        m->members = xrealloc(m->members, m->cmembers * sizeof *m->members);
    }
    for (uint32_t u = 0; u < m->uids.n; u++)
        if (f->has[u])
            m->members[n++] = u;
    qsort_r(m->members, n, sizeof *m->members, by_parent, f->rparent);
    for (uint32_t i = 0; i < n;) {
        uint32_t j = i;
        while (j < n && f->rparent[m->members[j]] == f->rparent[m->members[i]])
            j++;
        rank_members(m, fi, m->members + i, j - i, NULL);
        i = j;
    }
}

/* ---------- settling ---------- */

static void clear_changes(model *m)
{
    for (uint32_t i = 0; i < m->ndu; i++)
        m->udirty[m->dirty_units[i]] = 0;
    m->ndu = 0;
    m->nuy = 0;
    for (size_t i = 0; i < m->ngroups; i++)
        m->fw[m->groups[i].fw]->gmark[m->groups[i].parent] = 0;
    m->ngroups = 0;
}

void model_forget_changes(model *m)
{
    clear_changes(m);
}

void model_settle(model *m, strset *moved)
{
    for (size_t fi = 0; fi < m->nfw; fi++) {
        fw *f = m->fw[fi];
        if (f->built)
            continue;
        fw_build(m, f);
        for (uint32_t u = 0; u < m->uids.n; u++)
            recompute(m, (uint32_t)fi, u, moved);
    }
    for (uint32_t i = 0; i < m->ndu; i++)
        for (size_t fi = 0; fi < m->nfw; fi++)
            recompute(m, (uint32_t)fi, m->dirty_units[i], moved);
    for (size_t i = 0; i < m->nuy; i++)
        for (size_t fi = 0; fi < m->nfw; fi++)
            if (m->fw[fi]->year == m->dirty_uy[i].year && !m->udirty[m->dirty_uy[i].u])
                recompute(m, (uint32_t)fi, m->dirty_uy[i].u, moved);
    for (size_t i = 0; i < m->ngroups; i++)
        rank_group(m, m->groups[i].fw, m->groups[i].parent, moved);
    clear_changes(m);
}

void model_recompute_all(model *m)
{
    for (size_t fi = 0; fi < m->nfw; fi++) {
        fw *f = m->fw[fi];
        fw_build(m, f);
        memset(f->has, 0, f->ucap);
        for (uint32_t u = 0; u < m->uids.n; u++)
            recompute(m, (uint32_t)fi, u, NULL);
        rank_all(m, (uint32_t)fi);
    }
    clear_changes(m);
}

/* ---------- reading ---------- */

static uint32_t fw_of(model *m, const char *index, int year, uint32_t level)
{
    uint32_t ix = lookup(&m->indices, index);
    return ix == NONE || level == NONE ? NONE : fw_find(m, ix, year, level);
}

int model_get(model *m, const char *index, int year, const char *unitid, model_result *out)
{
    uint32_t u = lookup(&m->uids, unitid);
    if (u == NONE)
        return 0;
    uint32_t fi = fw_of(m, index, year, level_in_year(m, u, year));
    if (fi == NONE || !m->fw[fi]->built || !m->fw[fi]->has[u])
        return 0;
    out->total = m->fw[fi]->total[u];
    out->rank = m->fw[fi]->rank[u];
    out->of = m->fw[fi]->of[u];
    return 1;
}

size_t model_count(model *m)
{
    size_t n = 0;
    for (size_t fi = 0; fi < m->nfw; fi++)
        for (uint32_t u = 0; u < m->uids.n; u++)
            n += m->fw[fi]->has[u];
    return n;
}

static double pct(double score, double max)
{
    return max > 0 ? score / max * 100 : 0;
}

/* Where a result's year before comes from: the unit's own result of that year, or, for
 * a unit that others merged into, theirs (its own too when it had one), combined by the
 * [scorer] merged_prev rule. */
typedef struct {
    const fw *p;   /* the year before's framework; NULL: no year before */
    uint32_t own;  /* u when its own result alone is the year before, else NONE */
    uint32_t *from, n; /* the results combined, in id order (a sum in one order everywhere) */
} prev_src;

static int by_uid(const void *a, const void *b, void *ctx)
{
    const model *m = ctx;
    return strcmp(m->uids.items[*(const uint32_t *)a], m->uids.items[*(const uint32_t *)b]);
}

static int prev_of(model *m, const fw *f, uint32_t u, prev_src *ps)
{
    *ps = (prev_src){NULL, NONE, NULL, 0};
    uint32_t pi = fw_find(m, f->index, f->year - 1, f->level);
    if (pi == NONE || !m->fw[pi]->built)
        return 0;
    const fw *p = m->fw[pi];
    const unit *x = &m->u[u];
    uint32_t npred = 0;
    for (uint32_t i = 0; m->merged_prev != CONF_MERGED_NONE && i < x->npreds; i++)
        npred += p->has[x->preds[i]];
    if (!npred) {
        if (!p->has[u])
            return 0;
        ps->p = p;
        ps->own = u;
        return 1;
    }
    ps->p = p;
    ps->from = xmalloc((npred + 1) * sizeof *ps->from);
    if (p->has[u])
        ps->from[ps->n++] = u;
    for (uint32_t i = 0; i < x->npreds; i++)
        if (p->has[x->preds[i]])
            ps->from[ps->n++] = x->preds[i];
    qsort_r(ps->from, ps->n, sizeof *ps->from, by_uid, m);
    return 1;
}

/* The year before's total (area -1) or the score of p's area a. */
static double prev_value(const model *m, const prev_src *ps, int a)
{
    const fw *p = ps->p;
    if (ps->own != NONE)
        return a < 0 ? p->total[ps->own] : p->ascore[(size_t)ps->own * p->narea + (size_t)a];
    double sum = 0;
    for (uint32_t i = 0; i < ps->n; i++)
        sum += a < 0 ? p->total[ps->from[i]] : p->ascore[(size_t)ps->from[i] * p->narea + (size_t)a];
    return m->merged_prev == CONF_MERGED_SUM ? sum : sum / ps->n;
}

/* The area of p with that id, -1 when none. */
static int area_of(const fw *p, const char *id)
{
    for (uint32_t a = 0; id && a < p->narea; a++)
        if (!strcmp(p->c[p->area[a]].id, id))
            return (int)a;
    return -1;
}

/* The year before, from its result as it stands now. */
static void add_prev(model *m, uint32_t u, const fw *f, pv *doc)
{
    prev_src ps;
    if (!prev_of(m, f, u, &ps))
        return;
    const fw *p = ps.p;
    double total = prev_value(m, &ps, -1);
    pv_set(doc, "prev_total", pv_float(total));
    pv_set(doc, "change", pv_float(pv_get_num(doc, "total") - total));
    if (ps.own != NONE) {
        pv_set_int(doc, "prev_rank", p->rank[u]);
        pv_set_int(doc, "prev_of", p->of[u]);
    } else {
        /* the predecessors' results are not one rank: say whose they are and how combined */
        pv *from = pv_arr();
        for (uint32_t i = 0; i < ps.n; i++)
            pv_push(from, pv_str(m->uids.items[ps.from[i]]));
        pv_set(doc, "prev_units", from);
        pv_set_str(doc, "prev_rule", m->merged_prev == CONF_MERGED_SUM ? "sum" : "mean");
    }
    pv *comps = (pv *)pv_get(doc, "components");
    for (uint32_t i = 0; comps && i < comps->u.a.n; i++) {
        pv *c = comps->u.a.v[i];
        int a = area_of(p, pv_get_str(c, "id"));
        if (a < 0)
            continue;
        double score = prev_value(m, &ps, a), max = p->c[p->area[a]].max;
        pv_set(c, "prev_score", pv_float(score));
        pv_set(c, "prev_pct", pv_float(pct(score, max)));
        pv_set(c, "change_pp", pv_float(pv_get_num(c, "pct") - pct(score, max)));
        if (ps.own != NONE)
            pv_set_int(c, "prev_rank", p->arank[(size_t)u * p->narea + (size_t)a]);
    }
    free(ps.from);
}

void model_decorate(model *m, pv *doc)
{
    const char *index = pv_get_str(doc, "index"), *unitid = pv_get_str(doc, "unit");
    uint32_t u = unitid ? lookup(&m->uids, unitid) : NONE;
    if (!index || u == NONE)
        return;
    int year = (int)pv_get_int(doc, "year", 0);
    uint32_t fi = fw_of(m, index, year, level_in_year(m, u, year));
    if (fi == NONE || !m->fw[fi]->has[u])
        return;
    const fw *f = m->fw[fi];
    pv_set_int(doc, "rank", f->rank[u]);
    pv_set_int(doc, "of", f->of[u]);
    pv *comps = (pv *)pv_get(doc, "components");
    for (uint32_t a = 0; comps && a < comps->u.a.n && a < f->narea; a++)
        pv_set_int(comps->u.a.v[a], "rank", f->arank[(size_t)u * f->narea + a]);
    add_prev(m, u, f, doc);
}

/* What `parctl scores` shows of a result, in the order the stored documents had. */
static pv *summary(model *m, uint32_t fi, uint32_t u)
{
    fw *f = m->fw[fi];
    double appraised, survey;
    compute(m, f, u, &appraised, &survey);
    const node *ns = m->nodes;
    pv *o = pv_map();
    pv_set_str(o, "unit", m->uids.items[u]);
    pv_set_str(o, "name", m->u[u].name ? m->u[u].name : "");
    pv_set_str(o, "index", m->indices.items[f->index]);
    pv_set_int(o, "year", f->year);
    pv_set_str(o, "level", m->levels.items[f->level]);
    pv_set_str(o, "parent", m->uids.items[f->rparent[u]]);
    pv_set(o, "total", pv_float(f->total[u]));
    pv_set(o, "max", pv_float(f->max));
    pv_set(o, "pct", pv_float(pct(f->total[u], f->max)));
    pv_set(o, "appraised", pv_float(f->appraised[u]));
    pv_set(o, "survey", pv_float(f->survey[u]));
    pv_set_int(o, "rank", f->rank[u]);
    pv_set_int(o, "of", f->of[u]);
    pv *comps = pv_arr(), *off = pv_arr();
    double target = 0;
    uint32_t targets = 0;
    for (uint32_t i = 0; i < f->n; i++)
        if (ns[i].has_target && ns[i].score + 1e-9 < ns[i].target)
            pv_push(off, pv_str(f->c[i].id));
    prev_src ps;
    const fw *p = prev_of(m, f, u, &ps) ? ps.p : NULL;
    for (uint32_t a = 0; a < f->narea; a++) {
        const crit *c = &f->c[f->area[a]];
        const node *nd = &ns[f->area[a]];
        pv *co = pv_map();
        pv_set_str(co, "id", c->id);
        pv_set_str(co, "name", c->name);
        pv_set(co, "score", pv_float(nd->score));
        pv_set(co, "max", pv_float(c->max));
        pv_set(co, "pct", pv_float(pct(nd->score, c->max)));
        pv_set_int(co, "rank", f->arank[(size_t)u * f->narea + a]);
        int b = p ? area_of(p, c->id) : -1;
        if (b >= 0) {
            double prev = prev_value(m, &ps, b), pmax = p->c[p->area[b]].max;
            pv_set(co, "prev_score", pv_float(prev));
            pv_set(co, "prev_pct", pv_float(pct(prev, pmax)));
            pv_set(co, "change_pp", pv_float(pct(nd->score, c->max) - pct(prev, pmax)));
        }
        if (nd->has_target) {
            pv_set(co, "target", pv_float(nd->target));
            pv_set(co, "gap", pv_float(nd->target - nd->score));
        }
        targets += nd->has_target;
        target += nd->target;
        pv_push(comps, co);
    }
    free(ps.from);
    add_prev(m, u, f, o);
    const entry *whole = find(year_of(&m->u[u], f->year, 0), K_TARGET, f->total_key, P_Y);
    if (whole || (targets && targets == f->narea && !f->percent)) {
        target = whole ? whole->v : target;
        pv_set(o, "target", pv_float(target));
        pv_set(o, "gap", pv_float(target - f->total[u]));
    }
    pv_set(o, "off_track", off);
    pv_set(o, "components", comps);
    return o;
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

pv *model_scores(model *m, const char *index, int year, const char *level, const char *parent)
{
    pv *out = pv_arr();
    uint32_t ix = lookup(&m->indices, index);
    uint32_t lv = level ? lookup(&m->levels, level) : NONE, pa = parent ? lookup(&m->uids, parent) : NONE;
    if (ix == NONE || (level && lv == NONE) || (parent && pa == NONE))
        return out;
    for (size_t fi = 0; fi < m->nfw; fi++) {
        fw *f = m->fw[fi];
        if (f->index != ix || f->year != year || (level && f->level != lv) || !f->built)
            continue;
        for (uint32_t u = 0; u < m->uids.n; u++)
            if (f->has[u] && (!parent || f->rparent[u] == pa))
                pv_push(out, summary(m, (uint32_t)fi, u));
    }
    if (out->u.a.n > 1)
        qsort(out->u.a.v, out->u.a.n, sizeof(pv *), by_rank);
    return out;
}

static int by_year_unit(const void *a, const void *b)
{
    const pv *x = *(pv *const *)a, *y = *(pv *const *)b;
    int64_t d = pv_get_int(x, "year", 0) - pv_get_int(y, "year", 0);
    return d ? (d < 0 ? -1 : 1) : strcmp(pv_get_str(x, "unit"), pv_get_str(y, "unit"));
}

pv *model_years(model *m, const char *index, const char *level, const char *unit)
{
    pv *out = pv_arr();
    uint32_t ix = lookup(&m->indices, index);
    uint32_t lv = level ? lookup(&m->levels, level) : NONE, one = unit ? lookup(&m->uids, unit) : NONE;
    if (ix == NONE || (level && lv == NONE) || (unit && one == NONE))
        return out;
    for (size_t fi = 0; fi < m->nfw; fi++) {
        const fw *f = m->fw[fi];
        if (f->index != ix || (level && f->level != lv) || !f->built)
            continue;
        for (uint32_t u = 0; u < m->uids.n; u++) {
            if (!f->has[u] || (unit && u != one))
                continue;
            pv *o = pv_map();
            pv_set_str(o, "unit", m->uids.items[u]);
            pv_set_int(o, "year", f->year);
            if (unit) { /* one unit's years: what its report tabulates */
                pv_set(o, "appraised", pv_float(f->appraised[u]));
                pv_set(o, "survey", pv_float(f->survey[u]));
                pv *areas = pv_arr();
                for (uint32_t a = 0; a < f->narea; a++) {
                    pv *x = pv_map();
                    pv_set_str(x, "id", f->c[f->area[a]].id);
                    pv_set_str(x, "name", f->c[f->area[a]].name ? f->c[f->area[a]].name : "");
                    pv_set(x, "score", pv_float(f->ascore[(size_t)u * f->narea + a]));
                    pv_set(x, "max", pv_float(f->c[f->area[a]].max));
                    pv_set_int(x, "rank", f->arank[(size_t)u * f->narea + a]);
                    pv_push(areas, x);
                }
                pv_set(o, "areas", areas);
            }
            pv_set_str(o, "level", m->levels.items[f->level]);
            pv_set(o, "total", pv_float(f->total[u]));
            pv_set(o, "max", pv_float(f->max));
            pv_set_int(o, "rank", f->rank[u]);
            pv_set_int(o, "of", f->of[u]);
            pv_push(out, o);
        }
    }
    if (out->u.a.n > 1)
        qsort(out->u.a.v, out->u.a.n, sizeof(pv *), by_year_unit);
    return out;
}

pv *model_framework_units(model *m, const char *index, int year)
{
    pv *out = pv_arr();
    uint32_t ix = lookup(&m->indices, index);
    for (uint32_t u = 0; ix != NONE && u < m->uids.n; u++) {
        uint32_t lv = level_in_year(m, u, year); /* NONE: not in that year's tree */
        int covered = 0;
        for (size_t fi = 0; fi < m->nfw && !covered && lv != NONE; fi++)
            covered = m->fw[fi]->index == ix && m->fw[fi]->year == year && m->fw[fi]->level == lv;
        if (covered)
            pv_push(out, pv_str(m->uids.items[u]));
    }
    return out;
}

int model_has_targets(model *m, const char *unitid, const char *index, int year)
{
    uint32_t u = lookup(&m->uids, unitid);
    size_t il = strlen(index);
    for (uint32_t i = 0; u != NONE && i < m->u[u].nyears; i++) {
        const uyear *y = &m->u[u].years[i];
        if (y->year < year)
            continue;
        uint32_t at = lower(y, ekey(K_TARGET, 0, 0));
        for (uint32_t k = at; k < y->n && (unsigned)(y->e[k].k >> 56) <= K_RTARGET; k++) {
            if ((unsigned)(y->e[k].k >> 56) == K_RANK)
                continue;
            const char *key = m->keys.items[(uint32_t)(y->e[k].k >> 16) & 0xffffffffu];
            if (!strncmp(key, index, il) && key[il] == ':')
                return 1;
        }
    }
    return 0;
}

static int line_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void model_dump(model *m, sbuf *out)
{
    size_t n = 0, cap = 64;
    char **lines = xmalloc(cap * sizeof *lines);
    for (size_t fi = 0; fi < m->nfw; fi++) {
        const fw *f = m->fw[fi];
        for (uint32_t u = 0; u < m->uids.n; u++) {
            if (!f->has[u])
                continue;
            sbuf b;
            sbuf_init(&b);
            sbuf_printf(&b, "%s|%d|%s=level %s parent %s total %.17g appraised %.17g survey %.17g rank %d/%d areas",
                        m->indices.items[f->index], f->year, m->uids.items[u], m->levels.items[f->level],
                        m->uids.items[f->rparent[u]], f->total[u], f->appraised[u], f->survey[u], f->rank[u],
                        f->of[u]);
            for (uint32_t a = 0; a < f->narea; a++)
                sbuf_printf(&b, " %s:%.17g#%d", f->c[f->area[a]].id, f->ascore[(size_t)u * f->narea + a],
                            f->arank[(size_t)u * f->narea + a]);
            if (n == cap)
                lines = xrealloc(lines, (cap *= 2) * sizeof *lines);
            lines[n++] = b.buf;
        }
    }
    if (n > 1)
        qsort(lines, n, sizeof *lines, line_cmp);
    for (size_t i = 0; i < n; i++) {
        sbuf_puts(out, lines[i]);
        sbuf_puts(out, "\n");
        free(lines[i]);
    }
    free(lines);
}
