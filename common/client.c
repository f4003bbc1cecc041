#include "client.h"
#include "clock.h"
#include "daemon.h"
#include "keys.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

struct client {
    void *ctx, *sock, *mon;
    int refused;
    int curve;          /* CurveZMQ configured (the refusal then names the key) */
    int patience_ms; /* how long "unavailable" answers are retried; 0: until the timeout */
    char endpoint[CONF_STR];
    int64_t next_id;
};

client *client_new(const par_config *conf, par_err *e)
{
    return client_new_at(conf, conf->endpoint, e);
}

client *client_new_at(const par_config *conf, const char *endpoint, par_err *e)
{
    client *c = xcalloc(1, sizeof *c);
    c->ctx = zmq_ctx_new();
    c->sock = zmq_socket(c->ctx, ZMQ_DEALER);
    if (!c->sock) {
        err_set(e, "zmq_socket: %s", zmq_strerror(zmq_errno()));
        goto fail;
    }
    sock_defaults(c->sock, 0);
    /* queue nothing for a broker that is not connected: we re-send ourselves */
    int one = 1;
    zmq_setsockopt(c->sock, ZMQ_IMMEDIATE, &one, sizeof one);
    int ivl = 1000, tmo = 3000;
    zmq_setsockopt(c->sock, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(c->sock, ZMQ_HEARTBEAT_TIMEOUT, &tmo, sizeof tmo);
    if (conf->key_file[0] && endpoint == conf->endpoint) {
        char pub[KEY_Z85], sec[KEY_Z85], server[KEY_Z85];
        if (keys_read_pair(conf->key_file, pub, sec, e) < 0)
            goto fail;
        if (!conf->server_key[0]) {
            err_set(e, "key_file is set but server_key (the broker's public key) is not");
            goto fail;
        }
        if (keys_read_public(conf->server_key, server, e) < 0)
            goto fail;
        zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, server, 40);
        zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, pub, 40);
        zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, sec, 40);
        c->curve = 1;
    }
    /* a refused handshake is silent on the socket itself: watch for it. A handshake cut
     * short (the broker restarting) is retried like any dropped connection. */
    {
        char mon[64];
        snprintf(mon, sizeof mon, "inproc://par-client-monitor-%p", (void *)c);
        zmq_socket_monitor(c->sock, mon, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL);
        c->mon = zmq_socket(c->ctx, ZMQ_PAIR);
        int zero = 0;
        zmq_setsockopt(c->mon, ZMQ_LINGER, &zero, sizeof zero);
        zmq_connect(c->mon, mon);
    }
    str_copy(c->endpoint, sizeof c->endpoint, endpoint);
    if (zmq_connect(c->sock, endpoint) < 0) {
        err_set(e, "cannot use endpoint %s: %s", endpoint, zmq_strerror(zmq_errno()));
        goto fail;
    }
    /* ids unique across runs, so that a reply meant for an earlier process is never taken */
    c->next_id = (clock_mono_ms() & 0xffffffffLL) << 20 | (getpid() & 0xfffff);
    return c;
fail:
    client_destroy(c);
    return NULL;
}

void client_destroy(client *c)
{
    if (!c)
        return;
    if (c->sock) {
        zmq_socket_monitor(c->sock, NULL, 0);
        zmq_close(c->sock);
    }
    if (c->mon)
        zmq_close(c->mon);
    if (c->ctx)
        zmq_ctx_term(c->ctx);
    free(c);
}

const char *client_endpoint(const client *c)
{
    return c->endpoint;
}

int client_refused(client *c, par_err *e)
{
    while (c->mon) {
        zmq_msg_t ev;
        zmq_msg_init(&ev);
        if (zmq_msg_recv(&ev, c->mon, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&ev);
            break;
        }
        uint16_t id = 0;
        if (zmq_msg_size(&ev) >= 2)
            memcpy(&id, zmq_msg_data(&ev), 2); /* the event's number, then its value */
        int more = zmq_msg_more(&ev);
        zmq_msg_close(&ev);
        if (more) { /* the endpoint frame */
            zmq_msg_init(&ev);
            zmq_msg_recv(&ev, c->mon, 0);
            zmq_msg_close(&ev);
        }
        /* the server said no to the key (AUTH), or spoke and disagreed (PROTOCOL: no key
         * where one is asked, a wrong server key); a handshake cut short without a word
         * (a restart, a lossy link, a forwarder resetting) is never that: retried */
        if (id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH || id == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
            c->refused = 1;
    }
    if (c->refused && c->curve)
        err_set(e, "the provincial server at %s refused this client's key (unknown, revoked or missing key; "
                   "see key_file and server_key)", c->endpoint);
    else if (c->refused)
        err_set(e, "the provincial server at %s refused this client's key: it asks for one and none is set "
                   "(set key_file and server_key)", c->endpoint);
    return c->refused;
}

void *client_socket(client *c)
{
    return c->sock;
}

int64_t client_next_id(client *c)
{
    return c->next_id++;
}

int client_send_bytes(client *c, const char *service, const void *buf, size_t len, par_err *e)
{
    const void *parts[] = {service, buf};
    size_t lens[] = {strlen(service), len};
    if (sock_send_parts(c->sock, parts, lens, 2, ZMQ_DONTWAIT) == 0)
        return 1;
    if (zmq_errno() == EAGAIN)
        return 0;
    err_set(e, "send: %s", zmq_strerror(zmq_errno()));
    return -1;
}

int client_send(client *c, const char *service, const pv *msg, par_err *e)
{
    char *buf;
    size_t len;
    proto_encode(msg, &buf, &len);
    int rc = client_send_bytes(c, service, buf, len, e);
    free(buf);
    return rc;
}

int client_wait_writable(client *c, int timeout_ms)
{
    zmq_pollitem_t it = {c->sock, 0, ZMQ_POLLOUT, 0};
    return zmq_poll(&it, 1, timeout_ms) > 0 && (it.revents & ZMQ_POLLOUT);
}

int client_recv_raw(client *c, int timeout_ms, zmq_msg_t *m, par_err *e)
{
    zmq_pollitem_t it = {c->sock, 0, ZMQ_POLLIN, 0};
    int n = zmq_poll(&it, 1, timeout_ms);
    if (n < 0) {
        err_set(e, "poll: %s", zmq_strerror(zmq_errno()));
        return -1;
    }
    if (n == 0 || zmq_msg_recv(m, c->sock, ZMQ_DONTWAIT) < 0)
        return 0;
    int more = zmq_msg_more(m);
    while (more) { /* a reply is one frame; anything after it is dropped */
        zmq_msg_t rest;
        zmq_msg_init(&rest);
        zmq_msg_recv(&rest, c->sock, 0);
        more = zmq_msg_more(&rest);
        zmq_msg_close(&rest);
    }
    return 1;
}

int client_recv(client *c, int timeout_ms, pv **msg, par_err *e)
{
    *msg = NULL;
    zmq_msg_t m;
    zmq_msg_init(&m);
    int rc = client_recv_raw(c, timeout_ms, &m, e);
    if (rc == 1 && proto_decode(zmq_msg_data(&m), zmq_msg_size(&m), msg, e) < 0)
        rc = -1;
    zmq_msg_close(&m);
    return rc;
}

void client_set_patience(client *c, int unavailable_ms)
{
    c->patience_ms = unavailable_ms;
}

int client_call(client *c, const char *service, pv *msg, int timeout_ms, pv **reply, par_err *e)
{
    int64_t first_unavailable = 0;
    int64_t id = client_next_id(c);
    pv_set_int(msg, "id", id);
    int64_t deadline = clock_mono_ms() + timeout_ms;
    int64_t resend_at = 0;
    char last[256] = "no answer";
    int backoff = 200;
    *reply = NULL;
    for (;;) {
        int64_t now = clock_mono_ms();
        if (client_refused(c, e))
            return -1;
        if (now >= deadline) {
            err_set(e, "no answer from %s at %s after %d s (%s)", service, c->endpoint, timeout_ms / 1000, last);
            return -1;
        }
        if (now >= resend_at) {
            int s = client_send(c, service, msg, e);
            if (s < 0)
                return -1;
            if (s == 0) {
                str_copy(last, sizeof last, "the provincial server cannot be reached");
                /* not connected yet: send as soon as a connection is up */
                int64_t left = deadline - now;
                client_wait_writable(c, (int)(left < 250 ? left : 250));
                continue;
            }
            /* a lost request or reply is re-sent; the services are idempotent */
            resend_at = now + 5000;
        }
        int64_t wait = (resend_at < deadline ? resend_at : deadline) - now;
        pv *m;
        par_err re;
        int r = client_recv(c, (int)(wait > 0 ? wait : 0), &m, &re);
        if (r <= 0)
            continue;
        if (pv_get_int(m, "id", -1) != id) {
            pv_free(m);
            continue;
        }
        if (!strcmp(proto_type(m), MSG_ERROR)) {
            const char *code = pv_get_str(m, "code");
            if (code && !strcmp(code, "unavailable")) {
                str_copy(last, sizeof last, pv_get_str(m, "message"));
                /* patience runs only while the broker has the service down: a service
                 * catching up with the record answers unavailable itself, and is waited for */
                int down = pv_get_bool(m, "down", 0);
                if (!down)
                    first_unavailable = 0;
                else if (!first_unavailable)
                    first_unavailable = clock_mono_ms();
                pv_free(m);
                if (down && c->patience_ms > 0 && clock_mono_ms() - first_unavailable >= c->patience_ms) {
                    err_set(e, "%s: the broker at %s has it down (parctl status shows why)", last, c->endpoint);
                    return -1;
                }
                resend_at = clock_mono_ms() + backoff;
                backoff = backoff < 2000 ? backoff * 2 : 2000;
                if (down && c->patience_ms > 0 && resend_at > first_unavailable + c->patience_ms)
                    resend_at = first_unavailable + c->patience_ms; /* one last ask when patience ends */
                continue;
            }
            err_set(e, "%s", pv_get_str(m, "message"));
            /* a refusal is final; a failure to store ("storage") is worth trying again */
            int refused = !code || strcmp(code, "storage");
            pv_free(m);
            return refused ? CLIENT_REFUSED : -1;
        }
        *reply = m;
        return 0;
    }
}
