#include "appraise.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char id[64];
    pv *row;    /* the reply's row */
    int flagged;
} crit_row;

/* Dotted ids in numeric order: 1.2 before 1.10. */
static int id_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        char *ea, *eb;
        long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);
        if (ea != a && eb != b && x != y)
            return x < y ? -1 : 1;
        if (ea == a || eb == b) {
            int c = strcmp(a, b);
            return c;
        }
        a = ea;
        b = eb;
        if (*a == '.' && *b == '.') {
            a++;
            b++;
        } else if (*a != *b) {
            return *a ? 1 : -1;
        }
    }
    return *a ? 1 : *b ? -1 : 0;
}

static int row_cmp(const void *x, const void *y)
{
    const crit_row *a = x, *b = y;
    if (a->flagged != b->flagged)
        return b->flagged - a->flagged;
    return id_cmp(a->id, b->id);
}

/* A stored submission's value tree under key, NULL when absent. */
static pv *sub(record_txn *t, const char *unit, int year, const char *kind, const char *key)
{
    char k[400];
    pv *v = NULL;
    snprintf(k, sizeof k, "%s|%d|Y|%s|%s", unit, year, kind, key);
    return record_get_line(t, k, &v) == 1 ? v : NULL;
}

static void flag(pv *flags, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void flag(pv *flags, const char *code, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    pv *f = pv_map();
    pv_set_str(f, "code", code);
    pv_set_str(f, "text", text);
    pv_push(flags, f);
}

/* "0.5" as officials write it: "0,5". */
static const char *vi_num(const char *v, char out[32])
{
    str_copy(out, 32, v);
    for (char *p = out; *p; p++)
        if (*p == '.')
            *p = ',';
    return out;
}

/* The evidence documents of a criterion this year. */
static int evidence_count(record_txn *t, const char *unit, int year, const char *key)
{
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%s|%d|%s|", unit, year, key);
    size_t pl = strlen(prefix);
    MDB_cursor *cur;
    if (mdb_cursor_open(t->txn, store_dbi(record_store(t->r), DB_EVIDENCE), &cur))
        return 0;
    MDB_val k = {pl, prefix}, v;
    int n = 0;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && k.mv_size >= pl && !memcmp(k.mv_data, prefix, pl);
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
        n++;
    mdb_cursor_close(cur);
    return n;
}

/* Tasks the unit leads that are linked to index:id and not reported done in year. */
static void open_tasks(record_txn *t, const char *unit, int year, const char *index, const char *id, pv *out)
{
    MDB_cursor *cur;
    if (mdb_cursor_open(t->txn, store_dbi(record_store(t->r), DB_TASKS), &cur))
        return;
    MDB_val k, v;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        pv *task = NULL;
        par_err ig;
        if (proto_decode_value(v.mv_data, v.mv_size, &task, &ig) < 0)
            continue;
        if (!strcmp(pv_get_text(task, "lead"), unit) && !strcmp(pv_get_text(task, "index"), index) && !strcmp(pv_get_text(task, "criterion"), id)) {
            /* done in any period of the year */
            static const char *const periods[] = {"Y", "H1", "Q1", "Q2", "Q3", "Q4", "M01", "M02", "M03", "M04",
                                                  "M05", "M06", "M07", "M08", "M09", "M10", "M11", "M12"};
            int done = 0;
            for (size_t p = 0; p < sizeof periods / sizeof periods[0] && !done; p++) {
                char key[400];
                pv *line = NULL;
                snprintf(key, sizeof key, "%s|%d|%s|task|%s", unit, year, periods[p], pv_get_text(task, "id"));
                if (record_get_line(t, key, &line) == 1)
                    done = !strcmp(pv_get_text(line, "value"), "done");
                pv_free(line);
            }
            if (!done)
                pv_push(out, pv_str(pv_get_text(task, "id")));
        }
        pv_free(task);
    }
    mdb_cursor_close(cur);
}

int appraise_view(record_txn *t, const pv *args, pv **data, par_err *e)
{
    const char *unit = pv_get_str(args, "unit"), *index = pv_get_str(args, "index"), *ys = pv_get_str(args, "year");
    int64_t year;
    if (!unit || !index || !ys || str_to_i64(ys, &year) < 0) {
        err_set(e, "the appraiser's view is asked for a unit, an index and a year");
        return -1;
    }
    const pv *u = record_unit(t, unit);
    if (!u) {
        err_set(e, "unknown unit %s", unit);
        return -1;
    }
    const char *level = pv_get_text(u, "level");
    char prefix[200];
    snprintf(prefix, sizeof prefix, "%s|%lld|%s|", index, (long long)year, level);
    size_t pl = strlen(prefix);
    MDB_cursor *cur;
    if (mdb_cursor_open(t->txn, store_dbi(record_store(t->r), DB_FW), &cur)) {
        err_set(e, "cannot read the framework");
        return -1;
    }
    crit_row *rows = NULL;
    size_t n = 0, cap = 0;
    MDB_val k = {pl, prefix}, v;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && k.mv_size >= pl && !memcmp(k.mv_data, prefix, pl);
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        pv *c = NULL;
        par_err ig;
        if (proto_decode_value(v.mv_data, v.mv_size, &c, &ig) < 0)
            continue;
        if (!pv_get_bool(c, "leaf", 0) || strcmp(pv_get_text(c, "method"), "self")) {
            pv_free(c);
            continue;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            rows = xrealloc(rows, cap * sizeof *rows);
        }
        crit_row *r = &rows[n++];
        memset(r, 0, sizeof *r);
        str_copy(r->id, sizeof r->id, pv_get_text(c, "id"));
        char key[160], a[32], b[32];
        snprintf(key, sizeof key, "%s:%s", index, r->id);
        pv *self = sub(t, unit, (int)year, "score", key), *appr = sub(t, unit, (int)year, "appraisal", key),
           *expl = sub(t, unit, (int)year, "explanation", key), *last = sub(t, unit, (int)year - 1, "appraisal", key);
        int docs = evidence_count(t, unit, (int)year, key);
        double max = strtod(pv_get_text(c, "max"), NULL), sv = self ? strtod(pv_get_text(self, "value"), NULL) : 0;
        pv *flags = pv_arr();
        if (!self) {
            flag(flags, "not_self_scored", "Chưa tự chấm");
        } else {
            if (!docs && !*pv_get_text(self, "note") && !expl)
                flag(flags, "no_evidence", "Tự chấm %s điểm nhưng không có tài liệu kiểm chứng hay giải trình",
                     vi_num(pv_get_text(self, "value"), a));
            if (last && sv > strtod(pv_get_text(last, "value"), NULL) + 1e-9 && !docs)
                flag(flags, "above_last_year",
                     "Tự chấm %s, cao hơn điểm thẩm định năm %lld (%s) mà không có tài liệu mới",
                     vi_num(pv_get_text(self, "value"), a), (long long)year - 1, vi_num(pv_get_text(last, "value"), b));
            if (max > 0 && sv >= max - 1e-9) {
                pv *open = pv_arr();
                open_tasks(t, unit, (int)year, index, r->id, open);
                for (uint32_t i = 0; i < open->u.a.n; i++)
                    flag(flags, "task_not_done", "Tự chấm tối đa nhưng nhiệm vụ %s chưa được báo cáo hoàn thành",
                         open->u.a.v[i]->u.s.p);
                pv_free(open);
            }
        }
        r->flagged = flags->u.a.n > 0 && !(flags->u.a.n == 1 && !self);
        pv *x = pv_map();
        pv_set_str(x, "criterion", key);
        pv_set_str(x, "name", pv_get_text(c, "name"));
        pv_set_str(x, "max", pv_get_text(c, "max"));
        pv_set_str(x, "self", pv_get_text(self, "value"));
        pv_set_str(x, "note", pv_get_text(self, "note"));
        pv_set_str(x, "appraisal", pv_get_text(appr, "value"));
        pv_set_str(x, "reason", pv_get_text(appr, "note"));
        pv_set_str(x, "last_year", pv_get_text(last, "value"));
        pv_set_int(x, "evidence", docs);
        pv_set_str(x, "explanation", pv_get_text(expl, "note"));
        pv_set(x, "flags", flags);
        r->row = x;
        pv_free(self);
        pv_free(appr);
        pv_free(expl);
        pv_free(last);
        pv_free(c);
    }
    mdb_cursor_close(cur);
    if (n > 1) /* no rows: no array (qsort wants one all the same) */
        qsort(rows, n, sizeof *rows, row_cmp);
    pv *list = pv_arr(), *d = pv_map();
    int gaps = 0;
    for (size_t i = 0; i < n; i++) {
        gaps += rows[i].flagged;
        pv_push(list, rows[i].row);
    }
    free(rows);
    pv_set_str(d, "unit", unit);
    pv_set_str(d, "name", pv_get_text(u, "name"));
    pv_set_str(d, "level", level);
    pv_set_str(d, "index", index);
    pv_set_int(d, "year", year);
    pv_set_int(d, "gaps", gaps);
    pv_set(d, "criteria", list);
    *data = d;
    return 0;
}
