/* table: a CSV file of the formats people write (units, framework, tasks,
 * submissions) read into the rows of a submit or import message. */
#ifndef PAR_TABLE_H
#define PAR_TABLE_H

#include <stdio.h>
#include "../proto/proto.h"

/* A file is read whole: larger ones are refused, to be split. */
#define TABLE_MAX_BYTES (64u << 20)

/* The four formats of ARCHITECTURE.md, and the columns each must have. */
typedef enum { TABLE_UNITS, TABLE_FRAMEWORK, TABLE_TASKS, TABLE_SUBMISSIONS } table_format;
const char *const *table_cols(table_format f);
unsigned long table_required(table_format f);
/* The format named "units", "framework", "tasks" or "submissions"; -1 if none. */
int table_format_named(const char *name);

typedef struct {
    pv *cols;    /* the header's names, as written (order free) */
    pv *rows;    /* [[line, field...]] of the well-formed lines */
    int lines;   /* data lines read, good or bad */
    int refused; /* lines refused here (printed to the report stream) */
} table;

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
/* The same from JSON Lines bytes: one object a line with the format's fields (strings
 * or numbers); a line that is not such an object, or names an unknown field, is refused. */
int table_parse_jsonl(const char *path, const char *buf, size_t len, const char *const known[], unsigned long required,
                      table *t, FILE *report);
void table_free(table *t);
/* Whether a file is read as JSON Lines: its name ends in .jsonl or .ndjson. */
int table_is_jsonl(const char *path);
/* Whether bytes start with a UTF-16 byte order mark (then converted before reading). */
int table_is_utf16(const char *buf, size_t len);

#endif
