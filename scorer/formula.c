#include "formula.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip(const char *p)
{
    while (*p == ' ')
        p++;
    return p;
}

/* Reads a name of letters, digits, '_', '.', '-' into out. */
static const char *name(const char *p, char *out, size_t n)
{
    size_t l = 0;
    p = skip(p);
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
           *p == '.' || *p == '-') {
        if (l + 1 < n)
            out[l++] = *p;
        p++;
    }
    out[l] = '\0';
    return skip(p);
}

int formula_parse(const char *text, formula *f, par_err *e)
{
    memset(f, 0, sizeof *f);
    f->threshold = -1;
    char fn[32], arg[64];
    const char *p = name(text, fn, sizeof fn);
    if (*p != '(')
        goto bad;
    p = name(p + 1, arg, sizeof arg);
    if (!strcmp(fn, "share") && !strcmp(arg, "tasks_done")) {
        f->kind = F_TASKS_DONE;
    } else if (!strcmp(fn, "share") && !strcmp(arg, "reports_on_time")) {
        f->kind = F_REPORTS_ON_TIME;
        if (*p == ',') {
            char *end;
            long d = strtol(p + 1, &end, 10);
            if (end == p + 1 || d < 0 || d > 366)
                goto bad;
            f->days = (int)d;
            p = skip(end);
        }
    } else if (!strcmp(fn, "deduct") && !strcmp(arg, "reports") && *p == ',') {
        f->kind = F_DEDUCT_REPORTS;
        double *slot[] = {&f->late, &f->missing, &f->floor};
        int n = 0;
        while (*p == ',' && n < 3) {
            char *end;
            double v = strtod(p + 1, &end);
            if (end == p + 1 || v < 0 || v > 1000)
                goto bad;
            *slot[n++] = v;
            p = skip(end);
        }
        if (n < 2)
            f->missing = f->late;
    } else if (!strcmp(fn, "ratio") && arg[0] && *p == '/') {
        f->kind = F_RATIO;
        str_copy(f->num, sizeof f->num, arg);
        p = name(p + 1, f->den, sizeof f->den);
        if (!f->den[0])
            goto bad;
    } else {
        goto bad;
    }
    if (*p != ')')
        goto bad;
    p = skip(p + 1);
    if (p[0] == '>' && p[1] == '=') {
        char *end;
        f->threshold = strtod(p + 2, &end);
        if (end == p + 2 || f->threshold < 0 || f->threshold > 1)
            goto bad;
        p = skip(end);
    }
    if (*p)
        goto bad;
    return 0;
bad:
    err_set(e, "formula '%s' is not share(tasks_done), share(reports_on_time[, DAYS]), "
               "deduct(reports, LATE[, MISSING[, FLOOR]]) or ratio(A / B), optionally followed by >= T",
            text);
    return -1;
}

double formula_points(const formula *f, double share, double max)
{
    if (share < 0)
        share = 0;
    if (share > 1)
        share = 1;
    if (f->threshold >= 0)
        return share + 1e-12 >= f->threshold ? max : 0;
    return share * max;
}

double formula_reports_share(const formula *f, int total, int late, int missing, double max)
{
    if (f->kind != F_DEDUCT_REPORTS)
        return total ? (double)(total - late - missing) / total : -1;
    if (max <= 0)
        return 0;
    double pts = max - f->late * late - f->missing * missing;
    if (pts < f->floor)
        pts = f->floor;
    return pts / max;
}

int formula_counts_reports(const formula *f)
{
    return f->kind == F_REPORTS_ON_TIME || f->kind == F_DEDUCT_REPORTS;
}
