/* parctl tasks, alerts and ack: what the notifier holds. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#define NOTIFIER_TIMEOUT_MS 10000

static const char *s(const pv *m, const char *k)
{
    const char *v = pv_get_str(m, k);
    return v ? v : "";
}

/* Asks the notifier; prints the reply as JSON with --json, else through show. */
static int ask(cli *c, const char *q, pv *args, void (*show)(const pv *data))
{
    char who[64];
    snprintf(who, sizeof who, "parctl: %s", q);
    return cli_query_show(c, "notifier", q, args, NOTIFIER_TIMEOUT_MS, who, show);
}

static void show_tasks(const pv *list)
{
    if (!list->u.a.n) {
        printf("no tasks\n");
        return;
    }
    printf("%-22s %-9s %-10s %-6s %-10s %-9s %s\n", "TASK", "LEAD", "DEADLINE", "PERIOD", "STATE", "DAYS", "TEXT");
    for (uint32_t i = 0; i < list->u.a.n; i++) {
        const pv *t = list->u.a.v[i];
        char days[32] = "", text[160];
        if (*s(t, "deadline")) {
            int64_t d = pv_get_int(t, "days", 0);
            snprintf(days, sizeof days, d < 0 ? "%lld late" : "%lld left", (long long)(d < 0 ? -d : d));
        }
        const char *state = s(t, "state");
        char st[32];
        snprintf(st, sizeof st, "%s%s", state, pv_get(t, "acked") && pv_get(t, "acked")->u.b ? "(ack)" : "");
        char when[160];
        str_column(text, sizeof text, s(t, "task"), 60);
        /* an undated task shows what its plan wrote, cut to the column */
        str_column(when, sizeof when, *s(t, "deadline") ? s(t, "deadline") : s(t, "deadline_text"), 10);
        printf("%-22s %-9s %s %-6s %-10s %-9s %s\n", s(t, "id"), s(t, "lead"), when, s(t, "period"), st, days, text);
    }
}

static void show_alerts(const pv *list)
{
    if (!list->u.a.n) {
        printf("no alerts\n");
        return;
    }
    printf("%-6s %-8s %-22s %-13s %-10s %-10s %s\n", "ALERT", "KIND", "TASK", "DEADLINE", "SENT ON", "STATE", "TO");
    for (uint32_t i = 0; i < list->u.a.n; i++) {
        const pv *a = list->u.a.v[i];
        char to[512] = "";
        size_t o = 0;
        const pv *rs = pv_get(a, "to");
        for (uint32_t k = 0; rs && k < rs->u.a.n && o < sizeof to; k++)
            o += (size_t)snprintf(to + o, sizeof to - o, "%s%s(%s)", k ? " " : "", s(rs->u.a.v[k], "unit"),
                                  s(rs->u.a.v[k], "role"));
        char state[32];
        snprintf(state, sizeof state, "%s%s", s(a, "state"),
                 pv_get(a, "acked") && pv_get(a, "acked")->u.b ? ",acked" : "");
        printf("%-6lld %-8s %-22s %-13s %-10s %-10s %s\n", (long long)pv_get_int(a, "id", 0), s(a, "kind"),
               s(a, "task"), s(a, "instance"), s(a, "slot"), state, to);
        const pv *errs = pv_get(a, "errors");
        for (uint32_t k = 0; errs && k < errs->u.a.n; k++)
            printf("       %s to %s failed %lld times, next try %s: %s\n", s(errs->u.a.v[k], "channel"),
                   s(errs->u.a.v[k], "unit"), (long long)pv_get_int(errs->u.a.v[k], "attempts", 0),
                   s(errs->u.a.v[k], "next"), s(errs->u.a.v[k], "error"));
    }
}

static void show_ack(const pv *a)
{
    printf("acknowledged alert %lld: no more alerts for task %s, deadline %s\n", (long long)pv_get_int(a, "alert", 0),
           s(a, "task"), s(a, "instance"));
}

int cli_tasks(cli *c, int argc, char **argv)
{
    pv *args = pv_map();
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--unit") && i + 1 < argc) {
            pv_set_str(args, "unit", argv[++i]);
        } else if (!strcmp(argv[i], "--overdue")) {
            pv_set_str(args, "overdue", "1");
        } else {
            pv_free(args);
            fprintf(stderr, "usage: parctl tasks [--unit U] [--overdue] [--json]\n");
            return 2;
        }
    }
    return ask(c, "tasks", args, show_tasks);
}

int cli_alerts(cli *c, int argc, char **argv)
{
    pv *args = pv_map();
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--unit") && i + 1 < argc) {
            pv_set_str(args, "unit", argv[++i]);
        } else {
            pv_free(args);
            fprintf(stderr, "usage: parctl alerts [--unit U] [--json]\n");
            return 2;
        }
    }
    return ask(c, "alerts", args, show_alerts);
}

int cli_ack(cli *c, int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: parctl ack ALERT   (the number parctl alerts shows)\n");
        return 2;
    }
    pv *args = pv_map();
    pv_set_str(args, "alert", argv[1]);
    return ask(c, "ack", args, show_ack);
}
