#include "pages.h"
#include "../common/reason.h"
#include "../common/util.h"
#include "../proto/season.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void td_num(sbuf *b, double v, int decimals, int sign)
{
    char n[32];
    sbuf_printf(b, "<td class=\"n\">%s</td>", html_num(n, v, decimals, sign));
}

void page_login(sbuf *b, const char *error, const char *token, const char *user)
{
    html_frame fr = {.title = "Đăng nhập"};
    html_begin(b, &fr);
    if (error) {
        sbuf_puts(b, "<p class=\"err\" id=\"error\">");
        html_esc(b, error);
        sbuf_puts(b, "</p>\n");
    }
    sbuf_puts(b, "<form method=\"post\" action=\"/login\">\n<label for=\"user\">Tài khoản</label>"
                 "<input id=\"user\" name=\"user\" autocomplete=\"username\" required value=\"");
    html_esc(b, user ? user : "");
    sbuf_puts(b, "\">\n<label for=\"password\">Mật khẩu</label><input id=\"password\" name=\"password\" "
                 "type=\"password\" autocomplete=\"current-password\" required>\n");
    html_csrf(b, token);
    sbuf_puts(b, "<p><button type=\"submit\" id=\"login\">Đăng nhập</button></p>\n</form>\n");
    html_end(b);
}

/* Areas' points as a heat map class: h0 (under 50 %) to h5 (95 % and more). */
static const char *heat(double pct)
{
    return pct >= 95 ? "h5" : pct >= 85 ? "h4" : pct >= 75 ? "h3" : pct >= 65 ? "h2" : pct >= 50 ? "h1" : "h0";
}

/* Bars of every year held, per unit: one small SVG chart. */
/* Bars of every year held up to the one shown, per unit of the ranking: the oldest
 * faintest. years: the scorer's years rows (unit, year, total, max). */
static void chart(sbuf *b, const char *index, int year, const pv *years, const pv *now)
{
    int y0 = year;
    for (uint32_t i = 0; years && years->t == PV_ARR && i < years->u.a.n; i++) {
        int y = (int)pv_get_int(years->u.a.v[i], "year", year);
        if (y < y0 && y > year - 50)
            y0 = y;
    }
    int ny = year - y0 + 1, bw = ny > 8 ? 8 : 12, step = bw + 2;
    uint32_t nu = now->u.a.n;
    int w = 120 + (int)nu * (ny * step + 16), h = 220;
    if (w < 400) /* room for the legend under a single unit's bars */
        w = 400;
    /* bars are shares of the maximum: PAPI's 80 and PAR's 100 compare on one scale */
    sbuf_printf(b, "<h2>Tổng điểm qua các năm (%% điểm tối đa)</h2>\n<svg role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                   "height=\"%d\" aria-label=\"Tổng điểm ",
                w, h, w * 3 / 2, h * 3 / 2);
    html_esc(b, index);
    sbuf_puts(b, " qua các năm\">\n");
    for (int g = 0; g <= 100; g += 25)
        sbuf_printf(b, "<line class=\"grid\" x1=\"40\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/><text x=\"4\" y=\"%d\">%d%%</text>\n",
                    w - 10, 190 - g * 17 / 10, 190 - g * 17 / 10, 194 - g * 17 / 10, g);
    for (uint32_t u = 0; u < nu; u++) {
        const char *unit = pv_get_text(now->u.a.v[u], "unit");
        int x0 = 50 + (int)u * (ny * step + 16);
        for (uint32_t i = 0; years && years->t == PV_ARR && i < years->u.a.n; i++) {
            const pv *r = years->u.a.v[i];
            int y = (int)pv_get_int(r, "year", 0);
            if (strcmp(pv_get_text(r, "unit"), unit) || y < y0 || y > year)
                continue;
            double pct = pv_get_num(r, "max") > 0 ? 100 * pv_get_num(r, "total") / pv_get_num(r, "max") : 0;
            int bh = (int)lround(pct * 1.7), x = x0 + (y - y0) * step;
            double op = 1.0 - 0.7 * (year - y) / (ny > 1 ? ny - 1 : 1);
            char n[32];
            sbuf_printf(b, "<rect class=\"bar\" data-year=\"%d\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                           "opacity=\"%.2f\"><title>%d: %s</title></rect>\n",
                        y, x, 190 - bh, bw, bh, op, y, html_num(n, pv_get_num(r, "total"), 2, 0));
        }
        sbuf_printf(b, "<text x=\"%d\" y=\"208\">", x0);
        html_esc(b, unit);
        sbuf_puts(b, "</text>\n");
    }
    sbuf_printf(b, "<text x=\"50\" y=\"218\">Các cột: năm %d đến %d (đậm nhất là năm %d)</text>\n</svg>\n",
                y0, year, year);
}

/* A survey index against its targets (the scorer's gaps answer, one entry a unit with
 * targets): per sub-index the figure, place, target, what is missing and the tasks. */
static void targets(sbuf *b, const pv *gaps)
{
    for (uint32_t u = 0; gaps && gaps->t == PV_ARR && u < gaps->u.a.n; u++) {
        const pv *g = gaps->u.a.v[u], *rows = pv_get(g, "rows");
        if (!rows || !rows->u.a.n)
            continue;
        const pv *top = rows->u.a.v[0];
        int percent = pv_get_bool(g, "percent", 0);
        long long ty = 0;
        for (uint32_t i = 0; i < rows->u.a.n && !ty; i++)
            ty = pv_get_int(rows->u.a.v[i], "target_year", 0);
        char n1[32], n2[32];
        sbuf_puts(b, "<h2>So với chỉ tiêu: ");
        html_esc(b, pv_get_text(g, "name"));
        sbuf_printf(b, "</h2>\n<p>Năm %lld: <b>%s%s</b>%s", (long long)pv_get_int(g, "year", 0),
                    html_num(n1, pv_get_num(top, "score"), 2, 0), percent ? " %" : "",
                    pv_get_bool(top, "official", 0) ? " (kết quả công bố)" : "");
        if (pv_get(top, "rank"))
            sbuf_printf(b, ", xếp thứ %lld/%lld", (long long)pv_get_int(top, "rank", 0), (long long)pv_get_int(top, "of", 0));
        if (pv_get(top, "target"))
            sbuf_printf(b, "; chỉ tiêu năm %lld: %s%s, %s <b>%s</b>", ty, html_num(n1, pv_get_num(top, "target"), 2, 0),
                        percent ? " %" : "", pv_get_num(top, "gap") > 1e-9 ? "còn thiếu" : "đã vượt",
                        html_num(n2, fabs(pv_get_num(top, "gap")), 2, 0));
        if (pv_get(top, "rank_target")) {
            sbuf_puts(b, "; chỉ tiêu xếp hạng: ");
            html_esc(b, pv_get_text(top, "rank_target"));
        }
        sbuf_printf(b, ". Chỉ số thành phần chưa đạt chỉ tiêu: %lld.</p>\n", (long long)pv_get_int(g, "off_track", 0));
        sbuf_printf(b, "<table class=\"gaps\">\n<tr><th>Mã</th><th>Chỉ số thành phần</th><th>Năm %lld</th><th>Xếp hạng</th>"
                       "<th>Chỉ tiêu %lld</th><th>Còn thiếu</th><th>Chỉ tiêu xếp hạng</th><th>Nhiệm vụ</th></tr>\n",
                    (long long)pv_get_int(g, "year", 0), ty);
        for (uint32_t i = 1; i < rows->u.a.n; i++) {
            const pv *r = rows->u.a.v[i], *tasks = pv_get(r, "tasks");
            int behind = pv_get(r, "on_track") && !pv_get_bool(r, "on_track", 1);
            sbuf_printf(b, "<tr%s><td>", behind ? " class=\"behind\"" : "");
            html_esc(b, pv_get_text(r, "id"));
            sbuf_puts(b, "</td><td>");
            html_esc(b, pv_get_text(r, "name"));
            sbuf_puts(b, pv_get_bool(r, "official", 0) ? " (công bố)</td>" : "</td>");
            td_num(b, pv_get_num(r, "score"), 2, 0);
            if (pv_get(r, "rank"))
                sbuf_printf(b, "<td class=\"n\">%lld/%lld</td>", (long long)pv_get_int(r, "rank", 0),
                            (long long)pv_get_int(r, "of", 0));
            else
                sbuf_puts(b, "<td class=\"n\">—</td>");
            if (pv_get(r, "target")) {
                td_num(b, pv_get_num(r, "target"), 2, 0);
                if (pv_get_num(r, "gap") > 1e-9)
                    td_num(b, pv_get_num(r, "gap"), 2, 0);
                else
                    sbuf_puts(b, "<td class=\"n up\">đạt</td>");
            } else {
                sbuf_puts(b, "<td class=\"n\">—</td><td class=\"n\">—</td>");
            }
            sbuf_puts(b, "<td class=\"n\">");
            html_esc(b, pv_get(r, "rank_target") ? pv_get_text(r, "rank_target") : "—");
            sbuf_puts(b, "</td><td>");
            for (uint32_t k = 0; tasks && k < tasks->u.a.n; k++) {
                const pv *t = tasks->u.a.v[k];
                sbuf_puts(b, k ? "<br>" : "");
                html_esc(b, pv_get_text(t, "id"));
                sbuf_puts(b, " (");
                html_esc(b, *pv_get_text(t, "lead_name") ? pv_get_text(t, "lead_name") : pv_get_text(t, "lead"));
                sbuf_puts(b, pv_get_bool(t, "done", 0) ? ", đã hoàn thành)" : ")");
            }
            sbuf_puts(b, "</td></tr>\n");
        }
        sbuf_puts(b, "</table>\n");
    }
}

void page_dashboard(sbuf *b, const html_frame *f0, const char *index, int year, const char *level, const pv *now,
                    const pv *years, const pv *gaps)
{
    html_begin(b, f0);
    sbuf_puts(b, "<form method=\"get\" action=\"/\">Chỉ số <input name=\"index\" size=\"6\" value=\"");
    html_esc(b, index);
    sbuf_printf(b, "\"> năm <input name=\"year\" size=\"5\" value=\"%d\"> cấp <select name=\"level\">", year);
    /* the level by its Vietnamese name; its code (the data's) travels in the form */
    static const char *const levels[] = {"", "province", "department", "district", "commune", "ward", "town", "office"};
    int known = 0;
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        int sel = !strcmp(level, levels[i]);
        known |= sel;
        sbuf_printf(b, "<option value=\"%s\"%s>%s</option>", levels[i], sel ? " selected" : "",
                    *levels[i] ? str_level_vi(levels[i]) : "mọi cấp");
    }
    if (!known) { /* a level of the province's own naming */
        sbuf_puts(b, "<option selected value=\"");
        html_esc(b, level);
        sbuf_puts(b, "\">");
        html_esc(b, level);
        sbuf_puts(b, "</option>");
    }
    sbuf_puts(b, "</select> <button type=\"submit\">Xem</button> · <a href=\"/download/ranking.csv?index=");
    html_url(b, index);
    sbuf_printf(b, "&amp;year=%d&amp;level=", year);
    html_url(b, level);
    sbuf_puts(b, "\">Tải về (CSV)</a> · <a href=\"/download/ranking.xlsx?index=");
    html_url(b, index);
    sbuf_printf(b, "&amp;year=%d&amp;level=", year);
    html_url(b, level);
    sbuf_puts(b, "\">Tải về (Excel)</a></form>\n<div id=\"live\">\n");
    if (!now || !now->u.a.n) {
        sbuf_puts(b, "<p>Chưa có kết quả nào cho chỉ số, năm và cấp này.</p>\n</div>\n");
        html_end(b);
        return;
    }
    const pv *areas = pv_get(now->u.a.v[0], "components");
    sbuf_puts(b, "<table id=\"ranking\">\n<tr><th>Hạng</th><th>Đơn vị</th><th>Tổng điểm</th><th>Năm trước</th>"
                 "<th>Thay đổi</th>");
    for (uint32_t k = 0; areas && k < areas->u.a.n; k++) {
        sbuf_puts(b, "<th class=\"wide\">LV ");
        html_esc(b, pv_get_text(areas->u.a.v[k], "id"));
        sbuf_puts(b, "</th>");
    }
    sbuf_puts(b, "</tr>\n");
    for (uint32_t i = 0; i < now->u.a.n; i++) {
        const pv *r = now->u.a.v[i], *comps = pv_get(r, "components");
        sbuf_printf(b, "<tr data-unit=\"");
        html_esc(b, pv_get_text(r, "unit"));
        sbuf_printf(b, "\"><td class=\"n\">%lld/%lld</td><td><a href=\"/units/", (long long)pv_get_int(r, "rank", 0),
                    (long long)pv_get_int(r, "of", 0));
        html_url(b, pv_get_text(r, "unit"));
        sbuf_puts(b, "?index=");
        html_url(b, index);
        sbuf_printf(b, "&amp;year=%d\">", year);
        html_esc(b, pv_get_text(r, "name"));
        sbuf_puts(b, "</a></td>");
        td_num(b, pv_get_num(r, "total"), 2, 0);
        if (pv_get(r, "prev_total")) {
            td_num(b, pv_get_num(r, "prev_total"), 2, 0);
            char n[32];
            double d = pv_get_num(r, "total") - pv_get_num(r, "prev_total");
            sbuf_printf(b, "<td class=\"n %s\">%s</td>", d >= 0 ? "up" : "down", html_num(n, d, 2, 1));
        } else {
            sbuf_puts(b, "<td class=\"n\">—</td><td class=\"n\">—</td>");
        }
        for (uint32_t k = 0; comps && k < comps->u.a.n; k++) {
            const pv *c = comps->u.a.v[k];
            char n[32];
            sbuf_printf(b, "<td class=\"n wide %s\">%s</td>", heat(pv_get_num(c, "pct")), html_num(n, pv_get_num(c, "score"), 2, 0));
        }
        sbuf_puts(b, "</tr>\n");
    }
    sbuf_puts(b, "</table>\n<p class=\"muted\">Ô màu: tỷ lệ điểm của lĩnh vực so với điểm tối đa (đỏ dưới 50%, "
                 "xanh đậm từ 95%).</p>\n");
    chart(b, index, year, years, now);
    targets(b, gaps);
    sbuf_puts(b, "</div>\n");
    html_end(b);
}

void page_unit(sbuf *b, const html_frame *f0, const char *unit, const char *index, int year, const pv *r,
               const pv *evidence, const pv *history, int history_all)
{
    html_begin(b, f0);
    char n[32], m[32];
    sbuf_puts(b, "<p>Chỉ số ");
    html_esc(b, index);
    sbuf_printf(b, " năm %d: <strong id=\"total\">%s</strong>/%s điểm", year, html_num(n, pv_get_num(r, "total"), 2, 0),
                html_num(m, pv_get_num(r, "max"), 0, 0));
    if (pv_get_int(r, "rank", 0))
        sbuf_printf(b, ", xếp thứ <strong>%lld/%lld</strong>", (long long)pv_get_int(r, "rank", 0),
                    (long long)pv_get_int(r, "of", 0));
    if (pv_get(r, "prev_total"))
        sbuf_printf(b, "; năm trước %s", html_num(n, pv_get_num(r, "prev_total"), 2, 0));
    sbuf_puts(b, ".</p>\n<h2>Kết quả theo lĩnh vực</h2>\n<table>\n<tr><th>Lĩnh vực</th><th>Tên</th><th>Điểm</th>"
                 "<th>Tối đa</th><th>Tỷ lệ</th><th>Hạng</th></tr>\n");
    const pv *comps = pv_get(r, "components");
    for (uint32_t i = 0; comps && i < comps->u.a.n; i++) {
        const pv *c = comps->u.a.v[i];
        sbuf_puts(b, "<tr><td>");
        html_esc(b, pv_get_text(c, "id"));
        sbuf_puts(b, "</td><td>");
        html_esc(b, pv_get_text(c, "name"));
        sbuf_puts(b, "</td>");
        td_num(b, pv_get_num(c, "score"), 2, 0);
        td_num(b, pv_get_num(c, "max"), 2, 0);
        sbuf_printf(b, "<td class=\"n %s\">%s%%</td><td class=\"n\">%lld</td></tr>\n", heat(pv_get_num(c, "pct")),
                    html_num(n, pv_get_num(c, "pct"), 1, 0), (long long)pv_get_int(c, "rank", 0));
    }
    sbuf_puts(b, "</table>\n<h2>Các tiêu chí bị trừ điểm</h2>\n");
    const pv *deds = pv_get(r, "deductions");
    if (!deds || !deds->u.a.n)
        sbuf_puts(b, "<p>Không có tiêu chí nào bị trừ điểm.</p>\n");
    else {
        sbuf_puts(b, "<table>\n<tr><th>Tiêu chí</th><th>Tên</th><th>Mất</th><th>Lý do</th></tr>\n");
        for (uint32_t i = 0; i < deds->u.a.n; i++) {
            const pv *d = deds->u.a.v[i];
            sbuf_puts(b, "<tr><td>");
            html_esc(b, pv_get_text(d, "id"));
            sbuf_puts(b, "</td><td>");
            html_esc(b, pv_get_text(d, "name"));
            sbuf_puts(b, "</td>");
            td_num(b, pv_get_num(d, "lost"), 2, 0);
            sbuf_puts(b, "<td>");
            html_esc(b, pv_get_text(d, "reason"));
            sbuf_puts(b, "</td></tr>\n");
        }
        sbuf_puts(b, "</table>\n");
    }
    sbuf_puts(b, "<h2>Tài liệu kiểm chứng</h2>\n");
    if (!evidence || evidence->t != PV_ARR || !evidence->u.a.n)
        sbuf_puts(b, "<p>Chưa có tài liệu kiểm chứng.</p>\n");
    else {
        sbuf_puts(b, "<table>\n<tr><th>Tiêu chí</th><th>Tệp</th><th>Dung lượng (byte)</th><th>Ngày nhận</th></tr>\n");
        for (uint32_t i = 0; i < evidence->u.a.n; i++) {
            const pv *d = evidence->u.a.v[i];
            char day[16];
            sbuf_puts(b, "<tr><td>");
            html_esc(b, pv_get_text(d, "criterion"));
            sbuf_puts(b, "</td><td><a href=\"/evidence/");
            html_url(b, pv_get_text(d, "sha256"));
            sbuf_puts(b, "?name=");
            html_url(b, pv_get_text(d, "name"));
            sbuf_puts(b, "\">");
            html_esc(b, pv_get_text(d, "name"));
            sbuf_puts(b, "</a></td><td class=\"n\">");
            html_esc(b, pv_get_text(d, "size"));
            sbuf_printf(b, "</td><td>%s</td></tr>\n", html_date(day, pv_get_text(d, "received")));
        }
        sbuf_puts(b, "</table>\n");
    }
    sbuf_puts(b, "<h2 id=\"lich-su\">Lịch sử giá trị</h2>\n");
    if (!history || history->t != PV_ARR || !history->u.a.n)
        sbuf_puts(b, "<p>Chưa có giá trị nào.</p>\n");
    else {
        /* oldest first; unless all are asked, the latest PAGE_HISTORY_ROWS (the collector
         * sent one more when there are older ones) */
        uint32_t from = !history_all && history->u.a.n > PAGE_HISTORY_ROWS ? history->u.a.n - PAGE_HISTORY_ROWS : 0;
        if (from) {
            sbuf_printf(b, "<p>%d thay đổi gần nhất. <a href=\"/units/", PAGE_HISTORY_ROWS);
            html_esc(b, unit);
            sbuf_puts(b, "?index=");
            html_esc(b, index);
            sbuf_printf(b, "&amp;year=%d&amp;history=all#lich-su\">Xem toàn bộ lịch sử giá trị</a></p>\n", year);
        }
        sbuf_puts(b, "<table>\n<tr><th>Ngày nhận</th><th>Tiêu chí</th><th>Loại</th><th>Giá trị</th>"
                     "<th>Giai đoạn</th><th>Người gửi</th><th>Ghi chú</th></tr>\n");
        for (uint32_t i = from; i < history->u.a.n; i++) {
            const pv *h = history->u.a.v[i];
            char day[16], v[32];
            double x = 0;
            int numeric = sscanf(pv_get_text(h, "value"), "%lf", &x) == 1;
            sbuf_printf(b, "<tr><td>%s</td><td>", html_date(day, pv_get_text(h, "received")));
            html_esc(b, pv_get_text(h, "key"));
            sbuf_puts(b, "</td><td>");
            html_esc(b, pv_get_text(h, "kind"));
            sbuf_printf(b, "</td><td class=\"n\">%s</td><td>", numeric ? html_num(v, x, 2, 0) : "—");
            int ph = season_phase_of(pv_get_text(h, "phase"));
            html_esc(b, ph > 0 ? season_phase_vi(ph) : "—");
            sbuf_puts(b, "</td><td>");
            html_esc(b, pv_get_text(h, "sender"));
            sbuf_puts(b, "</td><td>");
            html_esc(b, pv_get_text(h, "note"));
            sbuf_puts(b, "</td></tr>\n");
        }
        sbuf_puts(b, "</table>\n");
    }
    if (f0->role && (!strcmp(f0->role, "appraiser") || !strcmp(f0->role, "admin"))) {
        sbuf_puts(b, "<h2>Thẩm định một tiêu chí</h2>\n<form method=\"post\" action=\"/appraise\">"
                     "<input type=\"hidden\" name=\"unit\" value=\"");
        html_esc(b, unit);
        sbuf_puts(b, "\"><input type=\"hidden\" name=\"index\" value=\"");
        html_esc(b, index);
        sbuf_printf(b, "\"><input type=\"hidden\" name=\"year\" value=\"%d\">"
                       "<label for=\"criterion\">Tiêu chí</label><input id=\"criterion\" name=\"criterion\" "
                       "placeholder=\"1.4\" required><label for=\"value\">Điểm thẩm định</label>"
                       "<input id=\"value\" name=\"value\" placeholder=\"0,5\" required>"
                       "<label for=\"reason\">Lý do</label><textarea id=\"reason\" name=\"reason\" rows=\"2\" "
                       "maxlength=\"1000\" required></textarea>",
                    year);
        html_csrf(b, f0->csrf);
        sbuf_puts(b, "<p><button type=\"submit\" id=\"appraise\">Ghi điểm thẩm định</button></p></form>\n");
    }
    html_end(b);
}

/* A task's lead and supporting units by name, as officials call them (ids when unnamed). */
static const char *lead_of(const pv *t)
{
    return *pv_get_text(t, "lead_name") ? pv_get_text(t, "lead_name") : pv_get_text(t, "lead");
}

static const char *support_of(const pv *t)
{
    return *pv_get_text(t, "support_names") ? pv_get_text(t, "support_names") : pv_get_text(t, "support");
}

static const char *state_vi(const char *st)
{
    return !strcmp(st, "done")      ? "đã hoàn thành"
           : !strcmp(st, "overdue") ? "quá hạn"
           : !strcmp(st, "open")    ? "đang thực hiện"
           : !strcmp(st, "ongoing") ? "thường xuyên"
                                    : "chưa có hạn";
}

static void text_input(sbuf *b, const char *name, const char *label, const char *value, int size)
{
    sbuf_printf(b, "%s <input name=\"%s\" size=\"%d\" value=\"", label, name, size);
    html_esc(b, value ? value : "");
    sbuf_puts(b, "\"> ");
}

static int shown(const pv *t, const task_filter *tf)
{
    if (tf->plan && *tf->plan && !strstr(pv_get_text(t, "plan"), tf->plan))
        return 0;
    if (tf->index && *tf->index && strcmp(pv_get_text(t, "index"), tf->index))
        return 0;
    if (tf->state && *tf->state && strcmp(pv_get_text(t, "state"), tf->state))
        return 0;
    if (tf->late > 0 && (strcmp(pv_get_text(t, "state"), "overdue") || -pv_get_int(t, "days", 0) < tf->late))
        return 0;
    return 1;
}

void page_tasks(sbuf *b, const html_frame *f0, const pv *tasks, const task_filter *tf, const char *msg)
{
    html_begin(b, f0);
    if (msg && *msg) {
        sbuf_puts(b, "<p class=\"ok\" id=\"msg\">");
        html_esc(b, msg);
        sbuf_puts(b, "</p>\n");
    }
    sbuf_puts(b, "<form method=\"get\" action=\"/tasks\">");
    text_input(b, "under", "Đơn vị (và cấp dưới)", tf->under, 8);
    text_input(b, "plan", "Kế hoạch", tf->plan, 10);
    text_input(b, "index", "Chỉ số", tf->index, 6);
    sbuf_puts(b, "Tình trạng <select name=\"state\">");
    static const char *const states[] = {"", "overdue", "open", "done"};
    for (int i = 0; i < 4; i++) {
        sbuf_printf(b, "<option value=\"%s\"%s>%s</option>", states[i],
                    !strcmp(tf->state ? tf->state : "", states[i]) ? " selected" : "", i ? state_vi(states[i]) : "tất cả");
    }
    sbuf_printf(b, "</select> quá hạn từ <input name=\"late\" size=\"3\" value=\"%d\"> ngày "
                   "<button type=\"submit\">Lọc</button></form>\n<p>",
                tf->late);
    /* the same filters for the files */
    for (int x = 0; x < 2; x++) {
        sbuf_printf(b, "%s<a href=\"/download/tasks.%s?under=", x ? " · " : "", x ? "xlsx" : "csv");
        html_url(b, tf->under ? tf->under : "");
        sbuf_puts(b, "&amp;plan=");
        html_url(b, tf->plan ? tf->plan : "");
        sbuf_puts(b, "&amp;index=");
        html_url(b, tf->index ? tf->index : "");
        sbuf_puts(b, "&amp;state=");
        html_url(b, tf->state ? tf->state : "");
        sbuf_printf(b, "&amp;late=%d\">Tải về (%s)</a>", tf->late, x ? "Excel" : "CSV");
    }
    sbuf_puts(b, "</p>\n");
    if (!tasks || tasks->t != PV_ARR || !tasks->u.a.n) {
        sbuf_puts(b, "<p>Không có nhiệm vụ nào.</p>\n");
        html_end(b);
        return;
    }
    sbuf_puts(b, "<table id=\"tasks\">\n<tr><th>Mã</th><th>Nhiệm vụ</th><th>Chủ trì</th><th>Phối hợp</th>"
                 "<th>Hạn</th><th>Tình trạng</th><th></th></tr>\n");
    int mine_any = 0;
    for (uint32_t i = 0; i < tasks->u.a.n; i++) {
        const pv *t = tasks->u.a.v[i];
        const char *st = pv_get_text(t, "state");
        if (!shown(t, tf))
            continue;
        char day[16];
        sbuf_puts(b, "<tr data-task=\"");
        html_esc(b, pv_get_text(t, "id"));
        sbuf_puts(b, "\"><td>");
        html_esc(b, pv_get_text(t, "id"));
        sbuf_puts(b, "</td><td>");
        html_esc(b, pv_get_text(t, "task"));
        sbuf_puts(b, "</td><td>");
        html_esc(b, lead_of(t));
        sbuf_puts(b, "</td><td>");
        html_esc(b, support_of(t));
        sbuf_printf(b, "</td><td>%s</td><td class=\"%s\">%s</td><td>",
                    *pv_get_text(t, "deadline") ? html_date(day, pv_get_text(t, "deadline")) : "—",
                    !strcmp(st, "overdue") ? "down" : !strcmp(st, "done") ? "up" : "", state_vi(st));
        int mine = f0->unit && *f0->unit && !strcmp(pv_get_text(t, "lead"), f0->unit) && strcmp(st, "done") &&
                   strncmp(pv_get_text(t, "id"), "S.", 2);
        if (mine) {
            mine_any = 1;
            sbuf_puts(b, "<form method=\"post\" action=\"/tasks/done\"><input type=\"hidden\" name=\"task\" value=\"");
            html_esc(b, pv_get_text(t, "id"));
            sbuf_printf(b, "\"><input type=\"hidden\" name=\"year\" value=\"%lld\"><input type=\"hidden\" "
                           "name=\"period\" value=\"",
                        (long long)pv_get_int(t, "year", 0));
            html_esc(b, *pv_get_text(t, "period") ? pv_get_text(t, "period") : "Y");
            sbuf_puts(b, "\"><input name=\"note\" placeholder=\"Ghi chú (kết quả)\" maxlength=\"500\">");
            html_csrf(b, f0->csrf);
            sbuf_puts(b, "<button type=\"submit\">Báo cáo hoàn thành</button></form>");
        }
        sbuf_puts(b, "</td></tr>\n");
    }
    sbuf_puts(b, "</table>\n");
    if (mine_any)
        sbuf_puts(b, "<p class=\"muted\">Báo cáo hoàn thành được lưu như một dòng số liệu của đơn vị và dừng "
                     "các cảnh báo của nhiệm vụ.</p>\n");
    html_end(b);
}

void page_alerts(sbuf *b, const html_frame *f0, const pv *alerts, const char *msg)
{
    html_begin(b, f0);
    if (msg && *msg) {
        sbuf_puts(b, "<p class=\"ok\" id=\"msg\">");
        html_esc(b, msg);
        sbuf_puts(b, "</p>\n");
    }
    sbuf_puts(b, "<p><a href=\"/download/alerts.csv\">Tải về (CSV)</a> · <a href=\"/download/alerts.xlsx\">Tải về "
                 "(Excel)</a></p>\n");
    if (!alerts || alerts->t != PV_ARR || !alerts->u.a.n) {
        sbuf_puts(b, "<p>Chưa có cảnh báo nào.</p>\n");
        html_end(b);
        return;
    }
    int may_act = f0->role && (!strcmp(f0->role, "unit") || !strcmp(f0->role, "admin"));
    sbuf_puts(b, "<table id=\"alerts\">\n<tr><th>Số</th><th>Loại</th><th>Nhiệm vụ</th><th>Hạn</th><th>Ngày gửi</th>"
                 "<th>Gửi tới</th><th></th></tr>\n");
    for (uint32_t i = 0; i < alerts->u.a.n; i++) {
        const pv *a = alerts->u.a.v[i], *to = pv_get(a, "to");
        char d1[16], d2[16];
        sbuf_printf(b, "<tr><td class=\"n\">%lld</td><td>%s</td><td>", (long long)pv_get_int(a, "id", 0),
                    !strcmp(pv_get_text(a, "kind"), "remind") ? "nhắc hạn" : "quá hạn");
        html_esc(b, pv_get_text(a, "task"));
        sbuf_printf(b, "</td><td>%s</td><td>%s</td><td>", html_date(d1, pv_get_text(a, "deadline")),
                    html_date(d2, pv_get_text(a, "slot")));
        for (uint32_t k = 0; to && k < to->u.a.n; k++) {
            if (k)
                sbuf_puts(b, ", ");
            html_esc(b, pv_get_text(to->u.a.v[k], "unit"));
        }
        sbuf_puts(b, "</td><td>");
        if (!may_act) { /* leaders read, appraisers score: neither acknowledges nor silences */
            sbuf_puts(b, pv_get_bool(a, "acked", 0) ? "đã xác nhận</td></tr>\n" : "</td></tr>\n");
            continue;
        }
        sbuf_puts(b, "<form method=\"post\" action=\"/alerts/silence\"><input type=\"hidden\" name=\"task\" value=\"");
        html_esc(b, pv_get_text(a, "task"));
        sbuf_puts(b, "\"><input name=\"until\" size=\"10\" placeholder=\"dd/mm/yyyy\">");
        html_csrf(b, f0->csrf);
        sbuf_puts(b, "<button type=\"submit\">Tạm dừng nhắc đến ngày</button></form>");
        if (pv_get_bool(a, "acked", 0)) {
            sbuf_puts(b, "đã xác nhận");
        } else {
            sbuf_printf(b, "<form method=\"post\" action=\"/alerts/ack\"><input type=\"hidden\" name=\"alert\" "
                           "value=\"%lld\">",
                        (long long)pv_get_int(a, "id", 0));
            html_csrf(b, f0->csrf);
            sbuf_puts(b, "<button type=\"submit\">Xác nhận, dừng nhắc</button></form>");
        }
        sbuf_puts(b, "</td></tr>\n");
    }
    sbuf_puts(b, "</table>\n");
    html_end(b);
}

/* A report's or self-assessment's state as the reporting view says it: sent on time,
 * sent late (the day it came), not sent. css: the cell's class. */
static const char *sent_state(const pv *t, char out[64], const char **css)
{
    const char *st = pv_get_text(t, "state");
    char day[16];
    *css = "";
    if (!strcmp(st, "done")) {
        const pv *ot = pv_get(t, "on_time");
        if (!ot || !*pv_get_text(t, "done_on"))
            return "đã gửi";
        int on = pv_get_bool(t, "on_time", 0);
        *css = on ? "up" : "down";
        snprintf(out, 64, "%s %s", on ? "đúng hạn," : "muộn,", html_date(day, pv_get_text(t, "done_on")));
        return out;
    }
    if (!strcmp(st, "overdue")) {
        *css = "down";
        return "chưa gửi, quá hạn";
    }
    return "chưa gửi, chưa đến hạn";
}

static int is_season_task(const pv *t)
{
    return !strncmp(pv_get_text(t, "id"), "S.", 2) && *pv_get_text(t, "deadline");
}

static int is_report(const pv *t)
{
    return !strcmp(pv_get_text(t, "kind"), "recurring") && *pv_get_text(t, "period");
}

static void reporting_rows(sbuf *b, const pv *tasks, int (*which)(const pv *), const char *id, int period)
{
    int rows = 0;
    for (uint32_t i = 0; tasks && tasks->t == PV_ARR && i < tasks->u.a.n; i++) {
        const pv *t = tasks->u.a.v[i];
        if (!which(t))
            continue;
        if (!rows++)
            sbuf_printf(b, "<table id=\"%s\">\n<tr><th>Đơn vị</th><th>Nội dung</th>%s<th>Hạn</th>"
                           "<th>Tình trạng</th></tr>\n",
                        id, period ? "<th>Kỳ</th>" : "");
        char day[16], st[64];
        const char *css, *said = sent_state(t, st, &css);
        sbuf_puts(b, "<tr><td>");
        html_esc(b, lead_of(t));
        sbuf_puts(b, "</td><td>");
        html_esc(b, pv_get_text(t, "task"));
        if (period) {
            sbuf_printf(b, "</td><td>%lld ", (long long)pv_get_int(t, "year", 0));
            html_esc(b, pv_get_text(t, "period"));
        }
        sbuf_printf(b, "</td><td>%s</td><td class=\"%s\">%s</td></tr>\n", html_date(day, pv_get_text(t, "deadline")), css,
                    said);
    }
    if (rows)
        sbuf_puts(b, "</table>\n");
}

void page_reporting(sbuf *b, const html_frame *f0, const pv *tasks)
{
    html_begin(b, f0);
    sbuf_puts(b, "<p><a href=\"/download/reporting.csv\">Tải về (CSV)</a> · <a href=\"/download/reporting.xlsx\">"
                 "Tải về (Excel)</a></p>\n<h2>Tự đánh giá và giải trình</h2>\n<p>Các đơn vị đã và chưa gửi tự đánh "
                 "giá, giải trình của các đợt đánh giá đang mở; đúng hạn hay muộn theo ngày tỉnh nhận được.</p>\n");
    int any = 0;
    for (uint32_t i = 0; tasks && tasks->t == PV_ARR && i < tasks->u.a.n && !any; i++)
        any = is_season_task(tasks->u.a.v[i]);
    if (any)
        reporting_rows(b, tasks, is_season_task, "reporting", 0);
    else
        sbuf_puts(b, "<p>Không có đợt đánh giá nào đang mở với hạn gửi.</p>\n");
    sbuf_puts(b, "<h2>Báo cáo định kỳ</h2>\n");
    any = 0;
    for (uint32_t i = 0; tasks && tasks->t == PV_ARR && i < tasks->u.a.n && !any; i++)
        any = is_report(tasks->u.a.v[i]);
    if (!any) {
        sbuf_puts(b, "<p>Chưa có báo cáo định kỳ nào đến hạn.</p>\n");
        html_end(b);
        return;
    }
    reporting_rows(b, tasks, is_report, "reports", 1);
    /* each unit's rate, DHIS2's reporting-rate view: of the reports due, how many came, how many on time */
    sbuf_puts(b, "<h2>Tỷ lệ gửi báo cáo đến hạn, theo đơn vị</h2>\n<table id=\"rate\">\n"
                 "<tr><th>Đơn vị</th><th>Đến hạn</th><th>Đã gửi</th><th>Đúng hạn</th><th>Muộn</th>"
                 "<th>Tỷ lệ đã gửi</th><th>Tỷ lệ đúng hạn</th></tr>\n");
    for (uint32_t i = 0; i < tasks->u.a.n; i++) {
        const pv *t = tasks->u.a.v[i];
        if (!is_report(t))
            continue;
        int first = 1;
        for (uint32_t k = 0; k < i && first; k++) /* each unit once, where it first appears */
            if (is_report(tasks->u.a.v[k]) && !strcmp(pv_get_text(tasks->u.a.v[k], "lead"), pv_get_text(t, "lead")))
                first = 0;
        if (!first)
            continue;
        int due = 0, sent = 0, on_time = 0, late = 0;
        for (uint32_t k = i; k < tasks->u.a.n; k++) {
            const pv *x = tasks->u.a.v[k];
            if (!is_report(x) || strcmp(pv_get_text(x, "lead"), pv_get_text(t, "lead")))
                continue;
            int done = !strcmp(pv_get_text(x, "state"), "done");
            due += done || !strcmp(pv_get_text(x, "state"), "overdue");
            sent += done;
            if (done && pv_get(x, "on_time")) {
                on_time += pv_get_bool(x, "on_time", 0);
                late += !pv_get_bool(x, "on_time", 0);
            }
        }
        char p1[32], p2[32];
        sbuf_puts(b, "<tr><td>");
        html_esc(b, lead_of(t));
        sbuf_printf(b, "</td><td class=\"n\">%d</td><td class=\"n\">%d</td><td class=\"n\">%d</td>"
                       "<td class=\"n\">%d</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
                    due, sent, on_time, late, due ? html_num(p1, 100.0 * sent / due, 0, 0) : "—",
                    due ? html_num(p2, 100.0 * on_time / due, 0, 0) : "—");
    }
    sbuf_puts(b, "</table>\n");
    html_end(b);
}

static void hidden(sbuf *b, const char *name, const char *value)
{
    sbuf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"", name);
    html_esc(b, value);
    sbuf_puts(b, "\">");
}

/* A unit's criteria, the flagged first; inputs for its own account's self-assessment. */
static void season_criteria(sbuf *b, const html_frame *f0, const pv *d, const pv *v)
{
    const pv *list = pv_get(v, "criteria");
    int own = f0->unit && *f0->unit && !strcmp(f0->unit, pv_get_text(v, "unit"));
    int open = !strcmp(pv_get_text(d, "phase"), "self") || !*pv_get_text(d, "phase");
    /* the appraisers' form: a value and a reason per criterion, the documents one click away */
    int appr = f0->role && (!strcmp(f0->role, "appraiser") || !strcmp(f0->role, "admin")) &&
               (!*pv_get_text(d, "phase") || !strcmp(pv_get_text(d, "phase"), "appraisal") || !strcmp(pv_get_text(d, "phase"), "final"));
    char y[16];
    snprintf(y, sizeof y, "%lld", (long long)pv_get_int(v, "year", 0));
    sbuf_puts(b, "<h2>Các tiêu chí tự chấm của ");
    html_esc(b, pv_get_text(v, "name"));
    sbuf_printf(b, "</h2>\n<p>%lld tiêu chí cần xem trước khi thẩm định (thiếu tài liệu, cao hơn năm trước, "
                   "nhiệm vụ chưa xong) được xếp lên đầu.</p>\n",
                (long long)pv_get_int(v, "gaps", 0));
    if (own && open) {
        sbuf_puts(b, "<form method=\"post\" action=\"/season/self\">");
        hidden(b, "index", pv_get_text(v, "index"));
        hidden(b, "year", y);
        hidden(b, "level", pv_get_text(d, "level"));
    } else if (appr) {
        sbuf_puts(b, "<p><a href=\"/units/");
        html_url(b, pv_get_text(v, "unit"));
        sbuf_puts(b, "?index=");
        html_url(b, pv_get_text(v, "index"));
        sbuf_printf(b, "&amp;year=%s\">Tài liệu kiểm chứng và lịch sử của đơn vị</a></p>\n"
                       "<form method=\"post\" action=\"/season/appraise\">",
                    y);
        hidden(b, "unit", pv_get_text(v, "unit"));
        hidden(b, "index", pv_get_text(v, "index"));
        hidden(b, "year", y);
        hidden(b, "level", pv_get_text(d, "level"));
    }
    sbuf_puts(b, "<table id=\"criteria\">\n<tr><th>Tiêu chí</th><th>Tên</th><th>Tối đa</th><th>Tự chấm</th>"
                 "<th>Thẩm định</th><th>Tài liệu</th><th>Cần xem</th></tr>\n");
    for (uint32_t i = 0; list && i < list->u.a.n; i++) {
        const pv *c = list->u.a.v[i], *flags = pv_get(c, "flags");
        const char *key = pv_get_text(c, "criterion"), *id = strchr(key, ':') ? strchr(key, ':') + 1 : key;
        char n1[32], n2[32], n3[32];
        double x;
        sbuf_puts(b, "<tr data-criterion=\"");
        html_esc(b, id);
        sbuf_puts(b, "\"><td>");
        html_esc(b, id);
        sbuf_puts(b, "</td><td>");
        html_esc(b, pv_get_text(c, "name"));
        sbuf_printf(b, "</td><td class=\"n\">%s</td><td class=\"n\">",
                    sscanf(pv_get_text(c, "max"), "%lf", &x) == 1 ? html_num(n1, x, 2, 0) : "");
        if (own && open) {
            sbuf_printf(b, "<input name=\"v_%s\" size=\"5\" value=\"", id);
            if (sscanf(pv_get_text(c, "self"), "%lf", &x) == 1)
                html_esc(b, html_num(n2, x, 2, 0));
            sbuf_printf(b, "\"><input name=\"n_%s\" placeholder=\"giải thích\" size=\"18\" value=\"", id);
            html_esc(b, pv_get_text(c, "note"));
            sbuf_puts(b, "\">");
        } else {
            sbuf_puts(b, sscanf(pv_get_text(c, "self"), "%lf", &x) == 1 ? html_num(n2, x, 2, 0) : "—");
        }
        sbuf_puts(b, "</td><td class=\"n\">");
        if (appr) {
            sbuf_printf(b, "<input name=\"a_%s\" size=\"5\" value=\"", id);
            if (sscanf(pv_get_text(c, "appraisal"), "%lf", &x) == 1)
                html_esc(b, html_num(n3, x, 2, 0));
            sbuf_printf(b, "\"><input name=\"r_%s\" placeholder=\"lý do\" size=\"18\" value=\"", id);
            html_esc(b, pv_get_text(c, "reason"));
            sbuf_puts(b, "\">");
        } else {
            sbuf_puts(b, sscanf(pv_get_text(c, "appraisal"), "%lf", &x) == 1 ? html_num(n3, x, 2, 0) : "—");
        }
        sbuf_printf(b, "</td><td class=\"n\">%lld</td><td>", (long long)pv_get_int(c, "evidence", 0));
        for (uint32_t k = 0; flags && k < flags->u.a.n; k++) {
            sbuf_puts(b, k ? "<br>" : "");
            html_esc(b, pv_get_text(flags->u.a.v[k], "text"));
        }
        sbuf_puts(b, "</td></tr>\n");
    }
    sbuf_puts(b, "</table>\n");
    if (appr && !(own && open)) {
        html_csrf(b, f0->csrf);
        sbuf_puts(b, "<p><button type=\"submit\" id=\"appraise-all\">Ghi điểm thẩm định</button></p></form>\n");
    }
    if (own && open) {
        html_csrf(b, f0->csrf);
        sbuf_puts(b, "<p><button type=\"submit\" id=\"self\">Gửi tự đánh giá</button></p></form>\n"
                     "<h2>Gửi tài liệu kiểm chứng</h2>\n<form method=\"post\" action=\"/season/evidence\" "
                     "enctype=\"multipart/form-data\">");
        hidden(b, "unit", pv_get_text(v, "unit"));
        hidden(b, "index", pv_get_text(v, "index"));
        hidden(b, "year", y);
        hidden(b, "level", pv_get_text(d, "level"));
        sbuf_puts(b, "<label for=\"criterion\">Tiêu chí</label><select id=\"criterion\" name=\"criterion\">");
        for (uint32_t i = 0; list && i < list->u.a.n; i++) {
            const char *key = pv_get_text(list->u.a.v[i], "criterion"), *id = strchr(key, ':') ? strchr(key, ':') + 1 : key;
            sbuf_puts(b, "<option value=\"");
            html_esc(b, id);
            sbuf_puts(b, "\">");
            html_esc(b, id);
            sbuf_puts(b, " ");
            html_esc(b, pv_get_text(list->u.a.v[i], "name"));
            sbuf_puts(b, "</option>");
        }
        sbuf_puts(b, "</select><label for=\"file\">Tệp (PDF, ảnh, DOCX, XLSX, ODT)</label>"
                     "<input id=\"file\" name=\"file\" type=\"file\" required>");
        html_csrf(b, f0->csrf);
        sbuf_puts(b, "<p><button type=\"submit\" id=\"upload\">Gửi tài liệu</button></p></form>\n");
    }
}

void page_season(sbuf *b, const html_frame *f0, const pv *d, const char *msg, const pv *view)
{
    html_begin(b, f0);
    if (msg && *msg) {
        sbuf_puts(b, "<p class=\"ok\" id=\"msg\">");
        html_esc(b, msg);
        sbuf_puts(b, "</p>\n");
    }
    char a[16];
    int phase = season_phase_of(pv_get_text(d, "phase"));
    sbuf_puts(b, "<p>Đợt đánh giá chỉ số ");
    html_esc(b, pv_get_text(d, "index"));
    sbuf_printf(b, " năm %lld, cấp ", (long long)pv_get_int(d, "year", 0));
    html_esc(b, str_level_vi(pv_get_text(d, "level")));
    sbuf_puts(b, ": <strong id=\"phase\">");
    html_esc(b, phase > 0 ? season_phase_vi(phase) : "chưa mở");
    sbuf_printf(b, "</strong></p>\n<ul><li>Hạn tự đánh giá: %s</li>", html_date(a, pv_get_text(d, "self_until")));
    sbuf_printf(b, "<li>Hạn giải trình: %s</li>", html_date(a, pv_get_text(d, "explain_until")));
    if (*pv_get_text(d, "decision")) {
        sbuf_puts(b, "<li>Công bố theo quyết định ");
        html_esc(b, pv_get_text(d, "decision"));
        sbuf_printf(b, " ngày %s</li>", html_date(a, pv_get_text(d, "decision_date")));
    }
    sbuf_puts(b, "</ul>\n");
    const pv *moves = pv_get(d, "moves");
    if (moves && moves->u.a.n) {
        sbuf_puts(b, "<h2>Lịch sử</h2>\n<table>\n<tr><th>Ngày</th><th>Giai đoạn</th><th>Người chuyển</th>"
                     "<th>Hạn</th><th>Quyết định</th><th>Lý do</th></tr>\n");
        for (uint32_t i = 0; i < moves->u.a.n; i++) {
            const pv *m = moves->u.a.v[i];
            char x[16], y[16];
            sbuf_printf(b, "<tr><td>%s</td><td>", html_date(x, pv_get_text(m, "at")));
            html_esc(b, season_phase_vi(season_phase_of(pv_get_text(m, "phase"))));
            sbuf_puts(b, "</td><td>");
            html_esc(b, pv_get_text(m, "by"));
            sbuf_printf(b, "</td><td>%s</td><td>", *pv_get_text(m, "until") ? html_date(y, pv_get_text(m, "until")) : "");
            html_esc(b, pv_get_text(m, "decision"));
            sbuf_puts(b, "</td><td>");
            html_esc(b, pv_get_text(m, "reason"));
            sbuf_puts(b, "</td></tr>\n");
        }
        sbuf_puts(b, "</table>\n");
    }
    if (f0->role && (!strcmp(f0->role, "admin") || !strcmp(f0->role, "appraiser"))) {
        sbuf_puts(b, "<h2>Chuyển giai đoạn</h2>\n<form method=\"post\" action=\"/season/move\">");
        static const char *const keys[] = {"index", "level"};
        for (int i = 0; i < 2; i++) {
            sbuf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"", keys[i]);
            html_esc(b, pv_get_text(d, keys[i]));
            sbuf_puts(b, "\">");
        }
        sbuf_printf(b, "<input type=\"hidden\" name=\"year\" value=\"%lld\"><label for=\"to\">Giai đoạn</label>"
                       "<select id=\"to\" name=\"to\">",
                    (long long)pv_get_int(d, "year", 0));
        for (int p = PHASE_SELF; p < PHASE_COUNT; p++)
            sbuf_printf(b, "<option value=\"%s\">%s</option>", season_phase_name(p), season_phase_vi(p));
        sbuf_puts(b, "</select><label for=\"until\">Hạn (tự đánh giá, giải trình)</label>"
                     "<input id=\"until\" name=\"until\" placeholder=\"dd/mm/yyyy\">"
                     "<label for=\"decision\">Quyết định công bố</label><input id=\"decision\" name=\"decision\">"
                     "<label for=\"date\">Ngày quyết định</label><input id=\"date\" name=\"date\" "
                     "placeholder=\"dd/mm/yyyy\"><label for=\"reason\">Lý do (khi quay lại)</label>"
                     "<input id=\"reason\" name=\"reason\">");
        html_csrf(b, f0->csrf);
        sbuf_puts(b, "<p><button type=\"submit\">Chuyển</button></p></form>\n");
    }
    if (view)
        season_criteria(b, f0, d, view);
    html_end(b);
}

void page_error(sbuf *b, const html_frame *f0, const char *what, const char *why)
{
    html_begin(b, f0);
    sbuf_puts(b, "<p class=\"err\" id=\"error\">");
    html_esc(b, what);
    sbuf_puts(b, "</p>\n");
    if (why && *why) { /* the reason in Vietnamese where it is known, and as it was said */
        char vi[1024];
        if (!strstr(reason_vi(why, vi, sizeof vi), why)) { /* not reason_vi's English after a lead */
            sbuf_puts(b, "<p class=\"muted\" id=\"why\">");
            html_esc(b, vi);
            sbuf_puts(b, "</p>\n");
        }
        sbuf_puts(b, "<p class=\"muted\" lang=\"en\">");
        html_esc(b, why);
        sbuf_puts(b, "</p>\n");
    }
    html_end(b);
}

/* ---------- the tables behind the downloads ---------- */

static const sheet_col ranking_cols[] = {
    {"Hạng", SHEET_NUM, 0, 0, 6}, {"Số đơn vị", SHEET_NUM, 0, 0, 9}, {"Mã đơn vị", SHEET_TEXT, 0, 0, 10}, {"Đơn vị", SHEET_TEXT, 0, 0, 28},
    {"Tổng điểm", SHEET_NUM, 2, 0, 11}, {"Tối đa", SHEET_NUM, 0, 0, 8}, {"Năm trước", SHEET_NUM, 2, 0, 11},
    {"Thay đổi", SHEET_NUM, 2, 1, 10}};

sheet *page_ranking_sheet(const pv *ranking, const char *title)
{
    sheet_col *cols;
    int n = 8;
    const pv *first = ranking && ranking->t == PV_ARR && ranking->u.a.n ? ranking->u.a.v[0] : NULL;
    const pv *areas = first ? pv_get(first, "components") : NULL;
    /* a column per area of the framework: names kept by the table's owner (the ranking) */
    uint32_t na = areas && areas->t == PV_ARR ? areas->u.a.n : 0;
    if (na > 24)
        na = 24;
    sheet *t;
    static const sheet_col area_col = {"", SHEET_NUM, 2, 0, 10};
    cols = xcalloc((size_t)n + na, sizeof *cols);
    char (*heads)[64] = xcalloc(na ? na : 1, sizeof *heads);
    memcpy(cols, ranking_cols, sizeof ranking_cols);
    for (uint32_t k = 0; k < na; k++) {
        snprintf(heads[k], sizeof heads[k], "Lĩnh vực %.40s", pv_get_text(areas->u.a.v[k], "id"));
        cols[n + (int)k] = area_col;
        cols[n + (int)k].head = heads[k];
    }
    t = sheet_new(title, cols, n + (int)na);
    free(cols);
    free(heads);
    for (uint32_t i = 0; ranking && ranking->t == PV_ARR && i < ranking->u.a.n; i++) {
        const pv *r = ranking->u.a.v[i], *comps = pv_get(r, "components");
        /* two numbers, not "4/8": a spreadsheet opening the CSV reads that as 4 August */
        sheet_num(t, (double)pv_get_int(r, "rank", 0));
        sheet_num(t, (double)pv_get_int(r, "of", 0));
        sheet_text(t, pv_get_text(r, "unit"));
        sheet_text(t, pv_get_text(r, "name"));
        sheet_num(t, pv_get_num(r, "total"));
        sheet_num(t, pv_get_num(r, "max"));
        if (pv_get(r, "prev_total")) {
            sheet_num(t, pv_get_num(r, "prev_total"));
            sheet_num(t, pv_get_num(r, "total") - pv_get_num(r, "prev_total"));
        } else {
            sheet_empty(t);
            sheet_empty(t);
        }
        for (uint32_t k = 0; k < na; k++) {
            const pv *c = comps && comps->t == PV_ARR && k < comps->u.a.n ? comps->u.a.v[k] : NULL;
            if (c)
                sheet_num(t, pv_get_num(c, "score"));
            else
                sheet_empty(t);
        }
    }
    return t;
}

static const sheet_col task_cols[] = {
    {"Mã", SHEET_TEXT, 0, 0, 12},        {"Kế hoạch", SHEET_TEXT, 0, 0, 14},   {"Nhiệm vụ", SHEET_TEXT, 0, 0, 60},
    {"Chủ trì", SHEET_TEXT, 0, 0, 24},   {"Phối hợp", SHEET_TEXT, 0, 0, 30},   {"Chỉ số", SHEET_TEXT, 0, 0, 8},
    {"Tiêu chí", SHEET_TEXT, 0, 0, 9},   {"Thời hạn (văn bản)", SHEET_TEXT, 0, 0, 30}, {"Kỳ", SHEET_TEXT, 0, 0, 9},
    {"Hạn", SHEET_DATE, 0, 0, 11},       {"Tình trạng", SHEET_TEXT, 0, 0, 15}, {"Số ngày còn lại", SHEET_NUM, 0, 0, 9},
    {"Ngày báo cáo", SHEET_DATE, 0, 0, 12}};

sheet *page_tasks_sheet(const pv *tasks, const task_filter *tf)
{
    sheet *t = sheet_new("Danh sách nhiệm vụ", task_cols, (int)(sizeof task_cols / sizeof task_cols[0]));
    for (uint32_t i = 0; tasks && tasks->t == PV_ARR && i < tasks->u.a.n; i++) {
        const pv *x = tasks->u.a.v[i];
        if (!shown(x, tf))
            continue;
        sheet_text(t, pv_get_text(x, "id"));
        sheet_text(t, pv_get_text(x, "plan"));
        sheet_text(t, pv_get_text(x, "task"));
        sheet_text(t, lead_of(x));
        sheet_text(t, support_of(x));
        sheet_text(t, pv_get_text(x, "index"));
        sheet_text(t, pv_get_text(x, "criterion"));
        sheet_text(t, pv_get_text(x, "deadline_text"));
        if (*pv_get_text(x, "period")) {
            char p[32];
            snprintf(p, sizeof p, "%lld %s", (long long)pv_get_int(x, "year", 0), pv_get_text(x, "period"));
            sheet_text(t, p);
        } else {
            sheet_empty(t);
        }
        sheet_date(t, pv_get_text(x, "deadline"));
        sheet_text(t, state_vi(pv_get_text(x, "state")));
        if (*pv_get_text(x, "deadline"))
            sheet_num(t, (double)pv_get_int(x, "days", 0));
        else
            sheet_empty(t);
        sheet_date(t, pv_get_text(x, "done_on"));
    }
    return t;
}

static const sheet_col alert_cols[] = {
    {"Số", SHEET_NUM, 0, 0, 7},         {"Loại", SHEET_TEXT, 0, 0, 10},     {"Nhiệm vụ", SHEET_TEXT, 0, 0, 14},
    {"Hạn", SHEET_DATE, 0, 0, 11},      {"Ngày gửi", SHEET_DATE, 0, 0, 11}, {"Gửi tới", SHEET_TEXT, 0, 0, 30},
    {"Đã xác nhận", SHEET_TEXT, 0, 0, 12}};

sheet *page_alerts_sheet(const pv *alerts)
{
    sheet *t = sheet_new("Cảnh báo đã gửi", alert_cols, (int)(sizeof alert_cols / sizeof alert_cols[0]));
    for (uint32_t i = 0; alerts && alerts->t == PV_ARR && i < alerts->u.a.n; i++) {
        const pv *a = alerts->u.a.v[i], *to = pv_get(a, "to");
        sheet_num(t, (double)pv_get_int(a, "id", 0));
        sheet_text(t, !strcmp(pv_get_text(a, "kind"), "remind") ? "nhắc hạn" : "quá hạn");
        sheet_text(t, pv_get_text(a, "task"));
        sheet_date(t, pv_get_text(a, "deadline"));
        sheet_date(t, pv_get_text(a, "slot"));
        sbuf who;
        sbuf_init(&who);
        for (uint32_t k = 0; to && to->t == PV_ARR && k < to->u.a.n; k++)
            sbuf_printf(&who, "%s%s", k ? ", " : "", pv_get_text(to->u.a.v[k], "unit"));
        sheet_text(t, who.buf ? who.buf : "");
        sbuf_free(&who);
        sheet_text(t, pv_get_bool(a, "acked", 0) ? "có" : "chưa");
    }
    return t;
}

static const sheet_col reporting_cols[] = {
    {"Loại", SHEET_TEXT, 0, 0, 16}, {"Mã đơn vị", SHEET_TEXT, 0, 0, 10}, {"Đơn vị", SHEET_TEXT, 0, 0, 26},
    {"Nội dung", SHEET_TEXT, 0, 0, 50}, {"Kỳ", SHEET_TEXT, 0, 0, 9}, {"Hạn", SHEET_DATE, 0, 0, 11},
    {"Ngày nhận", SHEET_DATE, 0, 0, 11}, {"Tình trạng", SHEET_TEXT, 0, 0, 22}};

sheet *page_reporting_sheet(const pv *tasks)
{
    sheet *t = sheet_new("Tình hình gửi tự đánh giá và báo cáo định kỳ", reporting_cols,
                         (int)(sizeof reporting_cols / sizeof reporting_cols[0]));
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; tasks && tasks->t == PV_ARR && i < tasks->u.a.n; i++) {
            const pv *x = tasks->u.a.v[i];
            if (pass ? !is_report(x) : !is_season_task(x))
                continue;
            char st[64], p[32];
            const char *css;
            sheet_text(t, pass ? "báo cáo định kỳ" : "đợt đánh giá");
            sheet_text(t, pv_get_text(x, "lead"));
            sheet_text(t, lead_of(x));
            sheet_text(t, pv_get_text(x, "task"));
            snprintf(p, sizeof p, "%lld %s", (long long)pv_get_int(x, "year", 0), pv_get_text(x, "period"));
            sheet_text(t, p);
            sheet_date(t, pv_get_text(x, "deadline"));
            sheet_date(t, pv_get_text(x, "done_on"));
            sheet_text(t, sent_state(x, st, &css));
        }
    }
    return t;
}
