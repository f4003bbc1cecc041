/* parctl scores: the ranking of an index and year as an official reads it (units by
 * name, decimal commas, the areas as shares of their maximum), or with --owner the
 * points lost on the criteria one department answers for. */
#include "cli.h"
#include "grid.h"
#include "vn.h"
#include "../common/client.h"
#include "../common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCORES_TIMEOUT_MS 10000

/* --owner: the points lost on the criteria a department answers for, across units. */
static void show_owner(const pv *d)
{
    char a[32];
    const pv *losses = pv_get(d, "losses"), *per = pv_get(d, "by_criterion");
    char who[256];
    if (*pv_get_text(d, "owner_name"))
        snprintf(who, sizeof who, "%s (%s)", pv_get_text(d, "owner_name"), pv_get_text(d, "owner"));
    else
        str_copy(who, sizeof who, pv_get_text(d, "owner"));
    printf("Điểm bị trừ ở các tiêu chí do %s phụ trách, Chỉ số %s năm %lld: %s điểm\n", who, pv_get_text(d, "index"),
           (long long)pv_get_int(d, "year", 0), vn_num(a, sizeof a, pv_get_num(d, "lost"), 2, 0));
    if (!losses || !losses->u.a.n) {
        printf("Không đơn vị nào bị trừ điểm ở các tiêu chí này.\n");
        return;
    }
    for (uint32_t i = 0; per && i < per->u.m.n; i++)
        printf("  Tiêu chí %s: %s điểm\n", per->u.m.kv[i].k, vn_num(a, sizeof a, pv_get_num(per, per->u.m.kv[i].k), 2, 0));
    printf("\n");
    grid_col cols[] = {{"Mã", 0, 0, 1}, {"Đơn vị", 0, 0, 0}, {"Tiêu chí", 0, 0, 1}, {"Bị trừ", 0, 1, 1},
                       {"Lý do", 0, 0, 0}};
    grid g = {cols, 5, 2};
    grid_cells c = {0};
    for (uint32_t i = 0; i < losses->u.a.n; i++) {
        const pv *l = losses->u.a.v[i];
        grid_cell(&c, "%s", pv_get_text(l, "unit"));
        grid_cell(&c, "%s", pv_get_text(l, "unit_name"));
        grid_cell(&c, "%s", pv_get_text(l, "id"));
        grid_cell(&c, "-%s", vn_num(a, sizeof a, pv_get_num(l, "lost"), 2, 0));
        grid_cell(&c, "%s", pv_get_text(l, "reason"));
    }
    grid_fit(&g, (const char *const *)c.v, c.n / 5, grid_term_width());
    grid_print(stdout, &g, &c);
    grid_cells_free(&c);
}

/* A unit's name when the list holds it (the parent of a group of communes is a ranked
 * district); its id otherwise. */
static const char *name_in(const pv *list, const char *unit)
{
    for (uint32_t i = 0; i < list->u.a.n; i++)
        if (!strcmp(pv_get_text(list->u.a.v[i], "unit"), unit) && *pv_get_text(list->u.a.v[i], "name"))
            return pv_get_text(list->u.a.v[i], "name");
    return unit;
}

/* The rows [from, to) of list: one peer group (a level under one parent). */
static void show_group(const pv *list, uint32_t from, uint32_t to)
{
    const pv *first = list->u.a.v[from], *areas = pv_get(first, "components");
    int nareas = areas ? (int)areas->u.a.n : 0, n = 6 + nareas, width = grid_term_width();
    const char *parent = pv_get_text(first, "parent");
    const char *pname = name_in(list, parent);
    printf("Chỉ số %s năm %lld, cấp %s thuộc %s%s%s%s\n", pv_get_text(first, "index"), (long long)pv_get_int(first, "year", 0),
           str_level_vi(pv_get_text(first, "level")), pname, pname != parent ? " (" : "", pname != parent ? parent : "",
           pname != parent ? ")" : "");
    grid_col *cols = xcalloc((size_t)n, sizeof *cols);
    static const char *const heads[] = {"Hạng", "Mã", "Đơn vị", "Tổng điểm", "Năm trước", "Thay đổi"};
    for (int i = 0; i < 6; i++)
        cols[i] = (grid_col){heads[i], 0, i >= 3, i != 2};
    grid_cells c = {0}, h = {0};
    for (int k = 0; k < nareas; k++) {
        grid_cell(&h, "LV %s", pv_get_text(areas->u.a.v[k], "id"));
        cols[6 + k] = (grid_col){h.v[k], 0, 1, 1};
    }
    char a[32], b[32];
    for (uint32_t i = from; i < to; i++) {
        const pv *r = list->u.a.v[i], *comps = pv_get(r, "components");
        grid_cell(&c, "%lld/%lld", (long long)pv_get_int(r, "rank", 0), (long long)pv_get_int(r, "of", 0));
        grid_cell(&c, "%s", pv_get_text(r, "unit"));
        grid_cell(&c, "%s", pv_get_text(r, "name"));
        grid_cell(&c, "%s/%s", vn_num(a, sizeof a, pv_get_num(r, "total"), 2, 0), vn_num(b, sizeof b, pv_get_num(r, "max"), 0, 0));
        grid_cell(&c, "%s", pv_get(r, "prev_total") ? vn_num(a, sizeof a, pv_get_num(r, "prev_total"), 2, 0) : "–");
        grid_cell(&c, "%s", pv_get(r, "change") ? vn_num(a, sizeof a, pv_get_num(r, "change"), 2, 1) : "–");
        /* a unit whose framework has fewer areas leaves the rest of its row empty */
        for (int k = 0; k < nareas; k++)
            grid_cell(&c, "%s", comps && (uint32_t)k < comps->u.a.n ? vn_num(a, sizeof a, pv_get_num(comps->u.a.v[k], "pct"), 1, 0)
                                                                     : "");
    }
    grid g = {cols, n, 1};
    grid_fit(&g, (const char *const *)c.v, to - from, width);
    grid_print(stdout, &g, &c);
    /* what the area columns are: their names would not fit as headers */
    sbuf legend;
    sbuf_init(&legend);
    sbuf_puts(&legend, "LV: tỷ lệ điểm đạt được so với điểm tối đa của lĩnh vực (%).");
    for (int k = 0; k < nareas; k++)
        sbuf_printf(&legend, " LV %s: %s%s", pv_get_text(areas->u.a.v[k], "id"), pv_get_text(areas->u.a.v[k], "name"),
                    k + 1 < nareas ? ";" : ".");
    grid_text(stdout, legend.buf, 0, width);
    sbuf_free(&legend);
    grid_cells_free(&c);
    grid_cells_free(&h);
    free(cols);
}

static void show_ranking(const pv *list, const char *index, const char *year, const char *level,
                         const char *parent)
{
    if (!list || list->t != PV_ARR || !list->u.a.n) {
        printf("Chưa có điểm Chỉ số %s năm %s%s%s%s%s.\n", index, year, level ? ", cấp " : "",
               level ? str_level_vi(level) : "", parent ? " thuộc " : "", parent ? parent : "");
        return;
    }
    /* the list comes ordered by level, parent and rank: a group is a run of rows */
    for (uint32_t from = 0, i = 1; i <= list->u.a.n; i++) {
        const pv *a = list->u.a.v[from], *b = i < list->u.a.n ? list->u.a.v[i] : NULL;
        if (b && !strcmp(pv_get_text(a, "level"), pv_get_text(b, "level")) && !strcmp(pv_get_text(a, "parent"), pv_get_text(b, "parent")))
            continue;
        if (from)
            printf("\n");
        show_group(list, from, i);
        from = i;
    }
}

int cli_scores(cli *c, int argc, char **argv)
{
    static const char *const names[] = {"--index", "--year", "--level", "--parent", "--owner"};
    const char *v[5] = {0};
    if (cli_options(argc, argv, names, v, 5) < 0 || !v[0] || !v[1])
        goto usage;
    const char *index = v[0], *year = v[1], *level = v[2], *parent = v[3], *owner = v[4];
    par_err e = {{0}};
    client *cl = cli_client(c);
    if (!cl)
        return 2;
    pv *args = cli_option_args(names, v, 5);
    int rc = 1;
    pv *list = cli_ask(cl, "scorer", owner ? "owner" : "scores", args, SCORES_TIMEOUT_MS, &e);
    if (!list) {
        fprintf(stderr, "parctl: scores: %s\n", e.msg);
        goto done;
    }
    if (c->json)
        json_print(stdout, list);
    else if (owner)
        show_owner(list);
    else
        show_ranking(list, index, year, level, parent);
    rc = 0;
done:
    pv_free(list);
    client_destroy(cl);
    return rc;
usage:
    fprintf(stderr, "usage: parctl scores --index I --year Y [--level L] [--parent U] [--owner U] [--json]\n");
    return 2;
}
