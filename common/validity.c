#include "validity.h"
#include "clock.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static int iso_ok(const char *s)
{
    int y, m, d, n = 0;
    return !*s || (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10 &&
                   clock_date_valid(y, m, d));
}

/* Copies the text up to stop (or the end) into out; -1 when it does not fit. */
static int cut(const char **p, char stop, char *out, size_t n)
{
    const char *end = strchr(*p, stop);
    size_t l = end ? (size_t)(end - *p) : strlen(*p);
    if (l >= n)
        return -1;
    memcpy(out, *p, l);
    out[l] = '\0';
    *p += l + (end ? 1 : 0);
    return 0;
}

int validity_read(const char *periods, const char *from, const char *to, const char *parent, const char *level,
                  validity_span *out, int max)
{
    if (!periods || !*periods) {
        if (max < 1 || str_copy(out->from, sizeof out->from, from ? from : "") < 0 ||
            str_copy(out->to, sizeof out->to, to ? to : "") < 0 ||
            str_copy(out->parent, sizeof out->parent, parent ? parent : "") < 0)
            return -1;
        /* an undated unit's level is not limited here: it is kept whole in its own field */
        snprintf(out->level, sizeof out->level, "%s", level ? level : "");
        return iso_ok(out->from) && iso_ok(out->to) ? 1 : -1;
    }
    int n = 0;
    for (const char *p = periods; *p;) {
        char item[3 * VALIDITY_TEXT];
        if (n == max || cut(&p, ';', item, sizeof item) < 0)
            return -1;
        validity_span *s = &out[n];
        const char *q = item;
        if (cut(&q, '|', s->from, sizeof s->from) < 0 || cut(&q, '|', s->to, sizeof s->to) < 0 ||
            cut(&q, '|', s->parent, sizeof s->parent) < 0 || cut(&q, '\0', s->level, sizeof s->level) < 0 ||
            !iso_ok(s->from) || !iso_ok(s->to))
            return -1;
        n++;
    }
    return n ? n : -1;
}

void validity_write(sbuf *b, const validity_span *s, int n)
{
    for (int i = 0; i < n; i++)
        sbuf_printf(b, "%s%s|%s|%s|%s", i ? ";" : "", s[i].from, s[i].to, s[i].parent, s[i].level);
}

/* "" as the earliest (lo) or the latest (hi) day, so that days compare as text */
static const char *lo(const char *d)
{
    return *d ? d : "0000-00-00";
}
static const char *hi(const char *d)
{
    return *d ? d : "9999-99-99";
}

int validity_overlap(const char *a_from, const char *a_to, const char *b_from, const char *b_to)
{
    return strcmp(lo(a_from), hi(b_to)) <= 0 && strcmp(lo(b_from), hi(a_to)) <= 0;
}

int validity_at(const validity_span *s, int n, const char *day)
{
    for (int i = 0; i < n; i++)
        if (strcmp(lo(s[i].from), day) <= 0 && strcmp(day, hi(s[i].to)) <= 0)
            return i;
    return -1;
}

int validity_covers(const validity_span *s, int n, const char *from, const char *to)
{
    /* walk from the first day: each step must land in a span, which then carries the
     * walk to its end; spans are few, so the walk is short */
    char day[11];
    str_copy(day, sizeof day, from);
    for (int steps = 0; steps <= n; steps++) {
        int i = -1;
        for (int k = 0; k < n && i < 0; k++)
            if (strcmp(lo(s[k].from), lo(day)) <= 0 && strcmp(lo(day), hi(s[k].to)) <= 0)
                i = k;
        if (i < 0)
            return 0;
        if (strcmp(hi(s[i].to), hi(to)) >= 0)
            return 1;
        validity_day_add(s[i].to, 1, day);
    }
    return 0;
}

void validity_day_add(const char *day, int delta, char out[11])
{
    int y, m, d;
    if (sscanf(day, "%4d-%2d-%2d", &y, &m, &d) != 3) {
        str_copy(out, 11, day);
        return;
    }
    clock_civil_from_days(clock_days_from_civil(y, m, d) + delta, &y, &m, &d);
    char t[40];
    snprintf(t, sizeof t, "%04d-%02d-%02d", y, m, d);
    str_copy(out, 11, t);
}

void validity_vn(const char *day, char out[16])
{
    int y, m, d;
    char t[40];
    if (sscanf(day, "%4d-%2d-%2d", &y, &m, &d) == 3 && snprintf(t, sizeof t, "%02d/%02d/%04d", d, m, y) < 16)
        str_copy(out, 16, t);
    else
        str_copy(out, 16, day);
}

void validity_year_day(int year, char out[11])
{
    char t[40];
    snprintf(t, sizeof t, "%04d-12-31", year);
    str_copy(out, 11, t);
}
