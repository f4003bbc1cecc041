#include "table.h"
#include "csv.h"

#include <stdlib.h>

#include <string.h>

static const char *const units_cols[] = {"id", "parent", "level", "name", "email", NULL};
static const char *const framework_cols[] = {"index", "year", "level", "id", "name", "max", "method", "formula", NULL};
static const char *const tasks_cols[] = {"plan", "id", "lead", "support", "index", "criterion", "target", "task",
                                         "deadline", NULL};
static const char *const submissions_cols[] = {"unit", "year", "period", "kind", "key", "value", "date", "note", NULL};
static const char *const names[] = {"units", "framework", "tasks", "submissions"};

const char *const *table_cols(table_format f)
{
    switch (f) {
    case TABLE_UNITS: return units_cols;
    case TABLE_FRAMEWORK: return framework_cols;
    case TABLE_TASKS: return tasks_cols;
    case TABLE_SUBMISSIONS: return submissions_cols;
    }
    return submissions_cols;
}

unsigned long table_required(table_format f)
{
    switch (f) {
    case TABLE_UNITS: return 0x0f;      /* id, parent, level, name (email optional) */
    case TABLE_FRAMEWORK: return 0x7f;  /* all but formula */
    case TABLE_TASKS: return 1UL << 0 | 1UL << 1 | 1UL << 2 | 1UL << 7 | 1UL << 8; /* plan, id, lead, task, deadline */
    case TABLE_SUBMISSIONS: return 0x3f; /* unit..value */
    }
    return 0;
}

int table_format_named(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(name, names[i]))
            return i;
    return -1;
}

int table_load(const char *path, const char *const known[], unsigned long required, table *t, FILE *report,
               par_err *e)
{
    char *buf;
    size_t len;
    t->cols = t->rows = NULL;
    t->lines = t->refused = 0;
    if (file_read(path, &buf, &len, e) < 0)
        return -1;
    csv_reader *r = csv_new(buf, len);
    csv_row row;
    int idx[CSV_MAX_FIELDS], rc = -1;
    par_err le;
    int got = csv_next(r, &row, &le);
    if (got <= 0) {
        err_set(e, "%s: %s", path, got == 0 ? "empty file: no header line" : le.msg);
        goto done;
    }
    if (csv_header(&row, known, required, idx, &le) < 0) {
        err_set(e, "%s: %s", path, le.msg);
        goto done;
    }
    int ncols = row.n;
    t->cols = pv_arr();
    for (int i = 0; i < row.n; i++)
        pv_push(t->cols, pv_str(str_trim(row.f[i])));
    t->rows = pv_arr();
    while ((got = csv_next(r, &row, &le)) != 0) {
        t->lines++;
        if (got < 0) {
            fprintf(report, "%s: %s\n", path, le.msg);
            t->refused++;
            continue;
        }
        if (row.n != ncols) {
            fprintf(report, "%s: line %d: %d fields where the header has %d (a missing column?)\n", path, row.line,
                    row.n, ncols);
            t->refused++;
            continue;
        }
        pv *rv = pv_arr();
        pv_push(rv, pv_int(row.line));
        for (int i = 0; i < row.n; i++)
            pv_push(rv, pv_str(str_trim(row.f[i])));
        pv_push(t->rows, rv);
    }
    rc = 0;
done:
    if (rc < 0)
        table_free(t);
    csv_destroy(r);
    free(buf);
    return rc;
}

void table_free(table *t)
{
    pv_free(t->cols);
    pv_free(t->rows);
    t->cols = t->rows = NULL;
}
