#include "log.h"
#include "clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The only process-wide state outside main: set by log_init before anything logs. */
static struct {
    const char *prog;
    int level;
} logger = {"par", LOG_INFO};

static const char *names[] = {"error", "warn", "info", "debug"};

void log_init(const char *prog, int level)
{
    logger.prog = prog;
    logger.level = level;
}

void log_set_level(int level)
{
    logger.level = level;
}

int log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcasecmp(s, names[i]) == 0)
            return i;
    return -1;
}

const char *log_level_name(int level)
{
    return level >= 0 && level < 4 ? names[level] : "?";
}

void log_msg(int level, const char *fmt, ...)
{
    if (level > logger.level)
        return;
    /* the province's local time with its offset, as receipts and replies carry it */
    char ts[40];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    clock_format((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000L, ts);
    char line[2048], out[4 * sizeof line];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* one event, one line: a value a user typed (a login name, a form field) may hold a
     * line break, which would start a forged line of its own; control bytes are written as
     * \n, \r, \t or \xHH, and a backslash as two (a typed "\n" is not a line break) */
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)line; *p; p++) {
        if (*p >= 0x20 && *p != 0x7f && *p != '\\') {
            out[o++] = (char)*p;
            continue;
        }
        out[o++] = '\\';
        if (*p == '\n' || *p == '\r' || *p == '\t' || *p == '\\') {
            out[o++] = *p == '\n' ? 'n' : *p == '\r' ? 'r' : *p == '\t' ? 't' : '\\';
        } else {
            snprintf(out + o, 4, "x%02x", *p);
            o += 3;
        }
    }
    out[o] = '\0';
    fprintf(stderr, "%s level=%s prog=%s %s\n", ts, names[level], logger.prog, out);
}
