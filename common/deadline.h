/* deadline: reads the deadline texts of provincial plans (DOMAIN.md), with and
 * without diacritics: dates, ends of quarters and months, recurring reports,
 * ongoing work, and deadlines that another document will set. */
#ifndef PAR_DEADLINE_H
#define PAR_DEADLINE_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    DL_NONE,      /* empty text */
    DL_DATE,      /* one date: y, m, d */
    DL_RECURRING, /* one deadline per period in `periods` */
    DL_ONGOING,   /* "Thường xuyên": no deadline, progress expected each period */
    DL_EXTERNAL,  /* "Theo quy định", "Theo Kế hoạch tuyển dụng": entered later */
    DL_UNKNOWN,   /* not a deadline we can read: kept as text and flagged */
} dl_kind;

/* Periods of a recurring report. */
enum {
    DL_P_Q1 = 1 << 0,
    DL_P_H1 = 1 << 1, /* the 6-month report */
    DL_P_Q3 = 1 << 2,
    DL_P_Y = 1 << 3,
    DL_P_Q2 = 1 << 4,
    DL_P_Q4 = 1 << 5,
    DL_P_MONTHLY = 1 << 6,
};

typedef struct {
    dl_kind kind;
    int y, m, d;      /* DL_DATE */
    unsigned periods; /* DL_RECURRING */
} deadline;

/* One period of a recurring report: its name in the submissions format (Q1, H1,
 * Y, M03...) and its due day (a civil day number). */
typedef struct {
    char period[4];
    int year;
    int64_t due;
} dl_instance;

#define DL_MAX_INSTANCES 20

/* The day of a period's last month on which each kind of recurring report is due (1-31;
 * the month's last day when shorter): a province sets monthly, quarterly, six-month and
 * year reports each its own day ([notifier] report_day and report_day_month ...). */
typedef struct {
    int month, quarter, half, year;
} dl_days;

/* Every kind on the same day. */
dl_days dl_days_all(int day);
/* day for the kinds given 0. */
dl_days dl_days_of(int day, int month, int quarter, int half, int year);

void deadline_parse(const char *text, deadline *out);
/* What a recurring deadline's text names that no period was read from: a quarter that is
 * none ("Quý V"), a report of months other than six ("9 tháng"). The words (folded, e.g.
 * "quy v; 9 thang") in out; 0 when nothing was left out. */
int deadline_dropped(const char *text, const deadline *d, char *out, size_t n);
/* A stable text form: "2024-12-31", "recurring:Q1,H1,Q3,Y", "ongoing", "external", "unknown", "". */
void deadline_format(const deadline *d, char *out, size_t n);
const char *deadline_kind_name(dl_kind k);
/* The periods of a recurring deadline in year y, in order of due day: each report
 * is due on its kind's day of its period's last month. Returns how many were written
 * to out. */
int deadline_instances(const deadline *d, int y, dl_days days, dl_instance out[DL_MAX_INSTANCES]);
/* The due day (civil day number) of one period of year y, named as in the submissions
 * format (Q1-Q4, H1, Y, M01-M12): its kind's day of its last month; -1 for a name that
 * is no period. The notifier's reminders and the scorer's "on time" both count from it. */
int64_t deadline_period_due(const char *period, int y, dl_days days);

#endif
