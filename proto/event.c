#include "event.h"
#include "proto.h"
#include "reader.h"

#include <stdlib.h>
#include <string.h>

void event_batch_init(event_batch *b)
{
    b->v = NULL;
    b->n = b->cap = 0;
}

void event_batch_clear(event_batch *b)
{
    b->n = 0;
}

void event_batch_free(event_batch *b)
{
    for (uint32_t i = 0; i < b->cap; i++)
        row_free(&b->v[i].row);
    free(b->v);
    event_batch_init(b);
}

/* A text field into a fixed buffer: valid UTF-8, no NUL, and short enough. */
static int text_into(mp_reader *r, char *out, size_t cap)
{
    const char *s;
    size_t n;
    if (mp_str(r, &s, &n) < 0 || n >= cap || !str_utf8_ok(s, n)) /* which refuses a NUL too */
        return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

static int read_event(event_batch *b, mp_reader *r, par_err *e);

/* An array of event maps at the reader's position. */
static int read_events(event_batch *b, mp_reader *r, par_err *e)
{
    uint64_t ne;
    if (mp_array(r, &ne) < 0) {
        err_set(e, "events: not an array");
        return -1;
    }
    for (uint64_t x = 0; x < ne; x++)
        if (read_event(b, r, e) < 0)
            return -1;
    return 0;
}

static event_view *next_slot(event_batch *b)
{
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 64;
        b->v = xrealloc(b->v, cap * sizeof *b->v);
        for (uint32_t i = b->cap; i < cap; i++)
            row_init(&b->v[i].row);
        b->cap = cap;
    }
    return &b->v[b->n];
}

enum { K_SEQ, K_WHAT, K_RECEIVED, K_SENDER, K_ROW, K_T, K_OTHER };

/* An event's key, told by its length first: this runs for every key of every line. */
static int event_key(const char *k, size_t kl)
{
    switch (kl) {
    case 1:
        return k[0] == 't' ? K_T : K_OTHER;
    case 3:
        return !memcmp(k, "seq", 3) ? K_SEQ : !memcmp(k, "row", 3) ? K_ROW : K_OTHER;
    case 4:
        return !memcmp(k, "what", 4) ? K_WHAT : K_OTHER;
    case 6:
        return !memcmp(k, "sender", 6) ? K_SENDER : K_OTHER;
    case 8:
        return !memcmp(k, "received", 8) ? K_RECEIVED : K_OTHER;
    }
    return K_OTHER;
}

/* One event map at the reader's position, into the next slot of b. */
static int read_event(event_batch *b, mp_reader *r, par_err *e)
{
    event_view *ev = next_slot(b);
    ev->seq = 0;
    ev->what[0] = ev->received[0] = ev->sender[0] = '\0';
    ev->row.n = 0;
    uint64_t n;
    int has_seq = 0;
    unsigned seen = 0;
    if (mp_map(r, &n) < 0)
        goto bad;
    for (uint64_t i = 0; i < n; i++) {
        const char *k;
        size_t kl;
        if (mp_str(r, &k, &kl) < 0)
            goto bad;
        int j = event_key(k, kl);
        if (j != K_OTHER) { /* a key that gives the event its meaning may not come twice */
            if (seen & 1u << j)
                goto bad;
            seen |= 1u << j;
        }
        switch (j) {
        case K_SEQ: {
            int64_t seq;
            if (mp_int(r, &seq) < 0 || seq < 0)
                goto bad;
            ev->seq = (uint64_t)seq;
            has_seq = 1;
            break;
        }
        case K_WHAT:
            if (text_into(r, ev->what, sizeof ev->what) < 0)
                goto bad;
            break;
        case K_RECEIVED:
            if (text_into(r, ev->received, sizeof ev->received) < 0)
                goto bad;
            break;
        case K_SENDER:
            if (text_into(r, ev->sender, sizeof ev->sender) < 0)
                goto bad;
            break;
        case K_ROW:
            if (row_read(&ev->row, r, e) < 0)
                goto bad;
            break;
        case K_T: {
            const char *t;
            size_t tl;
            if (mp_str(r, &t, &tl) < 0 || !mp_key_is(t, tl, MSG_EVENT))
                goto bad;
            break;
        }
        default:
            if (mp_skip(r) < 0) /* "v", and fields a newer collector may add */
                goto bad;
        }
    }
    if (!has_seq || !ev->what[0])
        goto bad;
    static const char *const types[EV_COUNT] = {
        [EV_OTHER] = "", [EV_SUBMISSION] = "submission", [EV_SCORE] = "score", [EV_UNIT] = "unit",
        [EV_FRAMEWORK] = "framework", [EV_CRITERION] = "criterion", [EV_TASK] = "task", [EV_SEASON] = "season"};
    ev->type = EV_OTHER;
    for (int t = EV_OTHER + 1; t < EV_COUNT; t++)
        if (!strcmp(ev->what, types[t])) {
            ev->type = (event_type)t;
            break;
        }
    if (ev->type == EV_SUBMISSION)
        row_line(&ev->row, &ev->line);
    else
        row_line(&(row_view){0}, &ev->line);
    b->n++;
    return 0;
bad:
    err_set(e, "a change event is malformed (it needs seq, what and a row of text fields, each once)");
    return -1;
}

/* The readers below take a message in one pass: each value read with the step of its
 * kind, the rest passed over with mp_skip, and the message must end where its map does
 * (reader.h). A message refused half-way adds no event. */

int event_batch_add(event_batch *b, const void *buf, size_t len, par_err *e)
{
    mp_reader r;
    uint32_t first = b->n;
    mp_begin(&r, buf, len);
    if (read_event(b, &r, e) < 0)
        return -1;
    if (r.pos != len) {
        b->n = first;
        err_set(e, "a change event is not one whole message");
        return -1;
    }
    return 0;
}

/* The pairs of a map whose header was read: "events" into b, "last" into *last when
 * asked (either twice is malformed), the rest passed over. */
static int read_pairs(event_batch *b, mp_reader *r, uint64_t n, uint64_t *last, int *events, par_err *e)
{
    int has_last = 0;
    for (uint64_t j = 0; j < n; j++) {
        const char *k;
        size_t kl;
        int64_t l;
        if (mp_str(r, &k, &kl) < 0)
            return -1;
        if (last && mp_key_is(k, kl, "last")) {
            if (has_last++ || mp_int(r, &l) < 0 || l < 0)
                return -1;
            *last = (uint64_t)l;
        } else if (mp_key_is(k, kl, "events")) {
            if ((*events)++ || read_events(b, r, e) < 0)
                return -1;
        } else if (mp_skip(r) < 0) {
            return -1;
        }
    }
    return 0;
}

int event_batch_add_bus(event_batch *b, const void *buf, size_t len, par_err *e)
{
    char type[16];
    if (proto_peek_type(buf, len, type) < 0) {
        err_set(e, "a bus message without a type");
        return -1;
    }
    if (!strcmp(type, MSG_EVENT))
        return event_batch_add(b, buf, len, e);
    mp_reader r;
    uint32_t first = b->n;
    uint64_t n;
    int events = 0;
    e->msg[0] = '\0';
    mp_begin(&r, buf, len);
    if (strcmp(type, MSG_EVENTS) || mp_map(&r, &n) < 0 || read_pairs(b, &r, n, NULL, &events, e) < 0 ||
        r.pos != len) {
        if (!e->msg[0])
            err_set(e, "a bus message is malformed");
        b->n = first;
        return -1;
    }
    return 0;
}

int event_batch_add_changes(event_batch *b, const void *buf, size_t len, uint64_t *last, par_err *e)
{
    mp_reader r;
    uint32_t first = b->n;
    uint64_t n, m;
    int events = 0, data = 0;
    *last = 0;
    e->msg[0] = '\0';
    mp_begin(&r, buf, len);
    if (mp_map(&r, &n) < 0)
        goto bad;
    for (uint64_t j = 0; j < n; j++) {
        const char *k;
        size_t kl;
        if (mp_str(&r, &k, &kl) < 0)
            goto bad;
        if (!mp_key_is(k, kl, "data")) {
            if (mp_skip(&r) < 0)
                goto bad;
        } else if (data++ || mp_map(&r, &m) < 0 || read_pairs(b, &r, m, last, &events, e) < 0) {
            goto bad;
        }
    }
    if (r.pos != len)
        goto bad;
    return 0;
bad:
    if (!e->msg[0])
        err_set(e, "a changes reply is malformed");
    b->n = first;
    return -1;
}

int event_batch_add_pvs(event_batch *b, const pv *events, par_err *e)
{
    uint32_t first = b->n;
    for (uint32_t i = 0; i < events->u.a.n; i++) {
        char *buf;
        size_t len;
        proto_encode(events->u.a.v[i], &buf, &len);
        int rc = event_batch_add(b, buf, len, e);
        free(buf);
        if (rc < 0) {
            b->n = first;
            return -1;
        }
    }
    return 0;
}
