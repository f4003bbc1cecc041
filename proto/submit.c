#include "submit.h"
#include "pack.h"
#include "proto.h"
#include "reader.h"

#include <stdlib.h>
#include <string.h>

void submit_init(submit_view *v)
{
    memset(v, 0, sizeof *v);
    sbuf_init(&v->arena);
}

void submit_free(submit_view *v)
{
    free(v->lines);
    free(v->bad);
    free(v->fields);
    sbuf_free(&v->arena);
    memset(v, 0, sizeof *v);
}

/* A text into the arena, its offset in *at: -1 when it is not a string, -2 when it is
 * one the system does not hold (a NUL, bytes that are not UTF-8, a control character):
 * a field's refusal, which refuses its line and not the message. */
static int text_of(submit_view *v, mp_reader *r, size_t *at)
{
    const char *s;
    size_t n;
    if (mp_str(r, &s, &n) < 0)
        return -1;
    if ((n && memchr(s, '\0', n)) || !str_utf8_ok(s, n)) {
        *at = v->arena.len;
        sbuf_add(&v->arena, "", 1);
        return -2;
    }
    *at = v->arena.len;
    sbuf_add(&v->arena, s, n);
    sbuf_add(&v->arena, "", 1);
    return 0;
}

static int text(submit_view *v, mp_reader *r, size_t *at)
{
    return text_of(v, r, at) == 0 ? 0 : -1;
}

int submit_decode(submit_view *v, const void *buf, size_t len, par_err *e)
{
    mp_reader r;
    uint64_t n;
    int has_v = 0, has_t = 0, has_id = 0, has_cols = 0, has_rows = 0, has_ack = 0, has_file = 0, has_unit = 0,
        has_as = 0, unknown = 0;
    size_t *col_at = NULL, *field_at = NULL, file_at = 0, unit_at = 0, as_at = 0;
    uint64_t rows_n = 0;
    v->ncols = v->nrows = 0;
    v->compact_ack = 0;
    v->file = v->agent_unit = v->as = "";
    v->arena.len = 0;
    /* one pass: every value is read by the step of its kind, which checks it against the
     * bytes left, and a count is checked against them before anything is reserved for it */
    mp_begin(&r, buf, len);
    if (len > PROTO_MAX_MSG || mp_map(&r, &n) < 0) {
        err_set(e, "not one whole message within the limits");
        return -1;
    }
    for (uint64_t i = 0; i < n; i++) {
        const char *k;
        size_t kl;
        if (mp_str(&r, &k, &kl) < 0)
            goto bad;
        if (mp_key_is(k, kl, "v")) {
            int64_t ver;
            if (has_v)
                goto bad;
            if (mp_int(&r, &ver) < 0 || ver != PROTO_VERSION) {
                err_set(e, "unsupported protocol version (this program speaks version %d)", PROTO_VERSION);
                goto fail;
            }
            has_v = 1;
        } else if (mp_key_is(k, kl, "t")) {
            const char *t;
            size_t tl;
            if (has_t || mp_str(&r, &t, &tl) < 0 || !mp_key_is(t, tl, MSG_SUBMIT))
                goto bad;
            has_t = 1;
        } else if (mp_key_is(k, kl, "id")) {
            if (has_id || mp_int(&r, &v->id) < 0)
                goto bad;
            has_id = 1;
        } else if (mp_key_is(k, kl, "ack")) {
            const char *a;
            size_t al;
            if (has_ack || mp_str(&r, &a, &al) < 0)
                goto bad;
            has_ack = 1;
            v->compact_ack = mp_key_is(a, al, "compact");
        } else if (mp_key_is(k, kl, "file")) {
            if (has_file || text(v, &r, &file_at) < 0 || strlen(v->arena.buf + file_at) > SUBMIT_MAX_FILE) {
                err_set(e, "file: the name of the file the lines come from, at most %d bytes", SUBMIT_MAX_FILE);
                goto fail;
            }
            has_file = 1;
        } else if (mp_key_is(k, kl, "unit")) {
            if (has_unit || text(v, &r, &unit_at) < 0 || strlen(v->arena.buf + unit_at) > 63) {
                err_set(e, "unit: the id of the unit whose agent sends the lines, at most 63 bytes");
                goto fail;
            }
            has_unit = 1;
        } else if (mp_key_is(k, kl, "as")) {
            if (has_as || text(v, &r, &as_at) < 0 || strlen(v->arena.buf + as_at) > 160) {
                err_set(e, "as: the web user the lines are sent for, at most 160 bytes");
                goto fail;
            }
            has_as = 1;
        } else if (mp_key_is(k, kl, "cols")) {
            uint64_t c;
            if (has_cols || mp_array(&r, &c) < 0 || c == 0 || c > SUBMIT_MAX_COLS) {
                err_set(e, "cols: 1 to %d column names", SUBMIT_MAX_COLS);
                goto fail;
            }
            col_at = xmalloc(c * sizeof *col_at);
            for (uint64_t j = 0; j < c; j++)
                if (text(v, &r, &col_at[j]) < 0) {
                    err_set(e, "cols: column names are strings");
                    goto fail;
                }
            v->ncols = (uint32_t)c;
            has_cols = 1;
        } else if (mp_key_is(k, kl, "rows")) {
            /* the rows come after cols in every message we write; a message that puts
             * them first is read as refused rather than buffered */
            if (!has_cols || has_rows || mp_array(&r, &rows_n) < 0) {
                err_set(e, "rows: expected after cols, as an array");
                goto fail;
            }
            if (rows_n > PROTO_MAX_ROWS) {
                err_set(e, "rows: more than %d", PROTO_MAX_ROWS);
                goto fail;
            }
            /* a row takes at least its array header, its line and a byte a field */
            if (rows_n * (v->ncols + 2) > r.len - r.pos)
                goto bad;
            if (rows_n > v->cap_rows) {
                v->cap_rows = rows_n;
                v->lines = xrealloc(v->lines, rows_n * sizeof *v->lines);
                v->bad = xrealloc(v->bad, rows_n * sizeof *v->bad);
            }
            if (rows_n * v->ncols > v->cap_fields) {
                v->cap_fields = rows_n * v->ncols;
                v->fields = xrealloc(v->fields, v->cap_fields * sizeof *v->fields);
            }
            field_at = xmalloc((rows_n * v->ncols + 1) * sizeof *field_at);
            for (uint64_t x = 0; x < rows_n; x++) {
                uint64_t f;
                if (mp_array(&r, &f) < 0 || f != v->ncols + 1 || mp_int(&r, &v->lines[x]) < 0 ||
                    v->lines[x] < 0) {
                    err_set(e, "rows[%llu]: expected [line, one string per column]", (unsigned long long)x);
                    goto fail;
                }
                v->bad[x] = 0;
                for (uint32_t c = 0; c < v->ncols; c++) {
                    int t = text_of(v, &r, &field_at[x * v->ncols + c]);
                    if (t == -1) {
                        err_set(e, "rows[%llu]: fields are strings", (unsigned long long)x);
                        goto fail;
                    }
                    if (t == -2 && !v->bad[x])
                        v->bad[x] = c + 1; /* the line is refused for it, alone */
                }
            }
            has_rows = 1;
        } else {
            /* a field a newer peer added: ignored, once the whole message passes the
             * decoder's own checks (unique keys, text strings), which are not repeated here */
            pv *whole = NULL;
            if (!unknown && proto_decode(buf, len, &whole, e) < 0)
                goto fail;
            pv_free(whole);
            unknown = 1;
            if (mp_skip(&r) < 0)
                goto bad;
        }
    }
    if (r.pos != len)
        goto bad;
    if (!has_v || !has_t || !has_id || !has_cols || !has_rows) {
        err_set(e, "submit message without '%s'", !has_v ? "v" : !has_t ? "t" : !has_id ? "id" : !has_cols ? "cols"
                                                                                                    : "rows");
        goto fail;
    }
    /* the arena has stopped moving: now the pointers */
    if (has_file)
        v->file = v->arena.buf + file_at;
    if (has_unit)
        v->agent_unit = v->arena.buf + unit_at;
    if (has_as)
        v->as = v->arena.buf + as_at;
    for (uint32_t c = 0; c < v->ncols; c++)
        v->cols[c] = v->arena.buf + col_at[c];
    v->nrows = (uint32_t)rows_n;
    for (size_t i = 0; i < (size_t)rows_n * v->ncols; i++)
        v->fields[i] = v->arena.buf + field_at[i];
    free(col_at);
    free(field_at);
    return 0;
bad:
    err_set(e, "malformed submit message");
fail:
    free(col_at);
    free(field_at);
    v->ncols = v->nrows = 0;
    return -1;
}

void submit_pack(sbuf *out, const submit_view *v)
{
    int file = v->file && v->file[0], unit = v->agent_unit && v->agent_unit[0], as = v->as && v->as[0];
    size_t bytes = 64 + SUBMIT_MAX_FILE + 64 + 160 + (size_t)v->ncols * 40; /* the head, at most */
    for (size_t i = 0; i < (size_t)v->nrows * v->ncols; i++)
        bytes += strlen(v->fields[i]) + 5;
    sbuf_reserve(out, bytes + (size_t)v->nrows * 10);
    pack_message(out, MSG_SUBMIT, 3u + (uint32_t)(!!v->compact_ack + file + unit + as));
    pack_str(out, "id");
    pack_int(out, v->id);
    if (v->compact_ack) {
        pack_str(out, "ack");
        pack_str(out, "compact");
    }
    if (file) {
        pack_str(out, "file");
        pack_str(out, v->file);
    }
    if (unit) {
        pack_str(out, "unit");
        pack_str(out, v->agent_unit);
    }
    if (as) {
        pack_str(out, "as");
        pack_str(out, v->as);
    }
    pack_str(out, "cols");
    pack_array(out, v->ncols);
    for (uint32_t c = 0; c < v->ncols; c++)
        pack_str(out, v->cols[c]);
    pack_str(out, "rows");
    pack_array(out, v->nrows);
    for (uint32_t r = 0; r < v->nrows; r++) {
        pack_array(out, v->ncols + 1);
        pack_int(out, v->lines[r]);
        for (uint32_t c = 0; c < v->ncols; c++)
            pack_str(out, submit_field(v, r, c));
    }
}
