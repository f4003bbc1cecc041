/* par-scorer: keeps every index, area and ranking current. It applies the
 * collector's change events as they come, catches up with "changes since N" when
 * it starts or sees a gap, publishes score events, and answers score queries. */
#include "engine.h"
#include "../common/follow.h"
#include "../common/daemon.h"
#include "../common/log.h"
#include "../common/service.h"
#include "../common/validity.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

typedef struct {
    par_config conf;
    par_clock clk;
    engine *en;
    calendar *cal; /* holidays_dir: "on time" counts working days */
    service *svc;
    follow *fw;
    void *pub;
} scorer;

static void publish(scorer *sc, pv *scores)
{
    for (uint32_t i = 0; scores && i < scores->u.a.n; i++) {
        char *buf;
        size_t len;
        proto_encode(scores->u.a.v[i], &buf, &len);
        zmq_send(sc->pub, buf, len, ZMQ_DONTWAIT);
        free(buf);
    }
    pv_free(scores);
}

static uint64_t seq_of(void *ctx)
{
    return engine_seq(((scorer *)ctx)->en);
}

/* Applies changes and publishes the totals they moved. */
static int apply(void *ctx, const event_batch *events, par_err *e)
{
    scorer *sc = ctx;
    pv *scores = NULL;
    int rc = engine_apply(sc->en, events, &scores, e);
    if (rc < 0)
        return rc;
    if (scores && scores->u.a.n)
        log_debug("event=scores_changed count=%u seq=%llu", scores->u.a.n, (unsigned long long)engine_seq(sc->en));
    publish(sc, scores);
    return rc;
}

static int reset(void *ctx, par_err *e)
{
    return engine_reset(((scorer *)ctx)->en, e);
}

/* Far behind ([scorer] bulk_behind changes), copying everything and recomputing once
 * beats recomputing page by page (bench/README.md: national scale). */
static void behind(void *ctx, uint64_t last)
{
    scorer *sc = ctx;
    uint64_t seq = engine_seq(sc->en);
    par_err e = {{0}};
    if (engine_in_bulk(sc->en) || last < seq + (uint64_t)sc->conf.bulk_behind)
        return;
    if (engine_begin_bulk(sc->en, &e) < 0)
        log_error("event=bulk_failed error=\"%s\"", e.msg);
    else
        log_info("event=bulk_catch_up seq=%llu collector_seq=%llu", (unsigned long long)seq,
                 (unsigned long long)last);
}

/* Once caught up in bulk mode, every result is computed at once. */
static void finish_bulk(scorer *sc)
{
    par_err e = {{0}};
    int64_t t0 = clock_mono_ms();
    if (engine_recompute_all(sc->en, &e) < 0)
        log_error("event=recompute_failed error=\"%s\"", e.msg);
    else
        log_info("event=recomputed seq=%llu ms=%lld", (unsigned long long)engine_seq(sc->en),
                 (long long)(clock_mono_ms() - t0));
}

/* A unit's keys and web accounts stop with the unit (its valid_to, on the program's
 * clock): 1 with why when the sender's unit ended before today. */
static int ended(scorer *sc, const char *sender, char *why, size_t n)
{
    char unit[64], now[40], vn[16];
    if (!service_sender_unit(sender, unit, sizeof unit))
        return 0;
    const char *end = engine_unit_end(sc->en, unit);
    clock_format(clock_now_ms(&sc->clk), now);
    if (!*end || strncmp(end, now, 10) >= 0)
        return 0;
    validity_vn(end, vn);
    snprintf(why, n, "unit %s ended on %s (valid_to): its keys and accounts stopped then", unit, vn);
    log_info("event=refused sender=%s reason=unit_ended valid_to=%s", sender, end);
    return 1;
}

/* Memory went back to the replica (a commit failed at its time, in a backup or at the
 * end of a bulk load; a reset): what came after is asked again, and until then queries
 * are told the scorer is catching up. */
static void went_back(scorer *sc)
{
    if (engine_went_back(sc->en))
        follow_resync(sc->fw);
}

/* The replica's commit, when its time has come: after the answers, so that none waits
 * for the disk. */
static void commit_due(scorer *sc, int stopping)
{
    par_err e = {{0}};
    if (!stopping && engine_commit_in(sc->en, clock_mono_ms()) != 0)
        return;
    if (engine_commit(sc->en, &e) < 0)
        log_error("event=commit_failed error=\"%s\" seq=%llu", e.msg, (unsigned long long)engine_seq(sc->en));
}

static void on_request(scorer *sc)
{
    service_req r;
    for (;;) {
        went_back(sc); /* before each answer: the end of a bulk load or a backup just before
                        * may have failed its commit */
        if (service_recv(sc->svc, &r) != 1)
            break;
        pv *out;
        par_err e = {{0}};
        pv *data = NULL;
        char who[256];
        const char *sender = r.msg ? service_query_sender(&r, who, sizeof who) : r.sender;
        if (!r.msg)
            out = proto_error(r.id, "bad_request", r.err.msg);
        else if (strcmp(proto_type(r.msg), MSG_QUERY))
            out = proto_error(r.id, "bad_request", "the scorer answers queries only");
        else if (!strcmp(pv_get_str(r.msg, "q"), "backup") && strchr(sender, ':') &&
                 strncmp(sender, "admin:", 6))
            out = proto_error(r.id, "forbidden", "only admin keys may take backups");
        else if (ended(sc, sender, e.msg, sizeof e.msg))
            out = proto_error(r.id, "forbidden", e.msg);
        else if (!follow_caught_up(sc->fw) && strcmp(pv_get_str(r.msg, "q"), "backup"))
            out = proto_error(r.id, "unavailable", "the scorer is catching up with the collector");
        else if (engine_query(sc->en, r.msg, sender, &data, &e) < 0)
            out = proto_error(r.id, "bad_request", e.msg);
        else
            out = proto_reply(r.id, data);
        service_reply(sc->svc, &r, out);
        pv_free(out);
        service_req_free(&r);
    }
}

static int open_pub(scorer *sc, void *ctx, par_err *e)
{
    char in_ep[CONF_PATH + 32];
    config_ipc(&sc->conf, "events-in", in_ep, sizeof in_ep);
    sc->pub = zmq_socket(ctx, ZMQ_PUB);
    sock_defaults(sc->pub, 1000);
    if (zmq_connect(sc->pub, in_ep) < 0) {
        err_set(e, "connect to the event bus: %s", zmq_strerror(zmq_errno()));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    scorer sc;
    memset(&sc, 0, sizeof sc);
    int sfd, rc = daemon_start("par-scorer", argc, argv, &sc.conf, &sc.clk, &sfd);
    if (rc)
        return rc;
    rc = 1;
    par_err e = {{0}};
    void *ctx = NULL;
    char dir[CONF_PATH + 16];
    snprintf(dir, sizeof dir, "%s/scorer", sc.conf.data_dir);
    if (engine_open(&sc.en, dir, 0, &e) < 0 || calendar_load(&sc.cal, sc.conf.holidays_dir, &e) < 0)
        goto fail;
    engine_set_calendar(sc.en, sc.cal);
    engine_set_report_days(sc.en, dl_days_of(sc.conf.report_day, sc.conf.report_day_month, sc.conf.report_day_quarter,
                                             sc.conf.report_day_half, sc.conf.report_day_year));
    engine_set_merged_prev(sc.en, sc.conf.merged_prev);
    engine_set_commit_ms(sc.en, sc.conf.scorer_commit_ms);
    ctx = zmq_ctx_new();
    follow_ops ops = {&sc, seq_of, apply, reset, behind};
    if (!(sc.svc = service_new(ctx, &sc.conf, "scorer", &e)) || open_pub(&sc, ctx, &e) < 0 ||
        !(sc.fw = follow_new(ctx, &sc.conf, &ops, &e)))
        goto fail;
    log_info("event=started store=%s seq=%llu", dir, (unsigned long long)engine_seq(sc.en));
    for (;;) {
        int64_t seq = (int64_t)engine_seq(sc.en);
        pv *info = NULL;
        if (service_due(sc.svc, seq)) {
            info = engine_stats(sc.en);
            pv_set(info, "caught_up", pv_bool(follow_caught_up(sc.fw)));
        }
        int wait = service_tick(sc.svc, seq, info);
        pv_free(info);
        int commit = engine_commit_in(sc.en, clock_mono_ms());
        if (commit >= 0 && (wait < 0 || commit < wait))
            wait = commit;
        zmq_pollitem_t items[FOLLOW_ITEMS + 2];
        wait = follow_prepare(sc.fw, items, wait);
        items[FOLLOW_ITEMS] = (zmq_pollitem_t){service_socket(sc.svc), 0, ZMQ_POLLIN, 0};
        items[FOLLOW_ITEMS + 1] = (zmq_pollitem_t){NULL, sfd, ZMQ_POLLIN, 0};
        if (zmq_poll(items, FOLLOW_ITEMS + 2, wait) < 0 && zmq_errno() != EINTR) {
            err_set(&e, "poll: %s", zmq_strerror(zmq_errno()));
            goto fail;
        }
        if (daemon_stopping(&items[FOLLOW_ITEMS + 1], sfd, &sc.conf))
            break;
        follow_handle(sc.fw, items);
        if (follow_caught_up(sc.fw) && engine_in_bulk(sc.en))
            finish_bulk(&sc);
        if (items[FOLLOW_ITEMS].revents & ZMQ_POLLIN)
            on_request(&sc);
        commit_due(&sc, 0);
        went_back(&sc);
    }
    commit_due(&sc, 1);
    service_bye(sc.svc);
    rc = 0;
fail:
    if (rc)
        fprintf(stderr, "par-scorer: %s\n", e.msg);
    if (sc.pub)
        zmq_close(sc.pub);
    service_destroy(sc.svc);
    follow_destroy(sc.fw);
    if (ctx)
        zmq_ctx_term(ctx);
    engine_close(sc.en);
    calendar_destroy(sc.cal);
    if (sfd >= 0)
        close(sfd);
    return rc;
}
