#include "cli.h"
#include "../common/client.h"
#include "../common/json.h"

#include <stdio.h>
#include <string.h>

/* The broker answers at once or is down: the whole command stays under 3 s. */
#define STATUS_TIMEOUT_MS 2500

static void age(char *out, size_t n, int64_t ms)
{
    if (ms < 0)
        snprintf(out, n, "-");
    else if (ms < 10000)
        snprintf(out, n, "%.1fs", (double)ms / 1000);
    else if (ms < 3600000)
        snprintf(out, n, "%lldm%02llds", (long long)(ms / 60000), (long long)(ms / 1000 % 60));
    else
        snprintf(out, n, "%lldh%02lldm", (long long)(ms / 3600000), (long long)(ms / 60000 % 60));
}

int cli_status(cli *c, int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: parctl status [--json]\n");
        return 2;
    }
    par_err e = {{0}};
    client *cl = cli_client(c);
    if (!cl) {
        return 2;
    }
    pv *msg = proto_msg(MSG_QUERY);
    pv_set_str(msg, "q", "status");
    pv *reply = NULL;
    int healthy = 1;
    pv *out;
    if (client_call(cl, "broker", msg, STATUS_TIMEOUT_MS, &reply, &e) < 0) {
        healthy = 0;
        out = pv_map();
        pv_set(out, "healthy", pv_bool(0));
        pv *b = pv_map();
        pv_set_str(b, "name", "broker");
        pv_set(b, "up", pv_bool(0));
        pv_set_str(b, "error", e.msg);
        pv *list = pv_arr();
        pv_push(list, b);
        pv_set(out, "services", list);
    } else {
        out = pv_copy(pv_get(reply, "data"));
        const pv *list = pv_get(out, "services");
        int64_t head = -1;
        for (uint32_t i = 0; list && i < list->u.a.n; i++) {
            if (pv_get_bool(list->u.a.v[i], "required", 0) && !pv_get_bool(list->u.a.v[i], "up", 0))
                healthy = 0;
            if (!strcmp(pv_get_str(list->u.a.v[i], "name"), "collector"))
                head = pv_get_int(list->u.a.v[i], "seq", -1);
        }
        /* how far each follower of the change log is behind the collector: unknown (null)
         * when either is down, since a stopped follower's last figure says nothing now */
        int collector_up = 0;
        for (uint32_t i = 0; list && i < list->u.a.n; i++)
            if (!strcmp(pv_get_str(list->u.a.v[i], "name"), "collector"))
                collector_up = pv_get_bool(list->u.a.v[i], "up", 0);
        for (uint32_t i = 0; list && i < list->u.a.n; i++) {
            pv *s = list->u.a.v[i];
            /* a negative sequence number: the service follows no change log (par-web) */
            if (!strcmp(pv_get_str(s, "name"), "collector") || !pv_get(s, "seq") || pv_get_int(s, "seq", 0) < 0)
                continue;
            if (head >= 0 && collector_up && pv_get_bool(s, "up", 0))
                pv_set_int(s, "lag", head - pv_get_int(s, "seq", 0));
            else
                pv_set(s, "lag", pv_nil());
        }
        pv_set(out, "healthy", pv_bool(healthy));
    }
    if (c->json) {
        json_print(stdout, out);
    } else {
        const pv *list = pv_get(out, "services");
        printf("%-12s %-5s %10s %10s %10s  %s\n", "SERVICE", "STATE", "SEQ", "LAST SEEN", "UPTIME", "DETAILS");
        if (reply) {
            char up[32];
            age(up, sizeof up, pv_get_int(out, "uptime_ms", -1));
            printf("%-12s %-5s %10s %10s %10s  version=%s endpoint=%s\n", "broker", "up", "-", "-", up,
                   pv_get_str(out, "version") ? pv_get_str(out, "version") : "?", c->conf->endpoint);
        }
        for (uint32_t i = 0; list && i < list->u.a.n; i++) {
            const pv *s = list->u.a.v[i];
            char seen[32], up[32], seq[32] = "-", details[512] = "";
            age(seen, sizeof seen, pv_get(s, "last_seen_ms") ? pv_get_int(s, "last_seen_ms", -1) : -1);
            age(up, sizeof up, pv_get(s, "uptime_ms") ? pv_get_int(s, "uptime_ms", -1) : -1);
            if (pv_get(s, "seq") && pv_get_int(s, "seq", 0) >= 0)
                snprintf(seq, sizeof seq, "%lld", (long long)pv_get_int(s, "seq", 0));
            const pv *info = pv_get(s, "info");
            size_t o = 0;
            if (pv_get_str(info, "version"))
                o += (size_t)snprintf(details, sizeof details, "version=%s", pv_get_str(info, "version"));
            for (uint32_t k = 0; info && info->t == PV_MAP && k < info->u.m.n && o < sizeof details; k++) {
                const pv_kv *kv = &info->u.m.kv[k];
                if (kv->v->t == PV_INT && strcmp(kv->k, "pid"))
                    o += (size_t)snprintf(details + o, sizeof details - o, "%s%s=%lld", o ? " " : "", kv->k,
                                          (long long)kv->v->u.i);
            }
            const pv *lag = pv_get(s, "lag");
            if (lag && lag->t == PV_INT && o < sizeof details)
                o += (size_t)snprintf(details + o, sizeof details - o, "%slag=%lld", o ? " " : "", (long long)lag->u.i);
            else if (lag && o < sizeof details)
                o += (size_t)snprintf(details + o, sizeof details - o, "%slag=unknown", o ? " " : "");
            if (pv_get_str(s, "error"))
                snprintf(details, sizeof details, "%s", pv_get_str(s, "error"));
            printf("%-12s %-5s %10s %10s %10s  %s\n", pv_get_str(s, "name"), pv_get_bool(s, "up", 0) ? "up" : "DOWN",
                   seq, seen, up, details);
        }
        const pv *agents = pv_get(out, "agents");
        if (agents && agents->u.a.n) {
            printf("\n%-12s %-7s %10s %8s  %s\n", "AGENT", "STATE", "LAST SEEN", "OUTBOX", "LAST SUCCESS");
            for (uint32_t i = 0; i < agents->u.a.n; i++) {
                const pv *a = agents->u.a.v[i];
                char seen[32];
                age(seen, sizeof seen, pv_get_int(a, "last_seen_ms", -1));
                printf("%-12s %-7s %10s %8s  %s\n", pv_get_str(a, "unit"), pv_get_bool(a, "silent", 0) ? "SILENT" : "heard",
                       seen, pv_get_str(a, "outbox") ? pv_get_str(a, "outbox") : "-",
                       pv_get_str(a, "last_success") ? pv_get_str(a, "last_success") : "-");
            }
        }
        if (!healthy)
            printf("unhealthy: a required service is down\n");
    }
    pv_free(out);
    pv_free(reply);
    pv_free(msg);
    client_destroy(cl);
    return healthy ? 0 : 1;
}
