/* parctl report: the unit's analysis of an index for a year, as seed 003 writes it
 * by hand: total and rank, areas against last year, every deduction with its reason,
 * overdue and late tasks; or (--ranking) the peer group's table. Markdown, HTML (one
 * self-contained file, printable on A4, with an SVG chart) or CSV (UTF-8 with BOM). */
#include "cli.h"
#include "doc.h"
#include "gaps.h"
#include "vn.h"
#include "../common/csv.h"
#include "../common/client.h"
#include "../common/clock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REPORT_TIMEOUT_MS 10000

typedef enum { F_MD, F_HTML, F_CSV, F_DOCX, F_XLSX, F_PDF } fmt;

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

/* What a merged unit's year before is (the scorer's prev_units and prev_rule): its
 * predecessors' results, which have no one rank. NULL for a unit's own year before. */
static const char *prev_basis(char *out, size_t n, const pv *r)
{
    const pv *from = pv_get(r, "prev_units");
    if (!from || from->t != PV_ARR || !from->u.a.n)
        return NULL;
    sbuf ids;
    sbuf_init(&ids);
    for (uint32_t i = 0; i < from->u.a.n; i++)
        if (from->u.a.v[i]->t == PV_STR)
            sbuf_printf(&ids, "%s%s", i ? ", " : "", from->u.a.v[i]->u.s.p);
    const pv *rule = pv_get(r, "prev_rule");
    int sum = rule && rule->t == PV_STR && !strcmp(rule->u.s.p, "sum");
    snprintf(out, n, "%s của các đơn vị hợp nhất (%s)", sum ? "tổng điểm" : "điểm bình quân", ids.buf ? ids.buf : "");
    sbuf_free(&ids);
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
            double pp = pv_get_num(c, "prev_pct");
            int hh = (int)lround((base - top) * fmin(pp, 100) / 100);
            sbuf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"22\" height=\"%d\" class=\"prev\"><title>%d: %s%%</title></rect>\n",
                        x, base - hh, hh, year - 1, vn_num(v, sizeof v, pp, 2, 0));
        }
        double pc = pv_get_num(c, "pct");
        int hh = (int)lround((base - top) * fmin(pc, 100) / 100);
        sbuf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"22\" height=\"%d\" class=\"now\"><title>%d: %s%%</title></rect>\n",
                    x + 24, base - hh, hh, year, vn_num(v, sizeof v, pc, 2, 0));
        sbuf_printf(b, "<text x=\"%d\" y=\"%d\" class=\"val\" text-anchor=\"middle\">%s</text>\n", x + 35,
                    base - hh - 4, vn_num(v, sizeof v, pc, 1, 0));
        sbuf_printf(b, "<text x=\"%d\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">%s</text>\n", x + 23, base + 16,
                    pv_get_text(c, "id"));
    }
    sbuf_printf(b, "<rect x=\"50\" y=\"%d\" width=\"12\" height=\"12\" class=\"prev\"/><text x=\"66\" y=\"%d\" "
                   "class=\"axis\">Năm %d</text>\n", h, h + 10, year - 1);
    sbuf_printf(b, "<rect x=\"140\" y=\"%d\" width=\"12\" height=\"12\" class=\"now\"/><text x=\"156\" y=\"%d\" "
                   "class=\"axis\">Năm %d</text>\n</svg>\n", h, h + 10, year);
}

static const char *css =
    "@page{size:A4;margin:20mm 15mm 20mm 30mm}body{font-family:'Times New Roman','Liberation Serif','DejaVu Serif',"
    "serif;font-size:13pt;color:#111;max-width:170mm;margin:auto;line-height:1.35}"
    "h1{font-size:14pt;text-align:center;margin:1em 0 .2em}h2{font-size:13pt;margin-top:1.2em}"
    "h3{font-size:13pt;margin:.8em 0 .3em}h4{font-size:13pt;font-style:italic;margin:.6em 0 .2em}"
    "p{text-align:justify;margin:.35em 0}.c{text-align:center}.b{font-weight:bold}.i{font-style:italic}"
    "table{border-collapse:collapse;width:100%;margin:.6em 0;font-size:12pt}"
    "th,td{border:1px solid #555;padding:3px 5px;vertical-align:top}th{background:#e8eef7}"
    "table.plain td{border:none;text-align:center;padding:0 4px}td.n{text-align:right;white-space:nowrap}"
    "td.c{text-align:center}"
    "svg .grid{stroke:#ccc;stroke-width:1}svg .axis{font-size:10px;fill:#333}svg .val{font-size:9px;fill:#1f4e99}"
    "svg .prev{fill:#b9c3cf}svg .now{fill:#1f4e99}@media print{h2,h3{page-break-after:avoid}tr{page-break-inside:avoid}}";

/* What a report is about and for whom: the parameters an office fills in by hand today. */
typedef struct {
    const char *number, *date, *place, *recipients, *signer;
} report_opts;

/* Index codes as the province's documents name them. */
static const char *index_long(const char *index)
{
    return !strcmp(index, "PAR")     ? "Chỉ số cải cách hành chính (PAR INDEX)"
           : !strcmp(index, "SIPAS") ? "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)"
           : !strcmp(index, "PAPI")  ? "Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh (PAPI)"
           : !strcmp(index, "PCI")   ? "Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)"
                                     : index;
}

/* The peers a rank is out of: "huyện, thành phố" for districts. */
static const char *peers_word(const char *level)
{
    return !strcmp(level, "district")     ? "huyện, thành phố"
           : !strcmp(level, "commune")    ? "xã, phường, thị trấn"
           : !strcmp(level, "department") ? "sở, ban, ngành"
                                          : str_level_vi(level);
}

/* A unit's name inside a sentence, as 003 writes it: "huyện Tam Đường", "thành phố Lai
 * Châu" (the level word in lower case), into out. */
static const char *mid(char *out, size_t n, const char *name)
{
    str_name_mid(name, out, n);
    return out;
}

/* Units ranked above rank (names, comma separated) and, when tied, those with the same
 * points. list: the scores answer; area: an area id, or NULL for the total. */
static void ahead_and_tied(const pv *list, const char *unit, const char *area, sbuf *ahead, sbuf *tied)
{
    double mine = -1;
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; list && list->t == PV_ARR && i < list->u.a.n; i++) {
            const pv *r = list->u.a.v[i];
            double v = -1;
            if (!area) {
                v = pv_get_num(r, "total");
            } else {
                const pv *comps = pv_get(r, "components");
                for (uint32_t k = 0; comps && k < comps->u.a.n; k++)
                    if (!strcmp(pv_get_text(comps->u.a.v[k], "id"), area))
                        v = pv_get_num(comps->u.a.v[k], "score");
            }
            if (pass == 0) {
                if (!strcmp(pv_get_text(r, "unit"), unit))
                    mine = v;
                continue;
            }
            if (mine < 0 || !strcmp(pv_get_text(r, "unit"), unit))
                continue;
            sbuf *to = v > mine + 1e-9 ? ahead : fabs(v - mine) <= 1e-9 ? tied : NULL;
            char nm[256];
            if (to)
                sbuf_printf(to, "%s%s", to->len ? ", " : "", mid(nm, sizeof nm, pv_get_text(r, "name")));
        }
}

/* "xếp thứ 4/8 huyện, thành phố, sau A, B, C" (and ties): the rank sentence 003 writes. */
static void rank_sentence(sbuf *out, const pv *peers, const char *unit, const char *area, int64_t rank, int64_t of,
                          const char *word)
{
    sbuf ahead, tied;
    sbuf_init(&ahead);
    sbuf_init(&tied);
    ahead_and_tied(peers, unit, area, &ahead, &tied);
    sbuf_printf(out, "xếp thứ %lld/%lld %s", (long long)rank, (long long)of, word);
    if (ahead.len)
        sbuf_printf(out, ", sau %s", ahead.buf);
    if (tied.len)
        sbuf_printf(out, "%s bằng điểm với %s", ahead.len ? ";" : ",", tied.buf);
    sbuf_free(&ahead);
    sbuf_free(&tied);
}

static const pv *find_by_id(const pv *list, const char *id)
{
    for (uint32_t i = 0; list && list->t == PV_ARR && i < list->u.a.n; i++)
        if (!strcmp(pv_get_text(list->u.a.v[i], "id"), id))
            return list->u.a.v[i];
    return NULL;
}

static int below(const char *id, const char *area)
{
    size_t n = strlen(area);
    return !strncmp(id, area, n) && id[n] == '.';
}

/* The area table of every year held: points of each, then shares and the change. */
static void area_tables(doc *d, const pv *r, const pv *years, const pv *peers)
{
    const pv *comps = pv_get(r, "components");
    int year = (int)pv_get_int(r, "year", 0);
    uint32_t ny = years && years->t == PV_ARR ? years->u.a.n : 0;
    char x[64], y[64], z[96];
    doc_table(d, 2 + (int)(ny ? ny : 1), DOC_BORDER);
    doc_cell(d, "STT", 0);
    doc_cell(d, "Lĩnh vực", 0);
    for (uint32_t k = 0; k < ny; k++) {
        snprintf(z, sizeof z, "Năm %lld (điểm đạt/tối đa)", (long long)pv_get_int(years->u.a.v[k], "year", 0));
        doc_cell(d, z, 0);
    }
    if (!ny)
        doc_cell(d, "Năm nay (điểm đạt/tối đa)", 0);
    for (uint32_t i = 0; comps && i < comps->u.a.n; i++) {
        const pv *c = comps->u.a.v[i];
        doc_cell(d, pv_get_text(c, "id"), DOC_CENTER);
        doc_cell(d, pv_get_text(c, "name"), 0);
        for (uint32_t k = 0; k < ny; k++) {
            const pv *a = find_by_id(pv_get(years->u.a.v[k], "areas"), pv_get_text(c, "id"));
            if (a)
                snprintf(z, sizeof z, "%s/%s", vn_num(x, sizeof x, pv_get_num(a, "score"), 2, 0),
                         vn_num(y, sizeof y, pv_get_num(a, "max"), 2, 0));
            doc_cell(d, a ? z : "–", DOC_RIGHT);
        }
        if (!ny)
            doc_cell(d, vn_num(x, sizeof x, pv_get_num(c, "score"), 2, 0), DOC_RIGHT);
    }
    /* the shares, the change in points of percent, the rank among the peers */
    doc_para(d, NULL, "Tỷ lệ điểm đạt được so với điểm tối đa (%) và thứ hạng:");
    doc_table(d, 6, DOC_BORDER);
    doc_cell(d, "STT", 0);
    doc_cell(d, "Lĩnh vực", 0);
    snprintf(z, sizeof z, "Năm %d (%%)", year - 1);
    doc_cell(d, z, 0);
    snprintf(z, sizeof z, "Năm %d (%%)", year);
    doc_cell(d, z, 0);
    doc_cell(d, "Tăng/giảm (điểm %)", 0);
    snprintf(z, sizeof z, "Xếp hạng năm %d", year);
    doc_cell(d, z, 0);
    for (uint32_t i = 0; comps && i < comps->u.a.n; i++) {
        const pv *c = comps->u.a.v[i];
        doc_cell(d, pv_get_text(c, "id"), DOC_CENTER);
        doc_cell(d, pv_get_text(c, "name"), 0);
        if (pv_get(c, "prev_pct"))
            doc_cell_num(d, vn_num(x, sizeof x, pv_get_num(c, "prev_pct"), 2, 0), pv_get_num(c, "prev_pct"), DOC_NUMBER);
        else
            doc_cell(d, "–", DOC_RIGHT);
        doc_cell_num(d, vn_num(x, sizeof x, pv_get_num(c, "pct"), 2, 0), pv_get_num(c, "pct"), DOC_NUMBER);
        if (pv_get(c, "change_pp"))
            doc_cell_num(d, vn_num(x, sizeof x, pv_get_num(c, "change_pp"), 2, 1), pv_get_num(c, "change_pp"), DOC_NUMBER);
        else
            doc_cell(d, "–", DOC_RIGHT);
        sbuf t;
        sbuf_init(&t);
        sbuf_printf(&t, "%lld/%lld", (long long)pv_get_int(c, "rank", 0), (long long)pv_get_int(r, "of", 0));
        sbuf tied, ahead;
        sbuf_init(&tied);
        sbuf_init(&ahead);
        ahead_and_tied(peers, pv_get_text(r, "unit"), pv_get_text(c, "id"), &ahead, &tied);
        if (tied.len)
            sbuf_puts(&t, " (đồng hạng)");
        doc_cell(d, t.buf, DOC_CENTER);
        sbuf_free(&t);
        sbuf_free(&tied);
        sbuf_free(&ahead);
    }
}

/* 2.k: an area: its points, share, change, rank; how many criteria; what was lost and why. */
/* A survey index (PAPI, PCI, SIPAS): all of it from the survey, nothing appraised. Its
 * elements are not "deducted" points but figures, said as such (4,34/10; 79,21 %). */
static int survey_only(const pv *r)
{
    return pv_get_num(r, "appraised") < 1e-9 && pv_get_num(r, "survey") > 0;
}

/* A criterion's figure of result r: "0,93/2,5", or "79,21 %" in a percent index. */
static const char *crit_figure(const pv *r, const char *id, char *out, size_t n)
{
    const pv *crits = pv_get(r, "criteria");
    for (uint32_t i = 0; crits && i < crits->u.a.n; i++) {
        const pv *c = crits->u.a.v[i];
        if (strcmp(pv_get_text(c, "id"), id))
            continue;
        return gaps_score(out, n, pv_get_num(c, "score"), pv_get_num(c, "max"), pv_get_bool(r, "percent", 0));
    }
    snprintf(out, n, "–");
    return out;
}

/* The row of a criterion in the gaps answer (scorer/gaps.h), NULL when none. */
static const pv *gaps_row(const pv *targets, const char *id)
{
    const pv *rows = targets ? pv_get(targets, "rows") : NULL;
    for (uint32_t i = 0; rows && i < rows->u.a.n; i++)
        if (!strcmp(pv_get_text(rows->u.a.v[i], "id"), id))
            return rows->u.a.v[i];
    return NULL;
}

static void area_section(doc *d, const pv *r, const pv *c, int k, const pv *peers, const pv *crits, const pv *targets)
{
    int year = (int)pv_get_int(r, "year", 0);
    const char *area = pv_get_text(c, "id");
    char x[64], y[64], z[64], h[512];
    snprintf(h, sizeof h, "2.%d. Chỉ số thành phần %s", k, pv_get_text(c, "name"));
    doc_heading(d, 3, h);
    sbuf t;
    sbuf_init(&t);
    sbuf_printf(&t, "Năm %d đạt %s/%s điểm (bằng %s%%)", year, vn_num(x, sizeof x, pv_get_num(c, "score"), 2, 0),
                vn_num(y, sizeof y, pv_get_num(c, "max"), 2, 0), vn_num(z, sizeof z, pv_get_num(c, "pct"), 2, 0));
    if (pv_get(c, "change_pp")) {
        double ch = pv_get_num(c, "change_pp");
        sbuf_printf(&t, ", %s %s điểm %% so với năm %d", ch >= 0 ? "tăng" : "giảm",
                    vn_num(x, sizeof x, fabs(ch), 2, 0), year - 1);
    }
    const pv *national = gaps_row(targets, area);
    if (pv_get_int(r, "of", 0) > 1) {
        sbuf_puts(&t, "; ");
        rank_sentence(&t, peers, pv_get_text(r, "unit"), area, pv_get_int(c, "rank", 0), pv_get_int(r, "of", 0),
                      peers_word(pv_get_text(r, "level")));
    } else if (national && pv_get(national, "rank")) { /* alone here: the survey's own place */
        sbuf_printf(&t, "; xếp thứ %lld/%lld", (long long)pv_get_int(national, "rank", 0),
                    (long long)pv_get_int(national, "of", 0));
    }
    sbuf_puts(&t, ".");
    /* 003: "03 tiêu chí (4 tiêu chí thành phần)" */
    int children = 0, leaves = 0;
    for (uint32_t i = 0; crits && i < crits->u.a.n; i++) {
        const char *id = pv_get_text(crits->u.a.v[i], "id");
        if (!below(id, area))
            continue;
        children += strchr(id + strlen(area) + 1, '.') == NULL;
        int leaf = 1;
        for (uint32_t j = 0; j < crits->u.a.n && leaf; j++)
            leaf = !below(pv_get_text(crits->u.a.v[j], "id"), id);
        leaves += leaf;
    }
    if (children) {
        sbuf_printf(&t, " Chỉ số thành phần được đánh giá qua %02d tiêu chí", children);
        if (leaves != children)
            sbuf_printf(&t, " (%d tiêu chí thành phần)", leaves);
        sbuf_puts(&t, ".");
    }
    doc_para(d, NULL, t.buf);
    sbuf_free(&t);
    if (survey_only(r)) { /* each element's figure as the survey gives it */
        int listed = 0;
        for (uint32_t i = 0; crits && i < crits->u.a.n; i++) {
            const pv *cr = crits->u.a.v[i];
            if (!below(pv_get_text(cr, "id"), area))
                continue;
            if (!listed++)
                doc_para(d, NULL, "Kết quả từng tiêu chí:");
            char lead[600];
            snprintf(lead, sizeof lead, "Tiêu chí %s. %s:", pv_get_text(cr, "id"), pv_get_text(cr, "name"));
            doc_bullet(d, lead, crit_figure(r, pv_get_text(cr, "id"), x, sizeof x));
        }
        return;
    }
    const pv *deds = pv_get(r, "deductions");
    int any = 0;
    for (uint32_t i = 0; deds && i < deds->u.a.n; i++) {
        const pv *dd = deds->u.a.v[i];
        if (!below(pv_get_text(dd, "id"), area))
            continue;
        if (!any++)
            doc_para(d, NULL, "Các nội dung bị trừ điểm:");
        char lead[600];
        snprintf(lead, sizeof lead, "Tiêu chí %s. %s (bị trừ %s điểm):", pv_get_text(dd, "id"), pv_get_text(dd, "name"),
                 vn_num(x, sizeof x, pv_get_num(dd, "lost"), 2, 0));
        sbuf why;
        sbuf_init(&why);
        sbuf_printf(&why, "%s.", pv_get_text(dd, "reason"));
        doc_bullet(d, lead, why.buf);
        sbuf_free(&why);
    }
    if (!any)
        doc_para(d, NULL, "Các tiêu chí đều đạt điểm tối đa.");
}

/* I.3: the causes of rises and falls: per area that moved, the criteria that moved with it. */
static void causes(doc *d, const pv *r, const pv *prev)
{
    const pv *comps = pv_get(r, "components"), *crits = pv_get(r, "criteria");
    const pv *pcrits = prev ? pv_get(prev, "criteria") : NULL;
    int year = (int)pv_get_int(r, "year", 0);
    char x[64], y[64], z[64];
    for (int fall = 0; fall < 2; fall++) {
        doc_heading(d, 3, fall ? "3.2. Nguyên nhân các chỉ số giảm điểm" : "3.1. Nguyên nhân các chỉ số tăng điểm");
        int any = 0;
        for (uint32_t i = 0; comps && i < comps->u.a.n; i++) {
            const pv *c = comps->u.a.v[i];
            if (!pv_get(c, "change_pp"))
                continue;
            double ch = pv_get_num(c, "change_pp");
            if (fall ? ch > -0.005 : ch < 0.005)
                continue;
            any++;
            sbuf t;
            sbuf_init(&t);
            sbuf_printf(&t, "%s %s điểm %% (từ %s%% năm %d %s %s%% năm %d)", fall ? "giảm" : "tăng",
                        vn_num(x, sizeof x, fabs(ch), 2, 0), vn_num(y, sizeof y, pv_get_num(c, "prev_pct"), 2, 0), year - 1,
                        fall ? "còn" : "lên", vn_num(z, sizeof z, pv_get_num(c, "pct"), 2, 0), year);
            int listed = 0;
            for (uint32_t k = 0; crits && k < crits->u.a.n; k++) {
                const pv *cr = crits->u.a.v[k], *pc = find_by_id(pcrits, pv_get_text(cr, "id"));
                if (!below(pv_get_text(cr, "id"), pv_get_text(c, "id")) || !pc || !*pv_get_text(cr, "method"))
                    continue;
                double dv = pv_get_num(cr, "score") - pv_get_num(pc, "score");
                if (fall ? dv > -0.005 : dv < 0.005)
                    continue;
                sbuf_printf(&t, "%s tiêu chí %s (%s)", listed++ ? "," : "; do", pv_get_text(cr, "id"),
                            vn_num(x, sizeof x, dv, 2, 1));
            }
            sbuf_puts(&t, ".");
            char lead[300];
            snprintf(lead, sizeof lead, "%s. %s:", pv_get_text(c, "id"), pv_get_text(c, "name"));
            doc_bullet(d, lead, t.buf);
            sbuf_free(&t);
        }
        if (!any)
            doc_para(d, NULL, fall ? "Không có chỉ số thành phần nào giảm điểm." : "Không có chỉ số thành phần nào tăng điểm.");
    }
}

/* II: next year's tasks and solutions per responsible office: the tasks of the index led
 * by the unit or an office below it, each with the criterion it serves and the points
 * lost on it; then the criteria that lost points with no task, by who follows them. */
static void solutions(doc *d, const pv *r, const pv *tasks, const char *index)
{
    const pv *deds = pv_get(r, "deductions");
    int n = 0;
    char x[64], h[400];
    for (uint32_t i = 0; tasks && tasks->t == PV_ARR && i < tasks->u.a.n; i++) {
        const pv *t = tasks->u.a.v[i];
        if (strcmp(pv_get_text(t, "index"), index))
            continue;
        int first = 1;
        for (uint32_t k = 0; k < i && first; k++) /* each office once, where it first leads a task */
            first = strcmp(pv_get_text(tasks->u.a.v[k], "index"), index) || strcmp(pv_get_text(tasks->u.a.v[k], "lead"), pv_get_text(t, "lead"));
        if (!first)
            continue;
        snprintf(h, sizeof h, "%d. %s", ++n, *pv_get_text(t, "lead_name") ? pv_get_text(t, "lead_name") : pv_get_text(t, "lead"));
        doc_heading(d, 2, h);
        for (uint32_t k = i; k < tasks->u.a.n; k++) {
            const pv *u = tasks->u.a.v[k];
            if (strcmp(pv_get_text(u, "index"), index) || strcmp(pv_get_text(u, "lead"), pv_get_text(t, "lead")))
                continue;
            if (k > i && !strcmp(pv_get_text(u, "id"), pv_get_text(tasks->u.a.v[k - 1], "id")))
                continue; /* a recurring task is listed once, not per period */
            sbuf s;
            sbuf_init(&s);
            sbuf_puts(&s, pv_get_text(u, "task"));
            while (s.len && (s.buf[s.len - 1] == '.' || s.buf[s.len - 1] == ' '))
                s.buf[--s.len] = '\0'; /* its period goes after the criterion */
            const pv *dd = find_by_id(deds, pv_get_text(u, "criterion"));
            if (*pv_get_text(u, "criterion"))
                sbuf_printf(&s, " (tiêu chí %s", pv_get_text(u, "criterion"));
            if (dd && survey_only(r))
                sbuf_printf(&s, ", năm %lld đạt %s", (long long)pv_get_int(r, "year", 0),
                            crit_figure(r, pv_get_text(dd, "id"), x, sizeof x));
            else if (dd)
                sbuf_printf(&s, ", năm %lld bị trừ %s điểm", (long long)pv_get_int(r, "year", 0),
                            vn_num(x, sizeof x, pv_get_num(dd, "lost"), 2, 0));
            if (*pv_get_text(u, "criterion"))
                sbuf_puts(&s, ")");
            sbuf_printf(&s, ".%s%s%s", *pv_get_text(u, "deadline_text") ? " Thời hạn: " : "", pv_get_text(u, "deadline_text"),
                        *pv_get_text(u, "deadline_text") ? "." : "");
            doc_bullet(d, NULL, s.buf);
            sbuf_free(&s);
        }
    }
    /* lost points nobody has a task for: said, with who follows the criterion */
    int orphans = 0;
    for (uint32_t i = 0; deds && i < deds->u.a.n; i++) {
        const pv *dd = deds->u.a.v[i];
        int has = 0;
        for (uint32_t k = 0; tasks && tasks->t == PV_ARR && k < tasks->u.a.n && !has; k++)
            has = !strcmp(pv_get_text(tasks->u.a.v[k], "index"), index) &&
                  !strcmp(pv_get_text(tasks->u.a.v[k], "criterion"), pv_get_text(dd, "id"));
        if (has)
            continue;
        if (!orphans++) {
            snprintf(h, sizeof h, "%d. %s", ++n,
                     survey_only(r) ? "Các tiêu chí chưa đạt tối đa chưa có nhiệm vụ cải thiện"
                                    : "Các tiêu chí bị trừ điểm chưa có nhiệm vụ khắc phục");
            doc_heading(d, 2, h);
        }
        sbuf s;
        sbuf_init(&s);
        if (survey_only(r))
            sbuf_printf(&s, "Tiêu chí %s. %s: đạt %s", pv_get_text(dd, "id"), pv_get_text(dd, "name"),
                        crit_figure(r, pv_get_text(dd, "id"), x, sizeof x));
        else
            sbuf_printf(&s, "Tiêu chí %s. %s: bị trừ %s điểm", pv_get_text(dd, "id"), pv_get_text(dd, "name"),
                        vn_num(x, sizeof x, pv_get_num(dd, "lost"), 2, 0));
        if (*pv_get_text(dd, "owner"))
            sbuf_printf(&s, "; đơn vị theo dõi: %s", *pv_get_text(dd, "owner_name") ? pv_get_text(dd, "owner_name") : pv_get_text(dd, "owner"));
        sbuf_puts(&s, ".");
        doc_bullet(d, NULL, s.buf);
        sbuf_free(&s);
    }
    if (!n)
        doc_para(d, NULL, "Chưa có nhiệm vụ nào của chỉ số này được giao.");
}

/* The index against the province's targets (scorer/gaps.h; PAPI, PCI, SIPAS as the plans
 * set them): per sub-index the figure, the place, the target and what is missing, then
 * the tasks that should close each gap. Nothing when no target is set. */
static void targets_section(doc *d, const pv *g, int k)
{
    const pv *rows = g ? pv_get(g, "rows") : NULL;
    long long ty = 0;
    for (uint32_t i = 0; rows && i < rows->u.a.n && !ty; i++)
        ty = pv_get_int(rows->u.a.v[i], "target_year", 0);
    if (!ty)
        return;
    int percent = pv_get_bool(g, "percent", 0);
    char h[200], x[64], y[64];
    snprintf(h, sizeof h, "%d. Kết quả so với chỉ tiêu đến năm %lld", k, ty);
    doc_heading(d, 2, h);
    const pv *top = rows->u.a.v[0];
    sbuf t;
    sbuf_init(&t);
    sbuf_printf(&t, "Năm %lld, Chỉ số %s đạt %s%s", (long long)pv_get_int(g, "year", 0), pv_get_text(g, "index"),
                gaps_score(x, sizeof x, pv_get_num(top, "score"), pv_get_num(top, "max"), percent),
                pv_get_bool(top, "official", 0) ? " (kết quả công bố)" : "");
    if (pv_get(top, "rank"))
        sbuf_printf(&t, ", xếp thứ %lld/%lld", (long long)pv_get_int(top, "rank", 0), (long long)pv_get_int(top, "of", 0));
    if (pv_get(top, "target"))
        sbuf_printf(&t, "; chỉ tiêu đến năm %lld là %s%s, %s %s", ty, vn_num(y, sizeof y, pv_get_num(top, "target"), 2, 0),
                    percent ? " %" : " điểm", pv_get_num(top, "gap") > 1e-9 ? "còn thiếu" : "đã vượt",
                    vn_num(x, sizeof x, fabs(pv_get_num(top, "gap")), 2, 0));
    if (pv_get(top, "rank_target"))
        sbuf_printf(&t, "; chỉ tiêu xếp hạng: %s", gaps_places(y, sizeof y, top));
    sbuf_printf(&t, ". Số chỉ số thành phần chưa đạt chỉ tiêu: %lld.", (long long)pv_get_int(g, "off_track", 0));
    doc_para(d, NULL, t.buf);
    doc_table(d, 7, DOC_BORDER);
    const char *head[] = {"STT", "Chỉ số thành phần", "Năm", "Xếp hạng", "Chỉ tiêu", "Còn thiếu", "Chỉ tiêu xếp hạng"};
    for (int i = 0; i < 7; i++) {
        if (i == 2)
            snprintf(h, sizeof h, "Năm %lld", (long long)pv_get_int(g, "year", 0));
        else if (i == 4)
            snprintf(h, sizeof h, "Chỉ tiêu %lld", ty);
        doc_cell(d, i == 2 || i == 4 ? h : head[i], 0);
    }
    for (uint32_t i = 1; i < rows->u.a.n; i++) {
        const pv *r = rows->u.a.v[i];
        doc_cell(d, pv_get_text(r, "id"), pv_get_int(r, "depth", 1) == 1 ? DOC_BOLD : 0);
        doc_cell(d, pv_get_text(r, "name"), pv_get_int(r, "depth", 1) == 1 ? DOC_BOLD : 0);
        doc_cell_num(d, gaps_score(x, sizeof x, pv_get_num(r, "score"), pv_get_num(r, "max"), percent), pv_get_num(r, "score"), DOC_NUMBER);
        snprintf(y, sizeof y, "%lld/%lld", (long long)pv_get_int(r, "rank", 0), (long long)pv_get_int(r, "of", 0));
        doc_cell(d, pv_get(r, "rank") ? y : "–", DOC_CENTER);
        if (pv_get(r, "target")) {
            doc_cell_num(d, vn_num(x, sizeof x, pv_get_num(r, "target"), 2, 0), pv_get_num(r, "target"), DOC_NUMBER);
            if (pv_get_num(r, "gap") > 1e-9)
                doc_cell_num(d, vn_num(y, sizeof y, pv_get_num(r, "gap"), 2, 0), pv_get_num(r, "gap"), DOC_NUMBER);
            else
                doc_cell(d, "đạt", DOC_CENTER);
        } else {
            doc_cell(d, "–", DOC_CENTER);
            doc_cell(d, "–", DOC_CENTER);
        }
        doc_cell(d, pv_get(r, "rank_target") ? gaps_places(y, sizeof y, r) : "–", DOC_CENTER);
    }
    /* what is being done about each gap */
    int heading = 0;
    for (uint32_t i = 0; i < rows->u.a.n; i++) {
        const pv *r = rows->u.a.v[i], *tasks = pv_get(r, "tasks");
        for (uint32_t k2 = 0; tasks && k2 < tasks->u.a.n; k2++) {
            const pv *tk = tasks->u.a.v[k2];
            if (!heading++)
                doc_para(d, NULL, "Nhiệm vụ gắn với từng chỉ số thành phần:");
            char lead[300];
            if (i == 0)
                snprintf(lead, sizeof lead, "Chỉ số %s:", pv_get_text(g, "index"));
            else
                snprintf(lead, sizeof lead, "%s %s%s%s:", pv_get_text(r, "id"), pv_get_text(r, "name"),
                         pv_get(r, "target") && pv_get_num(r, "gap") > 1e-9 ? " (còn thiếu " : "",
                         pv_get(r, "target") && pv_get_num(r, "gap") > 1e-9 ? vn_num(x, sizeof x, pv_get_num(r, "gap"), 2, 0) : "");
            if (i && pv_get(r, "target") && pv_get_num(r, "gap") > 1e-9)
                snprintf(lead + strlen(lead) - 1, sizeof lead - strlen(lead) + 1, "):");
            t.len = 0;
            sbuf_printf(&t, "%s (%s; chủ trì: %s; thời hạn: %s; %s).", *pv_get_text(tk, "task") ? pv_get_text(tk, "task") : pv_get_text(tk, "target"),
                        pv_get_text(tk, "id"), *pv_get_text(tk, "lead_name") ? pv_get_text(tk, "lead_name") : pv_get_text(tk, "lead"),
                        *pv_get_text(tk, "deadline") ? pv_get_text(tk, "deadline") : "–",
                        pv_get_bool(tk, "done", 0) ? "đã hoàn thành" : "chưa báo cáo hoàn thành");
            doc_bullet(d, lead, t.buf);
        }
    }
    sbuf_free(&t);
}

/* Before publication, the evidence gap (collector/appraise.h): what the appraisers look at first. */
static void gaps_section(doc *d, const pv *gaps)
{
    const pv *list = gaps ? pv_get(gaps, "criteria") : NULL;
    if (!list || pv_get_int(gaps, "gaps", 0) <= 0)
        return;
    doc_heading(d, 1, "Cần xem trước khi thẩm định");
    for (uint32_t i = 0; i < list->u.a.n; i++) {
        const pv *c = list->u.a.v[i], *flags = pv_get(c, "flags");
        for (uint32_t k = 0; flags && k < flags->u.a.n; k++) {
            if (!strcmp(pv_get_text(flags->u.a.v[k], "code"), "not_self_scored"))
                continue;
            char lead[300];
            snprintf(lead, sizeof lead, "%s %s:", pv_get_text(c, "criterion"), pv_get_text(c, "name"));
            doc_bullet(d, lead, pv_get_text(flags->u.a.v[k], "text"));
        }
    }
}

static void late_tasks(doc *d, const pv *tasks)
{
    int rows = 0;
    for (uint32_t i = 0; tasks && i < tasks->u.a.n; i++) {
        const pv *t = tasks->u.a.v[i];
        const char *st = pv_get_text(t, "state");
        if (strcmp(st, "overdue") && strcmp(st, "late"))
            continue;
        if (!rows++) {
            doc_heading(d, 1, "Nhiệm vụ quá hạn và trễ hạn");
            doc_table(d, 4, DOC_BORDER);
            doc_cell(d, "Nhiệm vụ", 0);
            doc_cell(d, "Kế hoạch", 0);
            doc_cell(d, "Hạn", 0);
            doc_cell(d, "Tình trạng", 0);
        }
        char due[16], state[96];
        doc_cell(d, pv_get_text(t, "task"), 0);
        doc_cell(d, pv_get_text(t, "plan"), 0);
        doc_cell(d, vn_date(due, pv_get_text(t, "deadline_at")), DOC_CENTER);
        snprintf(state, sizeof state, "%s%s%s%s", task_state(st), !strcmp(st, "late") ? " (" : "",
                 !strcmp(st, "late") ? pv_get_text(t, "done_on") : "", !strcmp(st, "late") ? ")" : "");
        doc_cell(d, state, 0);
    }
}

static void unit_doc(doc *d, const pv *r, const pv *years, const pv *peers, const pv *prev, const pv *season,
                     const pv *ntasks, const pv *stasks, const pv *gaps, const pv *targets, const report_opts *o)
{
    char x[64], y[64], line[1024], nm[256], body[300];
    const char *index = pv_get_text(r, "index"), *level = pv_get_text(r, "level"), *name = mid(nm, sizeof nm, pv_get_text(r, "name"));
    int year = (int)pv_get_int(r, "year", 0);
    int local = str_level_local(level);
    sbuf up;
    sbuf_init(&up);
    if (local)
        sbuf_puts(&up, "UBND ");
    doc_upper(pv_get_text(r, "name"), &up);
    /* the national motto and the unit's header (Decree 30/2020's layout) */
    doc_table(d, 2, 0);
    doc_cell(d, up.buf, DOC_BOLD | DOC_CENTER);
    doc_cell(d, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", DOC_BOLD | DOC_CENTER);
    snprintf(line, sizeof line, "Số: %s", o->number && *o->number ? o->number : "      /BC-UBND");
    doc_cell(d, line, DOC_CENTER);
    doc_cell(d, "Độc lập - Tự do - Hạnh phúc", DOC_BOLD | DOC_CENTER);
    doc_cell(d, "", 0);
    int dy = 0, dm = 0, dd = 0;
    char iso[11];
    if (o->date && vn_date_parse(o->date, iso) == 0)
        sscanf(iso, "%d-%d-%d", &dy, &dm, &dd);
    const char *place = o->place, *full = pv_get_text(r, "name");
    char pl[128];
    if (!place || !*place) { /* "Huyện Tam Đường" -> "Tam Đường" */
        const char *sp = strchr(full, ' ');
        snprintf(pl, sizeof pl, "%s", sp && local && strncmp(full, "Thành phố", 10) ? sp + 1 : full);
        place = pl;
    }
    if (dy)
        snprintf(line, sizeof line, "%s, ngày %02d tháng %d năm %d", place, dd, dm, dy);
    else
        snprintf(line, sizeof line, "%s, ngày    tháng    năm %d", place, year + 1);
    doc_cell(d, line, DOC_ITALIC | DOC_CENTER);
    doc_title(d, "BÁO CÁO");
    /* who speaks: "UBND huyện" for a local government, the unit's name otherwise */
    snprintf(body, sizeof body, "%s%s", local ? "UBND " : "", local ? str_level_vi(level) : pv_get_text(r, "name"));
    snprintf(line, sizeof line, "Phân tích %s năm %d; nhiệm vụ và giải pháp nâng cao Chỉ số %s năm %d của %s%s",
             index_long(index), year, !strcmp(index, "PAR") ? "PAR INDEX" : index, year + 1, local ? "UBND " : "",
             name);
    doc_center(d, line, DOC_BOLD);
    /* the basis: the province's decision publishing the index */
    sbuf t;
    sbuf_init(&t);
    const char *decision = season ? pv_get_text(season, "decision") : "";
    if (*decision) {
        char dday[16];
        sbuf_printf(&t, "Trên cơ sở kết quả %s năm %d của %s do UBND tỉnh công bố tại Quyết định số %s ngày %s, ",
                    index_long(index), year, name, decision, vn_date(dday, pv_get_text(season, "decision_date")));
    } else {
        sbuf_printf(&t, "Trên cơ sở kết quả %s năm %d của %s (kết quả tạm thời: chưa được UBND tỉnh công bố), ",
                    index_long(index), year, name);
    }
    sbuf_printf(&t, "%s tiến hành phân tích, đánh giá các chỉ số thành phần của %s năm %d, đề ra các giải pháp nâng "
                    "cao chỉ số năm %d như sau:",
                body, index, year, year + 1);
    doc_para(d, NULL, t.buf);
    t.len = 0;
    /* I. */
    snprintf(line, sizeof line, "I. PHÂN TÍCH %s NĂM %d", index_long(index), year);
    up.len = 0;
    doc_upper(line, &up);
    doc_heading(d, 1, up.buf);
    snprintf(line, sizeof line, "1. Tổng hợp kết quả Chỉ số %s của %s qua các năm", index, name);
    doc_heading(d, 2, line);
    sbuf_printf(&t, "Năm %d, Chỉ số %s của %s đạt %s%s, ", year, index, name, vn_num(x, sizeof x, pv_get_num(r, "total"), 2, 0),
                pv_get_bool(r, "percent", 0) ? " %" : " điểm");
    const pv *trows = targets ? pv_get(targets, "rows") : NULL, *whole = trows && trows->u.a.n ? trows->u.a.v[0] : NULL;
    if (whole && pv_get(whole, "rank") && pv_get_int(r, "of", 0) <= 1) /* alone here: the survey's own ranking */
        sbuf_printf(&t, "xếp thứ %lld/%lld%s", (long long)pv_get_int(whole, "rank", 0),
                    (long long)pv_get_int(whole, "of", 0), !strcmp(level, "province") ? " tỉnh, thành phố cả nước" : "");
    else
        rank_sentence(&t, peers, pv_get_text(r, "unit"), NULL, pv_get_int(r, "rank", 0), pv_get_int(r, "of", 0),
                      peers_word(level));
    char basis[512];
    /* a percent index (SIPAS) moves by percentage points, not points */
    const char *unit_word = pv_get_bool(r, "percent", 0) ? "điểm phần trăm" : "điểm";
    if (pv_get(r, "prev_total") && prev_basis(basis, sizeof basis, r)) {
        sbuf_printf(&t, "; %s %s %s so với %s năm %d", pv_get_num(r, "change") >= 0 ? "tăng" : "giảm",
                    vn_num(y, sizeof y, fabs(pv_get_num(r, "change")), 2, 0), unit_word, basis, year - 1);
    } else if (pv_get(r, "prev_total")) {
        char mv[64];
        sbuf_printf(&t, "; %s %s %s và %s so với năm %d", pv_get_num(r, "change") >= 0 ? "tăng" : "giảm",
                    vn_num(y, sizeof y, fabs(pv_get_num(r, "change")), 2, 0), unit_word,
                    rank_move(mv, sizeof mv, pv_get_int(r, "rank", 0), pv_get_int(r, "prev_rank", 0)), year - 1);
    }
    if (pv_get_num(r, "appraised") > 0) /* a survey index (PAPI, PCI, SIPAS) is the survey alone */
        sbuf_printf(&t, ". Điểm thẩm định: %s; điểm điều tra xã hội học: %s.",
                    vn_num(x, sizeof x, pv_get_num(r, "appraised"), 2, 0), vn_num(y, sizeof y, pv_get_num(r, "survey"), 2, 0));
    else
        sbuf_puts(&t, ".");
    doc_para(d, NULL, t.buf);
    t.len = 0;
    doc_table(d, 5, DOC_BORDER);
    doc_cell(d, "Năm", 0);
    doc_cell(d, "Điểm đánh giá, thẩm định", 0);
    doc_cell(d, "Điểm điều tra xã hội học", 0);
    doc_cell(d, "Tổng điểm", 0);
    doc_cell(d, "Xếp hạng", 0);
    for (uint32_t k = 0; years && years->t == PV_ARR && k < years->u.a.n; k++) {
        const pv *yr = years->u.a.v[k];
        snprintf(line, sizeof line, "%lld", (long long)pv_get_int(yr, "year", 0));
        doc_cell(d, line, DOC_CENTER);
        doc_cell_num(d, vn_num(x, sizeof x, pv_get_num(yr, "appraised"), 2, 0), pv_get_num(yr, "appraised"), DOC_NUMBER);
        doc_cell_num(d, vn_num(x, sizeof x, pv_get_num(yr, "survey"), 2, 0), pv_get_num(yr, "survey"), DOC_NUMBER);
        doc_cell_num(d, vn_num(x, sizeof x, pv_get_num(yr, "total"), 2, 0), pv_get_num(yr, "total"), DOC_NUMBER);
        snprintf(line, sizeof line, "%lld/%lld", (long long)pv_get_int(yr, "rank", 0), (long long)pv_get_int(yr, "of", 0));
        doc_cell(d, line, DOC_CENTER);
    }
    snprintf(line, sizeof line, "2. Kết quả Chỉ số %s năm %d theo từng lĩnh vực đánh giá", index, year);
    doc_heading(d, 2, line);
    area_tables(d, r, years, peers);
    sbuf svg;
    sbuf_init(&svg);
    svg_chart(&svg, pv_get(r, "components"), year);
    doc_svg(d, svg.buf);
    sbuf_free(&svg);
    const pv *comps = pv_get(r, "components");
    for (uint32_t i = 0; comps && i < comps->u.a.n; i++)
        area_section(d, r, comps->u.a.v[i], (int)i + 1, peers, pv_get(r, "criteria"), targets);
    const pv *missing = pv_get(r, "missing");
    if (missing && missing->u.a.n) {
        sbuf_puts(&t, "Tiêu chí chưa có số liệu: ");
        for (uint32_t i = 0; i < missing->u.a.n; i++)
            sbuf_printf(&t, "%s%s", i ? ", " : "", missing->u.a.v[i]->u.s.p);
        sbuf_puts(&t, ".");
        doc_para(d, NULL, t.buf);
        t.len = 0;
    }
    doc_heading(d, 2, "3. Nguyên nhân các chỉ số tăng, giảm thứ tự xếp hạng");
    causes(d, r, prev);
    targets_section(d, targets, 4);
    /* II. */
    snprintf(line, sizeof line, "II. NHIỆM VỤ VÀ GIẢI PHÁP NÂNG CAO CHỈ SỐ %s NĂM %d", index, year + 1);
    doc_heading(d, 1, line);
    solutions(d, r, ntasks, index);
    gaps_section(d, gaps);
    late_tasks(d, stasks);
    sbuf_printf(&t, "Trên đây là Báo cáo phân tích %s năm %d; nhiệm vụ và giải pháp nâng cao chỉ số năm %d của %s./.",
                index_long(index), year, year + 1, name);
    doc_para(d, NULL, t.buf);
    /* recipients and the signature */
    const char *rec = o->recipients && *o->recipients
                          ? o->recipients
                          : local ? "Lãnh đạo UBND;Các cơ quan, đơn vị thuộc UBND;UBND cấp dưới;Lưu: VT" : "Lưu: VT";
    const char *sign = o->signer && *o->signer ? o->signer : local ? "TM. ỦY BAN NHÂN DÂN;CHỦ TỊCH" : "THỦ TRƯỞNG";
    doc_table(d, 2, 0);
    doc_cell(d, "Nơi nhận:", DOC_BOLD | DOC_ITALIC);
    const char *s1 = sign, *r1 = rec;
    char part[256];
    int first = 1;
    while (*s1 || *r1 || first) {
        if (!first) { /* a recipient per line, the signer's lines beside them */
            size_t n = strcspn(r1, ";");
            snprintf(part, sizeof part, "%s%.*s%s", n ? "- " : "", (int)n, r1, !n ? "" : r1[n] ? ";" : ".");
            r1 += n + (r1[n] == ';');
            doc_cell(d, part, 0);
        }
        size_t m = strcspn(s1, ";");
        snprintf(part, sizeof part, "%.*s", (int)m, s1);
        s1 += m + (s1[m] == ';');
        doc_cell(d, part, DOC_BOLD | DOC_CENTER);
        first = 0;
    }
    sbuf_free(&t);
    sbuf_free(&up);
}

/* The report's area table as CSV: ',' and '.' (machines), or, with locale vi, ';' and
 * the decimal comma (Vietnamese Excel). The total row keeps points in the points column. */
static void unit_csv(sbuf *b, const pv *r, int vi)
{
    const pv *comps = pv_get(r, "components");
    char sep = vi ? ';' : ',';
    char x[64];
#define NUM(v, d) (vi ? vn_num(x, sizeof x, (v), (d), 0) : (snprintf(x, sizeof x, "%.*f", (d), (v)), x))
    sbuf_puts(b, "\xef\xbb\xbf"); /* the BOM: spreadsheet programs then read UTF-8 */
    sbuf_printf(b, "STT%cLĩnh vực%cĐiểm%cTối đa%cTỷ lệ (%%)%cĐiểm năm trước%cTỷ lệ năm trước (%%)%cThay đổi (điểm %%)%c"
                   "Xếp hạng%cSố đơn vị\r\n",
                sep, sep, sep, sep, sep, sep, sep, sep, sep);
    for (uint32_t i = 0; comps && i <= comps->u.a.n; i++) {
        int total = i == comps->u.a.n;
        const pv *c = total ? r : comps->u.a.v[i];
        if (total)
            sbuf_printf(b, "Tổng%cTổng điểm", sep);
        else {
            csv_put(b, pv_get_text(c, "id"));
            sbuf_add(b, &sep, 1);
            csv_put(b, pv_get_text(c, "name"));
        }
        sbuf_printf(b, "%c%s", sep, NUM(pv_get_num(c, total ? "total" : "score"), 4));
        sbuf_printf(b, "%c%s", sep, NUM(pv_get_num(c, "max"), 4));
        sbuf_printf(b, "%c%s", sep, NUM(pv_get_num(c, "pct"), 2));
        const char *pk = total ? "prev_total" : "prev_score";
        if (pv_get(c, pk)) {
            sbuf_printf(b, "%c%s", sep, NUM(pv_get_num(c, pk), 4));
            if (total)
                sbuf_printf(b, "%c", sep);
            else
                sbuf_printf(b, "%c%s", sep, NUM(pv_get_num(c, "prev_pct"), 2));
            sbuf_printf(b, "%c%s", sep, NUM(pv_get_num(c, total ? "change" : "change_pp"), total ? 4 : 2));
        } else {
            sbuf_printf(b, "%c%c%c", sep, sep, sep);
        }
        sbuf_printf(b, "%c%lld%c%lld\r\n", sep, (long long)pv_get_int(c, "rank", 0), sep,
                    (long long)pv_get_int(r, "of", 0));
    }
#undef NUM
}

static void ranking_doc(doc *d, const pv *list, const char *index, int year)
{
    char x[64], y[64], mv[64], h[256];
    snprintf(h, sizeof h, "Xếp hạng Chỉ số %s năm %d", index, year);
    doc_title(d, h);
    char group[256] = "\x01";
    for (uint32_t i = 0; list && i < list->u.a.n; i++) {
        const pv *r = list->u.a.v[i];
        char g[256];
        snprintf(g, sizeof g, "%s|%s", pv_get_text(r, "level"), pv_get_text(r, "parent"));
        if (strcmp(g, group)) {
            str_copy(group, sizeof group, g);
            snprintf(h, sizeof h, "Cấp %s thuộc %s", str_level_vi(pv_get_text(r, "level")), pv_get_text(r, "parent"));
            doc_heading(d, 1, h);
            doc_table(d, 6, DOC_BORDER);
            doc_cell(d, "STT", 0);
            doc_cell(d, "Đơn vị", 0);
            snprintf(h, sizeof h, "Năm %d", year - 1);
            doc_cell(d, h, 0);
            snprintf(h, sizeof h, "Năm %d", year);
            doc_cell(d, h, 0);
            doc_cell(d, "Thay đổi", 0);
            doc_cell(d, "Thứ hạng", 0);
        }
        char prev[64] = "–", change[32] = "–";
        if (pv_get(r, "prev_total")) {
            const pv *from = pv_get(r, "prev_units");
            if (from && from->t == PV_ARR) /* predecessors' results: no one rank */
                snprintf(prev, sizeof prev, "%s (%u đơn vị hợp nhất)", vn_num(x, sizeof x, pv_get_num(r, "prev_total"), 2, 0),
                         from->u.a.n);
            else
                snprintf(prev, sizeof prev, "%s (hạng %lld)", vn_num(x, sizeof x, pv_get_num(r, "prev_total"), 2, 0),
                         (long long)pv_get_int(r, "prev_rank", 0));
            vn_num(change, sizeof change, pv_get_num(r, "change"), 2, 1);
        }
        snprintf(h, sizeof h, "%lld", (long long)pv_get_int(r, "rank", 0));
        doc_cell(d, h, DOC_CENTER);
        doc_cell(d, pv_get_text(r, "name"), 0);
        doc_cell(d, prev, DOC_RIGHT);
        doc_cell_num(d, vn_num(y, sizeof y, pv_get_num(r, "total"), 2, 0), pv_get_num(r, "total"), DOC_NUMBER);
        doc_cell(d, change, DOC_RIGHT);
        doc_cell(d, rank_move(mv, sizeof mv, pv_get_int(r, "rank", 0), pv_get_int(r, "prev_rank", 0)), 0);
    }
}

/* A number cell: as it is in the ';' form (Excel reads 78,12 as a number there), quoted
 * when its decimal comma would split a ',' row. */
static void num_cell(sbuf *b, const char *v, int vi)
{
    if (vi)
        sbuf_puts(b, v);
    else
        csv_put(b, v);
}

static void ranking_csv(sbuf *b, const pv *list, int year, int vi)
{
    char sep = vi ? ';' : ',', x[64];
    sbuf_puts(b, "\xef\xbb\xbf");
    sbuf_printf(b, "STT%cĐơn vị%cMã%cĐiểm năm %d%cXếp hạng năm %d%cĐiểm năm %d%cXếp hạng năm %d%cThay đổi điểm\r\n",
                sep, sep, sep, year - 1, sep, year - 1, sep, year, sep, year, sep);
    for (uint32_t i = 0; list && i < list->u.a.n; i++) {
        const pv *r = list->u.a.v[i];
        sbuf_printf(b, "%lld%c", (long long)pv_get_int(r, "rank", 0), sep);
        csv_put(b, pv_get_text(r, "name"));
        sbuf_add(b, &sep, 1);
        csv_put(b, pv_get_text(r, "unit"));
        sbuf_add(b, &sep, 1);
        if (pv_get(r, "prev_total")) {
            num_cell(b, vi ? vn_num(x, sizeof x, pv_get_num(r, "prev_total"), 4, 0)
                           : (snprintf(x, sizeof x, "%.4f", pv_get_num(r, "prev_total")), x), vi);
            sbuf_printf(b, "%c%lld%c", sep, (long long)pv_get_int(r, "prev_rank", 0), sep);
        } else {
            sbuf_printf(b, "%c%c", sep, sep);
        }
        num_cell(b, vi ? vn_num(x, sizeof x, pv_get_num(r, "total"), 4, 0) : (snprintf(x, sizeof x, "%.4f", pv_get_num(r, "total")), x),
                 vi);
        sbuf_printf(b, "%c%lld%c", sep, (long long)pv_get_int(r, "rank", 0), sep);
        /* "+5,5000": its decimal comma quoted in the ',' form, or the row has a column too many */
        num_cell(b, pv_get(r, "change") ? vn_num(x, sizeof x, pv_get_num(r, "change"), 4, 1) : "", vi);
        sbuf_puts(b, "\r\n");
    }
}

/* The PDF: the HTML printed by Chromium, headless (the browser tests' own; its PDFs embed
 * the fonts they use). chromium: PAR_CHROMIUM, else "chromium" on PATH. */
static int html_to_pdf(const sbuf *html, sbuf *out, par_err *e)
{
    char dir[] = "/tmp/parctl-pdf-XXXXXX";
    if (!mkdtemp(dir)) {
        err_set(e, "cannot make a temporary folder for the PDF");
        return -1;
    }
    char in[256], pdf[256], cmd[1024], home[256];
    snprintf(in, sizeof in, "%s/report.html", dir);
    snprintf(pdf, sizeof pdf, "%s/report.pdf", dir);
    snprintf(home, sizeof home, "%s/home", dir);
    int rc = -1;
    FILE *f = fopen(in, "wb");
    if (!f || fwrite(html->buf, 1, html->len, f) != html->len) {
        err_set(e, "cannot write %s", in);
        if (f)
            fclose(f);
        goto done;
    }
    fclose(f);
    const char *chromium = getenv("PAR_CHROMIUM") && *getenv("PAR_CHROMIUM") ? getenv("PAR_CHROMIUM") : "chromium";
    /* HOME in the temporary folder: Chromium writes its profile there, not in the user's */
    snprintf(cmd, sizeof cmd, "HOME='%s' '%s' --headless --disable-gpu --no-sandbox --no-pdf-header-footer "
                              "--print-to-pdf='%s' 'file://%s' >/dev/null 2>&1",
             home, chromium, pdf, in);
    int st = system(cmd);
    char *buf = NULL;
    size_t len = 0;
    par_err ig = {{0}};
    if (st != 0 || file_read(pdf, &buf, &len, &ig) < 0 || len < 5 || memcmp(buf, "%PDF", 4)) {
        err_set(e, "Chromium did not print the PDF (%s exited %d): install Debian's chromium, set PAR_CHROMIUM, or "
                   "use --format docx / html",
                chromium, st);
        free(buf);
        goto done;
    }
    out->len = 0;
    sbuf_add(out, buf, len);
    free(buf);
    rc = 0;
done:
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) /* a leftover temporary folder is not worth failing the report */
        fprintf(stderr, "parctl: report: could not remove %s\n", dir);
    return rc;
}

/* One document in the asked format into out. */
static int render(const doc *d, fmt f, const char *title, sbuf *out, par_err *e)
{
    const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    if (f == F_MD) {
        doc_md(d, out);
        return 0;
    }
    if (f == F_DOCX)
        return doc_docx(d, tmp, out, e);
    if (f == F_XLSX)
        return doc_xlsx(d, tmp, out, e);
    sbuf html;
    sbuf_init(&html);
    doc_html(d, title, css, &html);
    if (f == F_HTML) {
        sbuf_add(out, html.buf, html.len);
        sbuf_free(&html);
        return 0;
    }
    int rc = html_to_pdf(&html, out, e);
    sbuf_free(&html);
    return rc;
}

int cli_report(cli *c, int argc, char **argv)
{
    const char *unit = NULL, *index = NULL, *year = NULL, *parent = NULL, *format = "md", *locale = "";
    report_opts o = {0};
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
        else if (i + 1 < argc && !strcmp(argv[i], "--csv-locale"))
            locale = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--number"))
            o.number = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--date"))
            o.date = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--place"))
            o.place = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--to"))
            o.recipients = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--signer"))
            o.signer = argv[++i];
        else if (argv[i][0] != '-' && !unit)
            unit = argv[i];
        else
            goto usage;
    }
    static const char *const names[] = {"md", "html", "csv", "docx", "xlsx", "pdf"};
    int f = -1;
    for (int k = 0; k < 6; k++)
        if (!strcmp(format, names[k]))
            f = k;
    char iso[11];
    if (!index || !year || f < 0 || (!ranking && !unit) || (ranking && unit) || (*locale && strcmp(locale, "vi")) ||
        (o.date && vn_date_parse(o.date, iso) < 0))
        goto usage;
    if ((f == F_DOCX || f == F_XLSX || f == F_PDF) && isatty(1)) {
        fprintf(stderr, "parctl: report: a .%s file is not for the terminal: redirect it, e.g. > report.%s\n", format,
                format);
        return 2;
    }
    par_err e = {{0}};
    client *cl = cli_client(c);
    if (!cl)
        return 2;
    sbuf out;
    sbuf_init(&out);
    doc *d = doc_new();
    int rc = 1;
    char title[256];
    if (ranking) {
        pv *list = cli_ask(cl, "scorer", "scores", args3("index", index, "year", year, "parent", parent), REPORT_TIMEOUT_MS, &e);
        if (list) {
            snprintf(title, sizeof title, "Xếp hạng Chỉ số %s năm %s", index, year);
            if (f == F_CSV)
                ranking_csv(&out, list, atoi(year), !strcmp(locale, "vi"));
            else
                ranking_doc(d, list, index, atoi(year));
            rc = f == F_CSV ? 0 : render(d, (fmt)f, title, &out, &e);
        }
        pv_free(list);
    } else {
        pv *r = cli_ask(cl, "scorer", "result", args3("unit", unit, "index", index, "year", year), REPORT_TIMEOUT_MS, &e);
        if (r && f == F_CSV) {
            unit_csv(&out, r, !strcmp(locale, "vi"));
            rc = 0;
        } else if (r) {
            par_clock clk;
            char now[40], today[11], py[16];
            clock_init(&clk, &e);
            clock_format(clock_now_ms(&clk), now);
            memcpy(today, now, 10); /* the date part of the ISO time */
            today[10] = '\0';
            snprintf(py, sizeof py, "%d", atoi(year) - 1);
            /* what the report draws on besides the result; it stands without any of them */
            pv *stasks = cli_ask(cl, "scorer", "tasks", args3("unit", unit, "today", today, NULL, NULL), REPORT_TIMEOUT_MS, &e);
            pv *ntasks = cli_ask(cl, "notifier", "tasks", args3("under", unit, NULL, NULL, NULL, NULL), REPORT_TIMEOUT_MS, &e);
            pv *years = cli_ask(cl, "scorer", "years", args3("index", index, "level", pv_get_text(r, "level"), "unit", unit),
                                REPORT_TIMEOUT_MS, &e);
            pv *peers = cli_ask(cl, "scorer", "scores", args3("index", index, "year", year, "level", pv_get_text(r, "level")),
                                REPORT_TIMEOUT_MS, &e);
            pv *prev = cli_ask(cl, "scorer", "result", args3("unit", unit, "index", index, "year", py), REPORT_TIMEOUT_MS, &e);
            pv *season = cli_ask(cl, "collector", "season",
                                 args3("index", index, "year", year, "level", pv_get_text(r, "level")), REPORT_TIMEOUT_MS, &e);
            pv *gaps = NULL;
            if (season && strcmp(pv_get_text(season, "phase"), "published"))
                gaps = cli_ask(cl, "collector", "appraise", args3("unit", unit, "index", index, "year", year),
                               REPORT_TIMEOUT_MS, &e);
            /* peers of the same parent only: the ranking the unit is ranked in */
            if (peers && peers->t == PV_ARR) {
                pv *same = pv_arr();
                for (uint32_t i = 0; i < peers->u.a.n; i++)
                    if (!strcmp(pv_get_text(peers->u.a.v[i], "parent"), pv_get_text(r, "parent"))) {
                        pv_push(same, peers->u.a.v[i]);
                        peers->u.a.v[i] = NULL;
                    }
                pv_free(peers);
                peers = same;
            }
            e.msg[0] = '\0';
            pv *tg = cli_ask(cl, "scorer", "gaps", args3("unit", unit, "index", index, "year", year), REPORT_TIMEOUT_MS, &e);
            unit_doc(d, r, years, peers, prev, season, ntasks, stasks, gaps,
                     tg && tg->t == PV_ARR && tg->u.a.n ? tg->u.a.v[0] : NULL, &o);
            pv_free(tg);
            snprintf(title, sizeof title, "Chỉ số %s năm %s – %s", index, year, pv_get_text(r, "name"));
            rc = render(d, (fmt)f, title, &out, &e);
            pv_free(stasks);
            pv_free(ntasks);
            pv_free(years);
            pv_free(peers);
            pv_free(prev);
            pv_free(season);
            pv_free(gaps);
        }
        pv_free(r);
    }
    if (rc)
        fprintf(stderr, "parctl: report: %s\n", e.msg);
    else
        fwrite(out.buf, 1, out.len, stdout);
    doc_destroy(&d);
    sbuf_free(&out);
    client_destroy(cl);
    return rc;
usage:
    fprintf(stderr, "usage: parctl report UNIT --index I --year Y [--format md|html|docx|xlsx|pdf|csv] [--csv-locale vi]\n"
                    "         [--number 'SỐ/BC-UBND'] [--date dd/mm/yyyy] [--place TEXT] [--to 'A;B;C'] [--signer 'A;B']\n"
                    "       parctl report --ranking --index I --year Y [--parent U] [--format ...] [--csv-locale vi]\n");
    return 2;
}
