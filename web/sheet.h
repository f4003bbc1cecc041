/* sheet: a table as officials download it, built once and written as .xlsx
 * (libxlsxwriter: numbers as numbers, dates as dates) or as CSV that Vietnamese Excel
 * opens as columns (BOM, ';', decimal comma, dd/mm/yyyy). Cells are added row by row,
 * left to right; the table copies every text it is given. */
#ifndef PAR_WEB_SHEET_H
#define PAR_WEB_SHEET_H

#include "../proto/proto.h"

typedef enum { SHEET_TEXT, SHEET_NUM, SHEET_DATE } sheet_kind;

typedef struct {
    const char *head; /* Vietnamese */
    sheet_kind kind;
    int decimals;     /* numbers */
    int sign;         /* numbers: a change, shown with its sign (+6,05) */
    double width;     /* the .xlsx column's width in characters */
} sheet_col;

typedef struct sheet sheet;

/* cols: ncols columns (copied). title: the sheet's first line. */
sheet *sheet_new(const char *title, const sheet_col *cols, int ncols);
void sheet_destroy(sheet **t);

void sheet_text(sheet *t, const char *v);
void sheet_num(sheet *t, double v);
/* iso: "YYYY-MM-DD"; anything else is an empty cell */
void sheet_date(sheet *t, const char *iso);
void sheet_empty(sheet *t);
/* Rows held. */
size_t sheet_rows(const sheet *t);

void sheet_csv(const sheet *t, sbuf *out);
/* The workbook in *out, made in tmpdir and read back. 0, or -1 with e. */
int sheet_xlsx(const sheet *t, const char *sheet, const char *tmpdir, sbuf *out, par_err *e);

#endif
