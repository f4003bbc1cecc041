/* marks: deliveries made (or failed) whose record could not be written yet (a full
 * disk). The store still says such a message is pending, so while any is owed no
 * delivery may start, or every scan would send the same message again; the records
 * are written again, in order, each wait twice the last (MARKS_WAIT_MIN to _MAX). */
#ifndef PAR_NOTIFIER_MARKS_H
#define PAR_NOTIFIER_MARKS_H

#include <stdint.h>
#include "book.h"
#include "deliver.h"

#define MARKS_MAX (DELIVER_MAX_ITEMS + 8) /* those in flight, and one started at once */
#define MARKS_WAIT_MIN 1000
#define MARKS_WAIT_MAX 60000

typedef struct {
    struct {
        uint64_t msg;
        int ch, ok;
        char why[256];
    } owed[MARKS_MAX];
    int n;
    int64_t wait; /* ms before the next try; 0 while none is owed */
} marks;

void marks_init(marks *m);
/* Records a delivery's outcome (alertlog_mark), after those still owed. 1 written (and
 * every one owed before it), 0 owed: try again in m->wait ms (marks_settle), -1 lost
 * (MARKS_MAX owed: cannot happen while no delivery starts with any owed). e: why the
 * last write failed. */
int marks_add(marks *m, book *b, uint64_t msg, int ch, int ok, const char *why, int64_t now_ms, int retry_s,
              par_err *e);
/* Writes what is owed, in order. 1 when none is left (deliveries may start), 0 when
 * some is (m->wait set), with e saying why. A record whose message is gone or cannot be
 * read is dropped (logged): no write would ever take it. */
int marks_settle(marks *m, book *b, int64_t now_ms, int retry_s, par_err *e);

#endif
