/* submit: a submit message (a district's lines) read in one bounded, validating pass:
 * the column names and each row's line number and fields, as NUL-terminated strings in
 * one buffer the view owns and reuses. The collector stores a batch of 100,000 lines
 * without building a value per field. The checks are proto_decode's for this type:
 * version, 1 to 64 column names, at most PROTO_MAX_ROWS rows, each [line, one string per
 * column]. A field that is not valid UTF-8 text (a NUL, a control character) refuses its
 * line only: see bad. */
#ifndef PAR_PROTO_SUBMIT_H
#define PAR_PROTO_SUBMIT_H

#include <stdint.h>
#include "base.h"

#define SUBMIT_MAX_COLS 64
/* the name of the file the lines come from ("file", optional: for the logs) */
#define SUBMIT_MAX_FILE 255

typedef struct {
    int64_t id;
    int compact_ack;     /* the sender asked for one compact ack ("ack": "compact") */
    const char *file;    /* the file the lines come from, "" when not said */
    const char *agent_unit; /* "unit": the agent speaks for this unit and those below it; "" */
    const char *as;      /* "as": the web user this server's par-web sends for (ROLE:NAME); "" */
    uint32_t ncols, nrows;
    const char *cols[SUBMIT_MAX_COLS];
    int64_t *lines;      /* nrows line numbers */
    uint32_t *bad;       /* nrows: 0, or 1 + the column of a field holding a NUL, bytes that
                          * are not UTF-8 or a control character (read as "": the line is
                          * refused for it, the message is not) */
    const char **fields; /* nrows x ncols */
    sbuf arena;
    size_t cap_rows, cap_fields;
} submit_view;

void submit_init(submit_view *v);
void submit_free(submit_view *v);
/* 0, or -1 with e saying what is wrong (for a bad_request answer). */
int submit_decode(submit_view *v, const void *buf, size_t len, par_err *e);
/* Packs v as a submit message into out (appended): its head (id, the compact ack when
 * compact_ack, file, unit and as when not "" nor NULL), cols, and rows from lines and
 * fields (bad is not read). A sender fills the view with pointers to what it holds: a
 * batch is packed once, without a value a field. Such a view owns nothing: it is never
 * given to submit_free. */
void submit_pack(sbuf *out, const submit_view *v);
/* Field c of row r. */
static inline const char *submit_field(const submit_view *v, uint32_t r, uint32_t c)
{
    return v->fields[(size_t)r * v->ncols + c];
}

#endif
