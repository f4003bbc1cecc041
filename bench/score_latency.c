/* score_latency: from a pushed change to the new total being queryable.
 * Each round sends one appraisal line to the collector (as par-agent does) and waits
 * for its durable acknowledgement, then asks the scorer for the unit's result until
 * it shows the new total. Prints p50/p99/max of: push to ack, ack to visible, push to
 * visible. Needs a running system with the sample data (bench/run.sh starts one). */
#include "result.h"
#include "../common/client.h"
#include "../common/clock.h"
#include "../common/daemon.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pctl(double *v, int n, double p)
{
    return v[(int)fmin(n - 1, floor(p * n))];
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    par_config conf;
    par_clock clk;
    if (daemon_setup("score_latency", &argc, argv, &conf, &clk) < 0)
        return 2;
    int rounds = argc > 1 ? atoi(argv[1]) : 200;
    par_err e = {{0}};
    client *cl = client_new(&conf, &e);
    if (!cl) {
        fprintf(stderr, "%s\n", e.msg);
        return 2;
    }
    double *ack = calloc((size_t)rounds, sizeof *ack), *vis = calloc((size_t)rounds, sizeof *vis),
           *all = calloc((size_t)rounds, sizeof *all);
    for (int r = 0; r < rounds; r++) {
        /* TDG's 1.3 (max 2) alternates between two appraised values */
        char value[16];
        snprintf(value, sizeof value, "%.2f", r % 2 ? 1.25 : 0.75);
        pv *m = proto_msg(MSG_SUBMIT), *cols = pv_arr(), *rows = pv_arr(), *row = pv_arr(), *reply;
        const char *c[] = {"unit", "year", "period", "kind", "key", "value", "note"};
        const char *f[] = {"TDG", "2023", "Y", "appraisal", "1.3", value, "bench"};
        for (int i = 0; i < 7; i++)
            pv_push(cols, pv_str(c[i]));
        pv_push(row, pv_int(2));
        for (int i = 0; i < 7; i++)
            pv_push(row, pv_str(f[i]));
        pv_push(rows, row);
        pv_set(m, "cols", cols);
        pv_set(m, "rows", rows);
        double t0 = now_ms();
        if (client_call(cl, "collector", m, 10000, &reply, &e) < 0) {
            fprintf(stderr, "push: %s\n", e.msg);
            return 1;
        }
        double t1 = now_ms();
        pv_free(reply);
        pv_free(m);
        /* poll the scorer until 1.3 shows the new value */
        for (;;) {
            pv *q = proto_msg(MSG_QUERY), *args = pv_map();
            pv_set_str(q, "q", "result");
            pv_set_str(args, "unit", "TDG");
            pv_set_str(args, "index", "PAR");
            pv_set_str(args, "year", "2023");
            pv_set(q, "args", args);
            int seen = 0;
            if (client_call(cl, "scorer", q, 10000, &reply, &e) == 0) {
                const pv *crits = pv_get(pv_get(reply, "data"), "criteria");
                for (uint32_t i = 0; crits && i < crits->u.a.n; i++) {
                    const pv *cr = crits->u.a.v[i];
                    const pv *sc = pv_get(cr, "score");
                    if (!strcmp(pv_get_str(cr, "id"), "1.3") && sc && fabs(sc->u.f - atof(value)) < 1e-9)
                        seen = 1;
                }
                pv_free(reply);
            }
            pv_free(q);
            if (seen)
                break;
            if (now_ms() - t1 > 10000) {
                fprintf(stderr, "round %d: the change never showed\n", r);
                return 1;
            }
        }
        double t2 = now_ms();
        ack[r] = t1 - t0;
        vis[r] = t2 - t1;
        all[r] = t2 - t0;
    }
    qsort(ack, (size_t)rounds, sizeof *ack, cmp);
    qsort(vis, (size_t)rounds, sizeof *vis, cmp);
    qsort(all, (size_t)rounds, sizeof *all, cmp);
    printf("%-28s %8s %8s %8s   (%d rounds, ms)\n", "change to score", "p50", "p99", "max", rounds);
    printf("%-28s %8.2f %8.2f %8.2f\n", "push -> durable ack", pctl(ack, rounds, .5), pctl(ack, rounds, .99),
           ack[rounds - 1]);
    printf("%-28s %8.2f %8.2f %8.2f\n", "ack -> visible in scores", pctl(vis, rounds, .5), pctl(vis, rounds, .99),
           vis[rounds - 1]);
    printf("%-28s %8.2f %8.2f %8.2f\n", "push -> visible in scores", pctl(all, rounds, .5), pctl(all, rounds, .99),
           all[rounds - 1]);
    char key[128];
    const char *label = argc > 2 ? argv[2] : "latency";
    snprintf(key, sizeof key, "%s.push_to_ack_p50_ms", label);
    result_put(key, pctl(ack, rounds, .5));
    snprintf(key, sizeof key, "%s.push_to_visible_p50_ms", label);
    result_put(key, pctl(all, rounds, .5));
    snprintf(key, sizeof key, "%s.push_to_visible_p99_ms", label);
    result_put(key, pctl(all, rounds, .99));
    snprintf(key, sizeof key, "%s.push_to_visible_max_ms", label);
    result_put(key, all[rounds - 1]);
    free(ack);
    free(vis);
    free(all);
    client_destroy(cl);
    return 0;
}
