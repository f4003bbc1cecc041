/* clock: the province's time. Asia/Ho_Chi_Minh (UTC+7, no daylight saving);
 * PAR_NOW shifts the start so that deadlines can be tested without waiting. */
#ifndef PAR_CLOCK_H
#define PAR_CLOCK_H

#include <stdint.h>
#include "util.h"

#define CLOCK_TZ_OFFSET_S (7 * 3600)

typedef struct {
    int64_t offset_ms; /* added to the real time */
} par_clock;

/* Reads PAR_NOW when set; an unreadable PAR_NOW is an error. */
int clock_init(par_clock *c, par_err *e);
/* Milliseconds since the epoch, on the (possibly shifted) clock. */
int64_t clock_now_ms(const par_clock *c);
/* Monotonic milliseconds, for timers and time-outs. */
int64_t clock_mono_ms(void);

/* ISO 8601: 2024-12-31T08:00:00+07:00, ...Z, or a bare date (midnight in Vietnam). */
int clock_parse_iso(const char *s, int64_t *ms);
/* The civil day (days since 1970-01-01) and the second of that day in Vietnam. */
void clock_local(int64_t ms, int64_t *day, int *sec);
/* Formats in Vietnam's offset: 2024-12-31T08:00:00.123+07:00 (31 bytes with NUL). */
void clock_format(int64_t ms, char out[40]);
/* A civil day (days since 1970-01-01) as YYYY-MM-DD. */
void clock_format_day(int64_t day, char out[16]);

/* Days since 1970-01-01 for a civil date, and back. */
int64_t clock_days_from_civil(int y, int m, int d);
void clock_civil_from_days(int64_t z, int *y, int *m, int *d);
int clock_date_valid(int y, int m, int d);
int clock_days_in_month(int y, int m);

#endif
