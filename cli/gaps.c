/* parctl gaps: a survey index (PAPI, PCI, SIPAS) against the province's targets, per
 * sub-index: the figure (official where published whole), the place, the target and
 * what is missing, then the tasks that should close each gap (scorer/gaps.h). */
#include "gaps.h"
#include "cli.h"
#include "grid.h"
#include "vn.h"

#include <stdio.h>
#include <string.h>

#define GAPS_TIMEOUT_MS 10000

/* A figure as the plan prints it: two decimals at most, no trailing zeros (2,5; 3,33; 10). */
static const char *fig(char *out, size_t n, double v)
{
    vn_num(out, n, v, 2, 0);
    char *comma = strchr(out, ',');
    if (comma) {
        char *e = out + strlen(out);
        while (e > comma + 1 && e[-1] == '0')
            *--e = '\0';
        if (e == comma + 1)
            *comma = '\0';
    }
    return out;
}

const char *gaps_score(char *out, size_t n, double v, double max, int percent)
{
    char a[32], b[32];
    if (percent)
        snprintf(out, n, "%s %%", vn_num(a, sizeof a, v, 2, 0));
    else
        snprintf(out, n, "%s/%s", vn_num(a, sizeof a, v, 2, 0), fig(b, sizeof b, max));
    return out;
}

const char *gaps_places(char *out, size_t n, const pv *r)
{
    long long lo = pv_get_int(r, "rank_target_from", 0), hi = pv_get_int(r, "rank_target_to", 0);
    const char *slash = strchr(pv_get_text(r, "rank_target"), '/');
    if (lo == hi)
        snprintf(out, n, "%lld%s", lo, slash ? slash : "");
    else
        snprintf(out, n, "%lld–%lld%s", lo, hi, slash ? slash : "");
    return out;
}

static void show_unit(const pv *g)
{
    const pv *rows = pv_get(g, "rows");
    if (!rows || !rows->u.a.n)
        return;
    const pv *top = rows->u.a.v[0];
    char a[32], c[32], d[48];
    long long year = pv_get_int(g, "year", 0);
    printf("Chỉ số %s năm %lld — %s (%s)\n", pv_get_text(g, "index"), year, pv_get_text(g, "name"), pv_get_text(g, "unit"));
    int percent = pv_get_bool(g, "percent", 0);
    char sc[64];
    printf("Tổng: %s%s", gaps_score(sc, sizeof sc, pv_get_num(top, "score"), pv_get_num(top, "max"), percent),
           pv_get_bool(top, "official", 0) ? " (kết quả công bố)"
           : percent                        ? " (trung bình các chỉ số thành phần)"
                                            : " (cộng từ các chỉ số thành phần)");
    if (pv_get(top, "rank"))
        printf(", xếp thứ %lld/%lld", (long long)pv_get_int(top, "rank", 0), (long long)pv_get_int(top, "of", 0));
    printf("\n");
    if (pv_get(top, "target") || pv_get(top, "rank_target")) {
        printf("Chỉ tiêu đến năm %lld:", (long long)pv_get_int(top, "target_year", 0));
        if (pv_get(top, "target"))
            printf(" %s%s (%s %s)", vn_num(a, sizeof a, pv_get_num(top, "target"), 2, 0), percent ? " %" : " điểm",
                   pv_get_num(top, "gap") > 1e-9 ? "còn thiếu" : "đã đạt, vượt",
                   vn_num(c, sizeof c, pv_get_num(top, "gap") > 0 ? pv_get_num(top, "gap") : -pv_get_num(top, "gap"), 2, 0));
        if (pv_get(top, "rank_target"))
            printf("%s xếp thứ %s", pv_get(top, "target") ? ";" : "", gaps_places(d, sizeof d, top));
        printf("\n");
    }
    printf("Chỉ số thành phần chưa đạt chỉ tiêu: %lld\n\n", (long long)pv_get_int(g, "off_track", 0));
    char year_head[32], target_head[48];
    snprintf(year_head, sizeof year_head, "Năm %lld", year);
    long long ty = 0; /* the year the targets are for: the plan's "by 2025" */
    for (uint32_t i = 0; i < rows->u.a.n && !ty; i++)
        ty = pv_get_int(rows->u.a.v[i], "target_year", 0);
    if (ty)
        snprintf(target_head, sizeof target_head, "Chỉ tiêu %lld", ty);
    else
        snprintf(target_head, sizeof target_head, "Chỉ tiêu");
    grid_col cols[] = {{"Mã", 0, 0, 1},         {"Chỉ số thành phần", 0, 0, 0}, {year_head, 0, 1, 1},
                       {"Xếp hạng", 0, 1, 1},   {target_head, 0, 1, 1},        {"Còn thiếu", 0, 1, 1},
                       {"Chỉ tiêu xếp hạng", 0, 1, 1}, {"Nhiệm vụ", 0, 1, 1}};
    grid gr = {cols, 8, 2};
    grid_cells cells = {0};
    for (uint32_t i = 1; i < rows->u.a.n; i++) {
        const pv *r = rows->u.a.v[i];
        const pv *tasks = pv_get(r, "tasks");
        int depth = (int)pv_get_int(r, "depth", 1);
        grid_cell(&cells, "%*s%s", 2 * (depth - 1), "", pv_get_text(r, "id"));
        grid_cell(&cells, "%s%s", pv_get_text(r, "name"), pv_get_bool(r, "official", 0) ? " (công bố)" : "");
        grid_cell(&cells, "%s", gaps_score(sc, sizeof sc, pv_get_num(r, "score"), pv_get_num(r, "max"), percent));
        if (pv_get(r, "rank"))
            grid_cell(&cells, "%lld/%lld", (long long)pv_get_int(r, "rank", 0), (long long)pv_get_int(r, "of", 0));
        else
            grid_cell(&cells, "—");
        grid_cell(&cells, "%s", pv_get(r, "target") ? vn_num(a, sizeof a, pv_get_num(r, "target"), 2, 0) : "—");
        if (!pv_get(r, "target"))
            grid_cell(&cells, "—");
        else if (pv_get_num(r, "gap") > 1e-9)
            grid_cell(&cells, "%s", vn_num(a, sizeof a, pv_get_num(r, "gap"), 2, 0));
        else
            grid_cell(&cells, "đạt");
        grid_cell(&cells, "%s", pv_get(r, "rank_target") ? gaps_places(d, sizeof d, r) : "—");
        grid_cell(&cells, "%u", tasks ? tasks->u.a.n : 0);
    }
    grid_fit(&gr, (const char *const *)cells.v, cells.n / 8, grid_term_width());
    grid_print(stdout, &gr, &cells);
    grid_cells_free(&cells);
    /* then what is being done about each: the tasks by sub-index, those behind first seen */
    int heading = 0;
    for (uint32_t i = 0; i < rows->u.a.n; i++) {
        const pv *r = rows->u.a.v[i], *tasks = pv_get(r, "tasks");
        if (!tasks || !tasks->u.a.n)
            continue;
        if (!heading++)
            printf("\nNhiệm vụ gắn với từng chỉ số thành phần:\n");
        if (i == 0)
            printf("%s (cả chỉ số)", pv_get_text(g, "index"));
        else
            printf("%s %s", pv_get_text(r, "id"), pv_get_text(r, "name"));
        if (pv_get(r, "target"))
            printf(pv_get_num(r, "gap") > 1e-9 ? " — còn thiếu %s so với chỉ tiêu" : " — đã đạt chỉ tiêu%.0s",
                   vn_num(a, sizeof a, pv_get_num(r, "gap"), 2, 0));
        printf(":\n");
        for (uint32_t k = 0; k < tasks->u.a.n; k++) {
            const pv *t = tasks->u.a.v[k];
            char line[2048];
            snprintf(line, sizeof line, "- %s — chủ trì: %s — thời hạn: %s — %s%s: %s", pv_get_text(t, "id"),
                     *pv_get_text(t, "lead_name") ? pv_get_text(t, "lead_name") : pv_get_text(t, "lead"), *pv_get_text(t, "deadline") ? pv_get_text(t, "deadline") : "—",
                     pv_get_bool(t, "done", 0) ? "đã hoàn thành " : "chưa báo cáo hoàn thành",
                     pv_get_bool(t, "done", 0) ? vn_date((char[16]){0}, pv_get_text(t, "done_on")) : "",
                     *pv_get_text(t, "task") ? pv_get_text(t, "task") : pv_get_text(t, "target"));
            grid_text(stdout, line, 2, grid_term_width() - 2);
        }
    }
}

static void show(const pv *list)
{
    if (!list || !list->u.a.n) {
        printf("Không có kết quả của chỉ số này trong năm đã chọn.\n");
        return;
    }
    for (uint32_t i = 0; i < list->u.a.n; i++) {
        if (i)
            printf("\n");
        show_unit(list->u.a.v[i]);
    }
}

int cli_gaps(cli *c, int argc, char **argv)
{
    static const char *const names[] = {"--index", "--year", "--unit"};
    const char *v[3] = {0};
    if (cli_options(argc, argv, names, v, 3) < 0 || !v[0] || !v[1])
        goto usage;
    return cli_query_show(c, "scorer", "gaps", cli_option_args(names, v, 3), GAPS_TIMEOUT_MS, "parctl gaps", show);
usage:
    fprintf(stderr, "usage: parctl gaps --index I --year Y [--unit U] [--json]\n");
    return 2;
}
