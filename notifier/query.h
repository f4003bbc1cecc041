/* query: what parctl asks the notifier: tasks with their deadlines and states,
 * the alert log, and acknowledgements. */
#ifndef PAR_NQUERY_H
#define PAR_NQUERY_H

#include "book.h"
#include "../common/calendar.h"
#include "due.h"

/* tasks {unit?, overdue?}: one row per deadline (a recurring report has one per period). */
int query_tasks(book *b, const calendar *cal, const due_policy *p, const pv *args, int64_t now_ms, pv **out,
                par_err *e);

#endif
