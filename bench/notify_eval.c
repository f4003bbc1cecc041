/* notify_eval: how long the notifier takes to evaluate every deadline of a
 * country-sized plan (1,000,000 tasks over 11,000 units by default): loading the
 * tasks into its store, rebuilding its index at start, one evaluation pass, and an
 * evaluation with its recording (first of the day: every alert new; then the same
 * day again: nothing new, the cost of each timer tick).
 *
 * usage: notify_eval [TASKS] [UNITS] */
#include "result.h"
#include "../common/clock.h"
#include "../notifier/alertlog.h"
#include "../notifier/book.h"
#include "../common/calendar.h"
#include "../notifier/due.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static pv *event(uint64_t seq, const char *what)
{
    pv *ev = proto_msg(MSG_EVENT);
    pv_set_int(ev, "seq", (int64_t)seq);
    pv_set_str(ev, "what", what);
    pv_set_str(ev, "received", "2024-01-02T08:00:00+07:00");
    pv_set_str(ev, "sender", "bench");
    pv_set(ev, "row", pv_map());
    return ev;
}

static void flush(book *b, pv **evs)
{
    par_err e = {{0}};
    event_batch batch;
    event_batch_init(&batch);
    if (event_batch_add_pvs(&batch, *evs, &e) < 0 || (batch.n && book_apply(b, &batch, &e) != 0)) {
        fprintf(stderr, "notify_eval: %s\n", e.msg);
        exit(1);
    }
    event_batch_free(&batch);
    pv_free(*evs);
    *evs = pv_arr();
}

/* A line of /proc/self/status in MiB (its figures are kB); -1 when absent. */
static double status_mib(const char *name)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double v = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, name, strlen(name)))
            v = atof(line + strlen(name)) / 1024;
    if (f)
        fclose(f);
    return v;
}

static double ms_since(int64_t t0)
{
    return (double)(clock_mono_ms() - t0);
}

int main(int argc, char **argv)
{
    long ntasks = argc > 1 ? atol(argv[1]) : 1000000, nunits = argc > 2 ? atol(argv[2]) : 11000;
    char dir[] = "/tmp/par-notify-bench.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    book *b;
    calendar *cal;
    par_err e = {{0}};
    if (book_open(&b, dir, 0, &e) < 0 || calendar_load(&cal, "data/holidays", &e) < 0) {
        fprintf(stderr, "notify_eval: %s\n", e.msg);
        return 1;
    }
    srand(42);
    uint64_t seq = 0;
    pv *evs = pv_arr();
    /* a province, 700 districts, the rest communes under them */
    for (long u = 0; u < nunits; u++) {
        pv *ev = event(++seq, "unit"), *row = (pv *)pv_get(ev, "row");
        char id[32], parent[32] = "", mail[64];
        snprintf(id, sizeof id, "U%05ld", u);
        if (u > 0)
            snprintf(parent, sizeof parent, "U%05ld", u <= 700 ? 0 : 1 + (u % 700));
        snprintf(mail, sizeof mail, "u%ld@example.gov.vn", u);
        pv_set_str(row, "id", id);
        pv_set_str(row, "parent", parent);
        pv_set_str(row, "level", u == 0 ? "province" : u <= 700 ? "district" : "commune");
        pv_set_str(row, "name", id);
        pv_set_str(row, "email", mail);
        pv_push(evs, ev);
    }
    flush(b, &evs);
    int64_t t0 = clock_mono_ms();
    long dated = 0, done = 0;
    for (long i = 0; i < ntasks; i++) {
        pv *ev = event(++seq, "task"), *row = (pv *)pv_get(ev, "row");
        char id[32], lead[32], dl[64];
        snprintf(id, sizeof id, "T%07ld", i);
        snprintf(lead, sizeof lead, "U%05ld", rand() % nunits);
        int r = rand() % 100;
        if (r < 65) {
            /* a date between June 2024 and June 2025 */
            int64_t d = clock_days_from_civil(2024, 6, 1) + rand() % 395;
            int y, m, dd;
            clock_civil_from_days(d, &y, &m, &dd);
            snprintf(dl, sizeof dl, "%d/%d/%d", dd, m, y);
            dated++;
        } else if (r < 80) {
            snprintf(dl, sizeof dl, "Quý I, 6 tháng, Quý III và báo cáo năm");
        } else if (r < 85) {
            snprintf(dl, sizeof dl, "hằng tháng");
        } else if (r < 93) {
            snprintf(dl, sizeof dl, "Thường xuyên");
        } else {
            snprintf(dl, sizeof dl, "Theo quy định");
        }
        pv_set_str(row, "id", id);
        pv_set_str(row, "plan", "1/KH-UBND");
        pv_set_str(row, "lead", lead);
        pv_set_str(row, "support", "");
        pv_set_str(row, "task", "Nhiệm vụ cải cách hành chính");
        pv_set_str(row, "deadline", dl);
        pv_push(evs, ev);
        if (r < 65 && rand() % 100 < 30) {
            pv *rep = event(++seq, "submission"), *rr = (pv *)pv_get(rep, "row");
            pv_set_str(rr, "unit", lead);
            pv_set_str(rr, "year", "2024");
            pv_set_str(rr, "period", "Y");
            pv_set_str(rr, "kind", "task");
            pv_set_str(rr, "key", id);
            pv_set_str(rr, "value", "done");
            pv_set_str(rr, "date", "2024-12-01");
            pv_push(evs, rep);
            done++;
        }
        if (evs->u.a.n >= 20000)
            flush(b, &evs);
    }
    flush(b, &evs);
    pv_free(evs);
    double load = ms_since(t0);
    book_close(b);
    t0 = clock_mono_ms();
    if (book_open(&b, dir, 0, &e) < 0) {
        fprintf(stderr, "notify_eval: %s\n", e.msg);
        return 1;
    }
    double reopen = ms_since(t0);

    due_policy pol = {{7, 1}, 2, 1, 14, 8 * 60, {20, 20, 20, 20}};
    int64_t now;
    clock_parse_iso("2024-12-23T09:00:00+07:00", &now);
    double best = 1e9;
    size_t due = 0;
    for (int round = 0; round < 5; round++) {
        due_list l = {0};
        t0 = clock_mono_ms();
        due_eval(b, cal, &pol, now, &l);
        double t = ms_since(t0);
        best = t < best ? t : best;
        due = l.n;
        due_list_free(&l);
    }
    /* the recording's own peak: Linux resets VmHWM on "5" written to clear_refs */
    double before_mib = status_mib("VmRSS:");
    FILE *cr = fopen("/proc/self/clear_refs", "w");
    if (cr) {
        fputs("5", cr);
        fclose(cr);
    }
    int alerts = 0, messages = 0, again_alerts = 0, again_messages = 0;
    due_list l = {0};
    t0 = clock_mono_ms();
    due_eval(b, cal, &pol, now, &l);
    alertlog_opts o = {.channels = 1u << CH_SMTP};
    alertlog_record(b, &l, &o, now, &alerts, &messages, &e);
    double first = ms_since(t0);
    double record_peak_mib = status_mib("VmHWM:"), file_mib = status_mib("RssFile:");
    due_list_free(&l);
    t0 = clock_mono_ms();
    due_eval(b, cal, &pol, now + 60000, &l);
    alertlog_record(b, &l, &o, now + 60000, &again_alerts, &again_messages, &e);
    double again = ms_since(t0);
    due_list_free(&l);
    /* a restart the same day: the marks of alerts sent start empty in memory, and the
     * store says which were recorded (each one refused by its put) */
    book_close(b);
    if (book_open(&b, dir, 0, &e) < 0) {
        fprintf(stderr, "notify_eval: %s\n", e.msg);
        return 1;
    }
    int restart_alerts = 0, restart_messages = 0;
    t0 = clock_mono_ms();
    due_eval(b, cal, &pol, now + 120000, &l);
    alertlog_record(b, &l, &o, now + 120000, &restart_alerts, &restart_messages, &e);
    double restart = ms_since(t0);
    due_list_free(&l);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);

    printf("\nnotifier: %ld tasks (%ld dated, %ld reported done) over %ld units, at 2024-12-23 09:00\n", ntasks, dated,
           done, nunits);
    printf("  %-52s %10.0f ms\n", "load the tasks into the store (change events)", load);
    printf("  %-52s %10.0f ms\n", "open the store and rebuild the index (start-up)", reopen);
    printf("  %-52s %10.0f ms   (%zu alerts due, best of 5)\n", "evaluate every deadline", best, due);
    printf("  %-52s %10.0f ms   (%d alerts, %d digests)\n", "evaluate and record, first run of the day", first, alerts,
           messages);
    printf("  %-52s %10.0f ms   (%d new)\n", "evaluate and record again the same day", again, again_alerts);
    printf("  %-52s %10.0f ms   (%d new)\n", "the same after a restart (marks from the store)", restart, restart_alerts);
    printf("  %-52s %10.0f MiB\n", "peak memory (whole run)", (double)ru.ru_maxrss / 1024);
    printf("  %-52s %10.0f MiB   (%.0f MiB before it; %.0f MiB of it the store's pages, mapped)\n",
           "peak memory during the first recording", record_peak_mib, before_mib, file_mib);
    result_put("notifier.tasks", (double)ntasks);
    result_put("notifier.evaluate_ms", best);
    result_put("notifier.alerts_due", (double)due);
    result_put("notifier.start_ms", reopen);
    result_put("notifier.first_record_ms", first);
    result_put("notifier.tick_ms", again);
    result_put("notifier.restart_tick_ms", restart);
    result_put("notifier.peak_mib", (double)ru.ru_maxrss / 1024);
    result_put("notifier.record_peak_mib", record_peak_mib);
    result_put("notifier.record_before_mib", before_mib);
    book_close(b);
    calendar_destroy(cal);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (getenv("NOTIFY_KEEP")) { /* to look at with mdb_stat -a */
        fprintf(stderr, "notify_eval: store kept in %s\n", dir);
        return 0;
    }
    return system(cmd) == 0 ? 0 : 1;
}
