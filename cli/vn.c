#include "vn.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *vn_num(char *out, size_t n, double v, int decimals, int sign)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*f", decimals, fabs(v));
    char *dot = strchr(tmp, '.');
    size_t ilen = dot ? (size_t)(dot - tmp) : strlen(tmp);
    size_t o = 0;
    /* a value that rounds to zero has no sign: never "-0,00" */
    if (v < 0 && fabs(v) >= 0.5 * pow(10, -decimals))
        out[o++] = '-';
    else if (sign)
        out[o++] = '+';
    for (size_t i = 0; i < ilen && o + 2 < n; i++) {
        if (i && (ilen - i) % 3 == 0)
            out[o++] = '.';
        out[o++] = tmp[i];
    }
    if (dot)
        for (const char *p = dot; *p && o + 1 < n; p++)
            out[o++] = *p == '.' ? ',' : *p;
    out[o] = '\0';
    return out;
}

const char *vn_date(char out[16], const char *iso)
{
    int y, m, d;
    if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return "—";
    snprintf(out, 16, "%02d/%02d/%04d", d, m, y);
    return out;
}

const char *vn_time(char out[32], const char *iso)
{
    int y, mo, d, h, mi;
    if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) != 5)
        return "—";
    snprintf(out, 32, "%02d/%02d/%04d %02d:%02d", d, mo, y, h, mi);
    return out;
}

int vn_date_parse(const char *s, char out[11])
{
    int y = 0, m = 0, d = 0, end = 0;
    if (!s)
        return -1;
    if (!(sscanf(s, "%2d/%2d/%4d%n", &d, &m, &y, &end) == 3 && s[end] == '\0') &&
        !(sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &end) == 3 && s[end] == '\0'))
        return -1;
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days[m - 1] || (m == 2 && d == 29 && !leap))
        return -1;
    /* the checks above bound every field: the text is 10 characters */
    snprintf(out, 11, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
    return 0;
}
