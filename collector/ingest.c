#include "ingest.h"
#include "../proto/pack.h"
#include "../proto/event.h"
#include "../proto/row.h"
#include "../proto/submit.h"
#include "authz.h"
#include "season.h"
#include "validate.h"
#include "../common/csv.h"
#include "../common/table.h"
#include "../common/deadline.h"
#include "../common/log.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Maps a message's column names onto the known ones, like a file header. */
static int map_names(const char *const names[], int n, const char *const known[], unsigned long required, int idx[],
                     par_err *e)
{
    csv_row hdr = {.line = 1, .last_line = 1, .n = n};
    if (hdr.n > CSV_MAX_FIELDS) {
        err_set(e, "too many columns");
        return -1;
    }
    for (int i = 0; i < hdr.n; i++)
        hdr.f[i] = (char *)names[i];
    return csv_header(&hdr, known, required, idx, e);
}

static int map_cols(const pv *msg, const char *const known[], unsigned long required, int idx[], par_err *e)
{
    const pv *cols = pv_get(msg, "cols");
    const char *names[CSV_MAX_FIELDS + 1];
    int n = cols->u.a.n > CSV_MAX_FIELDS ? CSV_MAX_FIELDS + 1 : (int)cols->u.a.n;
    for (int i = 0; i < n && i < CSV_MAX_FIELDS; i++)
        names[i] = cols->u.a.v[i]->u.s.p;
    return map_names(names, n, known, required, idx, e);
}

static const char *field(const pv *row, const int idx[], int col)
{
    return idx[col] < 0 ? NULL : row->u.a.v[1 + idx[col]]->u.s.p;
}

static pv *result(int64_t line)
{
    pv *r = pv_map();
    pv_set_int(r, "line", line);
    return r;
}

/* Buffers one request's lines reuse: a line is packed once, and the stored one read
 * without a value tree (its change-log entry; the line itself in an older store). */
typedef struct {
    sbuf row;
    row_view old;
    event_batch was;
} line_bufs;

/* What a line got: stored now (seq), or found equal to the stored one (its first receipt). */
typedef struct {
    int duplicate;
    uint64_t seq;
    char received[48];
} receipt;

/* A line's key, unit|year|period|kind|key (its fields are bounded well within keyn). */
static size_t line_key(const sub_line *s, char *key, size_t keyn)
{
    char y[12];
    y[sizeof y - 1] = '\0';
    const char *parts[5] = {s->unit, dec_u64(y + sizeof y - 1, (uint64_t)s->year), s->period, s->kind, s->key};
    return str_join_bars(key, keyn, parts, 5);
}

/* Whether the line equals the one stored under its key: a re-sent line keeps its first
 * receipt (even when its season has moved on since: it was taken in time). 1 with the
 * receipt, 0 when it is new or changed, -1 on error. With claim (the line will be stored
 * if new), a new line's key is claimed for it (*claimed: the change it must be logged
 * as); without, the store is only read. */
static int stored_before(record_txn *t, const sub_line *s, char *key, size_t keyn, int claim, receipt *out,
                         line_bufs *lb, uint64_t *prev, uint64_t *claimed, par_err *e)
{
    *prev = *claimed = 0;
    MDB_val k = {line_key(s, key, keyn), key}, v, b;
    par_err ig;
    int rc = claim ? record_claim_line(t, &k, &v, claimed, e) : record_find_line(t, &k, &v, e);
    if (rc != 0)
        return rc == 1 ? 0 : -1; /* new (claimed, or only looked for), or an error */
    /* the stored line's value, date, note and receipt, read from its change or (schema 1)
     * from itself */
    const char *value, *date, *note, *received;
    uint64_t seq;
    int entry = record_line_bytes(t, &v, &b);
    event_batch_clear(&lb->was);
    if (entry == 1 && event_batch_add(&lb->was, b.mv_data, b.mv_size, &ig) == 0) {
        const event_view *ev = &lb->was.v[0];
        seq = ev->seq;
        value = ev->line.value, date = ev->line.date, note = ev->line.note, received = ev->received;
    } else if (entry == 0 && row_decode(&lb->old, b.mv_data, b.mv_size, &ig) == 0) {
        const row_view *o = &lb->old;
        seq = strtoull(row_str(o, "seq"), NULL, 10);
        value = row_str(o, "value"), date = row_str(o, "date"), note = row_str(o, "note");
        received = row_str(o, "received");
    } else { /* a damaged store: the line is stored again, as a new one */
        log_warn("event=stored_line_unreadable key=\"%s\"", key);
        return 0;
    }
    *prev = seq;
    if (strcmp(value, s->value) || strcmp(date, s->date) || strcmp(note, s->note))
        return 0;
    out->duplicate = 1;
    out->seq = seq;
    str_copy(out->received, sizeof out->received, received);
    return 1;
}

/* Stores a new or changed line under key and fills its receipt; a new one's key was
 * claimed for change claimed by stored_before, and only that change is logged. A
 * changed line names the change it replaces (prev: its sequence number), so that a
 * value's history is a chain through the change log; lines of a season carry its phase,
 * and "late" when they came after its deadline and were let in. */
static int store_line(record_txn *t, const sub_line *s, const char *key, uint64_t claimed, uint64_t prev, int phase,
                      int late, const char *sender, const char *received, receipt *out, line_bufs *lb, par_err *e)
{
    char year[12], prevs[24];
    year[sizeof year - 1] = prevs[sizeof prevs - 1] = '\0';
    const char *names[11] = {"unit", "year", "period", "kind", "key", "value", "date", "note"};
    const char *vals[11] = {
        s->unit, dec_u64(year + sizeof year - 1, (uint64_t)s->year), s->period, s->kind, s->key, s->value, s->date,
        s->note};
    int n = 8;
    if (prev) {
        names[n] = "prev";
        vals[n++] = dec_u64(prevs + sizeof prevs - 1, prev);
    }
    if (phase != PHASE_NONE) {
        names[n] = "phase";
        vals[n++] = season_phase_name(phase);
    }
    if (late) {
        names[n] = "late";
        vals[n++] = "1";
    }
    row_pack(&lb->row, names, vals, n);
    uint64_t seq;
    int rc = record_log_packed(t, "submission", lb->row.buf, lb->row.len, received, sender, &seq, e);
    if (rc == 0 && claimed && seq != claimed) { /* nothing is logged between a claim and its line */
        err_set(e, "line %s claimed for change %llu, logged as %llu", key, (unsigned long long)claimed,
                (unsigned long long)seq);
        rc = -1;
    } else if (rc == 0 && !claimed) /* the stored line: its change, which holds it with its receipt */
        rc = record_put_line(t, key, seq, e);
    if (rc == 0) {
        out->duplicate = 0;
        out->seq = seq;
        str_copy(out->received, sizeof out->received, received);
    }
    return rc;
}

static void line_bufs_free(line_bufs *lb)
{
    sbuf_free(&lb->row);
    row_free(&lb->old);
    event_batch_free(&lb->was);
}

/* The answer to one request: a result per line, or one compact ack (reasons only for
 * the lines refused, receipts only for the duplicates: the others were stored in order
 * with consecutive sequence numbers). */
typedef struct {
    int compact;
    pv *results, *refused, *duplicates;
    uint64_t first;
    int64_t stored;
} answer;

static void answer_refused(answer *a, int64_t line, const char *why)
{
    if (a->compact) {
        pv *r = pv_arr();
        pv_push(r, pv_int(line));
        pv_push(r, pv_str(why));
        pv_push(a->refused, r);
        return;
    }
    pv *res = result(line);
    pv_set(res, "ok", pv_bool(0));
    pv_set_str(res, "reason", why);
    pv_push(a->results, res);
}

static void answer_stored(answer *a, int64_t line, const receipt *rc)
{
    if (a->compact && rc->duplicate) {
        pv *r = pv_arr();
        pv_push(r, pv_int(line));
        pv_push(r, pv_int((int64_t)rc->seq));
        pv_push(r, pv_str(rc->received));
        pv_push(a->duplicates, r);
    } else if (a->compact) {
        if (!a->stored++)
            a->first = rc->seq;
    } else {
        pv *res = result(line);
        pv_set(res, "ok", pv_bool(1));
        pv_set_int(res, "seq", (int64_t)rc->seq);
        pv_set_str(res, "received", rc->received);
        if (rc->duplicate)
            pv_set(res, "duplicate", pv_bool(1));
        pv_push(a->results, res);
    }
}

static void answer_finish(answer *a, pv *ack, const char *received)
{
    if (!a->compact) {
        pv_set(ack, "results", a->results);
        return;
    }
    pv_set_str(ack, "received", received);
    pv_set_int(ack, "seq", (int64_t)a->first);
    pv_set_int(ack, "stored", a->stored);
    pv_set(ack, "refused", a->refused);
    pv_set(ack, "duplicates", a->duplicates);
}

/* An agent configured for a unit sends that unit's lines and those below it, whatever
 * the server's mode (without CURVE the sender is not a key that could say so). */
static int agent_scope(record_txn *t, const char *agent_unit, const sub_line *s, const char *today, par_err *why)
{
    if (!*agent_unit || authz_below(t, s->unit, agent_unit, today) == 0)
        return 0;
    err_set(why, "unit %s is neither %s nor below it: the agent of %s does not send for it ([agent] unit)", s->unit,
            agent_unit, agent_unit);
    return -1;
}

static int submit_one(record_txn *t, ingest_req *q, const char *received, par_err *e)
{
    int idx[SUB_NCOLS];
    par_err why;
    const submit_view *v = q->sub;
    pv *ack = proto_msg(MSG_ACK);
    pv_set_int(ack, "id", v->id);
    q->ack = ack;
    q->stored = q->already = 0;
    q->refused = v->nrows; /* until a line is stored */
    q->unit[0] = '\0';
    q->more_units = 0;
    answer a = {v->compact_ack, NULL, NULL, NULL, 0, 0};
    if (a.compact) {
        a.refused = pv_arr();
        a.duplicates = pv_arr();
    } else {
        a.results = pv_arr();
    }
    if (map_names(v->cols, (int)v->ncols, table_cols(TABLE_SUBMISSIONS), table_required(TABLE_SUBMISSIONS), idx,
                  &why) < 0) {
        /* the header is wrong: every line is refused for it */
        for (uint32_t i = 0; i < v->nrows; i++)
            answer_refused(&a, v->lines[i], why.msg);
        answer_finish(&a, ack, received);
        return 0;
    }
    char today[11]; /* the province's date: received is in its time zone */
    snprintf(today, sizeof today, "%.10s", received);
    season_cache seasons;
    memset(&seasons, 0, sizeof seasons);
    sign_digest digest;
    sign_digest_init(&digest);
    line_bufs lb;
    sbuf_init(&lb.row);
    row_init(&lb.old);
    event_batch_init(&lb.was);
    int rc = 0;
    for (uint32_t i = 0; i < v->nrows && rc == 0; i++) {
        const char *f[SUB_NCOLS];
        for (int c = 0; c < SUB_NCOLS; c++)
            f[c] = idx[c] < 0 ? NULL : submit_field(v, i, (uint32_t)idx[c]);
        sub_line s;
        if (v->bad[i]) {
            char bad[160];
            snprintf(bad, sizeof bad, "field '%.40s' holds a NUL, a control character or bytes that are not UTF-8",
                     v->cols[v->bad[i] - 1]);
            answer_refused(&a, v->lines[i], bad);
            continue;
        }
        if (validate_submission(t, f, &s, &why) < 0 || authz_line(t, q->sender, &s, today, &why) < 0 ||
            agent_scope(t, v->agent_unit, &s, today, &why) < 0) {
            answer_refused(&a, v->lines[i], why.msg);
            continue;
        }
        /* the season first (read once a request): a line it refuses is only looked up, for
         * a re-sent line keeps its first receipt; one it lets in claims its key */
        int late, phase;
        const pv *unit = record_unit(t, s.unit);
        const char *level = unit ? pv_get_str(unit, "level") : NULL;
        int in_season = season_check_line(t, &seasons, &s, level ? level : "", received, q->accept_late, &late,
                                          &phase, &why) == 0;
        receipt r;
        char key[400];
        uint64_t prev, claimed;
        int before = stored_before(t, &s, key, sizeof key, in_season, &r, &lb, &prev, &claimed, e);
        if (before < 0) {
            rc = -1;
            break;
        }
        if (!before && !in_season) {
            answer_refused(&a, v->lines[i], why.msg);
            continue;
        }
        if (!before)
            rc = store_line(t, &s, key, claimed, prev, phase, late, q->sender, received, &r, &lb, e);
        if (rc == 0) {
            answer_stored(&a, v->lines[i], &r);
            if (q->key)
                sign_digest_line(&digest, r.seq, r.received, f);
            *(r.duplicate ? &q->already : &q->stored) += 1;
            q->refused--;
            if (!q->unit[0])
                str_copy(q->unit, sizeof q->unit, s.unit);
            else if (strcmp(q->unit, s.unit))
                q->more_units = 1;
        }
    }
    line_bufs_free(&lb);
    answer_finish(&a, ack, received);
    if (q->key && digest.lines) {
        char sig[SIGN_HEX];
        sign_digest_sign(&digest, q->key, sig);
        pv_set_str(ack, "sig", sig);
    }
    return rc;
}

typedef struct {
    ingest_req *reqs;
    int n;
    const char *received;
} submits;

static void drop_acks(submits *b)
{
    for (int i = 0; i < b->n; i++) {
        pv_free(b->reqs[i].ack);
        b->reqs[i].ack = NULL;
    }
}

static int submit_all(record_txn *t, void *ctx, par_err *e)
{
    submits *b = ctx;
    drop_acks(b); /* a run before this one met a full map: nothing of it was stored */
    for (int i = 0; i < b->n; i++)
        if (submit_one(t, &b->reqs[i], b->received, e) < 0)
            return -1;
    return 0;
}

int ingest_submits(record *r, ingest_req *reqs, int n, const char *received, record_events *events,
                   par_err *e)
{
    submits b = {reqs, n, received};
    if (record_write(r, submit_all, &b, events, e) == 0)
        return 0;
    drop_acks(&b);
    return -1;
}

/* ---------- reference data ---------- */

typedef struct {
    pv *errors, *warnings;
    int changed, unchanged;
} import_out;

static void add_issue(pv *list, int64_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_issue(pv *list, int64_t line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pv *x = result(line);
    pv_set_str(x, "reason", msg);
    pv_push(list, x);
}

/* Equal when both encode to the same bytes (same fields in the same order). */
static int same(const pv *a, const pv *b)
{
    if (!a || !b)
        return 0;
    char *x, *y;
    size_t xl, yl;
    proto_encode(a, &x, &xl);
    proto_encode(b, &y, &yl);
    int eq = xl == yl && !memcmp(x, y, xl);
    free(x);
    free(y);
    return eq;
}

/* Puts a record unless it is unchanged; logs the change. */
static int put_logged(record_txn *t, int db, const char *key, const char *what, const pv *row, const char *sender,
                      const char *received, import_out *o, par_err *e)
{
    pv *old = NULL;
    record_get(t, db, key, &old);
    int eq = same(old, row);
    pv_free(old);
    if (eq) {
        o->unchanged++;
        return 0;
    }
    int rc = record_put(t, db, key, row, e);
    if (rc == 0)
        rc = record_log(t, what, row, received, sender, NULL, e);
    if (rc == 0)
        o->changed++;
    return rc;
}

enum { U_ID, U_PARENT, U_LEVEL, U_NAME, U_EMAIL, U_FROM, U_TO, U_SUCC, U_NCOLS };

/* The rows of an import by id (the first row of each), so that checking a file of a
 * million tasks for repeated ids and parents costs a hash lookup a row. */
typedef struct {
    strset ids;
    uint32_t *row; /* row of the k-th distinct id */
} row_index;

static void row_index_build(row_index *x, const pv *rows, const int idx[], int col)
{
    strset_init(&x->ids);
    x->row = xmalloc((rows->u.a.n ? rows->u.a.n : 1) * sizeof *x->row);
    for (uint32_t i = 0; i < rows->u.a.n; i++)
        if (strset_add(&x->ids, field(rows->u.a.v[i], idx, col)))
            x->row[x->ids.n - 1] = i;
}

static void row_index_free(row_index *x)
{
    strset_free(&x->ids);
    free(x->row);
}

/* Row of id in the file, or -1. */
static int find_row(const row_index *x, const char *id)
{
    long k = strset_index(&x->ids, id);
    return k < 0 ? -1 : (int)x->row[k];
}

/* A row's id must be valid and appear once in the file; what names the kind of row. */
static int bad_id(import_out *o, const pv *rows, const row_index *x, const int idx[], int col, uint32_t i,
                  const char *what)
{
    const pv *row = rows->u.a.v[i];
    int64_t line = row->u.a.v[0]->u.i;
    const char *id = field(row, idx, col);
    if (!validate_id(id)) {
        add_issue(o->errors, line, "%s id '%s' is not 1-63 of letters, digits, '.', '_' or '-'", what, id);
        return 1;
    }
    if (find_row(x, id) != (int)i) {
        add_issue(o->errors, line, "%s %s appears twice", what, id);
        return 1;
    }
    return 0;
}

/* The issues in the order of their lines (stable: one line's reasons keep their order). */
static void issues_by_line(pv *list)
{
    for (uint32_t i = 1; i < list->u.a.n; i++) {
        pv *x = list->u.a.v[i];
        int64_t line = pv_get_int(x, "line", 0);
        uint32_t j = i;
        for (; j > 0 && pv_get_int(list->u.a.v[j - 1], "line", 0) > line; j--)
            list->u.a.v[j] = list->u.a.v[j - 1];
        list->u.a.v[j] = x;
    }
}

/* One line of a units file, its dates read. */
typedef struct {
    uint32_t row;  /* in rows */
    int64_t line;
    const char *id;
    char from[11], to[11];
} unit_line;

/* A unit the file names: its spans once merged with the stored ones. */
typedef struct {
    uint32_t first, count; /* its lines, in the sorted order */
    int n;
    validity_span *s;
} unit_merge;

typedef struct {
    record_txn *t;
    const pv *rows;
    const int *idx;
    unit_line *l;   /* the lines that passed the line checks, sorted by id and start */
    uint32_t nl;
    strset ids;     /* the file's units, in the order of l */
    strset refused; /* the ids of lines refused on their own */
    unit_merge *u;
    validity_span tmp[VALIDITY_MAX], work[VALIDITY_MAX];
} units_import;

static int unit_line_cmp(const void *a, const void *b)
{
    const unit_line *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    c = strcmp(x->from, y->from); /* "" (open) first */
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* A period as people read it: "from 01/07/2025 to 30/06/2026", "until 30/06/2025",
 * "from 01/07/2025", "at every date". */
static const char *span_text(const char *from, const char *to, char out[48])
{
    char f[16], t[16];
    validity_vn(from, f);
    validity_vn(to, t);
    if (!*from && !*to)
        snprintf(out, 48, "at every date");
    else if (!*from)
        snprintf(out, 48, "until %s", t);
    else if (!*to)
        snprintf(out, 48, "from %s", f);
    else
        snprintf(out, 48, "from %s to %s", f, t);
    return out;
}

/* The spans of a unit as the import leaves it: the merged ones for a unit of the file,
 * the stored ones otherwise (count; 0 unknown; -1 unreadable). */
static int spans_after(units_import *x, const char *id, const validity_span **out)
{
    long k = strset_index(&x->ids, id);
    if (k >= 0) {
        *out = x->u[k].s;
        return x->u[k].n;
    }
    *out = x->tmp;
    return record_unit_spans(x->t, id, x->tmp, VALIDITY_MAX);
}

/* Reads and checks one line on its own; 1 when it is refused (the reason added). */
static int unit_line_bad(import_out *o, const pv *row, const int idx[], unit_line *ul)
{
    int64_t line = row->u.a.v[0]->u.i;
    const char *id = field(row, idx, U_ID), *email = idx[U_EMAIL] >= 0 ? field(row, idx, U_EMAIL) : "";
    const char *from = idx[U_FROM] >= 0 ? field(row, idx, U_FROM) : "", *to = idx[U_TO] >= 0 ? field(row, idx, U_TO) : "";
    const char *succ = idx[U_SUCC] >= 0 ? field(row, idx, U_SUCC) : "";
    const char *level = field(row, idx, U_LEVEL), *parent = field(row, idx, U_PARENT);
    ul->line = line;
    ul->id = id;
    ul->from[0] = ul->to[0] = '\0';
    if (!validate_id(id)) {
        add_issue(o->errors, line, "unit id '%s' is not 1-63 of letters, digits, '.', '_' or '-'", id);
        return 1;
    }
    if (!*level || !*field(row, idx, U_NAME)) {
        add_issue(o->errors, line, "unit %s needs a level and a name", id);
        return 1;
    }
    if (!validate_emails(email)) {
        add_issue(o->errors, line, "email '%s' is not a list of addresses separated by ';'", email);
        return 1;
    }
    if ((*from && validate_date(from, ul->from) < 0) || (*to && validate_date(to, ul->to) < 0)) {
        add_issue(o->errors, line, "%s '%s' is not a date (day/month/year or YYYY-MM-DD)",
                  *from && validate_date(from, ul->from) < 0 ? "valid_from" : "valid_to",
                  *from && validate_date(from, ul->from) < 0 ? from : to);
        return 1;
    }
    if (*ul->from && *ul->to && strcmp(ul->from, ul->to) > 0) {
        add_issue(o->errors, line, "unit %s: valid_from %s is after valid_to %s", id, from, to);
        return 1;
    }
    if (*succ && !*ul->to) {
        add_issue(o->errors, line, "unit %s names successor %s without valid_to, the last day before it takes over",
                  id, succ);
        return 1;
    }
    if (*succ && (!validate_id(succ) || !strcmp(succ, id))) {
        add_issue(o->errors, line, "successor '%s' of unit %s is not another unit's id", succ, id);
        return 1;
    }
    /* a dated unit's spans are kept as text (validity.h): its level must fit there */
    if ((*ul->from || *ul->to) &&
        (strlen(level) >= VALIDITY_TEXT || strpbrk(level, "|;") || strlen(parent) >= VALIDITY_TEXT)) {
        add_issue(o->errors, line, "level '%s' of dated unit %s is longer than %d bytes or holds '|' or ';'", level,
                  id, VALIDITY_TEXT - 1);
        return 1;
    }
    return 0;
}

/* The spans of one unit of the file: the stored ones before its first line's start
 * (the one running then cut the day before), then the file's. A file that starts a
 * unit at a date is a reorganisation from that date, and what was before it stays. */
static int unit_merge_spans(units_import *x, import_out *o, unit_merge *m)
{
    const unit_line *first = &x->l[m->first];
    validity_span *st = x->tmp;
    int ns = record_unit_spans(x->t, first->id, st, VALIDITY_MAX);
    m->s = NULL;
    m->n = 0;
    if (ns < 0) {
        add_issue(o->errors, first->line, "unit %s: its stored periods cannot be read", first->id);
        return -1;
    }
    m->n = 0;
    m->s = x->work;
    const char *start = first->from;
    for (int i = 0; i < ns && *start; i++) {
        if (strcmp(st[i].from, start) >= 0 && *st[i].from)
            continue; /* starts with the file's lines or later: replaced */
        m->s[m->n] = st[i];
        if (!*st[i].to || strcmp(st[i].to, start) >= 0)
            validity_day_add(start, -1, m->s[m->n].to);
        m->n++;
    }
    for (uint32_t i = 0; i < m->count; i++) {
        const unit_line *ul = &x->l[m->first + i];
        const pv *row = x->rows->u.a.v[ul->row];
        if (m->n == VALIDITY_MAX) {
            add_issue(o->errors, ul->line, "unit %s has more than %d periods", ul->id, VALIDITY_MAX);
            m->s = NULL;
            m->n = 0;
            return -1;
        }
        validity_span *s = &m->s[m->n++];
        str_copy(s->from, sizeof s->from, ul->from);
        str_copy(s->to, sizeof s->to, ul->to);
        str_copy(s->parent, sizeof s->parent, field(row, x->idx, U_PARENT));
        /* an undated unit's level is kept whole in its own field (validity.h) */
        snprintf(s->level, sizeof s->level, "%s", field(row, x->idx, U_LEVEL));
    }
    /* what a province should see before its history changes under it */
    const unit_line *last = &x->l[m->first + m->count - 1];
    int same = ns == m->n;
    for (int i = 0; same && i < ns; i++)
        same = !strcmp(st[i].from, m->s[i].from) && !strcmp(st[i].to, m->s[i].to) &&
               !strcmp(st[i].parent, m->s[i].parent);
    if (ns > 0 && !*start && !same) {
        char w1[48], w2[48];
        const pv *row = x->rows->u.a.v[last->row];
        if (ns > 1 || *st[0].from || *st[0].to)
            add_issue(o->warnings, last->line,
                      "unit %s had dated periods (the first %s, the last %s); rows without valid_from replace them all",
                      last->id, span_text(st[0].from, st[0].to, w1), span_text(st[ns - 1].from, st[ns - 1].to, w2));
        else if (m->count == 1 && strcmp(st[0].parent, field(row, x->idx, U_PARENT)))
            add_issue(o->warnings, last->line,
                      "unit %s moves from parent %s to %s for every year, past rankings included: to move it from a "
                      "date, give that date as valid_from",
                      last->id, *st[0].parent ? st[0].parent : "(none)",
                      *field(row, x->idx, U_PARENT) ? field(row, x->idx, U_PARENT) : "(none)");
    }
    m->s = xmalloc((size_t)m->n * sizeof *m->s);
    memcpy(m->s, x->work, (size_t)m->n * sizeof *m->s);
    return 0;
}

/* The parent of id on day ("" its latest), "" when none. */
static const char *parent_on(units_import *x, const char *id, const char *day)
{
    const validity_span *s;
    int n = spans_after(x, id, &s);
    if (n <= 0)
        return "";
    int i = *day ? validity_at(s, n, day) : n - 1;
    return i < 0 ? "" : s[i].parent;
}

/* Every line's parent must last as long as the line, and its successor must take over
 * the next day; the parent chain must end at a root. */
static void unit_check_tree(units_import *x, import_out *o, const unit_line *ul)
{
    const pv *row = x->rows->u.a.v[ul->row];
    const char *parent = field(row, x->idx, U_PARENT), *succ = x->idx[U_SUCC] >= 0 ? field(row, x->idx, U_SUCC) : "";
    char a[48], b[48];
    if (*parent && !strset_has(&x->refused, parent)) {
        const validity_span *s;
        int n = spans_after(x, parent, &s);
        if (n == 0) {
            add_issue(o->errors, ul->line, "parent %s of unit %s is not a known unit", parent, ul->id);
            return;
        }
        if (n > 0 && !validity_covers(s, n, ul->from, ul->to)) {
            add_issue(o->errors, ul->line, "parent %s of unit %s is not valid all through its period %s (the parent: %s%s)",
                      parent, ul->id, span_text(ul->from, ul->to, a), span_text(s[0].from, s[0].to, b),
                      n > 1 ? ", and later periods" : "");
            return;
        }
    }
    if (*succ && !strset_has(&x->refused, succ)) {
        const validity_span *s;
        int n = spans_after(x, succ, &s);
        char next[11], vn[16];
        validity_day_add(ul->to, 1, next);
        validity_vn(next, vn);
        if (n == 0) {
            add_issue(o->errors, ul->line, "successor %s of unit %s is not a known unit", succ, ul->id);
            return;
        }
        if (n > 0 && validity_at(s, n, next) < 0) {
            add_issue(o->errors, ul->line, "successor %s of unit %s is not valid on %s, the day after %s ends", succ,
                      ul->id, vn, ul->id);
            return;
        }
    }
    /* through the file's units and the stored tree alike, on the line's first day: a
     * cycle would widen what a unit's key may write */
    char p[64];
    str_copy(p, sizeof p, parent);
    for (int steps = 0; *p; steps++) {
        if (!strcmp(p, ul->id) || steps > 100000) {
            add_issue(o->errors, ul->line, "unit %s is its own ancestor (through its parent %s)", ul->id, parent);
            return;
        }
        str_copy(p, sizeof p, parent_on(x, p, ul->from));
    }
}

/* A stored unit the file does not name must not be left under a parent that the file
 * ends before it: the province moves it in the same file. */
static int unit_check_children(units_import *x, import_out *o, par_err *e)
{
    MDB_cursor *cur;
    if (mdb_cursor_open(x->t->txn, store_dbi(record_store(x->t->r), DB_UNITS), &cur)) {
        err_set(e, "cannot read the units");
        return -1;
    }
    MDB_val k, v;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        char id[64];
        if (k.mv_size >= sizeof id)
            continue;
        memcpy(id, k.mv_data, k.mv_size);
        id[k.mv_size] = '\0';
        if (strset_has(&x->ids, id))
            continue;
        validity_span st[VALIDITY_MAX];
        int ns = record_unit_spans(x->t, id, st, VALIDITY_MAX);
        for (int i = 0; i < ns; i++) {
            long pk = strset_index(&x->ids, st[i].parent);
            if (pk < 0 || validity_covers(x->u[pk].s, x->u[pk].n, st[i].from, st[i].to))
                continue;
            const unit_merge *pm = &x->u[pk];
            char a[48], b[48];
            add_issue(o->errors, x->l[pm->first + pm->count - 1].line,
                      "unit %s (stored, not in this file) stays under %s %s, but %s is valid only %s: end it or move "
                      "it in this file",
                      id, st[i].parent, span_text(st[i].from, st[i].to, a), st[i].parent,
                      span_text(pm->s[pm->n - 1].from, pm->s[pm->n - 1].to, b));
            break;
        }
    }
    mdb_cursor_close(cur);
    return 0;
}

/* The stored record of a unit: its last period in the fields every reader knows (the
 * tree as it now stands), the dates only where given, every period when it has
 * several. An undated unit is stored exactly as before dates existed. */
static pv *unit_record(units_import *x, const unit_merge *m)
{
    const unit_line *last = &x->l[m->first + m->count - 1];
    const pv *row = x->rows->u.a.v[last->row];
    const validity_span *s = &m->s[m->n - 1];
    pv *u = pv_map();
    pv_set_str(u, "id", last->id);
    pv_set_str(u, "parent", s->parent);
    pv_set_str(u, "level", field(row, x->idx, U_LEVEL));
    pv_set_str(u, "name", field(row, x->idx, U_NAME));
    pv_set_str(u, "email", x->idx[U_EMAIL] >= 0 ? field(row, x->idx, U_EMAIL) : "");
    if (*s->from)
        pv_set_str(u, "valid_from", s->from);
    if (*s->to)
        pv_set_str(u, "valid_to", s->to);
    if (x->idx[U_SUCC] >= 0 && *field(row, x->idx, U_SUCC))
        pv_set_str(u, "successor", field(row, x->idx, U_SUCC));
    if (m->n > 1) {
        sbuf b;
        sbuf_init(&b);
        validity_write(&b, m->s, m->n);
        pv_set_str(u, "periods", b.buf);
        sbuf_free(&b);
    }
    return u;
}

static int import_units(record_txn *t, const pv *msg, const char *sender, const char *received, import_out *o,
                        par_err *e)
{
    int idx[U_NCOLS], rc = 0, dated = 0;
    par_err why;
    if (map_cols(msg, table_cols(TABLE_UNITS), table_required(TABLE_UNITS), idx, &why) < 0) {
        add_issue(o->errors, 1, "%s", why.msg);
        return 0;
    }
    const pv *rows = pv_get(msg, "rows");
    /* the work spans are large: on the heap, not on the stack */
    units_import *x = xcalloc(1, sizeof *x);
    x->t = t;
    x->rows = rows;
    x->idx = idx;
    x->l = xmalloc((rows->u.a.n + 1) * sizeof *x->l);
    strset_init(&x->ids);
    strset_init(&x->refused);
    for (uint32_t i = 0; i < rows->u.a.n; i++) {
        unit_line *ul = &x->l[x->nl];
        ul->row = i;
        if (!unit_line_bad(o, rows->u.a.v[i], idx, ul)) {
            dated |= *ul->from || *ul->to;
            x->nl++;
        } else {
            strset_add(&x->refused, field(rows->u.a.v[i], idx, U_ID));
        }
    }
    qsort(x->l, x->nl, sizeof *x->l, unit_line_cmp);
    x->u = xcalloc(x->nl + 1, sizeof *x->u);
    /* a unit's lines: one each for periods that do not overlap, the successor on the last */
    for (uint32_t i = 0; i < x->nl; i++) {
        unit_merge *m = &x->u[x->ids.n];
        if (i == 0 || strcmp(x->l[i].id, x->l[i - 1].id)) {
            strset_add(&x->ids, x->l[i].id);
            m = &x->u[x->ids.n - 1];
            m->first = i;
            m->count = 1;
            continue;
        }
        m = &x->u[x->ids.n - 1];
        const unit_line *a = &x->l[i - 1], *b = &x->l[i];
        char sa[48], sb[48];
        m->count++;
        if (!*a->from && !*a->to && !*b->from && !*b->to)
            add_issue(o->errors, b->line, "unit %s appears twice", b->id);
        else if (validity_overlap(a->from, a->to, b->from, b->to))
            add_issue(o->errors, b->line, "unit %s: its period %s overlaps line %lld's (%s)", b->id,
                      span_text(b->from, b->to, sb), (long long)a->line, span_text(a->from, a->to, sa));
        else if (idx[U_SUCC] >= 0 && *field(rows->u.a.v[a->row], idx, U_SUCC))
            add_issue(o->errors, a->line, "unit %s: only its last period names a successor (line %lld comes after)",
                      a->id, (long long)b->line);
    }
    /* the tree is checked even after a line was refused, so that one reading gives every
     * reason; a refused line's unit is not named again as unknown */
    for (size_t k = 0; k < x->ids.n; k++)
        unit_merge_spans(x, o, &x->u[k]);
    for (uint32_t i = 0; i < x->nl; i++)
        unit_check_tree(x, o, &x->l[i]);
    if (dated && (rc = unit_check_children(x, o, e)) < 0)
        goto done;
    if (o->errors->u.a.n) {
        issues_by_line(o->errors);
        goto done;
    }
    /* written in the file's order of first lines, as before dates existed */
    uint8_t *written = xcalloc(x->ids.n + 1, 1);
    for (uint32_t i = 0; i < rows->u.a.n && rc == 0; i++) {
        long k = strset_index(&x->ids, field(rows->u.a.v[i], idx, U_ID));
        if (k < 0 || written[k])
            continue;
        written[k] = 1;
        pv *u = unit_record(x, &x->u[k]);
        rc = put_logged(t, DB_UNITS, pv_get_str(u, "id"), "unit", u, sender, received, o, e);
        pv_free(u);
    }
    free(written);
done:
    for (size_t k = 0; k < x->ids.n; k++)
        free(x->u[k].s);
    strset_free(&x->ids);
    strset_free(&x->refused);
    free(x->u);
    free(x->l);
    free(x);
    return rc;
}

enum { F_INDEX, F_YEAR, F_LEVEL, F_ID, F_NAME, F_MAX, F_METHOD, F_FORMULA, F_OWNER, F_NCOLS };

/* Parent of a dotted id ("1.2" of "1.2.1"), empty for a top-level one. */
static void crit_parent(const char *id, char *out, size_t n)
{
    const char *dot = strrchr(id, '.');
    size_t l = dot ? (size_t)(dot - id) : 0;
    if (l >= n)
        l = n - 1;
    memcpy(out, id, l);
    out[l] = '\0';
}

static int same_group(const pv *a, const pv *b, const int idx[])
{
    return !strcmp(field(a, idx, F_INDEX), field(b, idx, F_INDEX)) &&
           !strcmp(field(a, idx, F_YEAR), field(b, idx, F_YEAR)) &&
           !strcmp(field(a, idx, F_LEVEL), field(b, idx, F_LEVEL));
}

static int find_crit(const pv *rows, const int idx[], const pv *like, const char *id)
{
    for (uint32_t i = 0; i < rows->u.a.n; i++)
        if (same_group(rows->u.a.v[i], like, idx) && !strcmp(field(rows->u.a.v[i], idx, F_ID), id))
            return (int)i;
    return -1;
}

static int has_children(const pv *rows, const int idx[], const pv *row)
{
    const char *id = field(row, idx, F_ID);
    for (uint32_t i = 0; i < rows->u.a.n; i++) {
        char p[64];
        if (!same_group(rows->u.a.v[i], row, idx))
            continue;
        crit_parent(field(rows->u.a.v[i], idx, F_ID), p, sizeof p);
        if (!strcmp(p, id))
            return 1;
    }
    return 0;
}

/* Replaces the stored framework of one (index, year, level) by the file's rows. */
static int replace_framework(record_txn *t, const pv *rows, const int idx[], const pv *first, const char *sender,
                             const char *received, import_out *o, par_err *e)
{
    const char *index = field(first, idx, F_INDEX), *year = field(first, idx, F_YEAR),
               *level = field(first, idx, F_LEVEL);
    season pub = {.moves = NULL};
    par_err ig;
    if (season_get(t, index, atoi(year), level, &pub, &ig) == 1 && pub.phase == PHASE_PUBLISHED) {
        add_issue(o->errors, first->u.a.v[0]->u.i,
                  "the %s %s season (level %s) was published by decision %s of %s: its framework no longer changes",
                  index, year, level, pub.decision, pub.decision_date);
        return 0;
    }
    char prefix[200];
    snprintf(prefix, sizeof prefix, "%s|%s|%s|", index, year, level);
    /* the new framework as stored records, in file order */
    pv *fresh = pv_map();
    int count = 0;
    for (uint32_t i = 0; i < rows->u.a.n; i++) {
        const pv *row = rows->u.a.v[i];
        if (!same_group(row, first, idx))
            continue;
        pv *c = pv_map();
        for (int k = 0; k < F_OWNER; k++)
            pv_set_str(c, table_cols(TABLE_FRAMEWORK)[k], idx[k] >= 0 ? field(row, idx, k) : "");
        if (idx[F_OWNER] >= 0) /* only where the file says: frameworks without owners stay as they were */
            pv_set_str(c, "owner", field(row, idx, F_OWNER));
        pv_set(c, "leaf", pv_bool(!has_children(rows, idx, row)));
        pv_set(fresh, field(row, idx, F_ID), c);
        count++;
    }
    /* what is stored now, to tell an unchanged re-import from a change */
    MDB_cursor *cur;
    MDB_val k = {strlen(prefix), prefix}, v;
    int rc = mdb_cursor_open(t->txn, store_dbi(record_store(t->r), DB_FW), &cur);
    if (rc) {
        pv_free(fresh);
        err_set(e, "cursor: %s", mdb_strerror(rc));
        return -1;
    }
    int stored = 0, differs = 0;
    pv *old_ids = pv_arr();
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && k.mv_size >= strlen(prefix) &&
                                                          !memcmp(k.mv_data, prefix, strlen(prefix));
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        pv *old = NULL;
        par_err ig;
        stored++;
        pv_push(old_ids, pv_strn((char *)k.mv_data + strlen(prefix), k.mv_size - strlen(prefix)));
        if (proto_decode_value(v.mv_data, v.mv_size, &old, &ig) < 0) {
            differs = 1;
            continue;
        }
        const pv *now = pv_get(fresh, pv_get_str(old, "id") ? pv_get_str(old, "id") : "");
        if (!same(old, now))
            differs = 1;
        pv_free(old);
    }
    mdb_cursor_close(cur);
    if (!differs && stored == count) {
        o->unchanged += count;
        pv_free(fresh);
        pv_free(old_ids);
        return 0;
    }
    rc = 0;
    for (uint32_t i = 0; i < old_ids->u.a.n && rc == 0; i++) {
        char key[256], idkey[200];
        snprintf(key, sizeof key, "%s%s", prefix, old_ids->u.a.v[i]->u.s.p);
        snprintf(idkey, sizeof idkey, "%s|%s|%s", year, level, old_ids->u.a.v[i]->u.s.p);
        rc = record_del(t, DB_FW, key, e);
        if (rc == 0)
            rc = record_del_dup(t, DB_FWID, idkey, index, e);
    }
    for (uint32_t i = 0; i < fresh->u.m.n && rc == 0; i++) {
        char key[256], idkey[200];
        snprintf(key, sizeof key, "%s%s", prefix, fresh->u.m.kv[i].k);
        snprintf(idkey, sizeof idkey, "%s|%s|%s", year, level, fresh->u.m.kv[i].k);
        rc = record_put(t, DB_FW, key, fresh->u.m.kv[i].v, e);
        if (rc == 0)
            rc = record_put_dup(t, DB_FWID, idkey, index, e);
    }
    if (rc == 0) {
        /* "framework" says the group is replaced; a "criterion" event per row follows,
         * so that a subscriber rebuilds it from the change log alone */
        pv *ev = pv_map();
        char n[16];
        snprintf(n, sizeof n, "%d", count);
        pv_set_str(ev, "index", index);
        pv_set_str(ev, "year", year);
        pv_set_str(ev, "level", level);
        pv_set_str(ev, "criteria", n);
        rc = record_log(t, "framework", ev, received, sender, NULL, e);
        pv_free(ev);
        for (uint32_t i = 0; i < fresh->u.m.n && rc == 0; i++) {
            pv *c = pv_copy(fresh->u.m.kv[i].v);
            pv_set_str(c, "leaf", pv_get_bool(c, "leaf", 0) ? "1" : "0");
            rc = record_log(t, "criterion", c, received, sender, NULL, e);
            pv_free(c);
        }
        o->changed += count;
    }
    pv_free(fresh);
    pv_free(old_ids);
    return rc;
}

static int import_framework(record_txn *t, const pv *msg, const char *sender, const char *received, import_out *o,
                            par_err *e)
{
    int idx[F_NCOLS];
    par_err why;
    if (map_cols(msg, table_cols(TABLE_FRAMEWORK), table_required(TABLE_FRAMEWORK), idx, &why) < 0) {
        add_issue(o->errors, 1, "%s", why.msg);
        return 0;
    }
    const pv *rows = pv_get(msg, "rows");
    for (uint32_t i = 0; i < rows->u.a.n; i++) {
        const pv *row = rows->u.a.v[i];
        int64_t line = row->u.a.v[0]->u.i, year;
        const char *index = field(row, idx, F_INDEX), *id = field(row, idx, F_ID);
        const char *method = field(row, idx, F_METHOD), *formula = idx[F_FORMULA] >= 0 ? field(row, idx, F_FORMULA) : "";
        double max;
        if (!validate_id(index)) {
            add_issue(o->errors, line, "index '%s' is not a name like PAR or SIPAS", index);
            continue;
        }
        if (str_to_i64(field(row, idx, F_YEAR), &year) < 0 || year < 2000 || year > 2100) {
            add_issue(o->errors, line, "year '%s' is not a year from 2000 to 2100", field(row, idx, F_YEAR));
            continue;
        }
        if (!*field(row, idx, F_LEVEL) || strchr(field(row, idx, F_LEVEL), '|')) {
            add_issue(o->errors, line, "level '%s' is empty or has a '|'", field(row, idx, F_LEVEL));
            continue;
        }
        if (!validate_crit_id(id)) {
            add_issue(o->errors, line, "id '%s' is not a dotted criterion id like 1.2.1", id);
            continue;
        }
        if (!strcmp(id, "total")) { /* INDEX:total names the whole index in submissions */
            add_issue(o->errors, line, "id 'total' is kept for the whole index: give the criterion another id");
            continue;
        }
        if (find_crit(rows, idx, row, id) != (int)i) {
            add_issue(o->errors, line, "criterion %s appears twice in %s %s", id, index, field(row, idx, F_YEAR));
            continue;
        }
        if (!*field(row, idx, F_NAME)) {
            add_issue(o->errors, line, "criterion %s has no name", id);
            continue;
        }
        if (idx[F_OWNER] >= 0 && *field(row, idx, F_OWNER) && !record_unit(t, field(row, idx, F_OWNER))) {
            add_issue(o->errors, line, "owner %s of criterion %s is not a unit in the registry",
                      field(row, idx, F_OWNER), id);
            continue;
        }
        if (str_to_num(field(row, idx, F_MAX), &max) < 0 || max <= 0) {
            add_issue(o->errors, line, "max '%s' of criterion %s is not a positive number", field(row, idx, F_MAX), id);
            continue;
        }
        char parent[64];
        crit_parent(id, parent, sizeof parent);
        if (*parent && find_crit(rows, idx, row, parent) < 0) {
            add_issue(o->errors, line, "criterion %s has no parent %s in the file", id, parent);
            continue;
        }
        int leaf = !has_children(rows, idx, row);
        if (leaf && strcmp(method, "self") && strcmp(method, "survey") && strcmp(method, "computed")) {
            add_issue(o->errors, line, "leaf criterion %s needs method self, survey or computed (not '%s')", id, method);
            continue;
        }
        if (!leaf && *method) {
            add_issue(o->errors, line, "criterion %s has sub-criteria, so its method must be empty", id);
            continue;
        }
        if (!leaf && *formula && strcmp(formula, "mean")) {
            add_issue(o->errors, line, "criterion %s has sub-criteria: its formula may only be mean (or empty)", id);
            continue;
        }
        if (leaf && !strcmp(method, "computed") != !!*formula) {
            add_issue(o->errors, line, "criterion %s: a formula goes with method computed, and only there", id);
            continue;
        }
        if (!leaf && !*formula) {
            double sum = 0, cm;
            for (uint32_t j = 0; j < rows->u.a.n; j++) {
                char p[64];
                if (!same_group(rows->u.a.v[j], row, idx))
                    continue;
                crit_parent(field(rows->u.a.v[j], idx, F_ID), p, sizeof p);
                if (!strcmp(p, id) && str_to_num(field(rows->u.a.v[j], idx, F_MAX), &cm) == 0)
                    sum += cm;
            }
            if (fabs(sum - max) > 1e-6)
                add_issue(o->warnings, line, "criterion %s: max %g but its sub-criteria add up to %g", id, max, sum);
        }
    }
    if (o->errors->u.a.n)
        return 0;
    for (uint32_t i = 0; i < rows->u.a.n; i++) {
        const pv *row = rows->u.a.v[i];
        int first = 1;
        for (uint32_t j = 0; j < i && first; j++)
            if (same_group(rows->u.a.v[j], row, idx))
                first = 0;
        if (!first)
            continue;
        int rc = replace_framework(t, rows, idx, row, sender, received, o, e);
        if (rc < 0)
            return rc;
    }
    return 0;
}

enum { T_PLAN, T_ID, T_LEAD, T_SUPPORT, T_INDEX, T_CRIT, T_TARGET, T_TASK, T_DEADLINE };

static int import_tasks(record_txn *t, const pv *msg, const char *sender, const char *received, import_out *o,
                        par_err *e)
{
    int idx[9];
    par_err why;
    if (map_cols(msg, table_cols(TABLE_TASKS), table_required(TABLE_TASKS), idx, &why) < 0) {
        add_issue(o->errors, 1, "%s", why.msg);
        return 0;
    }
    const pv *rows = pv_get(msg, "rows");
    row_index x;
    row_index_build(&x, rows, idx, T_ID);
    for (uint32_t i = 0; i < rows->u.a.n; i++) {
        const pv *row = rows->u.a.v[i];
        int64_t line = row->u.a.v[0]->u.i;
        const char *id = field(row, idx, T_ID), *lead = field(row, idx, T_LEAD);
        const char *support = idx[T_SUPPORT] >= 0 ? field(row, idx, T_SUPPORT) : "";
        const char *crit = idx[T_CRIT] >= 0 ? field(row, idx, T_CRIT) : "";
        if (bad_id(o, rows, &x, idx, T_ID, i, "task"))
            continue;
        if (!*field(row, idx, T_PLAN) || !*field(row, idx, T_TASK)) {
            add_issue(o->errors, line, "task %s needs a plan and a text", id);
            continue;
        }
        if (!record_exists(t, DB_UNITS, lead)) {
            add_issue(o->errors, line, "lead unit '%s' of task %s is not a known unit", lead, id);
            continue;
        }
        char p[256];
        int bad = 0;
        for (const char *l = support; !bad && str_list_next(&l, p, sizeof p);) {
            if (*p && !record_exists(t, DB_UNITS, p)) {
                add_issue(o->errors, line, "supporting unit '%s' of task %s is not a known unit", p, id);
                bad = 1;
            }
        }
        if (bad)
            continue;
        if (*crit && !validate_crit_id(crit)) {
            add_issue(o->errors, line, "criterion '%s' of task %s is not a dotted id like 1.2.1", crit, id);
            continue;
        }
        deadline d;
        char dropped[256];
        deadline_parse(field(row, idx, T_DEADLINE), &d);
        if (deadline_dropped(field(row, idx, T_DEADLINE), &d, dropped, sizeof dropped)) {
            char as[96];
            deadline_format(&d, as, sizeof as);
            add_issue(o->warnings, line, "task %s: deadline '%s' read as %s; not read: '%s'", id,
                      field(row, idx, T_DEADLINE), as, dropped);
        }
        if (d.kind == DL_UNKNOWN || d.kind == DL_NONE)
            add_issue(o->warnings, line, "task %s: deadline '%s' is not a date we can read; kept as text", id,
                      field(row, idx, T_DEADLINE));
    }
    row_index_free(&x);
    if (o->errors->u.a.n)
        return 0;
    for (uint32_t i = 0; i < rows->u.a.n; i++) {
        const pv *row = rows->u.a.v[i];
        pv *task = pv_map();
        for (int c = 0; c < 9; c++)
            pv_set_str(task, table_cols(TABLE_TASKS)[c], idx[c] >= 0 ? field(row, idx, c) : "");
        deadline d;
        char at[64];
        deadline_parse(field(row, idx, T_DEADLINE), &d);
        deadline_format(&d, at, sizeof at);
        pv_set_str(task, "deadline_kind", deadline_kind_name(d.kind));
        pv_set_str(task, "deadline_at", at);
        int rc = put_logged(t, DB_TASKS, field(row, idx, T_ID), "task", task, sender, received, o, e);
        pv_free(task);
        if (rc < 0)
            return rc;
    }
    return 0;
}

typedef struct {
    const pv *msg;
    const char *what, *sender, *received;
    import_out o;
} import_run;

/* An import is all or nothing: with errors, nothing is written. */
static int import_all(record_txn *t, void *ctx, par_err *e)
{
    import_run *x = ctx;
    pv_free(x->o.errors); /* a run before this one met a full map */
    pv_free(x->o.warnings);
    x->o = (import_out){pv_arr(), pv_arr(), 0, 0};
    int rc;
    if (!strcmp(x->what, "units"))
        rc = import_units(t, x->msg, x->sender, x->received, &x->o, e);
    else if (!strcmp(x->what, "framework"))
        rc = import_framework(t, x->msg, x->sender, x->received, &x->o, e);
    else if (!strcmp(x->what, "tasks"))
        rc = import_tasks(t, x->msg, x->sender, x->received, &x->o, e);
    else {
        add_issue(x->o.errors, 0, "cannot import '%s': units, framework or tasks", x->what);
        rc = 0;
    }
    if (rc < 0)
        return -1;
    return x->o.errors->u.a.n ? STORE_NOTHING : 0;
}

int ingest_import(record *r, const pv *msg, const char *sender, const char *received, pv **reply_data,
                  record_events *events, par_err *e)
{
    const char *what = pv_get_str(msg, "what");
    *reply_data = NULL;
    memset(events, 0, sizeof *events);
    par_err denied;
    if (authz_admin(sender, "import reference data", &denied) < 0) {
        pv *d = pv_map(), *errors = pv_arr();
        add_issue(errors, 0, "%s", denied.msg);
        pv_set_str(d, "what", what);
        pv_set_int(d, "rows", 0);
        pv_set_int(d, "changed", 0);
        pv_set_int(d, "unchanged", 0);
        pv_set(d, "errors", errors);
        pv_set(d, "warnings", pv_arr());
        *reply_data = d;
        return 0;
    }
    import_run x = {msg, what, sender, received, {NULL, NULL, 0, 0}};
    int rc = record_write(r, import_all, &x, events, e);
    if (rc < 0) {
        pv_free(x.o.errors);
        pv_free(x.o.warnings);
        return -1;
    }
    pv *d = pv_map();
    pv_set_str(d, "what", what);
    pv_set_int(d, "rows", (int64_t)pv_get(msg, "rows")->u.a.n);
    pv_set_int(d, "changed", x.o.errors->u.a.n ? 0 : x.o.changed);
    pv_set_int(d, "unchanged", x.o.errors->u.a.n ? 0 : x.o.unchanged);
    pv_set(d, "errors", x.o.errors);
    pv_set(d, "warnings", x.o.warnings);
    *reply_data = d;
    return 0;
}
