/* csv: RFC 4180 reading with line numbers for every record, and writing.
 * Written here rather than taken from libcsv because every refusal must name
 * the physical line, and files must be strict UTF-8. */
#ifndef PAR_CSV_H
#define PAR_CSV_H

#include <stddef.h>
#include "util.h"

#define CSV_MAX_FIELDS 64
#define CSV_MAX_FIELD 65536

typedef struct {
    int line;                     /* physical line where the record starts */
    int last_line;                /* and where it ends (later when a quoted field spans lines) */
    int n;                        /* fields */
    char *f[CSV_MAX_FIELDS];      /* point into the reader's buffer, valid until the next call */
} csv_row;

typedef struct csv_reader csv_reader;

/* Reads from a buffer the caller keeps alive; a UTF-8 BOM is skipped. */
csv_reader *csv_new(const char *buf, size_t len);
void csv_destroy(csv_reader *r);
/* Fields separated by sep (',' unless set). */
void csv_set_sep(csv_reader *r, char sep);
/* The separator the header line (the first) uses: '\t' (Excel's "Unicode Text"), ';'
 * (Excel's CSV where the list separator is ';', as in a Vietnamese locale) or ','. */
char csv_sniff(const char *buf, size_t len);
/* 1: a record, 0: end of input, -1: a malformed record (message names the line);
 * after -1 the reader has skipped to the next line, so reading can go on. A quote opened
 * and never closed refuses its line only: reading goes on at the line after it. */
int csv_next(csv_reader *r, csv_row *row, par_err *e);

/* Maps a header to column indexes. cols: the known names (NULL-terminated);
 * required: a bit per column that must be present. idx[i] is -1 when absent. */
int csv_header(const csv_row *hdr, const char *const cols[], unsigned long required, int idx[], par_err *e);

/* Appends one field, quoted when needed; a field a spreadsheet would take for a formula
 * (=, +, -, @, tab or CR first, and not a plain number) gets a ' before it (OWASP). */
void csv_put(sbuf *b, const char *s);

#endif
