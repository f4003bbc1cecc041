/* doc: a report as a sequence of blocks (headings, paragraphs, tables), built once and
 * written as Markdown, HTML, Word (.docx, an Office Open XML package zipped by libzip)
 * or Excel (.xlsx, libxlsxwriter). The document copies every text it is given. */
#ifndef PAR_CLI_DOC_H
#define PAR_CLI_DOC_H

#include "../proto/proto.h"

enum {
    DOC_BOLD = 1,
    DOC_ITALIC = 2,
    DOC_CENTER = 4,
    DOC_RIGHT = 8,
    DOC_BORDER = 16, /* tables: ruled (the heading block at the top is not) */
    DOC_NUMBER = 32, /* cells: a number (written as one in .xlsx) */
    DOC_UPPER = 64,  /* headings and centred lines: in capitals */
};

typedef struct doc doc;

doc *doc_new(void);
void doc_destroy(doc **d);

void doc_title(doc *d, const char *text);
/* A centred line (DOC_BOLD, DOC_ITALIC, DOC_UPPER). */
void doc_center(doc *d, const char *text, int flags);
/* Headings 1..3 (a report's I., 1., 2.1.). */
void doc_heading(doc *d, int level, const char *text);
/* A paragraph; lead (may be NULL) is set in bold before the text. */
void doc_para(doc *d, const char *lead, const char *text);
void doc_bullet(doc *d, const char *lead, const char *text);
/* A table of ncols columns; its first row is the header when flags has DOC_BORDER.
 * Cells follow row by row. */
void doc_table(doc *d, int ncols, int flags);
void doc_cell(doc *d, const char *text, int flags);
/* A number cell shown as text (its Vietnamese form) and kept as the number for .xlsx. */
void doc_cell_num(doc *d, const char *text, double v, int flags);
/* An inline SVG figure: HTML only (the other formats have its table). */
void doc_svg(doc *d, const char *svg);

void doc_md(const doc *d, sbuf *out);
/* A self-contained page: title in <title>, css in <style>. */
void doc_html(const doc *d, const char *title, const char *css, sbuf *out);
/* The .docx bytes; tmpdir holds the package while it is zipped. 0, or -1 with e. */
int doc_docx(const doc *d, const char *tmpdir, sbuf *out, par_err *e);
int doc_xlsx(const doc *d, const char *tmpdir, sbuf *out, par_err *e);

/* Vietnamese capitals of UTF-8 text (Huyện Tam Đường -> HUYỆN TAM ĐƯỜNG), into out. */
void doc_upper(const char *s, sbuf *out);

#endif
