/* par-collector: validates submissions and reference data, stores them durably in
 * LMDB, acknowledges only after the commit, and publishes a change event for each
 * stored change. Requests waiting together share one commit. */
#include "authz.h"
#include "ingest.h"
#include "season.h"
#include "evidence.h"
#include "users.h"
#include "round.h"
#include "../proto/pack.h"
#include "query.h"
#include "../common/daemon.h"
#include "../common/log.h"
#include "../common/service.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#define READER_CHECK_MS 60000

typedef struct {
    par_config conf;
    par_clock clk;
    record *rec;
    service *svc;
    void *pub;
    sign_key key; /* signs receipts */
} collector;

#define PUBLISH_EVENTS 5000        /* events in one bus message at most */
#define PUBLISH_BYTES (4u << 20)   /* and bytes, well within PROTO_MAX_MSG */

static void free_sent(void *data, void *hint)
{
    (void)hint;
    free(data);
}

/* The events of one commit go out together ("events" messages of up to 5,000), each
 * event as the bytes written to the change log; a dropped message is found by its
 * subscriber as a gap in sequence numbers. Each message is packed into a buffer of its
 * size and handed to ZeroMQ as it is (no copy of a megabyte message on the way). */
static void publish(collector *c, record_events *events)
{
    for (uint32_t i = 0; i < events->n;) {
        /* events [i, i + n) lie back to back: their bytes are where the last ends less
         * where the first starts (one at least, however large) */
        size_t from = i ? events->end[i - 1] : 0;
        uint32_t n = 1;
        while (i + n < events->n && n < PUBLISH_EVENTS && events->end[i + n] - from <= PUBLISH_BYTES)
            n++;
        size_t bytes = events->end[i + n - 1] - from;
        sbuf b;
        sbuf_init(&b);
        sbuf_reserve(&b, bytes + 64); /* the head: a map, "v", "t", "events", an array */
        pack_message(&b, MSG_EVENTS, 1);
        pack_str(&b, "events");
        pack_array(&b, n);
        pack_raw(&b, events->buf.buf + from, bytes); /* one copy of them all */
        zmq_msg_t m;
        if (zmq_msg_init_data(&m, b.buf, b.len, free_sent, NULL) < 0)
            sbuf_free(&b); /* not taken: a subscriber finds the gap and asks */
        else if (zmq_msg_send(&m, c->pub, ZMQ_DONTWAIT) < 0)
            zmq_msg_close(&m);
        i += n;
    }
    record_events_free(events);
}

static void answer_error(collector *c, service_req *r, const char *code, const char *text)
{
    pv *m = proto_error(r->id, code, text);
    service_reply(c->svc, r, m);
    pv_free(m);
}

/* A unit's keys and web accounts stop with the unit: -1 (why set) for a sender whose
 * unit ended before today. */
static int ended(collector *c, const char *sender, const char *today, par_err *why)
{
    char unit[64];
    if (!authz_unit_of(sender, unit, sizeof unit))
        return 0;
    record_txn t;
    if (record_begin(c->rec, &t, why) < 0)
        return 0; /* the request itself will meet the failing store and say so */
    int rc = authz_alive(&t, sender, today, why);
    record_abort(&t);
    return rc;
}

static void handle_other(collector *c, service_req *r, const char *received)
{
    const char *type = proto_type(r->msg);
    par_err e = {{0}};
    char who[256], today[11];
    const char *sender = !strcmp(type, MSG_EVIDENCE)
                             ? service_on_behalf(r->sender, pv_get_str(pv_get(r->msg, "meta"), "as"), who, sizeof who)
                             : service_query_sender(r, who, sizeof who);
    snprintf(today, sizeof today, "%.10s", received);
    if (ended(c, sender, today, &e) < 0) {
        log_info("event=refused sender=%s reason=\"%s\"", sender, e.msg);
        answer_error(c, r, "forbidden", e.msg);
        return;
    }
    if (!strcmp(type, MSG_IMPORT)) {
        pv *data;
        record_events events;
        if (ingest_import(c->rec, r->msg, sender, received, &data, &events, &e) < 0) {
            log_error("event=import_failed error=\"%s\"", e.msg);
            answer_error(c, r, "storage", e.msg);
            return;
        }
        log_info("event=import what=%s rows=%lld changed=%lld errors=%u sender=%s", pv_get_str(r->msg, "what"),
                 (long long)pv_get_int(data, "rows", 0), (long long)pv_get_int(data, "changed", 0),
                 pv_get(data, "errors")->u.a.n, sender);
        pv *m = proto_reply(r->id, data);
        service_reply(c->svc, r, m);
        pv_free(m);
        publish(c, &events);
    } else if (!strcmp(type, MSG_EVIDENCE)) {
        pv *data;
        record_events events;
        int rc = evidence_piece(&c->conf, c->rec, r->msg, sender, received, &data, &events, &e);
        if (rc != 0) {
            if (rc < 0)
                log_error("event=evidence_failed error=\"%s\"", e.msg);
            else
                log_info("event=evidence_refused sender=%s reason=\"%s\"", sender, e.msg);
            answer_error(c, r, rc < 0 ? "storage" : "refused", e.msg);
            return;
        }
        if (pv_get_str(data, "sha256"))
            log_info("event=evidence_stored sender=%s unit=%s criterion=%s:%s sha256=%s size=%lld", sender,
                     pv_get_str(pv_get(r->msg, "meta"), "unit"), pv_get_str(pv_get(r->msg, "meta"), "index"),
                     pv_get_str(pv_get(r->msg, "meta"), "criterion"), pv_get_str(data, "sha256"),
                     (long long)pv_get_int(data, "size", 0));
        pv *m = proto_reply(r->id, data);
        service_reply(c->svc, r, m);
        pv_free(m);
        publish(c, &events);
    } else if (!strcmp(type, MSG_QUERY) && !strcmp(pv_get_str(r->msg, "q"), "evidence_get")) {
        pv *data;
        if (query_may_get_evidence(c->rec, sender, pv_get_str(pv_get(r->msg, "args"), "sha256"), &e) < 0) {
            answer_error(c, r, "forbidden", e.msg);
            return;
        }
        if (evidence_read(&c->conf, pv_get(r->msg, "args"), &data, &e) < 0) {
            answer_error(c, r, "bad_request", e.msg);
            return;
        }
        pv *m = proto_reply(r->id, data);
        service_reply(c->svc, r, m);
        pv_free(m);
    } else if (!strcmp(type, MSG_QUERY) && !strcmp(pv_get_str(r->msg, "q"), "users_change")) {
        pv *data;
        int rc = users_change(c->rec, pv_get(r->msg, "args"), sender, received, &data, &e);
        if (rc != 0) {
            answer_error(c, r, rc < 0 ? "storage" : "refused", e.msg);
            return;
        }
        log_info("event=account name=%s mode=%s sender=%s", pv_get_str(data, "name"),
                 pv_get_str(pv_get(r->msg, "args"), "mode"), sender);
        pv *m = proto_reply(r->id, data);
        service_reply(c->svc, r, m);
        pv_free(m);
    } else if (!strcmp(type, MSG_QUERY) && !strcmp(pv_get_str(r->msg, "q"), "season_move")) {
        pv *data;
        record_events events;
        int rc = season_change(c->rec, pv_get(r->msg, "args"), sender, received, &data, &events, &e);
        if (rc != 0) {
            if (rc < 0)
                log_error("event=season_move_failed error=\"%s\"", e.msg);
            answer_error(c, r, rc < 0 ? "storage" : "refused", e.msg);
            return;
        }
        log_info("event=season index=%s year=%lld level=%s phase=%s sender=%s", pv_get_str(data, "index"),
                 (long long)pv_get_int(data, "year", 0), pv_get_str(data, "level"), pv_get_str(data, "phase"),
                 sender);
        pv *m = proto_reply(r->id, data);
        service_reply(c->svc, r, m);
        pv_free(m);
        publish(c, &events);
    } else if (!strcmp(type, MSG_QUERY)) {
        pv *data;
        if (!strcmp(pv_get_str(r->msg, "q"), "backup") && authz_admin(sender, "take backups", &e) < 0) {
            answer_error(c, r, "forbidden", e.msg);
            return;
        }
        if (query_answer_wire(c->rec, r->msg, sender, today, &data, &e) < 0) {
            answer_error(c, r, "bad_request", e.msg);
            return;
        }
        int64_t docs = 0;
        if (!strcmp(pv_get_str(r->msg, "q"), "backup") &&
            evidence_backup(&c->conf, pv_get_str(pv_get(r->msg, "args"), "dir"), &docs, &e) < 0) {
            pv_free(data);
            answer_error(c, r, "storage", e.msg);
            return;
        }
        pv *m = proto_reply(r->id, data);
        service_reply(c->svc, r, m);
        pv_free(m);
    } else {
        char text[128];
        snprintf(text, sizeof text, "the collector does not take '%s' messages", type);
        answer_error(c, r, "bad_request", text);
    }
}

/* One line per stored request, so that the journal answers "did TDG push today?". */
static void log_batch(const ingest_req *q)
{
    char file[SUBMIT_MAX_FILE + 1];
    size_t o = 0;
    for (const char *p = q->sub->file; *p && o < sizeof file - 1; p++) /* a log field stays one field */
        file[o++] = *p == '"' || *p == '\\' || (unsigned char)*p < 0x20 ? '_' : *p;
    file[o] = '\0';
    log_info("event=stored sender=%s unit=%s%s file=\"%s\" lines=%u stored=%u already=%u refused=%u", q->sender,
             q->unit[0] ? q->unit : "-", q->more_units ? "+others" : "", file, q->sub->nrows, q->stored, q->already,
             q->refused);
}

/* Reads what is waiting (up to max_batch requests, or as many lines as round.h lets a
 * round take), stores all submissions in one commit, then answers everything. */
static void serve(collector *c)
{
    int max = c->conf.max_batch;
    service_req *reqs = xcalloc((size_t)max, sizeof *reqs);
    ingest_req *subs = xcalloc((size_t)max, sizeof *subs);
    submit_view *views = xcalloc((size_t)max, sizeof *views);
    int *is_sub = xcalloc((size_t)max, sizeof *is_sub);
    char (*senders)[256] = xcalloc((size_t)max, sizeof *senders); /* whom each speaks for */
    int n = 0, ns = 0;
    round_count rc;
    round_init(&rc);
    int full = 0;
    while (n < max && !full && service_recv(c->svc, &reqs[n]) == 1) {
        if (reqs[n].raw) { /* a submission: read in one pass into views, no value per field */
            submit_init(&views[n]);
            if (submit_decode(&views[n], zmq_msg_data(&reqs[n].body), zmq_msg_size(&reqs[n].body), &reqs[n].err) == 0) {
                is_sub[n] = 1;
                full = round_add(&rc, reqs[n].client, reqs[n].client_len, views[n].nrows);
            } /* else answered bad_request below */
        }
        n++;
    }
    char received[40];
    clock_format(clock_now_ms(&c->clk), received);
    for (int i = 0; i < n; i++) {
        if (!is_sub[i])
            continue;
        subs[ns].sub = &views[i];
        subs[ns].sender = service_on_behalf(reqs[i].sender, views[i].as, senders[i], sizeof senders[i]);
        subs[ns].accept_late = c->conf.accept_late;
        subs[ns].key = &c->key;
        ns++;
    }
    if (ns) {
        record_events events;
        par_err e = {{0}};
        int64_t t0 = clock_mono_ms();
        if (ingest_submits(c->rec, subs, ns, received, &events, &e) < 0) {
            /* nothing was stored: the clients are told, and re-send later */
            log_error("event=commit_failed requests=%d error=\"%s\"", ns, e.msg);
            for (int i = 0; i < n; i++)
                if (is_sub[i])
                    answer_error(c, &reqs[i], "storage", e.msg);
        } else {
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (!is_sub[i])
                    continue;
                service_reply(c->svc, &reqs[i], subs[k].ack);
                pv_free(subs[k].ack);
                log_batch(&subs[k]);
                k++;
            }
            log_debug("event=commit requests=%d changes=%u ms=%lld", ns, events.n,
                      (long long)(clock_mono_ms() - t0));
            publish(c, &events);
        }
    }
    for (int i = 0; i < n; i++) {
        if (reqs[i].raw) {
            if (!is_sub[i])
                answer_error(c, &reqs[i], "bad_request", reqs[i].err.msg);
            submit_free(&views[i]);
        } else if (!reqs[i].msg) {
            answer_error(c, &reqs[i], "bad_request", reqs[i].err.msg);
        } else if (!strcmp(proto_type(reqs[i].msg), MSG_SUBMIT)) {
            answer_error(c, &reqs[i], "bad_request", "a submit message that could not be read");
        } else {
            handle_other(c, &reqs[i], received);
        }
        service_req_free(&reqs[i]);
    }
    free(reqs);
    free(subs);
    free(views);
    free(is_sub);
    free(senders);
}

int main(int argc, char **argv)
{
    collector c;
    memset(&c, 0, sizeof c);
    int sfd, rc = daemon_start("par-collector", argc, argv, &c.conf, &c.clk, &sfd);
    if (rc)
        return rc;
    rc = 1;
    par_err e = {{0}};
    void *ctx = NULL;
    char dir[CONF_PATH + 16], ev_ep[CONF_PATH + 32];
    snprintf(dir, sizeof dir, "%s/collector", c.conf.data_dir);
    if (record_open(&c.rec, dir, 0, &e) < 0 || sign_key_load(&c.conf, &c.key, &e) < 0)
        goto fail;
    ctx = zmq_ctx_new();
    if (!(c.svc = service_new(ctx, &c.conf, "collector", &e)))
        goto fail;
    service_keep_raw(c.svc, MSG_SUBMIT);
    c.pub = zmq_socket(ctx, ZMQ_PUB);
    sock_defaults(c.pub, 1000);
    config_ipc(&c.conf, "events-in", ev_ep, sizeof ev_ep);
    if (zmq_connect(c.pub, ev_ep) < 0) {
        err_set(&e, "connect %s: %s", ev_ep, zmq_strerror(zmq_errno()));
        goto fail;
    }
    log_info("event=started store=%s seq=%llu", dir, (unsigned long long)record_last_seq(c.rec));
    int64_t next_check = clock_mono_ms() + READER_CHECK_MS;
    for (;;) {
        int64_t seq = (int64_t)record_last_seq(c.rec);
        pv *stats = service_due(c.svc, seq) ? query_stats(c.rec) : NULL;
        int wait = service_tick(c.svc, seq, stats);
        pv_free(stats);
        zmq_pollitem_t items[] = {{service_socket(c.svc), 0, ZMQ_POLLIN, 0}, {NULL, sfd, ZMQ_POLLIN, 0}};
        if (zmq_poll(items, 2, wait) < 0 && zmq_errno() != EINTR) {
            err_set(&e, "poll: %s", zmq_strerror(zmq_errno()));
            goto fail;
        }
        if (daemon_stopping(&items[1], sfd, &c.conf))
            break;
        if (items[0].revents & ZMQ_POLLIN)
            serve(&c);
        if (clock_mono_ms() >= next_check) {
            int dead = store_reader_check(record_store(c.rec));
            if (dead)
                log_info("event=stale_readers_cleared count=%d", dead);
            next_check = clock_mono_ms() + READER_CHECK_MS;
        }
    }
    service_bye(c.svc);
    rc = 0;
fail:
    if (rc)
        fprintf(stderr, "par-collector: %s\n", e.msg);
    if (c.pub)
        zmq_close(c.pub);
    service_destroy(c.svc);
    if (ctx)
        zmq_ctx_term(ctx);
    record_close(c.rec);
    sodium_memzero(&c.key, sizeof c.key);
    if (sfd >= 0)
        close(sfd);
    return rc;
}
