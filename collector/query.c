#include "query.h"
#include "season.h"
#include "authz.h"
#include "evidence.h"
#include "appraise.h"
#include "users.h"
#include "../common/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t arg_int(const pv *args, const char *name, int64_t def)
{
    const char *s = pv_get_str(args, name);
    int64_t v;
    return s && str_to_i64(s, &v) == 0 ? v : def;
}

/* Rows of the submissions file, from the key after `after`, filtered by unit and year. */
static int export_submissions(record_txn *t, const pv *args, pv **data, par_err *e)
{
    const char *unit = pv_get_str(args, "unit"), *after = pv_get_str(args, "after");
    int64_t year = arg_int(args, "year", 0);
    int64_t limit = arg_int(args, "limit", QUERY_PAGE);
    if (limit < 1 || limit > QUERY_PAGE)
        limit = QUERY_PAGE;
    char prefix[80] = "";
    if (unit)
        snprintf(prefix, sizeof prefix, "%s|", unit);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(record_store(t->r), DB_SUBS), &cur);
    if (rc) {
        err_set(e, "cursor: %s", mdb_strerror(rc));
        return -1;
    }
    const char *start = after && *after ? after : prefix;
    MDB_val k = {strlen(start), (void *)start}, v;
    rc = mdb_cursor_get(cur, &k, &v, *start ? MDB_SET_RANGE : MDB_FIRST);
    if (rc == 0 && after && *after && k.mv_size == strlen(after) && !memcmp(k.mv_data, after, k.mv_size))
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    pv *rows = pv_arr();
    const char *const *cols = table_cols(TABLE_SUBMISSIONS);
    char last[400] = "";
    int more = 0;
    for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        size_t pl = strlen(prefix);
        if (pl && (k.mv_size < pl || memcmp(k.mv_data, prefix, pl)))
            break;
        if ((int64_t)rows->u.a.n == limit) {
            more = 1;
            break;
        }
        pv *rec = NULL;
        if (record_line_pv(t, &v, &rec) < 0)
            continue;
        const char *y = pv_get_str(rec, "year");
        if (year && (!y || atoll(y) != year)) {
            pv_free(rec);
            continue;
        }
        pv *row = pv_arr();
        for (int c = 0; cols[c]; c++)
            pv_push(row, pv_str(pv_get_str(rec, cols[c]) ? pv_get_str(rec, cols[c]) : ""));
        pv_push(row, pv_int(pv_get_int(rec, "seq", 0)));
        pv_push(row, pv_str(pv_get_str(rec, "received") ? pv_get_str(rec, "received") : ""));
        pv_push(row, pv_str(pv_get_str(rec, "sender") ? pv_get_str(rec, "sender") : ""));
        pv_push(rows, row);
        pv_free(rec);
        size_t kl = k.mv_size < sizeof last - 1 ? k.mv_size : sizeof last - 1;
        memcpy(last, k.mv_data, kl);
        last[kl] = '\0';
    }
    mdb_cursor_close(cur);
    pv *d = pv_map();
    pv *c = pv_arr();
    for (int i = 0; cols[i]; i++)
        pv_push(c, pv_str(cols[i]));
    pv_push(c, pv_str("seq"));
    pv_push(c, pv_str("received"));
    pv_push(c, pv_str("sender"));
    pv_set(d, "cols", c);
    pv_set(d, "rows", rows);
    if (more)
        pv_set_str(d, "next", last);
    *data = d;
    return 0;
}

static int changes_since(record_txn *t, const pv *args, int raw, pv **data, par_err *e)
{
    int64_t since = arg_int(args, "since", 0);
    int64_t limit = arg_int(args, "limit", 1000);
    if (limit < 1 || limit > QUERY_PAGE)
        limit = QUERY_PAGE;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(record_store(t->r), DB_LOG), &cur);
    if (rc) {
        err_set(e, "cursor: %s", mdb_strerror(rc));
        return -1;
    }
    unsigned char key[8];
    store_u64_key((uint64_t)since + 1, key);
    MDB_val k = {8, key}, v;
    pv *events = pv_arr();
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && (int64_t)events->u.a.n < limit;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (raw) { /* the log's bytes are the event messages: sent as they are */
            char *copy = xmalloc(v.mv_size ? v.mv_size : 1);
            memcpy(copy, v.mv_data, v.mv_size);
            pv_push(events, pv_raw(copy, v.mv_size));
            continue;
        }
        pv *ev = NULL;
        par_err ig;
        if (proto_decode_value(v.mv_data, v.mv_size, &ev, &ig) == 0)
            pv_push(events, ev);
    }
    mdb_cursor_close(cur);
    pv *d = pv_map();
    pv_set_int(d, "last", (int64_t)t->seq);
    pv_set(d, "events", events);
    *data = d;
    return 0;
}

/* A consistent compacted copy of the record into DIR/collector (an absolute path on
 * this server), synced before the answer. */
static int backup(record *r, const pv *args, pv **data, par_err *e)
{
    const char *dir = pv_get_str(args, "dir");
    if (!dir || dir[0] != '/') {
        err_set(e, "backup needs an absolute folder on the server");
        return -1;
    }
    char path[2048];
    snprintf(path, sizeof path, "%s/collector", dir);
    if (store_backup(record_store(r), path, e) < 0)
        return -1;
    pv *d = pv_map();
    pv_set_str(d, "path", path);
    pv_set_int(d, "seq", (int64_t)record_last_seq(r));
    *data = d;
    return 0;
}

/* A season with its moves; {"phase": ""} when none was opened. */
static int season_show(record_txn *t, const pv *args, pv **data, par_err *e)
{
    const char *index = pv_get_str(args, "index"), *level = pv_get_str(args, "level");
    int64_t year = arg_int(args, "year", 0);
    if (!index || !level || !year) {
        err_set(e, "a season is named by index, year and level");
        return -1;
    }
    season *s = xcalloc(1, sizeof *s);
    s->moves = xcalloc(SEASON_MAX_MOVES, sizeof *s->moves);
    int rc = season_get(t, index, (int)year, level, s, e);
    if (rc == 0) {
        str_copy(s->index, sizeof s->index, index);
        str_copy(s->level, sizeof s->level, level);
        s->year = (int)year;
    }
    if (rc >= 0)
        *data = season_to_pv(s);
    free(s->moves);
    free(s);
    return rc < 0 ? -1 : 0;
}

/* Whether sender may read unit's figures of index and year: its own subtree, or anyone's
 * once that season is published. 0, or -1 with why. */
static int may_read(record_txn *t, const char *sender, const char *unit, const char *index, int64_t year,
                    par_err *why)
{
    char mine[64];
    if (!authz_unit_of(sender, mine, sizeof mine) || authz_below(t, unit, mine, "") == 0)
        return 0;
    const pv *u = record_unit(t, unit);
    const char *level = u ? pv_get_str(u, "level") : NULL;
    season h = {.moves = NULL};
    par_err ig;
    if (level && index && season_get(t, index, (int)year, level, &h, &ig) == 1 && h.phase == PHASE_PUBLISHED)
        return 0;
    err_set(why, "unit %s is neither %s nor below it, and its %s %lld results are not published: this key may not "
                 "read them",
            unit, mine, index ? index : "", (long long)year);
    return -1;
}

typedef struct {
    uint64_t seq;
    pv *entry;
} hist_item;

static int hist_cmp(const void *a, const void *b)
{
    uint64_t x = ((const hist_item *)a)->seq, y = ((const hist_item *)b)->seq;
    return x < y ? -1 : x > y;
}

#define HISTORY_MAX 20000

/* Every value a unit sent or was given for an index and year (or one criterion), each
 * version followed back through the change log by its "prev": who, when, in which
 * phase, with its note (the reason or explanation); oldest first. "last": only the
 * last that many (a unit page shows the latest changes, not a season's hundreds). */
static int history(record_txn *t, const pv *args, pv **data, par_err *e)
{
    const char *unit = pv_get_str(args, "unit"), *index = pv_get_str(args, "index"),
               *crit = pv_get_str(args, "criterion");
    int64_t year = arg_int(args, "year", 0);
    if (!unit || !index || !year) {
        err_set(e, "history is asked for a unit, an index and a year");
        return -1;
    }
    char prefix[160], want[160];
    snprintf(prefix, sizeof prefix, "%s|%lld|", unit, (long long)year);
    snprintf(want, sizeof want, "%s:%s", index, crit ? crit : "");
    size_t pl = strlen(prefix);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(record_store(t->r), DB_SUBS), &cur);
    if (rc) {
        err_set(e, "cursor: %s", mdb_strerror(rc));
        return -1;
    }
    hist_item *items = NULL;
    size_t n = 0, cap = 0;
    MDB_val k = {pl, prefix}, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && k.mv_size >= pl && !memcmp(k.mv_data, prefix, pl);
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        /* unit|year|period|kind|INDEX:id */
        const char *key = memrchr(k.mv_data, '|', k.mv_size);
        size_t kl = (size_t)((const char *)k.mv_data + k.mv_size - key - 1);
        key++;
        if (crit ? (kl != strlen(want) || memcmp(key, want, kl)) : (kl < strlen(want) || memcmp(key, want, strlen(want))))
            continue;
        par_err ig;
        uint64_t seq = record_line_seq(&v);
        for (int hops = 0; seq && hops < 1000 && n < HISTORY_MAX; hops++) {
            unsigned char lk[8];
            store_u64_key(seq, lk);
            MDB_val a = {8, lk}, b;
            pv *ev = NULL;
            if (mdb_get(t->txn, store_dbi(record_store(t->r), DB_LOG), &a, &b) ||
                proto_decode_value(b.mv_data, b.mv_size, &ev, &ig) < 0)
                break;
            const pv *row = pv_get(ev, "row");
            pv *x = pv_map();
            pv_set_int(x, "seq", (int64_t)seq);
            pv_set_str(x, "received", pv_get_str(ev, "received") ? pv_get_str(ev, "received") : "");
            pv_set_str(x, "sender", pv_get_str(ev, "sender") ? pv_get_str(ev, "sender") : "");
            static const char *const f[] = {"period", "kind", "key", "value", "date", "note", "phase", "late"};
            for (int i = 0; i < 8; i++)
                pv_set_str(x, f[i], row && pv_get_str(row, f[i]) ? pv_get_str(row, f[i]) : "");
            const char *prev = row ? pv_get_str(row, "prev") : NULL;
            uint64_t next = prev ? strtoull(prev, NULL, 10) : 0;
            pv_free(ev);
            if (n == cap) {
                cap = cap ? 2 * cap : 64;
                items = xrealloc(items, cap * sizeof *items);
            }
            items[n++] = (hist_item){seq, x};
            seq = next < seq ? next : 0;
        }
    }
    mdb_cursor_close(cur);
    if (n) /* none: items is NULL, which qsort may not be given */
        qsort(items, n, sizeof *items, hist_cmp);
    int64_t last = arg_int(args, "last", 0);
    size_t from = last > 0 && (uint64_t)last < n ? n - (size_t)last : 0;
    pv *list = pv_arr();
    for (size_t i = 0; i < n; i++) {
        if (i < from)
            pv_free(items[i].entry);
        else
            pv_push(list, items[i].entry);
    }
    free(items);
    *data = list;
    return 0;
}

static int answer(record *r, const pv *msg, int raw, const char *sender, const char *today, pv **data, par_err *e)
{
    const char *q = pv_get_str(msg, "q");
    const pv *args = pv_get(msg, "args");
    if (!strcmp(q, "backup"))
        return backup(r, args, data, e);
    record_txn t;
    if (record_begin(r, &t, e) < 0)
        return -1;
    int rc;
    char mine[64];
    if (!strcmp(q, "export") && authz_unit_of(sender, mine, sizeof mine) &&
        (!pv_get_str(args, "unit") || authz_below(&t, pv_get_str(args, "unit"), mine, "") < 0)) {
        err_set(e, "a unit key exports its own unit's record or one below it: --unit U (this key: %s)", sender);
        rc = -1;
    } else if (!strcmp(q, "export"))
        rc = export_submissions(&t, args, data, e);
    else if (!strcmp(q, "changes"))
        rc = changes_since(&t, args, raw, data, e);
    else if (!strcmp(q, "season"))
        rc = season_show(&t, args, data, e);
    else if (!strcmp(q, "users"))
        rc = users_list(&t, sender, data, e);
    else if (!strcmp(q, "user_auth"))
        rc = users_auth(&t, args, sender, today, data, e);
    else if (!strcmp(q, "evidence") || !strcmp(q, "history") || !strcmp(q, "appraise")) {
        const char *unit = pv_get_str(args, "unit");
        rc = may_read(&t, sender, unit ? unit : "", pv_get_str(args, "index"), arg_int(args, "year", 0), e);
        if (rc == 0)
            rc = !strcmp(q, "evidence") ? evidence_list(&t, args, data, e)
                 : !strcmp(q, "history") ? history(&t, args, data, e)
                                         : appraise_view(&t, args, data, e);
    }
    else {
        err_set(e, "the collector has no query '%s' (export, changes, season, evidence, history, appraise, backup)", q);
        rc = -1;
    }
    record_abort(&t);
    return rc;
}

int query_may_get_evidence(record *r, const char *sender, const char *sha, par_err *e)
{
    char mine[64];
    if (!authz_unit_of(sender, mine, sizeof mine))
        return 0; /* the province's keys and this server read every document */
    record_txn t;
    if (record_begin(r, &t, e) < 0)
        return -1;
    MDB_cursor *cur;
    int rc = -1, found = 0;
    size_t sl = sha ? strlen(sha) : 0;
    if (sl && mdb_cursor_open(t.txn, store_dbi(record_store(r), DB_EVIDENCE), &cur) == 0) {
        MDB_val k, v;
        /* unit|year|INDEX:id|sha256: the document's unit, year and index decide */
        for (int c = mdb_cursor_get(cur, &k, &v, MDB_FIRST); c == 0 && rc < 0; c = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            if (k.mv_size <= sl || memcmp((char *)k.mv_data + k.mv_size - sl, sha, sl))
                continue;
            char key[512], unit[64] = "", index[64] = "";
            int64_t year = 0;
            snprintf(key, sizeof key, "%.*s", (int)k.mv_size, (char *)k.mv_data);
            if (sscanf(key, "%63[^|]|%lld|%63[^:]:", unit, (long long *)&year, index) != 3)
                continue;
            found = 1;
            par_err why;
            if (may_read(&t, sender, unit, index, year, &why) == 0)
                rc = 0;
            else
                err_set(e, "%s", why.msg);
        }
        mdb_cursor_close(cur);
    }
    if (!found)
        err_set(e, "no document with SHA-256 %s is held", sha ? sha : "");
    record_abort(&t);
    return rc;
}

int query_answer(record *r, const pv *msg, pv **data, par_err *e)
{
    return answer(r, msg, 0, "internal", "", data, e);
}

int query_answer_wire(record *r, const pv *msg, const char *sender, const char *today, pv **data, par_err *e)
{
    return answer(r, msg, 1, sender, today, data, e);
}

pv *query_stats(record *r)
{
    static const char *const names[DB_COUNT] = {"units", "criteria", NULL, "tasks", "submissions", "changes", "seasons",
                                                  "evidence", "users"};
    pv *info = pv_map();
    record_txn t;
    par_err e;
    if (record_begin(r, &t, &e) < 0)
        return info;
    for (int i = 0; i < DB_COUNT; i++) {
        MDB_stat st;
        if (names[i] && mdb_stat(t.txn, store_dbi(record_store(r), i), &st) == 0)
            pv_set_int(info, names[i], (int64_t)st.ms_entries);
    }
    store_usage(record_store(r), info);
    record_abort(&t);
    return info;
}
