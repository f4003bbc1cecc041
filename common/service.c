#include "service.h"
#include "clock.h"
#include "daemon.h"
#include "log.h"
#include "version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

struct service {
    void *sock;
    char name[64];
    int hb_ms;
    int64_t next_hb;
    int64_t last_sent, last_seq;
    char raw_type[16];
};

#define SEQ_HB_MS 20 /* soonest heartbeat after the sequence number moves: at most 50/s under load */

service *service_new(void *ctx, const par_config *conf, const char *name, par_err *e)
{
    service *s = xcalloc(1, sizeof *s);
    char ep[CONF_PATH + 32];
    config_ipc(conf, "services", ep, sizeof ep);
    s->sock = zmq_socket(ctx, ZMQ_DEALER);
    if (!s->sock) {
        err_set(e, "zmq_socket: %s", zmq_strerror(zmq_errno()));
        free(s);
        return NULL;
    }
    sock_defaults(s->sock, 2000);
    if (zmq_connect(s->sock, ep) < 0) {
        err_set(e, "connect %s: %s", ep, zmq_strerror(zmq_errno()));
        zmq_close(s->sock);
        free(s);
        return NULL;
    }
    str_copy(s->name, sizeof s->name, name);
    s->hb_ms = conf->heartbeat_ms;
    s->next_hb = 0;
    return s;
}

void service_destroy(service *s)
{
    if (!s)
        return;
    zmq_close(s->sock);
    free(s);
}

void *service_socket(service *s)
{
    return s->sock;
}

static int recv_part(void *sock, zmq_msg_t *m, int *more)
{
    zmq_msg_init(m);
    if (zmq_msg_recv(m, sock, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(m);
        return -1;
    }
    *more = zmq_msg_more(m);
    return 0;
}

void service_keep_raw(service *s, const char *type)
{
    snprintf(s->raw_type, sizeof s->raw_type, "%s", type);
}

int service_recv(service *s, service_req *r)
{
    memset(r, 0, sizeof *r);
    zmq_msg_t parts[3];
    int n = 0, more = 1;
    while (more) {
        zmq_msg_t m;
        if (recv_part(s->sock, &m, &more) < 0) {
            if (n == 0 && zmq_errno() == EAGAIN)
                return 0;
            for (int i = 0; i < n; i++)
                zmq_msg_close(&parts[i]);
            return n == 0 ? 0 : -1;
        }
        if (n < 3)
            parts[n++] = m;
        else
            zmq_msg_close(&m); /* more frames than the protocol has: dropped below */
    }
    int rc = 0;
    if (n == 1) {
        /* a broker heartbeat: nothing to answer */
        rc = 0;
    } else if (n == 3 && zmq_msg_size(&parts[0]) < sizeof r->client && zmq_msg_size(&parts[1]) < sizeof r->sender) {
        r->client_len = zmq_msg_size(&parts[0]);
        memcpy(r->client, zmq_msg_data(&parts[0]), r->client_len);
        memcpy(r->sender, zmq_msg_data(&parts[1]), zmq_msg_size(&parts[1]));
        r->sender[zmq_msg_size(&parts[1])] = '\0';
        if (proto_peek_head(zmq_msg_data(&parts[2]), zmq_msg_size(&parts[2]), r->type, &r->id) < 0)
            r->type[0] = '\0';
        if (s->raw_type[0] && !strcmp(r->type, s->raw_type)) {
            zmq_msg_init(&r->body);
            zmq_msg_move(&r->body, &parts[2]);
            r->raw = 1;
        } else if (proto_decode(zmq_msg_data(&parts[2]), zmq_msg_size(&parts[2]), &r->msg, &r->err) < 0) {
            r->msg = NULL;
        }
        rc = 1;
    } else {
        log_warn("event=bad_frames count=%d", n);
    }
    for (int i = 0; i < n; i++)
        zmq_msg_close(&parts[i]);
    return rc;
}

void service_req_free(service_req *r)
{
    pv_free(r->msg);
    r->msg = NULL;
    if (r->raw)
        zmq_msg_close(&r->body);
    r->raw = 0;
}

int service_reply(service *s, const service_req *r, const pv *msg)
{
    char *buf;
    size_t len;
    proto_encode(msg, &buf, &len);
    const void *parts[] = {r->client, buf};
    size_t lens[] = {r->client_len, len};
    int rc = sock_send_parts(s->sock, parts, lens, 2, ZMQ_DONTWAIT);
    if (rc < 0)
        log_warn("event=reply_dropped id=%lld error=\"%s\"", (long long)r->id, zmq_strerror(zmq_errno()));
    free(buf);
    return rc;
}

static void send_hb(service *s, int64_t seq, const pv *info, int bye)
{
    pv *m = proto_msg(MSG_HB);
    pv_set_str(m, "service", s->name);
    pv_set_int(m, "seq", seq);
    pv *i = info ? pv_copy(info) : pv_map();
    pv_set_str(i, "version", PAR_VERSION);
    pv_set_int(i, "pid", getpid());
    if (bye)
        pv_set(i, "stopping", pv_bool(1));
    pv_set(m, "info", i);
    char *buf;
    size_t len;
    proto_encode(m, &buf, &len);
    zmq_send(s->sock, buf, len, ZMQ_DONTWAIT);
    free(buf);
    pv_free(m);
}

int service_due(const service *s, int64_t seq)
{
    int64_t now = clock_mono_ms();
    return now >= s->next_hb || (seq != s->last_seq && now >= s->last_sent + SEQ_HB_MS);
}

int service_tick(service *s, int64_t seq, const pv *info)
{
    int64_t now = clock_mono_ms();
    if (service_due(s, seq)) {
        send_hb(s, seq, info, 0);
        s->next_hb = now + s->hb_ms;
        s->last_sent = now;
        s->last_seq = seq;
    }
    int64_t next = s->next_hb;
    if (seq != s->last_seq && s->last_sent + SEQ_HB_MS < next)
        next = s->last_sent + SEQ_HB_MS;
    return next > now ? (int)(next - now) : 0;
}

void service_bye(service *s)
{
    send_hb(s, 0, NULL, 1);
}

const char *service_on_behalf(const char *sender, const char *as, char *out, size_t n)
{
    if (strcmp(sender, "internal") || !as || !*as) {
        str_copy(out, n, sender);
        return out;
    }
    static const char *const roles[] = {"unit:", "appraiser:", "leader:", "admin:"};
    int ok = 0;
    for (size_t i = 0; i < sizeof roles / sizeof roles[0] && !ok; i++) {
        size_t l = strlen(roles[i]);
        if (strncmp(as, roles[i], l) || !as[l] || strlen(as) >= n)
            continue;
        const char *name = as + l, *slash = i == 0 ? strchr(name, '/') : NULL; /* unit:U/USER */
        ok = !slash ? !strpbrk(name, ":|/ ")
                    : slash > name && slash[1] && !strpbrk(slash + 1, ":|/ ") && !memchr(name, ':', (size_t)(slash - name)) &&
                          !memchr(name, '|', (size_t)(slash - name)) && !memchr(name, ' ', (size_t)(slash - name));
    }
    str_copy(out, n, ok ? as : "unit:-");
    return out;
}

int service_sender_unit(const char *sender, char *out, size_t n)
{
    if (!sender || strncmp(sender, "unit:", 5))
        return 0;
    const char *u = sender + 5, *slash = strchr(u, '/');
    snprintf(out, n, "%.*s", (int)(slash ? (size_t)(slash - u) : strlen(u)), u);
    return 1;
}

const char *service_sent_on(const char *sender, const char *date, const char *received)
{
    int unit = sender && !strncmp(sender, "unit:", 5);
    return !unit && date && *date ? date : received ? received : "";
}

const char *service_query_sender(const service_req *r, char *out, size_t n)
{
    const pv *args = r->msg ? pv_get(r->msg, "args") : NULL;
    return service_on_behalf(r->sender, args ? pv_get_str(args, "as") : NULL, out, n);
}
