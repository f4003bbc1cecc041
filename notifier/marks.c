#include "marks.h"
#include "alertlog.h"
#include "../common/log.h"
#include "../common/util.h"

#include <string.h>

void marks_init(marks *m)
{
    memset(m, 0, sizeof *m);
}

int marks_settle(marks *m, book *b, int64_t now_ms, int retry_s, par_err *e)
{
    int done = 0, rc = 0;
    while (done < m->n && (rc = alertlog_mark(b, m->owed[done].msg, m->owed[done].ch, m->owed[done].ok,
                                              m->owed[done].why, now_ms, retry_s, e)) != -1) {
        if (rc == -2) /* no write will ever mark it: it must not hold back every other delivery */
            log_error("event=mark_dropped message=%llu error=\"%s\"", (unsigned long long)m->owed[done].msg, e->msg);
        done++;
    }
    memmove(m->owed, m->owed + done, (size_t)(m->n - done) * sizeof m->owed[0]);
    m->n -= done;
    if (!m->n) {
        if (m->wait) /* a try had failed: say they are written now */
            log_info("event=marks_written count=%d", done);
        m->wait = 0;
        return 1;
    }
    m->wait = m->wait ? m->wait * 2 : MARKS_WAIT_MIN;
    if (m->wait > MARKS_WAIT_MAX)
        m->wait = MARKS_WAIT_MAX;
    return 0;
}

int marks_add(marks *m, book *b, uint64_t msg, int ch, int ok, const char *why, int64_t now_ms, int retry_s,
              par_err *e)
{
    if (m->n == MARKS_MAX) {
        err_set(e, "more than %d delivery records owed", MARKS_MAX);
        return -1;
    }
    m->owed[m->n].msg = msg;
    m->owed[m->n].ch = ch;
    m->owed[m->n].ok = ok;
    str_copy(m->owed[m->n].why, sizeof m->owed[0].why, why ? why : "");
    m->n++;
    return marks_settle(m, b, now_ms, retry_s, e);
}
