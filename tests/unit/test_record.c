/* record and ingest: idempotence, the change log, imports all-or-nothing, growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "../../collector/ingest.h"
#include "../../collector/query.h"
#include "../../collector/round.h"
#include "../../collector/season.h"
#include "../../common/sign.h"
#include "../../common/store.h"
#include "../../proto/pack.h"

static const char lines[] = "unit,year,period,kind,key,value,date,note\n"
                            "TDG,2023,Y,score,1.2.2,9,,\n"
                            "TUY,2023,Y,score,1.2.2,8,,\n";

static int64_t changes(fixture *f, int64_t since, pv **events)
{
    pv *q = proto_msg(MSG_QUERY), *data;
    pv_set_str(q, "q", "changes");
    pv *args = pv_map();
    char s[32];
    snprintf(s, sizeof s, "%lld", (long long)since);
    pv_set_str(args, "since", s);
    pv_set(q, "args", args);
    par_err e;
    assert_int_equal(query_answer(f->rec, q, &data, &e), 0);
    int64_t last = pv_get_int(data, "last", -1);
    *events = pv_copy(pv_get(data, "events"));
    pv_free(data);
    pv_free(q);
    return last;
}

static void test_idempotent(void **st)
{
    (void)st;
    fixture f;
    fixture_open(&f, 0);
    uint64_t before = record_last_seq(f.rec);
    pv *a = fixture_submit(&f, lines);
    assert_int_equal(record_last_seq(f.rec), before + 2);
    pv *b = fixture_submit(&f, lines); /* the same file again: nothing new */
    assert_int_equal(record_last_seq(f.rec), before + 2);
    const pv *ra = pv_get(a, "results"), *rb = pv_get(b, "results");
    for (int i = 0; i < 2; i++) {
        assert_true(pv_get_bool(rb->u.a.v[i], "duplicate", 0));
        /* the receipt of the re-sent line is the original one */
        assert_int_equal(pv_get_int(ra->u.a.v[i], "seq", 0), pv_get_int(rb->u.a.v[i], "seq", 1));
    }
    pv *c = fixture_submit(&f, "unit,year,period,kind,key,value,date,note\nTDG,2023,Y,score,1.2.2,7,,corrected\n");
    assert_int_equal(record_last_seq(f.rec), before + 3);
    /* history: both values are in the change log */
    pv *events;
    changes(&f, (int64_t)before, &events);
    assert_int_equal(events->u.a.n, 3);
    assert_string_equal(pv_get_str(pv_get(events->u.a.v[0], "row"), "value"), "9");
    assert_string_equal(pv_get_str(pv_get(events->u.a.v[2], "row"), "value"), "7");
    assert_string_equal(pv_get_str(events->u.a.v[2], "sender"), "test-sender");
    pv_free(events);
    pv_free(a);
    pv_free(b);
    pv_free(c);
    fixture_close(&f);
}

static void test_changes_since(void **st)
{
    (void)st;
    fixture f;
    fixture_open(&f, 0);
    pv *events;
    int64_t last = changes(&f, 0, &events);
    assert_int_equal(last, (int64_t)record_last_seq(f.rec));
    assert_int_equal((int64_t)events->u.a.n, last);
    for (uint32_t i = 0; i < events->u.a.n; i++) /* contiguous, in order */
        assert_int_equal(pv_get_int(events->u.a.v[i], "seq", 0), (int64_t)i + 1);
    pv_free(events);
    changes(&f, last, &events);
    assert_int_equal(events->u.a.n, 0);
    pv_free(events);
    fixture_close(&f);
}

static void test_import_all_or_nothing(void **st)
{
    (void)st;
    fixture f;
    fixture_open(&f, 0);
    uint64_t before = record_last_seq(f.rec);
    pv *m = fixture_msg(MSG_IMPORT, "units",
                        "id,parent,level,name,email\n"
                        "NEW1,LC,district,Huyện Mới,new@x.vn\n"
                        "NEW2,NOPE,district,Huyện Mồ Côi,\n"
                        "NEW3,NEW4,commune,Vòng,\n"
                        "NEW4,NEW3,commune,Vòng,\n"
                        "bad id,LC,district,X,\n"),
       *data;
    record_events events;
    par_err e;
    assert_int_equal(ingest_import(f.rec, m, "t", "now", &data, &events, &e), 0);
    const pv *errors = pv_get(data, "errors");
    assert_int_equal(errors->u.a.n, 4);
    assert_int_equal(pv_get_int(errors->u.a.v[0], "line", 0), 3);
    assert_non_null(strstr(pv_get_str(errors->u.a.v[0], "reason"), "parent NOPE"));
    assert_non_null(strstr(pv_get_str(errors->u.a.v[1], "reason"), "own ancestor"));
    assert_int_equal(record_last_seq(f.rec), before); /* nothing stored */
    pv_free(data);
    record_events_free(&events);
    pv_free(m);

    /* a framework whose parent max differs from its children's sum is a warning */
    m = fixture_msg(MSG_IMPORT, "framework",
                    "index,year,level,id,name,max,method\n"
                    "PAR,2024,district,1,A,10,\n"
                    "PAR,2024,district,1.1,B,4,self\n"
                    "PAR,2024,district,2,C,5,\n");
    assert_int_equal(ingest_import(f.rec, m, "t", "now", &data, &events, &e), 0);
    assert_int_equal(pv_get(data, "errors")->u.a.n, 1); /* 2 is a leaf without a method */
    assert_int_equal(pv_get(data, "warnings")->u.a.n, 1);
    pv_free(data);
    record_events_free(&events);
    pv_free(m);

    /* re-importing the same framework changes nothing */
    m = fixture_msg(MSG_IMPORT, "framework", fixture_framework);
    before = record_last_seq(f.rec);
    assert_int_equal(ingest_import(f.rec, m, "t", "now", &data, &events, &e), 0);
    assert_int_equal(pv_get_int(data, "changed", -1), 0);
    assert_int_equal(record_last_seq(f.rec), before);
    pv_free(data);
    record_events_free(&events);
    pv_free(m);
    fixture_close(&f);
}

static void test_map_full_grows(void **st)
{
    (void)st;
    fixture f;
    fixture_open(&f, 256 * 1024); /* a tiny map that the batch below overflows */
    sbuf text;
    sbuf_init(&text);
    sbuf_puts(&text, "unit,year,period,kind,key,value,date,note\n");
    for (int i = 0; i < 3000; i++)
        sbuf_printf(&text, "TDG,2023,Y,metric,m%d,%d,,note %d with some text to take room\n", i, i, i);
    uint64_t before = record_last_seq(f.rec);
    pv *ack = fixture_submit(&f, text.buf);
    assert_int_equal(record_last_seq(f.rec), before + 3000);
    const pv *res = pv_get(ack, "results");
    for (uint32_t i = 0; i < res->u.a.n; i++)
        assert_true(pv_get_bool(res->u.a.v[i], "ok", 0));
    pv_free(ack);
    sbuf_free(&text);
    fixture_close(&f);
}

static void test_group_commit(void **st)
{
    (void)st;
    fixture f;
    fixture_open(&f, 0);
    pv *m1 = fixture_msg(MSG_SUBMIT, NULL, lines);
    pv *m2 = fixture_msg(MSG_SUBMIT, NULL, "unit,year,period,kind,key,value,date,note\nTDG,2023,Y,metric,x,1,,\nTDG,2023,Y,metric,x,2,,\n");
    submit_view v1, v2;
    fixture_view(&v1, m1);
    fixture_view(&v2, m2);
    ingest_req q[2] = {{.sub = &v1, .sender = "a"}, {.sub = &v2, .sender = "b"}};
    record_events events;
    par_err e;
    uint64_t before = record_last_seq(f.rec);
    assert_int_equal(ingest_submits(f.rec, q, 2, "now", &events, &e), 0);
    assert_int_equal(events.n, 4);
    assert_int_equal(record_last_seq(f.rec), before + 4);
    /* within one commit the later line of the same key is the latest */
    pv *exp = proto_msg(MSG_QUERY), *data;
    pv_set_str(exp, "q", "export");
    pv *args = pv_map();
    pv_set_str(args, "unit", "TDG");
    pv_set(exp, "args", args);
    assert_int_equal(query_answer(f.rec, exp, &data, &e), 0);
    const pv *rows = pv_get(data, "rows");
    int found = 0;
    for (uint32_t i = 0; i < rows->u.a.n; i++)
        if (!strcmp(rows->u.a.v[i]->u.a.v[4]->u.s.p, "x")) {
            assert_string_equal(rows->u.a.v[i]->u.a.v[5]->u.s.p, "2");
            found++;
        }
    assert_int_equal(found, 1);
    pv_free(data);
    pv_free(exp);
    record_events_free(&events);
    pv_free(q[0].ack);
    pv_free(q[1].ack);
    pv_free(m1);
    pv_free(m2);
    submit_free(&v1);
    submit_free(&v2);
    fixture_close(&f);
}

/* A store of another schema version is refused with a clear message, and left intact. */
static void test_schema_version(void **st)
{
    (void)st;
    char dir[] = "/tmp/par-schema-XXXXXX";
    assert_non_null(mkdtemp(dir));
    const char *names[] = {"things"};
    store *s;
    par_err e;
    assert_int_equal(store_open(&s, dir, names, NULL, 1, 1, 0, &e), 0);
    store_close(s);
    assert_int_equal(store_open(&s, dir, names, NULL, 1, 2, 0, &e), -1);
    assert_non_null(strstr(e.msg, "has schema version 1; this program reads version 2"));
    assert_int_equal(store_open(&s, dir, names, NULL, 1, 0, 0, &e), -1);
    assert_non_null(strstr(e.msg, "written by a newer release"));
    assert_int_equal(store_open(&s, dir, names, NULL, 1, 1, 0, &e), 0); /* untouched */
    store_close(s);
    /* a program that reads versions 1..2 as they are opens it, a database added, and
     * marks it 2: the program of version 1 then refuses it; one reading 2..3 does not
     * open a store of 1 */
    const char *more[] = {"things", "added"};
    assert_int_equal(store_open_from(&s, dir, more, NULL, 2, 2, 3, 0, &e), -1);
    assert_non_null(strstr(e.msg, "has schema version 1; this program reads versions 2 to 3"));
    assert_int_equal(store_open_from(&s, dir, more, NULL, 2, 1, 2, 0, &e), 0);
    store_close(s);
    assert_int_equal(store_open(&s, dir, names, NULL, 1, 1, 0, &e), -1);
    assert_non_null(strstr(e.msg, "has schema version 2; this program reads version 1 (written by a newer release"));
    assert_int_equal(store_open_from(&s, dir, more, NULL, 2, 1, 2, 0, &e), 0); /* marked once */
    store_close(s);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* One compact ack per request says what a result per line says: same refusals, same
 * duplicates with their first receipts, the same sequence numbers for the lines stored. */
static pv *submit_as(fixture *f, const char *text, int compact)
{
    pv *m = fixture_msg(MSG_SUBMIT, NULL, text);
    record_events events;
    if (compact)
        pv_set_str(m, "ack", "compact");
    submit_view v;
    fixture_view(&v, m);
    assert_int_equal(v.compact_ack, compact);
    ingest_req q = {.sub = &v, .sender = "test-sender"};
    par_err e;
    assert_int_equal(ingest_submits(f->rec, &q, 1, "2024-12-31T08:00:00.000+07:00", &events, &e), 0);
    pv *res = proto_ack_results(q.ack, v.lines, v.nrows);
    if (compact)
        assert_null(pv_get(q.ack, "results"));
    record_events_free(&events);
    pv_free(q.ack);
    pv_free(m);
    submit_free(&v);
    return res;
}

static void test_compact_ack(void **st)
{
    (void)st;
    const char *first = "unit,year,period,kind,key,value,date,note\nTDG,2023,Y,score,1.2.2,0.5,,\n";
    const char *second = "unit,year,period,kind,key,value,date,note\n"
                         "TDG,2023,Y,metric,a,1,,\n"
                         "XYZ,2023,Y,metric,a,1,,\n"     /* unknown unit: refused */
                         "TDG,2023,Y,score,1.2.2,0.5,,\n" /* sent before: its first receipt */
                         "TUY,2023,Y,metric,b,2,,\n";
    pv *got[2];
    for (int compact = 0; compact < 2; compact++) {
        fixture f;
        fixture_open(&f, 0);
        pv_free(submit_as(&f, first, compact));
        got[compact] = submit_as(&f, second, compact);
        fixture_close(&f);
    }
    assert_int_equal(got[1]->u.a.n, 4);
    assert_false(pv_get_bool(got[1]->u.a.v[1], "ok", 1));
    assert_true(pv_get_bool(got[1]->u.a.v[2], "duplicate", 0));
    char *a, *b;
    size_t al, bl;
    proto_encode(got[0], &a, &al);
    proto_encode(got[1], &b, &bl);
    assert_int_equal(al, bl);
    assert_memory_equal(a, b, al);
    free(a);
    free(b);
    pv_free(got[0]);
    pv_free(got[1]);
}

/* ---------- a stored line: its change-log entry, or itself in an older store ---------- */

static pv *query(fixture *f, const char *q, const char *unit, const char *year)
{
    pv *m = proto_msg(MSG_QUERY), *data = NULL;
    pv_set_str(m, "q", q);
    pv *args = pv_map();
    pv_set_str(args, "unit", unit);
    pv_set_str(args, "year", year);
    pv_set(m, "args", args);
    par_err e;
    assert_int_equal(query_answer(f->rec, m, &data, &e), 0);
    pv_free(m);
    return data;
}

/* The bytes stored under key in DB_SUBS, copied: their length, or -1 when absent. */
static long subs_lookup(fixture *f, const char *key, unsigned char *copy, size_t cap)
{
    record_txn t;
    par_err e;
    assert_int_equal(record_begin(f->rec, &t, &e), 0);
    MDB_val k = {strlen(key), (void *)key}, v;
    int rc = mdb_get(t.txn, store_dbi(record_store(f->rec), DB_SUBS), &k, &v);
    assert_true(rc == 0 || rc == MDB_NOTFOUND);
    if (rc == 0) {
        assert_true(v.mv_size <= cap);
        memcpy(copy, v.mv_data, v.mv_size);
    }
    record_abort(&t);
    return rc ? -1 : (long)v.mv_size;
}

static MDB_val stored_value(fixture *f, const char *key, unsigned char *copy, size_t cap)
{
    long n = subs_lookup(f, key, copy, cap);
    assert_true(n >= 0);
    return (MDB_val){(size_t)n, copy};
}

/* The line as 0.3.1 stored it: the row's pairs, then its receipt. */
typedef struct {
    const char *key;
    uint64_t seq;
} old_line;

static int put_old_line(record_txn *t, void *ctx, par_err *e)
{
    const old_line *o = ctx;
    sbuf b;
    sbuf_init(&b);
    pack_map(&b, 11);
    const char *pairs[] = {"unit", "TUY", "year", "2023", "period", "Y", "kind", "score", "key", "PAR:1.2.2",
                           "value", "8", "date", "", "note", "as 0.3.1 kept it"};
    for (int i = 0; i < 16; i++)
        pack_str(&b, pairs[i]);
    pack_str(&b, "seq");
    pack_int(&b, (int64_t)o->seq);
    pack_str(&b, "received");
    pack_str(&b, "2023-06-01T08:00:00.000+07:00");
    pack_str(&b, "sender");
    pack_str(&b, "old-sender");
    int rc = record_put_raw(t, DB_SUBS, o->key, b.buf, b.len, e);
    sbuf_free(&b);
    return rc;
}

/* The exported row of unit: "value|note|seq|received|sender". */
static void export_row(fixture *f, const char *unit, char *out, size_t n)
{
    pv *x = query(f, "export", unit, "2023");
    const pv *cols = pv_get(x, "cols"), *rows = pv_get(x, "rows");
    assert_int_equal(rows->u.a.n, 1);
    const pv *r = rows->u.a.v[0];
    const char *value = "", *note = "", *received = "", *sender = "";
    int64_t seq = -1;
    for (uint32_t c = 0; c < cols->u.a.n; c++) {
        const char *name = cols->u.a.v[c]->u.s.p;
        const pv *v = r->u.a.v[c];
        if (!strcmp(name, "seq"))
            seq = v->u.i;
        else if (!strcmp(name, "value"))
            value = v->u.s.p;
        else if (!strcmp(name, "note"))
            note = v->u.s.p;
        else if (!strcmp(name, "received"))
            received = v->u.s.p;
        else if (!strcmp(name, "sender"))
            sender = v->u.s.p;
    }
    snprintf(out, n, "%s|%s|%lld|%s|%s", value, note, (long long)seq, received, sender);
    pv_free(x);
}

static void test_line_stored_once(void **st)
{
    (void)st;
    fixture f;
    fixture_open(&f, 0);
    pv_free(fixture_submit(&f, lines));
    uint64_t tdg = record_last_seq(f.rec) - 1;
    /* a new line's value is the sequence number of its change (msgpack uint64) */
    unsigned char buf[512];
    MDB_val v = stored_value(&f, "TDG|2023|Y|score|PAR:1.2.2", buf, sizeof buf);
    assert_int_equal(v.mv_size, 9);
    assert_int_equal(buf[0], 0xcf);
    assert_int_equal(store_u64_from(buf + 1), tdg);

    /* TUY's line as an older collector kept it, the line itself */
    old_line o = {"TUY|2023|Y|score|PAR:1.2.2", tdg + 1};
    record_events ev;
    par_err e;
    assert_int_equal(record_write(f.rec, put_old_line, &o, &ev, &e), 0);
    record_events_free(&ev);
    assert_int_not_equal(stored_value(&f, o.key, buf, sizeof buf).mv_size, 9);

    /* both read alike: export, and a line sent again keeps its first receipt */
    char row[256], want[256];
    export_row(&f, "TDG", row, sizeof row);
    snprintf(want, sizeof want, "9||%llu|2024-12-31T08:00:00.000+07:00|test-sender", (unsigned long long)tdg);
    assert_string_equal(row, want);
    export_row(&f, "TUY", row, sizeof row);
    snprintf(want, sizeof want, "8|as 0.3.1 kept it|%llu|2023-06-01T08:00:00.000+07:00|old-sender",
             (unsigned long long)(tdg + 1));
    assert_string_equal(row, want);
    pv *again = fixture_submit(&f, "unit,year,period,kind,key,value,date,note\n"
                                   "TDG,2023,Y,score,1.2.2,9,,\n"
                                   "TUY,2023,Y,score,1.2.2,8,,as 0.3.1 kept it\n");
    const pv *res = pv_get(again, "results");
    assert_true(pv_get_bool(res->u.a.v[0], "duplicate", 0));
    assert_int_equal(pv_get_int(res->u.a.v[0], "seq", 0), (int64_t)tdg);
    assert_string_equal(pv_get_str(res->u.a.v[0], "received"), "2024-12-31T08:00:00.000+07:00");
    assert_true(pv_get_bool(res->u.a.v[1], "duplicate", 0));
    assert_int_equal(pv_get_int(res->u.a.v[1], "seq", 0), (int64_t)(tdg + 1));
    assert_string_equal(pv_get_str(res->u.a.v[1], "received"), "2023-06-01T08:00:00.000+07:00");
    pv_free(again);
    uint64_t before = record_last_seq(f.rec);
    assert_int_equal(before, tdg + 1); /* nothing new */

    /* changed, each names the change it replaces, and is then stored as its change */
    pv_free(fixture_submit(&f, "unit,year,period,kind,key,value,date,note\n"
                               "TDG,2023,Y,score,1.2.2,7,,\n"
                               "TUY,2023,Y,score,1.2.2,6,,\n"));
    pv *events;
    changes(&f, (int64_t)before, &events);
    assert_int_equal(events->u.a.n, 2);
    snprintf(want, sizeof want, "%llu", (unsigned long long)tdg);
    assert_string_equal(pv_get_str(pv_get(events->u.a.v[0], "row"), "prev"), want);
    snprintf(want, sizeof want, "%llu", (unsigned long long)(tdg + 1));
    assert_string_equal(pv_get_str(pv_get(events->u.a.v[1], "row"), "prev"), want);
    pv_free(events);
    assert_int_equal(stored_value(&f, o.key, buf, sizeof buf).mv_size, 9);
    export_row(&f, "TUY", row, sizeof row);
    snprintf(want, sizeof want, "6||%llu|2024-12-31T08:00:00.000+07:00|test-sender", (unsigned long long)(before + 2));
    assert_string_equal(row, want);
    fixture_close(&f);
}

/* ---------- the store's transaction object ---------- */

typedef struct {
    int runs, puts;
    size_t value;
} fill_ctx;

/* Writes puts values of value bytes; every run starts from nothing. */
static int fill(store_txn *t, void *ctx, par_err *e)
{
    (void)e;
    fill_ctx *f = ctx;
    f->runs++;
    char *v = calloc(1, f->value);
    for (int i = 0; i < f->puts; i++) {
        store_key k;
        store_key_init(&k);
        store_key_str(&k, "k");
        store_key_u64(&k, (uint64_t)i);
        store_txn_put(t, 0, k.b, k.n, v, f->value);
    }
    free(v);
    return t->rc ? -1 : 0;
}

static int too_long(store_txn *t, void *ctx, par_err *e)
{
    (void)ctx;
    (void)e;
    char key[600];
    memset(key, 'x', sizeof key);
    store_txn_put(t, 0, key, sizeof key, "v", 1); /* refused: the error sticks */
    store_txn_put(t, 0, "ok", 2, "v", 1);          /* and this does nothing */
    MDB_val v;
    assert_int_equal(store_txn_get(t, 0, "ok", 2, &v), 0);
    return 0; /* the commit reports the held error */
}

static int nothing(store_txn *t, void *ctx, par_err *e)
{
    (void)t;
    (void)ctx;
    (void)e;
    return STORE_NOTHING;
}

static int subs_has(fixture *f, const char *key)
{
    unsigned char buf[512];
    return subs_lookup(f, key, buf, sizeof buf) >= 0;
}

/* The change the line under key names (a line stored as its change's number). */
static uint64_t line_seq(fixture *f, const char *key)
{
    unsigned char buf[64];
    assert_int_equal(stored_value(f, key, buf, sizeof buf).mv_size, 9);
    return store_u64_from(buf + 1);
}

static size_t last_txn(fixture *f)
{
    MDB_envinfo info;
    assert_int_equal(mdb_env_info(store_env(record_store(f->rec)), &info), 0);
    return info.me_last_txnid;
}

/* A line the season refuses is only looked up (a re-sent one keeps its receipt): a round
 * of refusals writes nothing; a line it lets in claims its key (one walk down the tree)
 * for the change it is logged as. */
static void test_season_refusal_writes_nothing(void **st)
{
    (void)st;
    fixture f;
    fixture_open(&f, 0);
    pv *args = pv_map(), *data = NULL;
    pv_set_str(args, "index", "PAR");
    pv_set_str(args, "year", "2023");
    pv_set_str(args, "level", "district");
    pv_set_str(args, "to", "self");
    pv_set_str(args, "until", "2024-06-30");
    record_events ev;
    par_err why;
    assert_int_equal(season_change(f.rec, args, "test", "2024-01-02T08:00:00.000+07:00", &data, &ev, &why), 0);
    record_events_free(&ev);
    pv_free(data);
    pv_free(args);
    const char *head = "unit,year,period,kind,key,value,date,note\n";
    const char *tdg = "TDG|2023|Y|score|PAR:1.2.2", *tuy = "TUY|2023|Y|score|PAR:1.2.2",
               *sv = "TUY|2023|Y|survey|PAR:8.3";
    /* in time: TUY's self-score */
    char text[512];
    snprintf(text, sizeof text, "%sTUY,2023,Y,score,1.2.2,8,,\n", head);
    pv_free(fixture_submit_late(&f, text, "test-sender", "2024-06-01T08:00:00.000+07:00", 0));
    uint64_t tuy_seq = record_last_seq(f.rec);

    /* after the deadline: a new self-score refused, TUY's changed one refused (its stored
     * line kept), TUY's sent again keeps its receipt; nothing written at all */
    uint64_t seq0 = record_last_seq(f.rec);
    size_t txn0 = last_txn(&f);
    snprintf(text, sizeof text, "%sTDG,2023,Y,score,1.2.2,9,,\nTUY,2023,Y,score,1.2.2,7,,\nTUY,2023,Y,score,1.2.2,8,,\n",
             head);
    pv *ack = fixture_submit_late(&f, text, "test-sender", "2024-07-01T08:00:00.000+07:00", 0);
    const pv *res = pv_get(ack, "results");
    assert_int_equal(res->u.a.n, 3);
    assert_false(pv_get_bool(res->u.a.v[0], "ok", 1));
    assert_false(pv_get_bool(res->u.a.v[1], "ok", 1));
    assert_true(pv_get_bool(res->u.a.v[2], "duplicate", 0));
    assert_int_equal(pv_get_int(res->u.a.v[2], "seq", 0), (int64_t)tuy_seq);
    pv_free(ack);
    assert_int_equal(record_last_seq(f.rec), seq0);
    assert_int_equal(last_txn(&f), txn0);
    assert_false(subs_has(&f, tdg));
    assert_int_equal(line_seq(&f, tuy), tuy_seq);

    /* late lines let in (accept_late) and a survey figure (no deadline): each key names
     * the change it was logged as, a refused line before them in the same request too */
    snprintf(text, sizeof text,
             "%sTDG,2023,Y,explanation,1.2.2,,,why\nTDG,2023,Y,score,1.2.2,9,,\nTUY,2023,Y,survey,8.3,20,,\n"
             "TUY,2023,Y,score,1.2.2,7,,\n",
             head);
    ack = fixture_submit_late(&f, text, "test-sender", "2024-07-01T08:00:00.000+07:00", 1);
    res = pv_get(ack, "results");
    assert_false(pv_get_bool(res->u.a.v[0], "ok", 1)); /* refused by its season: phase self */
    assert_non_null(strstr(pv_get_str(res->u.a.v[0], "reason"), "are taken in phase explanation"));
    for (int i = 1; i < 4; i++) {
        assert_true(pv_get_bool(res->u.a.v[i], "ok", 0));
        assert_false(pv_get_bool(res->u.a.v[i], "duplicate", 0));
        assert_int_equal(pv_get_int(res->u.a.v[i], "seq", 0), (int64_t)(seq0 + (uint64_t)i));
    }
    pv_free(ack);
    assert_false(subs_has(&f, "TDG|2023|Y|explanation|PAR:1.2.2"));
    assert_int_equal(line_seq(&f, tdg), seq0 + 1);
    assert_int_equal(line_seq(&f, sv), seq0 + 2);
    assert_int_equal(line_seq(&f, tuy), seq0 + 3);
    fixture_close(&f);
}

/* How many batches of 1,000 lines from clients taken in turn make a full round. */
static int round_batches(int clients)
{
    round_count r;
    round_init(&r);
    static char ids[100][8];
    for (int i = 0; i < 10000; i++) {
        snprintf(ids[i % clients], sizeof ids[0], "c%d", i % clients);
        if (round_add(&r, ids[i % clients], strlen(ids[i % clients]), 1000))
            return i + 1;
    }
    return -1;
}

/* A round takes at most ROUND_LINES lines of one client (one agent keeps batches in
 * flight) and ROUND_CLIENTS times that in all (fewer flushes a line with many agents). */
static void test_round_bound(void **st)
{
    (void)st;
    assert_int_equal(round_batches(1), 9);   /* 9,000: the ninth crosses 8,192 */
    assert_int_equal(round_batches(2), 17);  /* the first client's ninth */
    assert_int_equal(round_batches(3), 25);
    assert_int_equal(round_batches(4), 33);  /* 33,000 in all, 9,000 of the first */
    assert_int_equal(round_batches(16), 33); /* 32,768 in all, 3,000 of any */
    assert_int_equal(round_batches(100), 33); /* more clients than it counts one by one */
    round_count r;
    round_init(&r);
    assert_int_equal(round_add(&r, "a", 1, 100000), 1); /* one big batch is a round */
    round_init(&r);
    assert_int_equal(round_add(&r, "a", 1, 5000), 0);
    assert_int_equal(round_add(&r, "ab", 2, 5000), 0); /* another client, however alike */
    assert_int_equal(round_add(&r, "a", 1, 3192), 1);
}

static void test_store_txn(void **st)
{
    (void)st;
    char dir[] = "/tmp/par-store-XXXXXX";
    assert_non_null(mkdtemp(dir));
    store *s;
    par_err e;
    const char *const names[] = {"data"};
    const int dups[] = {0};
    assert_int_equal(store_open(&s, dir, names, dups, 1, 1, 256 * 1024, &e), 0);
    /* 2 MiB into a 256 KiB map: it fills, grows, and the whole run starts again */
    fill_ctx f = {0, 512, 4096};
    assert_int_equal(store_write(s, fill, &f, &e), 0);
    assert_true(f.runs > 1);
    store_txn t;
    assert_int_equal(store_txn_begin(s, &t, 0, &e), 0);
    MDB_val v;
    store_key k;
    store_key_init(&k);
    store_key_str(&k, "k");
    store_key_u64(&k, 511);
    assert_int_equal(store_txn_get(&t, 0, k.b, k.n, &v), 1);
    assert_int_equal(v.mv_size, 4096);
    store_txn_abort(&t);
    /* an error other than a full map: reported with its step, nothing written */
    assert_int_equal(store_write(s, too_long, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "put"));
    assert_int_equal(store_write(s, nothing, NULL, &e), STORE_NOTHING);
    assert_int_equal(store_txn_begin(s, &t, 0, &e), 0);
    assert_int_equal(store_txn_get(&t, 0, "ok", 2, &v), 0);
    store_txn_abort(&t);
    /* keys: parts joined by '|', too long marked and refused */
    store_key_init(&k);
    store_key_str(&k, "TDG");
    store_key_str(&k, "2023");
    assert_int_equal(k.n, 8);
    assert_memory_equal(k.b, "TDG|2023", 8);
    for (int i = 0; i < 100; i++)
        store_key_str(&k, "0123456789");
    assert_true(k.over);
    store_close(s);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* A receipt's digest is over the bytes the receipt format fixes (receipts of every
 * version are verified with it): spelled out here, hashed in one go. */
static void test_receipt_digest_bytes(void **st)
{
    (void)st;
    const char *f[8] = {"TDG", "2023", "Y", "score", "PAR:1.3", "2", NULL, "ghi chú, có dấu"};
    const char *received = "2024-12-31T08:00:00.000+07:00";
    char long_note[2000];
    memset(long_note, 'x', sizeof long_note - 1);
    long_note[sizeof long_note - 1] = '\0';
    sign_digest d;
    sign_digest_init(&d);
    sign_digest_line(&d, 4711, received, f);
    f[7] = long_note; /* longer than any buffer on the way */
    sign_digest_line(&d, 18446744073709551615ULL, received, f);
    sign_digest_line(&d, 1, long_note, f); /* so is a "received" no clock writes */
    unsigned char got[crypto_hash_sha256_BYTES], want[crypto_hash_sha256_BYTES];
    sha256_digest(&d.h, sizeof got, got); /* nettle's, checked below against libsodium's */

    sbuf all, line;
    sbuf_init(&all);
    sbuf_init(&line);
    sbuf_puts(&all, "par-receipt-1\n");
    const char *notes[3] = {"ghi chú, có dấu", long_note, long_note};
    const char *seqs[3] = {"4711", "18446744073709551615", "1"}, *recs[3] = {received, received, long_note};
    for (int k = 0; k < 3; k++) {
        line.len = 0;
        sbuf_printf(&line, "TDG\x1f" "2023\x1fY\x1fscore\x1fPAR:1.3\x1f" "2\x1f\x1f%s", notes[k]);
        unsigned char h[crypto_hash_sha256_BYTES];
        char hex[2 * sizeof h + 1];
        crypto_hash_sha256(h, (const unsigned char *)line.buf, line.len);
        sodium_bin2hex(hex, sizeof hex, h, sizeof h);
        sbuf_printf(&all, "%s\t%s\t%s\n", seqs[k], recs[k], hex);
    }
    crypto_hash_sha256(want, (const unsigned char *)all.buf, all.len);
    assert_memory_equal(got, want, sizeof got);
    assert_int_equal(d.lines, 3);
    sbuf_free(&all);
    sbuf_free(&line);
}

/* The same bytes whatever the lengths: a long field at each place (hashed apart from what
 * was gathered before it), lines that fill the digest's 1,024-byte buffer to the byte and
 * one past, a "received" that fills it with the receipt's other parts. */
static void test_receipt_digest_lengths(void **st)
{
    (void)st;
    static char big[1100];
    memset(big, 'y', sizeof big - 1);
    size_t sizes[] = {1017, 1018, 1019, 1023, 1024, 1025, 1099};
    int ns = (int)(sizeof sizes / sizeof sizes[0]);
    for (int pos = 0; pos < 8; pos++)
        for (int k = 0; k < ns; k++) {
            /* the other fields: "a".."h", 1 byte each, 7 separators */
            char fv[8][2], *field = big + sizeof big - 1 - sizes[k];
            const char *f[8];
            for (int i = 0; i < 8; i++) {
                fv[i][0] = (char)('a' + i), fv[i][1] = '\0';
                f[i] = i == pos ? field : fv[i];
            }
            const char *received = k == ns - 1 ? big + sizeof big - 1 - 934 : "2024-12-31T08:00:00.000+07:00";
            sign_digest d;
            sign_digest_init(&d);
            sign_digest_line(&d, 18446744073709551615ULL, received, f);
            unsigned char got[crypto_hash_sha256_BYTES], want[crypto_hash_sha256_BYTES], h[crypto_hash_sha256_BYTES];
            sha256_digest(&d.h, sizeof got, got);
            sbuf line, all;
            sbuf_init(&line);
            sbuf_init(&all);
            for (int i = 0; i < 8; i++)
                sbuf_printf(&line, "%s%s", i ? "\x1f" : "", f[i]);
            char hex[2 * sizeof h + 1];
            crypto_hash_sha256(h, (const unsigned char *)line.buf, line.len);
            sodium_bin2hex(hex, sizeof hex, h, sizeof h);
            sbuf_printf(&all, "par-receipt-1\n18446744073709551615\t%s\t%s\n", received, hex);
            crypto_hash_sha256(want, (const unsigned char *)all.buf, all.len);
            assert_memory_equal(got, want, sizeof got);
            sbuf_free(&line);
            sbuf_free(&all);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idempotent),
        cmocka_unit_test(test_receipt_digest_bytes),
        cmocka_unit_test(test_receipt_digest_lengths),
        cmocka_unit_test(test_changes_since),
        cmocka_unit_test(test_import_all_or_nothing),
        cmocka_unit_test(test_map_full_grows),
        cmocka_unit_test(test_group_commit),
        cmocka_unit_test(test_schema_version),
        cmocka_unit_test(test_store_txn),
        cmocka_unit_test(test_compact_ack),
        cmocka_unit_test(test_line_stored_once),
        cmocka_unit_test(test_season_refusal_writes_nothing),
        cmocka_unit_test(test_round_bound),
    };
    return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
