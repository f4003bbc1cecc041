#include "doc.h"
#include "grid.h"
#include "../common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

enum { B_TITLE, B_CENTER, B_HEAD, B_PARA, B_BULLET, B_TABLE, B_SVG };

typedef struct {
    size_t text; /* offset in the arena; SIZE_MAX: none */
    double num;
    int flags;
} dcell;

typedef struct {
    int kind, level, flags, ncols;
    size_t text, lead;  /* offsets; SIZE_MAX: none */
    size_t cell0, ncell; /* tables: their cells in d->cells */
} dblock;

struct doc {
    dblock *b;
    size_t nb, capb;
    dcell *cells;
    size_t nc, capc;
    sbuf arena;
};

doc *doc_new(void)
{
    doc *d = xcalloc(1, sizeof *d);
    sbuf_init(&d->arena);
    return d;
}

void doc_destroy(doc **dp)
{
    doc *d = *dp;
    if (!d)
        return;
    free(d->b);
    free(d->cells);
    sbuf_free(&d->arena);
    free(d);
    *dp = NULL;
}

static size_t keep(doc *d, const char *s)
{
    if (!s)
        return SIZE_MAX;
    size_t at = d->arena.len;
    sbuf_add(&d->arena, s, strlen(s) + 1);
    return at;
}

static const char *at(const doc *d, size_t off)
{
    return off == SIZE_MAX ? "" : d->arena.buf + off;
}

static dblock *block(doc *d, int kind)
{
    if (d->nb == d->capb) {
        d->capb = d->capb ? d->capb * 2 : 32;
        d->b = xrealloc(d->b, d->capb * sizeof *d->b);
    }
    dblock *b = &d->b[d->nb++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->text = b->lead = SIZE_MAX;
    return b;
}

void doc_title(doc *d, const char *text)
{
    block(d, B_TITLE)->text = keep(d, text);
}

void doc_center(doc *d, const char *text, int flags)
{
    dblock *b = block(d, B_CENTER);
    b->text = keep(d, text);
    b->flags = flags;
}

void doc_heading(doc *d, int level, const char *text)
{
    dblock *b = block(d, B_HEAD);
    b->level = level < 1 ? 1 : level > 3 ? 3 : level;
    b->text = keep(d, text);
}

void doc_para(doc *d, const char *lead, const char *text)
{
    size_t l = keep(d, lead), t = keep(d, text);
    dblock *b = block(d, B_PARA);
    b->lead = l, b->text = t;
}

void doc_bullet(doc *d, const char *lead, const char *text)
{
    size_t l = keep(d, lead), t = keep(d, text);
    dblock *b = block(d, B_BULLET);
    b->lead = l, b->text = t;
}

void doc_table(doc *d, int ncols, int flags)
{
    dblock *b = block(d, B_TABLE);
    b->ncols = ncols > 0 ? ncols : 1;
    b->flags = flags;
    b->cell0 = d->nc;
}

void doc_cell_num(doc *d, const char *text, double v, int flags)
{
    size_t t = keep(d, text);
    if (!d->nb || d->b[d->nb - 1].kind != B_TABLE)
        doc_table(d, 1, 0);
    if (d->nc == d->capc) {
        d->capc = d->capc ? d->capc * 2 : 64;
        d->cells = xrealloc(d->cells, d->capc * sizeof *d->cells);
    }
    d->cells[d->nc++] = (dcell){t, v, flags};
    d->b[d->nb - 1].ncell++;
}

void doc_cell(doc *d, const char *text, int flags)
{
    doc_cell_num(d, text, 0, flags & ~DOC_NUMBER);
}

void doc_svg(doc *d, const char *svg)
{
    block(d, B_SVG)->text = keep(d, svg);
}

/* ---------- capitals ---------- */

static uint32_t upper_cp(uint32_t c)
{
    if (c >= 'a' && c <= 'z')
        return c - 32;
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
        return c - 32;
    if (c == 0x111)
        return 0x110; /* đ */
    if ((c >= 0x100 && c <= 0x17F && (c & 1)) && c != 0x131)
        return c - 1; /* ă, ĩ, ũ and the other pairs of Latin Extended-A */
    if (c == 0x1A1 || c == 0x1B0)
        return c == 0x1A1 ? 0x1A0 : 0x1AF; /* ơ, ư */
    if (c >= 0x1EA0 && c <= 0x1EF9 && (c & 1))
        return c - 1; /* Vietnamese letters with tone marks come in pairs */
    return c;
}

void doc_upper(const char *s, sbuf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t c;
        int n;
        if (*p < 0x80)
            c = *p, n = 1;
        else if ((*p & 0xE0) == 0xC0 && p[1])
            c = (uint32_t)(*p & 0x1F) << 6 | (p[1] & 0x3F), n = 2;
        else if ((*p & 0xF0) == 0xE0 && p[1] && p[2])
            c = (uint32_t)(*p & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F), n = 3;
        else { /* anything else is copied as it is */
            sbuf_add(out, p, 1);
            p++;
            continue;
        }
        c = upper_cp(c);
        char u[3];
        if (c < 0x80) {
            u[0] = (char)c;
            sbuf_add(out, u, 1);
        } else if (c < 0x800) {
            u[0] = (char)(0xC0 | c >> 6), u[1] = (char)(0x80 | (c & 0x3F));
            sbuf_add(out, u, 2);
        } else {
            u[0] = (char)(0xE0 | c >> 12), u[1] = (char)(0x80 | (c >> 6 & 0x3F)), u[2] = (char)(0x80 | (c & 0x3F));
            sbuf_add(out, u, 3);
        }
        p += n;
    }
}

static const char *shown(const doc *d, size_t off, int flags, sbuf *tmp)
{
    if (!(flags & DOC_UPPER))
        return at(d, off);
    tmp->len = 0;
    doc_upper(at(d, off), tmp);
    sbuf_add(tmp, "", 1);
    return tmp->buf;
}

/* ---------- Markdown ---------- */

static void md_text(sbuf *b, const char *s, int in_table)
{
    for (; *s; s++) {
        if (in_table && *s == '|')
            sbuf_puts(b, "\\|");
        else if (in_table && *s == '\n')
            sbuf_puts(b, " ");
        else if (*s == '*' || *s == '_')
            sbuf_printf(b, "\\%c", *s);
        else
            sbuf_add(b, s, 1);
    }
}

void doc_md(const doc *d, sbuf *b)
{
    sbuf tmp;
    sbuf_init(&tmp);
    for (size_t i = 0; i < d->nb; i++) {
        const dblock *x = &d->b[i];
        switch (x->kind) {
        case B_TITLE:
            sbuf_puts(b, "# ");
            md_text(b, at(d, x->text), 0);
            sbuf_puts(b, "\n\n");
            break;
        case B_CENTER:
            sbuf_puts(b, x->flags & DOC_BOLD ? "**" : x->flags & DOC_ITALIC ? "*" : "");
            md_text(b, shown(d, x->text, x->flags, &tmp), 0);
            sbuf_puts(b, x->flags & DOC_BOLD ? "**\n\n" : x->flags & DOC_ITALIC ? "*\n\n" : "\n\n");
            break;
        case B_HEAD:
            sbuf_printf(b, "%.*s ", x->level + 1, "####");
            md_text(b, at(d, x->text), 0);
            sbuf_puts(b, "\n\n");
            break;
        case B_PARA:
        case B_BULLET:
            if (x->kind == B_BULLET)
                sbuf_puts(b, "- ");
            if (x->lead != SIZE_MAX) {
                sbuf_puts(b, "**");
                md_text(b, at(d, x->lead), 0);
                sbuf_puts(b, "** ");
            }
            md_text(b, at(d, x->text), 0);
            sbuf_puts(b, x->kind == B_BULLET && i + 1 < d->nb && d->b[i + 1].kind == B_BULLET ? "\n" : "\n\n");
            break;
        case B_TABLE:
            for (size_t k = 0; k < x->ncell; k++) {
                const dcell *c = &d->cells[x->cell0 + k];
                int col = (int)(k % (size_t)x->ncols);
                sbuf_puts(b, col ? " " : "| ");
                md_text(b, at(d, c->text), 1);
                sbuf_puts(b, " |");
                if (col == x->ncols - 1) {
                    sbuf_puts(b, "\n");
                    if (k + 1 == (size_t)x->ncols) { /* Markdown wants a header row: the first is it */
                        for (int j = 0; j < x->ncols; j++)
                            sbuf_puts(b, j ? "---|" : "|---|");
                        sbuf_puts(b, "\n");
                    }
                }
            }
            sbuf_puts(b, "\n");
            break;
        default:
            break;
        }
    }
    sbuf_free(&tmp);
}

/* ---------- HTML ---------- */

/* Text for HTML and XML: markup escaped, control characters (not XML) left out. */
static void xml_text(sbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': sbuf_puts(b, "&lt;"); break;
        case '>': sbuf_puts(b, "&gt;"); break;
        case '&': sbuf_puts(b, "&amp;"); break;
        case '"': sbuf_puts(b, "&quot;"); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t')
                sbuf_add(b, s, 1); /* control characters are not XML */
        }
    }
}


static const char *html_class(int flags)
{
    return flags & DOC_CENTER ? " class=\"c\"" : flags & (DOC_RIGHT | DOC_NUMBER) ? " class=\"n\"" : "";
}

void doc_html(const doc *d, const char *title, const char *css, sbuf *b)
{
    sbuf tmp;
    sbuf_init(&tmp);
    sbuf_puts(b, "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>");
    xml_text(b, title);
    sbuf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
    int in_list = 0;
    for (size_t i = 0; i < d->nb; i++) {
        const dblock *x = &d->b[i];
        if (in_list && x->kind != B_BULLET) {
            sbuf_puts(b, "</ul>\n");
            in_list = 0;
        }
        switch (x->kind) {
        case B_TITLE:
            sbuf_puts(b, "<h1>");
            xml_text(b, at(d, x->text));
            sbuf_puts(b, "</h1>\n");
            break;
        case B_CENTER:
            sbuf_printf(b, "<p class=\"c%s%s\">", x->flags & DOC_BOLD ? " b" : "", x->flags & DOC_ITALIC ? " i" : "");
            xml_text(b, shown(d, x->text, x->flags, &tmp));
            sbuf_puts(b, "</p>\n");
            break;
        case B_HEAD:
            sbuf_printf(b, "<h%d>", x->level + 1);
            xml_text(b, at(d, x->text));
            sbuf_printf(b, "</h%d>\n", x->level + 1);
            break;
        case B_PARA:
        case B_BULLET:
            if (x->kind == B_BULLET && !in_list) {
                sbuf_puts(b, "<ul>\n");
                in_list = 1;
            }
            sbuf_puts(b, x->kind == B_BULLET ? "<li>" : "<p>");
            if (x->lead != SIZE_MAX) {
                sbuf_puts(b, "<strong>");
                xml_text(b, at(d, x->lead));
                sbuf_puts(b, "</strong> ");
            }
            xml_text(b, at(d, x->text));
            sbuf_puts(b, x->kind == B_BULLET ? "</li>\n" : "</p>\n");
            break;
        case B_TABLE: {
            int ruled = x->flags & DOC_BORDER;
            sbuf_printf(b, "<table%s>\n", ruled ? "" : " class=\"plain\"");
            for (size_t k = 0; k < x->ncell; k++) {
                const dcell *c = &d->cells[x->cell0 + k];
                int col = (int)(k % (size_t)x->ncols), head = ruled && k < (size_t)x->ncols;
                if (!col)
                    sbuf_puts(b, "<tr>");
                sbuf_printf(b, "<%s%s>", head ? "th" : "td", html_class(c->flags));
                if (c->flags & DOC_BOLD && !head)
                    sbuf_puts(b, "<strong>");
                xml_text(b, shown(d, c->text, c->flags, &tmp));
                if (c->flags & DOC_BOLD && !head)
                    sbuf_puts(b, "</strong>");
                sbuf_printf(b, "</%s>", head ? "th" : "td");
                if (col == x->ncols - 1 || k + 1 == x->ncell)
                    sbuf_puts(b, "</tr>\n");
            }
            sbuf_puts(b, "</table>\n");
            break;
        }
        case B_SVG:
            sbuf_puts(b, at(d, x->text));
            break;
        }
    }
    if (in_list)
        sbuf_puts(b, "</ul>\n");
    sbuf_puts(b, "</body>\n</html>\n");
    sbuf_free(&tmp);
}

/* ---------- Word ---------- */

static void w_run(sbuf *b, const char *text, int flags, int size_half_pt)
{
    sbuf_puts(b, "<w:r>");
    if (flags & (DOC_BOLD | DOC_ITALIC | DOC_UPPER) || size_half_pt)
        sbuf_printf(b, "<w:rPr>%s%s%s", flags & DOC_BOLD ? "<w:b/>" : "", flags & DOC_ITALIC ? "<w:i/>" : "",
                    flags & DOC_UPPER ? "<w:caps/>" : "");
    if (size_half_pt)
        sbuf_printf(b, "<w:sz w:val=\"%d\"/>", size_half_pt);
    if (flags & (DOC_BOLD | DOC_ITALIC | DOC_UPPER) || size_half_pt)
        sbuf_puts(b, "</w:rPr>");
    sbuf_puts(b, "<w:t xml:space=\"preserve\">");
    xml_text(b, text);
    sbuf_puts(b, "</w:t></w:r>");
}

static void w_para(sbuf *b, const char *style, int align, const char *lead, const char *text, int flags, int size)
{
    sbuf_puts(b, "<w:p>");
    if (style || align)
        sbuf_printf(b, "<w:pPr>%s%s%s%s</w:pPr>", style ? "<w:pStyle w:val=\"" : "", style ? style : "",
                    style ? "\"/>" : "",
                    align == DOC_CENTER ? "<w:jc w:val=\"center\"/>" : align == DOC_RIGHT ? "<w:jc w:val=\"right\"/>" : "");
    if (lead)
        w_run(b, lead, DOC_BOLD, 0), w_run(b, " ", 0, 0);
    w_run(b, text, flags, size);
    sbuf_puts(b, "</w:p>");
}

static void docx_body(const doc *d, sbuf *b)
{
    sbuf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                 "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>");
    for (size_t i = 0; i < d->nb; i++) {
        const dblock *x = &d->b[i];
        switch (x->kind) {
        case B_TITLE:
            w_para(b, "Title", DOC_CENTER, NULL, at(d, x->text), DOC_BOLD, 0);
            break;
        case B_CENTER:
            w_para(b, NULL, DOC_CENTER, NULL, at(d, x->text), x->flags, 0);
            break;
        case B_HEAD: {
            char st[16];
            snprintf(st, sizeof st, "Heading%d", x->level);
            w_para(b, st, 0, NULL, at(d, x->text), 0, 0);
            break;
        }
        case B_PARA:
            w_para(b, NULL, 0, x->lead == SIZE_MAX ? NULL : at(d, x->lead), at(d, x->text), 0, 0);
            break;
        case B_BULLET: { /* a dash before the item, as administrative documents list */
            sbuf t;
            sbuf_init(&t);
            if (x->lead == SIZE_MAX)
                sbuf_printf(&t, "- %s", at(d, x->text));
            else
                sbuf_printf(&t, "- %s", at(d, x->lead));
            w_para(b, "ListParagraph", 0, x->lead == SIZE_MAX ? NULL : t.buf, x->lead == SIZE_MAX ? t.buf : at(d, x->text),
                   0, 0);
            sbuf_free(&t);
            break;
        }
        case B_TABLE: {
            int ruled = x->flags & DOC_BORDER, w[16];
            /* columns as wide as their longest text asks (within bounds): STT narrow, names wide */
            double want[16] = {0}, sum = 0;
            for (size_t k = 0; k < x->ncell; k++) {
                int col = (int)(k % (size_t)x->ncols);
                double chars = grid_width(at(d, d->cells[x->cell0 + k].text));
                if (col < 16 && chars > want[col])
                    want[col] = chars;
            }
            for (int c = 0; c < x->ncols && c < 16; c++) {
                want[c] = !ruled ? (c ? 6 : 4) : want[c] + 3 < 9 ? 9 : want[c] + 3 > 40 ? 40 : want[c] + 3; /* padding, bold */
                sum += want[c];
            }
            for (int c = 0; c < x->ncols && c < 16; c++)
                w[c] = (int)(9000 * want[c] / (sum > 0 ? sum : 1));
            sbuf_puts(b, "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/>");
            if (ruled)
                sbuf_puts(b, "<w:tblBorders><w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/>"
                             "<w:bottom w:val=\"single\" w:sz=\"4\"/><w:right w:val=\"single\" w:sz=\"4\"/>"
                             "<w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/>"
                             "</w:tblBorders>");
            sbuf_puts(b, "</w:tblPr><w:tblGrid>");
            for (int c = 0; c < x->ncols; c++)
                sbuf_printf(b, "<w:gridCol w:w=\"%d\"/>", c < 16 ? w[c] : 600);
            sbuf_puts(b, "</w:tblGrid>");
            size_t rows = (x->ncell + (size_t)x->ncols - 1) / (size_t)x->ncols;
            for (size_t r = 0; r < rows; r++) {
                sbuf_puts(b, "<w:tr>");
                for (int c = 0; c < x->ncols; c++) {
                    size_t k = r * (size_t)x->ncols + (size_t)c;
                    const dcell *cl = k < x->ncell ? &d->cells[x->cell0 + k] : NULL;
                    int fl = cl ? cl->flags : 0;
                    if (ruled && r == 0)
                        fl |= DOC_BOLD | DOC_CENTER;
                    sbuf_printf(b, "<w:tc><w:tcPr><w:tcW w:w=\"%d\" w:type=\"dxa\"/></w:tcPr>", c < 16 ? w[c] : 600);
                    w_para(b, "Cell", fl & DOC_CENTER ? DOC_CENTER : fl & (DOC_RIGHT | DOC_NUMBER) ? DOC_RIGHT : 0,
                           NULL, cl ? at(d, cl->text) : "", fl & (DOC_BOLD | DOC_ITALIC | DOC_UPPER), 0);
                    sbuf_puts(b, "</w:tc>");
                }
                sbuf_puts(b, "</w:tr>");
            }
            sbuf_puts(b, "</w:tbl><w:p/>");
            break;
        }
        default:
            break;
        }
    }
    /* A4, margins as administrative documents have them (Decree 30/2020: 2-2.5 cm, 3-3.5 cm left) */
    sbuf_puts(b, "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1134\" w:right=\"1134\" "
                 "w:bottom=\"1134\" w:left=\"1701\" w:header=\"709\" w:footer=\"709\" w:gutter=\"0\"/></w:sectPr>"
                 "</w:body></w:document>\n");
}

static const char *const docx_types =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/word/document.xml\" "
    "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
    "<Override PartName=\"/word/styles.xml\" "
    "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
    "</Types>\n";

static const char *const docx_rels =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
    "Target=\"word/document.xml\"/></Relationships>\n";

static const char *const docx_doc_rels =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
    "Target=\"styles.xml\"/></Relationships>\n";

/* Times New Roman 13 pt, as administrative documents are written (Decree 30/2020). */
static const char *const docx_styles =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" "
    "w:cs=\"Times New Roman\"/><w:sz w:val=\"26\"/><w:lang w:val=\"vi-VN\"/></w:rPr></w:rPrDefault>"
    "<w:pPrDefault><w:pPr><w:spacing w:after=\"120\" w:line=\"276\" w:lineRule=\"auto\"/><w:jc w:val=\"both\"/>"
    "</w:pPr></w:pPrDefault></w:docDefaults>"
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/>"
    "<w:pPr><w:jc w:val=\"center\"/><w:spacing w:before=\"240\"/></w:pPr><w:rPr><w:b/><w:sz w:val=\"28\"/></w:rPr>"
    "</w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:basedOn w:val=\"Normal\"/>"
    "<w:pPr><w:keepNext/><w:spacing w:before=\"240\"/><w:outlineLvl w:val=\"0\"/></w:pPr><w:rPr><w:b/></w:rPr>"
    "</w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/><w:basedOn w:val=\"Normal\"/>"
    "<w:pPr><w:keepNext/><w:spacing w:before=\"120\"/><w:outlineLvl w:val=\"1\"/></w:pPr><w:rPr><w:b/></w:rPr>"
    "</w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading3\"><w:name w:val=\"heading 3\"/><w:basedOn w:val=\"Normal\"/>"
    "<w:pPr><w:keepNext/><w:outlineLvl w:val=\"2\"/></w:pPr><w:rPr><w:b/><w:i/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"ListParagraph\"><w:name w:val=\"List Paragraph\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:pPr><w:ind w:left=\"284\"/></w:pPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Cell\"><w:name w:val=\"Table Cell\"/><w:basedOn w:val=\"Normal\"/>"
    "<w:pPr><w:spacing w:after=\"0\"/><w:jc w:val=\"left\"/></w:pPr><w:rPr><w:sz w:val=\"24\"/></w:rPr></w:style>"
    "</w:styles>\n";

/* A file made in tmpdir and read back whole into out: libzip and libxlsxwriter write files. */
static int temp_path(const char *tmpdir, char *path, size_t n, par_err *e)
{
    snprintf(path, n, "%s/parctl-doc-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        err_set(e, "cannot make a temporary file in %s", tmpdir);
        return -1;
    }
    close(fd);
    return 0;
}

static int read_back(const char *path, sbuf *out, par_err *e)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = file_read(path, &buf, &len, e);
    unlink(path);
    if (rc < 0)
        return -1;
    out->len = 0;
    sbuf_add(out, buf, len);
    free(buf);
    return 0;
}

int doc_docx(const doc *d, const char *tmpdir, sbuf *out, par_err *e)
{
    char path[1024];
    if (temp_path(tmpdir, path, sizeof path, e) < 0)
        return -1;
    sbuf body;
    sbuf_init(&body);
    docx_body(d, &body);
    int zerr = 0, rc = -1;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!z) {
        err_set(e, "cannot start the .docx package (libzip error %d)", zerr);
        goto fail;
    }
    const struct {
        const char *name;
        const char *data;
        size_t len;
    } parts[] = {{"[Content_Types].xml", docx_types, strlen(docx_types)},
                 {"_rels/.rels", docx_rels, strlen(docx_rels)},
                 {"word/_rels/document.xml.rels", docx_doc_rels, strlen(docx_doc_rels)},
                 {"word/styles.xml", docx_styles, strlen(docx_styles)},
                 {"word/document.xml", body.buf, body.len}};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        zip_source_t *src = zip_source_buffer(z, parts[i].data, parts[i].len, 0);
        if (!src || zip_file_add(z, parts[i].name, src, ZIP_FL_ENC_UTF_8) < 0) {
            if (src)
                zip_source_free(src);
            err_set(e, "cannot add %s to the .docx package: %s", parts[i].name, zip_strerror(z));
            zip_discard(z);
            goto fail;
        }
    }
    if (zip_close(z) < 0) {
        err_set(e, "cannot write the .docx package: %s", zip_strerror(z));
        zip_discard(z);
        goto fail;
    }
    rc = read_back(path, out, e);
    path[0] = '\0';
fail:
    if (path[0])
        unlink(path);
    sbuf_free(&body);
    return rc;
}

/* ---------- Excel ---------- */

int doc_xlsx(const doc *d, const char *tmpdir, sbuf *out, par_err *e)
{
    char path[1024];
    if (temp_path(tmpdir, path, sizeof path, e) < 0)
        return -1;
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = (char *)(tmpdir && *tmpdir ? tmpdir : "/tmp")};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, "Báo cáo") : NULL;
    if (!ws) {
        if (wb)
            workbook_close(wb);
        unlink(path);
        err_set(e, "cannot start a workbook");
        return -1;
    }
    lxw_format *bold = workbook_add_format(wb), *wrap = workbook_add_format(wb), *head = workbook_add_format(wb),
               *cell = workbook_add_format(wb), *num = workbook_add_format(wb), *title = workbook_add_format(wb),
               *italic = workbook_add_format(wb), *plain = workbook_add_format(wb);
    lxw_format *hbold = workbook_add_format(wb), *cbold = workbook_add_format(wb);
    format_set_bold(cbold);
    format_set_align(cbold, LXW_ALIGN_CENTER);
    format_set_align(cbold, LXW_ALIGN_VERTICAL_CENTER);
    format_set_text_wrap(cbold);
    format_set_align(title, LXW_ALIGN_CENTER);
    format_set_bold(hbold);
    format_set_italic(italic);
    format_set_align(italic, LXW_ALIGN_CENTER);
    format_set_align(plain, LXW_ALIGN_CENTER);
    format_set_bold(bold);
    format_set_align(bold, LXW_ALIGN_CENTER);
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
    format_set_bold(head);
    format_set_border(head, LXW_BORDER_THIN);
    format_set_text_wrap(head);
    format_set_align(head, LXW_ALIGN_CENTER);
    format_set_border(cell, LXW_BORDER_THIN);
    format_set_text_wrap(cell);
    format_set_align(cell, LXW_ALIGN_VERTICAL_TOP);
    format_set_border(num, LXW_BORDER_THIN);
    format_set_num_format(num, "#,##0.00");
    format_set_align(num, LXW_ALIGN_VERTICAL_TOP); /* on the line of the criterion's name */
    format_set_bold(title);
    format_set_font_size(title, 14);
    worksheet_set_column(ws, 0, 0, 8, NULL);
    worksheet_set_column(ws, 1, 1, 48, NULL);
    worksheet_set_column(ws, 2, 9, 14, NULL);
    lxw_row_t row = 0;
    sbuf tmp;
    sbuf_init(&tmp);
    for (size_t i = 0; i < d->nb; i++) {
        const dblock *x = &d->b[i];
        if (x->kind == B_SVG)
            continue;
        if (x->kind != B_TABLE) {
            sbuf t;
            sbuf_init(&t);
            if (x->kind == B_BULLET)
                sbuf_puts(&t, "- ");
            if (x->lead != SIZE_MAX)
                sbuf_printf(&t, "%s ", at(d, x->lead));
            sbuf_puts(&t, shown(d, x->text, x->flags, &tmp));
            lxw_format *f = x->kind == B_TITLE ? title : x->kind == B_HEAD ? hbold : (x->flags & DOC_BOLD) ? bold : wrap;
            /* a paragraph spans the sheet's printed width, wrapped */
            if (x->kind == B_PARA || x->kind == B_BULLET) {
                worksheet_merge_range(ws, row, 0, row, 5, t.buf, wrap);
                size_t chars = (size_t)grid_width(t.buf);
                worksheet_set_row(ws, row, 15.0 * (double)(1 + chars / 105), NULL);
            } else if (x->kind == B_TITLE || x->kind == B_CENTER) { /* centred across the page */
                size_t chars = (size_t)grid_width(t.buf);
                worksheet_merge_range(ws, row, 0, row, 5, t.buf, x->kind == B_TITLE ? title : x->flags & DOC_BOLD ? cbold
                                                                                     : x->flags & DOC_ITALIC ? italic : plain);
                /* a 14 pt title needs room above its capitals for the tone marks (BÁO CÁO) */
                worksheet_set_row(ws, row, x->kind == B_TITLE ? 24.0 : 16.0 * (double)(1 + chars / 95), NULL);
            } else {
                worksheet_write_string(ws, row, 0, t.buf, f);
            }
            sbuf_free(&t);
            row++;
            continue;
        }
        int ruled = x->flags & DOC_BORDER;
        if (!ruled && x->ncols == 2) { /* the heading and signature blocks: two halves of the page */
            for (size_t k = 0; k < x->ncell; k++) {
                const dcell *c = &d->cells[x->cell0 + k];
                lxw_row_t r = row + (lxw_row_t)(k / 2);
                lxw_col_t c0 = k % 2 ? 2 : 0, c1 = k % 2 ? 5 : 1;
                worksheet_merge_range(ws, r, c0, r, c1, shown(d, c->text, c->flags, &tmp),
                                      c->flags & DOC_BOLD ? bold : c->flags & DOC_ITALIC ? italic : plain);
            }
            row += (lxw_row_t)((x->ncell + 1) / 2) + 1;
            continue;
        }
        static const double widths[] = {8, 48, 14, 14, 14, 14, 14, 14, 14, 14};
        for (size_t k = 0; k < x->ncell; k++) {
            const dcell *c = &d->cells[x->cell0 + k];
            int col = (int)(k % (size_t)x->ncols);
            lxw_row_t r = row + (lxw_row_t)(k / (size_t)x->ncols);
            if (c->flags & DOC_NUMBER)
                worksheet_write_number(ws, r, (lxw_col_t)col, c->num, num);
            else
                worksheet_write_string(ws, r, (lxw_col_t)col, shown(d, c->text, c->flags, &tmp),
                                       !ruled ? (c->flags & DOC_BOLD ? bold : NULL) : k < (size_t)x->ncols ? head : cell);
            if (col == x->ncols - 1 || k + 1 == x->ncell) { /* the row as tall as its longest wrapped cell */
                size_t r0 = k - (size_t)col, lines = 1;
                for (size_t j = r0; j <= k; j++) {
                    const char *t = at(d, d->cells[x->cell0 + j].text);
                    double w = widths[(j - r0) < 10 ? (j - r0) : 9];
                    /* wrapped word by word as Excel and LibreOffice do ("Năm 2022 (điểm
                     * đạt/tối đa)" takes three lines of 13, not two); the header row is
                     * bold: wider letters */
                    size_t l = (size_t)grid_lines(t, (int)(w * (ruled && k < (size_t)x->ncols ? 0.85 : 0.95)));
                    lines = l > lines ? l : lines;
                }
                worksheet_set_row(ws, r, 15.0 * (double)lines, NULL);
            }
        }
        row += (lxw_row_t)((x->ncell + (size_t)x->ncols - 1) / (size_t)x->ncols) + 1;
    }
    sbuf_free(&tmp);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_fit_to_pages(ws, 1, 0);
    lxw_error rc = workbook_close(wb);
    if (rc != LXW_NO_ERROR) {
        unlink(path);
        err_set(e, "the workbook could not be written: %s", lxw_strerror(rc));
        return -1;
    }
    return read_back(path, out, e);
}
