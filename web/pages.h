/* pages: par-web's pages rendered from what the services answered (value trees of
 * their replies), in Vietnamese, every value escaped. */
#ifndef PAR_WEB_PAGES_H
#define PAR_WEB_PAGES_H

#include "html.h"
#include "sheet.h"
#include "../proto/proto.h"

/* The login form; error (may be NULL) said above it. token: the form's token, also set
 * as a cookie. */
void page_login(sbuf *b, const char *error, const char *token, const char *user);

/* The dashboard: the ranking of index, year, level (now: the scorer's scores), each
 * area's points and the change on last year; a chart of every year held up to year
 * (years: the scorer's years rows, NULL when none) and a heat map of units x areas; and
 * for units with targets (gaps: the scorer's gaps answer, NULL when none) each
 * sub-index against its target with the tasks linked to it. */
void page_dashboard(sbuf *b, const html_frame *f, const char *index, int year, const char *level, const pv *now,
                    const pv *years, const pv *gaps);

/* A unit's page: its result (the scorer's), evidence and history (the collector's: its
 * last PAGE_HISTORY_ROWS changes, with a link to all of them, unless history_all). */
#define PAGE_HISTORY_ROWS 50
void page_unit(sbuf *b, const html_frame *f, const char *unit, const char *index, int year, const pv *result,
               const pv *evidence, const pv *history, int history_all);

/* What the task list shows: a unit's subtree (asked of the notifier), a plan, an index, a
 * state, and tasks at least late days overdue. NULL or "" (0): any. */
typedef struct {
    const char *under, *plan, *index, *state;
    int late;
} task_filter;

/* Tasks, with the form that reports one done for the unit's own. msg: said on top. */
void page_tasks(sbuf *b, const html_frame *f, const pv *tasks, const task_filter *tf, const char *msg);
void page_alerts(sbuf *b, const html_frame *f, const pv *alerts, const char *msg);
/* Who has sent its self-assessment (the season's tasks) and who has not. */
void page_reporting(sbuf *b, const html_frame *f, const pv *tasks);
/* The season's phase, deadlines and moves; the move form for admins and appraisers; and,
 * with view (the collector's appraise answer for a unit), its criteria with the evidence
 * gap first: for the unit's own account the self-assessment form and the evidence upload. */
void page_season(sbuf *b, const html_frame *f, const pv *season, const char *msg, const pv *view);
/* An error page: what happened, in Vietnamese, with the service's reason. */
void page_error(sbuf *b, const html_frame *f, const char *what, const char *why);

/* The tables behind the downloads (the owner destroys them): the ranking with a column
 * per area; the tasks the filter shows; the alerts; the reporting view's rows. */
sheet *page_ranking_sheet(const pv *ranking, const char *title);
sheet *page_tasks_sheet(const pv *tasks, const task_filter *tf);
sheet *page_alerts_sheet(const pv *alerts);
sheet *page_reporting_sheet(const pv *tasks);

#endif
