/* par-web: the officials' pages. libmicrohttpd runs inside this daemon's one zmq_poll
 * loop (its epoll descriptor beside the broker's socket, the event bus and the signal
 * descriptor): a page that needs the services sends its questions through the broker's
 * internal socket for the logged-in user ("as"), suspends its connection, and is
 * rendered when the answers are in. Passwords are checked by a worker thread
 * (web/verify.h): nothing blocks the loop. */
#include "html.h"
#include "pages.h"
#include "session.h"
#include "verify.h"
#include "../common/client.h"
#include "../common/clock.h"
#include "../common/validity.h"
#include "../common/daemon.h"
#include "../common/log.h"
#include "../common/service.h"
#include "../proto/event.h"
#include "../proto/pack.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#define WEB_MAX_QUERIES 6
#define WEB_QUERY_MS 10000     /* a page waits this long for the services */
#define WEB_EVENTS_MS 25000    /* a live-update request is answered at least this often */
#define WEB_FORM_BYTES 65536   /* a form's fields, all together (a document uploaded: its own limit) */
#define WEB_FIELDS 200         /* the self-assessment form: a value and a note per criterion */
#define WEB_UPLOADS 8          /* documents received at once: each up to [web] evidence_max_mb in memory */
#define WEB_VERIFYING 16       /* passwords waiting for the worker (about 0,2 s each): past that, 503 */
/* connections in all; no limit per address: behind a reverse proxy they all come from it */
#define WEB_CONNECTIONS 1024

typedef enum { R_NEW, R_WAIT, R_READY } rstate;

typedef struct req req;
struct req {
    req *next;
    struct MHD_Connection *conn;
    struct MHD_PostProcessor *pp;
    char url[256], method[8], addr[64];
    rstate state;
    uint64_t serial; /* this request's number: a password check's answer finds it by it */
    int verify, verify_ok; /* the password check: 0 not asked, 1 running, 2 done, 3 given up */
    char token[SESSION_TOKEN];
    /* the questions to the services and their answers */
    int nq, done;
    int64_t id[WEB_MAX_QUERIES];
    pv *data[WEB_MAX_QUERIES];
    char err[WEB_MAX_QUERIES][256];
    int down[WEB_MAX_QUERIES]; /* no answer from the services: not sent, "unavailable", none in time */
    int64_t deadline;
    int events; /* a live-update request: answered at the next score event */
    /* the form's fields */
    char keys[WEB_FIELDS][32];
    sbuf vals[WEB_FIELDS];
    int nfields;
    size_t form_bytes, file_bytes, file_max;
    char filename[256];
    int too_big;
    int busy;   /* its document not taken: as many as WEB_UPLOADS being received */
    int https;  /* through a proxy on this server that speaks TLS (X-Forwarded-Proto) */
    int upload; /* holds one of those WEB_UPLOADS places */
    /* a document uploaded: sent in pieces, each after the last one's answer */
    sbuf file;
    size_t sent;
    char sha[65];
    char as[160]; /* whom the pieces are sent for */
    int downloading; /* a document fetched in pieces into file */
    /* what to say on the page (after a form) */
    char msg[512];
    int status;
};

typedef struct {
    par_config conf;
    par_clock clk;
    struct MHD_Daemon *d;
    client *cl;
    service *svc;
    void *sub;
    sessions *ses;
    req *reqs;
    int tls;
    char metrics_token[128];
    char tmpdir[CONF_PATH + 16]; /* where workbooks are made before they are sent */
    verifier *vf;
    uint64_t serial;
    int uploads; /* documents being received (WEB_UPLOADS at most) */
    int verifying; /* passwords submitted to the worker, not yet answered */
} web;

/* ---------- requests in flight ---------- */

static req *req_new(web *w, struct MHD_Connection *conn, const char *url, const char *method)
{
    req *r = xcalloc(1, sizeof *r);
    r->conn = conn;
    r->serial = ++w->serial;
    str_copy(r->url, sizeof r->url, url);
    str_copy(r->method, sizeof r->method, method);
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, r->addr, sizeof r->addr);
    else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, r->addr, sizeof r->addr);
    /* behind a reverse proxy on this server the address is the one it forwards: the login
     * throttle counts officials' addresses, not the proxy's. Its last entry: the proxy
     * appends the address it saw to what the client sent, and the first is the client's
     * to write (a new one at each try, and the throttle would never hold) */
    const char *fwd = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
    int local = !strcmp(r->addr, "127.0.0.1") || !strcmp(r->addr, "::1");
    /* the proxy on this server speaks TLS to the browser (docs/web.md): the cookie is Secure
     * and HSTS is sent, as when par-web does TLS itself */
    const char *proto = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
    r->https = local && proto && !strcasecmp(proto, "https");
    if (fwd && local) {
        const char *last = strrchr(fwd, ',');
        last = last ? last + 1 : fwd;
        last += strspn(last, " \t");
        size_t l = strcspn(last, " \t");
        if (l && l < sizeof r->addr) {
            memcpy(r->addr, last, l);
            r->addr[l] = '\0';
        }
    }
    for (int i = 0; i < WEB_FIELDS; i++)
        sbuf_init(&r->vals[i]);
    sbuf_init(&r->file);
    r->file_max = (size_t)w->conf.evidence_max_mb << 20;
    r->next = w->reqs;
    w->reqs = r;
    return r;
}

static void req_free(web *w, req *r)
{
    for (req **p = &w->reqs; *p; p = &(*p)->next)
        if (*p == r) {
            *p = r->next;
            break;
        }
    if (r->pp)
        MHD_destroy_post_processor(r->pp);
    if (r->upload)
        w->uploads--;
    for (int i = 0; i < WEB_MAX_QUERIES; i++)
        pv_free(r->data[i]);
    for (int i = 0; i < WEB_FIELDS; i++) {
        sodium_memzero(r->vals[i].buf ? r->vals[i].buf : (char *)"", r->vals[i].buf ? r->vals[i].len : 0);
        sbuf_free(&r->vals[i]);
    }
    sbuf_free(&r->file);
    free(r);
}

static const char *field(const req *r, const char *k)
{
    for (int i = 0; i < r->nfields; i++)
        if (!strcmp(r->keys[i], k))
            return r->vals[i].buf ? r->vals[i].buf : "";
    return NULL;
}

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                                const char *content_type, const char *encoding, const char *data, uint64_t off,
                                size_t size)
{
    (void)kind, (void)content_type, (void)encoding, (void)off;
    req *r = cls;
    if (filename) { /* a document: bounded by the evidence limit, not the form's */
        r->file_bytes += size;
        if (r->file_bytes > r->file_max) {
            r->too_big = 1;
            return MHD_NO;
        }
        str_copy(r->filename, sizeof r->filename, filename);
        sbuf_add(&r->file, data, size);
        return MHD_YES;
    }
    r->form_bytes += size;
    if (r->form_bytes > WEB_FORM_BYTES) {
        r->too_big = 1;
        return MHD_NO;
    }
    int i = 0;
    while (i < r->nfields && strcmp(r->keys[i], key))
        i++;
    if (i == r->nfields) {
        if (r->nfields == WEB_FIELDS || strlen(key) >= sizeof r->keys[0]) {
            r->too_big = 1;
            return MHD_NO;
        }
        str_copy(r->keys[r->nfields++], sizeof r->keys[0], key);
    }
    sbuf_add(&r->vals[i], data, size);
    return MHD_YES;
}

/* Question slot had no answer from the services (not sent, the service down or busy,
 * none in time): said as why, and answered 503 rather than as a refusal (status_for). */
static void no_answer(req *r, int slot, const char *why)
{
    str_copy(r->err[slot], sizeof r->err[slot], why);
    r->down[slot] = 1;
}

/* Sends one question to a service for the request's user; the answer fills data[slot]. */
static void ask(web *w, req *r, const char *service, const char *q, pv *args, const session *s)
{
    int slot = r->nq++;
    pv *m = proto_msg(MSG_QUERY);
    r->id[slot] = client_next_id(w->cl);
    pv_set_int(m, "id", r->id[slot]);
    pv_set_str(m, "q", q);
    if (s)
        pv_set_str(args, "as", s->as);
    pv_set(m, "args", args);
    par_err e = {{0}};
    if (client_send(w->cl, service, m, &e) != 1) {
        char why[256];
        snprintf(why, sizeof why, "the broker cannot be reached: %.200s", e.msg);
        no_answer(r, slot, why);
        r->done++;
    }
    pv_free(m);
}

/* A submit message for the user: one line. */
static void submit_line(web *w, req *r, const session *s, const char *const fields[8])
{
    int slot = r->nq++;
    static const char *const cols[] = {"unit", "year", "period", "kind", "key", "value", "date", "note"};
    pv *m = proto_msg(MSG_SUBMIT), *c = pv_arr(), *rows = pv_arr(), *row = pv_arr();
    r->id[slot] = client_next_id(w->cl);
    pv_set_int(m, "id", r->id[slot]);
    for (int i = 0; i < 8; i++)
        pv_push(c, pv_str(cols[i]));
    pv_push(row, pv_int(1));
    for (int i = 0; i < 8; i++)
        pv_push(row, pv_str(fields[i]));
    pv_push(rows, row);
    pv_set(m, "cols", c);
    pv_set(m, "rows", rows);
    pv_set_str(m, "file", "par-web");
    pv_set_str(m, "as", s->as);
    par_err e = {{0}};
    if (client_send(w->cl, "collector", m, &e) != 1) {
        no_answer(r, slot, "the broker cannot be reached");
        r->done++;
    }
    pv_free(m);
}

static void wait_answers(web *w, req *r)
{
    r->state = R_WAIT;
    r->deadline = clock_mono_ms() + (r->events ? WEB_EVENTS_MS : WEB_QUERY_MS);
    if (r->done == r->nq && !r->events) {
        r->state = R_READY;
        return;
    }
    MHD_suspend_connection(r->conn);
    (void)w;
}

/* Waits for the questions sent: 1 when the connection is suspended until the answers. */
static int asked(web *w, req *r)
{
    wait_answers(w, r);
    return r->state == R_WAIT;
}

/* Query arguments from name, value pairs ending with KV_END; a NULL or empty value is left
 * out. The end is a typed null pointer: a bare NULL may be an int through "...". */
#define KV_END ((const char *)NULL)
static pv *kv(const char *k, ...)
{
    pv *a = pv_map();
    va_list ap;
    va_start(ap, k);
    for (const char *name = k; name; name = va_arg(ap, const char *)) {
        const char *v = va_arg(ap, const char *);
        if (v && *v)
            pv_set_str(a, name, v);
    }
    va_end(ap);
    return a;
}

static void ready(req *r)
{
    if (r->state == R_WAIT) {
        r->state = R_READY;
        MHD_resume_connection(r->conn);
    }
}

/* A document goes in pieces of at most 4 MiB (collector/evidence.h), each sent once the
 * one before is acknowledged: 1 when a piece went out (the request waits on). */
#define WEB_PIECE (4u << 20)
#define WEB_PART (48u << 10)
static int send_piece(web *w, req *r, const char *as);
static int next_piece(web *w, req *r)
{
    if (r->downloading && r->nq) { /* a document coming back: its next piece, until whole */
        int last = r->nq - 1;
        const pv *d = r->data[last], *parts = d ? pv_get(d, "parts") : NULL;
        if (r->err[last][0] || !parts || parts->t != PV_ARR)
            return 0;
        unsigned char *buf = xmalloc(WEB_PART + 16);
        size_t before = r->file.len;
        for (uint32_t i = 0; i < parts->u.a.n; i++) {
            size_t n = 0;
            if (parts->u.a.v[i]->t != PV_STR ||
                sodium_base642bin(buf, WEB_PART + 16, parts->u.a.v[i]->u.s.p, parts->u.a.v[i]->u.s.n, NULL, &n, NULL,
                                  sodium_base64_VARIANT_ORIGINAL) < 0)
                break;
            sbuf_add(&r->file, buf, n);
        }
        free(buf);
        int64_t size = pv_get_int(d, "size", 0);
        if (r->file.len >= (size_t)size || r->file.len == before || size > (int64_t)r->file_max)
            return 0;
        if (r->nq == WEB_MAX_QUERIES) {
            for (int i = 0; i < r->nq; i++) {
                pv_free(r->data[i]);
                r->data[i] = NULL;
            }
            r->nq = r->done = 0;
        }
        char off[24];
        snprintf(off, sizeof off, "%zu", r->file.len);
        ask(w, r, "collector", "evidence_get", kv("sha256", r->sha, "offset", off, "as", r->as, KV_END), NULL);
        return 1;
    }
    if (!r->file.len || r->sent >= r->file.len || !r->nq)
        return 0;
    int last = r->nq - 1;
    const pv *d = r->data[last];
    if (r->err[last][0] || !d || pv_get_int(d, "next", -1) != (int64_t)r->sent)
        return 0;
    if (r->nq == WEB_MAX_QUERIES) { /* slots reused: the answers so far were all "next" */
        for (int i = 0; i < r->nq; i++) {
            pv_free(r->data[i]);
            r->data[i] = NULL;
            r->err[i][0] = '\0';
            r->down[i] = 0;
        }
        r->nq = r->done = 0;
    }
    return send_piece(w, r, r->as);
}

/* Replies from the broker: each goes to the request that asked. */
static void on_replies(web *w)
{
    pv *m;
    par_err e;
    while (client_recv(w->cl, 0, &m, &e) == 1) {
        int64_t id = pv_get_int(m, "id", -1);
        for (req *r = w->reqs; r; r = r->next)
            for (int i = 0; i < r->nq; i++) {
                if (r->id[i] != id || r->data[i] || r->err[i][0])
                    continue;
                if (!strcmp(proto_type(m), MSG_ERROR)) {
                    /* the broker's word that the service is down or busy: no fault of the page's */
                    r->down[i] = pv_get_str(m, "code") && !strcmp(pv_get_str(m, "code"), "unavailable");
                    str_copy(r->err[i], sizeof r->err[i], pv_get_str(m, "message") ? pv_get_str(m, "message") : "");
                    if (!r->err[i][0])
                        str_copy(r->err[i], sizeof r->err[i], "the service refused");
                } else if (!strcmp(proto_type(m), MSG_ACK)) {
                    r->data[i] = pv_copy(m);
                } else {
                    const pv *d = pv_get(m, "data");
                    r->data[i] = d ? pv_copy(d) : pv_nil();
                }
                if (++r->done == r->nq && !r->events && !next_piece(w, r))
                    ready(r);
            }
        pv_free(m);
    }
}

/* A score event on the bus: every live-update request is answered. */
/* Live pages wait for the scorer's score events, each a single "event" message. The
 * collector's batches of stored lines ("events": every byte of every submission) are
 * not for par-web, and the broker leaves them out when no prefix matches (par-web spent
 * 18-20 ms receiving and peeking them during a 100,000-line push, 2 ms now). A
 * message's head is its map
 * (of 2 + its fields), "v" and "t": one prefix for each count of fields a map header's
 * byte can say. */
static void subscribe_single_events(void *sub)
{
    for (uint32_t fields = 0; fields + 2 <= 15; fields++) {
        sbuf head;
        sbuf_init(&head);
        pack_message(&head, MSG_EVENT, fields);
        zmq_setsockopt(sub, ZMQ_SUBSCRIBE, head.buf, head.len);
        sbuf_free(&head);
    }
}

static void on_bus(web *w)
{
    zmq_msg_t msg;
    int scored = 0;
    for (;;) {
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, w->sub, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&msg);
            break;
        }
        char type[16];
        if (proto_peek_type(zmq_msg_data(&msg), zmq_msg_size(&msg), type) == 0 && !strcmp(type, MSG_EVENT) &&
            memmem(zmq_msg_data(&msg), zmq_msg_size(&msg) < 96 ? zmq_msg_size(&msg) : 96, "score", 5))
            scored = 1;
        zmq_msg_close(&msg);
    }
    if (scored)
        for (req *r = w->reqs; r; r = r->next)
            if (r->events && r->state == R_WAIT)
                ready(r);
}

static void expire(web *w, int64_t now)
{
    for (req *r = w->reqs; r; r = r->next) {
        if (r->state != R_WAIT || now < r->deadline)
            continue;
        for (int i = 0; i < r->nq; i++)
            if (!r->data[i] && !r->err[i][0])
                no_answer(r, i, "no answer from the services in time");
        ready(r);
    }
}

/* ---------- responses ---------- */

static enum MHD_Result respond(web *w, req *r, int status, const char *type, const sbuf *body, const char *cookie,
                               const char *location)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(body ? body->len : 0, body ? body->buf : (char *)"", MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (w->tls || r->https)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    if (cookie)
        MHD_add_response_header(resp, "Set-Cookie", cookie);
    if (location)
        MHD_add_response_header(resp, "Location", location);
    enum MHD_Result rc = MHD_queue_response(r->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result redirect(web *w, req *r, const char *to, const char *cookie)
{
    return respond(w, r, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", NULL, cookie, to);
}

static void cookie(web *w, req *r, char *out, size_t n, const char *name, const char *value, int max_age)
{
    snprintf(out, n, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s%d", name, value, w->tls || r->https ? "; Secure" : "",
             "; Max-Age=", max_age);
}

static html_frame frame_of(const session *s, const char *title, const char *active)
{
    html_frame f = {s->user, s->role, s->unit, s->csrf, title, active};
    return f;
}

static enum MHD_Result html(web *w, req *r, int status, sbuf *b)
{
    enum MHD_Result rc = respond(w, r, status, "text/html; charset=utf-8", b, NULL, NULL);
    sbuf_free(b);
    return rc;
}

static enum MHD_Result error_page(web *w, req *r, const session *s, int status, const char *what, const char *why)
{
    sbuf b;
    sbuf_init(&b);
    html_frame f = frame_of(s, "Không xem được", NULL);
    page_error(&b, &f, what, why);
    return html(w, r, status, &b);
}

static const char *arg(req *r, const char *k)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, k);
}

static int this_year(web *w)
{
    int64_t day;
    int sec, y, m, d;
    clock_local(clock_now_ms(&w->clk), &day, &sec);
    clock_civil_from_days(day, &y, &m, &d);
    return y;
}

/* An answer for slot i, or an error page naming the service's reason. */
static int failed(const req *r, int i)
{
    return r->err[i][0] || !r->data[i];
}

/* A question the services did not answer (no_answer, or the broker's "unavailable") is no
 * fault of what was asked: 503, where a refusal of it is the status given. */
static int status_for(const req *r, int i, int refused)
{
    return r->down[i] ? 503 : refused;
}

/* ---------- pages ---------- */

static enum MHD_Result login_page(web *w, req *r, const char *error, const char *user, int status)
{
    char token[SESSION_TOKEN], c[256];
    /* the form's token is kept while its cookie lives: a second look at /login (the
     * browser's own request for /favicon.ico led there) must not void the form shown */
    const char *have = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "par_form");
    if (have && strlen(have) == SESSION_TOKEN - 1 && strspn(have, "0123456789abcdef") == SESSION_TOKEN - 1)
        str_copy(token, sizeof token, have);
    else
        sessions_random(token);
    cookie(w, r, c, sizeof c, "par_form", token, 3600);
    sbuf b;
    sbuf_init(&b);
    page_login(&b, error, token, user);
    enum MHD_Result rc = respond(w, r, status, "text/html; charset=utf-8", &b, c, NULL);
    sbuf_free(&b);
    return rc;
}

/* POST /login: the account asked of the collector, then its password checked here. */
static enum MHD_Result login(web *w, req *r)
{
    const char *user = field(r, "user"), *pw = field(r, "password"), *token = field(r, "csrf");
    const char *form = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "par_form");
    int64_t now = clock_mono_ms();
    if (r->state == R_NEW) {
        if (!token || !form || strcmp(token, form))
            return login_page(w, r, "Phiên làm việc của biểu mẫu đã hết hạn, hãy đăng nhập lại.", user, 403);
        if (!user || !pw || !*user || !*pw)
            return login_page(w, r, "Hãy nhập tài khoản và mật khẩu.", user, 400);
        int wait = sessions_throttled(w->ses, user, r->addr, now);
        if (wait) {
            char msg[256];
            snprintf(msg, sizeof msg, "Đăng nhập sai quá nhiều lần: hãy thử lại sau %d phút.", (wait + 59) / 60);
            log_warn("event=login_throttled user=%s address=%s", user, r->addr);
            return login_page(w, r, msg, user, 429);
        }
        /* counted as a failure from now, taken back once the password is found right (or
         * nothing could be checked): attempts still in flight must count, or any number
         * sent at once would all pass the throttle */
        sessions_failed(w->ses, user, r->addr, now);
        ask(w, r, "collector", "user_auth", kv("name", user, KV_END), NULL);
        if (asked(w, r))
            return MHD_YES;
    }
    if (failed(r, 0)) {
        sessions_uncount(w->ses, user, r->addr);
        return login_page(w, r, "Hệ thống tạm thời không kiểm tra được tài khoản, hãy thử lại.", user, 503);
    }
    const pv *u = r->data[0];
    const char *hash = pv_get_str(u, "hash"), *ended = pv_get_str(u, "unit_ended");
    int ok = hash && !pv_get_bool(u, "disabled", 0);
    if (ok && r->verify == 0) { /* the password is checked by the worker; pages go on meanwhile */
        if (w->verifying >= WEB_VERIFYING) { /* a queue of checks is a queue of guesses, and a wait for everyone */
            sessions_uncount(w->ses, user, r->addr);
            log_warn("event=login_busy user=%s address=%s verifying=%d", user, r->addr, w->verifying);
            return login_page(w, r,
                              "Hệ thống đang kiểm tra nhiều lượt đăng nhập cùng lúc, hãy thử lại sau ít phút. "
                              "(Too many logins are being checked at once: try again in a few minutes.)",
                              user, 503);
        }
        w->verifying++;
        verifier_submit(w->vf, r->serial, hash, pw);
        r->verify = 1;
        r->state = R_WAIT;
        r->deadline = clock_mono_ms() + WEB_QUERY_MS;
        MHD_suspend_connection(r->conn);
        return MHD_YES;
    }
    if (r->verify == 1) { /* no answer in time */
        r->verify = 3;
        return login_page(w, r, "Hệ thống tạm thời không kiểm tra được tài khoản, hãy thử lại.", user, 503);
    }
    ok = ok && r->verify_ok;
    if (!ok) {
        log_info("event=login_failed user=%s address=%s", user, r->addr);
        return login_page(w, r, "Tài khoản hoặc mật khẩu không đúng.", user, 401);
    }
    sessions_uncount(w->ses, user, r->addr); /* the right password: its attempt, counted when it began */
    if (ended) {
        /* the unit was dissolved or merged: its accounts stop with it, and the official
         * (whose password was right) is told why and who took over */
        char msg[512], day[16];
        const char *succ = pv_get_str(u, "successor"), *unit = pv_get_str(u, "unit") ? pv_get_str(u, "unit") : "";
        validity_vn(ended, day);
        snprintf(msg, sizeof msg,
                 "Đơn vị %s đã kết thúc hoạt động từ sau ngày %s (sắp xếp đơn vị hành chính): tài khoản của đơn vị "
                 "không còn dùng được.%s%s%s",
                 unit, day, succ ? " Đơn vị kế thừa là " : "", succ ? succ : "",
                 succ ? ": hãy đề nghị Sở Nội vụ cấp tài khoản của đơn vị này." : "");
        log_info("event=login_refused user=%s address=%s reason=unit_ended unit=%s valid_to=%s", user, r->addr, unit,
                 ended);
        return login_page(w, r, msg, user, 403);
    }
    sessions_succeeded(w->ses, user, r->addr);
    const session *s = sessions_open(w->ses, user, pv_get_str(u, "role"), pv_get_str(u, "unit"), now);
    log_info("event=login user=%s role=%s address=%s", user, s->role, r->addr);
    char c[256];
    cookie(w, r, c, sizeof c, "par_session", s->token, (int)(SESSION_IDLE_MS / 1000));
    return redirect(w, r, "/", c);
}

static enum MHD_Result dashboard(web *w, req *r, const session *s)
{
    const char *index = arg(r, "index") ? arg(r, "index") : "PAR", *level = arg(r, "level") ? arg(r, "level") : "";
    int year = arg(r, "year") ? atoi(arg(r, "year")) : this_year(w) - 1;
    if (year < 2000 || year > 2100)
        year = this_year(w) - 1;
    if (r->state == R_NEW) {
        char y[16];
        snprintf(y, sizeof y, "%d", year);
        ask(w, r, "scorer", "scores", kv("index", index, "year", y, "level", level, KV_END), s);
        ask(w, r, "scorer", "years", kv("index", index, "level", level, KV_END), s);
        ask(w, r, "scorer", "gaps", kv("index", index, "year", y, KV_END), s);
        if (asked(w, r))
            return MHD_YES;
    }
    if (failed(r, 0))
        return error_page(w, r, s, 503, "Chưa xem được bảng xếp hạng.", r->err[0]);
    sbuf b;
    sbuf_init(&b);
    html_frame f = frame_of(s, "Xếp hạng Chỉ số", "/");
    page_dashboard(&b, &f, index, year, level, r->data[0], failed(r, 1) ? NULL : r->data[1],
                   failed(r, 2) ? NULL : r->data[2]);
    return html(w, r, 200, &b);
}

/* /download/NAME.csv|.xlsx: a page's table as a file, asked of the same service with the
 * same filters as the page. */
static enum MHD_Result download(web *w, req *r, const session *s, const char *file)
{
    const char *dot = strrchr(file, '.');
    int xlsx = dot && !strcmp(dot, ".xlsx");
    if (!dot || (!xlsx && strcmp(dot, ".csv")))
        return error_page(w, r, s, 404, "Không có tệp này.", NULL);
    char name[32];
    snprintf(name, sizeof name, "%.*s", (int)(dot - file), file);
    int kind = !strcmp(name, "ranking") ? 0 : !strcmp(name, "tasks") ? 1 : !strcmp(name, "alerts") ? 2
             : !strcmp(name, "reporting") ? 3 : -1;
    if (kind < 0)
        return error_page(w, r, s, 404, "Không có tệp này.", NULL);
    const char *index = arg(r, "index") ? arg(r, "index") : "PAR", *level = arg(r, "level");
    char y[16];
    snprintf(y, sizeof y, "%d", arg(r, "year") && atoi(arg(r, "year")) ? atoi(arg(r, "year")) : this_year(w) - 1);
    if (r->state == R_NEW) {
        if (kind == 0)
            ask(w, r, "scorer", "scores", kv("index", index, "year", y, "level", level, KV_END), s);
        else if (kind == 2)
            ask(w, r, "notifier", "alerts", pv_map(), s);
        else
            ask(w, r, "notifier", "tasks", kv("under", kind == 1 ? arg(r, "under") : NULL, KV_END), s);
        if (asked(w, r))
            return MHD_YES;
    }
    if (failed(r, 0))
        return error_page(w, r, s, 503, "Chưa tải được bảng.", r->err[0]);
    sheet *t = NULL;
    char title[200];
    static const char *const files[] = {"xep-hang", "nhiem-vu", "canh-bao", "tinh-hinh-bao-cao"};
    static const char *const sheets[] = {"Xếp hạng", "Nhiệm vụ", "Cảnh báo", "Tình hình báo cáo"};
    if (kind == 0) {
        snprintf(title, sizeof title, "Xếp hạng Chỉ số %.31s năm %s%s%.31s", index, y, level && *level ? ", " : "",
                 level && *level ? str_level_vi(level) : "");
        t = page_ranking_sheet(r->data[0], title);
    } else if (kind == 1) {
        task_filter tf = {arg(r, "under"), arg(r, "plan"), arg(r, "index"), arg(r, "state"),
                          arg(r, "late") ? atoi(arg(r, "late")) : 0};
        t = page_tasks_sheet(r->data[0], &tf);
    } else {
        t = kind == 2 ? page_alerts_sheet(r->data[0]) : page_reporting_sheet(r->data[0]);
    }
    sbuf b;
    sbuf_init(&b);
    par_err e = {{0}};
    if (xlsx && sheet_xlsx(t, sheets[kind], w->tmpdir, &b, &e) < 0) {
        sheet_destroy(&t);
        sbuf_free(&b);
        return error_page(w, r, s, 500, "Chưa tạo được tệp Excel.", e.msg);
    }
    if (!xlsx)
        sheet_csv(t, &b);
    sheet_destroy(&t);
    struct MHD_Response *resp = MHD_create_response_from_buffer(b.len, b.buf, MHD_RESPMEM_MUST_COPY);
    char disp[128];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s%s%s.%s\"", files[kind], kind == 0 ? "-" : "",
             kind == 0 ? y : "", xlsx ? "xlsx" : "csv");
    MHD_add_response_header(resp, "Content-Type", xlsx ? "application/vnd.openxmlformats-officedocument."
                                                         "spreadsheetml.sheet"
                                                       : "text/csv; charset=utf-8");
    MHD_add_response_header(resp, "Content-Disposition", disp);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result rc = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    sbuf_free(&b);
    log_info("event=download user=%s file=%s", s->user, file);
    return rc;
}

static enum MHD_Result unit_page(web *w, req *r, const session *s, const char *unit)
{
    const char *index = arg(r, "index") ? arg(r, "index") : "PAR";
    const char *year = arg(r, "year") ? arg(r, "year") : "";
    char y[16];
    if (!*year) {
        snprintf(y, sizeof y, "%d", this_year(w) - 1);
        year = y;
    }
    /* the latest changes, one more than shown to know there are older ones */
    int all = arg(r, "history") && !strcmp(arg(r, "history"), "all");
    char last[16];
    snprintf(last, sizeof last, "%d", PAGE_HISTORY_ROWS + 1);
    if (r->state == R_NEW) {
        const char *qs[][2] = {{"scorer", "result"}, {"collector", "evidence"}, {"collector", "history"}};
        for (int i = 0; i < 3; i++)
            ask(w, r, qs[i][0], qs[i][1],
                kv("unit", unit, "index", index, "year", year, "last", i == 2 && !all ? last : "", KV_END), s);
        if (asked(w, r))
            return MHD_YES;
    }
    if (failed(r, 0)) {
        int forbidden = strstr(r->err[0], "may not read") != NULL, status = status_for(r, 0, forbidden ? 403 : 404);
        return error_page(w, r, s, status,
                          status == 503 ? "Chưa xem được kết quả của đơn vị: hệ thống chưa trả lời."
                          : forbidden   ? "Tài khoản này không được xem kết quả của đơn vị khác trước khi công bố."
                                        : "Chưa có kết quả của đơn vị cho chỉ số và năm này.",
                          r->err[0]);
    }
    sbuf b;
    sbuf_init(&b);
    const char *name = pv_get_str(r->data[0], "name");
    html_frame f = frame_of(s, name && *name ? name : unit, NULL);
    page_unit(&b, &f, unit, index, atoi(year), r->data[0], failed(r, 1) ? NULL : r->data[1],
              failed(r, 2) ? NULL : r->data[2], all);
    return html(w, r, 200, &b);
}

static enum MHD_Result tasks_page(web *w, req *r, const session *s, const char *msg)
{
    if (r->state == R_NEW || r->nq == 0) {
        ask(w, r, "notifier", "tasks", kv("under", arg(r, "under"), KV_END), s);
        if (asked(w, r))
            return MHD_YES;
    }
    int last = r->nq - 1;
    if (failed(r, last))
        return error_page(w, r, s, 503, "Chưa xem được danh sách nhiệm vụ.", r->err[last]);
    sbuf b;
    sbuf_init(&b);
    html_frame f = frame_of(s, "Nhiệm vụ", "/tasks");
    task_filter tf = {arg(r, "under"), arg(r, "plan"), arg(r, "index"), arg(r, "state"),
                      arg(r, "late") ? atoi(arg(r, "late")) : 0};
    page_tasks(&b, &f, r->data[last], &tf, msg);
    return html(w, r, 200, &b);
}

static enum MHD_Result alerts_page(web *w, req *r, const session *s, const char *msg)
{
    if (r->state == R_NEW || r->nq == 0) {
        ask(w, r, "notifier", "alerts", pv_map(), s);
        if (asked(w, r))
            return MHD_YES;
    }
    int last = r->nq - 1;
    if (failed(r, last))
        return error_page(w, r, s, 503, "Chưa xem được danh sách cảnh báo.", r->err[last]);
    sbuf b;
    sbuf_init(&b);
    html_frame f = frame_of(s, "Cảnh báo đã gửi", "/alerts");
    page_alerts(&b, &f, r->data[last], msg);
    return html(w, r, 200, &b);
}

static enum MHD_Result reporting_page(web *w, req *r, const session *s)
{
    if (r->state == R_NEW) {
        ask(w, r, "notifier", "tasks", pv_map(), s);
        if (asked(w, r))
            return MHD_YES;
    }
    if (failed(r, 0))
        return error_page(w, r, s, 503, "Chưa xem được tình hình gửi báo cáo.", r->err[0]);
    sbuf b;
    sbuf_init(&b);
    html_frame f = frame_of(s, "Tình hình gửi tự đánh giá", "/reporting");
    page_reporting(&b, &f, r->data[0]);
    return html(w, r, 200, &b);
}

static enum MHD_Result season_page(web *w, req *r, const session *s)
{
    const char *index = arg(r, "index") ? arg(r, "index") : "PAR";
    const char *level = arg(r, "level") ? arg(r, "level") : "district";
    const char *unit = arg(r, "unit") && *arg(r, "unit") ? arg(r, "unit") : s->unit;
    char y[16];
    snprintf(y, sizeof y, "%d", arg(r, "year") ? atoi(arg(r, "year")) : this_year(w) - 1);
    if (r->state == R_NEW) {
        ask(w, r, "collector", "season", kv("index", index, "year", y, "level", level, KV_END), s);
        if (*unit) /* a unit's criteria, its values and documents: the self-assessment or appraisal form */
            ask(w, r, "collector", "appraise", kv("unit", unit, "index", index, "year", y, KV_END), s);
        if (asked(w, r))
            return MHD_YES;
    }
    if (failed(r, 0))
        return error_page(w, r, s, 503, "Chưa xem được đợt đánh giá.", r->err[0]);
    sbuf b;
    sbuf_init(&b);
    html_frame f = frame_of(s, "Đợt đánh giá", "/season");
    page_season(&b, &f, r->data[0], arg(r, "msg"), r->nq > 1 && !failed(r, 1) ? r->data[1] : NULL);
    return html(w, r, 200, &b);
}

/* The season page again with a message: where a form leads. */
static enum MHD_Result back_to_season(web *w, req *r, const char *msg)
{
    sbuf to;
    sbuf_init(&to);
    sbuf_puts(&to, "/season?index=");
    html_url(&to, field(r, "index") ? field(r, "index") : "");
    sbuf_puts(&to, "&year=");
    html_url(&to, field(r, "year") ? field(r, "year") : "");
    sbuf_puts(&to, "&level=");
    html_url(&to, field(r, "level") ? field(r, "level") : "");
    if (field(r, "unit")) {
        sbuf_puts(&to, "&unit=");
        html_url(&to, field(r, "unit"));
    }
    sbuf_puts(&to, "&msg=");
    html_url(&to, msg);
    enum MHD_Result rc = redirect(w, r, to.buf, NULL);
    sbuf_free(&to);
    return rc;
}

/* POST /season/self and /season/appraise: a unit's self-scores (v_CRITERION, note
 * n_CRITERION) sent by its own account, or an appraiser's values (a_CRITERION, reason
 * r_CRITERION) for a unit: one line each, in one submission for the user. */
static enum MHD_Result season_lines(web *w, req *r, const session *s, int appraisal)
{
    const char *index = field(r, "index"), *year = field(r, "year");
    const char *unit = appraisal ? field(r, "unit") : s->unit;
    const char *vp = appraisal ? "a_" : "v_", *np = appraisal ? "r_" : "n_";
    if (r->state == R_NEW) {
        if (!unit || !*unit || !index || !year)
            return error_page(w, r, s, 400,
                              appraisal ? "Biểu mẫu thẩm định thiếu đơn vị." : "Chỉ tài khoản của đơn vị gửi tự đánh giá.",
                              NULL);
        static const char *const cols[] = {"unit", "year", "period", "kind", "key", "value", "date", "note"};
        pv *m = proto_msg(MSG_SUBMIT), *c = pv_arr(), *rows = pv_arr();
        char today[40];
        clock_format(clock_now_ms(&w->clk), today);
        today[10] = '\0';
        for (int i = 0; i < 8; i++)
            pv_push(c, pv_str(cols[i]));
        int n = 0;
        for (int i = 0; i < r->nfields; i++) {
            if (strncmp(r->keys[i], vp, 2) || !r->vals[i].buf || !*r->vals[i].buf)
                continue;
            char key[160], nk[40];
            snprintf(key, sizeof key, "%.31s:%.63s", index, r->keys[i] + 2);
            snprintf(nk, sizeof nk, "%s%.30s", np, r->keys[i] + 2);
            pv *row = pv_arr();
            pv_push(row, pv_int(++n));
            const char *f[8] = {unit, year, "Y", appraisal ? "appraisal" : "score", key, r->vals[i].buf, today,
                                field(r, nk) ? field(r, nk) : ""};
            for (int k = 0; k < 8; k++)
                pv_push(row, pv_str(f[k]));
            pv_push(rows, row);
        }
        pv_set(m, "cols", c);
        pv_set(m, "rows", rows);
        pv_set_str(m, "file", "par-web");
        pv_set_str(m, "as", s->as);
        int slot = r->nq++;
        r->id[slot] = client_next_id(w->cl);
        pv_set_int(m, "id", r->id[slot]);
        par_err e = {{0}};
        if (!n) {
            str_copy(r->err[slot], sizeof r->err[slot], "no value was given");
            r->done++;
        } else if (client_send(w->cl, "collector", m, &e) != 1) {
            no_answer(r, slot, "the broker cannot be reached");
            r->done++;
        }
        pv_free(m);
        if (asked(w, r))
            return MHD_YES;
    }
    if (failed(r, 0))
        return error_page(w, r, s, status_for(r, 0, 422),
                          appraisal ? "Chưa gửi được điểm thẩm định." : "Chưa gửi được tự đánh giá.",
                          r->err[0]);
    const pv *res = pv_get(r->data[0], "results");
    int ok = 0, bad = 0;
    char why[512] = "";
    for (uint32_t i = 0; res && i < res->u.a.n; i++) {
        if (pv_get_bool(res->u.a.v[i], "ok", 0))
            ok++;
        else if (!bad++)
            str_copy(why, sizeof why, pv_get_str(res->u.a.v[i], "reason") ? pv_get_str(res->u.a.v[i], "reason") : "");
    }
    if (bad)
        return error_page(w, r, s, 422,
                          appraisal ? "Một số điểm thẩm định không được nhận." : "Một số điểm tự chấm không được nhận.", why);
    char msg[128];
    snprintf(msg, sizeof msg, appraisal ? "Đã nhận %d điểm thẩm định." : "Đã nhận %d điểm tự chấm.", ok);
    log_info("event=%s_from_web user=%s unit=%s lines=%d", appraisal ? "appraisals" : "self_scores", s->user, unit, ok);
    return back_to_season(w, r, msg);
}

static int send_piece(web *w, req *r, const char *as)
{
    pv *m = proto_msg(MSG_EVIDENCE), *meta = pv_map(), *parts = pv_arr();
    char size[24];
    snprintf(size, sizeof size, "%zu", r->file.len);
    static const char *const keys[] = {"unit", "index", "year", "criterion"};
    for (int i = 0; i < 4; i++)
        pv_set_str(meta, keys[i], field(r, keys[i]) ? field(r, keys[i]) : "");
    pv_set_str(meta, "name", r->filename);
    pv_set_str(meta, "sha256", r->sha);
    pv_set_str(meta, "size", size);
    pv_set_str(meta, "as", as);
    pv_set(m, "meta", meta);
    pv_set_int(m, "offset", (int64_t)r->sent);
    size_t end = r->sent + WEB_PIECE < r->file.len ? r->sent + WEB_PIECE : r->file.len;
    size_t cap = sodium_base64_ENCODED_LEN(WEB_PART, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = xmalloc(cap);
    for (size_t p = r->sent; p < end; p += WEB_PART) {
        size_t n = end - p < WEB_PART ? end - p : WEB_PART;
        sodium_bin2base64(b64, cap, (const unsigned char *)r->file.buf + p, n, sodium_base64_VARIANT_ORIGINAL);
        pv_push(parts, pv_str(b64));
    }
    free(b64);
    pv_set(m, "parts", parts);
    r->sent = end;
    int slot = r->nq++;
    r->id[slot] = client_next_id(w->cl);
    pv_set_int(m, "id", r->id[slot]);
    par_err e = {{0}};
    int ok = client_send(w->cl, "collector", m, &e) == 1;
    if (!ok) {
        no_answer(r, slot, "the broker cannot be reached");
        r->done++;
    }
    pv_free(m);
    return ok;
}

/* POST /season/evidence (multipart): a document for one criterion of the user's unit. */
static enum MHD_Result evidence_upload(web *w, req *r, const session *s)
{
    if (r->state == R_NEW) {
        if (!field(r, "criterion") || !field(r, "unit") || !r->file.len || !r->filename[0])
            return error_page(w, r, s, 400, "Hãy chọn tiêu chí và tệp tài liệu kiểm chứng.", NULL);
        unsigned char h[32];
        crypto_hash_sha256(h, (const unsigned char *)r->file.buf, r->file.len);
        sodium_bin2hex(r->sha, sizeof r->sha, h, sizeof h);
        str_copy(r->as, sizeof r->as, s->as);
        send_piece(w, r, r->as);
        if (asked(w, r))
            return MHD_YES;
    }
    int last = r->nq - 1;
    if (failed(r, last) || !pv_get_str(r->data[last], "sha256"))
        return error_page(w, r, s, status_for(r, last, 422), "Tài liệu kiểm chứng chưa được nhận.", r->err[last]);
    log_info("event=evidence_from_web user=%s unit=%s criterion=%s sha256=%s", s->user, field(r, "unit"),
             field(r, "criterion"), r->sha);
    char msg[400];
    snprintf(msg, sizeof msg, "Đã nhận tài liệu %.200s (%zu byte).", r->filename, r->file.len);
    return back_to_season(w, r, msg);
}

/* POST /tasks/done: the unit's report of its task, stored as its line. */
static enum MHD_Result task_done(web *w, req *r, const session *s)
{
    if (r->state == R_NEW) {
        const char *task = field(r, "task"), *year = field(r, "year"), *period = field(r, "period");
        if (!task || !year || !period || !*s->unit)
            return error_page(w, r, s, 400, "Biểu mẫu thiếu thông tin nhiệm vụ.", NULL);
        char today[40], y[16];
        clock_format(clock_now_ms(&w->clk), today);
        today[10] = '\0';
        if (atoi(year) < 2000) { /* an ongoing task has no instance: reported for this year */
            snprintf(y, sizeof y, "%d", this_year(w));
            year = y;
        }
        const char *note = field(r, "note");
        const char *f[8] = {s->unit, year, period, "task", task, "done", today, note ? note : ""};
        submit_line(w, r, s, f);
        if (asked(w, r))
            return MHD_YES;
    }
    if (r->nq == 1) { /* the submission answered: say how it went, then the list again */
        const pv *ack = r->data[0], *res = ack ? pv_get(ack, "results") : NULL;
        const pv *line = res && res->u.a.n ? res->u.a.v[0] : NULL;
        if (failed(r, 0) || !line || !pv_get_bool(line, "ok", 0)) {
            const char *why = failed(r, 0) ? r->err[0] : line ? pv_get_str(line, "reason") : "";
            return error_page(w, r, s, status_for(r, 0, 422), "Chưa ghi nhận được báo cáo hoàn thành.", why);
        }
        str_copy(r->msg, sizeof r->msg, "Đã ghi nhận báo cáo hoàn thành nhiệm vụ.");
        r->state = R_NEW;
        log_info("event=task_done_from_web user=%s task=%s", s->user, field(r, "task"));
    }
    return tasks_page(w, r, s, r->msg);
}

/* POST /appraise: an appraiser's value and reason for one criterion of a unit. */
static enum MHD_Result appraise(web *w, req *r, const session *s)
{
    const char *unit = field(r, "unit"), *index = field(r, "index"), *year = field(r, "year");
    if (r->state == R_NEW) {
        const char *crit = field(r, "criterion"), *value = field(r, "value"), *reason = field(r, "reason");
        if (!unit || !index || !year || !crit || !value || !reason)
            return error_page(w, r, s, 400, "Biểu mẫu thẩm định thiếu thông tin.", NULL);
        char key[160], today[40];
        snprintf(key, sizeof key, "%.31s:%.120s", index, crit);
        clock_format(clock_now_ms(&w->clk), today);
        today[10] = '\0';
        const char *f[8] = {unit, year, "Y", "appraisal", key, value, today, reason};
        submit_line(w, r, s, f);
        if (asked(w, r))
            return MHD_YES;
    }
    const pv *ack = r->data[0], *res = ack ? pv_get(ack, "results") : NULL;
    const pv *line = res && res->u.a.n ? res->u.a.v[0] : NULL;
    if (failed(r, 0) || !line || !pv_get_bool(line, "ok", 0))
        return error_page(w, r, s, status_for(r, 0, 422), "Chưa ghi được điểm thẩm định.",
                          failed(r, 0) ? r->err[0] : line ? pv_get_str(line, "reason") : "");
    log_info("event=appraisal_from_web user=%s unit=%s criterion=%s", s->user, unit, field(r, "criterion"));
    sbuf to;
    sbuf_init(&to);
    sbuf_puts(&to, "/units/");
    html_url(&to, unit);
    sbuf_puts(&to, "?index=");
    html_url(&to, index);
    sbuf_puts(&to, "&year=");
    html_url(&to, year);
    enum MHD_Result rc = redirect(w, r, to.buf, NULL);
    sbuf_free(&to);
    return rc;
}

/* GET /evidence/SHA256?name=NAME: a document, for a user the collector lets read it. */
static enum MHD_Result evidence_download(web *w, req *r, const session *s, const char *sha)
{
    if (r->state == R_NEW) {
        if (strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64)
            return error_page(w, r, s, 404, "Không có tài liệu này.", NULL);
        str_copy(r->sha, sizeof r->sha, sha);
        str_copy(r->as, sizeof r->as, s->as);
        r->downloading = 1;
        ask(w, r, "collector", "evidence_get", kv("sha256", sha, "offset", "0", "as", r->as, KV_END), NULL);
        if (asked(w, r))
            return MHD_YES;
    }
    int last = r->nq - 1;
    if (failed(r, last)) {
        int forbidden = strstr(r->err[last], "neither") != NULL, status = status_for(r, last, forbidden ? 403 : 404);
        return error_page(w, r, s, status,
                          status == 503 ? "Chưa tải được tài liệu: hệ thống chưa trả lời."
                          : forbidden   ? "Tài khoản này không được xem tài liệu của đơn vị khác trước khi công bố."
                                        : "Không có tài liệu này.",
                          r->err[last]);
    }
    unsigned char h[32];
    char hex[65];
    crypto_hash_sha256(h, (const unsigned char *)r->file.buf, r->file.len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    if (strcmp(hex, r->sha))
        return error_page(w, r, s, 502, "Tài liệu nhận về không nguyên vẹn, hãy thử lại.", NULL);
    /* the name as a download's: letters, digits and a few signs, nothing that could leave the header */
    char name[128] = "tai-lieu";
    const char *given = arg(r, "name");
    if (given && *given) {
        size_t o = 0;
        for (const char *p = given; *p && o < sizeof name - 1; p++)
            name[o++] = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                                strchr(".-_", *p)
                            ? *p
                            : '_';
        name[o] = '\0';
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(r->file.len, r->file.buf, MHD_RESPMEM_MUST_COPY);
    char disp[200];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", name);
    MHD_add_response_header(resp, "Content-Type", "application/octet-stream");
    MHD_add_response_header(resp, "Content-Disposition", disp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result rc = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    log_info("event=evidence_downloaded user=%s sha256=%s", s->user, r->sha);
    return rc;
}

/* POST /alerts/silence: a task's alerts stop until a date (dd/mm/yyyy or YYYY-MM-DD). */
static enum MHD_Result alert_silence(web *w, req *r, const session *s)
{
    if (r->state == R_NEW) {
        const char *task = field(r, "task"), *until = field(r, "until");
        int y, m, d;
        char iso[16];
        if (!task || !until || !((sscanf(until, "%2d/%2d/%4d", &d, &m, &y) == 3 && y > 1900) ||
                                 sscanf(until, "%4d-%2d-%2d", &y, &m, &d) == 3))
            return error_page(w, r, s, 400, "Hãy ghi ngày tạm dừng nhắc (ngày/tháng/năm).", NULL);
        snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
        ask(w, r, "notifier", "silence", kv("task", task, "until", iso, KV_END), s);
        if (asked(w, r))
            return MHD_YES;
    }
    if (r->nq == 1) {
        if (failed(r, 0))
            return error_page(w, r, s, status_for(r, 0, 422), "Chưa tạm dừng được cảnh báo.", r->err[0]);
        char day[16];
        snprintf(r->msg, sizeof r->msg, "Đã tạm dừng nhắc nhiệm vụ %.100s đến hết ngày %s.", field(r, "task"),
                 html_date(day, pv_get_str(r->data[0], "until")));
        r->state = R_NEW;
    }
    return alerts_page(w, r, s, r->msg);
}

/* POST /alerts/ack */
static enum MHD_Result alert_ack(web *w, req *r, const session *s)
{
    if (r->state == R_NEW) {
        const char *alert = field(r, "alert");
        if (!alert)
            return error_page(w, r, s, 400, "Biểu mẫu thiếu số cảnh báo.", NULL);
        ask(w, r, "notifier", "ack", kv("alert", alert, KV_END), s);
        if (asked(w, r))
            return MHD_YES;
    }
    if (r->nq == 1) {
        if (failed(r, 0))
            return error_page(w, r, s, status_for(r, 0, 422), "Chưa xác nhận được cảnh báo.", r->err[0]);
        str_copy(r->msg, sizeof r->msg, "Đã xác nhận: cảnh báo của hạn này dừng lại.");
        r->state = R_NEW;
    }
    return alerts_page(w, r, s, r->msg);
}

/* POST /season/move (admins and appraisers; the collector checks again). */
static enum MHD_Result season_move(web *w, req *r, const session *s)
{
    if (r->state == R_NEW) {
        pv *a = pv_map();
        static const char *const keys[] = {"index", "year", "level", "to", "until", "decision", "date", "reason"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (field(r, keys[i]) && *field(r, keys[i]))
                pv_set_str(a, keys[i], field(r, keys[i]));
        ask(w, r, "collector", "season_move", a, s);
        if (asked(w, r))
            return MHD_YES;
    }
    if (failed(r, 0))
        return error_page(w, r, s, status_for(r, 0, 422), "Chưa chuyển được giai đoạn.", r->err[0]);
    sbuf to;
    sbuf_init(&to);
    sbuf_puts(&to, "/season?index=");
    html_url(&to, field(r, "index") ? field(r, "index") : "");
    sbuf_puts(&to, "&year=");
    html_url(&to, field(r, "year") ? field(r, "year") : "");
    sbuf_puts(&to, "&level=");
    html_url(&to, field(r, "level") ? field(r, "level") : "");
    sbuf_puts(&to, "&msg=");
    html_url(&to, "Đã chuyển giai đoạn.");
    enum MHD_Result rc = redirect(w, r, to.buf, NULL);
    sbuf_free(&to);
    return rc;
}

/* GET /events: answered at the next score event (or after a while), as server-sent events;
 * the browser's EventSource asks again. */
static enum MHD_Result events(web *w, req *r)
{
    if (r->state == R_NEW) {
        r->events = 1;
        wait_answers(w, r);
        return MHD_YES;
    }
    sbuf b;
    sbuf_init(&b);
    sbuf_puts(&b, clock_mono_ms() >= r->deadline ? "retry: 1000\n\n" : "retry: 500\ndata: score\n\n");
    enum MHD_Result rc = respond(w, r, 200, "text/event-stream; charset=utf-8", &b, NULL, NULL);
    sbuf_free(&b);
    return rc;
}

/* GET /metrics: Prometheus text, behind the bearer token of [web] metrics_token_file. */
static enum MHD_Result metrics(web *w, req *r)
{
    const char *auth = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
    char want[160];
    snprintf(want, sizeof want, "Bearer %s", w->metrics_token);
    if (!w->metrics_token[0] || !auth || strlen(auth) != strlen(want) ||
        sodium_memcmp(auth, want, strlen(want))) {
        sbuf b;
        sbuf_init(&b);
        sbuf_puts(&b, w->metrics_token[0] ? "a bearer token is needed\n" : "metrics are off: set [web] metrics_token_file\n");
        enum MHD_Result rc = respond(w, r, 401, "text/plain; charset=utf-8", &b, NULL, NULL);
        sbuf_free(&b);
        return rc;
    }
    if (r->state == R_NEW) {
        ask(w, r, "broker", "status", pv_map(), NULL);
        if (asked(w, r))
            return MHD_YES;
    }
    sbuf b;
    sbuf_init(&b);
    sbuf_puts(&b, "# HELP par_service_up 1 when the service is up\n# TYPE par_service_up gauge\n"
                  "# HELP par_service_seq the last sequence number the service reported\n# TYPE par_service_seq gauge\n"
                  "# HELP par_service_lag changes the service is behind the collector\n# TYPE par_service_lag gauge\n");
    const pv *svcs = failed(r, 0) ? NULL : pv_get(r->data[0], "services");
    for (uint32_t i = 0; svcs && svcs->t == PV_ARR && i < svcs->u.a.n; i++) {
        const pv *x = svcs->u.a.v[i];
        const char *name = pv_get_str(x, "name");
        if (!name)
            continue;
        sbuf_printf(&b, "par_service_up{service=\"%s\"} %d\n", name, pv_get_bool(x, "up", 0));
        if (pv_get(x, "seq"))
            sbuf_printf(&b, "par_service_seq{service=\"%s\"} %lld\n", name, (long long)pv_get_int(x, "seq", 0));
        const pv *lag = pv_get(x, "lag");
        if (lag && lag->t == PV_INT)
            sbuf_printf(&b, "par_service_lag{service=\"%s\"} %lld\n", name, (long long)lag->u.i);
        const pv *info = pv_get(x, "info");
        for (uint32_t k = 0; info && info->t == PV_MAP && k < info->u.m.n; k++)
            if (info->u.m.kv[k].v->t == PV_INT)
                sbuf_printf(&b, "par_%s{service=\"%s\"} %lld\n", info->u.m.kv[k].k, name,
                            (long long)info->u.m.kv[k].v->u.i);
    }
    sbuf_printf(&b, "par_web_up 1\n");
    enum MHD_Result rc = respond(w, r, 200, "text/plain; version=0.0.4; charset=utf-8", &b, NULL, NULL);
    sbuf_free(&b);
    return rc;
}

/* ---------- the router ---------- */

/* The request's session (its cookie's token kept in r), NULL when there is none. */
static const session *session_of(web *w, req *r)
{
    const char *token = r->token[0] ? r->token : MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "par_session");
    if (token && !r->token[0])
        str_copy(r->token, sizeof r->token, token);
    return sessions_find(w->ses, r->token, clock_mono_ms());
}

static enum MHD_Result route(web *w, req *r)
{
    const char *url = r->url;
    int post = !strcmp(r->method, "POST");
    if (!strcmp(url, "/static/app.css") || !strcmp(url, "/static/live.js")) {
        sbuf b;
        sbuf_init(&b);
        int css = !strcmp(url, "/static/app.css");
        sbuf_puts(&b, css ? html_css() : html_live_js());
        enum MHD_Result rc =
            respond(w, r, 200, css ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8", &b, NULL, NULL);
        sbuf_free(&b);
        return rc;
    }
    if (!strcmp(url, "/metrics"))
        return metrics(w, r);
    if (!strcmp(url, "/favicon.ico"))
        return respond(w, r, 404, "text/plain; charset=utf-8", NULL, NULL, NULL);
    if (!strcmp(url, "/login") && post && r->too_big) /* its fields were not all read */
        return login_page(w, r, "Biểu mẫu quá lớn. (The form is too large.)", NULL, 413);
    if (!strcmp(url, "/login"))
        return post ? login(w, r) : login_page(w, r, NULL, NULL, 200);
    const session *s = session_of(w, r);
    if (!s) /* logged out, or never in: every page leads to the login form */
        return redirect(w, r, "/login", NULL);
    if (r->busy)
        return error_page(w, r, s, 503, "Máy chủ đang nhận nhiều tệp khác cùng lúc: hãy gửi lại sau ít phút.",
                          "The server is receiving as many documents as it takes at once: send it again in a few "
                          "minutes.");
    if (r->too_big) {
        char why[160];
        snprintf(why, sizeof why, "A form holds at most %d KiB of fields and a document %d MiB.", WEB_FORM_BYTES / 1024,
                 w->conf.evidence_max_mb);
        return error_page(w, r, s, 413, "Biểu mẫu hoặc tệp quá lớn.", why);
    }
    if (post) {
        const char *csrf = field(r, "csrf");
        if (!csrf || strlen(csrf) != strlen(s->csrf) || sodium_memcmp(csrf, s->csrf, strlen(s->csrf))) {
            log_warn("event=csrf_refused user=%s url=%s address=%s", s->user, url, r->addr);
            return error_page(w, r, s, 403, "Biểu mẫu không hợp lệ (thiếu mã xác thực biểu mẫu): hãy tải lại trang.",
                              NULL);
        }
        if (!strcmp(url, "/logout")) {
            char c[256];
            log_info("event=logout user=%s", s->user);
            sessions_close(w->ses, r->token);
            cookie(w, r, c, sizeof c, "par_session", "", 0);
            return redirect(w, r, "/login", c);
        }
        if (!strcmp(url, "/tasks/done"))
            return task_done(w, r, s);
        if (!strcmp(url, "/alerts/ack"))
            return alert_ack(w, r, s);
        if (!strcmp(url, "/alerts/silence"))
            return alert_silence(w, r, s);
        if (!strcmp(url, "/season/move"))
            return season_move(w, r, s);
        if (!strcmp(url, "/appraise"))
            return appraise(w, r, s);
        if (!strcmp(url, "/season/self"))
            return season_lines(w, r, s, 0);
        if (!strcmp(url, "/season/appraise"))
            return season_lines(w, r, s, 1);
        if (!strcmp(url, "/season/evidence"))
            return evidence_upload(w, r, s);
        return error_page(w, r, s, 404, "Không có trang này.", NULL);
    }
    if (!strcmp(url, "/"))
        return dashboard(w, r, s);
    if (!strncmp(url, "/units/", 7) && url[7])
        return unit_page(w, r, s, url + 7);
    if (!strcmp(url, "/tasks"))
        return tasks_page(w, r, s, NULL);
    if (!strcmp(url, "/alerts"))
        return alerts_page(w, r, s, NULL);
    if (!strcmp(url, "/reporting"))
        return reporting_page(w, r, s);
    if (!strcmp(url, "/season"))
        return season_page(w, r, s);
    if (!strncmp(url, "/download/", 10))
        return download(w, r, s, url + 10);
    if (!strcmp(url, "/events"))
        return events(w, r);
    if (!strncmp(url, "/evidence/", 10))
        return evidence_download(w, r, s, url + 10);
    return error_page(w, r, s, 404, "Không có trang này.", NULL);
}

/* What a POST's body may hold is settled before a byte of it is read: a document only by
 * /season/evidence, from someone logged in, WEB_UPLOADS at a time; anything else a form's
 * fields. Read and held first, anyone could make this server hold evidence_max_mb for each
 * of its connections. What may not be held is read and dropped, then answered (route):
 * answered before it has all come, a browser still sending it may show a reset
 * connection instead of the page saying why. */
static void post_begins(web *w, req *r)
{
    int evidence = !strcmp(r->url, "/season/evidence");
    int in = !strcmp(r->url, "/login") || session_of(w, r);
    if (!evidence || !in)
        r->file_max = 0;
    if (!in)
        return; /* logged out: led to /login */
    const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Length");
    /* the form's fields as sent (a byte of Vietnamese is three, %XX) and the multipart
     * framing: what on_field then counts is the limit, this only spares reading the rest */
    if (cl && strtoull(cl, NULL, 10) > r->file_max + 3 * WEB_FORM_BYTES + 65536) {
        r->too_big = 1;
        return;
    }
    if (evidence && w->uploads >= WEB_UPLOADS) {
        r->busy = 1;
        return;
    }
    if (evidence) {
        r->upload = 1;
        w->uploads++;
    }
    r->pp = MHD_create_post_processor(r->conn, 4096, on_field, r);
    if (!r->pp)
        r->too_big = 1; /* not a form: answered as one too large */
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    web *w = cls;
    req *r = *con_cls;
    if (!r) {
        if (strcmp(method, "GET") && strcmp(method, "POST") && strcmp(method, "HEAD"))
            return MHD_NO;
        r = req_new(w, conn, url, method);
        *con_cls = r;
        if (!strcmp(method, "POST"))
            post_begins(w, r);
        return MHD_YES;
    }
    if (*upload_size) {
        if (r->pp && !r->too_big && MHD_post_process(r->pp, upload, *upload_size) != MHD_YES)
            r->too_big = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->state == R_WAIT)
        return MHD_YES; /* resumed only when ready */
    return route(w, r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode code)
{
    (void)conn, (void)code;
    if (*con_cls)
        req_free(cls, *con_cls);
    *con_cls = NULL;
}

/* ---------- the daemon ---------- */

static int listen_addr(const char *text, struct sockaddr_in *sa, par_err *e)
{
    char host[64];
    int port;
    memset(sa, 0, sizeof *sa);
    if (sscanf(text, "%63[^:]:%d", host, &port) != 2 || port < 1 || port > 65535 ||
        inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
        err_set(e, "[web] listen = %s: expected ADDRESS:PORT, like 127.0.0.1:8080", text);
        return -1;
    }
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    return 0;
}

static int read_small(const char *path, char **out, par_err *e)
{
    size_t len;
    if (file_read(path, out, &len, e) < 0)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    web w;
    memset(&w, 0, sizeof w);
    int sfd, rc = daemon_start("par-web", argc, argv, &w.conf, &w.clk, &sfd);
    if (rc)
        return rc;
    rc = 1;
    par_err e = {{0}};
    void *ctx = NULL;
    char *cert = NULL, *key = NULL;
    struct sockaddr_in sa;
    if (sodium_init() < 0) {
        err_set(&e, "libsodium cannot start");
        goto fail;
    }
    if (listen_addr(w.conf.web_listen, &sa, &e) < 0)
        goto fail;
    if (w.conf.web_metrics_token_file[0]) {
        char *t = NULL;
        if (read_small(w.conf.web_metrics_token_file, &t, &e) < 0)
            goto fail;
        t[strcspn(t, "\r\n")] = '\0';
        str_copy(w.metrics_token, sizeof w.metrics_token, t);
        sodium_memzero(t, strlen(t));
        free(t);
    }
    w.tls = w.conf.web_tls_cert[0] && w.conf.web_tls_key[0];
    if (w.tls && (read_small(w.conf.web_tls_cert, &cert, &e) < 0 || read_small(w.conf.web_tls_key, &key, &e) < 0))
        goto fail;
    ctx = zmq_ctx_new();
    char internal[CONF_PATH + 32], out_ep[CONF_PATH + 32];
    config_ipc(&w.conf, "internal", internal, sizeof internal);
    config_ipc(&w.conf, "events-out", out_ep, sizeof out_ep);
    if (!(w.cl = client_new_at(&w.conf, internal, &e)) || !(w.svc = service_new(ctx, &w.conf, "web", &e)))
        goto fail;
    w.sub = zmq_socket(ctx, ZMQ_SUB);
    sock_defaults(w.sub, 0);
    subscribe_single_events(w.sub);
    if (zmq_connect(w.sub, out_ep) < 0) {
        err_set(&e, "connect to the event bus: %s", zmq_strerror(zmq_errno()));
        goto fail;
    }
    w.ses = sessions_new();
    if (!(w.vf = verifier_new(&e)))
        goto fail;
    snprintf(w.tmpdir, sizeof w.tmpdir, "%s/web", w.conf.data_dir);
    if (dir_make(w.tmpdir, &e) < 0)
        goto fail;
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | (w.tls ? MHD_USE_TLS : 0);
    if (w.tls)
        w.d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &w, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                               MHD_OPTION_NOTIFY_COMPLETED, on_completed, &w, MHD_OPTION_CONNECTION_LIMIT,
                               (unsigned)WEB_CONNECTIONS,
                               MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                               (size_t)(128 * 1024), MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
                               MHD_OPTION_END);
    else
        w.d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &w, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                               MHD_OPTION_NOTIFY_COMPLETED, on_completed, &w, MHD_OPTION_CONNECTION_LIMIT,
                               (unsigned)WEB_CONNECTIONS,
                               MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                               (size_t)(128 * 1024), MHD_OPTION_END);
    if (!w.d) {
        err_set(&e, "cannot listen on %s: %s", w.conf.web_listen, strerror(errno));
        goto fail;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(w.d, MHD_DAEMON_INFO_EPOLL_FD);
    int mhd_fd = di ? di->epoll_fd : -1;
    log_info("event=started listen=%s%s", w.conf.web_listen, w.tls ? " tls=on" : "");
    for (;;) {
        int wait = service_tick(w.svc, -1, NULL); /* -1: it follows no change log (no lag to show) */
        MHD_UNSIGNED_LONG_LONG to;
        if (MHD_get_timeout(w.d, &to) == MHD_YES && (int64_t)to < wait)
            wait = (int)to;
        if (wait > 1000)
            wait = 1000; /* requests waiting on the services expire on time */
        zmq_pollitem_t items[] = {{client_socket(w.cl), 0, ZMQ_POLLIN, 0},
                                  {w.sub, 0, ZMQ_POLLIN, 0},
                                  {service_socket(w.svc), 0, ZMQ_POLLIN, 0},
                                  {NULL, mhd_fd, ZMQ_POLLIN, 0},
                                  {NULL, sfd, ZMQ_POLLIN, 0},
                                  {NULL, verifier_fd(w.vf), ZMQ_POLLIN, 0}};
        if (zmq_poll(items, 6, wait) < 0 && zmq_errno() != EINTR) {
            err_set(&e, "poll: %s", zmq_strerror(zmq_errno()));
            goto fail;
        }
        if (daemon_stopping(&items[4], sfd, &w.conf))
            break;
        if (items[0].revents & ZMQ_POLLIN)
            on_replies(&w);
        if (items[1].revents & ZMQ_POLLIN)
            on_bus(&w);
        if (items[2].revents & ZMQ_POLLIN) {
            service_req q;
            while (service_recv(w.svc, &q) == 1) { /* par-web answers nothing through the broker */
                pv *m = proto_error(q.id, "bad_request", "par-web answers no queries");
                service_reply(w.svc, &q, m);
                pv_free(m);
                service_req_free(&q);
            }
        }
        if (items[5].revents & ZMQ_POLLIN) {
            uint64_t tag;
            int ok;
            while (verifier_take(w.vf, &tag, &ok) == 1) {
                w.verifying--; /* answered, whether or not its request is still waiting */
                for (req *r = w.reqs; r; r = r->next)
                    if (r->serial == tag && r->verify == 1) {
                        r->verify = 2;
                        r->verify_ok = ok;
                        ready(r);
                    }
            }
        }
        expire(&w, clock_mono_ms());
        MHD_run(w.d);
    }
    service_bye(w.svc);
    rc = 0;
fail:
    if (rc)
        fprintf(stderr, "par-web: %s\n", e.msg);
    if (w.d) {
        for (req *r = w.reqs; r; r = r->next) /* suspended connections must be resumed to be closed */
            if (r->state == R_WAIT)
                MHD_resume_connection(r->conn);
        MHD_stop_daemon(w.d);
    }
    verifier_destroy(w.vf);
    sessions_destroy(w.ses);
    if (w.sub)
        zmq_close(w.sub);
    client_destroy(w.cl);
    service_destroy(w.svc);
    if (ctx)
        zmq_ctx_term(ctx);
    if (key)
        sodium_memzero(key, strlen(key));
    free(cert);
    free(key);
    if (sfd >= 0)
        close(sfd);
    return rc;
}
