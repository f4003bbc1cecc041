/* table: a CSV file of the formats people write (units, framework, tasks,
 * submissions) read into the rows of a submit or import message. */
#ifndef PAR_TABLE_H
#define PAR_TABLE_H

#include <stdio.h>
#include "../proto/proto.h"
#include "csv.h"
#include "textpool.h"

/* A file is read whole: larger ones are refused, to be split. */
#define TABLE_MAX_BYTES (64u << 20)

/* The four formats of ARCHITECTURE.md, and the columns each must have. */
typedef enum { TABLE_UNITS, TABLE_FRAMEWORK, TABLE_TASKS, TABLE_SUBMISSIONS } table_format;
const char *const *table_cols(table_format f);
unsigned long table_required(table_format f);
/* The format named "units", "framework", "tasks" or "submissions"; -1 if none. */
int table_format_named(const char *name);

/* The rows of a file as read: the header's names, and each well-formed line's number
 * and fields, as NUL-terminated strings in chunks that never move (one chunk for most
 * files). No value is allocated a field: a 100,000-line file is a few allocations. */
typedef struct {
    uint32_t ncols, nrows;
    const char *cols[CSV_MAX_FIELDS]; /* the header's names, as written (order free) */
    int64_t *line;       /* nrows: each row's line in the file */
    const char **field;  /* nrows x ncols */
    int lines;           /* data lines read, good or bad */
    int refused;         /* lines refused here (printed to the report stream) */
    size_t cap;          /* rows line and field have room for */
    int fixed;           /* a CSV table whose line and field never move while it is read:
                          * sized for every line of the file (fewer than 262,144) */
    textpool text;       /* the fields' strings */
} table;

/* Field c of row r. */
static inline const char *table_field(const table *t, uint32_t r, uint32_t c)
{
    return t->field[(size_t)r * t->ncols + c];
}
/* The header and rows as values ([name...] and [[line, field...]]), for the messages
 * that carry reference data whole (import) and the agent's outbox. */
pv *table_cols_pv(const table *t);
pv *table_rows_pv(const table *t);

/* Reads a file: JSON Lines for a name ending in .jsonl or .ndjson, CSV otherwise; files
 * over TABLE_MAX_BYTES are refused. known: the format's columns (NULL-terminated),
 * required: their bit mask. Lines that cannot be read are reported as "PATH: line N:
 * reason" on report and left out; a bad header or an unreadable file is an error (-1,
 * e says why). */
int table_load_file(const char *path, const char *const known[], unsigned long required, table *t, FILE *report,
                    par_err *e);
/* The same from CSV bytes in memory; path names them in the reports. */
int table_parse_csv(const char *path, const char *buf, size_t len, const char *const known[], unsigned long required,
                    table *t, FILE *report, par_err *e);
/* table_parse_csv a part at a time, for a sender that sends the first rows while it reads
 * the rest (par-agent push): open reads the header (-1 and e as table_parse_csv); more
 * reads up to rows more rows (lines refused do not count): 0 when it reached the end, 1
 * when it stopped at the count (the end may be next);
 * close ends the reading (the table stays; the bytes must live until then). Rows read
 * earlier stay where they are only when t->fixed. */
typedef struct table_reader table_reader;
int table_csv_open(table_reader **tr, const char *path, const char *buf, size_t len, const char *const known[],
                   unsigned long required, table *t, FILE *report, par_err *e);
int table_csv_more(table_reader *tr, uint32_t rows);
void table_csv_close(table_reader *tr);
/* The same from JSON Lines bytes: one object a line with the format's fields (strings
 * or numbers); a line that is not such an object, or names an unknown field, is refused. */
int table_parse_jsonl(const char *path, const char *buf, size_t len, const char *const known[], unsigned long required,
                      table *t, FILE *report);
void table_free(table *t);
/* table_load_file in two steps, for a caller that needs the file's bytes as they are
 * (par-agent hashes them) and reads them once: the bytes, bounded by TABLE_MAX_BYTES
 * before anything is read (0; -2 and e when the file is larger; -1 and e when it cannot
 * be read), then the table from them (UTF-16 converted; JSON Lines by path's ending,
 * which also names the file in the reports). */
int table_read_file(const char *path, char **buf, size_t *len, par_err *e);
int table_parse_bytes(const char *path, const char *buf, size_t len, const char *const known[], unsigned long required,
                      table *t, FILE *report, par_err *e);
/* Whether a file is read as JSON Lines: its name ends in .jsonl or .ndjson. */
int table_is_jsonl(const char *path);
/* Whether bytes start with a UTF-16 byte order mark (then converted before reading). */
int table_is_utf16(const char *buf, size_t len);

#endif
