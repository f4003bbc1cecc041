/* parctl report: the unit's analysis of an index for a year, as seed 003 writes it
 * by hand: total and rank, areas against last year, every deduction with its reason,
 * overdue and late tasks; or (--ranking) the peer group's table. Markdown, HTML (one
 * self-contained file, printable on A4, with an SVG chart) or CSV (UTF-8 with BOM). */
#include "cli.h"
#include "vn.h"
#include "../common/csv.h"
#include "../common/client.h"
#include "../common/clock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_TIMEOUT_MS 10000

typedef enum { F_MD, F_HTML, F_CSV } fmt;

static double num(const pv *m, const char *k)
{
    const pv *v = pv_get(m, k);
    return !v ? 0 : v->t == PV_FLOAT ? v->u.f : v->t == PV_INT ? (double)v->u.i : 0;
}

static const char *str(const pv *m, const char *k)
{
    const char *s = pv_get_str(m, k);
    return s ? s : "";
}

static void esc(sbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': sbuf_puts(b, "&lt;"); break;
        case '>': sbuf_puts(b, "&gt;"); break;
        case '&': sbuf_puts(b, "&amp;"); break;
        case '"': sbuf_puts(b, "&quot;"); break;
        default: sbuf_add(b, s, 1);
        }
    }
}

/* Markdown table cells: a '|' would end the cell. */
static void md(sbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            sbuf_puts(b, "\\|");
        else
            sbuf_add(b, s, 1);
    }
}

static void text(sbuf *b, fmt f, const char *s)
{
    if (f == F_HTML)
        esc(b, s);
    else if (f == F_MD)
        md(b, s);
    else
        sbuf_puts(b, s);
}

static pv *args3(const char *k1, const char *v1, const char *k2, const char *v2, const char *k3, const char *v3)
{
    pv *a = pv_map();
    if (v1)
        pv_set_str(a, k1, v1);
    if (v2)
        pv_set_str(a, k2, v2);
    if (v3)
        pv_set_str(a, k3, v3);
    return a;
}

static const char *rank_move(char *out, size_t n, int64_t rank, int64_t prev)
{
    if (!prev || !rank)
        snprintf(out, n, "chưa có thứ hạng năm trước");
    else if (rank < prev)
        snprintf(out, n, "tăng %lld bậc", (long long)(prev - rank));
    else if (rank > prev)
        snprintf(out, n, "giảm %lld bậc", (long long)(rank - prev));
    else
        snprintf(out, n, "giữ nguyên thứ hạng");
    return out;
}

static const char *task_state(const char *s)
{
    return !strcmp(s, "overdue") ? "Quá hạn, chưa hoàn thành" : !strcmp(s, "late") ? "Hoàn thành trễ hạn"
           : !strcmp(s, "done")  ? "Hoàn thành đúng hạn"
                                 : "Đang thực hiện";
}

static void svg_chart(sbuf *b, const pv *comps, int year)
{
    int n = comps ? (int)comps->u.a.n : 0, w = 60 * n + 60, h = 240, top = 20, base = 200;
    sbuf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                   "role=\"img\" aria-label=\"Tỷ lệ điểm theo lĩnh vực\">\n", w, h + 20, w, h + 20);
    for (int p = 0; p <= 100; p += 25) {
        int y = base - (base - top) * p / 100;
        sbuf_printf(b, "<line x1=\"40\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"grid\"/>"
                       "<text x=\"34\" y=\"%d\" class=\"axis\" text-anchor=\"end\">%d%%</text>\n", y, w - 10, y, y + 4, p);
    }
    for (int i = 0; i < n; i++) {
        const pv *c = comps->u.a.v[i];
        int x = 50 + 60 * i;
        char v[32];
        if (pv_get(c, "prev_pct")) {
            double pp = num(c, "prev_pct");
            int hh = (int)lround((base - top) * fmin(pp, 100) / 100);
            sbuf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"22\" height=\"%d\" class=\"prev\"><title>%d: %s%%</title></rect>\n",
                        x, base - hh, hh, year - 1, vn_num(v, sizeof v, pp, 2, 0));
        }
        double pc = num(c, "pct");
        int hh = (int)lround((base - top) * fmin(pc, 100) / 100);
        sbuf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"22\" height=\"%d\" class=\"now\"><title>%d: %s%%</title></rect>\n",
                    x + 24, base - hh, hh, year, vn_num(v, sizeof v, pc, 2, 0));
        sbuf_printf(b, "<text x=\"%d\" y=\"%d\" class=\"val\" text-anchor=\"middle\">%s</text>\n", x + 35,
                    base - hh - 4, vn_num(v, sizeof v, pc, 1, 0));
        sbuf_printf(b, "<text x=\"%d\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">%s</text>\n", x + 23, base + 16,
                    str(c, "id"));
    }
    sbuf_printf(b, "<rect x=\"50\" y=\"%d\" width=\"12\" height=\"12\" class=\"prev\"/><text x=\"66\" y=\"%d\" "
                   "class=\"axis\">Năm %d</text>\n", h, h + 10, year - 1);
    sbuf_printf(b, "<rect x=\"140\" y=\"%d\" width=\"12\" height=\"12\" class=\"now\"/><text x=\"156\" y=\"%d\" "
                   "class=\"axis\">Năm %d</text>\n</svg>\n", h, h + 10, year);
}

static const char *css =
    "@page{size:A4;margin:18mm 16mm}body{font-family:'Times New Roman','DejaVu Serif',serif;font-size:12pt;"
    "color:#111;max-width:180mm;margin:auto}h1{font-size:16pt;text-align:center;text-transform:uppercase}"
    "h2{font-size:13pt;margin-top:1.4em}h3{font-size:12pt;margin:.8em 0 .3em}table{border-collapse:collapse;width:100%;margin:.6em 0}"
    "th,td{border:1px solid #555;padding:3px 5px;vertical-align:top}th{background:#e8eef7}"
    "td.n{text-align:right;white-space:nowrap}.lead{text-align:center}.muted{color:#555}"
    "svg .grid{stroke:#ccc;stroke-width:1}svg .axis{font-size:10px;fill:#333}svg .val{font-size:9px;fill:#1f4e99}"
    "svg .prev{fill:#b9c3cf}svg .now{fill:#1f4e99}@media print{h2{page-break-after:avoid}tr{page-break-inside:avoid}}";

/* Before publication, the evidence gap (collector/appraise.h): what the appraisers
 * look at first. Markdown and HTML only. */
static void gaps_section(sbuf *b, fmt f, const pv *gaps)
{
    int h = f == F_HTML;
    const pv *list = gaps ? pv_get(gaps, "criteria") : NULL;
    if (f == F_CSV || !list || pv_get_int(gaps, "gaps", 0) <= 0)
        return;
    sbuf_puts(b, h ? "<h2>Cần xem trước khi thẩm định</h2>\n<ul>\n" : "\n## Cần xem trước khi thẩm định\n\n");
    for (uint32_t i = 0; i < list->u.a.n; i++) {
        const pv *c = list->u.a.v[i], *flags = pv_get(c, "flags");
        for (uint32_t k = 0; flags && k < flags->u.a.n; k++) {
            if (!strcmp(str(flags->u.a.v[k], "code"), "not_self_scored"))
                continue;
            sbuf_puts(b, h ? "<li>" : "- ");
            text(b, f, str(c, "criterion"));
            sbuf_puts(b, " ");
            text(b, f, str(c, "name"));
            sbuf_puts(b, ": ");
            text(b, f, str(flags->u.a.v[k], "text"));
            sbuf_puts(b, h ? "</li>\n" : "\n");
        }
    }
    if (h)
        sbuf_puts(b, "</ul>\n");
}

static void unit_report(sbuf *b, fmt f, const pv *r, const pv *tasks, const pv *gaps)
{
    char x[64], y[64], z[64];
    int year = (int)pv_get_int(r, "year", 0);
    const pv *comps = pv_get(r, "components"), *deds = pv_get(r, "deductions"), *missing = pv_get(r, "missing");
    int has_prev = pv_get(r, "prev_total") != NULL;
    if (f == F_CSV) {
        sbuf_puts(b, "\xef\xbb\xbf"); /* the BOM: spreadsheet programs then read UTF-8 */
        sbuf_puts(b, "STT,Lĩnh vực,Điểm,Tối đa,Tỷ lệ (%),Điểm năm trước,Tỷ lệ năm trước (%),Thay đổi (điểm %),Xếp hạng,Số đơn vị\r\n");
        for (uint32_t i = 0; comps && i < comps->u.a.n; i++) {
            const pv *c = comps->u.a.v[i];
            csv_put(b, str(c, "id"));
            sbuf_add(b, ",", 1);
            csv_put(b, str(c, "name"));
            sbuf_printf(b, ",%.4f,%.4f,%.2f,", num(c, "score"), num(c, "max"), num(c, "pct"));
            if (pv_get(c, "prev_pct"))
                sbuf_printf(b, "%.4f,%.2f,%.2f,", num(c, "prev_score"), num(c, "prev_pct"), num(c, "change_pp"));
            else
                sbuf_puts(b, ",,,");
            sbuf_printf(b, "%lld,%lld\r\n", (long long)pv_get_int(c, "rank", 0), (long long)pv_get_int(r, "of", 0));
        }
        sbuf_puts(b, "Tổng,");
        csv_put(b, str(r, "name"));
        sbuf_printf(b, ",%.4f,%.4f,%.2f,", num(r, "total"), num(r, "max"), num(r, "pct"));
        if (has_prev)
            sbuf_printf(b, "%.4f,,%.4f,", num(r, "prev_total"), num(r, "change"));
        else
            sbuf_puts(b, ",,,");
        sbuf_printf(b, "%lld,%lld\r\n", (long long)pv_get_int(r, "rank", 0), (long long)pv_get_int(r, "of", 0));
        return;
    }
    int h = f == F_HTML;
    if (h) {
        sbuf_puts(b, "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>");
        sbuf_printf(b, "Chỉ số %s năm %d – ", str(r, "index"), year);
        esc(b, str(r, "name"));
        sbuf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
        sbuf_printf(b, "<h1>Báo cáo phân tích Chỉ số %s năm %d</h1>\n<p class=\"lead\"><strong>", str(r, "index"), year);
        esc(b, str(r, "name"));
        sbuf_printf(b, "</strong> (%s)</p>\n<p>", str(r, "unit"));
    } else {
        sbuf_printf(b, "# Báo cáo phân tích Chỉ số %s năm %d\n\n**%s** (%s)\n\n", str(r, "index"), year, str(r, "name"),
                    str(r, "unit"));
    }
    sbuf_printf(b, "Năm %d đạt %s%s/%s%s điểm, xếp hạng %s%lld/%lld%s.", year, h ? "<strong>" : "**",
                vn_num(x, sizeof x, num(r, "total"), 2, 0), vn_num(y, sizeof y, num(r, "max"), 2, 0), h ? "</strong>" : "**",
                h ? "<strong>" : "**", (long long)pv_get_int(r, "rank", 0), (long long)pv_get_int(r, "of", 0),
                h ? "</strong>" : "**");
    if (has_prev) {
        char mv[64];
        sbuf_printf(b, " Năm %d: %s điểm, hạng %lld/%lld; %s %s điểm, %s.", year - 1,
                    vn_num(x, sizeof x, num(r, "prev_total"), 2, 0), (long long)pv_get_int(r, "prev_rank", 0),
                    (long long)pv_get_int(r, "prev_of", 0), num(r, "change") >= 0 ? "tăng" : "giảm",
                    vn_num(y, sizeof y, fabs(num(r, "change")), 2, 0),
                    rank_move(mv, sizeof mv, pv_get_int(r, "rank", 0), pv_get_int(r, "prev_rank", 0)));
    }
    sbuf_printf(b, "%sĐiểm thẩm định: %s; điểm điều tra xã hội học: %s.%s", h ? "</p>\n<p>" : "\n\n",
                vn_num(x, sizeof x, num(r, "appraised"), 2, 0), vn_num(y, sizeof y, num(r, "survey"), 2, 0), h ? "</p>\n" : "\n");
    /* the areas */
    sbuf_puts(b, h ? "<h2>Kết quả theo lĩnh vực</h2>\n<table>\n<tr><th>STT</th><th>Lĩnh vực</th>"
                   : "\n## Kết quả theo lĩnh vực\n\n| STT | Lĩnh vực | ");
    sbuf_printf(b, h ? "<th>Năm %d</th><th>Tỷ lệ</th><th>Năm %d</th><th>Thay đổi (điểm %%)</th><th>Xếp hạng</th></tr>\n"
                     : "Năm %d | Tỷ lệ | Năm %d | Thay đổi (điểm %%) | Xếp hạng |\n|---|---|---|---|---|---|---|\n",
                year, year - 1);
    for (uint32_t i = 0; comps && i < comps->u.a.n; i++) {
        const pv *c = comps->u.a.v[i];
        char prev[96] = "–", change[32] = "–";
        if (pv_get(c, "prev_pct")) {
            snprintf(prev, sizeof prev, "%s/%s (%s%%)", vn_num(x, sizeof x, num(c, "prev_score"), 2, 0),
                     vn_num(y, sizeof y, num(c, "max"), 2, 0), vn_num(z, sizeof z, num(c, "prev_pct"), 2, 0));
            vn_num(change, sizeof change, num(c, "change_pp"), 2, 1);
        }
        if (h) {
            sbuf_printf(b, "<tr><td class=\"n\">%s</td><td>", str(c, "id"));
            esc(b, str(c, "name"));
            sbuf_printf(b, "</td><td class=\"n\">%s/%s</td><td class=\"n\">%s%%</td><td class=\"n\">%s</td>"
                           "<td class=\"n\">%s</td><td class=\"n\">%lld/%lld</td></tr>\n",
                        vn_num(x, sizeof x, num(c, "score"), 2, 0), vn_num(y, sizeof y, num(c, "max"), 2, 0),
                        vn_num(z, sizeof z, num(c, "pct"), 2, 0), prev, change, (long long)pv_get_int(c, "rank", 0),
                        (long long)pv_get_int(r, "of", 0));
        } else {
            sbuf_printf(b, "| %s | ", str(c, "id"));
            md(b, str(c, "name"));
            sbuf_printf(b, " | %s/%s | %s%% | %s | %s | %lld/%lld |\n", vn_num(x, sizeof x, num(c, "score"), 2, 0),
                        vn_num(y, sizeof y, num(c, "max"), 2, 0), vn_num(z, sizeof z, num(c, "pct"), 2, 0), prev, change,
                        (long long)pv_get_int(c, "rank", 0), (long long)pv_get_int(r, "of", 0));
        }
    }
    if (h) {
        sbuf_puts(b, "</table>\n<h2>Tỷ lệ điểm theo lĩnh vực</h2>\n");
        svg_chart(b, comps, year);
    }
    /* deductions, area by area */
    sbuf_puts(b, h ? "<h2>Các tiêu chí bị trừ điểm</h2>\n" : "\n## Các tiêu chí bị trừ điểm\n");
    int any = 0;
    for (uint32_t i = 0; comps && i < comps->u.a.n; i++) {
        const pv *c = comps->u.a.v[i];
        const char *area = str(c, "id");
        size_t al = strlen(area);
        int first = 1;
        for (uint32_t k = 0; deds && k < deds->u.a.n; k++) {
            const pv *d = deds->u.a.v[k];
            const char *id = str(d, "id");
            if (strncmp(id, area, al) || (id[al] != '.' && id[al] != '\0'))
                continue;
            if (first) {
                vn_num(x, sizeof x, num(c, "max") - num(c, "score"), 2, 0);
                if (h) {
                    sbuf_printf(b, "<h3>%s. ", area);
                    esc(b, str(c, "name"));
                    sbuf_printf(b, " (mất %s điểm)</h3>\n<ul>\n", x);
                } else {
                    sbuf_printf(b, "\n### %s. %s (mất %s điểm)\n\n", area, str(c, "name"), x);
                }
                first = 0;
                any = 1;
            }
            vn_num(x, sizeof x, num(d, "lost"), 2, 0);
            sbuf_printf(b, h ? "<li><strong>Tiêu chí %s</strong> " : "- **Tiêu chí %s** ", id);
            text(b, f, str(d, "name"));
            sbuf_printf(b, ": trừ %s điểm. Lý do: ", x);
            text(b, f, str(d, "reason"));
            sbuf_puts(b, h ? "</li>\n" : "\n");
        }
        if (!first && h)
            sbuf_puts(b, "</ul>\n");
    }
    if (!any)
        sbuf_puts(b, h ? "<p>Không có tiêu chí nào bị trừ điểm.</p>\n" : "\nKhông có tiêu chí nào bị trừ điểm.\n");
    if (missing && missing->u.a.n) {
        sbuf_puts(b, h ? "<p class=\"muted\">Tiêu chí chưa có số liệu: " : "\nTiêu chí chưa có số liệu: ");
        for (uint32_t i = 0; i < missing->u.a.n; i++)
            sbuf_printf(b, "%s%s", i ? ", " : "", missing->u.a.v[i]->u.s.p);
        sbuf_puts(b, h ? ".</p>\n" : ".\n");
    }
    gaps_section(b, f, gaps);
    /* overdue and late tasks */
    sbuf_puts(b, h ? "<h2>Nhiệm vụ quá hạn và trễ hạn</h2>\n" : "\n## Nhiệm vụ quá hạn và trễ hạn\n\n");
    int rows = 0;
    for (uint32_t i = 0; tasks && i < tasks->u.a.n; i++) {
        const pv *t = tasks->u.a.v[i];
        const char *st = str(t, "state");
        if (strcmp(st, "overdue") && strcmp(st, "late"))
            continue;
        if (!rows++)
            sbuf_puts(b, h ? "<table>\n<tr><th>Nhiệm vụ</th><th>Kế hoạch</th><th>Hạn</th><th>Tình trạng</th></tr>\n"
                           : "| Nhiệm vụ | Kế hoạch | Hạn | Tình trạng |\n|---|---|---|---|\n");
        int dy, dm, dd;
        char due[16] = "";
        if (sscanf(str(t, "deadline_at"), "%d-%d-%d", &dy, &dm, &dd) == 3)
            snprintf(due, sizeof due, "%02d/%02d/%04d", dd, dm, dy);
        sbuf_puts(b, h ? "<tr><td>" : "| ");
        text(b, f, str(t, "task"));
        sbuf_puts(b, h ? "</td><td>" : " | ");
        text(b, f, str(t, "plan"));
        sbuf_printf(b, h ? "</td><td class=\"n\">%s</td><td>%s" : " | %s | %s", due, task_state(st));
        if (!strcmp(st, "late"))
            sbuf_printf(b, " (%s)", str(t, "done_on"));
        sbuf_puts(b, h ? "</td></tr>\n" : " |\n");
    }
    if (rows && h)
        sbuf_puts(b, "</table>\n");
    if (!rows)
        sbuf_puts(b, h ? "<p>Không có nhiệm vụ quá hạn hoặc trễ hạn.</p>\n" : "Không có nhiệm vụ quá hạn hoặc trễ hạn.\n");
    if (h)
        sbuf_puts(b, "</body>\n</html>\n");
}

static void ranking_report(sbuf *b, fmt f, const pv *list, const char *index, int year)
{
    char x[64], y[64], mv[64];
    int h = f == F_HTML;
    if (f == F_CSV) {
        sbuf_puts(b, "\xef\xbb\xbf");
        sbuf_printf(b, "STT,Đơn vị,Mã,Điểm năm %d,Xếp hạng năm %d,Điểm năm %d,Xếp hạng năm %d,Thay đổi điểm\r\n",
                    year - 1, year - 1, year, year);
    } else if (h) {
        sbuf_printf(b, "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>Xếp hạng "
                       "Chỉ số %s năm %d</title>\n<style>%s</style>\n</head>\n<body>\n<h1>Xếp hạng Chỉ số %s năm %d</h1>\n",
                    index, year, css, index, year);
    } else {
        sbuf_printf(b, "# Xếp hạng Chỉ số %s năm %d\n", index, year);
    }
    char group[256] = "\x01";
    for (uint32_t i = 0; list && i < list->u.a.n; i++) {
        const pv *r = list->u.a.v[i];
        char g[256];
        snprintf(g, sizeof g, "%s|%s", str(r, "level"), str(r, "parent"));
        if (strcmp(g, group) && f != F_CSV) {
            if (i && h)
                sbuf_puts(b, "</table>\n");
            str_copy(group, sizeof group, g);
            sbuf_printf(b, h ? "<h2>Cấp %s thuộc %s</h2>\n<table>\n<tr><th>STT</th><th>Đơn vị</th><th>Năm %d</th>"
                               "<th>Năm %d</th><th>Thay đổi</th><th>Thứ hạng</th></tr>\n"
                             : "\n## Cấp %s thuộc %s\n\n| STT | Đơn vị | Năm %d | Năm %d | Thay đổi | Thứ hạng |\n"
                               "|---|---|---|---|---|---|\n",
                        str(r, "level"), str(r, "parent"), year - 1, year);
        }
        char prev[64] = "–", change[32] = "–";
        if (pv_get(r, "prev_total")) {
            snprintf(prev, sizeof prev, "%s (hạng %lld)", vn_num(x, sizeof x, num(r, "prev_total"), 2, 0),
                     (long long)pv_get_int(r, "prev_rank", 0));
            vn_num(change, sizeof change, num(r, "change"), 2, 1);
        }
        rank_move(mv, sizeof mv, pv_get_int(r, "rank", 0), pv_get_int(r, "prev_rank", 0));
        if (f == F_CSV) {
            sbuf_printf(b, "%lld,", (long long)pv_get_int(r, "rank", 0));
            csv_put(b, str(r, "name"));
            sbuf_add(b, ",", 1);
            csv_put(b, str(r, "unit"));
            sbuf_add(b, ",", 1);
            if (pv_get(r, "prev_total"))
                sbuf_printf(b, "%.4f,%lld,", num(r, "prev_total"), (long long)pv_get_int(r, "prev_rank", 0));
            else
                sbuf_puts(b, ",,");
            sbuf_printf(b, "%.4f,%lld,", num(r, "total"), (long long)pv_get_int(r, "rank", 0));
            /* "+5,5000": its decimal comma quoted, or the row has a column too many */
            csv_put(b, pv_get(r, "change") ? vn_num(y, sizeof y, num(r, "change"), 4, 1) : "");
            sbuf_puts(b, "\r\n");
            continue;
        }
        vn_num(y, sizeof y, num(r, "total"), 2, 0);
        if (h) {
            sbuf_printf(b, "<tr><td class=\"n\">%lld</td><td>", (long long)pv_get_int(r, "rank", 0));
            esc(b, str(r, "name"));
            sbuf_printf(b, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td>%s</td></tr>\n",
                        prev, y, change, mv);
        } else {
            sbuf_printf(b, "| %lld | ", (long long)pv_get_int(r, "rank", 0));
            md(b, str(r, "name"));
            sbuf_printf(b, " | %s | %s | %s | %s |\n", prev, y, change, mv);
        }
    }
    if (h)
        sbuf_puts(b, list && list->u.a.n ? "</table>\n</body>\n</html>\n" : "</body>\n</html>\n");
}

int cli_report(cli *c, int argc, char **argv)
{
    const char *unit = NULL, *index = NULL, *year = NULL, *parent = NULL, *format = "md";
    int ranking = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ranking"))
            ranking = 1;
        else if (i + 1 < argc && !strcmp(argv[i], "--index"))
            index = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--year"))
            year = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--parent"))
            parent = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--format"))
            format = argv[++i];
        else if (argv[i][0] != '-' && !unit)
            unit = argv[i];
        else
            goto usage;
    }
    fmt f = !strcmp(format, "md") ? F_MD : !strcmp(format, "html") ? F_HTML : !strcmp(format, "csv") ? F_CSV : -1;
    if (!index || !year || (int)f < 0 || (!ranking && !unit) || (ranking && unit))
        goto usage;
    par_err e = {{0}};
    client *cl = cli_client(c);
    if (!cl)
        return 2;
    sbuf out;
    sbuf_init(&out);
    int rc = 1;
    if (ranking) {
        pv *list = cli_ask(cl, "scorer", "scores", args3("index", index, "year", year, "parent", parent), REPORT_TIMEOUT_MS, &e);
        if (list) {
            ranking_report(&out, f, list, index, atoi(year));
            rc = 0;
        }
        pv_free(list);
    } else {
        pv *r = cli_ask(cl, "scorer", "result", args3("unit", unit, "index", index, "year", year), REPORT_TIMEOUT_MS, &e);
        if (r) {
            par_clock clk;
            char now[40], today[11];
            clock_init(&clk, &e);
            clock_format(clock_now_ms(&clk), now);
            memcpy(today, now, 10); /* the date part of the ISO time */
            today[10] = '\0';
            pv *tasks = cli_ask(cl, "scorer", "tasks", args3("unit", unit, "today", today, NULL, NULL), REPORT_TIMEOUT_MS, &e);
            /* the evidence gap, while the season is not published */
            pv *season = cli_ask(cl, "collector", "season",
                                 args3("index", index, "year", year, "level", str(r, "level")), REPORT_TIMEOUT_MS, &e);
            pv *gaps = NULL;
            if (season && strcmp(str(season, "phase"), "published"))
                gaps = cli_ask(cl, "collector", "appraise", args3("unit", unit, "index", index, "year", year),
                               REPORT_TIMEOUT_MS, &e);
            e.msg[0] = '\0'; /* the report stands without them */
            unit_report(&out, f, r, tasks, gaps);
            pv_free(season);
            pv_free(gaps);
            pv_free(tasks);
            rc = 0;
        }
        pv_free(r);
    }
    if (rc)
        fprintf(stderr, "parctl: report: %s\n", e.msg);
    else
        fwrite(out.buf, 1, out.len, stdout);
    sbuf_free(&out);
    client_destroy(cl);
    return rc;
usage:
    fprintf(stderr, "usage: parctl report UNIT --index I --year Y [--format md|html|csv]\n"
                    "       parctl report --ranking --index I --year Y [--parent U] [--format md|html|csv]\n");
    return 2;
}
