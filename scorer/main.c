/* par-scorer: keeps every index, area and ranking current. It applies the
 * collector's change events as they come, catches up with "changes since N" when
 * it starts or sees a gap, publishes score events, and answers score queries. */
#include "engine.h"
#include "../common/client.h"
#include "../common/daemon.h"
#include "../common/log.h"
#include "../common/service.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#define CATCHUP_PAGE 2000
#define CATCHUP_RETRY_MS 1000
#define CATCHUP_TIMEOUT_MS 5000
#define EVENTS_PER_ROUND 5000

typedef struct {
    par_config conf;
    par_clock clk;
    engine *en;
    service *svc;
    client *cl;
    void *sub, *pub;
    int caught_up;
    int64_t pending;      /* id of the catch-up request in flight, 0 when none */
    int64_t next_request; /* monotonic ms */
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

/* Applies events; a gap sends the scorer back to the collector for what is missing. */
static void apply(scorer *sc, const pv *events)
{
    pv *scores = NULL;
    par_err e = {{0}};
    int rc = engine_apply(sc->en, events, &scores, &e);
    if (rc < 0) {
        log_error("event=apply_failed error=\"%s\"", e.msg);
        sc->caught_up = 0;
        return;
    }
    if (rc == 1 && sc->caught_up) {
        log_info("event=gap applied=%llu", (unsigned long long)engine_seq(sc->en));
        sc->caught_up = 0;
        sc->next_request = 0;
    }
    if (scores && scores->u.a.n)
        log_debug("event=scores_changed count=%u seq=%llu", scores->u.a.n, (unsigned long long)engine_seq(sc->en));
    publish(sc, scores);
}

static void request_changes(scorer *sc)
{
    pv *q = proto_msg(MSG_QUERY), *args = pv_map();
    char since[32], limit[16];
    sc->pending = client_next_id(sc->cl);
    pv_set_int(q, "id", sc->pending);
    pv_set_str(q, "q", "changes");
    snprintf(since, sizeof since, "%llu", (unsigned long long)engine_seq(sc->en));
    snprintf(limit, sizeof limit, "%d", CATCHUP_PAGE);
    pv_set_str(args, "since", since);
    pv_set_str(args, "limit", limit);
    pv_set(q, "args", args);
    par_err e;
    if (client_send(sc->cl, "collector", q, &e) != 1)
        sc->pending = 0;
    sc->next_request = clock_mono_ms() + (sc->pending ? CATCHUP_TIMEOUT_MS : CATCHUP_RETRY_MS);
    pv_free(q);
}

static void on_changes(scorer *sc)
{
    pv *m;
    par_err e;
    while (client_recv(sc->cl, 0, &m, &e) > 0) {
        if (pv_get_int(m, "id", -1) != sc->pending) {
            pv_free(m);
            continue;
        }
        sc->pending = 0;
        if (strcmp(proto_type(m), MSG_REPLY)) {
            log_warn("event=catch_up_refused error=\"%s\"", pv_get_str(m, "message") ? pv_get_str(m, "message") : "?");
            sc->next_request = clock_mono_ms() + CATCHUP_RETRY_MS;
            pv_free(m);
            continue;
        }
        const pv *data = pv_get(m, "data"), *events = pv_get(data, "events");
        if (engine_seq(sc->en) > (uint64_t)pv_get_int(data, "last", 0)) {
            /* ahead of the record (a collector restored from an older backup): what the
             * scorer holds no longer matches the record, so it starts again from it */
            log_warn("event=ahead_of_record seq=%llu collector_seq=%lld action=rebuild",
                     (unsigned long long)engine_seq(sc->en), (long long)pv_get_int(data, "last", 0));
            if (engine_reset(sc->en, &e) < 0)
                log_error("event=reset_failed error=\"%s\"", e.msg);
            sc->caught_up = 0;
            sc->next_request = 0;
            pv_free(m);
            continue;
        }
        if (events)
            apply(sc, events);
        if (events && events->u.a.n == 0 && engine_seq(sc->en) >= (uint64_t)pv_get_int(data, "last", 0)) {
            if (!sc->caught_up)
                log_info("event=caught_up seq=%llu", (unsigned long long)engine_seq(sc->en));
            sc->caught_up = 1;
        } else {
            sc->next_request = 0; /* more to fetch */
        }
        pv_free(m);
    }
}

static void on_events(scorer *sc)
{
    pv *events = pv_arr();
    for (int i = 0; i < EVENTS_PER_ROUND; i++) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, sc->sub, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&msg);
            break;
        }
        pv *ev = NULL;
        par_err e;
        if (proto_decode(zmq_msg_data(&msg), zmq_msg_size(&msg), &ev, &e) == 0 && !strcmp(proto_type(ev), MSG_EVENT))
            pv_push(events, ev);
        else
            pv_free(ev);
        zmq_msg_close(&msg);
    }
    if (events->u.a.n)
        apply(sc, events);
    pv_free(events);
}

static void on_request(scorer *sc)
{
    service_req r;
    while (service_recv(sc->svc, &r) == 1) {
        pv *out;
        par_err e = {{0}};
        pv *data = NULL;
        if (!r.msg)
            out = proto_error(r.id, "bad_request", r.err.msg);
        else if (strcmp(proto_type(r.msg), MSG_QUERY))
            out = proto_error(r.id, "bad_request", "the scorer answers queries only");
        else if (!strcmp(pv_get_str(r.msg, "q"), "backup") && strchr(r.sender, ':') &&
                 strncmp(r.sender, "admin:", 6))
            out = proto_error(r.id, "forbidden", "only admin keys may take backups");
        else if (!sc->caught_up && strcmp(pv_get_str(r.msg, "q"), "backup"))
            out = proto_error(r.id, "unavailable", "the scorer is catching up with the collector");
        else if (engine_query(sc->en, r.msg, &data, &e) < 0)
            out = proto_error(r.id, "bad_request", e.msg);
        else
            out = proto_reply(r.id, data);
        service_reply(sc->svc, &r, out);
        pv_free(out);
        service_req_free(&r);
    }
}

static int open_bus(scorer *sc, void *ctx, par_err *e)
{
    char out_ep[CONF_PATH + 32], in_ep[CONF_PATH + 32];
    config_ipc(&sc->conf, "events-out", out_ep, sizeof out_ep);
    config_ipc(&sc->conf, "events-in", in_ep, sizeof in_ep);
    sc->sub = zmq_socket(ctx, ZMQ_SUB);
    sc->pub = zmq_socket(ctx, ZMQ_PUB);
    sock_defaults(sc->sub, 0);
    sock_defaults(sc->pub, 1000);
    zmq_setsockopt(sc->sub, ZMQ_SUBSCRIBE, "", 0);
    if (zmq_connect(sc->sub, out_ep) < 0 || zmq_connect(sc->pub, in_ep) < 0) {
        err_set(e, "connect to the event bus: %s", zmq_strerror(zmq_errno()));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    scorer sc;
    memset(&sc, 0, sizeof sc);
    fd_std_ensure();
    if (daemon_setup("par-scorer", &argc, argv, &sc.conf, &sc.clk) < 0)
        return 2;
    if (argc > 1) {
        fprintf(stderr, "usage: par-scorer [-c FILE]\n");
        return 2;
    }
    int rc = 1;
    par_err e = {{0}};
    void *ctx = NULL;
    int sfd = daemon_signalfd();
    char dir[CONF_PATH + 16];
    snprintf(dir, sizeof dir, "%s/scorer", sc.conf.data_dir);
    if (sfd < 0) {
        err_set(&e, "cannot set up signals");
        goto fail;
    }
    if (engine_open(&sc.en, dir, 0, &e) < 0)
        goto fail;
    ctx = zmq_ctx_new();
    /* the collector is asked through the broker's internal socket: no key needed on this server */
    char internal[CONF_PATH + 32];
    config_ipc(&sc.conf, "internal", internal, sizeof internal);
    if (!(sc.svc = service_new(ctx, &sc.conf, "scorer", &e)) || open_bus(&sc, ctx, &e) < 0 ||
        !(sc.cl = client_new_at(&sc.conf, internal, &e)))
        goto fail;
    log_info("event=started store=%s seq=%llu", dir, (unsigned long long)engine_seq(sc.en));
    for (;;) {
        int64_t now = clock_mono_ms();
        if (!sc.caught_up && now >= sc.next_request)
            request_changes(&sc);
        int64_t seq = (int64_t)engine_seq(sc.en);
        pv *info = NULL;
        if (service_due(sc.svc, seq)) {
            info = engine_stats(sc.en);
            pv_set(info, "caught_up", pv_bool(sc.caught_up));
        }
        int wait = service_tick(sc.svc, seq, info);
        pv_free(info);
        if (!sc.caught_up && sc.next_request - now < wait)
            wait = (int)(sc.next_request > now ? sc.next_request - now : 0);
        zmq_pollitem_t items[] = {{sc.sub, 0, ZMQ_POLLIN, 0},
                                  {service_socket(sc.svc), 0, ZMQ_POLLIN, 0},
                                  {client_socket(sc.cl), 0, ZMQ_POLLIN, 0},
                                  {NULL, sfd, ZMQ_POLLIN, 0}};
        if (zmq_poll(items, 4, wait) < 0 && zmq_errno() != EINTR) {
            err_set(&e, "poll: %s", zmq_strerror(zmq_errno()));
            goto fail;
        }
        if (daemon_stopping(&items[3], sfd, &sc.conf))
            break;
        if (items[2].revents & ZMQ_POLLIN)
            on_changes(&sc);
        if (items[0].revents & ZMQ_POLLIN)
            on_events(&sc);
        if (items[1].revents & ZMQ_POLLIN)
            on_request(&sc);
    }
    service_bye(sc.svc);
    rc = 0;
fail:
    if (rc)
        fprintf(stderr, "par-scorer: %s\n", e.msg);
    if (sc.sub)
        zmq_close(sc.sub);
    if (sc.pub)
        zmq_close(sc.pub);
    service_destroy(sc.svc);
    client_destroy(sc.cl);
    if (ctx)
        zmq_ctx_term(ctx);
    engine_close(sc.en);
    if (sfd >= 0)
        close(sfd);
    return rc;
}
