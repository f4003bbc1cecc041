/* deadline: reads the deadline texts of provincial plans (DOMAIN.md), with and
 * without diacritics: dates, ends of quarters and months, recurring reports,
 * ongoing work, and deadlines that another document will set. */
#ifndef PAR_DEADLINE_H
#define PAR_DEADLINE_H

#include <stddef.h>

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

void deadline_parse(const char *text, deadline *out);
/* A stable text form: "2024-12-31", "recurring:Q1,H1,Q3,Y", "ongoing", "external", "unknown", "". */
void deadline_format(const deadline *d, char *out, size_t n);
const char *deadline_kind_name(dl_kind k);

#endif
