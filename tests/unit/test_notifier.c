/* notifier: working days, which alerts are due, the digest and its e-mail, and
 * the alert log's once-only recording. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/reason.h"
#include "../../common/clock.h"
#include "../../common/json.h"
#include "../../notifier/alertlog.h"
#include "../../notifier/marks.h"
#include "../../notifier/book.h"
#include "../../common/calendar.h"
#include "../../notifier/deliver.h"
#include "../../notifier/digest.h"
#include "../../notifier/query.h"
#include "../../notifier/due.h"

#ifndef SRC_DIR
#define SRC_DIR "."
#endif

static int64_t day(int y, int m, int d)
{
    return clock_days_from_civil(y, m, d);
}

static calendar *holidays(void)
{
    calendar *c;
    par_err e = {{0}};
    if (calendar_load(&c, SRC_DIR "/data/holidays", &e) < 0)
        fail_msg("%s", e.msg);
    return c;
}

static void test_calendar(void **st)
{
    (void)st;
    calendar *c = holidays();
    assert_true(calendar_has_year(c, 2025));
    assert_false(calendar_is_workday(c, day(2025, 1, 27)));  /* Tết */
    assert_false(calendar_is_workday(c, day(2025, 5, 2)));   /* swapped off */
    assert_true(calendar_is_workday(c, day(2025, 4, 26)));   /* the Saturday worked for it */
    assert_false(calendar_is_workday(c, day(2025, 4, 27)));  /* an ordinary Sunday */
    assert_true(calendar_is_workday(c, day(2025, 4, 28)));
    /* Friday before Tết to the Monday after it: one working day (the Monday) */
    assert_int_equal(calendar_count(c, day(2025, 1, 24), day(2025, 2, 3)), 1);
    assert_int_equal(calendar_count(c, day(2025, 2, 3), day(2025, 1, 24)), -1);
    /* the working day after New Year's Eve 2024 is 2 January (1 January is a holiday) */
    assert_int_equal(calendar_add(c, day(2024, 12, 31), 1), day(2025, 1, 2));
    /* 7 working days before 31/12/2024 (a Tuesday) is Friday 20/12 */
    assert_int_equal(calendar_add(c, day(2024, 12, 31), -7), day(2024, 12, 20));
    assert_int_equal(calendar_next_workday(c, day(2024, 12, 28)), day(2024, 12, 30));
    calendar_destroy(c);

    /* a year without a file counts weekends only */
    par_err e = {{0}};
    assert_int_equal(calendar_load(&c, "/nonexistent", &e), 0);
    assert_false(calendar_has_year(c, 2025));
    assert_true(calendar_is_workday(c, day(2025, 1, 27)));
    calendar_destroy(c);
}

static void test_calendar_bad_file(void **st)
{
    (void)st;
    char dir[] = "/tmp/par-cal.XXXXXX", path[128];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/2025.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("date,kind,name\n2025-01-01,off,Tết Dương lịch\n2025-13-01,off,không có tháng 13\n", f);
    fclose(f);
    calendar *c = NULL;
    par_err e = {{0}};
    assert_int_equal(calendar_load(&c, dir, &e), -1);
    assert_non_null(strstr(e.msg, "2025.csv: line 3"));
    f = fopen(path, "w");
    fputs("date,kind,name\n2024-01-01,off,wrong year\n", f);
    fclose(f);
    assert_int_equal(calendar_load(&c, dir, &e), -1);
    assert_non_null(strstr(e.msg, "not in 2025"));
    unlink(path);
    rmdir(dir);
}

/* ---------- a small province ---------- */

static pv *event(uint64_t seq, const char *what, const char *received)
{
    pv *ev = proto_msg(MSG_EVENT);
    pv_set_int(ev, "seq", (int64_t)seq);
    pv_set_str(ev, "what", what);
    pv_set_str(ev, "received", received);
    pv_set_str(ev, "sender", "test");
    pv_set(ev, "row", pv_map());
    return ev;
}

static void add_unit(pv *evs, const char *id, const char *parent, const char *email)
{
    pv *ev = event(evs->u.a.n + 1, "unit", "2024-12-01T08:00:00+07:00");
    pv *row = (pv *)pv_get(ev, "row");
    pv_set_str(row, "id", id);
    pv_set_str(row, "parent", parent);
    pv_set_str(row, "level", *parent ? "district" : "province");
    pv_set_str(row, "name", id);
    pv_set_str(row, "email", email);
    pv_push(evs, ev);
}

static void add_task(pv *evs, const char *id, const char *lead, const char *support, const char *dl)
{
    pv *ev = event(evs->u.a.n + 1, "task", "2024-12-01T08:00:00+07:00");
    pv *row = (pv *)pv_get(ev, "row");
    pv_set_str(row, "id", id);
    pv_set_str(row, "plan", "1/KH");
    pv_set_str(row, "lead", lead);
    pv_set_str(row, "support", support);
    pv_set_str(row, "task", id);
    pv_set_str(row, "deadline", dl);
    pv_push(evs, ev);
}

static void add_report(pv *evs, const char *unit, const char *year, const char *period, const char *task,
                       const char *value)
{
    pv *ev = event(evs->u.a.n + 1, "submission", "2024-12-10T08:00:00+07:00");
    pv *row = (pv *)pv_get(ev, "row");
    pv_set_str(row, "unit", unit);
    pv_set_str(row, "year", year);
    pv_set_str(row, "period", period);
    pv_set_str(row, "kind", "task");
    pv_set_str(row, "key", task);
    pv_set_str(row, "value", value);
    pv_set_str(row, "date", "2024-12-10");
    pv_push(evs, ev);
}

/* The province of the tests: units P > D > C, S and their tasks, as change events. */
static pv *sample_events(void)
{
    pv *evs = pv_arr();
    add_unit(evs, "P", "", "p@x.vn");
    add_unit(evs, "D", "P", "d1@x.vn;d2@x.vn");
    add_unit(evs, "C", "D", "c@x.vn");
    add_unit(evs, "S", "D", "");
    add_task(evs, "SOON7", "D", "", "31/12/2024");           /* 6 working days left on 23/12 */
    add_task(evs, "SOON1", "D", "", "24/12/2024");           /* tomorrow */
    add_task(evs, "LATE", "C", "S;D", "19/12/2024");         /* 2 working days overdue */
    add_task(evs, "FAR", "C", "", "Tháng 10/2024");          /* long overdue: up the tree */
    add_task(evs, "DONE", "D", "", "20/12/2024");            /* reported done */
    add_task(evs, "SUPDONE", "D", "C", "20/12/2024");        /* done by a supporting unit only */
    add_task(evs, "ONGOING", "D", "", "Thường xuyên");
    add_task(evs, "LATER", "D", "", "Theo quy định");
    add_task(evs, "FUTURE", "D", "", "30/06/2025");
    add_task(evs, "REPORT", "D", "", "Theo chế độ báo cáo định kỳ"); /* Y due 20/12/2024 */
    add_report(evs, "D", "2024", "Y", "DONE", "done");
    add_report(evs, "C", "2024", "Y", "SUPDONE", "done");
    return evs;
}

typedef struct {
    char dir[64];
    book *b;
    calendar *cal;
    due_policy pol;
} fixture;

static int teardown(void **st);

/* The fixture in a store whose map starts at map bytes (0: the default). */
static int setup_map(void **st, size_t map)
{
    fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/par-notifier.XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    par_err e = {{0}};
    *st = f;
    if (book_open(&f->b, f->dir, map, &e) < 0)
        goto fail;
    f->cal = holidays();
    f->pol = (due_policy){{7, 1}, 2, 1, 14, 8 * 60, {20, 20, 20, 20}};
    pv *evs = sample_events();
    event_batch batch;
    event_batch_init(&batch);
    int rc = event_batch_add_pvs(&batch, evs, &e);
    if (rc == 0)
        rc = book_apply(f->b, &batch, &e);
    event_batch_free(&batch);
    pv_free(evs);
    if (rc != 0)
        goto fail;
    return 0;
fail:
    teardown(st); /* cmocka runs no teardown after a failed setup */
    return -1;
}

static int setup(void **st)
{
    return setup_map(st, 0);
}

/* A map of 1.25 MiB: test_record_in_chunks' 4,000 tasks leave about 300 KiB free, and
 * its recording meets a full map in its fourth transaction, which runs again on a
 * larger one. */
static int setup_small_map(void **st)
{
    return setup_map(st, 1280 * 1024);
}

static int teardown(void **st)
{
    fixture *f = *st;
    book_close(f->b);
    calendar_destroy(f->cal);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static int64_t at(const char *iso)
{
    int64_t ms;
    clock_parse_iso(iso, &ms);
    return ms;
}

static const due_alert *find(const book *b, const due_list *l, const char *task)
{
    size_t n;
    const ntask *t = book_tasks(b, &n);
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(t[l->v[i].task].id, task))
            return &l->v[i];
    return NULL;
}

static void test_due(void **st)
{
    fixture *f = *st;
    due_list l = {0};
    due_eval(f->b, f->cal, &f->pol, at("2024-12-23T09:00:00+07:00"), &l);
    const due_alert *a;
    assert_non_null(a = find(f->b, &l, "SOON7"));
    assert_int_equal(a->kind, DUE_REMIND);
    assert_int_equal(a->slot, day(2024, 12, 20)); /* the 7-day reminder's day */
    assert_int_equal(a->days, 8);
    assert_int_equal(a->wdays, 6);
    assert_non_null(a = find(f->b, &l, "SOON1"));
    assert_int_equal(a->slot, day(2024, 12, 23)); /* the 1-day reminder replaces the 7-day one */
    assert_non_null(a = find(f->b, &l, "LATE"));
    assert_int_equal(a->kind, DUE_OVERDUE);
    assert_int_equal(a->slot, day(2024, 12, 23));
    assert_int_equal(a->wdays, 2);
    assert_int_equal(a->level, 0);
    assert_non_null(a = find(f->b, &l, "FAR"));
    assert_true(a->level >= 2); /* C -> D -> P */
    assert_non_null(a = find(f->b, &l, "SUPDONE")); /* a supporting unit's report does not close it */
    assert_non_null(a = find(f->b, &l, "REPORT"));   /* the yearly report, due 20/12 */
    assert_string_equal(a->inst, "2024-Y");
    assert_int_equal(a->kind, DUE_OVERDUE);
    assert_null(find(f->b, &l, "DONE"));
    assert_null(find(f->b, &l, "ONGOING"));
    assert_null(find(f->b, &l, "LATER"));
    assert_null(find(f->b, &l, "FUTURE"));
    assert_int_equal(l.n, 6);
    due_list_free(&l);

    /* before the sending time, today's overdue alerts are not due yet; yesterday's slots are */
    due_eval(f->b, f->cal, &f->pol, at("2024-12-23T07:00:00+07:00"), &l);
    assert_non_null(a = find(f->b, &l, "LATE"));
    assert_int_equal(a->slot, day(2024, 12, 20));
    due_list_free(&l);

    /* on a Saturday nothing new: the slots stay on Friday */
    due_eval(f->b, f->cal, &f->pol, at("2024-12-28T10:00:00+07:00"), &l);
    assert_non_null(a = find(f->b, &l, "LATE"));
    assert_int_equal(a->slot, day(2024, 12, 27));
    due_list_free(&l);
}

/* due_key is built by hand: the text snprintf would make, cut where it would cut it */
static void test_due_key(void **st)
{
    fixture *f = *st;
    due_list l = {0};
    due_eval(f->b, f->cal, &f->pol, at("2024-12-23T09:00:00+07:00"), &l);
    assert_true(l.n > 0);
    size_t nt;
    const ntask *t = book_tasks(f->b, &nt);
    const int64_t slots[] = {-1, 0, day(999, 1, 2), day(2024, 12, 23), day(9999, 12, 31), day(10000, 1, 1),
                             day(-5, 3, 4)};
    for (size_t i = 0; i < l.n; i++)
        for (size_t k = 0; k < sizeof slots / sizeof *slots; k++) {
            due_alert a = l.v[i];
            if (k)
                a.slot = slots[k];
            int y, m, d;
            clock_civil_from_days(a.slot, &y, &m, &d);
            char want[512], got[512];
            int len = snprintf(want, sizeof want, "%s|%s|%s|%04d-%02d-%02d", t[a.task].id, a.inst,
                               due_kind_name(a.kind), y, m, d);
            memset(got, 'x', sizeof got);
            due_key(f->b, &a, got, 0); /* no room: nothing written */
            assert_int_equal(got[0], 'x');
            for (size_t n = 1; n <= (size_t)len + 2; n++) {
                char ref[512];
                memset(got, 'x', sizeof got);
                snprintf(ref, n, "%s", want);
                due_key(f->b, &a, got, n);
                assert_string_equal(got, ref);
                assert_int_equal(got[n], 'x'); /* nothing written past n */
            }
        }
    due_list_free(&l);
}

static void test_repeat_and_escalate(void **st)
{
    fixture *f = *st;
    due_policy p = f->pol;
    p.repeat = 3;
    p.escalate = 5;
    due_list l = {0};
    /* LATE is due 19/12; first overdue day 20/12, then every 3 working days: 25/12, 30/12 */
    due_eval(f->b, f->cal, &p, at("2024-12-27T09:00:00+07:00"), &l);
    const due_alert *a = find(f->b, &l, "LATE");
    assert_non_null(a);
    assert_int_equal(a->slot, day(2024, 12, 25));
    assert_int_equal(a->level, 0); /* 4 working days overdue on that slot */
    due_list_free(&l);
    due_eval(f->b, f->cal, &p, at("2024-12-30T09:00:00+07:00"), &l);
    a = find(f->b, &l, "LATE");
    assert_int_equal(a->slot, day(2024, 12, 30));
    assert_int_equal(a->level, 1); /* 7 working days: the unit above is told */
    due_list_free(&l);
}

/* Applies evs (numbered after what b holds). */
static void apply_events(book *b, pv *evs)
{
    for (uint32_t i = 0; i < evs->u.a.n; i++)
        pv_set_int((pv *)evs->u.a.v[i], "seq", (int64_t)(book_seq(b) + 1 + i));
    event_batch batch;
    event_batch_init(&batch);
    par_err e = {{0}};
    assert_int_equal(event_batch_add_pvs(&batch, evs, &e), 0);
    assert_int_equal(book_apply(b, &batch, &e), 0);
    event_batch_free(&batch);
    pv_free(evs);
}

/* 4,000 more tasks of C two working days overdue, supported by S: a recording of many
 * pages; and two units whose first alerts come late in it (Z's first in the transaction
 * that meets the full map in test_record_in_chunks, Y's at the end), so that the message
 * numbers they take are taken in later transactions. */
static void add_overdue(book *b)
{
    pv *evs = pv_arr();
    add_unit(evs, "Z", "D", "z@x.vn");
    add_unit(evs, "Y", "D", "y@x.vn");
    for (int i = 0; i < 4000; i++) {
        char id[16];
        snprintf(id, sizeof id, "MANY%04d", i);
        add_task(evs, id, "C", "S", "19/12/2024");
    }
    add_task(evs, "MANY1497Z", "Z", "", "19/12/2024"); /* the first alert of the fourth transaction */
    add_task(evs, "ZZLAST", "Y", "", "19/12/2024");
    apply_events(b, evs);
}

/* What a recording left in the log, as JSON: every alert with its recipients and
 * states, then every message as delivered, and the numbers to be taken next. */
static char *log_json(book *b)
{
    par_err e = {{0}};
    pv *all = pv_arr(), *list = NULL;
    assert_int_equal(alertlog_list(b, NULL, 10000, &list, &e), 0);
    pv_push(all, list);
    for (uint64_t m = 1; m < 100; m++) {
        pv *msg = NULL;
        if (alertlog_message(b, m, &(digest_opts){NULL, NULL, 1}, &msg) != 1)
            break;
        pv_push(all, msg);
    }
    MDB_txn *txn;
    assert_int_equal(store_begin(book_store(b), MDB_RDONLY, &txn, &e), 0);
    pv *numbers = pv_map();
    pv_set_int(numbers, "alert", (int64_t)book_number(b, txn, "alert"));
    pv_set_int(numbers, "message", (int64_t)book_number(b, txn, "message"));
    pv_set_int(numbers, "recording", (int64_t)book_number(b, txn, "recording"));
    mdb_txn_abort(txn);
    pv_push(all, numbers);
    char *j = json_compact(all);
    pv_free(all);
    return j;
}

static int64_t map_bytes(book *b)
{
    pv *usage = pv_map();
    store_usage(book_store(b), usage);
    int64_t n = pv_get_int(usage, "map_bytes", 0);
    pv_free(usage);
    return n;
}

/* Records the day at now in b with o; returns the log as JSON. */
static char *record_day(fixture *f, int64_t now, const alertlog_opts *o, int want_alerts, int want_messages)
{
    due_list l = {0};
    int alerts, messages;
    par_err e = {{0}};
    due_eval(f->b, f->cal, &f->pol, now, &l);
    assert_int_equal(alertlog_record(f->b, &l, o, now, &alerts, &messages, &e), 0);
    if (want_alerts >= 0)
        assert_int_equal(alerts, want_alerts);
    assert_int_equal(messages, want_messages);
    /* the same day again: nothing new */
    assert_int_equal(alertlog_record(f->b, &l, o, now + 60000, &alerts, &messages, &e), 0);
    assert_int_equal(alerts, 0);
    due_list_free(&l);
    return log_json(f->b);
}

/* A recording in several transactions leaves the log a single one leaves: with the map
 * full in the middle (f's map is small: the transaction runs again on a larger one, its
 * items and message numbers taken back), with the last transaction ending exactly at the
 * end of the list, after a failed write taken back at once; one cut short between its
 * transactions is taken back whole at the restart, and the next evaluation records every
 * alert again, carried by its messages. g, recording each day in one transaction, is the
 * reference. */
static void test_record_in_chunks(void **st)
{
    fixture *f = *st, *g = NULL, *h = NULL;
    assert_int_equal(setup((void **)&g), 0);
    assert_int_equal(setup((void **)&h), 0);
    add_overdue(f->b);
    add_overdue(g->b);
    add_overdue(h->b);
    par_err e = {{0}};
    /* all from the index a start builds (f restarts below), f on the map it has */
    book_close(f->b);
    assert_int_equal(book_open(&f->b, f->dir, 1, &e), 0);
    book_close(g->b);
    assert_int_equal(book_open(&g->b, g->dir, 0, &e), 0);
    book_close(h->b);
    assert_int_equal(book_open(&h->b, h->dir, 0, &e), 0);
    unsigned ch = 1u << CH_SMTP | 1u << CH_WEBHOOK;
    alertlog_opts one = {.channels = ch};

    /* 23/12 */
    int64_t now = at("2024-12-23T09:00:00+07:00");
    char *want = record_day(g, now, &one, 4008, 6);
    /* in transactions of 500, the map full in the fourth (Z's message number taken in it) */
    int64_t map_before = map_bytes(f->b);
    alertlog_opts chunks = {.channels = ch, .chunk = 500};
    char *got = record_day(f, now, &chunks, 4008, 6);
    assert_true(map_bytes(f->b) > map_before);
    assert_string_equal(got, want);
    free(got);
    /* in two of 2,004: the second ends at the list's end; then a write failing after the
     * first transaction is taken back at once, and the next evaluation records it all */
    due_list l = {0};
    int alerts, messages;
    due_eval(h->b, h->cal, &h->pol, now, &l);
    alertlog_opts fails = {.channels = ch, .chunk = 2004, .fail_after = 1};
    assert_int_equal(alertlog_record(h->b, &l, &fails, now, &alerts, &messages, &e), -1);
    pv *list = NULL;
    assert_int_equal(alertlog_list(h->b, NULL, 10000, &list, &e), 0);
    assert_int_equal(list->u.a.n, 0);
    pv_free(list);
    due_list_free(&l);
    alertlog_opts halves = {.channels = ch, .chunk = 2004};
    got = record_day(h, now, &halves, 4008, 6);
    assert_string_equal(got, want);
    free(got);
    free(want);

    /* 30/12 (the overdue tasks' next slot): stopped after the first of nine transactions */
    now = at("2024-12-30T09:00:00+07:00");
    want = record_day(g, now, &one, -1, 6);
    due_eval(f->b, f->cal, &f->pol, now, &l);
    alertlog_opts cut = {.channels = ch, .chunk = 500, .crash_after = 1};
    assert_int_equal(alertlog_record(f->b, &l, &cut, now, &alerts, &messages, &e), -1);
    due_list_free(&l);
    assert_int_equal(alertlog_list(f->b, NULL, 10000, &list, &e), 0);
    assert_int_equal(list->u.a.n, 4008 + 500);
    pv_free(list);
    delivery d[16];
    assert_int_equal(alertlog_due(f->b, now, d, 16), 11); /* day 1's: e-mail to 5 (S has none), webhook to 6 */

    /* the restart takes them back, here 200 a transaction; recorded again, the log is g's */
    book_close(f->b);
    assert_int_equal(book_open(&f->b, f->dir, 0, &e), 0);
    assert_int_equal(alertlog_recover(f->b, 200, "a test", &e), 500);
    assert_int_equal(alertlog_recover(f->b, 200, "a test", &e), 0);
    assert_int_equal(alertlog_list(f->b, NULL, 10000, &list, &e), 0);
    assert_int_equal(list->u.a.n, 4008);
    pv_free(list);
    got = record_day(f, now, &chunks, -1, 6);
    assert_string_equal(got, want);
    free(got);
    free(want);
    teardown((void **)&g);
    teardown((void **)&h);
}

/* digest_keep keeps what sorting the whole list and taking its front did: the first 100
 * by urgency, then the reminders the text lists beyond them, in that order. */
static void test_digest_keep_as_sorted(void **st)
{
    (void)st;
    unsigned seed = 7;
    const size_t sizes[] = {0, 1, 30, 99, 100, 101, 129, 130, 131, 250, 1000};
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        for (int shape = 0; shape < 6; shape++) {
            size_t n = sizes[si];
            due_alert *das = calloc(n ? n : 1, sizeof *das);
            digest_item *items = calloc(n ? n : 1, sizeof *items), *sorted = calloc(n ? n : 1, sizeof *items);
            /* shapes: overdue share from none to all, about 70-99 of them in shape 3 */
            size_t want_ov = shape == 0 ? 0 : shape == 1 ? n / 4 : shape == 2 ? n / 2 : shape == 3 ? (size_t)(70 + rand_r(&seed) % 30)
                                                          : shape == 4 ? n - n / 10
                                                                       : n;
            for (size_t i = 0; i < n; i++) {
                das[i].kind = i < want_ov ? DUE_OVERDUE : DUE_REMIND;
                das[i].due = 20000 + rand_r(&seed) % 40;
                double risk = rand_r(&seed) % 3 ? (double)(rand_r(&seed) % 4) / 2 : -1;
                items[i] = (digest_item){1000 - i, &das[i], ROLE_LEAD, risk};
            }
            for (size_t i = n; i > 1; i--) { /* in no particular order */
                size_t j = rand_r(&seed) % i;
                digest_item x = items[i - 1];
                items[i - 1] = items[j];
                items[j] = x;
            }
            memcpy(sorted, items, n * sizeof *items);
            digest_sort(sorted, n);
            size_t ov = 0;
            while (ov < n && sorted[ov].a->kind == DUE_OVERDUE)
                ov++;
            size_t keep = n < 100 ? n : 100;
            size_t from = ov > keep ? ov : keep, to = ov + 30 < n ? ov + 30 : n;
            for (size_t i = from; i < to; i++)
                sorted[keep++] = sorted[i];
            digest_item kept[DIGEST_KEEP_MAX];
            size_t overdue, k = digest_keep(items, n, kept, &overdue);
            assert_int_equal(overdue, ov);
            assert_int_equal(k, keep);
            for (size_t i = 0; i < k; i++)
                assert_int_equal(kept[i].alert, sorted[i].alert);
            free(das);
            free(items);
            free(sorted);
        }
    }
}

static void test_record_once(void **st)
{
    fixture *f = *st;
    due_list l = {0};
    int64_t now = at("2024-12-23T09:00:00+07:00");
    due_eval(f->b, f->cal, &f->pol, now, &l);
    int alerts, messages;
    par_err e = {{0}};
    alertlog_opts o = {.channels = 1u << CH_SMTP};
    assert_int_equal(alertlog_record(f->b, &l, &o, now, &alerts, &messages, &e), 0);
    assert_int_equal(alerts, 6);
    /* D (lead of 4, support of LATE), C (lead), S (support), P (above C for FAR) */
    assert_int_equal(messages, 4);
    /* the same day again: nothing new */
    assert_int_equal(alertlog_record(f->b, &l, &o, now + 3600000, &alerts, &messages, &e), 0);
    assert_int_equal(alerts, 0);
    assert_int_equal(messages, 0);
    /* nor after a restart, whose marks in memory start empty: the store has the alerts */
    book_close(f->b);
    assert_int_equal(book_open(&f->b, f->dir, 0, &e), 0);
    due_list_free(&l);
    due_eval(f->b, f->cal, &f->pol, now, &l);
    assert_int_equal(l.n, 6);
    assert_int_equal(alertlog_record(f->b, &l, &o, now + 7200000, &alerts, &messages, &e), 0);
    assert_int_equal(alerts, 0);
    assert_int_equal(messages, 0);
    due_list_free(&l);

    delivery d[16];
    /* S has no address: its e-mail is not attempted, the others are */
    assert_int_equal(alertlog_due(f->b, now, d, 16), 3);
    pv *list = NULL;
    assert_int_equal(alertlog_list(f->b, "S", 100, &list, &e), 0);
    assert_int_equal(list->u.a.n, 1);
    const pv *to = pv_get(list->u.a.v[0], "to");
    int seen = 0;
    for (uint32_t i = 0; i < to->u.a.n; i++) {
        if (strcmp(pv_get_str(to->u.a.v[i], "unit"), "S"))
            continue;
        assert_string_equal(pv_get_str(pv_get(to->u.a.v[i], "deliveries"), "smtp"), "no_address");
        seen = 1;
    }
    assert_true(seen);
    pv_free(list);

    /* a failure is retried later, a success leaves the outbox */
    assert_int_equal(alertlog_mark(f->b, d[0].msg, d[0].ch, 0, "451 busy", now, 60, &e), 0);
    assert_int_equal(alertlog_due(f->b, now + 1000, d, 16), 2);
    assert_int_equal(alertlog_due(f->b, now + 61000, d, 16), 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(alertlog_mark(f->b, d[i].msg, d[i].ch, 1, NULL, now + 61000, 60, &e), 0);
    assert_int_equal(alertlog_due(f->b, now + 100000000, d, 16), 0);

    /* each sent delivery says when it went through (the retry), not when the alert was
     * made; one never attempted has no such time */
    char created[40], sent[40];
    clock_format(now, created);
    clock_format(now + 61000, sent);
    assert_int_equal(alertlog_list(f->b, NULL, 100, &list, &e), 0);
    int sent_seen = 0, none_seen = 0;
    for (uint32_t i = 0; i < list->u.a.n; i++) {
        assert_string_equal(pv_get_str(list->u.a.v[i], "created"), created);
        const pv *rs = pv_get(list->u.a.v[i], "to");
        for (uint32_t k = 0; k < rs->u.a.n; k++) {
            const char *st = pv_get_str(pv_get(rs->u.a.v[k], "deliveries"), "smtp");
            const pv *at = pv_get(rs->u.a.v[k], "sent_at");
            assert_non_null(at);
            if (!strcmp(st, "sent")) {
                assert_string_equal(pv_get_str(at, "smtp"), sent);
                sent_seen++;
            } else {
                assert_null(pv_get(at, "smtp"));
                none_seen++;
            }
        }
    }
    assert_true(sent_seen > 0 && none_seen > 0);
    pv_free(list);

    /* an acknowledged task stops; the ack is kept across a reopening of the store */
    assert_int_equal(alertlog_list(f->b, "C", 100, &list, &e), 0);
    uint64_t late = 0;
    for (uint32_t i = 0; i < list->u.a.n; i++)
        if (!strcmp(pv_get_str(list->u.a.v[i], "task"), "LATE"))
            late = (uint64_t)pv_get_int(list->u.a.v[i], "id", 0);
    pv_free(list);
    assert_true(late > 0);
    pv *ack = NULL;
    assert_int_equal(alertlog_ack(f->b, late, "unit:P", now, &ack, &e), -1); /* not sent to P */
    /* leaders read and write nothing, appraisers score: neither acknowledges */
    assert_int_equal(alertlog_ack(f->b, late, "leader:chutich", now, &ack, &e), -1);
    assert_string_equal(e.msg, "only the units an alert was sent to and admins acknowledge it");
    assert_int_equal(alertlog_ack(f->b, late, "appraiser:snv", now, &ack, &e), -1);
    assert_int_equal(alertlog_ack(f->b, late, "unit:C", now, &ack, &e), 0);
    pv_free(ack);
    book_close(f->b);
    assert_int_equal(book_open(&f->b, f->dir, 0, &e), 0);
    due_eval(f->b, f->cal, &f->pol, at("2024-12-24T09:00:00+07:00"), &l);
    assert_null(find(f->b, &l, "LATE"));
    assert_non_null(find(f->b, &l, "FAR"));
    due_list_free(&l);
}

/* A restart forgets which alerts were sent (the marks in memory start empty): a list
 * where some were recorded before it and some are new records only the new ones, numbered
 * on from the last, and their messages numbered on too. */
static void test_record_after_restart(void **st)
{
    fixture *f = *st;
    due_list l = {0}, part = {0};
    int64_t now = at("2024-12-23T09:00:00+07:00");
    due_eval(f->b, f->cal, &f->pol, now, &l);
    assert_int_equal(l.n, 6);
    part = l;
    part.n = 3; /* the first half recorded before the restart */
    int alerts, messages, first_messages;
    par_err e = {{0}};
    alertlog_opts o = {.channels = 1u << CH_SMTP};
    assert_int_equal(alertlog_record(f->b, &part, &o, now, &alerts, &first_messages, &e), 0);
    assert_int_equal(alerts, 3);
    book_close(f->b);
    assert_int_equal(book_open(&f->b, f->dir, 0, &e), 0);
    due_list_free(&l);
    due_eval(f->b, f->cal, &f->pol, now, &l);
    assert_int_equal(alertlog_record(f->b, &l, &o, now + 60000, &alerts, &messages, &e), 0);
    assert_int_equal(alerts, 3);
    due_list_free(&l);
    /* alerts 1-6, no gap, each once */
    pv *list = NULL;
    assert_int_equal(alertlog_list(f->b, NULL, 100, &list, &e), 0);
    assert_int_equal(list->u.a.n, 6);
    int seen[7] = {0};
    for (uint32_t i = 0; i < list->u.a.n; i++) {
        int64_t id = pv_get_int(list->u.a.v[i], "id", 0);
        assert_true(id >= 1 && id <= 6);
        seen[id]++;
    }
    for (int i = 1; i <= 6; i++)
        assert_int_equal(seen[i], 1);
    pv_free(list);
    /* messages numbered on from the first recording's, each once: none lost, no gap */
    delivery d[32];
    int nd = alertlog_due(f->b, now + 60000, d, 32);
    assert_int_equal(nd, first_messages + messages - 1); /* S has no address (test_record_once) */
    int msg_seen[32] = {0};
    for (int i = 0; i < nd; i++) {
        assert_true(d[i].msg >= 1 && d[i].msg <= (uint64_t)(first_messages + messages));
        assert_int_equal(msg_seen[d[i].msg]++, 0);
    }
}

static void test_digest_and_mail(void **st)
{
    fixture *f = *st;
    due_list l = {0};
    int64_t now = at("2024-12-23T09:00:00+07:00");
    due_eval(f->b, f->cal, &f->pol, now, &l);
    digest_item items[8];
    size_t n = 0;
    for (size_t i = 0; i < l.n; i++) {
        size_t nt;
        const char *id = book_tasks(f->b, &nt)[l.v[i].task].id;
        if (!strcmp(id, "SOON7") || !strcmp(id, "LATE") || !strcmp(id, "REPORT"))
            items[n++] = (digest_item){i + 1, &l.v[i], ROLE_LEAD, -1};
    }
    assert_int_equal(n, 3);
    MDB_txn *txn;
    par_err e = {{0}};
    assert_int_equal(store_begin(book_store(f->b), MDB_RDONLY, &txn, &e), 0);
    digest_item kept[DIGEST_KEEP_MAX];
    size_t overdue, keep = digest_keep(items, n, kept, &overdue);
    assert_int_equal(keep, 3);
    assert_int_equal(overdue, 2);
    pv *m = digest_compose(f->b, txn, "D", kept, keep, overdue, n,
                           &(digest_opts){"https://cchc.example.vn/bao-cao/{unit}.html", NULL, 1}, now);
    mdb_txn_abort(txn);
    assert_string_equal(pv_get_str(m, "subject"), "[CCHC] 2 nhiệm vụ quá hạn, 1 sắp đến hạn");
    const char *text = pv_get_str(m, "text");
    assert_non_null(strstr(text, "Kính gửi: D"));
    assert_non_null(strstr(text, "báo cáo năm năm 2024"));
    assert_non_null(strstr(text, "Còn 8 ngày (6 ngày làm việc)"));
    /* no framework of D's level: no report of D exists, so no link to one */
    assert_null(strstr(text, "https://cchc.example.vn/bao-cao/D.html"));
    assert_null(pv_get(pv_get(m, "body"), "report"));
    /* overdue first, the oldest deadline first */
    assert_true(strstr(text, "Mã nhiệm vụ: LATE") < strstr(text, "Mã nhiệm vụ: REPORT"));
    assert_true(strstr(text, "Mã nhiệm vụ: REPORT") < strstr(text, "Mã nhiệm vụ: SOON7"));
    assert_int_equal(pv_get(m, "emails")->u.a.n, 2);

    size_t len;
    char *mail = deliver_mime(m, "cchc@snv.vn", now, 0, &len);
    assert_non_null(strstr(mail, "To: d1@x.vn, d2@x.vn\r\n"));
    assert_non_null(strstr(mail, "Subject: =?UTF-8?B?"));
    assert_non_null(strstr(mail, "Content-Transfer-Encoding: base64"));
    /* no line longer than RFC 5322's 78 characters, and nothing but ASCII */
    size_t col = 0;
    for (size_t i = 0; i < len; i++) {
        assert_true((unsigned char)mail[i] < 0x80);
        col = mail[i] == '\n' ? 0 : col + 1;
        assert_true(col <= 78);
    }
    free(mail);
    pv_free(m);
    due_list_free(&l);
}

/* A message records which alerts it carries and is composed when delivered: for a
 * unit with more items than a message lists, what is delivered equals the digest of
 * the whole list, and the record stays small. */
static void test_message_composed_at_delivery(void **st)
{
    fixture *f = *st;
    pv *evs = pv_arr();
    add_unit(evs, "M", "P", "m@x.vn");
    char id[16], dl[16];
    for (int i = 0; i < 120; i++) { /* overdue, deadlines spread over November */
        snprintf(id, sizeof id, "OV%03d", i);
        snprintf(dl, sizeof dl, "%02d/11/2024", 1 + i % 28);
        add_task(evs, id, "M", "", dl);
    }
    for (int i = 0; i < 40; i++) { /* due tomorrow */
        snprintf(id, sizeof id, "SN%03d", i);
        add_task(evs, id, "M", "", "24/12/2024");
    }
    for (uint32_t i = 0; i < evs->u.a.n; i++)
        pv_set_int((pv *)evs->u.a.v[i], "seq", (int64_t)(book_seq(f->b) + 1 + i));
    par_err e = {{0}};
    event_batch batch;
    event_batch_init(&batch);
    assert_int_equal(event_batch_add_pvs(&batch, evs, &e), 0);
    assert_int_equal(book_apply(f->b, &batch, &e), 0);
    event_batch_free(&batch);
    pv_free(evs);

    int64_t now = at("2024-12-23T09:00:00+07:00");
    due_list l = {0};
    due_eval(f->b, f->cal, &f->pol, now, &l);
    int alerts, messages;
    alertlog_opts o = {.channels = 1u << CH_SMTP | 1u << CH_WEBHOOK, .report_url = "https://cchc.example.vn/{unit}"};
    assert_int_equal(alertlog_record(f->b, &l, &o, now, &alerts, &messages, &e), 0);

    /* the message to M, as delivery reads it */
    delivery d[32];
    int k = alertlog_due(f->b, now, d, 32);
    pv *m = NULL;
    for (int i = 0; i < k && !m; i++) {
        pv *x = NULL;
        assert_int_equal(alertlog_message(f->b, d[i].msg, &(digest_opts){o.report_url, NULL, 1}, &x), 1);
        if (!strcmp(pv_get_str(x, "unit"), "M"))
            m = x;
        else
            pv_free(x);
    }
    assert_non_null(m);
    unsigned char k8[8];
    store_u64_key((uint64_t)pv_get_int(m, "id", 0), k8);
    MDB_txn *txn;
    assert_int_equal(store_begin(book_store(f->b), MDB_RDONLY, &txn, &e), 0);
    MDB_val mk = {8, k8}, mv;
    assert_int_equal(mdb_get(txn, store_dbi(book_store(f->b), N_MSGS), &mk, &mv), 0);
    assert_true(mv.mv_size < 1024); /* numbers, not text: the composed text is ~40 KB */

    /* the digest of every item of M, numbered as the log numbered them */
    pv *list = NULL;
    assert_int_equal(alertlog_list(f->b, "M", 1000, &list, &e), 0);
    assert_int_equal(list->u.a.n, 160);
    digest_item items[160];
    size_t n = 0, nt;
    for (size_t i = 0; i < l.n; i++) {
        const char *task = book_tasks(f->b, &nt)[l.v[i].task].id;
        for (uint32_t j = 0; j < list->u.a.n; j++)
            if (!strcmp(pv_get_str(list->u.a.v[j], "task"), task))
                items[n++] = (digest_item){(uint64_t)pv_get_int(list->u.a.v[j], "id", 0), &l.v[i], ROLE_LEAD, -1};
    }
    pv_free(list);
    assert_int_equal(n, 160);
    digest_sort(items, n);
    pv *whole = digest_compose(f->b, txn, "M", items, n, 120, 160, &(digest_opts){o.report_url, NULL, 1}, now);
    mdb_txn_abort(txn);
    assert_string_equal(pv_get_str(m, "text"), pv_get_str(whole, "text"));
    char *j1 = json_compact(pv_get(m, "body")), *j2 = json_compact(pv_get(whole, "body"));
    assert_string_equal(j1, j2);
    assert_non_null(strstr(j1, "\"kind\":\"overdue\",\"role\":\"lead\",\"task\":\"OV"));
    free(j1);
    free(j2);
    const char *text = pv_get_str(m, "text");
    assert_non_null(strstr(text, "A. NHIỆM VỤ QUÁ HẠN (120)"));
    assert_non_null(strstr(text, "... và 90 nhiệm vụ quá hạn khác."));
    assert_non_null(strstr(text, "B. NHIỆM VỤ SẮP ĐẾN HẠN (40)"));
    assert_non_null(strstr(text, "\n121. SN"));
    assert_non_null(strstr(text, "... và 10 nhiệm vụ sắp đến hạn khác."));
    assert_string_equal(pv_get_str(m, "subject"), "[CCHC] 120 nhiệm vụ quá hạn, 40 sắp đến hạn");
    assert_int_equal(pv_get(pv_get(m, "body"), "alerts")->u.a.n, 100);
    assert_int_equal(pv_get_int(pv_get(m, "body"), "alerts_total", 0), 160);
    assert_string_equal(pv_get_str(pv_get(pv_get(m, "deliveries"), "smtp"), "state"), "pending");
    pv_free(whole);
    pv_free(m);
    due_list_free(&l);
}

/* Digests as officials address each other, ordered by the points a task puts at risk on
 * the criterion it serves; escalations copied to the unit that follows tasks up. */
static void add_row_event(pv *evs, const char *what, const char *const *kv)
{
    pv *ev = event(evs->u.a.n + 100, what, "2024-12-01T08:00:00+07:00");
    pv *row = (pv *)pv_get(ev, "row");
    for (; *kv; kv += 2)
        pv_set_str(row, kv[0], kv[1]);
    pv_push(evs, ev);
}

static void test_points_at_risk(void **st)
{
    fixture *f = *st;
    pv *evs = pv_arr();
    /* D is Tam Đường; the 2023 district framework; three overdue tasks of D, each serving
     * a criterion: 1.3 (D self-scored 2 of 2), 7.3.1 (nothing sent: its maximum, 1.5),
     * 1.7 (appraised 0.5 of 2) */
    add_row_event(evs, "unit", (const char *const[]){"id", "D", "parent", "P", "level", "district", "name",
                                                      "Huyện Tam Đường", "email", "d@x.vn", NULL});
    static const char *const crits[][3] = {{"1.3", "2", "Công tác kiểm tra CCHC"},
                                           {"7.3.1", "1.5", "Dịch vụ công trực tuyến toàn trình"},
                                           {"1.7", "2", "Gắn với Chỉ số CCHC của tỉnh"}};
    for (int i = 0; i < 3; i++)
        add_row_event(evs, "criterion", (const char *const[]){"index", "PAR", "year", "2023", "level", "district", "id",
                                                               crits[i][0], "max", crits[i][1], "name", crits[i][2],
                                                               NULL});
    /* the oldest deadline is the least at risk: the order is by points, not by date */
    static const char *const tasks[][3] = {{"Z13", "1.3", "10/12/2024"}, {"Z731", "7.3.1", "05/12/2024"},
                                           {"Z17", "1.7", "01/12/2024"}};
    for (int i = 0; i < 3; i++)
        add_row_event(evs, "task", (const char *const[]){"id", tasks[i][0], "plan", "1/KH", "lead", "D", "index", "PAR",
                                                          "criterion", tasks[i][1], "task", tasks[i][0], "deadline",
                                                          tasks[i][2], NULL});
    add_row_event(evs, "submission", (const char *const[]){"unit", "D", "year", "2023", "period", "Y", "kind", "score",
                                                            "key", "PAR:1.3", "value", "2", NULL});
    add_row_event(evs, "submission", (const char *const[]){"unit", "D", "year", "2023", "period", "Y", "kind",
                                                            "appraisal", "key", "PAR:1.7", "value", "0.5", NULL});
    event_batch batch;
    event_batch_init(&batch);
    par_err e = {{0}};
    for (uint32_t i = 0; i < evs->u.a.n; i++) /* numbered after the setup's changes */
        pv_set_int((pv *)evs->u.a.v[i], "seq", (int64_t)(book_seq(f->b) + 1 + i));
    assert_int_equal(event_batch_add_pvs(&batch, evs, &e), 0);
    assert_int_equal(book_apply(f->b, &batch, &e), 0);
    event_batch_free(&batch);
    pv_free(evs);

    size_t nt;
    const ntask *all = book_tasks(f->b, &nt);
    const char *name = NULL, *crit = NULL;
    assert_true(book_at_risk(f->b, &all[book_task_index(f->b, "Z13")], &name, &crit) == 2);
    assert_string_equal(crit, "1.3");
    assert_string_equal(name, "Công tác kiểm tra CCHC");
    assert_true(book_at_risk(f->b, &all[book_task_index(f->b, "Z731")], NULL, NULL) == 1.5);
    assert_true(book_at_risk(f->b, &all[book_task_index(f->b, "Z17")], NULL, NULL) == 0.5);
    assert_true(book_at_risk(f->b, &all[book_task_index(f->b, "SOON7")], NULL, NULL) < 0); /* no criterion */
    assert_true(book_has_framework(f->b, "district"));
    assert_false(book_has_framework(f->b, "commune"));

    due_list l = {0};
    int64_t now = at("2024-12-23T09:00:00+07:00");
    due_eval(f->b, f->cal, &f->pol, now, &l);
    digest_item items[16];
    size_t n = 0;
    for (size_t i = 0; i < l.n && n < 16; i++) {
        const char *id = all[l.v[i].task].id;
        if (id[0] == 'Z')
            items[n++] = (digest_item){i + 1, &l.v[i], ROLE_LEAD, book_at_risk(f->b, &all[l.v[i].task], NULL, NULL)};
    }
    assert_int_equal(n, 3);
    MDB_txn *txn;
    assert_int_equal(store_begin(book_store(f->b), MDB_RDONLY, &txn, &e), 0);
    digest_item kept[DIGEST_KEEP_MAX];
    size_t overdue, keep = digest_keep(items, n, kept, &overdue);
    pv *m = digest_compose(f->b, txn, "D", kept, keep, overdue, n,
                           &(digest_opts){"https://cchc.example.vn/bao-cao/{unit}.html", "https://cchc.example.vn", 5},
                           now);
    mdb_txn_abort(txn);
    const char *text = pv_get_str(m, "text");
    assert_non_null(strstr(text, "Kính gửi: UBND huyện Tam Đường\n"));
    const char *a = strstr(text, "Mã nhiệm vụ: Z13"), *b = strstr(text, "Mã nhiệm vụ: Z731"),
               *c = strstr(text, "Mã nhiệm vụ: Z17");
    assert_true(a && b && c && a < b && b < c);
    assert_non_null(strstr(text, "Điểm có nguy cơ bị trừ: 2,00 điểm ở tiêu chí 1.3 - Công tác kiểm tra CCHC"));
    assert_non_null(strstr(text, "Điểm có nguy cơ bị trừ: 0,50 điểm ở tiêu chí 1.7"));
    /* a district's report exists (its level has a framework): linked */
    assert_non_null(strstr(text, "https://cchc.example.vn/bao-cao/D.html"));
    /* the way this recipient reports done: the web page */
    assert_non_null(strstr(text, "đăng nhập https://cchc.example.vn/tasks"));
    /* how often an overdue task is repeated, as configured ([notifier] repeat_days 5) */
    assert_non_null(strstr(text, "Nhiệm vụ quá hạn được nhắc lại 5 ngày làm việc một lần"));
    const pv *first = pv_get(pv_get(m, "body"), "alerts")->u.a.v[0];
    assert_true(pv_get(first, "points_at_risk")->u.f == 2);
    pv_free(m);

    /* escalations copied to the unit that follows tasks up */
    book_set_follow_up(f->b, "S");
    int alerts, messages;
    alertlog_opts o = {.channels = 1u << CH_SMTP};
    assert_int_equal(alertlog_record(f->b, &l, &o, now, &alerts, &messages, &e), 0);
    pv *list = NULL;
    assert_int_equal(alertlog_list(f->b, "S", 100, &list, &e), 0);
    int follow = 0;
    for (uint32_t i = 0; i < list->u.a.n; i++) {
        const pv *to = pv_get(list->u.a.v[i], "to");
        for (uint32_t k = 0; to && k < to->u.a.n; k++)
            follow |= !strcmp(pv_get_str(to->u.a.v[k], "unit"), "S") &&
                      !strcmp(pv_get_str(to->u.a.v[k], "role"), "follow") &&
                      !strcmp(pv_get_str(list->u.a.v[i], "task"), "FAR");
    }
    assert_true(follow);
    pv_free(list);
    due_list_free(&l);
}

/* A deadline on a day off ends with the next working day (Civil Code 2015, art. 148):
 * a task due Saturday 21/12/2024 is due on Monday 23/12, overdue from Tuesday; the task
 * list says the same. */
static void test_deadline_on_a_day_off(void **st)
{
    fixture *f = *st;
    pv *evs = pv_arr();
    add_row_event(evs, "task", (const char *const[]){"id", "SAT", "plan", "1/KH", "lead", "D", "task", "SAT",
                                                      "deadline", "21/12/2024", NULL});
    for (uint32_t i = 0; i < evs->u.a.n; i++)
        pv_set_int((pv *)evs->u.a.v[i], "seq", (int64_t)(book_seq(f->b) + 1 + i));
    event_batch batch;
    event_batch_init(&batch);
    par_err e = {{0}};
    assert_int_equal(event_batch_add_pvs(&batch, evs, &e), 0);
    assert_int_equal(book_apply(f->b, &batch, &e), 0);
    event_batch_free(&batch);
    pv_free(evs);
    long ti = book_task_index(f->b, "SAT");
    static const struct {
        const char *at;
        due_kind kind;
        int days;
        const char *state;
    } days[] = {{"2024-12-23T09:00:00+07:00", DUE_REMIND, 0, "open"}, {"2024-12-24T09:00:00+07:00", DUE_OVERDUE, 1, "overdue"}};
    for (int k = 0; k < 2; k++) {
        due_list l = {0};
        int64_t now = at(days[k].at);
        due_eval(f->b, f->cal, &f->pol, now, &l);
        int seen = 0;
        for (size_t i = 0; i < l.n; i++) {
            if (l.v[i].task != (uint32_t)ti)
                continue;
            seen = 1;
            assert_int_equal(l.v[i].kind, days[k].kind);
            assert_int_equal(l.v[i].days, days[k].days);
            assert_int_equal(l.v[i].due, day(2024, 12, 23));
            assert_string_equal(l.v[i].inst, "2024-12-21"); /* named as the plan wrote it */
        }
        assert_true(seen);
        due_list_free(&l);
        pv *list = NULL, *args = pv_map();
        pv_set_str(args, "unit", "D");
        assert_int_equal(query_tasks(f->b, f->cal, &f->pol, args, now, &list, &e), 0);
        for (uint32_t i = 0; i < list->u.a.n; i++) {
            const pv *t = list->u.a.v[i];
            if (strcmp(pv_get_str(t, "id"), "SAT"))
                continue;
            assert_string_equal(pv_get_str(t, "state"), days[k].state);
            assert_string_equal(pv_get_str(t, "deadline"), "2024-12-23");
            assert_string_equal(pv_get_str(t, "deadline_written"), "2024-12-21");
        }
        pv_free(list);
        pv_free(args);
    }
}

static int sent_to(book *b, const char *unit, const char *task)
{
    pv *list = NULL;
    par_err e = {{0}};
    assert_int_equal(alertlog_list(b, unit, 100, &list, &e), 0);
    int n = 0;
    for (uint32_t i = 0; i < list->u.a.n; i++)
        n += !strcmp(pv_get_str(list->u.a.v[i], "task"), task);
    pv_free(list);
    return n;
}

/* The 2025 reorganisation: district C2 ends on 30/06/2025 and P takes over its work. Its
 * task is chased at C2 while it exists, then at P (which may also silence it), and shows
 * on P's task list; the one without a successor goes to the unit it stood under. */
static void test_dissolved_unit(void **st)
{
    fixture *f = *st;
    pv *evs = pv_arr();
    add_row_event(evs, "unit", (const char *const[]){"id", "C2", "parent", "D", "level", "commune", "name", "Xã Cũ",
                                                      "email", "c2@x.vn", "valid_to", "2025-06-30", "successor", "P",
                                                      NULL});
    add_row_event(evs, "unit", (const char *const[]){"id", "C3", "parent", "D", "level", "commune", "name", "Xã Giải Thể",
                                                      "email", "c3@x.vn", "valid_to", "2025-06-30", NULL});
    add_row_event(evs, "task", (const char *const[]){"id", "OLD", "plan", "1/KH", "lead", "C2", "task", "Việc cũ",
                                                      "deadline", "30/05/2025", NULL});
    add_row_event(evs, "task", (const char *const[]){"id", "ORPHAN", "plan", "1/KH", "lead", "C3", "task", "Việc khác",
                                                      "deadline", "30/05/2025", NULL});
    event_batch batch;
    event_batch_init(&batch);
    par_err e = {{0}};
    for (uint32_t i = 0; i < evs->u.a.n; i++)
        pv_set_int((pv *)evs->u.a.v[i], "seq", (int64_t)(book_seq(f->b) + 1 + i));
    assert_int_equal(event_batch_add_pvs(&batch, evs, &e), 0);
    assert_int_equal(book_apply(f->b, &batch, &e), 0);
    event_batch_free(&batch);
    pv_free(evs);
    alertlog_opts o = {.channels = 1u << CH_SMTP};
    int alerts, messages;
    due_list l = {0};
    int64_t june = at("2025-06-02T09:00:00+07:00"), july = at("2025-07-02T09:00:00+07:00");
    due_eval(f->b, f->cal, &f->pol, june, &l);
    assert_int_equal(alertlog_record(f->b, &l, &o, june, &alerts, &messages, &e), 0);
    due_list_free(&l);
    int c2 = sent_to(f->b, "C2", "OLD"), c3 = sent_to(f->b, "C3", "ORPHAN");
    assert_true(c2 > 0 && c3 > 0);
    assert_int_equal(sent_to(f->b, "P", "OLD"), 0);
    due_eval(f->b, f->cal, &f->pol, july, &l);
    assert_int_equal(alertlog_record(f->b, &l, &o, july, &alerts, &messages, &e), 0);
    due_list_free(&l);
    assert_true(sent_to(f->b, "P", "OLD") > 0);     /* the successor, from 1 July */
    assert_true(sent_to(f->b, "D", "ORPHAN") > 0);  /* no successor: the unit above */
    assert_int_equal(sent_to(f->b, "C2", "OLD"), c2); /* nothing more to units that are gone */
    assert_int_equal(sent_to(f->b, "C3", "ORPHAN"), c3);
    /* P's list holds the task it took over; P may silence it */
    pv *args = pv_map(), *list = NULL;
    pv_set_str(args, "unit", "P");
    assert_int_equal(query_tasks(f->b, f->cal, &f->pol, args, july, &list, &e), 0);
    int seen = 0;
    for (uint32_t i = 0; i < list->u.a.n; i++)
        seen |= !strcmp(pv_get_str(list->u.a.v[i], "id"), "OLD");
    assert_true(seen);
    pv_free(list);
    pv_free(args);
    pv *out = NULL;
    /* a silence ends on a day of the calendar, from today to a year ahead */
    static const struct {
        const char *until, *why;
    } bad[] = {{"2025-02-30", "until '2025-02-30' is not a date YYYY-MM-DD"},
               {"2025-12-31x", "until '2025-12-31x' is not a date YYYY-MM-DD"},
               {"2025-07-01", "until 2025-07-01 is before today, 2025-07-02"},
               {"2026-07-04", "until 2026-07-04 is more than 366 days after today, 2025-07-02: alerts are silenced "
                              "for a year at most"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(alertlog_silence(f->b, "OLD", bad[i].until, "unit:P", july, &out, &e), -1);
        assert_string_equal(e.msg, bad[i].why);
        char vi[512];
        assert_null(strstr(reason_vi(e.msg, vi, sizeof vi), "tiếng Anh")); /* said in Vietnamese too */
    }
    assert_int_equal(alertlog_silence(f->b, "OLD", "2025-07-02", "unit:P", july, &out, &e), 0); /* today */
    pv_free(out);
    assert_int_equal(alertlog_silence(f->b, "OLD", "2026-07-03", "unit:P", july, &out, &e), 0); /* 366 days */
    pv_free(out);
    assert_int_equal(alertlog_silence(f->b, "OLD", "2025-12-31", "unit:P", july, &out, &e), 0);
    pv_free(out);
}

/* The alerts of 23/12/2024 09:00 recorded, by e-mail; that time. */
static int64_t record_monday(fixture *f)
{
    due_list l = {0};
    int64_t now = at("2024-12-23T09:00:00+07:00");
    due_eval(f->b, f->cal, &f->pol, now, &l);
    int alerts, messages;
    par_err e = {{0}};
    alertlog_opts o = {.channels = 1u << CH_SMTP};
    assert_int_equal(alertlog_record(f->b, &l, &o, now, &alerts, &messages, &e), 0);
    due_list_free(&l);
    return now;
}

/* The number of the alert of task sent to unit (0: none). */
static uint64_t alert_of(fixture *f, const char *unit, const char *task)
{
    pv *list = NULL;
    par_err e = {{0}};
    assert_int_equal(alertlog_list(f->b, unit, 100, &list, &e), 0);
    uint64_t n = 0;
    for (uint32_t i = 0; i < list->u.a.n; i++)
        if (!strcmp(pv_get_str(list->u.a.v[i], "task"), task))
            n = (uint64_t)pv_get_int(list->u.a.v[i], "id", 0);
    pv_free(list);
    return n;
}

/* A delivery made while its record cannot be written (a full disk): it is owed, the
 * message stays due in the store (what the daemon must not send again: it starts none
 * while any is owed), the wait doubles, and once the store writes again the record goes
 * in and the message is due no more. Its record is also written when the map is full
 * (store_write grows it), where alertlog_mark once failed. */
static void test_marks_owed(void **st)
{
    fixture *f = *st;
    int64_t now = record_monday(f);
    par_err e = {{0}};
    delivery d[16];
    assert_int_equal(alertlog_due(f->b, now, d, 16), 3);
    marks m;
    marks_init(&m);
    store_fail_commits(book_store(f->b), 3, ENOSPC);
    assert_int_equal(marks_add(&m, f->b, d[0].msg, d[0].ch, 1, NULL, now, 60, &e), 0);
    assert_int_equal(m.n, 1);
    assert_int_equal(m.wait, MARKS_WAIT_MIN);
    assert_int_equal(alertlog_due(f->b, now, d, 16), 3); /* the store still has it pending */
    assert_int_equal(marks_add(&m, f->b, d[1].msg, d[1].ch, 0, "451 busy", now, 60, &e), 0); /* in order, after */
    assert_int_equal(m.n, 2);
    assert_int_equal(m.wait, 2 * MARKS_WAIT_MIN);
    assert_int_equal(marks_settle(&m, f->b, now, 60, &e), 0);
    assert_int_equal(m.wait, 4 * MARKS_WAIT_MIN);
    assert_int_equal(marks_settle(&m, f->b, now, 60, &e), 1); /* the disk has room again */
    assert_int_equal(m.n, 0);
    assert_int_equal(m.wait, 0);
    assert_int_equal(alertlog_due(f->b, now, d, 16), 1);                  /* the third only */
    assert_int_equal(alertlog_due(f->b, now + 61000, d, 16), 2);          /* and the refused one, retried */
    store_fail_commits(book_store(f->b), 1, MDB_MAP_FULL);                /* grown, and written */
    assert_int_equal(marks_add(&m, f->b, d[0].msg, d[0].ch, 1, NULL, now + 61000, 60, &e), 1);
    assert_int_equal(alertlog_due(f->b, now + 61000, d, 16), 1);
    /* a record no write will take (its message is not there) is dropped, not owed for ever
     * ahead of every other delivery */
    assert_int_equal(alertlog_mark(f->b, 999999, CH_SMTP, 1, NULL, now, 60, &e), -2);
    assert_int_equal(marks_add(&m, f->b, 999999, CH_SMTP, 1, NULL, now, 60, &e), 1);
    assert_int_equal(m.n, 0);
}

/* After a reset (the record restored from an older backup: book_reset) the tasks come
 * back from the collector's change events, and with them what was acknowledged and
 * silenced here, which the store kept: neither is chased again. */
static void test_acks_after_reset(void **st)
{
    fixture *f = *st;
    int64_t now = record_monday(f);
    par_err e = {{0}};
    pv *out = NULL;
    uint64_t late = alert_of(f, "C", "LATE");
    assert_true(late > 0);
    assert_int_equal(alertlog_ack(f->b, late, "unit:C", now, &out, &e), 0);
    pv_free(out);
    assert_int_equal(alertlog_silence(f->b, "FAR", "2025-03-01", "admin:a", now, &out, &e), 0);
    pv_free(out);
    assert_int_equal(book_reset(f->b, &e), 0);
    pv *evs = sample_events();
    event_batch batch;
    event_batch_init(&batch);
    assert_int_equal(event_batch_add_pvs(&batch, evs, &e), 0);
    assert_int_equal(book_apply(f->b, &batch, &e), 0);
    event_batch_free(&batch);
    pv_free(evs);
    due_list l = {0};
    due_eval(f->b, f->cal, &f->pol, at("2024-12-24T09:00:00+07:00"), &l);
    assert_null(find(f->b, &l, "LATE"));
    assert_null(find(f->b, &l, "FAR"));
    assert_non_null(find(f->b, &l, "SOON7")); /* the others are chased as before */
    due_list_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calendar),
        cmocka_unit_test(test_calendar_bad_file),
        cmocka_unit_test_setup_teardown(test_due, setup, teardown),
        cmocka_unit_test_setup_teardown(test_due_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeat_and_escalate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_marks_owed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_acks_after_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_after_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digest_and_mail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_points_at_risk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deadline_on_a_day_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dissolved_unit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_message_composed_at_delivery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_in_chunks, setup_small_map, teardown),
        cmocka_unit_test(test_digest_keep_as_sorted),
    };
    return cmocka_run_group_tests_name("notifier", tests, NULL, NULL);
}
