#include "due.h"
#include "../common/clock.h"
#include "../common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int due_parse_offsets(due_policy *p, const char *text, par_err *e)
{
    p->nremind = 0;
    const char *s = text;
    while (*s) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 0 || v > 365 || p->nremind == DUE_MAX_OFFSETS) {
            err_set(e, "reminder offsets '%s': expected up to %d numbers of working days, like 7,1", text,
                    DUE_MAX_OFFSETS);
            return -1;
        }
        p->remind[p->nremind++] = (int)v;
        s = end;
        while (*s == ' ')
            s++;
        if (*s == ',')
            s++;
        else if (*s) {
            err_set(e, "reminder offsets '%s': expected numbers separated by commas, like 7,1", text);
            return -1;
        }
        while (*s == ' ')
            s++;
    }
    return 0;
}

int due_parse_time(due_policy *p, const char *text, par_err *e)
{
    int h, m, n = 0;
    if (sscanf(text, "%2d:%2d%n", &h, &m, &n) != 2 || text[n] || h < 0 || h > 23 || m < 0 || m > 59) {
        err_set(e, "time '%s': expected HH:MM, like 08:00", text);
        return -1;
    }
    p->send_minute = h * 60 + m;
    return 0;
}

const char *due_kind_name(due_kind k)
{
    return k == DUE_REMIND ? "remind" : "overdue";
}

/* Built by hand (str_join_bars): it runs for every new alert of a recording (1.45 M at a
 * country's scale), where snprintf was a tenth of the recording. The same text as
 * "%s|%s|%s|%04d-%02d-%02d", cut at n as snprintf cuts it. */
void due_key(const book *b, const due_alert *a, char *out, size_t n)
{
    size_t nt;
    const ntask *t = book_tasks(b, &nt);
    int y, m, d;
    clock_civil_from_days(a->slot, &y, &m, &d);
    if (y < 0 || y > 9999) { /* not a day this system dates: snprintf's own digits */
        snprintf(out, n, "%s|%s|%s|%04d-%02d-%02d", t[a->task].id, a->inst, due_kind_name(a->kind), y, m, d);
        return;
    }
    char day[11] = {(char)('0' + y / 1000), (char)('0' + y / 100 % 10), (char)('0' + y / 10 % 10), (char)('0' + y % 10),
                    '-', (char)('0' + m / 10), (char)('0' + m % 10), '-', (char)('0' + d / 10), (char)('0' + d % 10), '\0'};
    const char *parts[] = {t[a->task].id, a->inst, due_kind_name(a->kind), day};
    str_join_bars(out, n, parts, 4);
}

static void push(due_list *l, const due_alert *a)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = *a;
}

void due_list_free(due_list *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

typedef struct {
    const calendar *cal;
    const due_policy *p;
    int64_t today;
    int64_t reached; /* the last working day whose sending time has come */
} now_t;

/* One deadline of task i: the alert due for it now, if any. written: the deadline as the
 * plan gives it; one that falls on a day off ends at the close of the next working day
 * (Civil Code 2015, art. 148), and that is the deadline alerts count from. */
static void instance(const now_t *now, uint32_t i, const ntask *t, int year, const char *period, int64_t written,
                     due_list *out)
{
    due_alert a;
    memset(&a, 0, sizeof a);
    int64_t due = calendar_next_workday(now->cal, written);
    if (now->today <= due) {
        /* the reminder whose day came last: the smallest offset reached */
        int best = -1;
        int64_t slot = 0;
        for (int k = 0; k < now->p->nremind; k++) {
            int off = now->p->remind[k];
            int64_t day = off ? calendar_add(now->cal, due, -off) : calendar_next_workday(now->cal, due);
            if (day > due || day > now->reached)
                continue;
            if (best < 0 || off < best) {
                best = off;
                slot = day;
            }
        }
        if (best < 0)
            return;
        a.kind = DUE_REMIND;
        a.slot = slot;
        a.days = (int)(due - now->today);
        a.wdays = calendar_count(now->cal, now->today, due);
    } else if (t->remind_only) {
        return; /* a season's deadline: what comes after it is refused, not chased */
    } else {
        int64_t first = calendar_add(now->cal, due, 1);
        if (first > now->reached)
            return; /* overdue since this morning: alerted at the sending time */
        int n = calendar_count(now->cal, first, now->reached) / now->p->repeat;
        a.kind = DUE_OVERDUE;
        a.slot = n ? calendar_add(now->cal, first, n * now->p->repeat) : first;
        a.days = (int)(now->today - due);
        a.wdays = calendar_count(now->cal, due, now->today);
        a.level = calendar_count(now->cal, due, a.slot) / now->p->escalate;
    }
    a.task = i;
    a.year = year;
    a.due = due;
    str_copy(a.period, sizeof a.period, period);
    book_instance(a.inst, year, period, written); /* named as written: acknowledgements keep their key */
    if (book_is_acked(t, a.inst))
        return;
    push(out, &a);
}

int due_deadlines(const ntask *t, int64_t today, dl_days days, dl_instance out[DUE_MAX_DEADLINES])
{
    if (t->dl.kind == DL_DATE) {
        out[0].period[0] = '\0';
        out[0].year = t->dl.y;
        out[0].due = clock_days_from_civil(t->dl.y, t->dl.m, t->dl.d);
        return 1;
    }
    if (t->dl.kind != DL_RECURRING)
        return 0; /* ongoing, set by another document, unreadable: no date to warn about */
    int y, m, d, n = 0;
    clock_civil_from_days(today, &y, &m, &d);
    for (int year = y - 1; year <= y + 1; year++) {
        dl_instance inst[DL_MAX_INSTANCES];
        int k = deadline_instances(&t->dl, year, days, inst);
        for (int j = 0; j < k; j++)
            /* reports due before the task was recorded are not chased; nor far ahead */
            if (inst[j].due >= t->first_day && inst[j].due <= today + 400)
                out[n++] = inst[j];
    }
    return n;
}

void due_eval(const book *b, const calendar *cal, const due_policy *p, int64_t now_ms, due_list *out)
{
    now_t now = {cal, p, 0, 0};
    int sec;
    clock_local(now_ms, &now.today, &sec);
    now.reached = calendar_is_workday(cal, now.today) && sec / 60 >= p->send_minute ? now.today
                                                                                     : calendar_add(cal, now.today, -1);
    size_t n;
    const ntask *tasks = book_tasks(b, &n);
    for (size_t i = 0; i < n; i++) {
        const ntask *t = &tasks[i];
        if (t->silence_until && now.today <= t->silence_until)
            continue; /* silenced by an official until that day */
        dl_instance dl[DUE_MAX_DEADLINES];
        int k = due_deadlines(t, now.today, p->report_days, dl);
        for (int j = 0; j < k; j++)
            if (!book_is_done(t, dl[j].year, dl[j].period, NULL))
                instance(&now, (uint32_t)i, t, dl[j].year, dl[j].period, dl[j].due, out);
    }
}
