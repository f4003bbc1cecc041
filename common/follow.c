#include "follow.h"
#include "client.h"
#include "clock.h"
#include "daemon.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CATCHUP_PAGE 5000 /* the collector's largest page: fewer, larger transactions when far behind */
#define CATCHUP_RETRY_MS 1000
#define CATCHUP_TIMEOUT_MS 5000
#define EVENTS_PER_ROUND 5000
/* after a failed apply (a full disk): waits doubling to this, not a spin */
#define APPLY_RETRY_MAX_MS 10000

struct follow {
    follow_ops ops;
    client *cl;
    void *sub;
    int caught_up;
    int64_t pending;      /* id of the catch-up request in flight, 0 when none */
    int64_t next_request; /* monotonic ms */
    int64_t retry_ms;     /* the wait after a failed apply, doubling; 0 after a success */
    char last_error[256]; /* said once, not at every retry */
    event_batch batch;    /* decoded events, reused */
};

follow *follow_new(void *zctx, const par_config *conf, const follow_ops *ops, par_err *e)
{
    follow *f = xcalloc(1, sizeof *f);
    f->ops = *ops;
    event_batch_init(&f->batch);
    char out_ep[CONF_PATH + 32], internal[CONF_PATH + 32];
    config_ipc(conf, "events-out", out_ep, sizeof out_ep);
    config_ipc(conf, "internal", internal, sizeof internal);
    f->sub = zmq_socket(zctx, ZMQ_SUB);
    sock_defaults(f->sub, 0);
    zmq_setsockopt(f->sub, ZMQ_SUBSCRIBE, "", 0);
    if (zmq_connect(f->sub, out_ep) < 0) {
        err_set(e, "connect to the event bus: %s", zmq_strerror(zmq_errno()));
        follow_destroy(f);
        return NULL;
    }
    /* the collector is asked through the broker's internal socket: no key needed on this server */
    if (!(f->cl = client_new_at(conf, internal, e))) {
        follow_destroy(f);
        return NULL;
    }
    return f;
}

void follow_destroy(follow *f)
{
    if (!f)
        return;
    if (f->sub)
        zmq_close(f->sub);
    client_destroy(f->cl);
    event_batch_free(&f->batch);
    free(f);
}

int follow_caught_up(const follow *f)
{
    return f->caught_up;
}

void follow_resync(follow *f)
{
    f->caught_up = 0;
    if (!f->retry_ms) /* after a failed apply, its wait stands */
        f->next_request = 0;
}

static void apply(follow *f, const event_batch *events)
{
    par_err e = {{0}};
    int rc = f->ops.apply(f->ops.ctx, events, &e);
    if (rc < 0) {
        /* nothing was applied: the changes are asked again after a wait, without a spin */
        f->retry_ms = f->retry_ms ? f->retry_ms * 2 : CATCHUP_RETRY_MS;
        if (f->retry_ms > APPLY_RETRY_MAX_MS)
            f->retry_ms = APPLY_RETRY_MAX_MS;
        if (strcmp(e.msg, f->last_error)) {
            log_error("event=apply_failed error=\"%s\" retry_ms=%lld", e.msg, (long long)f->retry_ms);
            str_copy(f->last_error, sizeof f->last_error, e.msg);
        }
        f->caught_up = 0;
        f->pending = 0;
        f->next_request = clock_mono_ms() + f->retry_ms;
        return;
    }
    if (f->retry_ms) {
        log_info("event=apply_recovered");
        f->retry_ms = 0;
        f->last_error[0] = '\0';
    }
    if (rc == 1 && f->caught_up) {
        log_info("event=gap applied=%llu", (unsigned long long)f->ops.seq(f->ops.ctx));
        f->caught_up = 0;
        f->next_request = 0;
    }
}

static void request_changes(follow *f)
{
    pv *q = proto_msg(MSG_QUERY), *args = pv_map();
    char since[32], limit[16];
    f->pending = client_next_id(f->cl);
    pv_set_int(q, "id", f->pending);
    pv_set_str(q, "q", "changes");
    snprintf(since, sizeof since, "%llu", (unsigned long long)f->ops.seq(f->ops.ctx));
    snprintf(limit, sizeof limit, "%d", CATCHUP_PAGE);
    pv_set_str(args, "since", since);
    pv_set_str(args, "limit", limit);
    pv_set(q, "args", args);
    par_err e;
    if (client_send(f->cl, "collector", q, &e) != 1)
        f->pending = 0;
    f->next_request = clock_mono_ms() + (f->pending ? CATCHUP_TIMEOUT_MS : CATCHUP_RETRY_MS);
    pv_free(q);
}

/* A refusal from the collector (or the broker), said in the log. */
static void refused(follow *f, const zmq_msg_t *m)
{
    pv *err = NULL;
    par_err e;
    proto_decode(zmq_msg_data((zmq_msg_t *)m), zmq_msg_size((zmq_msg_t *)m), &err, &e);
    log_warn("event=catch_up_refused error=\"%s\"", pv_get_str(err, "message") ? pv_get_str(err, "message") : "?");
    pv_free(err);
    f->next_request = clock_mono_ms() + CATCHUP_RETRY_MS;
}

static int on_changes(follow *f)
{
    par_err e;
    int applied = 0;
    for (;;) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (client_recv_raw(f->cl, 0, &m, &e) <= 0) {
            zmq_msg_close(&m);
            break;
        }
        char type[16];
        int64_t id = -1;
        /* a reply that names no request (id 0) is nobody's answer, even with none pending */
        if (proto_peek_head(zmq_msg_data(&m), zmq_msg_size(&m), type, &id) < 0 || !f->pending || id != f->pending) {
            zmq_msg_close(&m);
            continue;
        }
        f->pending = 0;
        uint64_t last = 0;
        event_batch_clear(&f->batch);
        if (strcmp(type, MSG_REPLY)) {
            refused(f, &m);
            zmq_msg_close(&m);
            continue;
        }
        if (event_batch_add_changes(&f->batch, zmq_msg_data(&m), zmq_msg_size(&m), &last, &e) < 0) {
            log_warn("event=catch_up_refused error=\"%s\"", e.msg);
            f->next_request = clock_mono_ms() + CATCHUP_RETRY_MS;
            zmq_msg_close(&m);
            continue;
        }
        zmq_msg_close(&m);
        if (f->ops.seq(f->ops.ctx) > last) {
            /* ahead of the record (a collector restored from an older backup): what this
             * process holds no longer matches the record, so it starts again from it */
            log_warn("event=ahead_of_record seq=%llu collector_seq=%llu action=rebuild",
                     (unsigned long long)f->ops.seq(f->ops.ctx), (unsigned long long)last);
            int failed = f->ops.reset(f->ops.ctx, &e) < 0;
            if (failed)
                log_error("event=reset_failed error=\"%s\"", e.msg);
            f->caught_up = 0;
            /* a reset that could not write (a full disk) is tried again after a wait, not
             * at once round after round */
            f->next_request = failed ? clock_mono_ms() + CATCHUP_RETRY_MS : 0;
            continue;
        }
        if (f->batch.n) {
            if (f->ops.behind)
                f->ops.behind(f->ops.ctx, last);
            apply(f, &f->batch);
            applied = 1;
        }
        if (f->batch.n == 0 && f->ops.seq(f->ops.ctx) >= last) {
            if (!f->caught_up)
                log_info("event=caught_up seq=%llu", (unsigned long long)f->ops.seq(f->ops.ctx));
            f->caught_up = 1;
            applied = 1; /* being caught up is news too: the owner may now act on what it holds */
        } else {
            if (!f->retry_ms)
                f->next_request = 0; /* more to fetch */
        }
    }
    return applied;
}

static int on_events(follow *f)
{
    event_batch_clear(&f->batch);
    while (f->batch.n < EVENTS_PER_ROUND) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, f->sub, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&msg);
            break;
        }
        par_err e;
        if (event_batch_add_bus(&f->batch, zmq_msg_data(&msg), zmq_msg_size(&msg), &e) < 0)
            log_debug("event=bad_event error=\"%s\"", e.msg);
        zmq_msg_close(&msg);
    }
    int applied = f->batch.n > 0;
    if (applied)
        apply(f, &f->batch);
    return applied;
}

int follow_prepare(follow *f, zmq_pollitem_t *items, int wait)
{
    int64_t now = clock_mono_ms();
    if (!f->caught_up && now >= f->next_request)
        request_changes(f);
    if (!f->caught_up && f->next_request - now < wait)
        wait = (int)(f->next_request > now ? f->next_request - now : 0);
    items[0] = (zmq_pollitem_t){f->sub, 0, ZMQ_POLLIN, 0};
    items[1] = (zmq_pollitem_t){client_socket(f->cl), 0, ZMQ_POLLIN, 0};
    return wait;
}

int follow_handle(follow *f, const zmq_pollitem_t *items)
{
    int applied = 0;
    if (items[1].revents & ZMQ_POLLIN)
        applied |= on_changes(f);
    if (items[0].revents & ZMQ_POLLIN)
        applied |= on_events(f);
    return applied;
}
