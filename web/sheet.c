#include "sheet.h"
#include "../common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

static double num(const pv *m, const char *k)
{
    const pv *v = m ? pv_get(m, k) : NULL;
    return !v ? 0 : v->t == PV_FLOAT ? v->u.f : v->t == PV_INT ? (double)v->u.i : 0;
}

static const char *str(const pv *m, const char *k)
{
    const char *s = m ? pv_get_str(m, k) : NULL;
    return s ? s : "";
}

int sheet_ranking(const pv *ranking, const char *title, const char *tmpdir, sbuf *out, par_err *e)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/par-web-XXXXXX", tmpdir);
    int fd = mkstemp(path);
    if (fd < 0) {
        err_set(e, "cannot make a file in %s", tmpdir);
        return -1;
    }
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = (char *)tmpdir};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, "Xếp hạng") : NULL;
    if (!ws) {
        unlink(path);
        err_set(e, "cannot start a workbook");
        return -1;
    }
    lxw_format *bold = workbook_add_format(wb), *dec = workbook_add_format(wb);
    format_set_bold(bold);
    format_set_num_format(dec, "#,##0.00");
    worksheet_write_string(ws, 0, 0, title, bold);
    const pv *first = ranking && ranking->t == PV_ARR && ranking->u.a.n ? ranking->u.a.v[0] : NULL;
    const pv *areas = first ? pv_get(first, "components") : NULL;
    static const char *const head[] = {"Hạng", "Mã đơn vị", "Đơn vị", "Tổng điểm", "Tối đa", "Năm trước", "Thay đổi"};
    for (int c = 0; c < 7; c++)
        worksheet_write_string(ws, 2, (lxw_col_t)c, head[c], bold);
    for (uint32_t k = 0; areas && k < areas->u.a.n; k++) {
        char h[64];
        snprintf(h, sizeof h, "Lĩnh vực %s", str(areas->u.a.v[k], "id"));
        worksheet_write_string(ws, 2, (lxw_col_t)(7 + k), h, bold);
    }
    worksheet_set_column(ws, 0, 1, 10, NULL);
    worksheet_set_column(ws, 2, 2, 28, NULL);
    worksheet_set_column(ws, 3, 30, 11, NULL);
    for (uint32_t i = 0; ranking && ranking->t == PV_ARR && i < ranking->u.a.n; i++) {
        const pv *r = ranking->u.a.v[i], *comps = pv_get(r, "components");
        lxw_row_t row = (lxw_row_t)(3 + i);
        char rank[32];
        snprintf(rank, sizeof rank, "%lld/%lld", (long long)pv_get_int(r, "rank", 0), (long long)pv_get_int(r, "of", 0));
        worksheet_write_string(ws, row, 0, rank, NULL);
        worksheet_write_string(ws, row, 1, str(r, "unit"), NULL);
        worksheet_write_string(ws, row, 2, str(r, "name"), NULL);
        worksheet_write_number(ws, row, 3, num(r, "total"), dec);
        worksheet_write_number(ws, row, 4, num(r, "max"), dec);
        if (pv_get(r, "prev_total")) {
            worksheet_write_number(ws, row, 5, num(r, "prev_total"), dec);
            worksheet_write_number(ws, row, 6, num(r, "total") - num(r, "prev_total"), dec);
        }
        for (uint32_t k = 0; comps && k < comps->u.a.n; k++)
            worksheet_write_number(ws, row, (lxw_col_t)(7 + k), num(comps->u.a.v[k], "score"), dec);
    }
    lxw_error rc = workbook_close(wb);
    char *buf = NULL;
    size_t len = 0;
    int ok = rc == LXW_NO_ERROR && file_read(path, &buf, &len, e) == 0;
    unlink(path);
    if (!ok) {
        if (!e->msg[0])
            err_set(e, "the workbook could not be written: %s", lxw_strerror(rc));
        return -1;
    }
    out->len = 0;
    sbuf_add(out, buf, len);
    free(buf);
    return 0;
}
