#include "sheet.h"
#include "html.h"
#include "../common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

typedef struct {
    sheet_kind kind; /* SHEET_TEXT with off == SIZE_MAX: empty */
    double num;
    size_t off; /* text: where in t->text */
} tcell;

struct sheet {
    char *title;
    sheet_col *cols; /* copies, heads in heads */
    int ncols;
    sbuf heads;
    tcell *c;
    size_t n, cap;
    sbuf text;
};

sheet *sheet_new(const char *title, const sheet_col *cols, int ncols)
{
    sheet *t = xcalloc(1, sizeof *t);
    t->title = xstrdup(title ? title : "");
    t->ncols = ncols;
    t->cols = xcalloc((size_t)(ncols > 0 ? ncols : 1), sizeof *t->cols);
    sbuf_init(&t->text);
    sbuf_init(&t->heads);
    size_t *off = xcalloc((size_t)(ncols > 0 ? ncols : 1), sizeof *off);
    for (int k = 0; k < ncols; k++) {
        t->cols[k] = cols[k];
        off[k] = t->heads.len;
        const char *h = cols[k].head ? cols[k].head : "";
        sbuf_add(&t->heads, h, strlen(h) + 1);
    }
    for (int k = 0; k < ncols; k++) /* the buffer has stopped moving */
        t->cols[k].head = t->heads.buf + off[k];
    free(off);
    return t;
}

void sheet_destroy(sheet **tp)
{
    sheet *t = *tp;
    if (!t)
        return;
    free(t->title);
    free(t->c);
    free(t->cols);
    sbuf_free(&t->text);
    sbuf_free(&t->heads);
    free(t);
    *tp = NULL;
}

static tcell *next(sheet *t)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->c = xrealloc(t->c, t->cap * sizeof *t->c);
    }
    tcell *c = &t->c[t->n++];
    c->kind = SHEET_TEXT;
    c->num = 0;
    c->off = SIZE_MAX;
    return c;
}

void sheet_text(sheet *t, const char *v)
{
    tcell *c = next(t);
    c->off = t->text.len;
    sbuf_add(&t->text, v ? v : "", strlen(v ? v : "") + 1);
}

void sheet_num(sheet *t, double v)
{
    tcell *c = next(t);
    c->kind = SHEET_NUM;
    c->num = v;
}

void sheet_date(sheet *t, const char *iso)
{
    int y, m, d;
    if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3) {
        next(t);
        return;
    }
    tcell *c = next(t);
    c->kind = SHEET_DATE;
    c->num = y * 10000 + m * 100 + d;
}

void sheet_empty(sheet *t)
{
    next(t);
}

size_t sheet_rows(const sheet *t)
{
    return t->ncols ? (t->n + (size_t)t->ncols - 1) / (size_t)t->ncols : 0;
}

/* A CSV cell: quoted when needed, and what Excel would take for a formula kept as text. */
static void csv_text(sbuf *b, const char *v)
{
    int quote = strpbrk(v, ";\"\r\n") != NULL;
    if (quote)
        sbuf_add(b, "\"", 1);
    if (*v == '=' || *v == '+' || *v == '-' || *v == '@')
        sbuf_add(b, "'", 1);
    for (; *v; v++) {
        if (*v == '"')
            sbuf_add(b, "\"", 1);
        sbuf_add(b, v, 1);
    }
    if (quote)
        sbuf_add(b, "\"", 1);
}

void sheet_csv(const sheet *t, sbuf *b)
{
    sbuf_puts(b, "\xef\xbb\xbf");
    for (int k = 0; k < t->ncols; k++) {
        if (k)
            sbuf_puts(b, ";");
        csv_text(b, t->cols[k].head);
    }
    sbuf_puts(b, "\r\n");
    for (size_t i = 0; i < t->n; i++) {
        const tcell *c = &t->c[i];
        int col = (int)(i % (size_t)t->ncols);
        if (col)
            sbuf_puts(b, ";");
        char n[32];
        if (c->kind == SHEET_NUM) {
            sbuf_puts(b, html_num(n, c->num, t->cols[col].decimals, t->cols[col].sign));
        } else if (c->kind == SHEET_DATE) {
            long v = (long)c->num;
            sbuf_printf(b, "%02ld/%02ld/%04ld", v % 100, v / 100 % 100, v / 10000);
        } else if (c->off != SIZE_MAX) {
            csv_text(b, t->text.buf + c->off);
        }
        if (col == t->ncols - 1 || i + 1 == t->n)
            sbuf_puts(b, "\r\n");
    }
}

int sheet_xlsx(const sheet *t, const char *sheet, const char *tmpdir, sbuf *out, par_err *e)
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
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, sheet) : NULL;
    if (!ws) {
        if (wb)
            workbook_close(wb);
        unlink(path);
        err_set(e, "cannot start a workbook");
        return -1;
    }
    lxw_format *bold = workbook_add_format(wb), *date = workbook_add_format(wb), *wrap = workbook_add_format(wb);
    lxw_format *title = workbook_add_format(wb); /* not wrapped: it runs on over the empty cells beside it */
    format_set_bold(title);
    format_set_bold(bold);
    format_set_text_wrap(bold);
    format_set_num_format(date, "dd/mm/yyyy");
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
    lxw_format *num[2][4];
    static const char *const fmt[2][4] = {
        {"#,##0", "#,##0.0", "#,##0.00", "#,##0.000"},
        {"+#,##0;-#,##0;0", "+#,##0.0;-#,##0.0;0", "+#,##0.00;-#,##0.00;0", "+#,##0.000;-#,##0.000;0"}};
    for (int g = 0; g < 2; g++)
        for (int d = 0; d < 4; d++) {
            num[g][d] = workbook_add_format(wb);
            format_set_num_format(num[g][d], fmt[g][d]);
        }
    worksheet_write_string(ws, 0, 0, t->title, title);
    for (int k = 0; k < t->ncols; k++) {
        worksheet_write_string(ws, 2, (lxw_col_t)k, t->cols[k].head, bold);
        worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, t->cols[k].width > 0 ? t->cols[k].width : 12,
                             t->cols[k].width >= 30 ? wrap : NULL);
    }
    worksheet_freeze_panes(ws, 3, 0);
    for (size_t i = 0; i < t->n; i++) {
        const tcell *c = &t->c[i];
        int col = (int)(i % (size_t)t->ncols);
        lxw_row_t row = (lxw_row_t)(3 + i / (size_t)t->ncols);
        int d = t->cols[col].decimals;
        if (c->kind == SHEET_NUM) {
            worksheet_write_number(ws, row, (lxw_col_t)col, c->num,
                                   num[!!t->cols[col].sign][d < 0 ? 0 : d > 3 ? 3 : d]);
        } else if (c->kind == SHEET_DATE) {
            long v = (long)c->num;
            lxw_datetime dt = {(int)(v / 10000), (int)(v / 100 % 100), (int)(v % 100), 0, 0, 0};
            worksheet_write_datetime(ws, row, (lxw_col_t)col, &dt, date);
        } else if (c->off != SIZE_MAX) {
            worksheet_write_string(ws, row, (lxw_col_t)col, t->text.buf + c->off,
                                   t->cols[col].width >= 30 ? wrap : NULL);
        }
    }
    if (t->n)
        worksheet_autofilter(ws, 2, 0, (lxw_row_t)(2 + sheet_rows(t)), (lxw_col_t)(t->ncols - 1));
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
