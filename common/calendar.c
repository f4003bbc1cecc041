#include "calendar.h"
#include "clock.h"
#include "csv.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Days from 2000 to 2099 are tabled, so that counting and stepping over working
 * days costs one lookup: a million tasks are evaluated in well under a second.
 * Days outside are clamped to the range. */
#define FIRST_YEAR 2000
#define YEARS 100

struct calendar {
    int64_t base, span;
    unsigned char *work;  /* 1 for a working day */
    int32_t *before;      /* working days in [base, base + i) */
    int64_t *nth;         /* the day of the k-th working day */
    int64_t nwork;
    unsigned char years[YEARS]; /* a file was read for the year */
};

static int weekday(int64_t day)
{
    /* 1970-01-01 was a Thursday; 0 = Monday */
    return (int)(((day % 7) + 7 + 3) % 7);
}

int calendar_parse(calendar *c, const char *path, int year, const char *buf, size_t len, par_err *e)
{
    if (year < FIRST_YEAR || year >= FIRST_YEAR + YEARS) {
        err_set(e, "%s: year %d is outside %d-%d", path, year, FIRST_YEAR, FIRST_YEAR + YEARS - 1);
        return -1;
    }
    csv_reader *r = csv_new(buf, len);
    csv_row row;
    par_err why = {{0}};
    static const char *const cols[] = {"date", "kind", "name", NULL};
    int idx[3], rc = 0, first = 1;
    for (int got; (got = csv_next(r, &row, &why)) != 0;) {
        if (got < 0) {
            rc = -1;
            err_set(e, "%s: %s", path, why.msg);
            break;
        }
        if (first) {
            first = 0;
            if (csv_header(&row, cols, 3, idx, &why) < 0) {
                err_set(e, "%s: %s", path, why.msg);
                rc = -1;
                break;
            }
            continue;
        }
        const char *date = row.f[idx[0]], *kind = row.f[idx[1]];
        int y, m, d, n = 0;
        if (sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || date[n] || !clock_date_valid(y, m, d)) {
            err_set(e, "%s: line %d: date '%s' is not a date like 2025-01-27", path, row.line, date);
            rc = -1;
            break;
        }
        if (y != year) {
            err_set(e, "%s: line %d: %s is not in %d", path, row.line, date, year);
            rc = -1;
            break;
        }
        int v = !strcmp(kind, "off") ? 0 : !strcmp(kind, "work") ? 1 : -1;
        if (v < 0) {
            err_set(e, "%s: line %d: kind '%s' is neither off nor work", path, row.line, kind);
            rc = -1;
            break;
        }
        c->work[clock_days_from_civil(y, m, d) - c->base] = (unsigned char)v;
    }
    csv_destroy(r);
    if (rc == 0)
        c->years[year - FIRST_YEAR] = 1;
    return rc;
}

static int read_file(calendar *c, const char *path, int year, par_err *e)
{
    char *buf = NULL;
    size_t len;
    if (file_read(path, &buf, &len, e) < 0)
        return -1;
    int rc = calendar_parse(c, path, year, buf, len, e);
    free(buf);
    return rc;
}

int calendar_load(calendar **out, const char *dir, par_err *e)
{
    calendar *c = xcalloc(1, sizeof *c);
    c->base = clock_days_from_civil(FIRST_YEAR, 1, 1);
    c->span = clock_days_from_civil(FIRST_YEAR + YEARS, 1, 1) - c->base;
    c->work = xmalloc((size_t)c->span);
    c->before = xmalloc(((size_t)c->span + 1) * sizeof *c->before);
    c->nth = xmalloc((size_t)c->span * sizeof *c->nth);
    for (int64_t i = 0; i < c->span; i++)
        c->work[i] = weekday(c->base + i) < 5;
    DIR *d = dir && *dir ? opendir(dir) : NULL;
    for (struct dirent *de; d && (de = readdir(d));) {
        int year, n = 0;
        if (sscanf(de->d_name, "%4d.csv%n", &year, &n) != 1 || n != 8 || de->d_name[n] || year < FIRST_YEAR ||
            year >= FIRST_YEAR + YEARS)
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (read_file(c, path, year, e) < 0) {
            closedir(d);
            calendar_destroy(c);
            return -1;
        }
    }
    if (d)
        closedir(d);
    c->before[0] = 0;
    for (int64_t i = 0; i < c->span; i++) {
        c->before[i + 1] = c->before[i] + c->work[i];
        if (c->work[i])
            c->nth[c->nwork++] = c->base + i;
    }
    *out = c;
    return 0;
}

void calendar_destroy(calendar *c)
{
    if (!c)
        return;
    free(c->work);
    free(c->before);
    free(c->nth);
    free(c);
}

int calendar_has_year(const calendar *c, int y)
{
    return y >= FIRST_YEAR && y < FIRST_YEAR + YEARS && c->years[y - FIRST_YEAR];
}

static int64_t clamp(const calendar *c, int64_t day)
{
    return day < c->base ? 0 : day >= c->base + c->span ? c->span - 1 : day - c->base;
}

int calendar_is_workday(const calendar *c, int64_t day)
{
    return c->work[clamp(c, day)];
}

int64_t calendar_add(const calendar *c, int64_t day, int n)
{
    int64_t k;
    if (n >= 0)
        k = c->before[clamp(c, day) + 1] + n - 1; /* working days up to day, then n more */
    else
        k = c->before[clamp(c, day)] + n;         /* working days before day, then n back */
    if (n == 0)
        return day;
    if (k < 0)
        k = 0;
    if (k >= c->nwork)
        k = c->nwork - 1;
    return c->nth[k];
}

int calendar_count(const calendar *c, int64_t from, int64_t to)
{
    if (to < from)
        return -calendar_count(c, to, from);
    return (int)(c->before[clamp(c, to) + 1] - c->before[clamp(c, from) + 1]);
}

int64_t calendar_next_workday(const calendar *c, int64_t day)
{
    return calendar_is_workday(c, day) ? day : calendar_add(c, day, 1);
}
