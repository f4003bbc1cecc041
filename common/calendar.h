/* calendar: working days in Vietnam. Saturdays and Sundays are off, public
 * holidays (Tết, the government's swaps) come from one CSV file per year in
 * holidays_dir (data/holidays/README.md), and make-up days there are worked.
 * Days are civil day numbers (clock_days_from_civil). */
#ifndef PAR_CALENDAR_H
#define PAR_CALENDAR_H

#include <stdint.h>
#include "util.h"

typedef struct calendar calendar;

/* Reads every YYYY.csv in dir (dir may be missing: weekends only). A malformed
 * line is an error naming the file and the line. */
int calendar_load(calendar **out, const char *dir, par_err *e);
void calendar_destroy(calendar *c);
/* Reads one year's file from memory into c (path names it in messages). Days counted
 * by calendar_count/add are those of calendar_load: this is its reader, public for
 * the fuzzer. */
int calendar_parse(calendar *c, const char *path, int year, const char *buf, size_t len, par_err *e);
/* Whether a file for year y was read (the notifier warns about a year without one). */
int calendar_has_year(const calendar *c, int y);
int calendar_is_workday(const calendar *c, int64_t day);
/* The n-th working day after day (n > 0) or before it (n < 0); day itself is not counted. */
int64_t calendar_add(const calendar *c, int64_t day, int n);
/* Working days in (from, to]; negative when to is before from. */
int calendar_count(const calendar *c, int64_t from, int64_t to);
/* The first working day on or after day. */
int64_t calendar_next_workday(const calendar *c, int64_t day);

#endif
