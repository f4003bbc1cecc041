#include "csv.h"

#include <stdlib.h>
#include <string.h>

struct csv_reader {
    const char *p, *end;
    int line;
    char sep;
    sbuf field;             /* the current record's text, fields separated by NUL */
    size_t starts[CSV_MAX_FIELDS];
    unsigned char quoted[CSV_MAX_FIELDS]; /* the field was between quotes */
};

csv_reader *csv_new(const char *buf, size_t len)
{
    csv_reader *r = xcalloc(1, sizeof *r);
    r->p = buf;
    r->end = buf + len;
    if (len >= 3 && (unsigned char)buf[0] == 0xef && (unsigned char)buf[1] == 0xbb && (unsigned char)buf[2] == 0xbf)
        r->p += 3;
    r->line = 1;
    r->sep = ',';
    sbuf_init(&r->field);
    return r;
}

void csv_set_sep(csv_reader *r, char sep)
{
    r->sep = sep;
}

char csv_sniff(const char *buf, size_t len)
{
    /* counted on the header line, outside quotes: our headers are plain names */
    size_t comma = 0, semi = 0, tab = 0;
    int quoted = 0;
    for (size_t i = 0; i < len && (quoted || buf[i] != '\n'); i++) {
        char c = buf[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && c == ',')
            comma++;
        else if (!quoted && c == ';')
            semi++;
        else if (!quoted && c == '\t')
            tab++;
    }
    if (tab > comma && tab > semi)
        return '\t';
    if (semi > comma)
        return ';';
    return ',';
}

void csv_destroy(csv_reader *r)
{
    if (!r)
        return;
    sbuf_free(&r->field);
    free(r);
}

static void skip_line(csv_reader *r)
{
    while (r->p < r->end && *r->p != '\n')
        r->p++;
    if (r->p < r->end) {
        r->p++;
        r->line++;
    }
}

/* A quote opened on the record's first line ran over later lines and did not end its
 * field there: only that first line is refused, and reading goes on at the next one, so
 * that the lines the quote took in are read on their own. */
static int span_fails(csv_reader *r, const csv_row *row, const char *rec_start, par_err *e)
{
    err_set(e, "line %d: a quote opened here is not closed where its field ends (it runs to line %d)", row->line,
            r->line);
    r->p = rec_start;
    r->line = row->line;
    skip_line(r);
    return -1;
}

/* How many bytes from p are plain text of the field: not NUL, quote or line feed, nor
 * (outside quotes) the separator or CR. */
static size_t plain_run(const char *p, const char *end, char sep, int quoted)
{
    const char *q = p;
    if (quoted)
        while (q < end && *q != '"' && *q != '\n' && *q != '\0')
            q++;
    else
        while (q < end && *q != sep && *q != '"' && *q != '\n' && *q != '\r' && *q != '\0')
            q++;
    return (size_t)(q - p);
}

int csv_next(csv_reader *r, csv_row *row, par_err *e)
{
    /* blank lines between records carry nothing */
    while (r->p < r->end && (*r->p == '\n' || *r->p == '\r')) {
        if (*r->p == '\n')
            r->line++;
        r->p++;
    }
    if (r->p >= r->end)
        return 0;
    row->line = r->line;
    row->last_line = r->line;
    const char *rec_start = r->p;
    row->n = 0;
    r->field.len = 0;
    sbuf_add(&r->field, "", 0);
    size_t nstart = 0;
    r->starts[nstart++] = 0;
    memset(r->quoted, 0, sizeof r->quoted);
    int quoted = 0, was_quoted = 0;
    size_t flen = 0;
    for (;;) {
        if (r->p >= r->end) {
            if (quoted) {
                /* never closed: only this line is refused, the lines after it are read on
                 * their own (they were taken into the quote) */
                err_set(e, "line %d: a quote opened here is never closed", row->line);
                r->p = rec_start;
                r->line = row->line;
                skip_line(r);
                return -1;
            }
            row->last_line = r->line;
            break;
        }
        /* plain bytes are taken a run at a time; the loop below sees only the ones that
         * mean something (and the first after a closing quote, which is refused) */
        size_t run = was_quoted && !quoted ? 0 : plain_run(r->p, r->end, r->sep, quoted);
        if (run > CSV_MAX_FIELD + 1 - flen) /* a field over the bound is not held whole */
            run = CSV_MAX_FIELD + 1 - flen;
        if (run) {
            sbuf_add(&r->field, r->p, run);
            r->p += run;
            flen += run;
            if (flen > CSV_MAX_FIELD) {
                if (r->line > row->line)
                    return span_fails(r, row, rec_start, e);
                err_set(e, "line %d: a field longer than %d bytes", row->line, CSV_MAX_FIELD);
                skip_line(r);
                return -1;
            }
            continue;
        }
        char c = *r->p++;
        if (c == '\0') { /* it would read as the end of the field: refused, never cut there */
            if (r->line > row->line)
                return span_fails(r, row, rec_start, e);
            err_set(e, "line %d: field %zu holds a NUL character", r->line, nstart);
            skip_line(r);
            return -1;
        }
        if (quoted) {
            if (c == '"') {
                if (r->p < r->end && *r->p == '"') {
                    r->p++;
                    sbuf_add(&r->field, "\"", 1);
                    flen++;
                } else {
                    quoted = 0;
                }
            } else {
                if (c == '\n')
                    r->line++;
                sbuf_add(&r->field, &c, 1);
                flen++;
            }
        } else if (c == '"') {
            if (flen != 0 || was_quoted) {
                if (r->line > row->line)
                    return span_fails(r, row, rec_start, e);
                err_set(e, "line %d: a quote inside an unquoted field", r->line);
                skip_line(r);
                return -1;
            }
            quoted = was_quoted = 1;
            r->quoted[nstart - 1] = 1;
        } else if (c == r->sep) {
            if (nstart == CSV_MAX_FIELDS) {
                err_set(e, "line %d: more than %d fields", row->line, CSV_MAX_FIELDS);
                skip_line(r);
                return -1;
            }
            sbuf_add(&r->field, "", 1);
            r->starts[nstart++] = r->field.len;
            flen = 0;
            was_quoted = 0;
        } else if (c == '\n') {
            row->last_line = r->line;
            r->line++;
            break;
        } else if (c == '\r' && (r->p >= r->end || *r->p == '\n')) {
            continue;
        } else {
            if (was_quoted) {
                if (r->line > row->line)
                    return span_fails(r, row, rec_start, e);
                err_set(e, "line %d: text after a closing quote", r->line);
                skip_line(r);
                return -1;
            }
            sbuf_add(&r->field, &c, 1);
            flen++;
        }
        if (flen > CSV_MAX_FIELD) {
            if (r->line > row->line) /* a quote that ran on over lines: they are read again */
                return span_fails(r, row, rec_start, e);
            err_set(e, "line %d: a field longer than %d bytes", row->line, CSV_MAX_FIELD);
            skip_line(r);
            return -1;
        }
    }
    row->n = (int)nstart;
    for (size_t i = 0; i < nstart; i++) {
        row->f[i] = r->field.buf + r->starts[i];
        /* a cell csv_put neutralised ("'=...") reads back as it was written */
        if (r->quoted[i] && row->f[i][0] == '\'' && row->f[i][1] && strchr("=+-@\t\r", row->f[i][1]))
            row->f[i]++;
        size_t l = strlen(row->f[i]);
        /* tabs are allowed in text, line breaks only inside quotes */
        char *f = row->f[i], *nl = f;
        while ((nl = memchr(nl, '\n', l - (size_t)(nl - f))))
            *nl++ = ' ';
        if (!str_utf8_ok(row->f[i], l)) {
            err_set(e, "line %d: field %zu is not valid UTF-8 text", row->line, i + 1);
            return -1;
        }
    }
    return 1;
}

int csv_header(const csv_row *hdr, const char *const cols[], unsigned long required, int idx[], par_err *e)
{
    int ncols = 0;
    while (cols[ncols])
        ncols++;
    for (int i = 0; i < ncols; i++)
        idx[i] = -1;
    for (int j = 0; j < hdr->n; j++) {
        char name[128];
        str_copy(name, sizeof name, hdr->f[j]);
        str_trim(name);
        int found = -1;
        for (int i = 0; i < ncols; i++)
            if (strcmp(name, cols[i]) == 0)
                found = i;
        if (found < 0) {
            sbuf known;
            sbuf_init(&known);
            for (int i = 0; i < ncols; i++)
                sbuf_printf(&known, "%s%s", i ? "," : "", cols[i]);
            err_set(e, "line %d: unknown column '%s' (the columns are %s)", hdr->line, name, known.buf);
            sbuf_free(&known);
            return -1;
        }
        if (idx[found] >= 0) {
            err_set(e, "line %d: column '%s' appears twice", hdr->line, name);
            return -1;
        }
        idx[found] = j;
    }
    for (int i = 0; i < ncols; i++) {
        if ((required & (1UL << i)) && idx[i] < 0) {
            err_set(e, "line %d: missing column '%s'", hdr->line, cols[i]);
            return -1;
        }
    }
    return 0;
}

/* "12", "-0,5", "+1.25": a number a spreadsheet shows as a number, not a formula */
static int plain_number(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    int digits = 0, mark = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if ((*s == '.' || *s == ',') && !mark)
            mark = 1;
        else
            return 0;
    }
    return digits > 0;
}

void csv_put(sbuf *b, const char *s)
{
    /* a cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is written
     * with a ' before it and quoted, as OWASP recommends ("CSV injection") */
    int formula = strchr("=+-@\t\r", *s) && *s && !plain_number(s);
    if (!formula && !strpbrk(s, ",;\"\n\r")) {
        sbuf_puts(b, s);
        return;
    }
    sbuf_add(b, formula ? "\"'" : "\"", formula ? 2 : 1);
    for (; *s; s++) {
        if (*s == '"')
            sbuf_add(b, "\"", 1);
        sbuf_add(b, s, 1);
    }
    sbuf_add(b, "\"", 1);
}
