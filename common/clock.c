#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Howard Hinnant's algorithms: exact for the proleptic Gregorian calendar. */
int64_t clock_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void clock_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

int clock_days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

int clock_date_valid(int y, int m, int d)
{
    return y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= clock_days_in_month(y, m);
}

int64_t clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int clock_init(par_clock *c, par_err *e)
{
    c->offset_ms = 0;
    const char *now = getenv("PAR_NOW");
    if (!now || !*now)
        return 0;
    int64_t ms;
    if (clock_parse_iso(now, &ms) < 0) {
        err_set(e, "PAR_NOW=%s is not an ISO 8601 time (like 2024-12-31T08:00:00+07:00)", now);
        return -1;
    }
    c->offset_ms = ms - real_ms();
    return 0;
}

int64_t clock_now_ms(const par_clock *c)
{
    return real_ms() + c->offset_ms;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int clock_parse_iso(const char *s, int64_t *ms)
{
    int y, mo, d, h = 0, mi = 0, se = 0, frac = 0;
    int64_t off_s = CLOCK_TZ_OFFSET_S;
    size_t l = strlen(s);
    if (l < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d) || !clock_date_valid(y, mo, d))
        return -1;
    const char *p = s + 10;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (digits(p, 2, &h) || p[2] != ':' || digits(p + 3, 2, &mi))
            return -1;
        p += 5;
        if (*p == ':') {
            if (digits(p + 1, 2, &se))
                return -1;
            p += 3;
            if (*p == '.') {
                p++;
                int n = 0;
                while (*p >= '0' && *p <= '9') {
                    if (n < 3)
                        frac = frac * 10 + (*p - '0');
                    n++;
                    p++;
                }
                if (!n)
                    return -1;
                for (; n < 3; n++)
                    frac *= 10;
            }
        }
        if (h > 23 || mi > 59 || se > 60)
            return -1;
        if (*p == 'Z') {
            off_s = 0;
            p++;
        } else if (*p == '+' || *p == '-') {
            int oh, om;
            if (digits(p + 1, 2, &oh) || digits(p + (p[3] == ':' ? 4 : 3), 2, &om))
                return -1;
            off_s = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
            p += p[3] == ':' ? 6 : 5;
        }
    }
    if (*p)
        return -1;
    int64_t days = clock_days_from_civil(y, mo, d);
    *ms = ((days * 86400 + h * 3600 + mi * 60 + se) - off_s) * 1000 + frac;
    return 0;
}

void clock_local(int64_t ms, int64_t *day, int *sec)
{
    int64_t local = ms + (int64_t)CLOCK_TZ_OFFSET_S * 1000;
    int64_t secs = local >= 0 ? local / 1000 : (local - 999) / 1000;
    *day = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    *sec = (int)(secs - *day * 86400);
}

void clock_format_day(int64_t day, char out[16])
{
    int y, m, d;
    clock_civil_from_days(day, &y, &m, &d);
    snprintf(out, 16, "%04d-%02d-%02d", y, m, d);
}

void clock_format(int64_t ms, char out[40])
{
    int64_t local = ms + (int64_t)CLOCK_TZ_OFFSET_S * 1000;
    int64_t secs = local >= 0 ? local / 1000 : (local - 999) / 1000;
    int milli = (int)(local - secs * 1000);
    int64_t days;
    int rem;
    clock_local(ms, &days, &rem);
    int y, m, d;
    clock_civil_from_days(days, &y, &m, &d);
    snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+07:00", y, m, d, (int)(rem / 3600),
             (int)(rem % 3600 / 60), (int)(rem % 60), milli);
}
