#include "cli.h"
#include "../common/client.h"
#include "../common/json.h"

#include <stdio.h>
#include <string.h>

#define SCORES_TIMEOUT_MS 10000

static double f(const pv *m, const char *k)
{
    const pv *v = pv_get(m, k);
    return !v ? 0 : v->t == PV_FLOAT ? v->u.f : v->t == PV_INT ? (double)v->u.i : 0;
}

/* A number as officials write it: 0,78. */
static const char *vi2(double v, char out[32])
{
    snprintf(out, 32, "%.2f", v);
    for (char *p = out; *p; p++)
        if (*p == '.')
            *p = ',';
    return out;
}

/* --owner: the points lost on the criteria a department answers for, across units. */
static void show_owner(const pv *d)
{
    char a[32];
    const pv *losses = pv_get(d, "losses"), *per = pv_get(d, "by_criterion");
    printf("Điểm bị trừ ở các tiêu chí do %s phụ trách, Chỉ số %s năm %lld: %s điểm\n", pv_get_str(d, "owner"),
           pv_get_str(d, "index"), (long long)pv_get_int(d, "year", 0), vi2(f(d, "lost"), a));
    if (!losses || !losses->u.a.n) {
        printf("Không đơn vị nào bị trừ điểm ở các tiêu chí này\n");
        return;
    }
    for (uint32_t i = 0; per && i < per->u.m.n; i++)
        printf("  Tiêu chí %s: %s điểm\n", per->u.m.kv[i].k, vi2(per->u.m.kv[i].v->u.f, a));
    for (uint32_t i = 0; i < losses->u.a.n; i++) {
        const pv *l = losses->u.a.v[i];
        char name[128];
        str_column(name, sizeof name, pv_get_str(l, "unit_name"), 24);
        printf("  %-8s %s %-8s -%s  %s\n", pv_get_str(l, "unit"), name, pv_get_str(l, "id"), vi2(f(l, "lost"), a),
               pv_get_str(l, "reason"));
    }
}

int cli_scores(cli *c, int argc, char **argv)
{
    const char *index = NULL, *year = NULL, *level = NULL, *parent = NULL, *owner = NULL;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            goto usage;
        if (!strcmp(argv[i], "--index"))
            index = argv[++i];
        else if (!strcmp(argv[i], "--year"))
            year = argv[++i];
        else if (!strcmp(argv[i], "--level"))
            level = argv[++i];
        else if (!strcmp(argv[i], "--parent"))
            parent = argv[++i];
        else if (!strcmp(argv[i], "--owner"))
            owner = argv[++i];
        else
            goto usage;
    }
    if (!index || !year)
        goto usage;
    par_err e = {{0}};
    client *cl = cli_client(c);
    if (!cl)
        return 2;
    pv *args = pv_map();
    pv_set_str(args, "index", index);
    pv_set_str(args, "year", year);
    if (level)
        pv_set_str(args, "level", level);
    if (parent)
        pv_set_str(args, "parent", parent);
    if (owner)
        pv_set_str(args, "owner", owner);
    int rc = 1;
    pv *list = cli_ask(cl, "scorer", owner ? "owner" : "scores", args, SCORES_TIMEOUT_MS, &e);
    if (!list) {
        fprintf(stderr, "parctl: scores: %s\n", e.msg);
        goto done;
    }
    if (c->json) {
        json_print(stdout, list);
    } else if (owner) {
        show_owner(list);
    } else if (c->json) {
        json_print(stdout, list);
    } else if (!list || list->u.a.n == 0) {
        printf("no %s %s scores%s%s%s%s\n", index, year, level ? " at level " : "", level ? level : "",
               parent ? " under " : "", parent ? parent : "");
    } else {
        const char *group = "";
        char last[256] = "\x01";
        for (uint32_t i = 0; i < list->u.a.n; i++) {
            const pv *r = list->u.a.v[i];
            char g[256];
            snprintf(g, sizeof g, "%s under %s", pv_get_str(r, "level"), pv_get_str(r, "parent"));
            if (strcmp(g, last)) {
                str_copy(last, sizeof last, g);
                group = g;
                printf("%s%s %s, %s\n%-5s %-10s %-28s %14s %8s %8s  %s\n", i ? "\n" : "", index, year, group, "RANK",
                       "UNIT", "NAME", "TOTAL", "PREV", "CHANGE", "AREAS (% of max)");
            }
            char prev[16] = "-", change[16] = "-", rank[16];
            if (pv_get(r, "prev_total")) {
                snprintf(prev, sizeof prev, "%.2f", f(r, "prev_total"));
                snprintf(change, sizeof change, "%+.2f", f(r, "change"));
            }
            snprintf(rank, sizeof rank, "%lld/%lld", (long long)pv_get_int(r, "rank", 0),
                     (long long)pv_get_int(r, "of", 0));
            char total[32];
            snprintf(total, sizeof total, "%.2f/%.0f", f(r, "total"), f(r, "max"));
            char name[128];
            str_column(name, sizeof name, pv_get_str(r, "name"), 28);
            printf("%-5s %-10s %s %14s %8s %8s ", rank, pv_get_str(r, "unit"), name, total, prev, change);
            const pv *comps = pv_get(r, "components");
            for (uint32_t k = 0; comps && k < comps->u.a.n; k++)
                printf(" %s:%.1f", pv_get_str(comps->u.a.v[k], "id"), f(comps->u.a.v[k], "pct"));
            printf("\n");
        }
    }
    rc = 0;
done:
    pv_free(list);
    client_destroy(cl);
    return rc;
usage:
    fprintf(stderr, "usage: parctl scores --index I --year Y [--level L] [--parent U] [--owner U] [--json]\n");
    return 2;
}
