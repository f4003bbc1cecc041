#include "deadline.h"
#include "clock.h"
#include "vnfold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Finds a d/m/yyyy date anywhere in s. */
static int find_date(const char *s, int *y, int *m, int *d)
{
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || (p > s && p[-1] >= '0' && p[-1] <= '9'))
            continue;
        int dd, mm, yy, n = 0;
        if (sscanf(p, "%2d/%2d/%4d%n", &dd, &mm, &yy, &n) == 3 && n >= 8 && clock_date_valid(yy, mm, dd)) {
            *y = yy;
            *m = mm;
            *d = dd;
            return 1;
        }
        if (sscanf(p, "%2d-%2d-%4d%n", &dd, &mm, &yy, &n) == 3 && n >= 8 && clock_date_valid(yy, mm, dd)) {
            *y = yy;
            *m = mm;
            *d = dd;
            return 1;
        }
    }
    return 0;
}

/* A four-digit year after "nam" or "/" in s, or 0. */
static int find_year(const char *s)
{
    for (const char *p = s; *p; p++) {
        if ((p == s || p[-1] < '0' || p[-1] > '9') && p[0] >= '1' && p[0] <= '2' && p[1] >= '0' && p[1] <= '9' &&
            p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9' && (p[4] < '0' || p[4] > '9'))
            return atoi(p);
    }
    return 0;
}

/* Reads a quarter written as a Roman numeral or a digit at p: 1..4, or 0. */
static int quarter_at(const char *p, const char **end)
{
    static const char *const roman[] = {"iv", "iii", "ii", "i"};
    static const int val[] = {4, 3, 2, 1};
    while (*p == ' ')
        p++;
    for (int i = 0; i < 4; i++) {
        size_t l = strlen(roman[i]);
        if (!strncmp(p, roman[i], l) && (p[l] < 'a' || p[l] > 'z')) {
            *end = p + l;
            return val[i];
        }
    }
    if (*p >= '1' && *p <= '4' && (p[1] < '0' || p[1] > '9')) {
        *end = p + 1;
        return *p - '0';
    }
    return 0;
}

static void set_end_of_month(deadline *out, int y, int m)
{
    out->kind = DL_DATE;
    out->y = y;
    out->m = m;
    out->d = clock_days_in_month(y, m);
}

/* A year's word as OCR leaves it: "nam", and misread "nim", "n?m" (n, a letter, m). */
static int year_word(const char *p)
{
    return p[0] == 'n' && p[1] >= 'a' && p[1] <= 'z' && p[2] == 'm' && (p[3] == ' ' || p[3] == '\0' || p[3] == ',');
}

/* "Thường xuyên" as scanned documents spell it: "thudng xuyen", "thuwong xuyen", "thudong
 * xuyen": a word starting "th" then "xuyen". */
static int ongoing_ocr(const char *s)
{
    for (const char *p = strstr(s, " xuyen"); p; p = strstr(p + 1, " xuyen")) {
        const char *w = p;
        while (w > s && w[-1] != ' ')
            w--;
        if (p - w >= 4 && p - w <= 8 && w[0] == 't' && w[1] == 'h')
            return 1;
    }
    return 0;
}

/* "Hằng năm", "mỗi năm" and their OCR forms ("hang nim", "mdi nam"): yearly. */
static int yearly(const char *s)
{
    static const char *const lead[] = {"hang ", "moi ", "mdi "};
    for (size_t i = 0; i < sizeof lead / sizeof lead[0]; i++)
        for (const char *p = strstr(s, lead[i]); p; p = strstr(p + 1, lead[i]))
            if ((p == s || p[-1] == ' ') && year_word(p + strlen(lead[i])))
                return 1;
    return 0;
}

/* "năm" alone as an item of a list of reports: "Quý I, 6 tháng, Quý III, năm" (003's
 * wording for 1.2.1), "..., Quý III và năm". */
static int year_item(const char *s)
{
    for (const char *p = s; (p = strstr(p, "nam")) != NULL; p += 3) {
        const char *q = p + 3;
        while (*q == ' ' || *q == '.')
            q++;
        int last = *q == '\0' || *q == ',' || *q == ';';
        const char *b = p;
        while (b > s && b[-1] == ' ')
            b--;
        int after_sep = b > s && (b[-1] == ',' || b[-1] == ';' || (b - s >= 3 && !strncmp(b - 3, " va", 3)));
        if (last && after_sep && (p == s || p[-1] == ' '))
            return 1;
    }
    return 0;
}

/* "đến năm 2025", and OCR's "pen nam 2025", "nim 2025": the end of that year. */
static int until_year(const char *s)
{
    static const char *const lead[] = {"den het ", "den ", "pen ", "trong ", "truoc ", "het ", "cuoi ", ""};
    for (size_t i = 0; i < sizeof lead / sizeof lead[0]; i++) {
        size_t l = strlen(lead[i]);
        if (strncmp(s, lead[i], l) || !year_word(s + l))
            continue;
        const char *y = s + l + 4;
        if (y[0] >= '1' && y[0] <= '2' && y[1] >= '0' && y[1] <= '9' && y[2] >= '0' && y[2] <= '9' && y[3] >= '0' &&
            y[3] <= '9' && (y[4] == '\0' || y[4] == ' ' || y[4] == '.' || y[4] == ';' || y[4] == ','))
            return atoi(y);
    }
    return 0;
}

void deadline_parse(const char *text, deadline *out)
{
    char s[512];
    memset(out, 0, sizeof *out);
    vnfold(text, s, sizeof s);
    if (!*s) {
        out->kind = DL_NONE;
        return;
    }
    /* a written date wins over everything around it ("trước ngày 31/10/2024") */
    if (find_date(s, &out->y, &out->m, &out->d)) {
        out->kind = DL_DATE;
        return;
    }
    if (strstr(s, "thuong xuyen") || strstr(s, "lien tuc") || ongoing_ocr(s)) {
        out->kind = DL_ONGOING;
        return;
    }
    unsigned periods = 0;
    int year = find_year(s);
    if (strstr(s, "hang thang") || strstr(s, "hangthang") || strstr(s, "moi thang"))
        periods |= DL_P_MONTHLY;
    if (strstr(s, "hang quy") || strstr(s, "moi quy"))
        periods |= DL_P_Q1 | DL_P_H1 | DL_P_Q3 | DL_P_Y;
    if (strstr(s, "dinh ky") && strstr(s, "bao cao"))
        periods |= DL_P_Q1 | DL_P_H1 | DL_P_Q3 | DL_P_Y;
    if (strstr(s, "hang nam") || yearly(s))
        periods |= DL_P_Y;
    /* a list of report periods: "Quý I, 6 tháng, Quý III và báo cáo năm" */
    int quarters = 0;
    int single_q = 0;
    for (const char *p = strstr(s, "quy"); p; p = strstr(p + 3, "quy")) {
        if (p > s && p[-1] >= 'a' && p[-1] <= 'z')
            continue;
        const char *end;
        int q = quarter_at(p + 3, &end);
        if (!q)
            continue;
        quarters++;
        single_q = q;
        periods |= q == 1 ? DL_P_Q1 : q == 2 ? DL_P_Q2 : q == 3 ? DL_P_Q3 : DL_P_Q4;
    }
    int six_months = strstr(s, "6 thang") != NULL || strstr(s, "sau thang") != NULL;
    int year_report = strstr(s, "bao cao nam") != NULL || strstr(s, "va nam") != NULL || year_item(s);
    if (quarters == 1 && !six_months && !year_report && year && !(periods & DL_P_MONTHLY)) {
        /* "Quý IV năm 2024": the end of that quarter */
        set_end_of_month(out, year, single_q * 3);
        return;
    }
    if (quarters || (six_months && year_report)) {
        if (six_months)
            periods |= DL_P_H1;
        if (year_report)
            periods |= DL_P_Y;
    }
    if (periods) {
        out->kind = DL_RECURRING;
        out->periods = periods;
        return;
    }
    if (six_months && year) {
        /* "6 tháng đầu năm 2024" */
        set_end_of_month(out, year, 6);
        return;
    }
    const char *t = strstr(s, "thang ");
    if (t && (t == s || t[-1] == ' ')) {
        int mm, yy;
        if (sscanf(t + 6, "%d/%d", &mm, &yy) == 2 && mm >= 1 && mm <= 12 && yy >= 1900 && yy <= 2200) {
            set_end_of_month(out, yy, mm);
            return;
        }
        if (sscanf(t + 6, "%d nam %d", &mm, &yy) == 2 && mm >= 1 && mm <= 12 && yy >= 1900 && yy <= 2200) {
            set_end_of_month(out, yy, mm);
            return;
        }
    }
    if ((!strncmp(s, "nam ", 4) || !strncmp(s, "trong nam ", 10) || !strncmp(s, "truoc nam ", 10)) && year) {
        set_end_of_month(out, year, 12);
        return;
    }
    int until = until_year(s);
    if (until) {
        set_end_of_month(out, until, 12);
        return;
    }
    if (!strncmp(s, "theo ", 5) || strstr(s, "theo quy dinh") || strstr(s, "theo ke hoach") ||
        strstr(s, "theo thong bao") || strstr(s, "khi co yeu cau") || strstr(s, "theo yeu cau")) {
        out->kind = DL_EXTERNAL;
        return;
    }
    out->kind = DL_UNKNOWN;
}

int deadline_dropped(const char *text, const deadline *d, char *out, size_t n)
{
    char s[512];
    size_t o = 0;
    out[0] = '\0';
    if (d->kind != DL_RECURRING)
        return 0;
    vnfold(text, s, sizeof s);
    for (const char *p = strstr(s, "quy"); p; p = strstr(p + 3, "quy")) {
        if ((p > s && p[-1] >= 'a' && p[-1] <= 'z') || (p[3] >= 'a' && p[3] <= 'z'))
            continue;
        const char *end;
        if (quarter_at(p + 3, &end))
            continue;
        if ((p - s >= 5 && !strncmp(p - 5, "hang ", 5)) || (p - s >= 4 && !strncmp(p - 4, "moi ", 4)))
            continue; /* "hằng quý", "mỗi quý": every quarter, read */
        const char *w = p + 3;
        while (*w == ' ')
            w++;
        size_t l = strcspn(w, " ,;.");
        o += (size_t)snprintf(out + o, o < n ? n - o : 0, "%squy %.*s", o ? "; " : "", (int)l, w);
    }
    for (const char *p = strstr(s, " thang"); p; p = strstr(p + 1, " thang")) {
        const char *b = p;
        while (b > s && b[-1] >= '0' && b[-1] <= '9')
            b--;
        if (b == p || (p - b == 1 && *b == '6'))
            continue; /* "hằng tháng", "6 tháng" are read */
        o += (size_t)snprintf(out + o, o < n ? n - o : 0, "%s%.*s thang", o ? "; " : "", (int)(p - b), b);
    }
    return o > 0;
}

const char *deadline_kind_name(dl_kind k)
{
    switch (k) {
    case DL_NONE: return "";
    case DL_DATE: return "date";
    case DL_RECURRING: return "recurring";
    case DL_ONGOING: return "ongoing";
    case DL_EXTERNAL: return "external";
    case DL_UNKNOWN: return "unknown";
    }
    return "unknown";
}

void deadline_format(const deadline *d, char *out, size_t n)
{
    if (d->kind == DL_DATE) {
        snprintf(out, n, "%04d-%02d-%02d", d->y, d->m, d->d);
        return;
    }
    if (d->kind != DL_RECURRING) {
        snprintf(out, n, "%s", deadline_kind_name(d->kind));
        return;
    }
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{DL_P_MONTHLY, "M"}, {DL_P_Q1, "Q1"}, {DL_P_Q2, "Q2"}, {DL_P_H1, "H1"},
                 {DL_P_Q3, "Q3"}, {DL_P_Q4, "Q4"}, {DL_P_Y, "Y"}};
    size_t o = (size_t)snprintf(out, n, "recurring:");
    int first = 1;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && o < n; i++) {
        if (!(d->periods & names[i].bit))
            continue;
        o += (size_t)snprintf(out + o, n - o, "%s%s", first ? "" : ",", names[i].name);
        first = 0;
    }
}

dl_days dl_days_all(int day)
{
    return (dl_days){day, day, day, day};
}

dl_days dl_days_of(int day, int month, int quarter, int half, int year)
{
    return (dl_days){month ? month : day, quarter ? quarter : day, half ? half : day, year ? year : day};
}

int64_t deadline_period_due(const char *p, int y, dl_days days)
{
    int m, day;
    if (!strcmp(p, "Y"))
        m = 12, day = days.year;
    else if (!strcmp(p, "H1"))
        m = 6, day = days.half;
    else if (p[0] == 'Q' && p[1] >= '1' && p[1] <= '4' && !p[2])
        m = (p[1] - '0') * 3, day = days.quarter;
    else if (p[0] == 'M' && p[1] >= '0' && p[1] <= '1' && p[2] >= '0' && p[2] <= '9' && !p[3] &&
             (m = (p[1] - '0') * 10 + p[2] - '0') >= 1 && m <= 12)
        day = days.month;
    else
        return -1;
    int dim = clock_days_in_month(y, m);
    return clock_days_from_civil(y, m, day < dim ? day : dim);
}

static void add_instance(dl_instance *out, int *n, const char *period, int y, dl_days days)
{
    snprintf(out[*n].period, sizeof out[*n].period, "%s", period);
    out[*n].year = y;
    out[*n].due = deadline_period_due(period, y, days);
    (*n)++;
}

int deadline_instances(const deadline *d, int y, dl_days days, dl_instance out[DL_MAX_INSTANCES])
{
    int n = 0;
    if (d->kind != DL_RECURRING)
        return 0;
    static const struct {
        unsigned bit;
        const char *name;
        int month;
    } quarterly[] = {{DL_P_Q1, "Q1", 3}, {DL_P_Q2, "Q2", 6}, {DL_P_H1, "H1", 6},
                     {DL_P_Q3, "Q3", 9}, {DL_P_Q4, "Q4", 12}, {DL_P_Y, "Y", 12}};
    for (int m = 1; m <= 12; m++) {
        if (d->periods & DL_P_MONTHLY) {
            char p[4];
            snprintf(p, sizeof p, "M%02d", m);
            add_instance(out, &n, p, y, days);
        }
        for (size_t i = 0; i < sizeof quarterly / sizeof quarterly[0]; i++)
            if ((d->periods & quarterly[i].bit) && quarterly[i].month == m)
                add_instance(out, &n, quarterly[i].name, y, days);
    }
    /* within a month, the earlier day first: a year report may be due before December's */
    for (int a = 1; a < n; a++)
        for (int b = a; b > 0 && out[b].due < out[b - 1].due; b--) {
            dl_instance t = out[b];
            out[b] = out[b - 1];
            out[b - 1] = t;
        }
    return n;
}
