#include "query.h"
#include "../common/clock.h"

#include <stdio.h>
#include <string.h>

static pv *row_of(const book *b, const pv *task, const ntask *t)
{
    pv *o = pv_map();
    const char *keys[] = {"id", "plan", "task", "lead", "support", "index", "criterion"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        pv_set_str(o, keys[i], pv_get_text(task, keys[i]));
    /* the units by name, as officials call them */
    size_t nu;
    const nunit *units = book_units(b, &nu);
    pv_set_str(o, "lead_name", t->lead < nu && units[t->lead].name ? units[t->lead].name : "");
    sbuf names;
    sbuf_init(&names);
    for (uint32_t k = 0; k < t->nsup; k++)
        if (t->sup[k] < nu)
            sbuf_printf(&names, "%s%s", names.len ? "; " : "", units[t->sup[k]].name ? units[t->sup[k]].name : "");
    pv_set_str(o, "support_names", names.buf ? names.buf : "");
    sbuf_free(&names);
    pv_set_str(o, "deadline_text", pv_get_text(task, "deadline"));
    pv_set_str(o, "kind", deadline_kind_name(t->dl.kind));
    return o;
}

static void set_instance(pv *o, const calendar *cal, int64_t today, const ntask *t, int year, const char *period,
                         int64_t written)
{
    char iso[16], inst[16];
    /* a deadline on a day off ends with the next working day (Civil Code 2015, art. 148):
     * the same day the notifier counts from */
    int64_t due = calendar_next_workday(cal, written);
    if (due != written) {
        clock_format_day(written, iso);
        pv_set_str(o, "deadline_written", iso);
    }
    clock_format_day(due, iso);
    book_instance(inst, year, period, written);
    pv_set_str(o, "period", period);
    pv_set_int(o, "year", year); /* with period: what a report of it is sent as */
    pv_set_str(o, "deadline", iso);
    int64_t day = 0;
    int done = book_is_done(t, year, period, &day);
    pv_set_str(o, "state", done ? "done" : today > due ? "overdue" : "open");
    if (done && day) { /* when the province received the report, and whether by the deadline */
        clock_format_day(day, iso);
        pv_set_str(o, "done_on", iso);
        pv_set(o, "on_time", pv_bool(day <= due));
    }
    /* days left, negative when overdue */
    pv_set_int(o, "days", due - today);
    pv_set_int(o, "working_days", calendar_count(cal, today, due));
    pv_set(o, "acked", pv_bool(book_is_acked(t, inst)));
}

/* Whether a unit's view holds task t on civil day today: its lead or a supporting unit
 * is the unit (or in its subtree, under), or took over a dissolved lead's work. */
static int involved(const book *b, const ntask *t, const char *unit, const char *under, int64_t today)
{
    size_t nu;
    const nunit *units = book_units(b, &nu);
    uint32_t now_lead = book_unit_on(b, t->lead, today);
    if (under && *under) { /* a unit's subtree: the task's lead or a supporting unit in it */
        if (t->lead < nu && book_below(b, units[t->lead].id, under))
            return 1;
        if (now_lead != t->lead && now_lead < nu && book_below(b, units[now_lead].id, under))
            return 1;
        for (uint32_t i = 0; i < t->nsup; i++) {
            uint32_t s = book_unit_on(b, t->sup[i], today);
            if ((t->sup[i] < nu && book_below(b, units[t->sup[i]].id, under)) ||
                (s < nu && book_below(b, units[s].id, under)))
                return 1;
        }
        return 0;
    }
    if (!unit || !*unit)
        return 1;
    long u = book_unit_index(b, unit);
    if (u < 0)
        return 0;
    if (t->lead == (uint32_t)u || now_lead == (uint32_t)u)
        return 1;
    for (uint32_t i = 0; i < t->nsup; i++)
        if (t->sup[i] == (uint32_t)u || book_unit_on(b, t->sup[i], today) == (uint32_t)u)
            return 1;
    return 0;
}

int query_tasks(book *b, const calendar *cal, const due_policy *p, const pv *args, int64_t now_ms, pv **out,
                par_err *e)
{
    const char *unit = pv_get_str(args, "unit");
    int only_overdue = pv_get_str(args, "overdue") && !strcmp(pv_get_str(args, "overdue"), "1");
    if (unit && *unit && book_unit_index(b, unit) < 0) {
        err_set(e, "unit %s is not in the registry", unit);
        return -1;
    }
    MDB_txn *txn;
    if (store_begin(book_store(b), MDB_RDONLY, &txn, e) < 0)
        return -1;
    int64_t today;
    int sec;
    clock_local(now_ms, &today, &sec);
    size_t n;
    const ntask *tasks = book_tasks(b, &n);
    pv *list = pv_arr();
    for (size_t i = 0; i < n; i++) {
        const ntask *t = &tasks[i];
        if (!involved(b, t, unit, pv_get_str(args, "under"), today))
            continue;
        pv *task = NULL;
        if (store_get_pv(txn, store_dbi(book_store(b), N_TASKS), t->id, &task) != 1)
            continue;
        dl_instance dl[DUE_MAX_DEADLINES];
        int k = due_deadlines(t, today, p->report_days, dl);
        /* each deadline since the task was recorded, up to the next one due */
        for (int j = 0; j < k && (j == 0 || dl[j - 1].due < today); j++) {
            pv *o = row_of(b, task, t);
            set_instance(o, cal, today, t, dl[j].year, dl[j].period, dl[j].due);
            if (!only_overdue || !strcmp(pv_get_text(o, "state"), "overdue"))
                pv_push(list, o);
            else
                pv_free(o);
        }
        if (t->dl.kind != DL_DATE && t->dl.kind != DL_RECURRING && !only_overdue) {
            pv *o = row_of(b, task, t);
            pv_set_str(o, "period", "");
            pv_set_str(o, "deadline", "");
            int64_t day = 0;
            /* a season's task whose phase has passed keeps no deadline: it was answered, or
             * it has none now; neither is a deadline that could not be read */
            int answered = t->remind_only && book_is_done(t, 0, "", &day);
            pv_set_str(o, "state", answered                   ? "done"
                                   : t->dl.kind == DL_ONGOING ? "ongoing"
                                   : t->dl.kind == DL_EXTERNAL || t->remind_only ? "no_date"
                                                                               : "unreadable");
            if (answered && day) {
                char iso[16];
                clock_format_day(day, iso);
                pv_set_str(o, "done_on", iso);
            }
            pv_push(list, o);
        }
        pv_free(task);
    }
    mdb_txn_abort(txn);
    *out = list;
    return 0;
}
