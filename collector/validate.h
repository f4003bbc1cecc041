/* validate: the rules a submission line must meet before it is stored, against
 * the unit registry and the framework of that unit's level and year; and the
 * field rules shared by the reference-data importers. */
#ifndef PAR_VALIDATE_H
#define PAR_VALIDATE_H

#include "record.h"

enum { SUB_UNIT, SUB_YEAR, SUB_PERIOD, SUB_KIND, SUB_KEY, SUB_VALUE, SUB_DATE, SUB_NOTE, SUB_NCOLS };

typedef struct {
    char unit[64];
    int year;
    char period[4];
    char kind[12];
    char key[160];   /* as stored: INDEX:id for criteria, the name for metrics and tasks */
    char value[64];  /* normalised: '.' decimal mark, or "done" */
    char date[11];   /* YYYY-MM-DD or empty */
    char note[1024];
} sub_line;

/* f: one string per column (NULL when the file has no such column). 0, or -1 with
 * the reason in why, written for the person who sent the line. */
int validate_submission(record_txn *t, const char *const f[SUB_NCOLS], sub_line *out, par_err *why);

/* A leaf criterion of the framework of year and level, named "INDEX:id" or "id"; its
 * stored key ("INDEX:id") in stored_key. 0, or -1 with why. */
int validate_criterion(record_txn *t, const char *key, int year, const char *level, char *stored_key, size_t n,
                       par_err *why);

/* Ids of units, tasks, indices: 1-63 of [A-Za-z0-9._-]. */
int validate_id(const char *s);
/* Criterion ids: dotted numbers or letters, "1", "1.2", "1.2.1", "2.a". */
int validate_crit_id(const char *s);
/* Addresses separated by ';', each with one '@'; empty is allowed. */
int validate_emails(const char *s);
/* Day/month/year or ISO date into YYYY-MM-DD. */
int validate_date(const char *s, char out[11]);

#endif
