/* par-broker: the one public endpoint. Routes each request to a service by name,
 * answers "service unavailable" at once when the service is down, and carries the
 * internal event bus (XSUB for publishers, XPUB for subscribers). */
#include "broker.h"
#include "fair.h"
#include "zap.h"
#include "../common/daemon.h"
#include "../common/keys.h"
#include "../common/log.h"

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

typedef struct {
    void *front, *internal, *back, *xsub, *xpub;
    zap *zap; /* CURVE on: who may come in */
    broker reg;
    fair *fq[BROKER_MAX_SERVICES]; /* what may go to each service of reg, and what waits */
    par_config conf;
    int64_t next_tick;
} state;

/* Reads every frame of one message (up to max); returns the count, 0 when none is waiting. */
static int recv_all(void *sock, zmq_msg_t *parts, int max)
{
    int n = 0, more = 1;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, sock, n ? 0 : ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            break;
        }
        more = zmq_msg_more(&m);
        if (n < max)
            parts[n++] = m;
        else {
            zmq_msg_close(&m);
            n = max + 1; /* too many frames: the caller drops the message */
            while (more) {
                zmq_msg_init(&m);
                zmq_msg_recv(&m, sock, 0);
                more = zmq_msg_more(&m);
                zmq_msg_close(&m);
            }
            break;
        }
    }
    return n;
}

static void close_all(zmq_msg_t *parts, int n)
{
    for (int i = 0; i < n; i++)
        zmq_msg_close(&parts[i]);
}

/* Sends frames as one message without copying them: each is handed to ZeroMQ (and left
 * empty) as it is sent. -1 when the first frame is refused (an unknown routing id, a
 * full queue): then nothing was sent and every frame is still the caller's. */
static int send_frames(void *sock, zmq_msg_t *f, int n)
{
    for (int i = 0; i < n; i++)
        if (zmq_msg_send(&f[i], sock, (i < n - 1 ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT) < 0)
            return -1; /* past the first frame a routed message is not refused */
    return 0;
}

static void frame_copy(zmq_msg_t *m, const void *data, size_t len)
{
    zmq_msg_init_size(m, len);
    memcpy(zmq_msg_data(m), data, len);
}

static void reply_client(void *sock, zmq_msg_t *cid, const pv *msg)
{
    char *buf;
    size_t len;
    proto_encode(msg, &buf, &len);
    const void *parts[] = {zmq_msg_data(cid), buf};
    size_t lens[] = {zmq_msg_size(cid), len};
    if (sock_send_parts(sock, parts, lens, 2, ZMQ_DONTWAIT) < 0)
        log_debug("event=client_gone error=\"%s\"", zmq_strerror(zmq_errno()));
    free(buf);
}

/* A request from a client: on the public endpoint, or on the internal ipc one that
 * only processes of this server can reach (file permissions of data_dir/run). */

/* The sender as the broker vouches for it: the key's role and name with CURVE,
 * "internal" for this server's own processes, else where it came from. */
static void sender_of(const state *st, void *sock, zmq_msg_t *body, char *out, size_t n)
{
    const char *addr = zmq_msg_gets(body, "Peer-Address");
    if (sock == st->internal)
        snprintf(out, n, "internal");
    else if (st->zap)
        snprintf(out, n, "%s", zmq_msg_gets(body, "User-Id"));
    else
        snprintf(out, n, "anonymous@%s", addr ? addr : "local");
}

/* "service unavailable": down (the broker's word: parctl gives up soon), or busy (why:
 * its queue for this client is full; sent again later). */
static void answer_unavailable(void *sock, zmq_msg_t *cid, int64_t id, const char *service, const char *busy)
{
    char text[700];
    if (busy)
        snprintf(text, sizeof text, "service %s unavailable: %s", service, busy);
    else
        snprintf(text, sizeof text, "service %s unavailable", service);
    pv *err = proto_error(id, "unavailable", text);
    if (!busy)
        pv_set(err, "down", pv_bool(1)); /* the broker's word, not a service catching up */
    reply_client(sock, cid, err);
    pv_free(err);
}

/* The request of a waiting item, answered unavailable (its service went away). */
static void item_refuse(fair_item *it, const char *service)
{
    char type[16];
    int64_t id = 0;
    proto_peek_head(zmq_msg_data(&it->body), zmq_msg_size(&it->body), type, &id);
    answer_unavailable(it->sock, &it->cid, id, service, NULL);
    fair_item_close(it);
}

/* Everything waiting for service s answered unavailable: it is down. */
static void drain(state *st, broker_service *s)
{
    fair_item it;
    while (fair_drain(st->fq[s - st->reg.svc], &it))
        item_refuse(&it, s->name);
}

/* Sends an item to service s: [worker, client id, sender, body], without copying the
 * body; answers unavailable when it cannot go (the service's connection is gone). */
static void send_item(state *st, broker_service *s, fair_item *it)
{
    zmq_msg_t f[4];
    frame_copy(&f[0], s->worker, s->worker_len);
    zmq_msg_init(&f[1]);
    zmq_msg_copy(&f[1], &it->cid); /* kept for an "unavailable" answer */
    zmq_msg_init(&f[2]);
    zmq_msg_move(&f[2], &it->sender);
    size_t bytes = zmq_msg_size(&it->body);
    zmq_msg_init(&f[3]);
    zmq_msg_copy(&f[3], &it->body); /* a reference, not a copy of the bytes */
    int sent = send_frames(st->back, f, 4) == 0;
    int err = sent ? 0 : zmq_errno();
    close_all(f, 4);
    if (sent) {
        fair_sent(st->fq[s - st->reg.svc], &it->cid, bytes);
        fair_item_close(it);
        return;
    }
    item_refuse(it, s->name);
    if (err == EHOSTUNREACH) { /* its connection is gone: down now, not at expiry */
        broker_gone(&st->reg, s);
        drain(st, s);
    }
}

/* What waits for service s and may go now, in turn among clients. */
static void dispatch(state *st, broker_service *s)
{
    fair_item it;
    while (s->up && fair_next(st->fq[s - st->reg.svc], s->generation, &it))
        send_item(st, s, &it);
}

static int on_client(state *st, void *sock, int64_t now)
{
    zmq_msg_t p[4];
    int n = recv_all(sock, p, 3);
    if (n == 0)
        return 0;
    if (n != 3) {
        log_warn("event=bad_request frames=%d", n);
        close_all(p, n > 3 ? 3 : n);
        return 1;
    }
    char service[64] = "";
    size_t sl = zmq_msg_size(&p[1]);
    if (sl && sl < sizeof service)
        memcpy(service, zmq_msg_data(&p[1]), sl), service[sl] = '\0';
    char type[16];
    int64_t id = 0;
    int ok = proto_peek_head(zmq_msg_data(&p[2]), zmq_msg_size(&p[2]), type, &id) == 0;
    if (!ok || !service[0]) {
        pv *err = proto_error(id, "bad_request", !service[0] ? "no service named" : "malformed message");
        reply_client(sock, &p[0], err);
        pv_free(err);
    } else if (sock == st->front && st->zap && !zap_allowed(st->zap, zmq_msg_gets(&p[2], "User-Id"))) {
        /* ZAP ran when the connection opened; a key revoked since is refused here */
        pv *err = proto_error(id, "forbidden", "this key is not registered (or was revoked) at the provincial server");
        reply_client(sock, &p[0], err);
        pv_free(err);
    } else if (!strcmp(service, "broker")) {
        pv *msg = NULL;
        par_err e;
        pv *out;
        if (proto_decode(zmq_msg_data(&p[2]), zmq_msg_size(&p[2]), &msg, &e) < 0)
            out = proto_error(id, "bad_request", e.msg);
        else if (!strcmp(proto_type(msg), MSG_QUERY) && !strcmp(pv_get_str(msg, "q"), "status"))
            out = proto_reply(id, broker_status(&st->reg, now));
        else if (!strcmp(proto_type(msg), MSG_QUERY) && !strcmp(pv_get_str(msg, "q"), "agent")) {
            char sender[128];
            sender_of(st, sock, &p[2], sender, sizeof sender);
            if (broker_agent_seen(&st->reg, pv_get(msg, "args"), sender, now, &e) < 0) {
                log_warn("event=agent_refused sender=%s reason=\"%s\"", sender, e.msg);
                out = proto_error(id, "bad_request", e.msg);
            } else {
                out = proto_reply(id, NULL);
            }
        } else
            out = proto_error(id, "bad_request", "the broker answers the status and agent queries only");
        reply_client(sock, &p[0], out);
        pv_free(out);
        pv_free(msg);
    } else {
        broker_service *s = broker_find(&st->reg, service, now);
        char sender[128];
        sender_of(st, sock, &p[2], sender, sizeof sender);
        if (!s) {
            answer_unavailable(sock, &p[0], id, service, NULL);
        } else {
            /* the client's id and the body move on as they came, now or in turn */
            fair *fq = st->fq[s - st->reg.svc];
            fair_item it = {.sock = sock};
            zmq_msg_init(&it.cid);
            zmq_msg_copy(&it.cid, &p[0]);
            frame_copy(&it.sender, sender, strlen(sender));
            zmq_msg_init(&it.body);
            zmq_msg_move(&it.body, &p[2]);
            par_err why;
            int r = fair_offer(fq, s->generation, &it, &why);
            if (r == FAIR_SEND)
                send_item(st, s, &it);
            else if (r == FAIR_BUSY) {
                answer_unavailable(sock, &p[0], id, service, why.msg);
                fair_item_close(&it);
            }
        }
    }
    close_all(p, 3);
    return 1;
}

static int on_service(state *st, int64_t now)
{
    zmq_msg_t p[4];
    int n = recv_all(st->back, p, 3);
    if (n == 0)
        return 0;
    if (n == 2) {
        pv *hb = NULL;
        par_err e;
        if (proto_decode(zmq_msg_data(&p[1]), zmq_msg_size(&p[1]), &hb, &e) == 0 && !strcmp(proto_type(hb), MSG_HB))
            broker_heartbeat(&st->reg, hb, zmq_msg_data(&p[0]), zmq_msg_size(&p[0]), now);
        else
            log_warn("event=bad_service_message error=\"%s\"", hb ? "not a heartbeat" : e.msg);
        pv_free(hb);
    } else if (n == 3) {
        /* an answer: the service has credit again, and what waits in turn may go */
        broker_service *s = NULL;
        for (int i = 0; i < st->reg.n && !s; i++)
            if (st->reg.svc[i].worker_len == zmq_msg_size(&p[0]) &&
                !memcmp(st->reg.svc[i].worker, zmq_msg_data(&p[0]), zmq_msg_size(&p[0])))
                s = &st->reg.svc[i];
        if (s)
            fair_answered(st->fq[s - st->reg.svc], &p[1]);
        /* ROUTER_MANDATORY: a routing id unknown to the public socket belongs to the internal
         * one; the reply moves on without a copy */
        if (send_frames(st->front, p + 1, 2) < 0 && send_frames(st->internal, p + 1, 2) < 0)
            log_debug("event=reply_undeliverable error=\"%s\"", zmq_strerror(zmq_errno()));
        if (s)
            dispatch(st, s);
    } else {
        log_warn("event=bad_service_frames frames=%d", n);
    }
    close_all(p, n > 3 ? 3 : n);
    return 1;
}

/* Moves one whole message from one socket to another (the event bus); 0 when none
 * was waiting. */
static int forward(void *from, void *to)
{
    int more = 1, got = 0;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, from, got ? 0 : ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            return got;
        }
        got = 1;
        more = zmq_msg_more(&m);
        zmq_msg_send(&m, to, (more ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT);
        zmq_msg_close(&m);
    }
    return got;
}

static void tick(state *st, int64_t now)
{
    broker_expire(&st->reg, now);
    for (int i = 0; i < st->reg.n; i++) {
        broker_service *s = &st->reg.svc[i];
        if (!s->up)
            drain(st, s); /* what waited for it is answered; its clients try again later */
        else
            dispatch(st, s); /* a new process of it: what waited goes now */
    }
    pv *hb = proto_msg(MSG_HB);
    pv_set_str(hb, "service", "broker");
    char *buf;
    size_t len;
    proto_encode(hb, &buf, &len);
    for (int i = 0; i < st->reg.n; i++) {
        broker_service *s = &st->reg.svc[i];
        if (!s->up)
            continue;
        const void *parts[] = {s->worker, buf};
        size_t lens[] = {s->worker_len, len};
        sock_send_parts(st->back, parts, lens, 2, ZMQ_DONTWAIT);
    }
    free(buf);
    pv_free(hb);
    st->next_tick = now + st->conf.heartbeat_ms;
}

/* Loopback, ipc and inproc endpoints need no CURVE; anything else does. */
static int endpoint_is_local(const char *ep)
{
    if (!strncmp(ep, "ipc://", 6) || !strncmp(ep, "inproc://", 9))
        return 1;
    const char *h = strstr(ep, "://");
    if (!h)
        return 0;
    h += 3;
    return !strncmp(h, "127.", 4) || !strncmp(h, "localhost:", 10) || !strncmp(h, "[::1]:", 6);
}

static void *open_socket(void *ctx, int type, const char *ep, int do_bind, const char *curve_secret, par_err *e)
{
    void *s = zmq_socket(ctx, type);
    if (!s) {
        err_set(e, "zmq_socket: %s", zmq_strerror(zmq_errno()));
        return NULL;
    }
    sock_defaults(s, 0);
    if (curve_secret) {
        int one = 1;
        zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one);
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, curve_secret, 40);
    }
    if (type == ZMQ_ROUTER) {
        int one = 1;
        zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    }
    if ((do_bind ? zmq_bind(s, ep) : zmq_connect(s, ep)) < 0) {
        err_set(e, "cannot bind %s: %s", ep, zmq_strerror(zmq_errno()));
        zmq_close(s);
        return NULL;
    }
    return s;
}

int main(int argc, char **argv)
{
    state st;
    memset(&st, 0, sizeof st);
    par_clock clk;
    int sfd, rc = daemon_start("par-broker", argc, argv, &st.conf, &clk, &sfd);
    if (rc)
        return rc;
    if (!st.conf.broker_curve && !endpoint_is_local(st.conf.endpoint)) {
        fprintf(stderr, "par-broker: refusing to serve %s without CURVE: set [broker] curve = on\n",
                st.conf.endpoint);
        return 2;
    }
    /* Every batch passes through as a message of up to a few hundred KB, freed once sent.
     * With glibc's defaults a message over the mmap threshold is an mmap of its own, and
     * a heap whose free top passes 128 KB is trimmed: either way the next message lands on
     * fresh pages, and a first touch costs ~12 us a page on the province's VM. 4 agents x
     * 100,000 lines: 9,000 page faults and 250 ms of the broker's CPU, 100 and 110 ms with
     * these two (the heap stays at the peak of what is in flight, which the sockets'
     * high-water marks bound). Both: setting one alone turns off glibc's adaptive threshold
     * and faulted more. */
    if (!mallopt(M_MMAP_THRESHOLD, 32 << 20) || !mallopt(M_TRIM_THRESHOLD, 64 << 20))
        log_warn("event=heap_settings_refused"); /* it runs, only slower */
    rc = 1;
    void *ctx = zmq_ctx_new();
    par_err e = {{0}};
    char run[CONF_PATH + 8], svc_ep[CONF_PATH + 32], in_ep[CONF_PATH + 32], out_ep[CONF_PATH + 32],
        int_ep[CONF_PATH + 32], kdir[CONF_PATH + 16], kpath[CONF_PATH + 64], pub[KEY_Z85] = "", sec[KEY_Z85] = "";
    snprintf(run, sizeof run, "%s/run", st.conf.data_dir);
    config_ipc(&st.conf, "services", svc_ep, sizeof svc_ep);
    config_ipc(&st.conf, "events-in", in_ep, sizeof in_ep);
    config_ipc(&st.conf, "events-out", out_ep, sizeof out_ep);
    config_ipc(&st.conf, "internal", int_ep, sizeof int_ep);
    if (sfd < 0 || dir_make(run, &e) < 0)
        goto fail;
    if (st.conf.broker_curve) {
        /* the ZAP handler first: a CURVE socket bound without one lets every key in */
        keys_dir(st.conf.keys_dir, st.conf.data_dir, kdir, sizeof kdir);
        snprintf(kpath, sizeof kpath, "%s/server.key", kdir);
        if (keys_read_pair(kpath, pub, sec, &e) < 0 || !(st.zap = zap_new(ctx, kdir, &e)))
            goto fail;
    }
    if (!(st.front = open_socket(ctx, ZMQ_ROUTER, st.conf.endpoint, 1, st.zap ? sec : NULL, &e)) ||
        !(st.internal = open_socket(ctx, ZMQ_ROUTER, int_ep, 1, NULL, &e)) ||
        !(st.back = open_socket(ctx, ZMQ_ROUTER, svc_ep, 1, NULL, &e)) ||
        !(st.xsub = open_socket(ctx, ZMQ_XSUB, in_ep, 1, NULL, &e)) ||
        !(st.xpub = open_socket(ctx, ZMQ_XPUB, out_ep, 1, NULL, &e)))
        goto fail;
    if (st.zap && zap_selfcheck(st.zap, ctx, st.conf.endpoint, pub, &e) < 0)
        goto fail;
    /* per client, at most 16 messages wait in the broker (16 x 16 MiB at worst); past that
     * its own socket blocks, so a client that floods is slowed while the router keeps
     * serving the others in turn */
    int hwm = 16;
    zmq_setsockopt(st.front, ZMQ_RCVHWM, &hwm, sizeof hwm);
    int64_t now = clock_mono_ms();
    broker_init(&st.reg, st.conf.expiry_ms, st.conf.agent_silence_s * 1000, st.conf.services, now);
    for (int i = 0; i < BROKER_MAX_SERVICES; i++)
        st.fq[i] = fair_new();
    log_info("event=started endpoint=%s data_dir=%s", st.conf.endpoint, st.conf.data_dir);
    for (;;) {
        now = clock_mono_ms();
        if (now >= st.next_tick)
            tick(&st, now);
        zmq_pollitem_t items[] = {
            {st.front, 0, ZMQ_POLLIN, 0}, {st.back, 0, ZMQ_POLLIN, 0},     {st.xsub, 0, ZMQ_POLLIN, 0},
            {st.xpub, 0, ZMQ_POLLIN, 0},  {NULL, sfd, ZMQ_POLLIN, 0},      {st.internal, 0, ZMQ_POLLIN, 0},
            {st.zap ? zap_socket(st.zap) : NULL, 0, st.zap ? ZMQ_POLLIN : 0, 0},
        };
        int wait = (int)(st.next_tick - now);
        if (zmq_poll(items, st.zap ? 7 : 6, wait < 0 ? 0 : wait) < 0 && zmq_errno() != EINTR) {
            err_set(&e, "poll: %s", zmq_strerror(zmq_errno()));
            goto fail;
        }
        now = clock_mono_ms();
        if (daemon_stopping(&items[4], sfd, &st.conf))
            break;
        /* only the sockets zmq_poll found readable (it asks each for ZMQ_EVENTS, so one
         * left unread shows again next time), a bounded number each so that every socket
         * is served: trying the others too cost a poll() and a getpid() each, about a
         * fifth of the broker's system calls for one request */
        int in[7];
        for (int i = 0; i < 7; i++)
            in[i] = (items[i].revents & ZMQ_POLLIN) != 0;
        for (int i = 0; in[1] && i < 1000 && on_service(&st, now); i++)
            ;
        if (st.zap && in[6])
            zap_handle(st.zap);
        for (int i = 0; in[0] && i < 1000 && on_client(&st, st.front, now); i++)
            ;
        for (int i = 0; in[5] && i < 1000 && on_client(&st, st.internal, now); i++)
            ;
        for (int i = 0; in[2] && i < 10000 && forward(st.xsub, st.xpub); i++)
            ;
        while (in[3] && forward(st.xpub, st.xsub))
            ;
    }
    rc = 0;
fail:
    if (rc)
        fprintf(stderr, "par-broker: %s\n", e.msg[0] ? e.msg : "cannot start");
    for (int i = 0; i < BROKER_MAX_SERVICES; i++)
        fair_destroy(st.fq[i]);
    broker_free(&st.reg);
    void *socks[] = {st.front, st.internal, st.back, st.xsub, st.xpub};
    for (int i = 0; i < 5; i++)
        if (socks[i])
            zmq_close(socks[i]);
    zap_destroy(st.zap);
    zmq_ctx_term(ctx);
    if (sfd >= 0)
        close(sfd);
    return rc;
}
