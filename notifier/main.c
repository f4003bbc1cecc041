/* par-notifier: warns officials before deadlines and chases overdue tasks. It
 * keeps a copy of units, tasks and reports of tasks done from the collector's
 * change events, evaluates every deadline at start, after each change and on a
 * timer, records the alerts due with one digest per recipient, then delivers
 * them by e-mail, webhook or file, retrying failures with back-off. */
#include "alertlog.h"
#include "book.h"
#include "../common/calendar.h"
#include "deliver.h"
#include "due.h"
#include "marks.h"
#include "query.h"
#include "../common/clock.h"
#include "../common/daemon.h"
#include "../common/follow.h"
#include "../common/log.h"
#include "../common/service.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

/* a burst of changes is evaluated once, this long after its first event */
#define SETTLE_MS 200
#define SCAN_MS 1000

typedef struct {
    par_config conf;
    par_clock clk;
    book *b;
    calendar *cal;
    due_policy pol;
    service *svc;
    follow *fw;
    deliver *dl;
    unsigned channels;
    int64_t next_eval; /* monotonic ms; 0: as soon as caught up */
    int64_t next_scan; /* for deliveries due */
    int warned_year;
    marks owed; /* deliveries whose record could not be written yet */
} notifier;

static uint64_t seq_of(void *ctx)
{
    return book_seq(((notifier *)ctx)->b);
}

static int apply(void *ctx, const event_batch *events, par_err *e)
{
    notifier *n = ctx;
    int rc = book_apply(n->b, events, e);
    int64_t soon = clock_mono_ms() + SETTLE_MS;
    if (rc >= 0 && n->next_eval > soon)
        n->next_eval = soon;
    return rc;
}

static int reset(void *ctx, par_err *e)
{
    return book_reset(((notifier *)ctx)->b, e);
}

static void evaluate(notifier *n)
{
    int64_t now = clock_now_ms(&n->clk), t0 = clock_mono_ms();
    int64_t today;
    int sec, y, m, d;
    clock_local(now, &today, &sec);
    clock_civil_from_days(today, &y, &m, &d);
    if (!calendar_has_year(n->cal, y) && n->warned_year != y) {
        log_warn("event=no_holidays year=%d file=%s/%d.csv counting=weekends_only", y, n->conf.holidays_dir, y);
        n->warned_year = y;
    }
    due_list l = {0};
    due_eval(n->b, n->cal, &n->pol, now, &l);
    int alerts = 0, messages = 0;
    par_err e = {{0}};
    alertlog_opts o = {.channels = n->channels, .report_url = n->conf.report_url, .chunk = (size_t)n->conf.record_chunk};
    if (alertlog_record(n->b, &l, &o, now, &alerts, &messages, &e) < 0)
        log_error("event=record_failed error=\"%s\"", e.msg);
    size_t tasks;
    book_tasks(n->b, &tasks);
    if (alerts)
        log_info("event=evaluated tasks=%zu due=%zu new_alerts=%d messages=%d ms=%lld", tasks, l.n, alerts, messages,
                 (long long)(clock_mono_ms() - t0));
    else
        log_debug("event=evaluated tasks=%zu due=%zu new_alerts=0 ms=%lld", tasks, l.n,
                  (long long)(clock_mono_ms() - t0));
    due_list_free(&l);
    n->next_eval = clock_mono_ms() + (int64_t)n->conf.eval_every_s * 1000;
    n->next_scan = 0;
}

/* After a try at the owed records (rc of marks_add or marks_settle): 1 when none is left,
 * else says why and sets the next try. */
static int settle_owed(notifier *n, int rc, const par_err *e)
{
    if (rc == 1)
        return 1;
    if (rc < 0)
        log_error("event=mark_lost error=\"%s\"", e->msg);
    else
        log_error("event=mark_failed owed=%d retry_ms=%lld error=\"%s\"", n->owed.n, (long long)n->owed.wait,
                  e->msg);
    n->next_scan = clock_mono_ms() + (n->owed.wait ? n->owed.wait : MARKS_WAIT_MIN);
    return 0;
}

static void delivered(void *ctx, uint64_t msg, int ch, int ok, const char *why)
{
    notifier *n = ctx;
    if (ok)
        log_info("event=delivered message=%llu channel=%s", (unsigned long long)msg, alertlog_channel_name(ch));
    else
        log_warn("event=delivery_failed message=%llu channel=%s error=\"%s\"", (unsigned long long)msg,
                 alertlog_channel_name(ch), why);
    par_err e = {{0}};
    int rc = marks_add(&n->owed, n->b, msg, ch, ok, why, clock_now_ms(&n->clk), n->conf.retry_s, &e);
    if (settle_owed(n, rc, &e))
        n->next_scan = 0;
}

/* Starts the deliveries that are due: one at a time per channel, so that a crash
 * can leave at most one delivery made but not recorded (then repeated) — and those owed
 * while the store could not be written (marks.h), which a stop logs. */
static void start_deliveries(notifier *n)
{
    if (n->owed.n) { /* none starts before those records are written */
        par_err e = {{0}};
        if (!settle_owed(n, marks_settle(&n->owed, n->b, clock_now_ms(&n->clk), n->conf.retry_s, &e), &e))
            return;
    }
    n->next_scan = clock_mono_ms() + SCAN_MS;
    int room = DELIVER_MAX_ITEMS - deliver_count(n->dl);
    if (room <= 0)
        return;
    delivery due[DELIVER_MAX_ITEMS * 2];
    int64_t now = clock_now_ms(&n->clk);
    int k = alertlog_due(n->b, now, due, DELIVER_MAX_ITEMS * 2);
    for (int i = 0; i < k && room > 0; i++) {
        if (deliver_channel_busy(n->dl, due[i].ch))
            continue;
        pv *m = NULL;
        digest_opts dopt = {n->conf.report_url, n->conf.web_url, n->pol.repeat};
        if (alertlog_message(n->b, due[i].msg, &dopt, &m) != 1)
            continue;
        par_err e = {{0}};
        int rc = deliver_start(n->dl, due[i].msg, due[i].ch, m, now, &e);
        pv_free(m);
        if (rc == 0)
            room--;
        else
            delivered(n, due[i].msg, due[i].ch, rc == 1, e.msg);
        if (n->owed.n)
            break; /* its record could not be written: no more until it is */
    }
}

static pv *answer(notifier *n, const service_req *r)
{
    char who[256];
    const char *sender = service_query_sender(r, who, sizeof who);
    const char *q = pv_get_str(r->msg, "q");
    const pv *args = pv_get(r->msg, "args");
    pv *data = NULL;
    par_err e = {{0}};
    int rc;
    /* a unit key reads its own unit's tasks and alerts, or those of a unit below it */
    pv *own = NULL;
    char mine[128];
    if (service_sender_unit(sender, mine, sizeof mine) && (!strcmp(q, "tasks") || !strcmp(q, "alerts"))) {
        const char *unit = pv_get_str(args, "unit"), *under = pv_get_str(args, "under");
        if (under && *under && !book_below(n->b, under, mine))
            unit = under;
        if (unit && *unit && !book_below(n->b, unit, mine)) {
            char text[256];
            snprintf(text, sizeof text, "unit %s is neither %s nor below it: this key may not read its %s", unit, mine,
                     q);
            return proto_error(r->id, "forbidden", text);
        }
        /* nothing narrower asked: its own unit. Alerts are listed by the unit they were
         * sent to, with no "under": one below it named there is the one listed (without
         * this, an "under" alone listed the whole province's) */
        int alerts = !strcmp(q, "alerts");
        if ((!unit || !*unit) && (alerts || !(under && *under))) {
            own = pv_copy(args ? args : pv_get(r->msg, "args"));
            if (!own)
                own = pv_map();
            pv_set_str(own, "unit", alerts && under && *under ? under : mine);
            args = own;
        }
    }
    if (!strcmp(q, "tasks")) {
        rc = query_tasks(n->b, n->cal, &n->pol, args, clock_now_ms(&n->clk), &data, &e);
    } else if (!strcmp(q, "alerts")) {
        const char *unit = pv_get_str(args, "unit");
        if (unit && *unit && book_unit_index(n->b, unit) < 0) { /* a mistyped unit is not "no alert" */
            err_set(&e, "unit %s is not in the registry", unit);
            rc = -1;
        } else {
            rc = alertlog_list(n->b, unit, 10000, &data, &e);
        }
    } else if (!strcmp(q, "backup")) {
        if (strchr(sender, ':') && strncmp(sender, "admin:", 6)) {
            err_set(&e, "only admin keys may take backups");
            rc = -1;
        } else {
            rc = store_backup_into(book_store(n->b), pv_get_str(args, "dir"), "notifier", book_seq(n->b), &data, &e);
        }
    } else if (!strcmp(q, "silence")) {
        rc = alertlog_silence(n->b, pv_get_str(args, "task"), pv_get_str(args, "until"), *sender ? sender : "operator",
                              clock_now_ms(&n->clk), &data, &e);
        if (rc == 0)
            log_info("event=silenced task=%s until=%s by=%s", pv_get_str(args, "task"), pv_get_str(args, "until"),
                     sender);
    } else if (!strcmp(q, "ack")) {
        int64_t no;
        const char *a = pv_get_str(args, "alert");
        if (!a || str_to_i64(a, &no) < 0 || no <= 0) {
            err_set(&e, "ack needs an alert number (see parctl alerts)");
            rc = -1;
        } else {
            rc = alertlog_ack(n->b, (uint64_t)no, *sender ? sender : "operator", clock_now_ms(&n->clk), &data,
                              &e);
            if (rc == 0)
                log_info("event=acknowledged alert=%lld by=%s", (long long)no, *sender ? sender : "operator");
        }
    } else {
        err_set(&e, "the notifier has no query '%s' (tasks, alerts, ack, silence, backup)", q);
        rc = -1;
    }
    pv_free(own);
    if (rc < 0)
        return proto_error(r->id, "bad_request", e.msg);
    pv *out = proto_reply(r->id, data);
    return out;
}

static void on_request(notifier *n)
{
    service_req r;
    while (service_recv(n->svc, &r) == 1) {
        pv *out;
        if (!r.msg)
            out = proto_error(r.id, "bad_request", r.err.msg);
        else if (strcmp(proto_type(r.msg), MSG_QUERY))
            out = proto_error(r.id, "bad_request", "the notifier answers queries only");
        else if (!follow_caught_up(n->fw))
            out = proto_error(r.id, "unavailable", "the notifier is catching up with the collector");
        else
            out = answer(n, &r);
        service_reply(n->svc, &r, out);
        pv_free(out);
        service_req_free(&r);
    }
}

static pv *stats(notifier *n)
{
    pv *info = pv_map();
    size_t tasks;
    book_tasks(n->b, &tasks);
    pv_set_int(info, "tasks", (int64_t)tasks);
    pv_set(info, "caught_up", pv_bool(follow_caught_up(n->fw)));
    store_usage(book_store(n->b), info);
    return info;
}

static int policy_of(notifier *n, par_err *e)
{
    n->pol.repeat = n->conf.repeat_days;
    n->pol.escalate = n->conf.escalate_days;
    n->pol.report_days = dl_days_of(n->conf.report_day, n->conf.report_day_month, n->conf.report_day_quarter,
                                    n->conf.report_day_half, n->conf.report_day_year);
    if (due_parse_offsets(&n->pol, n->conf.remind_days, e) < 0 || due_parse_time(&n->pol, n->conf.send_at, e) < 0) {
        char why[sizeof e->msg];
        str_copy(why, sizeof why, e->msg);
        err_set(e, "[notifier] %s", why);
        return -1;
    }
    n->channels = (*n->conf.smtp_url ? 1u << CH_SMTP : 1u << CH_FILE) | (*n->conf.webhook_url ? 1u << CH_WEBHOOK : 0);
    return 0;
}

int main(int argc, char **argv)
{
    notifier n;
    memset(&n, 0, sizeof n);
    marks_init(&n.owed);
    int sfd, rc = daemon_start("par-notifier", argc, argv, &n.conf, &n.clk, &sfd);
    if (rc)
        return rc;
    rc = 1;
    par_err e = {{0}};
    void *ctx = NULL;
    char dir[CONF_PATH + 16];
    snprintf(dir, sizeof dir, "%s/notifier", n.conf.data_dir);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (policy_of(&n, &e) < 0 || calendar_load(&n.cal, n.conf.holidays_dir, &e) < 0 ||
        book_open(&n.b, dir, 0, &e) < 0 || !(n.dl = deliver_new(&n.conf, &e)))
        goto fail;
    book_set_follow_up(n.b, n.conf.follow_up);
    /* a failure here (logged) leaves the next recording to take them back first;
     * meanwhile the messages already recorded are delivered */
    alertlog_recover(n.b, (size_t)n.conf.record_chunk,
                     "stopped before its messages were recorded; the next evaluation records them again", &e);
    ctx = zmq_ctx_new();
    follow_ops ops = {&n, seq_of, apply, reset, NULL};
    if (!(n.svc = service_new(ctx, &n.conf, "notifier", &e)) || !(n.fw = follow_new(ctx, &n.conf, &ops, &e)))
        goto fail;
    size_t tasks;
    book_tasks(n.b, &tasks);
    log_info("event=started store=%s seq=%llu tasks=%zu delivery=%s%s holidays=%s", dir,
             (unsigned long long)book_seq(n.b), tasks, *n.conf.smtp_url ? "smtp" : "file",
             *n.conf.webhook_url ? "+webhook" : "", n.conf.holidays_dir);
    for (;;) {
        int64_t seq = (int64_t)book_seq(n.b);
        int64_t now = clock_mono_ms();
        /* evaluation waits for the copy of the record to be current: alerting from a
         * half-replayed log would chase tasks already reported done */
        if (follow_caught_up(n.fw) && now >= n.next_eval)
            evaluate(&n);
        if (now >= n.next_scan)
            start_deliveries(&n);
        pv *info = service_due(n.svc, seq) ? stats(&n) : NULL;
        int wait = service_tick(n.svc, seq, info);
        pv_free(info);
        now = clock_mono_ms();
        if (follow_caught_up(n.fw) && n.next_eval - now < wait)
            wait = (int)(n.next_eval > now ? n.next_eval - now : 0);
        if (n.next_scan - now < wait)
            wait = (int)(n.next_scan > now ? n.next_scan - now : 0);
        zmq_pollitem_t items[FOLLOW_ITEMS + 2 + DELIVER_MAX_ITEMS * 2];
        wait = follow_prepare(n.fw, items, wait);
        items[FOLLOW_ITEMS] = (zmq_pollitem_t){service_socket(n.svc), 0, ZMQ_POLLIN, 0};
        items[FOLLOW_ITEMS + 1] = (zmq_pollitem_t){NULL, sfd, ZMQ_POLLIN, 0};
        int k = deliver_prepare(n.dl, items + FOLLOW_ITEMS + 2, DELIVER_MAX_ITEMS * 2, &wait);
        if (zmq_poll(items, FOLLOW_ITEMS + 2 + k, wait) < 0 && zmq_errno() != EINTR) {
            err_set(&e, "poll: %s", zmq_strerror(zmq_errno()));
            goto fail;
        }
        if (daemon_stopping(&items[FOLLOW_ITEMS + 1], sfd, &n.conf))
            break;
        follow_handle(n.fw, items);
        if (items[FOLLOW_ITEMS].revents & ZMQ_POLLIN)
            on_request(&n);
        deliver_perform(n.dl, delivered, &n);
    }
    service_bye(n.svc);
    if (n.owed.n) { /* a last try; what stays owed goes out again after the restart */
        par_err me = {{0}};
        if (marks_settle(&n.owed, n.b, clock_now_ms(&n.clk), n.conf.retry_s, &me) != 1)
            log_error("event=marks_unwritten count=%d error=\"%s\"", n.owed.n, me.msg);
    }
    rc = 0;
fail:
    if (rc)
        fprintf(stderr, "par-notifier: %s\n", e.msg);
    deliver_destroy(n.dl);
    service_destroy(n.svc);
    follow_destroy(n.fw);
    if (ctx)
        zmq_ctx_term(ctx);
    book_close(n.b);
    calendar_destroy(n.cal);
    curl_global_cleanup();
    if (sfd >= 0)
        close(sfd);
    return rc;
}
