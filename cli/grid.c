#include "grid.h"
#include "../proto/base.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Combining marks (U+0300-U+036F): text typed on some keyboards writes "ế" as "e" and
 * two of them, which a terminal draws over the letter. */
static int is_combining(unsigned cp)
{
    return cp >= 0x300 && cp <= 0x36f;
}

/* The bytes of the character at p (at least 1, never past its end) and its columns. */
static size_t next_char(const char *p, int *cols)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t l = u[0] < 0x80 ? 1 : (u[0] & 0xe0) == 0xc0 ? 2 : (u[0] & 0xf0) == 0xe0 ? 3 : (u[0] & 0xf8) == 0xf0 ? 4 : 1;
    for (size_t k = 1; k < l; k++)
        if ((u[k] & 0xc0) != 0x80) /* a broken sequence counts as the byte it is */
            l = 1;
    unsigned cp = l == 1 ? u[0] : l == 2 ? (u[0] & 0x1fu) << 6 | (u[1] & 0x3fu)
                                : l == 3 ? (u[0] & 0x0fu) << 12 | (u[1] & 0x3fu) << 6 | (u[2] & 0x3fu)
                                         : 0x10000;
    *cols = is_combining(cp) ? 0 : 1;
    return l;
}

static int width_of(const char *p, size_t len)
{
    int w = 0, c;
    for (size_t i = 0; i < len;) {
        i += next_char(p + i, &c);
        w += c;
    }
    return w;
}

int grid_width(const char *text)
{
    return width_of(text, strlen(text));
}

int grid_term_width(void)
{
    const char *c = getenv("COLUMNS");
    char *end;
    long w = c ? strtol(c, &end, 10) : 0;
    return c && *c && !*end && w >= 40 && w <= 1000 ? (int)w : 100;
}

/* Appends to out the lines of text wrapped to width, each ended by '\n': at spaces
 * where it can, a word longer than the line broken at a character; its own line breaks
 * kept. Returns the number of lines. */
static int wrap(sbuf *out, const char *text, int width)
{
    int lines = 0;
    if (width < 1)
        width = 1;
    for (const char *para = text;;) {
        size_t plen = strcspn(para, "\n");
        int used = 0; /* columns on the current line; 0: nothing on it yet */
        for (size_t i = 0; i < plen;) {
            if (para[i] == ' ' || para[i] == '\t' || para[i] == '\r') {
                i++;
                continue;
            }
            size_t wl = 0;
            while (i + wl < plen && para[i + wl] != ' ' && para[i + wl] != '\t' && para[i + wl] != '\r')
                wl++;
            int w = width_of(para + i, wl);
            if (used && used + 1 + w <= width) {
                sbuf_add(out, " ", 1);
                sbuf_add(out, para + i, wl);
                used += 1 + w;
            } else {
                if (used) {
                    sbuf_add(out, "\n", 1);
                    lines++;
                    used = 0;
                }
                /* a word wider than the line: as much of it as fits, line after line */
                for (size_t k = 0; k < wl;) {
                    int c;
                    size_t cl = next_char(para + i + k, &c);
                    if (used + c > width && used) {
                        sbuf_add(out, "\n", 1);
                        lines++;
                        used = 0;
                    }
                    sbuf_add(out, para + i + k, cl);
                    used += c;
                    k += cl;
                }
            }
            i += wl;
        }
        sbuf_add(out, "\n", 1);
        lines++;
        if (!para[plen])
            break;
        para += plen + 1;
    }
    return lines;
}

int grid_lines(const char *text, int width)
{
    sbuf scratch;
    sbuf_init(&scratch);
    int n = wrap(&scratch, text, width);
    sbuf_free(&scratch);
    return n;
}

/* The widest line of text as wrap writes it when nothing is too long (white space made
 * one space) and its widest word. */
static void measure(const char *text, int *line, int *word)
{
    int l = 0, w = 0, c;
    *line = *word = 0;
    for (const char *p = text;;) {
        int end = !*p || *p == '\n', space = *p == ' ' || *p == '\t' || *p == '\r';
        if (!end && !space) {
            p += next_char(p, &c);
            w += c;
            continue;
        }
        if (w) {
            l += (l ? 1 : 0) + w;
            *word = w > *word ? w : *word;
            w = 0;
        }
        if (end) {
            *line = l > *line ? l : *line;
            l = 0;
            if (!*p)
                break;
        }
        p++;
    }
}

static int max_of(int a, int b)
{
    return a > b ? a : b;
}

void grid_fit(grid *g, const char *const *cells, size_t rows, int total)
{
    int *cell = xcalloc((size_t)g->n, sizeof *cell), *hword = xcalloc((size_t)g->n, sizeof *hword),
        *cword = xcalloc((size_t)g->n, sizeof *cword);
    int sum = g->gap * (g->n - 1);
    for (int i = 0; i < g->n; i++) {
        int line, word, hline;
        for (size_t r = 0; r < rows; r++) {
            const char *t = cells[r * (size_t)g->n + (size_t)i];
            measure(t ? t : "", &line, &word);
            cell[i] = max_of(line, cell[i]);
            cword[i] = max_of(word, cword[i]);
        }
        measure(g->col[i].head ? g->col[i].head : "", &hline, &hword[i]);
        g->col[i].width = max_of(hline, cell[i]);
        sum += g->col[i].width;
    }
    /* what gives way first: long free text down to 30 characters, then the headers
     * (a two-line header costs one line, a wrapped cell one a row), then free text down
     * to its longest word (a date, a name) up to 10 characters; fixed columns never below
     * their widest cell */
    for (int pass = 0; pass < 3 && sum > total; pass++) {
        while (sum > total) {
            int widest = -1;
            for (int i = 0; i < g->n; i++) {
                int keep;
                if (g->col[i].fixed)
                    keep = max_of(cell[i], hword[i]);
                else if (pass == 0)
                    keep = 30;
                else if (pass == 1)
                    keep = g->col[i].width;
                else
                    keep = max_of(hword[i], cword[i] < 10 ? cword[i] : 10);
                if (g->col[i].width > keep && (widest < 0 || g->col[i].width > g->col[widest].width))
                    widest = i;
            }
            if (widest < 0)
                break;
            g->col[widest].width--;
            sum--;
        }
    }
    free(cell);
    free(hword);
    free(cword);
}

static void pad(FILE *f, int n)
{
    for (; n > 0; n--)
        fputc(' ', f);
}

void grid_row(FILE *f, const grid *g, const char *const *cells)
{
    sbuf *w = xcalloc((size_t)g->n, sizeof *w);
    const char **at = xcalloc((size_t)g->n, sizeof *at);
    int lines = 0;
    for (int i = 0; i < g->n; i++) {
        sbuf_init(&w[i]);
        int k = wrap(&w[i], cells[i] ? cells[i] : "", g->col[i].width);
        lines = k > lines ? k : lines;
        at[i] = w[i].buf;
    }
    for (int l = 0; l < lines; l++) {
        /* the last cell that has text on this line: nothing is padded after it */
        int last = -1;
        for (int i = 0; i < g->n; i++)
            if (*at[i] && *at[i] != '\n')
                last = i;
        int owed = 0; /* spaces not written yet: none at the end of a line */
        for (int i = 0; i <= last; i++) {
            size_t len = *at[i] ? strcspn(at[i], "\n") : 0;
            int cw = width_of(at[i], len);
            if (i)
                owed += g->gap;
            if (g->col[i].right)
                owed += g->col[i].width - cw;
            if (len) {
                pad(f, owed);
                owed = 0;
                fwrite(at[i], 1, len, f);
            }
            if (!g->col[i].right)
                owed += g->col[i].width - cw;
            at[i] += len + (at[i][len] == '\n');
        }
        for (int i = last + 1; i < g->n; i++)
            at[i] += *at[i] == '\n';
        fputc('\n', f);
    }
    for (int i = 0; i < g->n; i++)
        sbuf_free(&w[i]);
    free(w);
    free(at);
}

void grid_head(FILE *f, const grid *g)
{
    const char **heads = xcalloc((size_t)g->n, sizeof *heads);
    for (int i = 0; i < g->n; i++)
        heads[i] = g->col[i].head;
    grid_row(f, g, heads);
    free(heads);
}

void grid_text(FILE *f, const char *text, int indent, int width)
{
    sbuf w;
    sbuf_init(&w);
    wrap(&w, text, width - indent);
    for (const char *p = w.buf; p && *p;) {
        size_t len = strcspn(p, "\n");
        if (len) {
            pad(f, indent);
            fwrite(p, 1, len, f);
        }
        fputc('\n', f);
        p += len + (p[len] == '\n');
    }
    sbuf_free(&w);
}

void grid_cell(grid_cells *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *text = xmalloc(n > 0 ? (size_t)n + 1 : 1);
    *text = '\0';
    va_start(ap, fmt);
    if (n > 0)
        vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 32;
        c->v = xrealloc(c->v, c->cap * sizeof *c->v);
    }
    c->v[c->n++] = text;
}

void grid_cells_free(grid_cells *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i]);
    free(c->v);
    c->v = NULL;
    c->n = c->cap = 0;
}

void grid_print(FILE *f, const grid *g, const grid_cells *cells)
{
    grid_head(f, g);
    for (size_t r = 0; r + (size_t)g->n <= cells->n; r += (size_t)g->n)
        grid_row(f, g, (const char *const *)cells->v + r);
}
