#include "validate.h"

#include <stdio.h>
#include <string.h>

int validate_id(const char *s)
{
    size_t l = strlen(s);
    if (l == 0 || l > 63)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '.' ||
              *s == '_' || *s == '-'))
            return 0;
    return 1;
}

int validate_crit_id(const char *s)
{
    size_t l = strlen(s);
    if (l == 0 || l > 63 || s[0] == '.' || s[l - 1] == '.' || strstr(s, ".."))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '.'))
            return 0;
    return 1;
}

int validate_emails(const char *s)
{
    if (strlen(s) >= 1024)
        return 0;
    char p[1024];
    for (const char *l = s; str_list_next(&l, p, sizeof p);) {
        char *at = strchr(p, '@');
        if (!at || at == p || !at[1] || strchr(at + 1, '@') || strpbrk(p, " ,<>\"") || !strchr(at, '.'))
            return 0;
    }
    return 1;
}

int validate_date(const char *s, char out[11])
{
    int y, m, d, n = 0;
    if ((sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == (int)strlen(s) && n == 10) ||
        (sscanf(s, "%2d/%2d/%4d%n", &d, &m, &y, &n) == 3 && n == (int)strlen(s) && n >= 8)) {
        if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
            return -1;
        static const int dm[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        if (d > dm[m - 1] || (m == 2 && d == 29 && !leap))
            return -1;
        snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
        return 0;
    }
    return -1;
}

static int valid_period(const char *p)
{
    if (!strcmp(p, "Y") || !strcmp(p, "H1"))
        return 1;
    if (p[0] == 'Q' && p[1] >= '1' && p[1] <= '4' && !p[2])
        return 1;
    if (p[0] == 'M' && strlen(p) == 3 && p[1] >= '0' && p[1] <= '1' && p[2] >= '0' && p[2] <= '9') {
        int m = (p[1] - '0') * 10 + (p[2] - '0');
        return m >= 1 && m <= 12;
    }
    return 0;
}

/* What a key may name: a leaf only (scores, appraisals), a leaf or a parent whose every
 * leaf is a survey (official aggregates, published whole), or any node (targets, ranks). */
enum { FIND_LEAF, FIND_SURVEY, FIND_ANY };

/* "INDEX:total": the whole index, as the survey's publisher prints it. */
#define TOTAL_ID "total"

typedef struct {
    int leaves, survey;
    double max; /* the top criteria's maxima added: the index's, a bound for a published total */
    int tops, means;  /* top criteria, and those that are a mean of their parts */
    double top_max;   /* the first top criterion's maximum */
    int same_max;     /* every top criterion has it */
} leaf_count;

static int count_leaf(void *ctx, const char *key, size_t klen, pv *val)
{
    (void)key;
    (void)klen;
    leaf_count *c = ctx;
    if (pv_get_bool(val, "leaf", 0)) {
        const char *m = pv_get_str(val, "method");
        c->leaves++;
        c->survey += m && !strcmp(m, "survey");
    }
    const char *id = pv_get_str(val, "id"), *mx = pv_get_str(val, "max"), *fo = pv_get_str(val, "formula");
    double v;
    if (id && !strchr(id, '.') && mx && str_to_num(mx, &v) == 0) {
        c->max += v;
        c->same_max = c->tops ? c->same_max && v == c->top_max : 1;
        if (!c->tops)
            c->top_max = v;
        c->tops++;
        c->means += !pv_get_bool(val, "leaf", 0) && fo && !strcmp(fo, "mean");
    }
    return 0;
}

/* The most a whole index may score: a percent index (every area a mean of one maximum,
 * SIPAS: scorer/model.c) that maximum, else its areas' maxima added. */
static double index_max(const leaf_count *c)
{
    return c->tops && c->means == c->tops && c->same_max ? c->top_max : c->max;
}

/* The leaves under prefix ("INDEX|year|level|" or "...|id."), and how many are surveys. */
static leaf_count leaves_under(record_txn *t, const char *prefix)
{
    leaf_count c = {0};
    store_scan(t->txn, store_dbi(record_store(t->r), DB_FW), prefix, count_leaf, &c);
    return c;
}

/* Finds the criterion a key names for a unit's level and year. A target may be set
 * before its year's framework is published (a plan's "by 2025"): then the latest
 * earlier framework of that index names it. *crit: the criterion, the transaction's
 * (record_crit), or for INDEX:total one made here, which *made then holds for the
 * caller to free. */
static int find_criterion(record_txn *t, const char *key, int year, const char *level, int mode, int back,
                          char *stored_key, size_t n, const pv **crit, pv **made, par_err *why)
{
    char index[32] = "", id[64];
    const char *colon = strchr(key, ':');
    if (colon) {
        size_t il = (size_t)(colon - key);
        if (il == 0 || il >= sizeof index) {
            err_set(why, "key '%s' is not INDEX:criterion", key);
            return -1;
        }
        memcpy(index, key, il);
        index[il] = '\0';
        if (str_copy(id, sizeof id, colon + 1) < 0 || !validate_crit_id(id)) {
            err_set(why, "key '%s' is not a criterion id like 1.2.1", key);
            return -1;
        }
    } else {
        if (str_copy(id, sizeof id, key) < 0 || !validate_crit_id(id)) {
            err_set(why, "key '%s' is not a criterion id like 1.2.1", key);
            return -1;
        }
        if (!strcmp(id, TOTAL_ID)) {
            err_set(why, "key '%s' names no index: write it as INDEX:total", key);
            return -1;
        }
        char fk[160], found[4][32];
        int nf = 0;
        for (int y = year; y >= year - back && nf <= 0; y--) {
            snprintf(fk, sizeof fk, "%d|%s|%s", y, level, id);
            nf = record_get_dups(t, DB_FWID, fk, found, 4);
        }
        if (nf <= 0) {
            err_set(why, "unknown criterion %s in the %d framework for level %s", id, year, level);
            return -1;
        }
        if (nf > 1) {
            err_set(why, "criterion %s exists in %s and %s for %d; write it as %s:%s", id, found[0], found[1], year,
                    found[0], id);
            return -1;
        }
        str_copy(index, sizeof index, found[0]);
    }
    char fk[200];
    int total = !strcmp(id, TOTAL_ID), got = 0;
    leaf_count lc = {0};
    for (int y = year; y >= year - back && !got; y--) {
        if (total) {
            snprintf(fk, sizeof fk, "%s|%d|%s|", index, y, level);
            lc = leaves_under(t, fk);
            got = lc.leaves > 0;
            if (got) { /* the whole index stands as a parent of its areas */
                char mx[32];
                snprintf(mx, sizeof mx, "%.17g", index_max(&lc));
                *crit = *made = pv_map();
                pv_set_str(*made, "max", mx);
            }
        } else {
            snprintf(fk, sizeof fk, "%s|%d|%s|%s", index, y, level, id);
            got = (*crit = record_crit(t, fk)) != NULL;
            if (got && !pv_get_bool(*crit, "leaf", 0)) {
                snprintf(fk, sizeof fk, "%s|%d|%s|%s.", index, y, level, id);
                lc = leaves_under(t, fk);
            }
        }
    }
    if (!got) {
        if (total)
            err_set(why, "no %s framework for %d and level %s: nothing for %s:total to stand for", index, year, level,
                    index);
        else
            err_set(why, "unknown criterion %s:%s in the %d framework for level %s", index, id, year, level);
        return -1;
    }
    int parent = total || !pv_get_bool(*crit, "leaf", 0);
    if (parent && mode == FIND_LEAF) {
        err_set(why, "criterion %s:%s is not a leaf: score its sub-criteria", index, id);
        goto refuse;
    }
    if (parent && mode == FIND_SURVEY && lc.survey < lc.leaves) {
        /* an official aggregate replaces what the leaves add up to: only where they all
         * come from the same survey, never over appraised points */
        err_set(why, "%s:%s holds criteria scored otherwise than by survey: send its sub-criteria, not a total",
                index, id);
        goto refuse;
    }
    snprintf(stored_key, n, "%s:%s", index, id);
    return 0;
refuse:
    pv_free(*made);
    *made = NULL;
    *crit = NULL;
    return -1;
}

/* How many years back a target's criterion may be looked up: a plan sets targets for
 * years whose framework is not out yet. */
#define TARGET_BACK 10

/* "44/63": a place out of how many. */
static int parse_rank(const char *v, char out[64])
{
    int pos, of, n = 0;
    if (sscanf(v, " %d / %d %n", &pos, &of, &n) != 2 || v[n] || pos < 1 || of < pos || of > 100000)
        return -1;
    snprintf(out, 64, "%d/%d", pos, of);
    return 0;
}

/* "15", "20-30", "20-30/63" (or with an en dash): the places aimed at, as a range. */
static int parse_rank_target(const char *v, char out[64])
{
    char b[64];
    if (str_copy(b, sizeof b, v) < 0)
        return -1;
    char *dash = strstr(b, "\xe2\x80\x93"); /* – */
    if (dash)
        memmove(dash + 1, dash + 3, strlen(dash + 3) + 1), *dash = '-';
    int lo, hi, of = 0, n = 0;
    if (sscanf(b, " %d - %d / %d %n", &lo, &hi, &of, &n) == 3 && !b[n])
        ;
    else if ((n = 0, of = 0, sscanf(b, " %d - %d %n", &lo, &hi, &n) == 2 && !b[n]))
        ;
    else if ((n = 0, sscanf(b, " %d / %d %n", &lo, &of, &n) == 2 && !b[n]))
        hi = lo;
    else if ((n = 0, of = 0, sscanf(b, " %d %n", &lo, &n) == 1 && !b[n]))
        hi = lo;
    else
        return -1;
    if (lo < 1 || hi < lo || (of && of < hi) || hi > 100000)
        return -1;
    if (of)
        snprintf(out, 64, "%d-%d/%d", lo, hi, of);
    else
        snprintf(out, 64, "%d-%d", lo, hi);
    return 0;
}

static int check_range(const char *value, double max, char out[64], par_err *why, const char *what)
{
    double v;
    if (str_to_num(value, &v) < 0) {
        err_set(why, "value '%s' is not a number", value);
        return -1;
    }
    if (v < 0) {
        err_set(why, "value %s is negative", value);
        return -1;
    }
    if (max >= 0 && v > max + 1e-9) {
        err_set(why, "value %s is above the maximum %g of %s", value, max, what);
        return -1;
    }
    str_copy(out, 64, value);
    for (char *p = out; *p; p++)
        if (*p == ',')
            *p = '.';
    if (out[0] == '+')
        memmove(out, out + 1, strlen(out));
    return 0;
}

static int in_list(const char *list, const char *id)
{
    char item[256];
    for (const char *p = list ? list : ""; str_list_next(&p, item, sizeof item);)
        if (!strcmp(item, id))
            return 1;
    return 0;
}

int validate_criterion(record_txn *t, const char *key, int year, const char *level, char *stored_key, size_t n,
                       par_err *why)
{
    const pv *crit = NULL;
    pv *made = NULL;
    int rc = find_criterion(t, key, year, level, FIND_LEAF, 0, stored_key, n, &crit, &made, why);
    pv_free(made);
    return rc;
}

int validate_submission(record_txn *t, const char *const f[SUB_NCOLS], sub_line *out, par_err *why)
{
    static const char *const names[] = {"unit", "year", "period", "kind", "key", "value"};
    memset(out, 0, sizeof *out);
    /* an explanation is its note; a value, when given, is the score the unit asks for */
    int expl = f[SUB_KIND] && !strcmp(f[SUB_KIND], "explanation");
    for (int i = 0; i < 6; i++) {
        if ((!f[i] || !*f[i]) && !(expl && i == SUB_VALUE)) {
            err_set(why, "missing %s", names[i]);
            return -1;
        }
    }
    if (str_copy(out->unit, sizeof out->unit, f[SUB_UNIT]) < 0 || !validate_id(out->unit)) {
        err_set(why, "unit '%s' is not a unit id", f[SUB_UNIT]);
        return -1;
    }
    const pv *crit = NULL;
    pv *made = NULL;
    const pv *unit = record_unit(t, out->unit);
    if (!unit) {
        err_set(why, "unknown unit %s", out->unit);
        return -1;
    }
    int rc = -1;
    int64_t year;
    if (str_to_i64(f[SUB_YEAR], &year) < 0 || year < 2000 || year > 2100) {
        err_set(why, "year '%s' is not a year from 2000 to 2100", f[SUB_YEAR]);
        goto done;
    }
    out->year = (int)year;
    if (!valid_period(f[SUB_PERIOD])) {
        err_set(why, "period '%s' is not Y, Q1-Q4, H1 or M01-M12", f[SUB_PERIOD]);
        goto done;
    }
    str_copy(out->period, sizeof out->period, f[SUB_PERIOD]);
    str_copy(out->kind, sizeof out->kind, f[SUB_KIND]);
    const char *kind = f[SUB_KIND], *key = f[SUB_KEY], *value = f[SUB_VALUE];
    if (f[SUB_DATE] && *f[SUB_DATE] && validate_date(f[SUB_DATE], out->date) < 0) {
        err_set(why, "date '%s' is not a date (day/month/year or YYYY-MM-DD)", f[SUB_DATE]);
        goto done;
    }
    if (f[SUB_NOTE] && str_copy(out->note, sizeof out->note, f[SUB_NOTE]) < 0) {
        err_set(why, "note longer than %zu bytes", sizeof out->note - 1);
        goto done;
    }
    if (expl) {
        const char *level = pv_get_str(unit, "level");
        if (find_criterion(t, key, out->year, level ? level : "", FIND_LEAF, 0, out->key, sizeof out->key, &crit,
                           &made, why) < 0)
            goto done;
        if (!out->note[0]) {
            err_set(why, "an explanation is written in the note column: it is empty");
            goto done;
        }
        double max;
        const char *ms = pv_get_str(crit, "max");
        if (!ms || str_to_num(ms, &max) < 0)
            max = -1;
        if (value && *value && check_range(value, max, out->value, why, out->key) < 0)
            goto done;
    } else if (!strcmp(kind, "rank") || !strcmp(kind, "rank_target")) {
        const char *level = pv_get_str(unit, "level");
        int is_target = !strcmp(kind, "rank_target");
        if (find_criterion(t, key, out->year, level ? level : "", FIND_ANY, is_target ? TARGET_BACK : 0, out->key,
                           sizeof out->key, &crit, &made, why) < 0)
            goto done;
        if ((is_target ? parse_rank_target(value, out->value) : parse_rank(value, out->value)) < 0) {
            err_set(why, is_target ? "rank target '%s' is not a place or a range of places, like 15, 20-30 or 20-30/63"
                                   : "rank '%s' is not a place out of a number, like 44/63",
                    value);
            goto done;
        }
    } else if (!strcmp(kind, "score") || !strcmp(kind, "appraisal") || !strcmp(kind, "survey") ||
               !strcmp(kind, "target")) {
        const char *level = pv_get_str(unit, "level");
        int is_target = !strcmp(kind, "target"), is_survey = !strcmp(kind, "survey");
        /* a target may be set for an area, a whole dimension or the index, not only a leaf */
        if (find_criterion(t, key, out->year, level ? level : "",
                           is_target ? FIND_ANY : is_survey ? FIND_SURVEY : FIND_LEAF, is_target ? TARGET_BACK : 0,
                           out->key, sizeof out->key, &crit, &made, why) < 0)
            goto done;
        const char *method = crit ? pv_get_str(crit, "method") : NULL;
        int leaf = crit && pv_get_bool(crit, "leaf", 0);
        method = method ? method : "";
        if (is_survey && leaf && strcmp(method, "survey")) {
            err_set(why, "criterion %s is scored by method '%s', not by survey", out->key, method);
            goto done;
        }
        if (!strcmp(kind, "score") && strcmp(method, "self")) {
            err_set(why, "criterion %s is scored by method '%s'; units self-score only 'self' criteria", out->key,
                    method);
            goto done;
        }
        if (!strcmp(kind, "appraisal") && !strcmp(method, "survey")) {
            err_set(why, "criterion %s comes from the survey; send it as kind survey", out->key);
            goto done;
        }
        double max;
        const char *ms = crit ? pv_get_str(crit, "max") : NULL;
        if (!ms || str_to_num(ms, &max) < 0)
            max = -1;
        const char *slash = strchr(value, '/');
        if (is_survey && slash && leaf) {
            /* counts of satisfied and total answers: "412/500" */
            int64_t yes, all;
            char a[32];
            size_t l = (size_t)(slash - value);
            if (l >= sizeof a || (memcpy(a, value, l), a[l] = '\0', str_to_i64(a, &yes) < 0) ||
                str_to_i64(slash + 1, &all) < 0 || yes < 0 || all <= 0 || yes > all) {
                err_set(why, "survey value '%s' is neither a number nor counts like 412/500", value);
                goto done;
            }
            str_copy(out->value, sizeof out->value, value);
        } else if (check_range(value, max, out->value, why, out->key) < 0) {
            goto done;
        }
    } else if (!strcmp(kind, "metric")) {
        if (str_copy(out->key, sizeof out->key, key) < 0 || !validate_id(out->key)) {
            err_set(why, "metric name '%s' is not 1-63 of letters, digits, '.', '_' or '-'", key);
            goto done;
        }
        if (check_range(value, -1, out->value, why, key) < 0)
            goto done;
    } else if (!strcmp(kind, "task")) {
        pv *task = NULL;
        if (str_copy(out->key, sizeof out->key, key) < 0 || record_get(t, DB_TASKS, out->key, &task) != 1) {
            err_set(why, "unknown task %s", key);
            goto done;
        }
        int mine = !strcmp(pv_get_str(task, "lead") ? pv_get_str(task, "lead") : "", out->unit) ||
                   in_list(pv_get_str(task, "support"), out->unit);
        pv_free(task);
        if (!mine) {
            err_set(why, "task %s is not assigned to unit %s", key, out->unit);
            goto done;
        }
        if (!strcmp(value, "done"))
            str_copy(out->value, sizeof out->value, "done");
        else if (check_range(value, 100, out->value, why, "a task's progress (percent)") < 0) {
            err_set(why, "task progress '%s' is neither done nor a percent from 0 to 100", value);
            goto done;
        }
    } else {
        err_set(why, "unknown kind '%s' (score, appraisal, survey, target, rank, rank_target, metric, task or explanation)",
                kind);
        goto done;
    }
    rc = 0;
done:
    pv_free(made);
    return rc;
}
