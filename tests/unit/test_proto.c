/* proto: every message type round-trips; every malformed input is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../proto/event.h"
#include "../../proto/pack.h"
#include "../../proto/submit.h"
#include "../../proto/proto.h"
#include "../../proto/season.h"

static pv *rows_msg(const char *type)
{
    pv *m = proto_msg(type);
    pv_set_int(m, "id", 42);
    pv *cols = pv_arr();
    pv_push(cols, pv_str("unit"));
    pv_push(cols, pv_str("value"));
    pv_set(m, "cols", cols);
    pv *rows = pv_arr();
    pv *r = pv_arr();
    pv_push(r, pv_int(2));
    pv_push(r, pv_str("TDG"));
    pv_push(r, pv_str("Tiêu chí 1.2.1: báo cáo muộn"));
    pv_push(rows, r);
    pv_set(m, "rows", rows);
    return m;
}

static pv *sample(const char *type)
{
    if (!strcmp(type, MSG_SUBMIT))
        return rows_msg(type);
    if (!strcmp(type, MSG_IMPORT)) {
        pv *m = rows_msg(type);
        pv_set_str(m, "what", "units");
        return m;
    }
    pv *m = proto_msg(type);
    if (!strcmp(type, MSG_ACK)) {
        pv_set_int(m, "id", 7);
        pv *res = pv_arr(), *r = pv_map();
        pv_set_int(r, "line", 3);
        pv_set(r, "ok", pv_bool(1));
        pv_set_int(r, "seq", 99);
        pv_set_str(r, "received", "2024-12-31T08:00:00.000+07:00");
        pv_push(res, r);
        pv_set(m, "results", res);
    } else if (!strcmp(type, MSG_QUERY)) {
        pv_set_int(m, "id", 8);
        pv_set_str(m, "q", "export");
        pv *a = pv_map();
        pv_set_str(a, "unit", "TDG");
        pv_set(m, "args", a);
    } else if (!strcmp(type, MSG_REPLY)) {
        pv_set_int(m, "id", 9);
        pv_set(m, "ok", pv_bool(1));
        pv *d = pv_map();
        pv_set(d, "total", pv_float(78.12));
        pv_set(d, "rank", pv_int(-4));
        pv_set(d, "none", pv_nil());
        pv_set(m, "data", d);
    } else if (!strcmp(type, MSG_EVENT)) {
        pv_set_int(m, "seq", 1LL << 40);
        pv_set_str(m, "what", "submission");
        pv *row = pv_map();
        pv_set_str(row, "unit", "TDG");
        pv_set(m, "row", row);
        pv_set_str(m, "received", "2024-12-31T08:00:00.000+07:00");
        pv_set_str(m, "sender", "anonymous");
    } else if (!strcmp(type, MSG_HB)) {
        pv_set_str(m, "service", "collector");
        pv_set_int(m, "seq", 12);
    } else if (!strcmp(type, MSG_ERROR)) {
        pv_set_int(m, "id", 10);
        pv_set_str(m, "code", "unavailable");
        pv_set_str(m, "message", "service collector unavailable");
    }
    return m;
}

static void same_bytes(const pv *a, const pv *b)
{
    char *x, *y;
    size_t xl, yl;
    proto_encode(a, &x, &xl);
    proto_encode(b, &y, &yl);
    assert_int_equal(xl, yl);
    assert_memory_equal(x, y, xl);
    free(x);
    free(y);
}

static void test_round_trip(void **st)
{
    (void)st;
    const char *types[] = {MSG_SUBMIT, MSG_ACK, MSG_IMPORT, MSG_QUERY, MSG_REPLY, MSG_EVENT, MSG_HB, MSG_ERROR};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        pv *m = sample(types[i]), *back = NULL;
        char *buf;
        size_t len;
        par_err e;
        proto_encode(m, &buf, &len);
        assert_int_equal(proto_decode(buf, len, &back, &e), 0);
        assert_string_equal(proto_type(back), types[i]);
        same_bytes(m, back);
        char type[16];
        int64_t id;
        assert_int_equal(proto_peek(buf, len, type, &id), 0);
        assert_string_equal(type, types[i]);
        assert_int_equal(id, pv_get_int(m, "id", 0));
        free(buf);
        pv_free(m);
        pv_free(back);
    }
}

static void expect_refused(const void *buf, size_t len, const char *why_contains)
{
    pv *out = (pv *)1;
    par_err e = {{0}};
    assert_int_equal(proto_decode(buf, len, &out, &e), -1);
    assert_null(out);
    if (why_contains && !strstr(e.msg, why_contains))
        fail_msg("reason '%s' does not mention '%s'", e.msg, why_contains);
    /* the collector's typed reader of submissions refuses whatever the decoder refuses */
    submit_view v;
    submit_init(&v);
    assert_int_equal(submit_decode(&v, buf, len, &e), -1);
    submit_free(&v);
}

static void refuse_msg(pv *m, const char *why)
{
    char *buf;
    size_t len;
    proto_encode(m, &buf, &len);
    expect_refused(buf, len, why);
    free(buf);
    pv_free(m);
}

static void test_refuses_bad_bytes(void **st)
{
    (void)st;
    pv *m = sample(MSG_SUBMIT);
    char *buf;
    size_t len;
    proto_encode(m, &buf, &len);
    for (size_t cut = 0; cut < len; cut++) /* every truncation */
        expect_refused(buf, cut, NULL);
    char *more = malloc(len + 1);
    memcpy(more, buf, len);
    more[len] = (char)0xc0;
    expect_refused(more, len + 1, "after the message");
    free(more);
    free(buf);
    pv_free(m);

    /* an array header claiming 2^32-1 elements in 5 bytes */
    const unsigned char bomb[] = {0xdd, 0xff, 0xff, 0xff, 0xff};
    expect_refused(bomb, sizeof bomb, NULL);
    /* a map claiming 65535 pairs with 2 bytes left */
    const unsigned char mapbomb[] = {0xde, 0xff, 0xff, 0xa1, 'a'};
    expect_refused(mapbomb, sizeof mapbomb, NULL);
    /* a string longer than the buffer */
    const unsigned char str[] = {0x81, 0xa1, 't', 0xdb, 0x7f, 0xff, 0xff, 0xff, 'x'};
    expect_refused(str, sizeof str, NULL);
    /* 40 nested arrays */
    unsigned char deep[41];
    memset(deep, 0x91, 40);
    deep[40] = 0xc0;
    expect_refused(deep, sizeof deep, NULL);
    /* bin and ext types */
    const unsigned char bin[] = {0x81, 0xa1, 't', 0xc4, 0x01, 'x'};
    expect_refused(bin, sizeof bin, NULL);
    const unsigned char ext[] = {0x81, 0xa1, 't', 0xd4, 0x01, 0x01};
    expect_refused(ext, sizeof ext, NULL);
    /* a map key that is not a string */
    const unsigned char intkey[] = {0x81, 0x01, 0x01};
    expect_refused(intkey, sizeof intkey, NULL);
    /* duplicate keys */
    const unsigned char dup[] = {0x83, 0xa1, 'v', 0x01, 0xa1, 't', 0xa2, 'h', 'b', 0xa1, 't', 0xa2, 'h', 'b'};
    expect_refused(dup, sizeof dup, "duplicate");
    /* invalid UTF-8 */
    const unsigned char utf[] = {0x82, 0xa1, 'v', 0x01, 0xa1, 't', 0xa2, 0xc3, 0x28};
    expect_refused(utf, sizeof utf, "UTF-8");
    /* not a map */
    const unsigned char arr[] = {0x90};
    expect_refused(arr, sizeof arr, "map");
    expect_refused("", 0, NULL);
}

static void test_refuses_bad_schema(void **st)
{
    (void)st;
    pv *m = sample(MSG_HB);
    pv_set_int(m, "v", 2);
    refuse_msg(m, "version");

    m = proto_msg("launch");
    refuse_msg(m, "unknown message type");

    m = sample(MSG_SUBMIT);
    pv_set_str(m, "id", "forty-two");
    refuse_msg(m, "wrong type");

    m = proto_msg(MSG_ERROR);
    pv_set_int(m, "id", 1);
    refuse_msg(m, "without 'code'");

    m = sample(MSG_SUBMIT); /* a row one field short */
    pv *rows = (pv *)pv_get(m, "rows");
    pv *r = rows->u.a.v[0];
    pv_free(r->u.a.v[--r->u.a.n]);
    refuse_msg(m, "rows[0]");

    m = sample(MSG_SUBMIT); /* a field that is not a string */
    rows = (pv *)pv_get(m, "rows");
    pv_push(rows->u.a.v[0], pv_int(1));
    refuse_msg(m, "rows[0]");

    m = sample(MSG_QUERY); /* query arguments are strings */
    pv_set((pv *)pv_get(m, "args"), "year", pv_int(2023));
    refuse_msg(m, "args.year");
}

static void test_values(void **st)
{
    (void)st;
    pv *m = pv_map();
    pv_set_str(m, "a", "x");
    pv_set_str(m, "a", "y"); /* replaces */
    assert_int_equal(m->u.m.n, 1);
    assert_string_equal(pv_get_str(m, "a"), "y");
    assert_null(pv_get_str(m, "b"));
    assert_int_equal(pv_get_int(m, "a", -5), -5);
    pv *c = pv_copy(m);
    same_bytes(m, c);
    pv_free(m);
    pv_free(c);
    /* big and negative integers keep their value */
    pv *v = pv_arr(), *back;
    pv_push(v, pv_int(INT64_MIN));
    pv_push(v, pv_int(INT64_MAX));
    pv_push(v, pv_int(-1));
    char *buf;
    size_t len;
    par_err e;
    proto_encode(v, &buf, &len);
    assert_int_equal(proto_decode_value(buf, len, &back, &e), 0);
    assert_int_equal(back->u.a.v[0]->u.i, INT64_MIN);
    assert_int_equal(back->u.a.v[1]->u.i, INT64_MAX);
    assert_int_equal(back->u.a.v[2]->u.i, -1);
    free(buf);
    pv_free(v);
    pv_free(back);
}

/* The direct packer writes the bytes proto_encode writes, so that a record packed on
 * a hot path reads the same everywhere. */
static void test_pack_matches_encode(void **st)
{
    (void)st;
    const int64_t ints[] = {0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295LL, 4294967296LL, INT64_MAX,
                            -1, -32, -33, -128, -129, -32768, -32769, INT32_MIN, (int64_t)INT32_MIN - 1, INT64_MIN};
    char big[70000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    const size_t lens[] = {0, 1, 31, 32, 255, 256, 65535, 65536, sizeof big - 1};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0] + sizeof lens / sizeof lens[0]; i++) {
        pv *v;
        sbuf b;
        sbuf_init(&b);
        if (i < sizeof ints / sizeof ints[0]) {
            v = pv_int(ints[i]);
            pack_int(&b, ints[i]);
        } else {
            size_t l = lens[i - sizeof ints / sizeof ints[0]];
            v = pv_strn(big, l);
            pack_strn(&b, big, l);
        }
        char *buf;
        size_t len;
        proto_encode(v, &buf, &len);
        assert_int_equal(len, b.len);
        assert_memory_equal(buf, b.buf, len);
        free(buf);
        pv_free(v);
        sbuf_free(&b);
    }
}

/* One event message, as the bus carries it. */
static int add_event(event_batch *b, const pv *ev, par_err *e)
{
    char *buf;
    size_t len;
    proto_encode(ev, &buf, &len);
    int rc = event_batch_add(b, buf, len, e);
    free(buf);
    return rc;
}

/* An event read as a view gives the fields the value tree has; a malformed one is refused. */
static void test_event_view(void **st)
{
    (void)st;
    pv *ev = proto_msg(MSG_EVENT), *row = pv_map();
    pv_set_int(ev, "seq", 4711);
    pv_set_str(ev, "what", "submission");
    pv_set_str(row, "unit", "TDG");
    pv_set_str(row, "note", "Báo cáo gửi ngày 26/5/2023");
    pv_set(ev, "row", row);
    pv_set_str(ev, "received", "2024-12-31T08:00:00.000+07:00");
    pv_set_str(ev, "sender", "unit:TDG");
    event_batch b;
    event_batch_init(&b);
    par_err e;
    assert_int_equal(add_event(&b, ev, &e), 0);
    assert_int_equal(b.n, 1);
    assert_int_equal(b.v[0].seq, 4711);
    assert_string_equal(b.v[0].what, "submission");
    assert_int_equal(b.v[0].type, EV_SUBMISSION);
    assert_string_equal(b.v[0].sender, "unit:TDG");
    assert_string_equal(row_str(&b.v[0].row, "note"), "Báo cáo gửi ngày 26/5/2023");
    assert_string_equal(row_str(&b.v[0].row, "absent"), "");
    /* a submission's fields by name, read once: those it lacks are "" */
    assert_string_equal(b.v[0].line.unit, "TDG");
    assert_string_equal(b.v[0].line.note, "Báo cáo gửi ngày 26/5/2023");
    assert_string_equal(b.v[0].line.key, "");
    assert_string_equal(b.v[0].line.value, "");
    /* a page of changes, as the collector answers */
    pv *events = pv_arr(), *data = pv_map();
    pv_push(events, pv_copy(ev));
    pv_set_int(ev, "seq", 4712);
    pv_push(events, pv_copy(ev));
    pv_set(data, "events", events);
    pv_set_int(data, "last", 4712);
    pv *reply = proto_reply(3, data);
    char *buf;
    size_t len;
    proto_encode(reply, &buf, &len);
    uint64_t last;
    assert_int_equal(event_batch_add_changes(&b, buf, len, &last, &e), 0);
    assert_int_equal(b.n, 3);
    assert_int_equal(last, 4712);
    assert_int_equal(b.v[2].seq, 4712);
    /* cut short: refused, nothing added */
    assert_int_equal(event_batch_add_changes(&b, buf, len - 3, &last, &e), -1);
    assert_int_equal(b.n, 3);
    free(buf);
    /* the bus carries a commit's events in one message */
    sbuf bus;
    sbuf_init(&bus);
    char *one;
    size_t one_len;
    proto_encode(ev, &one, &one_len);
    pack_message(&bus, MSG_EVENTS, 1);
    pack_str(&bus, "events");
    pack_array(&bus, 2);
    pack_raw(&bus, one, one_len);
    pack_raw(&bus, one, one_len);
    assert_int_equal(event_batch_add_bus(&b, bus.buf, bus.len, &e), 0);
    assert_int_equal(b.n, 5);
    assert_int_equal(event_batch_add_bus(&b, one, one_len, &e), 0); /* a lone event still reads */
    assert_int_equal(b.n, 6);
    assert_int_equal(event_batch_add_bus(&b, bus.buf, bus.len - 1, &e), -1);
    assert_int_equal(b.n, 6);
    pv *decoded = NULL; /* and the decoder knows the type */
    assert_int_equal(proto_decode(bus.buf, bus.len, &decoded, &e), 0);
    pv_free(decoded);
    free(one);
    sbuf_free(&bus);
    /* a row that is not a submission leaves the line empty */
    pv *unit = proto_msg(MSG_EVENT), *urow = pv_map();
    pv_set_int(unit, "seq", 4713);
    pv_set_str(unit, "what", "unit");
    pv_set_str(urow, "unit", "TDG");
    pv_set(unit, "row", urow);
    assert_int_equal(add_event(&b, unit, &e), 0);
    assert_string_equal(b.v[b.n - 1].line.unit, "");
    assert_int_equal(b.v[b.n - 1].type, EV_UNIT);
    /* what a follower does not know is told apart too */
    pv_set_int(unit, "seq", 4714);
    pv_set_str(unit, "what", "evidence");
    assert_int_equal(add_event(&b, unit, &e), 0);
    assert_int_equal(b.v[b.n - 1].type, EV_OTHER);
    pv_free(unit);
    /* a key that gives the event its meaning, twice: refused, not the last one taken (and
     * the same event without the second key reads) */
    const char *twice[] = {"seq", "what", "row", "sender", "received", "t", NULL};
    for (int k = 0; k < 7; k++) {
        sbuf dup;
        sbuf_init(&dup);
        pack_map(&dup, twice[k] ? 7 : 6);
        pack_str(&dup, "t");
        pack_str(&dup, MSG_EVENT);
        pack_str(&dup, "seq");
        pack_int(&dup, 9);
        pack_str(&dup, "what");
        pack_str(&dup, "submission");
        pack_str(&dup, "row");
        pack_map(&dup, 1);
        pack_str(&dup, "unit");
        pack_str(&dup, "TDG");
        pack_str(&dup, "sender");
        pack_str(&dup, "unit:TDG");
        pack_str(&dup, "received");
        pack_str(&dup, "2024-12-31T08:00:00.000+07:00");
        if (twice[k]) {
            pack_str(&dup, twice[k]);
            if (!strcmp(twice[k], "seq"))
                pack_int(&dup, 10);
            else if (!strcmp(twice[k], "row"))
                pack_map(&dup, 0);
            else
                pack_str(&dup, !strcmp(twice[k], "t") ? MSG_EVENT : "x");
        }
        uint32_t before = b.n;
        assert_int_equal(event_batch_add(&b, dup.buf, dup.len, &e), twice[k] ? -1 : 0);
        assert_int_equal(b.n, before + !twice[k]);
        sbuf_free(&dup);
    }
    /* no seq: not an event */
    pv *bad = proto_msg(MSG_EVENT);
    pv_set_str(bad, "what", "unit");
    assert_int_equal(add_event(&b, bad, &e), -1);
    pv_free(bad);
    pv_free(reply);
    pv_free(ev);
    event_batch_free(&b);
}

/* row_line finds each field of a line as row_str does: every name, the neighbours that
 * share a first letter (kind and key), names it does not know. */
static void test_row_line(void **st)
{
    (void)st;
    sbuf b;
    sbuf_init(&b);
    const char *keys[] = {"kind", "key", "kx", "unit", "year", "period", "value", "date", "note", "", "v", "units"};
    const char *vals[] = {"score", "PAR:1.3", "x", "TDG", "2023", "Y", "1.5", "31/05/2023", "ghi chú", "e", "w", "u"};
    row_pack(&b, keys, vals, 12);
    row_view r;
    row_init(&r);
    par_err e;
    assert_int_equal(row_decode(&r, b.buf, b.len, &e), 0);
    line_view l;
    row_line(&r, &l);
    const char *names[] = {"unit", "year", "period", "kind", "key", "value", "date", "note"};
    const char *got[] = {l.unit, l.year, l.period, l.kind, l.key, l.value, l.date, l.note};
    for (int i = 0; i < 8; i++)
        assert_string_equal(got[i], row_str(&r, names[i]));
    assert_string_equal(l.key, "PAR:1.3");
    row_pack(&b, keys, vals, 0); /* an empty row */
    assert_int_equal(row_decode(&r, b.buf, b.len, &e), 0);
    row_line(&r, &l);
    assert_string_equal(l.unit, "");
    assert_string_equal(l.note, "");
    /* names of one length and first letter are told apart; a name twice is refused */
    const char *near[] = {"kx", "value", "ky", "valuf"}, *twice[] = {"value", "kx", "", "value"};
    row_pack(&b, near, vals, 4);
    assert_int_equal(row_decode(&r, b.buf, b.len, &e), 0);
    assert_string_equal(row_str(&r, "ky"), "x");
    row_pack(&b, twice, vals, 4);
    assert_int_equal(row_decode(&r, b.buf, b.len, &e), -1);
    assert_non_null(strstr(e.msg, "names field 'value' twice"));
    row_free(&r);
    sbuf_free(&b);
}

/* A submit message read as views gives what the value tree has. */
static void test_submit_view(void **st)
{
    (void)st;
    pv *m = sample(MSG_SUBMIT);
    char *buf;
    size_t len;
    proto_encode(m, &buf, &len);
    submit_view v;
    submit_init(&v);
    par_err e;
    for (int round = 0; round < 2; round++) { /* the second time into the buffers of the first */
        assert_int_equal(submit_decode(&v, buf, len, &e), 0);
        assert_int_equal(v.id, 42);
        assert_int_equal(v.ncols, 2);
        assert_int_equal(v.nrows, 1);
        assert_string_equal(v.cols[1], "value");
        assert_int_equal(v.lines[0], 2);
        assert_string_equal(submit_field(&v, 0, 0), "TDG");
        assert_string_equal(submit_field(&v, 0, 1), "Tiêu chí 1.2.1: báo cáo muộn");
    }
    free(buf);
    assert_int_equal(v.bad[0], 0);
    /* a field with a NUL byte inside is not cut: its line is marked, to be refused alone
     * (the message and its other lines are read) */
    pv *rows = (pv *)pv_get(m, "rows");
    pv *r = rows->u.a.v[0];
    pv_free(r->u.a.v[1]);
    r->u.a.v[1] = pv_strn("TDG\0XYZ", 7);
    pv *good = pv_copy(r);
    pv_free(good->u.a.v[1]);
    good->u.a.v[1] = pv_str("TDG");
    good->u.a.v[0]->u.i = 3;
    pv_push(rows, good);
    proto_encode(m, &buf, &len);
    assert_int_equal(submit_decode(&v, buf, len, &e), 0);
    assert_int_equal(v.nrows, 2);
    assert_int_equal(v.bad[0], 1); /* column 0, "unit" */
    assert_int_equal(v.bad[1], 0);
    assert_string_equal(submit_field(&v, 1, 0), "TDG");
    free(buf);
    pv_free(m);
    submit_free(&v);
}

/* A batch packed from views is, byte for byte, the message the value tree made (the
 * same keys in the same order), with and without the optional head fields; and reads
 * back as the rows it was packed from. */
static void test_submit_pack(void **st)
{
    (void)st;
    static const char *cols[] = {"unit", "year", "note"};
    int64_t lines[] = {2, 3, 70000};
    static const char *fields[] = {"TDG", "2023", "Tiêu chí 1.2.1: báo cáo muộn", "SNV", "2024", "",
                                   "X", "1", "a note of more than thirty-one bytes, then more"};
    for (int head = 0; head < 2; head++) {
        pv *m = proto_msg(MSG_SUBMIT);
        pv_set_int(m, "id", 300 + head);
        if (head) {
            pv_set_str(m, "ack", "compact");
            pv_set_str(m, "file", "tamduong-2023.csv");
            pv_set_str(m, "unit", "TDG");
            pv_set_str(m, "as", "official:lan");
        }
        pv *c = pv_arr(), *rows = pv_arr();
        for (int i = 0; i < 3; i++)
            pv_push(c, pv_str(cols[i]));
        for (int r = 0; r < 3; r++) {
            pv *row = pv_arr();
            pv_push(row, pv_int(lines[r]));
            for (int i = 0; i < 3; i++)
                pv_push(row, pv_str(fields[r * 3 + i]));
            pv_push(rows, row);
        }
        pv_set(m, "cols", c);
        pv_set(m, "rows", rows);
        char *want;
        size_t wlen;
        proto_encode(m, &want, &wlen);

        submit_view v;
        memset(&v, 0, sizeof v);
        v.id = 300 + head;
        v.compact_ack = head;
        v.file = head ? "tamduong-2023.csv" : "";
        v.agent_unit = head ? "TDG" : NULL; /* NULL and "" both mean not said */
        v.as = head ? "official:lan" : "";
        v.ncols = 3;
        memcpy(v.cols, cols, sizeof cols);
        v.nrows = 3;
        v.lines = lines;
        v.fields = fields;
        sbuf b;
        sbuf_init(&b);
        submit_pack(&b, &v);
        assert_int_equal(b.len, wlen);
        assert_memory_equal(b.buf, want, wlen);

        submit_view back;
        submit_init(&back);
        par_err e;
        assert_int_equal(submit_decode(&back, b.buf, b.len, &e), 0);
        assert_int_equal(back.id, 300 + head);
        assert_int_equal(back.compact_ack, head);
        assert_string_equal(back.file, v.file);
        assert_string_equal(back.agent_unit, head ? "TDG" : "");
        assert_int_equal(back.nrows, 3);
        for (int r = 0; r < 3; r++) {
            assert_int_equal(back.lines[r], lines[r]);
            for (uint32_t i = 0; i < 3; i++)
                assert_string_equal(submit_field(&back, (uint32_t)r, i), fields[r * 3 + (int)i]);
        }
        submit_free(&back);
        sbuf_free(&b);
        free(want);
        pv_free(m);
    }
}

/* A season record comes back as it was packed, moves included; a head-only read passes
 * the moves over; a truncated or altered record is refused, never half read. */
static void test_season_record(void **state)
{
    (void)state;
    static season_move moves[SEASON_MAX_MOVES], back_moves[SEASON_MAX_MOVES];
    season s = {.index = "PAR", .level = "district", .year = 2023, .phase = PHASE_PUBLISHED,
                .phase_at = "2024-06-20T08:00:00+07:00", .self_until = "2024-01-31",
                .decision = "1234/QĐ-UBND", .decision_date = "2024-06-20", .nmoves = 2, .moves = moves};
    moves[0] = (season_move){.phase = PHASE_SELF, .at = "2024-01-10T08:00:00+07:00", .by = "admin:ops",
                             .until = "2024-01-31"};
    moves[1] = (season_move){.phase = PHASE_PUBLISHED, .at = "2024-06-20T08:00:00+07:00", .by = "admin:ops",
                             .decision = "1234/QĐ-UBND", .date = "2024-06-20", .reason = "Tờ trình số 5"};
    sbuf b;
    sbuf_init(&b);
    proto_season_pack(&s, &b);
    season back = {.moves = back_moves}, head = {.moves = NULL};
    par_err e;
    assert_int_equal(proto_season_unpack(&back, b.buf, b.len, &e), 0);
    assert_string_equal(back.decision, "1234/QĐ-UBND");
    assert_int_equal(back.phase, PHASE_PUBLISHED);
    assert_int_equal(back.nmoves, 2);
    assert_string_equal(back.moves[1].reason, "Tờ trình số 5");
    assert_string_equal(back.moves[0].until, "2024-01-31");
    assert_int_equal(proto_season_unpack(&head, b.buf, b.len, &e), 0);
    assert_string_equal(head.self_until, "2024-01-31");
    assert_null(head.moves);
    for (size_t cut = 0; cut < b.len; cut++)
        assert_int_equal(proto_season_unpack(&back, b.buf, cut, &e), -1);
    b.buf[1] = 2; /* a version this program does not read */
    assert_int_equal(proto_season_unpack(&back, b.buf, b.len, &e), -1);
    assert_int_equal(season_phase_of("explanation"), PHASE_EXPLANATION);
    assert_int_equal(season_phase_of("draft"), -1);
    sbuf_free(&b);
}

/* The agent reads an ack line by line (ack_cursor): a compact ack and a result a line
 * that say the same read the same, line for line. */
static void test_ack_cursor(void **st)
{
    (void)st;
    const int64_t lines[] = {2, 3, 4, 5, 6};
    const char *at = "2024-12-31T08:00:00.000+07:00", *before = "2024-12-30T10:00:00.000+07:00";
    pv *compact = proto_msg(MSG_ACK), *full = proto_msg(MSG_ACK), *res = pv_arr();
    pv_set_str(compact, "received", at);
    pv_set_int(compact, "seq", 40);
    pv_set_int(compact, "stored", 3);
    pv *refused = pv_arr(), *r = pv_arr(), *dups = pv_arr(), *d = pv_arr();
    pv_push(r, pv_int(4));
    pv_push(r, pv_str("unknown unit XYZ"));
    pv_push(refused, r);
    pv_push(d, pv_int(5));
    pv_push(d, pv_int(7));
    pv_push(d, pv_str(before));
    pv_push(dups, d);
    pv_set(compact, "refused", refused);
    pv_set(compact, "duplicates", dups);
    /* the same, a result a line: 2, 3 stored as 40, 41; 4 refused; 5 there since 7; 6 as 42 */
    for (int i = 0; i < 5; i++) {
        pv *x = pv_map();
        pv_set_int(x, "line", lines[i]);
        pv_set(x, "ok", pv_bool(lines[i] != 4));
        if (lines[i] == 4) {
            pv_set_str(x, "reason", "unknown unit XYZ");
        } else {
            pv_set_int(x, "seq", lines[i] == 5 ? 7 : lines[i] == 6 ? 42 : 38 + lines[i]);
            pv_set_str(x, "received", lines[i] == 5 ? before : at);
            if (lines[i] == 5)
                pv_set(x, "duplicate", pv_bool(1));
        }
        pv_push(res, x);
    }
    pv_set(full, "results", res);
    ack_cursor a, b;
    ack_cursor_init(&a, compact);
    ack_cursor_init(&b, full);
    for (int i = 0; i < 5; i++) {
        ack_line x, y;
        ack_cursor_next(&a, lines[i], &x);
        ack_cursor_next(&b, lines[i], &y);
        assert_int_equal(x.line, lines[i]);
        assert_int_equal(x.line, y.line);
        assert_int_equal(x.ok, y.ok);
        assert_int_equal(x.duplicate, y.duplicate);
        assert_string_equal(x.reason, y.reason);
        assert_string_equal(x.received, y.received);
        if (x.ok)
            assert_int_equal(x.seq, y.seq);
    }
    /* both answers add up */
    assert_int_equal(ack_cursor_done(&a), 0);
    assert_int_equal(ack_cursor_done(&b), 0);
    /* a line the full ack has no result for is not taken as stored */
    ack_line z;
    ack_cursor_next(&b, 7, &z);
    assert_false(z.ok);
    assert_int_equal(ack_cursor_done(&b), -1); /* nor does that answer add up */
    /* compact answers that do not add up: one line fewer stored than said, a refusal or a
     * duplicate for a line not sent (their numbers would go to the wrong lines) */
    for (int k = 0; k < 3; k++) {
        pv *bad = pv_copy(compact);
        if (k == 0)
            pv_set_int(bad, "stored", 4);
        pv *extra = pv_arr();
        pv_push(extra, pv_int(9));
        if (k == 2)
            pv_push(extra, pv_int(8));
        pv_push(extra, pv_str(k == 1 ? "late" : before));
        if (k)
            pv_push((pv *)pv_get(bad, k == 1 ? "refused" : "duplicates"), extra);
        else
            pv_free(extra);
        ack_cursor c;
        ack_cursor_init(&c, bad);
        for (int i = 0; i < 5; i++) {
            ack_line x;
            ack_cursor_next(&c, lines[i], &x);
        }
        assert_int_equal(ack_cursor_done(&c), -1);
        pv_free(bad);
    }
    /* refused given as text, not a list: read as no refusal, not as one */
    pv *odd = pv_copy(compact);
    pv_set_str(odd, "refused", "xxxxxxxxxxxxxxxx");
    ack_cursor c;
    ack_cursor_init(&c, odd);
    ack_line o;
    ack_cursor_next(&c, 4, &o);
    assert_true(o.ok);
    pv_free(odd);
    pv *expanded = proto_ack_results(compact, lines, 5);
    same_bytes(expanded, res);
    pv_free(expanded);
    pv_free(compact);
    pv_free(full);
}

/* One event map {seq, what, row {unit: u}} into b. */
static void pack_event(sbuf *b, int64_t seq, const char *unit)
{
    pack_map(b, 3);
    pack_str(b, "seq");
    pack_int(b, seq);
    pack_str(b, "what");
    pack_str(b, "submission");
    pack_str(b, "row");
    pack_map(b, 1);
    pack_str(b, "unit");
    pack_str(b, unit);
}

/* The one-pass readers hold a message to what proto_skip held it to before they read
 * it: counts within the bytes left and PROTO_MAX_ITEMS, strings within PROTO_MAX_STR,
 * nothing after the message, no key twice where it would change the meaning; and a
 * message refused half-way adds no event. */
/* A bus message's type is read from its head: found after a field of any size, and
 * without an id (the walk for one crossed a whole batch of events). */
static void test_peek_type(void **st)
{
    (void)st;
    sbuf b;
    sbuf_init(&b);
    pack_map(&b, 3);
    pack_str(&b, "v");
    pack_int(&b, PROTO_VERSION);
    pack_str(&b, "events");
    pack_array(&b, 3);
    for (int i = 0; i < 3; i++)
        pack_str(&b, "an event");
    pack_str(&b, "t");
    pack_str(&b, MSG_EVENTS);
    char type[16];
    int64_t id = 7;
    assert_int_equal(proto_peek_type(b.buf, b.len, type), 0);
    assert_string_equal(type, MSG_EVENTS);
    assert_int_equal(proto_peek_head(b.buf, b.len, type, &id), 0);
    assert_int_equal(id, 0);
    assert_int_equal(proto_peek_type(b.buf, b.len - 1, type), -1); /* cut in its type */
    b.len = 0;
    pack_message(&b, MSG_EVENT, 0);
    assert_int_equal(proto_peek_type(b.buf, b.len, type), 0);
    assert_string_equal(type, MSG_EVENT);
    b.len = 0;
    pack_map(&b, 1);
    pack_str(&b, "v");
    pack_int(&b, PROTO_VERSION);
    assert_int_equal(proto_peek_type(b.buf, b.len, type), -1); /* no type */
    sbuf_free(&b);
}

static void test_one_pass_limits(void **st)
{
    (void)st;
    event_batch b;
    event_batch_init(&b);
    par_err e;
    sbuf m;
    sbuf_init(&m);
    /* a bus batch of two: read */
    pack_message(&m, MSG_EVENTS, 1);
    pack_str(&m, "events");
    pack_array(&m, 2);
    pack_event(&m, 1, "TDG");
    pack_event(&m, 2, "TUY");
    assert_int_equal(event_batch_add_bus(&b, m.buf, m.len, &e), 0);
    assert_int_equal(b.n, 2);
    assert_string_equal(row_str(&b.v[1].row, "unit"), "TUY");
    /* the same with a byte after it: refused, nothing added */
    sbuf_add(&m, "\xc0", 1);
    assert_int_equal(event_batch_add_bus(&b, m.buf, m.len, &e), -1);
    assert_int_equal(b.n, 2);
    /* a count the bytes cannot carry */
    m.len = 0;
    pack_message(&m, MSG_EVENTS, 1);
    pack_str(&m, "events");
    pack_array(&m, 1000);
    for (int i = 0; i < 3; i++)
        pack_event(&m, 3 + i, "TDG");
    assert_int_equal(event_batch_add_bus(&b, m.buf, m.len, &e), -1);
    assert_int_equal(b.n, 2);
    /* one past PROTO_MAX_ITEMS, every one there (the smallest events: 3 MB): refused
     * before any is held, as a whole-message walk refused it */
    m.len = 0;
    pack_message(&m, MSG_EVENTS, 1);
    pack_str(&m, "events");
    pack_array(&m, PROTO_MAX_ITEMS + 1);
    for (int i = 0; i <= PROTO_MAX_ITEMS; i++) {
        pack_map(&m, 2);
        pack_str(&m, "seq");
        pack_int(&m, i);
        pack_str(&m, "what");
        pack_str(&m, "x");
    }
    assert_int_equal(event_batch_add_bus(&b, m.buf, m.len, &e), -1);
    assert_int_equal(b.n, 2);
    assert_true(b.cap < 1024);
    /* "events" twice */
    m.len = 0;
    pack_message(&m, MSG_EVENTS, 2);
    for (int k = 0; k < 2; k++) {
        pack_str(&m, "events");
        pack_array(&m, 1);
        pack_event(&m, 10 + k, "TDG");
    }
    assert_int_equal(event_batch_add_bus(&b, m.buf, m.len, &e), -1);
    assert_int_equal(b.n, 2);
    /* a changes page: "data" twice, "last" twice, a byte after it */
    uint64_t last;
    for (int k = 0; k < 4; k++) {
        m.len = 0;
        pack_message(&m, MSG_REPLY, k == 1 ? 3 : 2);
        pack_str(&m, "id");
        pack_int(&m, 5);
        pack_str(&m, "data");
        pack_map(&m, k == 2 ? 3 : 2);
        pack_str(&m, "last");
        pack_int(&m, 9);
        if (k == 2) {
            pack_str(&m, "last");
            pack_int(&m, 0);
        }
        pack_str(&m, "events");
        pack_array(&m, 1);
        pack_event(&m, 9, "TDG");
        if (k == 1) {
            pack_str(&m, "data");
            pack_map(&m, 1);
            pack_str(&m, "last");
            pack_int(&m, 0);
        }
        if (k == 3)
            sbuf_add(&m, "\xc0", 1);
        assert_int_equal(event_batch_add_changes(&b, m.buf, m.len, &last, &e), k == 0 ? 0 : -1);
        assert_int_equal(b.n, k == 0 ? 3 : 3);
        if (k == 0)
            assert_int_equal(last, 9);
    }
    /* a row value longer than PROTO_MAX_STR */
    char *big = malloc(PROTO_MAX_STR + 2);
    memset(big, 'x', PROTO_MAX_STR + 1);
    big[PROTO_MAX_STR + 1] = '\0';
    m.len = 0;
    pack_message(&m, MSG_EVENTS, 1);
    pack_str(&m, "events");
    pack_array(&m, 1);
    pack_event(&m, 20, big);
    assert_int_equal(event_batch_add_bus(&b, m.buf, m.len, &e), -1);
    assert_int_equal(b.n, 3);
    /* a submit: a field longer than PROTO_MAX_STR, more rows than its bytes, a byte after */
    submit_view v;
    submit_init(&v);
    for (int k = 0; k < 4; k++) {
        m.len = 0;
        pack_message(&m, MSG_SUBMIT, 3);
        pack_str(&m, "id");
        pack_int(&m, 1);
        pack_str(&m, "cols");
        pack_array(&m, 1);
        pack_str(&m, "unit");
        pack_str(&m, "rows");
        pack_array(&m, k == 2 ? 50 : 1);
        pack_array(&m, 2);
        pack_int(&m, 2);
        if (k == 1)
            pack_str(&m, big);
        else
            pack_str(&m, "TDG");
        if (k == 3)
            sbuf_add(&m, "\xc0", 1);
        assert_int_equal(submit_decode(&v, m.buf, m.len, &e), k == 0 ? 0 : -1);
    }
    submit_free(&v);
    free(big);
    sbuf_free(&m);
    event_batch_free(&b);

    /* a string value holds the n bytes it was given, a NUL among them */
    pv *x = pv_strn("TDG\0XYZ", 7);
    assert_int_equal(x->u.s.n, 7);
    assert_memory_equal(x->u.s.p, "TDG\0XYZ", 8);
    pv_free(x);
}

/* The reference: Unicode's table of well-formed byte sequences (Table 3-7), byte ranges
 * by lead byte, and the controls text may not hold (tab, line feed and return may). */
static int utf8_ref(const unsigned char *p, size_t n)
{
    static const struct {
        unsigned char lead_lo, lead_hi, len, lo1, hi1; /* second byte's range; later ones 80-BF */
    } forms[] = {{0xc2, 0xdf, 2, 0x80, 0xbf}, {0xe0, 0xe0, 3, 0xa0, 0xbf}, {0xe1, 0xec, 3, 0x80, 0xbf},
                 {0xed, 0xed, 3, 0x80, 0x9f}, {0xee, 0xef, 3, 0x80, 0xbf}, {0xf0, 0xf0, 4, 0x90, 0xbf},
                 {0xf1, 0xf3, 4, 0x80, 0xbf}, {0xf4, 0xf4, 4, 0x80, 0x8f}};
    for (size_t i = 0; i < n;) {
        if (p[i] < 0x80) {
            if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r') || p[i] == 0x7f)
                return 0;
            i++;
            continue;
        }
        size_t f = 0;
        while (f < sizeof forms / sizeof *forms && !(p[i] >= forms[f].lead_lo && p[i] <= forms[f].lead_hi))
            f++;
        if (f == sizeof forms / sizeof *forms || n - i < forms[f].len || p[i + 1] < forms[f].lo1 ||
            p[i + 1] > forms[f].hi1)
            return 0;
        for (size_t k = 2; k < forms[f].len; k++)
            if (p[i + k] < 0x80 || p[i + k] > 0xbf)
                return 0;
        i += forms[f].len;
    }
    return 1;
}

/* 1 when str_utf8_ok and the reference disagree on p's n bytes, judged in a buffer of
 * exactly n bytes: a read past the end is AddressSanitizer's to see */
static int judged_apart(const unsigned char *p, size_t n)
{
    char *exact = malloc(n ? n : 1);
    memcpy(exact, p, n);
    int apart = str_utf8_ok(exact, n) != utf8_ref(p, n);
    free(exact);
    return apart;
}

/* str_utf8_ok steps over eight plain bytes at once: every byte value at every position of
 * a word, and random mixes of text, controls and broken sequences, judged as the
 * byte-at-a-time reference judges them. */
static void test_utf8_words(void **st)
{
    (void)st;
    unsigned char b[64];
    int bad = 0;
    for (size_t len = 1; len <= 24; len++)
        for (size_t at = 0; at < len; at++)
            for (unsigned c = 0; c < 256; c++) {
                memset(b, 'a', len);
                b[at] = (unsigned char)c;
                bad += judged_apart(b, len);
            }
    assert_int_equal(bad, 0);
    assert_true(str_utf8_ok("Huyện Tam Đường\tTDG,2024\r\n", strlen("Huyện Tam Đường\tTDG,2024\r\n")));
    assert_false(str_utf8_ok("abcdefgh\x7fijklmnop", 17));
    assert_false(str_utf8_ok("abcdefghijklmno\x1f", 16));
    assert_false(str_utf8_ok("abcdefg\xc3", 8)); /* a sequence cut by the end */
    static const char *const parts[] = {"a", "Z", " ", "~", "\t", "\n", "\x01", "\x7f", "\x80", "\xc3\xa1",
                                        "\xe1\xbb\x87", "\xf0\x9f\x98\x80", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                        "\xe1\xbb", "\xff", "abcdefgh", "0123456789"};
    unsigned seed = 12345;
    for (int round = 0; round < 200000; round++) {
        size_t n = 0;
        memset(b, 0xff, sizeof b);
        int pieces = rand_r(&seed) % 12;
        for (int k = 0; k < pieces; k++) {
            const char *pc = parts[(size_t)rand_r(&seed) % (sizeof parts / sizeof *parts)];
            size_t pl = strlen(pc);
            if (n + pl > sizeof b)
                break;
            memcpy(b + n, pc, pl);
            n += pl;
        }
        bad += judged_apart(b, n);
    }
    assert_int_equal(bad, 0);
    /* every lead and second byte, with a good tail, at each place among ASCII bytes: the
     * table's edges (C1/C2, E0 9F/A0, ED 9F/A0, F0 8F/90, F4 8F/90, F5) all met */
    for (unsigned lead = 0x80; lead < 0x100; lead++)
        for (unsigned second = 0; second < 0x100; second++)
            for (size_t at = 0; at < 12; at += 5) {
                unsigned char w[24];
                memset(w, 'a', sizeof w);
                w[at] = (unsigned char)lead, w[at + 1] = (unsigned char)second;
                for (unsigned k = 2; k < (lead >= 0xf0 ? 4u : lead >= 0xe0 ? 3u : 2u); k++)
                    w[at + k] = 0x80;
                bad += judged_apart(w, sizeof w);
            }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_ack_cursor),
        cmocka_unit_test(test_one_pass_limits),
        cmocka_unit_test(test_peek_type),
        cmocka_unit_test(test_refuses_bad_bytes),
        cmocka_unit_test(test_refuses_bad_schema),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_pack_matches_encode),
        cmocka_unit_test(test_event_view),
        cmocka_unit_test(test_row_line),
        cmocka_unit_test(test_submit_view),
        cmocka_unit_test(test_submit_pack),
        cmocka_unit_test(test_season_record),
        cmocka_unit_test(test_utf8_words),
    };
    return cmocka_run_group_tests_name("proto", tests, NULL, NULL);
}
