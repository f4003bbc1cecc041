#include "table.h"
#include "csv.h"

#include <iconv.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* valid_from, valid_to, successor (optional): the unit's place in the tree changes with
 * time (the 2025 reorganisation); a unit may have several rows, one per span (validity.h) */
static const char *const units_cols[] = {"id", "parent", "level", "name", "email", "valid_from", "valid_to", "successor",
                                         NULL};
/* owner (optional): the unit answering for the criterion (seed 000: which department) */
static const char *const framework_cols[] = {"index", "year", "level", "id", "name", "max", "method", "formula",
                                             "owner", NULL};
static const char *const tasks_cols[] = {"plan", "id", "lead", "support", "index", "criterion", "target", "task",
                                         "deadline", NULL};
static const char *const submissions_cols[] = {"unit", "year", "period", "kind", "key", "value", "date", "note", NULL};
static const char *const names[] = {"units", "framework", "tasks", "submissions"};

const char *const *table_cols(table_format f)
{
    switch (f) {
    case TABLE_UNITS: return units_cols;
    case TABLE_FRAMEWORK: return framework_cols;
    case TABLE_TASKS: return tasks_cols;
    case TABLE_SUBMISSIONS: return submissions_cols;
    }
    return submissions_cols;
}

unsigned long table_required(table_format f)
{
    switch (f) {
    case TABLE_UNITS: return 0x0f;      /* id, parent, level, name (email and the dates optional) */
    case TABLE_FRAMEWORK: return 0x7f;  /* all but formula and owner */
    case TABLE_TASKS: return 1UL << 0 | 1UL << 1 | 1UL << 2 | 1UL << 7 | 1UL << 8; /* plan, id, lead, task, deadline */
    case TABLE_SUBMISSIONS: return 0x3f; /* unit..value */
    }
    return 0;
}

int table_format_named(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(name, names[i]))
            return i;
    return -1;
}

/* The strings of a table: chunks that never move, so a field's pointer stays good as
 * more rows are read. The first is sized for the whole file: what is kept of a CSV
 * line (its fields without quotes or padding, each ended by a NUL where the file had a
 * separator or a line break) is never longer than the line; the + 1 is for the last
 * line's last NUL, which has no line break to stand for when the file does not end in
 * one. JSON Lines can outgrow it (1e14 is kept as "100000000000000"): then the pool
 * opens another chunk, so nothing relies on the size for safety. */
static void table_start(table *t, size_t hint)
{
    memset(t, 0, sizeof *t);
    textpool_reserve(&t->text, hint + 1);
}

#define TABLE_PRESIZE (1u << 18)

/* A new row's fields (ncols of them, to be filled), its line number set. */
static const char **row_add(table *t, int64_t line)
{
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->line = xrealloc(t->line, t->cap * sizeof *t->line);
        t->field = xrealloc(t->field, t->cap * t->ncols * sizeof *t->field);
    }
    t->line[t->nrows] = line;
    return &t->field[(size_t)t->nrows++ * t->ncols];
}

pv *table_cols_pv(const table *t)
{
    pv *a = pv_arr();
    for (uint32_t c = 0; c < t->ncols; c++)
        pv_push(a, pv_str(t->cols[c]));
    return a;
}

pv *table_rows_pv(const table *t)
{
    pv *rows = pv_arr();
    for (uint32_t r = 0; r < t->nrows; r++) {
        pv *rv = pv_arr();
        pv_push(rv, pv_int(t->line[r]));
        for (uint32_t c = 0; c < t->ncols; c++)
            pv_push(rv, pv_str(table_field(t, r, c)));
        pv_push(rows, rv);
    }
    return rows;
}

struct table_reader {
    const char *path;
    csv_reader *r;
    table *t;
    FILE *report;
};

int table_csv_open(table_reader **out, const char *path, const char *buf, size_t len, const char *const known[],
                   unsigned long required, table *t, FILE *report, par_err *e)
{
    *out = NULL;
    table_start(t, len);
    csv_reader *r = csv_new(buf, len);
    char sep = csv_sniff(buf, len);
    csv_set_sep(r, sep);
    csv_row row;
    int idx[CSV_MAX_FIELDS];
    par_err le;
    int got = csv_next(r, &row, &le);
    if (got <= 0) {
        err_set(e, "%s: %s", path, got == 0 ? "empty file: no header line" : le.msg);
        goto fail;
    }
    if (csv_header(&row, known, required, idx, &le) < 0) {
        /* say how the header was read: a file saved with another separator reads as one column */
        err_set(e, "%s: %s (the header read with '%s' between columns: save it from Excel as \"CSV UTF-8\", "
                   "or with ',' or ';' between the column names unit,year,period,kind,key,value)",
                path, le.msg, sep == '\t' ? "tab" : sep == ';' ? ";" : ",");
        goto fail;
    }
    t->ncols = (uint32_t)row.n;
    /* a row a line, about: the arrays are made once at their size, not grown and copied
     * as a 100,000-line file is read; past 262,144 lines (or for a file of blank lines)
     * row_add doubles them as before */
    size_t lines = 1;
    for (const char *p = buf, *end = buf + len; lines < TABLE_PRESIZE && (p = memchr(p, '\n', (size_t)(end - p))); p++)
        lines++;
    t->cap = lines;
    t->fixed = lines < TABLE_PRESIZE;
    t->line = xmalloc(t->cap * sizeof *t->line);
    t->field = xmalloc(t->cap * t->ncols * sizeof *t->field);
    xhuge(t->line, t->cap * sizeof *t->line);
    xhuge(t->field, t->cap * t->ncols * sizeof *t->field);
    for (int i = 0; i < row.n; i++)
        t->cols[i] = textpool_put(&t->text, str_trim(row.f[i]));
    table_reader *tr = xmalloc(sizeof *tr);
    *tr = (table_reader){path, r, t, report};
    *out = tr;
    return 0;
fail:
    table_free(t);
    csv_destroy(r);
    return -1;
}

int table_csv_more(table_reader *tr, uint32_t rows)
{
    table *t = tr->t;
    csv_row row;
    par_err le;
    int got = 1; /* when rows are read up to the count, more may be left */
    for (uint32_t took = 0; took < rows && (got = csv_next(tr->r, &row, &le)) != 0;) {
        t->lines++;
        if (got < 0) {
            fprintf(tr->report, "%s: %s\n", tr->path, le.msg);
            t->refused++;
            continue;
        }
        if (row.n != (int)t->ncols) {
            fprintf(tr->report, "%s: line %d: %d fields where the header has %u (%s)\n", tr->path, row.line, row.n,
                    t->ncols,
                    row.n > (int)t->ncols ? "an extra column: a separator inside a value that is not quoted?"
                                          : "a missing column?");
            t->refused++;
            continue;
        }
        if (row.last_line > row.line) /* every physical line accounted for */
            fprintf(tr->report, "%s: warning: line %d: a quoted field spans lines %d-%d, read as one line\n",
                    tr->path, row.line, row.line, row.last_line);
        const char **f = row_add(t, row.line);
        for (int i = 0; i < row.n; i++)
            f[i] = textpool_put(&t->text, str_trim(row.f[i]));
        took++;
    }
    return got != 0;
}

void table_csv_close(table_reader *tr)
{
    if (!tr)
        return;
    csv_destroy(tr->r);
    free(tr);
}

int table_parse_csv(const char *path, const char *buf, size_t len, const char *const known[], unsigned long required,
                    table *t, FILE *report, par_err *e)
{
    table_reader *tr;
    if (table_csv_open(&tr, path, buf, len, known, required, t, report, e) < 0)
        return -1;
    while (table_csv_more(tr, UINT32_MAX))
        ;
    table_csv_close(tr);
    return 0;
}

void table_free(table *t)
{
    textpool_free(&t->text);
    free(t->line);
    free(t->field);
    memset(t, 0, sizeof *t);
}

/* A JSON scalar as the text a CSV field would hold. */
static int json_text(json_t *v, char *out, size_t n)
{
    if (json_is_string(v)) {
        /* "\u0000" decodes to a NUL: refused, not cut there */
        size_t l = json_string_length(v);
        if (memchr(json_string_value(v), '\0', l) || l >= n)
            return -1;
        memcpy(out, json_string_value(v), l + 1);
        return 0;
    }
    if (json_is_integer(v))
        return snprintf(out, n, "%lld", (long long)json_integer_value(v)) < (int)n ? 0 : -1;
    if (json_is_real(v))
        return snprintf(out, n, "%.15g", json_real_value(v)) < (int)n ? 0 : -1;
    return -1;
}

int table_parse_jsonl(const char *path, const char *buf, size_t len, const char *const known[], unsigned long required,
                      table *t, FILE *report)
{
    table_start(t, len);
    int ncols = 0;
    while (ncols < CSV_MAX_FIELDS && known[ncols])
        ncols++;
    t->ncols = (uint32_t)ncols;
    for (int i = 0; i < ncols; i++)
        t->cols[i] = known[i];
    int line = 0;
    char *field = xmalloc(CSV_MAX_FIELD + 1);
    for (const char *p = buf, *end = buf + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        line++;
        const char *text = p;
        p += l + (nl ? 1 : 0);
        while (l && (text[l - 1] == '\r' || text[l - 1] == ' '))
            l--;
        if (l == 0)
            continue;
        t->lines++;
        json_error_t je;
        json_t *o = json_loadb(text, l, JSON_REJECT_DUPLICATES, &je);
        const char *why = NULL;
        char reason[256];
        if (!o || !json_is_object(o)) {
            snprintf(reason, sizeof reason, "not a JSON object (%s)", o ? "another JSON value" : je.text);
            why = reason;
        }
        /* a refused line's texts stay in the chunk unused (freed with the table) */
        const char *row[CSV_MAX_FIELDS];
        for (int i = 0; i < ncols && !why; i++) {
            json_t *v = json_object_get(o, known[i]);
            if (!v) {
                if (required & (1UL << i)) {
                    snprintf(reason, sizeof reason, "missing field '%s'", known[i]);
                    why = reason;
                }
                row[i] = "";
                continue;
            }
            if (json_text(v, field, CSV_MAX_FIELD + 1) < 0 || !str_utf8_ok(field, strlen(field))) {
                snprintf(reason, sizeof reason, "field '%s' is not a string or a number (without NUL characters)",
                         known[i]);
                why = reason;
                break;
            }
            row[i] = textpool_put(&t->text, str_trim(field));
        }
        const char *key;
        json_t *val;
        if (!why)
            json_object_foreach(o, key, val)
            {
                int found = 0;
                for (int i = 0; i < ncols; i++)
                    found |= !strcmp(key, known[i]);
                if (!found) {
                    snprintf(reason, sizeof reason, "unknown field '%.100s'", key);
                    why = reason;
                    break;
                }
            }
        if (why) {
            fprintf(report, "%s: line %d: %s\n", path, line, why);
            t->refused++;
        } else {
            memcpy(row_add(t, line), row, (size_t)ncols * sizeof *row);
        }
        json_decref(o);
    }
    free(field);
    return 0;
}

int table_is_jsonl(const char *path)
{
    size_t l = strlen(path);
    return (l > 6 && !strcmp(path + l - 6, ".jsonl")) || (l > 7 && !strcmp(path + l - 7, ".ndjson"));
}

int table_is_utf16(const char *buf, size_t len)
{
    const unsigned char *b = (const unsigned char *)buf;
    return len >= 2 && ((b[0] == 0xff && b[1] == 0xfe) || (b[0] == 0xfe && b[1] == 0xff));
}

/* UTF-16 (its BOM first) as UTF-8 without one; -1 with e when it is not well formed. */
static int utf16_to_utf8(const char *in, size_t len, char **out, size_t *outlen, par_err *e)
{
    int le = (unsigned char)in[0] == 0xff;
    iconv_t cd = iconv_open("UTF-8", le ? "UTF-16LE" : "UTF-16BE");
    if (cd == (iconv_t)-1) {
        err_set(e, "cannot convert UTF-16 text here");
        return -1;
    }
    char *src = (char *)in + 2;
    size_t left = len - 2, cap = left * 2 + 16, room = cap;
    char *buf = xmalloc(cap), *dst = buf;
    size_t r = iconv(cd, &src, &left, &dst, &room);
    iconv_close(cd);
    if (r == (size_t)-1 || left) {
        free(buf);
        err_set(e, "UTF-16 text that is not well formed near byte %zu", len - left);
        return -1;
    }
    *out = buf;
    *outlen = (size_t)(dst - buf);
    return 0;
}

int table_read_file(const char *path, char **buf, size_t *len, par_err *e)
{
    int rc = file_read_max(path, TABLE_MAX_BYTES, buf, len, e);
    if (rc == -2)
        err_set(e, "%s: %zu bytes, more than the %u MiB a file may have: split it", path, *len, TABLE_MAX_BYTES >> 20);
    return rc;
}

int table_parse_bytes(const char *path, const char *buf, size_t len, const char *const known[], unsigned long required,
                      table *t, FILE *report, par_err *e)
{
    memset(t, 0, sizeof *t);
    char *u8 = NULL;
    if (table_is_utf16(buf, len)) {
        /* Excel's "Unicode Text": UTF-16 with its byte order mark */
        size_t n8;
        if (utf16_to_utf8(buf, len, &u8, &n8, e) < 0) {
            err_set(e, "%s: %s", path, e->msg);
            return -1;
        }
        buf = u8;
        len = n8;
    }
    int rc = table_is_jsonl(path) ? table_parse_jsonl(path, buf, len, known, required, t, report)
                                  : table_parse_csv(path, buf, len, known, required, t, report, e);
    free(u8);
    return rc;
}

int table_load_file(const char *path, const char *const known[], unsigned long required, table *t, FILE *report,
                    par_err *e)
{
    memset(t, 0, sizeof *t);
    char *buf;
    size_t len;
    if (table_read_file(path, &buf, &len, e) < 0)
        return -1;
    int rc = table_parse_bytes(path, buf, len, known, required, t, report, e);
    free(buf);
    return rc;
}
