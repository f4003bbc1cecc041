#include "alertlog.h"
#include "digest.h"
#include "../proto/alert.h"
#include "../proto/pack.h"
#include "../common/clock.h"
#include "../common/log.h"
#include "../common/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ch_names[CH_COUNT] = {"smtp", "webhook", "file"};

const char *alertlog_channel_name(int ch)
{
    return ch >= 0 && ch < CH_COUNT ? ch_names[ch] : "?";
}

static MDB_dbi dbi(book *b, int i)
{
    return store_dbi(book_store(b), i);
}

static int put_num(MDB_txn *txn, MDB_dbi d, uint64_t n, const void *val, size_t len)
{
    unsigned char k8[8];
    store_u64_key(n, k8);
    MDB_val k = {8, k8}, v = {len, (void *)val};
    return mdb_put(txn, d, &k, &v, 0);
}

/* The outbox holds, per message, the earliest time a delivery of it is due (ms), so that
 * messages waiting for a retry are passed over without being read. */
static int put_outbox(MDB_txn *txn, book *b, uint64_t msg, int64_t next_ms)
{
    unsigned char v8[8];
    store_u64_key((uint64_t)(next_ms > 0 ? next_ms : 0), v8);
    return put_num(txn, dbi(b, N_OUTBOX), msg, v8, 8);
}

static int get_num_pv(MDB_txn *txn, MDB_dbi d, uint64_t n, pv **out)
{
    unsigned char k8[8];
    store_u64_key(n, k8);
    MDB_val k = {8, k8}, v;
    int rc = mdb_get(txn, d, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return -1;
    par_err e;
    return proto_decode_value(v.mv_data, v.mv_size, out, &e) == 0 ? 1 : -1;
}

static int put_num_pv(MDB_txn *txn, MDB_dbi d, uint64_t n, const pv *val)
{
    char *buf;
    size_t len;
    proto_encode(val, &buf, &len);
    int rc = put_num(txn, d, n, buf, len);
    free(buf);
    return rc;
}

/* A recipient of an alert, in the order lead, supporting units, units above. */
typedef struct {
    uint32_t unit;
    digest_role role;
} recipient;

static size_t recipients_of(book *b, const due_alert *a, recipient out[64])
{
    size_t nt, nu, n = 0;
    const ntask *t = &book_tasks(b, &nt)[a->task];
    const nunit *units = book_units(b, &nu);
    /* a dissolved unit's tasks go to whoever took over its work on the alert's day */
    uint32_t lead = book_unit_on(b, t->lead, a->slot);
    out[n++] = (recipient){lead, ROLE_LEAD};
    if (a->kind == DUE_OVERDUE) {
        for (uint32_t i = 0; i < t->nsup && n < 48; i++) {
            uint32_t s = book_unit_on(b, t->sup[i], a->slot);
            int seen = 0;
            for (size_t k = 0; k < n && !seen; k++)
                seen = out[k].unit == s;
            if (!seen)
                out[n++] = (recipient){s, ROLE_SUPPORT};
        }
        /* up the tree as it stands on the alert's day: a dissolved district's work went on */
        long p = units[lead].parent >= 0 ? (long)book_unit_on(b, (uint32_t)units[lead].parent, a->slot) : -1;
        for (int l = 0; l < a->level && p >= 0 && n < 64; l++) {
            int seen = 0; /* a successor may already be a recipient */
            for (size_t k = 0; k < n && !seen; k++)
                seen = out[k].unit == (uint32_t)p;
            if (!seen)
                out[n++] = (recipient){(uint32_t)p, ROLE_PARENT};
            p = units[p].parent >= 0 ? (long)book_unit_on(b, (uint32_t)units[p].parent, a->slot) : -1;
        }
        long f = book_follow_up(b); /* the unit that follows tasks up gets a copy of every escalation */
        int known = f < 0;
        for (size_t i = 0; i < n && !known; i++)
            known = out[i].unit == (uint32_t)f;
        if (a->level >= 1 && !known && n < 64)
            out[n++] = (recipient){(uint32_t)f, ROLE_FOLLOW};
    }
    return n;
}

static int has_email(const char *list)
{
    char p[256];
    for (const char *l = list; str_list_next(&l, p, sizeof p);)
        if (*p)
            return 1;
    return 0;
}

typedef struct {
    digest_item *v;
    size_t n, cap;
    uint64_t msg; /* the number of this unit's message, taken with its first item */
} item_list;

/* One evaluation's recording. Its alerts are written in transactions of at most
 * `chunk` (LMDB holds a transaction's dirty pages in memory until its commit: a
 * country's first day in one transaction held 300 MB of them); the transaction that
 * writes the last alerts also writes the messages. Until then the state's "recording"
 * holds 1 + the last alert number before it began: alerts past it that no message
 * carries are taken back (alertlog_recover) before anything else reads the log, so
 * an alert is either in a recorded message or not in the log at all. */
typedef struct {
    book *b;
    const due_list *due;
    const alertlog_opts *o;
    int64_t now_ms;
    size_t chunk;
    item_list *per_unit; /* by recipient unit, in the order alerts were numbered */
    size_t nu;
    sbuf buf;
    /* what committed transactions took */
    size_t next;                   /* the first due alert not looked at */
    uint64_t first, alert, msg;    /* the last numbers before the recording, then so far */
    int commits, alerts, messages; /* transactions committed, alerts and messages in them */
    /* the transaction under way (kept on its commit) */
    size_t t_next;
    uint64_t t_alert, t_msg;
    int t_alerts, t_messages, t_dirty;
} recording;

/* Forgets what an aborted transaction added to the unit lists (store_write runs it again
 * on a grown map). */
static void recording_undo(recording *r)
{
    for (size_t u = 0; u < r->nu; u++) {
        item_list *l = &r->per_unit[u];
        while (l->n && l->v[l->n - 1].alert > r->alert)
            l->n--;
        if (l->msg > r->msg)
            l->msg = 0;
    }
}

static int write_messages(recording *r, store_txn *t)
{
    const nunit *units = book_units(r->b, &(size_t){0});
    int nch = 0;
    for (int ch = 0; ch < CH_COUNT; ch++)
        nch += (r->o->channels >> ch) & 1;
    char created[40];
    clock_format(r->now_ms, created);
    digest_item kept[DIGEST_KEEP_MAX];
    sbuf *buf = &r->buf;
    for (size_t u = 0; u < r->nu && !t->rc; u++) {
        item_list *l = &r->per_unit[u];
        if (!l->n)
            continue;
        size_t overdue, keep = digest_keep(l->v, l->n, kept, &overdue);
        int has_address = has_email(units[u].email), any = 0;
        buf->len = 0;
        pack_map(buf, 8);
        pack_str(buf, "id");
        pack_int(buf, (int64_t)l->msg);
        pack_str(buf, "unit");
        pack_str(buf, units[u].id);
        pack_str(buf, "created");
        pack_str(buf, created);
        pack_str(buf, "at_ms");
        pack_int(buf, r->now_ms);
        pack_str(buf, "overdue");
        pack_int(buf, (int64_t)overdue);
        pack_str(buf, "total");
        pack_int(buf, (int64_t)l->n);
        pack_str(buf, "alerts");
        pack_array(buf, (uint32_t)keep);
        for (size_t i = 0; i < keep; i++)
            pack_int(buf, (int64_t)kept[i].alert);
        pack_str(buf, "deliveries");
        pack_map(buf, (uint32_t)nch);
        for (int ch = 0; ch < CH_COUNT; ch++) {
            if (!(r->o->channels & (1u << ch)))
                continue;
            int no_address = ch != CH_WEBHOOK && !has_address;
            pack_str(buf, ch_names[ch]);
            pack_map(buf, 5);
            pack_str(buf, "state");
            pack_str(buf, no_address ? "no_address" : "pending");
            pack_str(buf, "attempts");
            pack_int(buf, 0);
            pack_str(buf, "next");
            pack_int(buf, 0);
            pack_str(buf, "error");
            pack_str(buf, no_address ? "the unit has no e-mail address in the registry" : "");
            pack_str(buf, "at");
            pack_str(buf, "");
            any |= !no_address;
        }
        if (!store_txn_check(t, put_num(t->txn, dbi(r->b, N_MSGS), l->msg, buf->buf, buf->len), "record a message") &&
            any)
            store_txn_check(t, put_outbox(t->txn, r->b, l->msg, 0), "record a message");
        r->t_messages++;
    }
    return t->rc ? -1 : 0;
}

/* Records the next chunk of new alerts with their recipients (and the numbers of the
 * messages that will carry them); the transaction that reaches the end of the list
 * composes and records one message per recipient unit. */
static int record_chunk(store_txn *t, void *ctx, par_err *e)
{
    (void)e;
    recording *r = ctx;
    book *b = r->b;
    const due_list *due = r->due;
    if (r->t_dirty)
        recording_undo(r);
    r->t_dirty = 1;
    r->t_messages = 0;
    if (!r->commits) { /* numbered in memory, the last numbers written once a transaction */
        r->first = r->alert = book_number(b, t->txn, "alert");
        r->msg = book_number(b, t->txn, "message");
    }
    size_t nt;
    const nunit *units = book_units(b, &(size_t){0});
    const ntask *tasks = book_tasks(b, &nt);
    uint64_t la = r->alert, lm = r->msg;
    int n = 0;
    size_t i = r->next;
    for (; i < due->n && (size_t)n < r->chunk && !t->rc; i++) {
        const due_alert *a = &due->v[i];
        if (book_was_sent(b, a->task, a->due, (int)a->kind, a->slot))
            continue;
        char key[512];
        due_key(b, a, key, sizeof key);
        MDB_val kv = {strlen(key), key}, vv;
        recipient rec[64];
        alert_to to[64];
        size_t nr = recipients_of(b, a, rec); /* each unit once */
        uint64_t no = la + 1, taken = lm;
        for (size_t j = 0; j < nr; j++) {
            uint64_t m = r->per_unit[rec[j].unit].msg;
            to[j] = (alert_to){units[rec[j].unit].id, digest_role_name(rec[j].role), m ? m : ++taken};
        }
        alert_rec ar = {no, tasks[a->task].id, a->inst, due_kind_name(a->kind), a->due, a->slot, a->days, a->wdays,
                        a->level, r->now_ms, to, (uint32_t)nr};
        proto_alert_pack(&ar, &r->buf);
        vv = (MDB_val){r->buf.len, r->buf.buf};
        /* one walk down the tree: the put finds an alert committed before (the marks in
         * memory start empty at start), and nothing of this one has been taken yet */
        int rc = mdb_put(t->txn, dbi(b, N_ALERTS), &kv, &vv, MDB_NOOVERWRITE);
        if (rc == MDB_KEYEXIST) {
            book_mark_sent(b, a->task, a->due, (int)a->kind, a->slot);
            continue; /* already alerted for this slot */
        }
        if (store_txn_check(t, rc, "record an alert"))
            break;
        /* numbers only grow: appended at the end of the tree */
        unsigned char k8[8];
        store_u64_key(no, k8);
        MDB_val ik = {8, k8}, iv = {strlen(key), key};
        if (store_txn_check(t, mdb_put(t->txn, dbi(b, N_ALERT_IDS), &ik, &iv, MDB_APPEND), "record an alert"))
            break;
        double risk = book_at_risk(b, &tasks[a->task], NULL, NULL);
        for (size_t j = 0; j < nr; j++) {
            item_list *l = &r->per_unit[rec[j].unit];
            l->msg = to[j].message;
            if (l->n == l->cap) {
                l->cap = l->cap ? l->cap * 2 : 8;
                l->v = xrealloc(l->v, l->cap * sizeof *l->v);
            }
            l->v[l->n++] = (digest_item){no, a, rec[j].role, risk};
        }
        la = no;
        lm = taken;
        n++;
    }
    r->t_next = i;
    r->t_alert = la;
    r->t_msg = lm;
    r->t_alerts = n;
    int last = i >= due->n;
    if (n)
        store_txn_check(t, book_set_number(b, t->txn, "alert", la), "record alerts");
    if (!last && !r->commits) /* the first of several: an unfinished recording is known */
        store_txn_check(t, book_set_number(b, t->txn, "recording", r->first + 1), "record alerts");
    if (last && (n || r->commits)) {
        /* a message records which alerts it carries, not its text: the text and the webhook
         * body are composed from them when it is delivered (alertlog_message) */
        write_messages(r, t);
        store_txn_check(t, book_set_number(b, t->txn, "message", lm), "record messages");
        if (r->commits)
            store_txn_check(t, book_set_number(b, t->txn, "recording", 0), "record messages");
    }
    if (t->rc)
        return -1;
    return n || (last && r->commits) ? 0 : STORE_NOTHING;
}

int alertlog_record(book *b, const due_list *due, const alertlog_opts *o, int64_t now_ms, int *alerts, int *messages,
                    par_err *e)
{
    *alerts = *messages = 0; /* also when the transaction cannot even begin */
    if (alertlog_recover(b, o->chunk, "left by a recording that did not end", e) < 0)
        return -1;
    size_t nu;
    book_units(b, &nu);
    recording r = {.b = b, .due = due, .o = o, .now_ms = now_ms, .chunk = o->chunk ? o->chunk : ALERTLOG_CHUNK, .nu = nu};
    r.per_unit = xcalloc(nu ? nu : 1, sizeof *r.per_unit);
    sbuf_init(&r.buf);
    int rc = 0;
    while (rc == 0 && (r.next < due->n || !r.commits)) {
        if ((o->crash_after && r.commits == o->crash_after) || (o->fail_after && r.commits == o->fail_after)) {
            err_set(e, "the recording stopped after %d transactions (a test)", r.commits);
            rc = -1;
            break;
        }
        int w = store_write(book_store(b), record_chunk, &r, e);
        if (w < 0) {
            rc = -1;
            break;
        }
        r.t_dirty = 0;
        r.next = r.t_next;
        r.alert = r.t_alert;
        r.msg = r.t_msg;
        if (w == STORE_NOTHING)
            break;
        r.commits++;
        r.alerts += r.t_alerts;
        r.messages += r.t_messages;
    }
    if (rc == 0) {
        *alerts = r.alerts;
        *messages = r.messages;
        if (r.commits) /* recorded durably: remembered in memory */
            for (size_t i = 0; i < due->n; i++)
                book_mark_sent(b, due->v[i].task, due->v[i].due, (int)due->v[i].kind, due->v[i].slot);
    } else if (r.commits && !(o->crash_after && r.commits == o->crash_after)) {
        /* what the failed recording committed goes at once (else before the next one) */
        par_err re = {{0}};
        alertlog_recover(b, o->chunk, "the recording failed before its messages", &re);
    }
    sbuf_free(&r.buf);
    for (size_t u = 0; u < nu; u++)
        free(r.per_unit[u].v);
    free(r.per_unit);
    return rc;
}

typedef struct {
    book *b;
    size_t chunk;
    long removed;
    int done;
} recover_ctx;

/* Takes back, from the newest, at most chunk alerts of an unfinished recording. */
static int recover_chunk(store_txn *t, void *ctx, par_err *e)
{
    (void)e;
    recover_ctx *c = ctx;
    c->removed = 0;
    uint64_t from = book_number(c->b, t->txn, "recording");
    if (!from) {
        c->done = 1;
        return STORE_NOTHING;
    }
    MDB_cursor *cur;
    if (store_txn_check(t, mdb_cursor_open(t->txn, dbi(c->b, N_ALERT_IDS), &cur), "take back alerts"))
        return -1;
    MDB_val k = {0, NULL}, v;
    uint64_t top = 0; /* the newest alert left, once it is older than the recording */
    long n = 0;
    int rc;
    while ((rc = mdb_cursor_get(cur, &k, &v, MDB_LAST)) == 0 && (top = store_u64_from(k.mv_data)) >= from &&
           (size_t)n < c->chunk) {
        char key[512];
        MDB_val ak = {v.mv_size < sizeof key ? v.mv_size : sizeof key, key};
        memcpy(key, v.mv_data, ak.mv_size);
        int d = mdb_del(t->txn, dbi(c->b, N_ALERTS), &ak, NULL);
        if (store_txn_check(t, d == MDB_NOTFOUND ? 0 : d, "take back an alert") ||
            store_txn_check(t, mdb_cursor_del(cur, 0), "take back an alert"))
            break;
        n++;
    }
    mdb_cursor_close(cur);
    if (!t->rc && rc != 0 && rc != MDB_NOTFOUND)
        store_txn_check(t, rc, "take back alerts");
    if (t->rc)
        return -1;
    c->done = rc == MDB_NOTFOUND || top < from;
    /* the numbers go back with the alerts; the last transaction ends the recording */
    store_txn_check(t, book_set_number(c->b, t->txn, "alert", c->done ? from - 1 : top), "take back alerts");
    if (c->done)
        store_txn_check(t, book_set_number(c->b, t->txn, "recording", 0), "take back alerts");
    c->removed = t->rc ? 0 : n;
    return t->rc ? -1 : 0;
}

long alertlog_recover(book *b, size_t chunk, const char *why, par_err *e)
{
    recover_ctx c = {b, chunk ? chunk : ALERTLOG_CHUNK, 0, 0};
    long removed = 0;
    while (!c.done) {
        int w = store_write(book_store(b), recover_chunk, &c, e);
        if (w < 0) {
            log_error("event=take_back_failed error=\"%s\" reason=\"retried before the next recording\"", e->msg);
            return -1;
        }
        removed += c.removed;
        if (w == STORE_NOTHING)
            break;
    }
    if (removed)
        log_warn("event=recording_taken_back alerts=%ld reason=\"%s\"", removed, why);
    return removed;
}

int alertlog_due(book *b, int64_t now_ms, delivery *out, int max)
{
    MDB_txn *txn;
    par_err e;
    if (store_begin(book_store(b), MDB_RDONLY, &txn, &e) < 0)
        return 0;
    int n = 0;
    MDB_cursor *cur;
    if (mdb_cursor_open(txn, dbi(b, N_OUTBOX), &cur) == 0) {
        MDB_val k, v;
        for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && n < max;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            uint64_t no = store_u64_from(k.mv_data);
            if (v.mv_size == 8 && (int64_t)store_u64_from(v.mv_data) > now_ms)
                continue; /* nothing of it due yet */
            pv *m = NULL;
            if (get_num_pv(txn, dbi(b, N_MSGS), no, &m) != 1)
                continue;
            const pv *ds = pv_get(m, "deliveries");
            for (int ch = 0; ch < CH_COUNT && n < max; ch++) {
                const pv *d = pv_get(ds, ch_names[ch]);
                const char *st = pv_get_text(d, "state");
                if (d && (!strcmp(st, "pending") || !strcmp(st, "retrying")) && pv_get_int(d, "next", 0) <= now_ms)
                    out[n++] = (delivery){no, ch};
            }
            pv_free(m);
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    return n;
}

/* The stored bytes of alert number n (through the number index to its key): 1, 0 none. */
static int alert_bytes(book *b, MDB_txn *txn, uint64_t n, MDB_val *val)
{
    unsigned char k8[8];
    store_u64_key(n, k8);
    MDB_val k = {8, k8}, key;
    return !mdb_get(txn, dbi(b, N_ALERT_IDS), &k, &key) && !mdb_get(txn, dbi(b, N_ALERTS), &key, val);
}

/* Alert number n of the log read into v (its record as written: positional). 1; 0 when
 * there is no such alert or it is not a record of this version. */
static int alert_record(book *b, MDB_txn *txn, uint64_t n, alert_view *v)
{
    MDB_val val;
    par_err e;
    return alert_bytes(b, txn, n, &val) && proto_alert_unpack(v, val.mv_data, val.mv_size, &e) == 0;
}

/* The alert r of the log as the due_alert it was recorded from; -1 when its task is gone. */
static int alert_as_due(book *b, const alert_rec *r, due_alert *out)
{
    long t = book_task_index(b, r->task);
    if (t < 0)
        return -1;
    memset(out, 0, sizeof *out);
    out->task = (uint32_t)t;
    out->kind = !strcmp(r->kind, "remind") ? DUE_REMIND : DUE_OVERDUE;
    snprintf(out->inst, sizeof out->inst, "%s", r->instance);
    /* a recurring report's instance is "2024-Q4"; a dated task's is its deadline */
    const char *dash = strchr(out->inst, '-');
    if (dash && !strchr(dash + 1, '-'))
        snprintf(out->period, sizeof out->period, "%s", dash + 1);
    out->year = atoi(out->inst);
    out->due = r->deadline;
    out->slot = r->slot;
    out->days = r->days;
    out->wdays = r->working_days;
    out->level = r->level;
    return 0;
}

static digest_role role_named(const char *r)
{
    return !strcmp(r, "support") ? ROLE_SUPPORT : !strcmp(r, "parent") ? ROLE_PARENT
           : !strcmp(r, "follow")                                      ? ROLE_FOLLOW
                                                                       : ROLE_LEAD;
}

/* The message record rec composed into what is delivered: its alerts read from the
 * log, the text and the body written from them and the tasks. */
static pv *compose(book *b, MDB_txn *txn, pv *rec, const digest_opts *o)
{
    const char *unit = pv_get_text(rec, "unit");
    const pv *numbers = pv_get(rec, "alerts");
    size_t n = numbers && numbers->t == PV_ARR ? numbers->u.a.n : 0, k = 0;
    due_alert *das = xcalloc(n ? n : 1, sizeof *das);
    digest_item *items = xcalloc(n ? n : 1, sizeof *items);
    alert_view a;
    alert_view_init(&a);
    for (size_t i = 0; i < n; i++) {
        uint64_t no = (uint64_t)numbers->u.a.v[i]->u.i;
        if (alert_record(b, txn, no, &a) != 1 || alert_as_due(b, &a.rec, &das[k]) < 0)
            continue; /* its task is gone: counted, not listed */
        digest_role role = ROLE_LEAD;
        for (uint32_t j = 0; j < a.rec.nto; j++)
            if (!strcmp(a.rec.to[j].unit, unit))
                role = role_named(a.rec.to[j].role);
        size_t nt;
        items[k] = (digest_item){no, &das[k], role, book_at_risk(b, &book_tasks(b, &nt)[das[k].task], NULL, NULL)};
        k++;
    }
    digest_sort(items, k); /* points at risk as they stand when it is delivered */
    alert_view_free(&a);
    size_t overdue = (size_t)pv_get_int(rec, "overdue", 0), total = (size_t)pv_get_int(rec, "total", (int64_t)n);
    pv *m = digest_compose(b, txn, unit, items, k, overdue, total, o, pv_get_int(rec, "at_ms", 0));
    free(items);
    free(das);
    pv_set_int(m, "id", pv_get_int(rec, "id", 0));
    pv_set_str(m, "created", pv_get_text(rec, "created"));
    pv_set(m, "deliveries", pv_copy(pv_get(rec, "deliveries")));
    return m;
}

int alertlog_message(book *b, uint64_t msg, const digest_opts *o, pv **out)
{
    MDB_txn *txn;
    par_err e;
    if (store_begin(book_store(b), MDB_RDONLY, &txn, &e) < 0)
        return -1;
    pv *rec = NULL;
    int rc = get_num_pv(txn, dbi(b, N_MSGS), msg, &rec);
    if (rc == 1 && !pv_get(rec, "text")) { /* a record of an older version holds its text */
        *out = compose(b, txn, rec, o);
        pv_free(rec);
    } else if (rc == 1) {
        *out = rec;
    }
    mdb_txn_abort(txn);
    return rc;
}

typedef struct {
    book *b;
    uint64_t msg;
    int ch, ok, retry_s;
    const char *why;
    int64_t now_ms;
    int gone; /* out: no such message, or one that cannot be read: no write will mark it */
} mark_ctx;

/* The mark in a write transaction of store_write's: a full map is grown and it is
 * written again. */
static int mark_one(store_txn *t, void *ctx, par_err *e)
{
    mark_ctx *c = ctx;
    book *b = c->b;
    MDB_txn *txn = t->txn;
    pv *m = NULL;
    unsigned char k8[8];
    store_u64_key(c->msg, k8);
    MDB_val k = {8, k8}, v;
    int rc = mdb_get(txn, dbi(b, N_MSGS), &k, &v);
    if (rc && rc != MDB_NOTFOUND) /* the store failed to read it: that may pass */
        return store_txn_check(t, rc, "read a message") < 0 ? -1 : 0;
    par_err ig;
    if (rc || proto_decode_value(v.mv_data, v.mv_size, &m, &ig) < 0) {
        pv_free(m);
        c->gone = 1;
        err_set(e, "mark message %llu: %s", (unsigned long long)c->msg,
                rc ? "no such message" : "its record cannot be read");
        return -1;
    }
    pv *d = (pv *)pv_get(pv_get(m, "deliveries"), ch_names[c->ch]);
    int64_t attempts = pv_get_int(d, "attempts", 0) + 1;
    char at[40];
    clock_format(c->now_ms, at);
    pv_set_int(d, "attempts", attempts);
    pv_set_str(d, "at", at);
    if (c->ok) {
        pv_set_str(d, "state", "sent");
        pv_set_str(d, "error", "");
    } else {
        int64_t wait = (int64_t)c->retry_s * 1000;
        for (int64_t i = 1; i < attempts && wait < 3600 * 1000; i++)
            wait *= 2;
        if (wait > 3600 * 1000)
            wait = 3600 * 1000;
        pv_set_str(d, "state", "retrying");
        pv_set_str(d, "error", c->why ? c->why : "");
        pv_set_int(d, "next", c->now_ms + wait);
    }
    int open = 0;
    int64_t earliest = INT64_MAX;
    const pv *ds = pv_get(m, "deliveries");
    for (int k = 0; k < CH_COUNT; k++) {
        const pv *dc = pv_get(ds, ch_names[k]);
        const char *st = pv_get_text(dc, "state");
        if (!strcmp(st, "pending") || !strcmp(st, "retrying")) {
            open = 1;
            if (pv_get_int(dc, "next", 0) < earliest)
                earliest = pv_get_int(dc, "next", 0);
        }
    }
    rc = put_num_pv(txn, dbi(b, N_MSGS), c->msg, m);
    pv_free(m);
    if (rc == 0 && open)
        rc = put_outbox(txn, b, c->msg, earliest);
    if (rc == 0 && !open) {
        rc = mdb_del(txn, dbi(b, N_OUTBOX), &k, NULL);
        if (rc == MDB_NOTFOUND)
            rc = 0;
    }
    return store_txn_check(t, rc, "mark a message") < 0 ? -1 : 0;
}

int alertlog_mark(book *b, uint64_t msg, int ch, int ok, const char *why, int64_t now_ms, int retry_s, par_err *e)
{
    mark_ctx c = {b, msg, ch, ok, retry_s, why, now_ms, 0};
    if (store_write(book_store(b), mark_one, &c, e) < 0)
        return c.gone ? -2 : -1;
    return 0;
}

/* An alert record of the log (v) as the value tree queries answer with: the fields of
 * proto/alert.h by name, dates as text, and its key. An older version's map is read
 * as it is. 1, or -1 when it is not an alert. */
static int alert_value(const MDB_val *v, pv **out)
{
    alert_view a;
    alert_view_init(&a);
    par_err e;
    int rc = proto_alert_unpack(&a, v->mv_data, v->mv_size, &e);
    if (rc == 1) {
        rc = proto_decode_value(v->mv_data, v->mv_size, out, &e) == 0 ? 1 : -1;
    } else if (rc == 0) {
        const alert_rec *r = &a.rec;
        char deadline[16], slot[16], created[40], key[512];
        clock_format_day(r->deadline, deadline);
        clock_format_day(r->slot, slot);
        clock_format(r->created_ms, created);
        snprintf(key, sizeof key, "%s|%s|%s|%s", r->task, r->instance, r->kind, slot);
        pv *x = pv_map(), *to = pv_arr();
        pv_set_int(x, "id", (int64_t)r->id);
        pv_set_str(x, "key", key);
        pv_set_str(x, "task", r->task);
        pv_set_str(x, "instance", r->instance);
        pv_set_str(x, "kind", r->kind);
        pv_set_str(x, "deadline", deadline);
        pv_set_str(x, "slot", slot);
        pv_set_int(x, "days", r->days);
        pv_set_int(x, "working_days", r->working_days);
        pv_set_int(x, "level", r->level);
        pv_set_str(x, "created", created);
        for (uint32_t i = 0; i < r->nto; i++) {
            pv *t = pv_map();
            pv_set_str(t, "unit", r->to[i].unit);
            pv_set_str(t, "role", r->to[i].role);
            pv_set_int(t, "message", (int64_t)r->to[i].message);
            pv_push(to, t);
        }
        pv_set(x, "to", to);
        *out = x;
        rc = 1;
    }
    alert_view_free(&a);
    return rc;
}

static int alert_by_key(MDB_txn *txn, MDB_dbi d, const char *key, size_t len, pv **out)
{
    MDB_val k = {len, (void *)key}, v;
    return mdb_get(txn, d, &k, &v) ? 0 : alert_value(&v, out);
}

static int alert_by_number(book *b, MDB_txn *txn, uint64_t n, pv **out)
{
    MDB_val v;
    return alert_bytes(b, txn, n, &v) ? alert_value(&v, out) : 0;
}

int alertlog_ack(book *b, uint64_t n, const char *by, int64_t now_ms, pv **out, par_err *e)
{
    MDB_txn *txn;
    if (store_begin(book_store(b), 0, &txn, e) < 0)
        return -1;
    pv *a = NULL, *ack = NULL;
    int rc;
    if (alert_by_number(b, txn, n, &a) != 1) {
        err_set(e, "no alert number %llu", (unsigned long long)n);
        goto fail;
    }
    /* a unit's key may acknowledge what was sent to that unit only */
    char own[128];
    if (service_sender_unit(by, own, sizeof own)) {
        const pv *to = pv_get(a, "to");
        int mine = 0;
        for (uint32_t i = 0; to && i < to->u.a.n; i++)
            mine |= !strcmp(pv_get_text(to->u.a.v[i], "unit"), own);
        if (!mine) {
            err_set(e, "alert %llu was not sent to unit %s", (unsigned long long)n, own);
            goto fail;
        }
    } else if (strchr(by, ':') && strncmp(by, "admin:", 6)) { /* leaders write nothing; appraisers score */
        err_set(e, "only the units an alert was sent to and admins acknowledge it");
        goto fail;
    }
    char key[256], at[40];
    snprintf(key, sizeof key, "%s|%s", pv_get_text(a, "task"), pv_get_text(a, "instance"));
    clock_format(now_ms, at);
    ack = pv_map();
    pv_set_int(ack, "alert", (int64_t)n);
    pv_set_str(ack, "by", by);
    pv_set_str(ack, "at", at);
    if ((rc = store_put_pv(txn, dbi(b, N_ACKS), key, ack)) != 0) {
        err_set(e, "acknowledge: %s", mdb_strerror(rc));
        goto fail;
    }
    rc = mdb_txn_commit(txn);
    txn = NULL;
    if (rc) {
        err_set(e, "acknowledge: %s", mdb_strerror(rc));
        goto fail;
    }
    book_mark_acked(b, book_task_index(b, pv_get_text(a, "task")), pv_get_text(a, "instance"));
    pv_set_str(ack, "task", pv_get_text(a, "task"));
    pv_set_str(ack, "instance", pv_get_text(a, "instance"));
    pv_free(a);
    *out = ack;
    return 0;
fail:
    if (txn)
        mdb_txn_abort(txn);
    pv_free(a);
    pv_free(ack);
    return -1;
}

int alertlog_silence(book *b, const char *task, const char *until, const char *by, int64_t now_ms, pv **out,
                     par_err *e)
{
    long ti = task ? book_task_index(b, task) : -1;
    if (ti < 0) {
        err_set(e, "no task %s", task ? task : "");
        return -1;
    }
    int y = 0, m = 0, d = 0;
    char extra;
    if (until && *until &&
        (sscanf(until, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || !clock_date_valid(y, m, d))) {
        err_set(e, "until '%s' is not a date YYYY-MM-DD", until);
        return -1;
    }
    if (until && *until) { /* a silence ends: not one already over, nor one that outlives the plan */
        int64_t today, day = clock_days_from_civil(y, m, d);
        int sec;
        clock_local(now_ms, &today, &sec);
        char t[40];
        clock_format(now_ms, t);
        if (day < today) {
            err_set(e, "until %s is before today, %.10s", until, t);
            return -1;
        }
        if (day > today + ALERTLOG_SILENCE_DAYS) {
            err_set(e, "until %s is more than %d days after today, %.10s: alerts are silenced for a year at most",
                    until, ALERTLOG_SILENCE_DAYS, t);
            return -1;
        }
    }
    size_t nt, nu;
    const ntask *t = &book_tasks(b, &nt)[ti];
    const nunit *units = book_units(b, &nu);
    char own[128];
    if (service_sender_unit(by, own, sizeof own)) {
        int64_t today;
        int sec;
        clock_local(now_ms, &today, &sec);
        /* the lead, a supporting unit, or whoever took over a dissolved lead's work */
        uint32_t now_lead = book_unit_on(b, t->lead, today);
        int mine = (t->lead < nu && !strcmp(units[t->lead].id, own)) || (now_lead < nu && !strcmp(units[now_lead].id, own));
        for (uint32_t i = 0; i < t->nsup && !mine; i++) {
            uint32_t s = book_unit_on(b, t->sup[i], today);
            mine = (t->sup[i] < nu && !strcmp(units[t->sup[i]].id, own)) || (s < nu && !strcmp(units[s].id, own));
        }
        if (!mine) {
            err_set(e, "task %s is not unit %s's: its alerts are not this key's to silence", task, own);
            return -1;
        }
    } else if (strchr(by, ':') && strncmp(by, "admin:", 6)) {
        err_set(e, "only the task's units and admins silence its alerts");
        return -1;
    }
    MDB_txn *txn;
    if (store_begin(book_store(b), 0, &txn, e) < 0)
        return -1;
    char key[256], at[40];
    snprintf(key, sizeof key, "%s|silence", task);
    clock_format(now_ms, at);
    pv *sv = pv_map();
    pv_set_str(sv, "task", task);
    pv_set_str(sv, "until", until ? until : "");
    pv_set_str(sv, "by", by);
    pv_set_str(sv, "at", at);
    int rc = store_put_pv(txn, dbi(b, N_ACKS), key, sv);
    if (rc)
        mdb_txn_abort(txn);
    else
        rc = mdb_txn_commit(txn); /* ends the transaction whatever it returns */
    if (rc) {
        pv_free(sv);
        err_set(e, "silence: %s", mdb_strerror(rc));
        return -1;
    }
    book_silence(b, ti, y ? clock_days_from_civil(y, m, d) : 0);
    *out = sv;
    return 0;
}

/* The alert's state from its messages' deliveries: sent, retrying, pending, no_address. */
static void add_state(book *b, MDB_txn *txn, pv *a)
{
    const pv *to = pv_get(a, "to");
    int sent = 0, open = 0, retry = 0, none = 0;
    pv *errors = NULL;
    for (uint32_t i = 0; to && i < to->u.a.n; i++) {
        pv *m = NULL;
        if (get_num_pv(txn, dbi(b, N_MSGS), (uint64_t)pv_get_int(to->u.a.v[i], "message", 0), &m) != 1)
            continue;
        const pv *ds = pv_get(m, "deliveries");
        pv *states = pv_map(), *sent_at = pv_map();
        for (int c = 0; c < CH_COUNT; c++) {
            const pv *d = pv_get(ds, ch_names[c]);
            if (!d)
                continue;
            const char *st = pv_get_text(d, "state");
            sent += !strcmp(st, "sent");
            open += !strcmp(st, "pending");
            retry += !strcmp(st, "retrying");
            none += !strcmp(st, "no_address");
            pv_set_str(states, ch_names[c], st);
            /* a sent delivery's last attempt is the one that went through: when the
             * unit was actually told, which may be long after the alert was created */
            if (!strcmp(st, "sent") && *pv_get_text(d, "at"))
                pv_set_str(sent_at, ch_names[c], pv_get_text(d, "at"));
            if (!strcmp(st, "retrying")) {
                if (!errors)
                    errors = pv_arr();
                pv *er = pv_map();
                pv_set_str(er, "unit", pv_get_text(to->u.a.v[i], "unit"));
                pv_set_str(er, "channel", ch_names[c]);
                pv_set_int(er, "attempts", pv_get_int(d, "attempts", 0));
                pv_set_str(er, "error", pv_get_text(d, "error"));
                char next[40];
                clock_format(pv_get_int(d, "next", 0), next);
                pv_set_str(er, "next", next);
                pv_push(errors, er);
            }
        }
        pv_set((pv *)to->u.a.v[i], "deliveries", states);
        pv_set((pv *)to->u.a.v[i], "sent_at", sent_at);
        pv_free(m);
    }
    const char *state = retry ? "retrying" : open ? "pending" : sent ? "sent" : none ? "no_address" : "pending";
    char key[256];
    snprintf(key, sizeof key, "%s|%s", pv_get_text(a, "task"), pv_get_text(a, "instance"));
    MDB_val k = {strlen(key), key}, v;
    if (mdb_get(txn, dbi(b, N_ACKS), &k, &v) == 0)
        pv_set(a, "acked", pv_bool(1));
    pv_set_str(a, "state", state);
    if (errors)
        pv_set(a, "errors", errors);
}

int alertlog_list(book *b, const char *unit, size_t limit, pv **out, par_err *e)
{
    MDB_txn *txn;
    if (store_begin(book_store(b), MDB_RDONLY, &txn, e) < 0)
        return -1;
    pv *list = pv_arr();
    MDB_cursor *cur;
    if (mdb_cursor_open(txn, dbi(b, N_ALERT_IDS), &cur) == 0) {
        MDB_val k, v;
        for (int rc = mdb_cursor_get(cur, &k, &v, MDB_LAST); rc == 0 && list->u.a.n < limit;
             rc = mdb_cursor_get(cur, &k, &v, MDB_PREV)) {
            pv *a = NULL;
            if (alert_by_key(txn, dbi(b, N_ALERTS), v.mv_data, v.mv_size, &a) != 1)
                continue;
            int mine = !unit || !*unit;
            const pv *to = pv_get(a, "to");
            for (uint32_t i = 0; !mine && to && i < to->u.a.n; i++)
                mine = !strcmp(pv_get_text(to->u.a.v[i], "unit"), unit);
            if (!mine) {
                pv_free(a);
                continue;
            }
            add_state(b, txn, a);
            pv_push(list, a);
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    *out = list;
    return 0;
}
