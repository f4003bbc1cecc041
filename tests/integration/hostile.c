/* hostile: a client that behaves badly on purpose, for the tests of issue 14. It speaks
 * the protocol through the broker like par-agent and parctl, with the config of
 * PAR_CONF (its key, if any), and prints what it was answered.
 *
 * usage: hostile heartbeats N UNIT_BYTES EXTRA_BYTES [UNIT]
 *          N agent heartbeats: a unit id of UNIT_BYTES (or UNIT when given), and an
 *          argument the broker does not know of EXTRA_BYTES when > 0
 *        hostile flood CONNECTIONS MESSAGES ROWS
 *          CONNECTIONS clients each sending MESSAGES submit messages of ROWS refused rows
 *          (notes of 60 bytes), without waiting for the answers
 *        hostile nul
 *          one submit message whose line 2 has the value "5\0 9", line 3 the unit
 *          "TDG\0XYZ", line 4 nothing wrong: prints the answer as JSON
 *        hostile query SERVICE Q ARGS
 *          one query Q to SERVICE with ARGS (a flat JSON object) as given: prints the
 *          answer's data as JSON
 *        hostile liar N
 *          serves as the collector (run it without one): its first N answers to a
 *          submit say one line more stored than was sent (sequence numbers from 1000),
 *          the rest are right (every line stored, sequence numbers from 1); prints "ack ID LINES right|wrong" for each
 *          until killed
 * Prints "accepted N refused N unanswered N" and the first refusal. */
#include "../../common/client.h"
#include "../../common/clock.h"
#include "../../common/daemon.h"
#include "../../common/json.h"
#include "../../common/service.h"
#include "../../proto/proto.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stopping;
static void on_term(int sig)
{
    (void)sig;
    stopping = 1;
}

static pv *heartbeat(int64_t id, const char *unit, size_t extra)
{
    pv *q = proto_msg(MSG_QUERY), *args = pv_map();
    pv_set_int(q, "id", id);
    pv_set_str(q, "q", "agent");
    pv_set_str(args, "unit", unit);
    pv_set_str(args, "version", "hostile");
    if (extra) {
        char *x = malloc(extra + 1);
        memset(x, 'x', extra);
        x[extra] = '\0';
        pv_set_str(args, "extra", x);
        free(x);
    }
    pv_set(q, "args", args);
    return q;
}

static pv *submit(int64_t id, int rows)
{
    pv *m = proto_msg(MSG_SUBMIT), *cols = pv_arr(), *rs = pv_arr();
    const char *names[] = {"unit", "year", "period", "kind", "key", "value", "date", "note"};
    for (int i = 0; i < 8; i++)
        pv_push(cols, pv_str(names[i]));
    for (int r = 0; r < rows; r++) {
        pv *row = pv_arr();
        pv_push(row, pv_int(r + 2));
        const char *v[] = {"NOSUCHUNIT", "2023", "Y", "score", "1.3", "1", "",
                           "a hostile client's note, sixty bytes long or thereabouts...."};
        for (int i = 0; i < 8; i++)
            pv_push(row, pv_str(v[i]));
        pv_push(rs, row);
    }
    pv_set_int(m, "id", id);
    pv_set_str(m, "ack", "compact");
    pv_set(m, "cols", cols);
    pv_set(m, "rows", rs);
    return m;
}

int main(int argc, char **argv)
{
    par_config conf;
    par_err e = {{0}};
    if (argc < 2 || config_load(&conf, NULL, &e) < 0) {
        fprintf(stderr, "usage: hostile heartbeats N UNIT_BYTES EXTRA_BYTES [UNIT] | flood CONNS MSGS ROWS %s\n", e.msg);
        return 2;
    }
    int accepted = 0, refused = 0, unanswered = 0;
    char first[512] = "";
    if (!strcmp(argv[1], "heartbeats") && argc >= 5) {
        int n = atoi(argv[2]);
        size_t ub = (size_t)atol(argv[3]), extra = (size_t)atol(argv[4]);
        client *c = client_new(&conf, &e);
        if (!c) {
            fprintf(stderr, "hostile: %s\n", e.msg);
            return 1;
        }
        for (int i = 0; i < n; i++) {
            char *unit = malloc(ub + 16);
            if (argc > 5)
                snprintf(unit, ub + 16, "%s", argv[5]);
            else {
                memset(unit, 'U', ub);
                snprintf(unit + (ub > 8 ? ub - 8 : 0), 16, "%08d", i);
            }
            pv *q = heartbeat(0, unit, extra), *r = NULL;
            free(unit);
            par_err ce = {{0}};
            if (client_call(c, "broker", q, 1500, &r, &ce) == 0) {
                accepted++;
            } else if (strstr(ce.msg, "no answer")) {
                unanswered++;
            } else {
                refused++;
                if (!*first)
                    snprintf(first, sizeof first, "%s", ce.msg);
            }
            pv_free(q);
            pv_free(r);
        }
        client_destroy(c);
    } else if (!strcmp(argv[1], "flood") && argc == 5) {
        int conns = atoi(argv[2]), msgs = atoi(argv[3]), rows = atoi(argv[4]);
        client **cs = calloc((size_t)conns, sizeof *cs);
        pv *m = submit(1, rows);
        for (int k = 0; k < conns; k++)
            if (!(cs[k] = client_new(&conf, &e))) {
                fprintf(stderr, "hostile: %s\n", e.msg);
                return 1;
            }
        int64_t start = clock_mono_ms();
        int sent = 0;
        /* encoded once: the flood costs the server, not this program */
        char *buf;
        size_t len;
        proto_encode(m, &buf, &len);
        for (int i = 0; i < msgs; i++)
            for (int k = 0; k < conns; k++) {
                const void *parts[] = {"collector", buf};
                size_t lens[] = {9, len};
                while (sock_send_parts(client_socket(cs[k]), parts, lens, 2, ZMQ_DONTWAIT) < 0 &&
                       clock_mono_ms() - start < 30000)
                    client_wait_writable(cs[k], 100);
                sent++;
            }
        free(buf);
        /* the answers, as they come: refusals of the excess or acks of refused rows */
        int answers = 0;
        while (answers < sent && clock_mono_ms() - start < 60000) {
            for (int k = 0; k < conns; k++) {
                pv *r = NULL;
                par_err re;
                if (client_recv(cs[k], 50, &r, &re) == 1 && r) {
                    answers++;
                    if (!strcmp(proto_type(r), MSG_ERROR)) {
                        refused++;
                        if (!*first)
                            snprintf(first, sizeof first, "%s: %s", pv_get_str(r, "code"), pv_get_str(r, "message"));
                    } else {
                        accepted++;
                    }
                }
                pv_free(r);
            }
        }
        unanswered = sent - answers;
        pv_free(m);
        for (int k = 0; k < conns; k++)
            client_destroy(cs[k]);
        free(cs);
    } else if (!strcmp(argv[1], "query") && argc == 5) {
        /* hostile query SERVICE Q ARGS: one query with ARGS (a flat JSON object) as they
         * are, which no client of ours sends as such; prints the answer's data as JSON */
        client *c = client_new(&conf, &e);
        pv *args = c ? json_read_flat(argv[4], strlen(argv[4]), &e) : NULL;
        if (!args) {
            fprintf(stderr, "hostile: %s\n", e.msg);
            client_destroy(c);
            return 1;
        }
        pv *m = proto_msg(MSG_QUERY), *reply = NULL;
        pv_set_int(m, "id", client_next_id(c));
        pv_set_str(m, "q", argv[3]);
        pv_set(m, "args", args);
        int rc = client_call(c, argv[2], m, 5000, &reply, &e);
        if (rc < 0)
            fprintf(stderr, "hostile: %s\n", e.msg);
        else
            json_print(stdout, pv_get(reply, "data"));
        pv_free(reply);
        pv_free(m);
        client_destroy(c);
        return rc < 0 ? 1 : 0;
    } else if (!strcmp(argv[1], "nul")) {
        client *c = client_new(&conf, &e);
        if (!c) {
            fprintf(stderr, "hostile: %s\n", e.msg);
            return 1;
        }
        pv *m = submit(0, 0), *rows = (pv *)pv_get(m, "rows");
        const char *vals[3][2] = {{"TDG", "5\0 9"}, {"TDG\0XYZ", "1"}, {"TDG", "1"}};
        const size_t lens[3][2] = {{3, 4}, {7, 1}, {3, 1}};
        for (int r = 0; r < 3; r++) {
            pv *row = pv_arr();
            pv_push(row, pv_int(r + 2));
            pv_push(row, pv_strn(vals[r][0], lens[r][0]));
            const char *mid[] = {"2024", "Y", "metric", r == 2 ? "nul_ok" : "nul_bad"};
            for (int k = 0; k < 4; k++)
                pv_push(row, pv_str(mid[k]));
            pv_push(row, pv_strn(vals[r][1], lens[r][1]));
            pv_push(row, pv_str(""));
            pv_push(row, pv_str(""));
            pv_push(rows, row);
        }
        pv_set_str(m, "ack", "full");
        pv *reply = NULL;
        if (client_call(c, "collector", m, 5000, &reply, &e) < 0) {
            fprintf(stderr, "hostile: %s\n", e.msg);
            return 1;
        }
        json_print(stdout, pv_get(reply, "results"));
        pv_free(reply);
        pv_free(m);
        client_destroy(c);
        return 0;
    } else if (!strcmp(argv[1], "liar") && argc == 3) {
        int wrong = atoi(argv[2]);
        void *ctx = zmq_ctx_new();
        service *s = service_new(ctx, &conf, "collector", &e);
        if (!s) {
            fprintf(stderr, "hostile: %s\n", e.msg);
            return 1;
        }
        /* stopped by SIGTERM: it says goodbye, so that the broker shows the collector down
         * at once and a liar started next is the one asked */
        struct sigaction sa = {.sa_handler = on_term};
        sigaction(SIGTERM, &sa, NULL);
        int64_t seq = 0;
        while (!stopping) {
            zmq_pollitem_t it = {service_socket(s), 0, ZMQ_POLLIN, 0};
            zmq_poll(&it, 1, service_tick(s, seq, NULL));
            service_req r;
            while (service_recv(s, &r) == 1) {
                if (r.msg && !strcmp(proto_type(r.msg), MSG_SUBMIT)) {
                    const pv *rows = pv_get(r.msg, "rows");
                    int64_t n = rows ? rows->u.a.n : 0;
                    pv *ack = proto_msg(MSG_ACK);
                    pv_set_int(ack, "id", r.id);
                    pv_set_str(ack, "received", "2024-12-31T08:00:00+07:00");
                    pv_set_int(ack, "seq", wrong > 0 ? 1000 : seq + 1); /* a wrong answer's receipts would show */
                    pv_set_int(ack, "stored", n + (wrong > 0));
                    printf("ack %lld %lld %s\n", (long long)r.id, (long long)n, wrong > 0 ? "wrong" : "right");
                    fflush(stdout);
                    if (wrong > 0)
                        wrong--;
                    else
                        seq += n;
                    service_reply(s, &r, ack);
                    pv_free(ack);
                }
                service_req_free(&r);
            }
        }
        service_bye(s);
        service_destroy(s);
        zmq_ctx_term(ctx);
        return 0;
    } else {
        fprintf(stderr, "hostile: unknown mode %s\n", argv[1]);
        return 2;
    }
    printf("accepted %d refused %d unanswered %d\n", accepted, refused, unanswered);
    if (*first)
        printf("first refusal: %s\n", first);
    return 0;
}
