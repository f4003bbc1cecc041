/* parctl duties: each unit's reporting duties of a year, period by period (the scorer's
 * `duties`): the report, its due day, the day the province received it, on time, late
 * or missing, and what the criterion counting them (1.2.1) gives by the province's rule. */
#include "cli.h"
#include "grid.h"
#include "vn.h"

#include <stdio.h>
#include <string.h>

#define DUTIES_TIMEOUT_MS 10000

/* "Q1" -> "Quý I", as a report is named in the plans. */
static const char *period_vi(const char *p, char out[32])
{
    static const char *const roman[] = {"I", "II", "III", "IV"};
    if (!*p)
        return "đột xuất";
    if (!strcmp(p, "Y"))
        return "năm";
    if (!strcmp(p, "H1"))
        return "6 tháng";
    if (p[0] == 'Q' && p[1] >= '1' && p[1] <= '4')
        snprintf(out, 32, "quý %s", roman[p[1] - '1']);
    else if (p[0] == 'M')
        snprintf(out, 32, "tháng %d", (p[1] - '0') * 10 + p[2] - '0');
    else
        return p;
    return out;
}

static void show_unit(const pv *u)
{
    const pv *crits = pv_get(u, "criteria");
    char a[32], b[32];
    for (uint32_t i = 0; crits && i < crits->u.a.n; i++) {
        const pv *c = crits->u.a.v[i], *list = pv_get(c, "duties");
        printf("%s (%s) — năm %lld, tiêu chí %s:%s: %lld báo cáo, %lld đúng hạn, %lld muộn, %lld chưa gửi", pv_get_text(u, "name"),
               pv_get_text(u, "unit"), (long long)pv_get_int(u, "year", 0), pv_get_text(u, "index"), pv_get_text(c, "criterion"),
               (long long)pv_get_int(c, "due", 0), (long long)pv_get_int(c, "on_time", 0),
               (long long)pv_get_int(c, "late", 0), (long long)pv_get_int(c, "missing", 0));
        if (pv_get(c, "points"))
            printf("; theo quy định: %s/%s điểm", vn_num(a, sizeof a, pv_get_num(c, "points"), 2, 0),
                   vn_num(b, sizeof b, pv_get_num(c, "max"), 2, 0));
        printf("\n");
        if (!list || !list->u.a.n)
            continue;
        grid_col cols[] = {{"Báo cáo", 0, 0, 0}, {"Kỳ", 0, 0, 1}, {"Hạn", 0, 0, 1}, {"Ngày nhận", 0, 0, 1},
                           {"Tình trạng", 0, 0, 1}};
        grid g = {cols, 5, 2};
        grid_cells cells = {0};
        for (uint32_t k = 0; k < list->u.a.n; k++) {
            const pv *d = list->u.a.v[k];
            const char *st = pv_get_text(d, "state");
            char p[32], due[16], sent[16];
            grid_cell(&cells, "%s", pv_get_text(d, "name"));
            grid_cell(&cells, "%s", period_vi(pv_get_text(d, "period"), p));
            grid_cell(&cells, "%s", vn_date(due, pv_get_text(d, "due")));
            grid_cell(&cells, "%s", *pv_get_text(d, "sent") ? vn_date(sent, pv_get_text(d, "sent")) : "—");
            if (!strcmp(st, "late"))
                grid_cell(&cells, "muộn %lld ngày", (long long)pv_get_int(d, "days_late", 0));
            else
                grid_cell(&cells, "%s", !strcmp(st, "on_time") ? "đúng hạn" : "chưa gửi");
        }
        grid_fit(&g, (const char *const *)cells.v, cells.n / 5, grid_term_width());
        grid_print(stdout, &g, &cells);
        grid_cells_free(&cells);
    }
}

static void show(const pv *list)
{
    if (!list || !list->u.a.n) {
        printf("Không có báo cáo phải gửi trong năm đã chọn.\n");
        return;
    }
    const pv *d = pv_get(list->u.a.v[0], "report_days");
    long long m = pv_get_int(d, "month", 0), q = pv_get_int(d, "quarter", 0), h = pv_get_int(d, "half", 0),
              y = pv_get_int(d, "year", 0);
    if (m == q && q == h && h == y)
        printf("Hạn báo cáo định kỳ: ngày %lld của tháng cuối kỳ", m);
    else
        printf("Hạn báo cáo định kỳ, ngày của tháng cuối kỳ: báo cáo tháng ngày %lld, quý ngày %lld, 6 tháng ngày %lld, "
               "năm ngày %lld",
               m, q, h, y);
    printf(" (ngày nghỉ: ngày làm việc tiếp theo); báo cáo của đơn vị tính từ ngày tỉnh nhận.\n\n");
    for (uint32_t i = 0; i < list->u.a.n; i++) {
        if (i)
            printf("\n");
        show_unit(list->u.a.v[i]);
    }
}

int cli_duties(cli *c, int argc, char **argv)
{
    static const char *const names[] = {"--index", "--year", "--unit"};
    const char *v[3] = {"PAR", NULL, NULL};
    if (cli_options(argc, argv, names, v, 3) < 0 || !v[1])
        goto usage;
    return cli_query_show(c, "scorer", "duties", cli_option_args(names, v, 3), DUTIES_TIMEOUT_MS, "parctl duties",
                          show);
usage:
    fprintf(stderr, "usage: parctl duties --year Y [--unit U] [--index I] [--json]\n");
    return 2;
}
