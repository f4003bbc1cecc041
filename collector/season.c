#include "season.h"
#include "authz.h"
#include "../proto/pack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "INDEX|year|level": every stored line of a season's kind looks its season up */
static void season_key(char *out, size_t n, const char *index, int year, const char *level)
{
    char y[16], *ys = dec_i64(y + sizeof y - 1, year);
    y[sizeof y - 1] = '\0';
    const char *parts[3] = {index, ys, level};
    str_join_bars(out, n, parts, 3);
}

int season_get(record_txn *t, const char *index, int year, const char *level, season *out, par_err *e)
{
    char key[96];
    season_key(key, sizeof key, index, year, level);
    MDB_val k = {strlen(key), key}, v;
    int rc = mdb_get(t->txn, store_dbi(record_store(t->r), DB_SEASONS), &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc) {
        err_set(e, "read season %s: %s", key, mdb_strerror(rc));
        return -1;
    }
    return proto_season_unpack(out, v.mv_data, v.mv_size, e) < 0 ? -1 : 1;
}

pv *season_to_pv(const season *s)
{
    pv *d = pv_map();
    pv_set_str(d, "index", s->index);
    pv_set_int(d, "year", s->year);
    pv_set_str(d, "level", s->level);
    pv_set_str(d, "phase", season_phase_name(s->phase));
    pv_set_str(d, "since", s->phase_at);
    pv_set_str(d, "self_until", s->self_until);
    pv_set_str(d, "explain_until", s->explain_until);
    pv_set_str(d, "decision", s->decision);
    pv_set_str(d, "decision_date", s->decision_date);
    pv *moves = pv_arr();
    for (uint32_t i = 0; s->moves && i < s->nmoves; i++) {
        const season_move *m = &s->moves[i];
        pv *x = pv_map();
        pv_set_str(x, "phase", season_phase_name(m->phase));
        pv_set_str(x, "at", m->at);
        pv_set_str(x, "by", m->by);
        pv_set_str(x, "until", m->until);
        pv_set_str(x, "decision", m->decision);
        pv_set_str(x, "date", m->date);
        pv_set_str(x, "reason", m->reason);
        pv_push(moves, x);
    }
    pv_set(d, "moves", moves);
    return d;
}

typedef struct {
    const pv *args;
    const char *sender, *received;
    season s;
    season_move moves[SEASON_MAX_MOVES];
    int refused;
} move_ctx;

static const char *arg(const pv *args, const char *name)
{
    const char *s = pv_get_str(args, name);
    return s ? s : "";
}

/* Whether the record holds a framework for index, year and level. */
static int has_framework(record_txn *t, const char *index, int year, const char *level)
{
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s|%d|%s|", index, year, level);
    MDB_cursor *cur;
    if (mdb_cursor_open(t->txn, store_dbi(record_store(t->r), DB_FW), &cur))
        return 0;
    MDB_val k = {strlen(prefix), prefix}, v;
    int found = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE) == 0 && k.mv_size >= strlen(prefix) &&
                !memcmp(k.mv_data, prefix, strlen(prefix));
    mdb_cursor_close(cur);
    return found;
}

/* The checks of a move; 0 allowed, -1 with why. */
static int check_move(record_txn *t, move_ctx *x, int found, int to, char until[11], char date[11], par_err *why)
{
    const pv *a = x->args;
    const season *s = &x->s;
    const char *reason = arg(a, "reason"), *decision = arg(a, "decision");
    if (!has_framework(t, s->index, s->year, s->level)) {
        err_set(why, "there is no %s framework for %d and level %s: import it before opening its season", s->index,
                s->year, s->level);
        return -1;
    }
    if (*arg(a, "until") && validate_date(arg(a, "until"), until) < 0) {
        err_set(why, "--until '%s' is not a date (day/month/year or YYYY-MM-DD)", arg(a, "until"));
        return -1;
    }
    if (*until && to != PHASE_SELF && to != PHASE_EXPLANATION) {
        err_set(why, "--until sets the deadline of phase self or explanation, not of %s", season_phase_name(to));
        return -1;
    }
    if (*arg(a, "date") && validate_date(arg(a, "date"), date) < 0) {
        err_set(why, "--date '%s' is not a date (day/month/year or YYYY-MM-DD)", arg(a, "date"));
        return -1;
    }
    if (to == PHASE_PUBLISHED && (!*decision || !*date)) {
        err_set(why, "publishing needs the decision that publishes the index: --decision TEXT --date DATE");
        return -1;
    }
    if (to != PHASE_PUBLISHED && (*decision || *date)) {
        err_set(why, "--decision and --date go with --to published");
        return -1;
    }
    if (strlen(decision) >= sizeof s->decision || strlen(reason) >= SEASON_TEXT) {
        err_set(why, "--decision is at most %zu bytes, --reason %d", sizeof s->decision - 1, SEASON_TEXT - 1);
        return -1;
    }
    if (!found)
        return 0;
    if (s->nmoves >= SEASON_MAX_MOVES) {
        err_set(why, "the season has had %d moves, the most it keeps", SEASON_MAX_MOVES);
        return -1;
    }
    if (s->phase == PHASE_PUBLISHED && to != PHASE_FINAL) {
        err_set(why, "the season was published by decision %s of %s: only a new decision reopens it (--to final "
                     "--reason TEXT)", s->decision, s->decision_date);
        return -1;
    }
    if (to < s->phase && !*reason) {
        err_set(why, "the season is in phase %s: going back to %s needs --reason TEXT, kept in its history",
                season_phase_name(s->phase), season_phase_name(to));
        return -1;
    }
    if (to == s->phase && !*until) {
        err_set(why, "the season is already in phase %s", season_phase_name(to));
        return -1;
    }
    return 0;
}

static int do_move(record_txn *t, void *ctx, par_err *e)
{
    move_ctx *x = ctx;
    const pv *a = x->args;
    int64_t year = 0;
    x->refused = 0;
    x->s.moves = x->moves;
    const char *index = arg(a, "index"), *level = arg(a, "level"), *to_name = arg(a, "to");
    if (!validate_id(index) || str_to_i64(arg(a, "year"), &year) < 0 || year < 2000 || year > 2100 ||
        !validate_id(level)) {
        err_set(e, "a season is named by an index, a year from 2000 to 2100 and a level");
        goto refuse;
    }
    int to = season_phase_of(to_name);
    if (to < 0) {
        err_set(e, "--to '%s': the phases are self, appraisal, explanation, final and published", to_name);
        goto refuse;
    }
    int found = season_get(t, index, (int)year, level, &x->s, e);
    if (found < 0)
        return -1;
    if (!found) {
        memset(&x->s, 0, sizeof x->s);
        x->s.moves = x->moves;
        str_copy(x->s.index, sizeof x->s.index, index);
        str_copy(x->s.level, sizeof x->s.level, level);
        x->s.year = (int)year;
    }
    char until[11] = "", date[11] = "";
    if (check_move(t, x, found, to, until, date, e) < 0)
        goto refuse;
    season *s = &x->s;
    season_move *m = &s->moves[s->nmoves++];
    memset(m, 0, sizeof *m);
    m->phase = to;
    str_copy(m->at, sizeof m->at, x->received);
    str_copy(m->by, sizeof m->by, x->sender);
    str_copy(m->until, sizeof m->until, until);
    str_copy(m->decision, sizeof m->decision, arg(a, "decision"));
    str_copy(m->date, sizeof m->date, date);
    str_copy(m->reason, sizeof m->reason, arg(a, "reason"));
    if (to != s->phase)
        str_copy(s->phase_at, sizeof s->phase_at, x->received);
    s->phase = to;
    if (to == PHASE_SELF && *until)
        str_copy(s->self_until, sizeof s->self_until, until);
    if (to == PHASE_EXPLANATION && *until)
        str_copy(s->explain_until, sizeof s->explain_until, until);
    if (to == PHASE_PUBLISHED) {
        str_copy(s->decision, sizeof s->decision, m->decision);
        str_copy(s->decision_date, sizeof s->decision_date, date);
    }
    sbuf b;
    sbuf_init(&b);
    proto_season_pack(s, &b);
    char key[96];
    season_key(key, sizeof key, s->index, s->year, s->level);
    int rc = record_put_raw(t, DB_SEASONS, key, b.buf, b.len, e);
    sbuf_free(&b);
    if (rc < 0)
        return -1;
    /* followers learn the phase from the change log: the scorer shows a unit only its own
     * scores until the season is published */
    pv *row = pv_map();
    char ys[8];
    snprintf(ys, sizeof ys, "%d", s->year);
    pv_set_str(row, "index", s->index);
    pv_set_str(row, "year", ys);
    pv_set_str(row, "level", s->level);
    pv_set_str(row, "phase", season_phase_name(s->phase));
    pv_set_str(row, "self_until", s->self_until);
    pv_set_str(row, "explain_until", s->explain_until);
    pv_set_str(row, "decision", s->decision);
    pv_set_str(row, "decision_date", s->decision_date);
    pv_set_str(row, "reason", m->reason);
    rc = record_log(t, "season", row, x->received, x->sender, NULL, e);
    pv_free(row);
    return rc;
refuse:
    x->refused = 1;
    return STORE_NOTHING;
}

int season_change(record *r, const pv *args, const char *sender, const char *received, pv **data,
                  record_events *events, par_err *why)
{
    *data = NULL;
    memset(events, 0, sizeof *events);
    if (authz_role(sender, "admin") < 0 && authz_role(sender, "appraiser") < 0) {
        err_set(why, "only admin and appraiser keys move a season (this key: %s)", sender);
        return 1;
    }
    move_ctx *x = xcalloc(1, sizeof *x);
    x->args = args;
    x->sender = sender;
    x->received = received;
    int rc = record_write(r, do_move, x, events, why);
    if (rc == 0)
        *data = season_to_pv(&x->s);
    rc = rc < 0 ? -1 : x->refused ? 1 : 0;
    free(x);
    return rc;
}

int season_published_any(record_txn *t, int year, const char *level, season *out)
{
    MDB_cursor *cur;
    if (mdb_cursor_open(t->txn, store_dbi(record_store(t->r), DB_SEASONS), &cur))
        return -1;
    MDB_val k, v;
    int found = 0;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && !found; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        par_err ig;
        out->moves = NULL;
        found = proto_season_unpack(out, v.mv_data, v.mv_size, &ig) == 0 && out->year == year &&
                !strcmp(out->level, level) && out->phase == PHASE_PUBLISHED;
    }
    mdb_cursor_close(cur);
    return found;
}

static const char *kind_plural(const char *kind)
{
    return !strcmp(kind, "score") ? "self-scores" : !strcmp(kind, "appraisal") ? "appraisals"
           : !strcmp(kind, "survey") ? "survey points" : "explanations";
}

/* The cached slot of key, read (any: whether some index's season is published) when
 * it is not there. */
static int cached(record_txn *t, season_cache *c, const char *key, int any, const char *index, int year,
                  const char *level)
{
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->slot[i].key, key))
            return i;
    int i = c->n < SEASON_CACHE ? c->n++ : c->next;
    c->next = (i + 1) % SEASON_CACHE;
    str_copy(c->slot[i].key, sizeof c->slot[i].key, key);
    c->slot[i].head.moves = NULL;
    c->slot[i].err[0] = '\0';
    par_err e = {{0}};
    c->slot[i].found = any ? season_published_any(t, year, level, &c->slot[i].head)
                           : season_get(t, index, year, level, &c->slot[i].head, &e);
    if (c->slot[i].found < 0)
        str_copy(c->slot[i].err, sizeof c->slot[i].err, e.msg[0] ? e.msg : "a season could not be read");
    return i;
}

int season_check_line(record_txn *t, season_cache *c, const sub_line *s, const char *level, const char *received,
                      int accept_late, int *late, int *phase, par_err *why)
{
    *late = 0;
    *phase = PHASE_NONE;
    const char *kind = s->kind;
    int self = !strcmp(kind, "score"), appr = !strcmp(kind, "appraisal"), expl = !strcmp(kind, "explanation"),
        surv = !strcmp(kind, "survey");
    if (!strcmp(kind, "task") || !strcmp(kind, "metric")) {
        /* they belong to no index, but computed criteria count them: once a year's season
         * of the unit's level is published, they no longer change its figures */
        char key[96];
        season_key(key, sizeof key, "*", s->year, level);
        int i = cached(t, c, key, 1, NULL, s->year, level);
        if (c->slot[i].found > 0) {
            const season *h = &c->slot[i].head;
            err_set(why, "the %s %d season (level %s) was published by decision %s of %s: its figures no longer change",
                    h->index, s->year, level, h->decision, h->decision_date);
            return -1;
        }
        return 0;
    }
    if (!self && !appr && !expl && !surv)
        return 0; /* targets belong to no season */
    const char *colon = strchr(s->key, ':');
    char index[32];
    size_t il = colon ? (size_t)(colon - s->key) : 0;
    if (!il || il >= sizeof index)
        return 0;
    memcpy(index, s->key, il);
    index[il] = '\0';
    char key[96];
    season_key(key, sizeof key, index, s->year, level);
    int i = cached(t, c, key, 0, index, s->year, level);
    if (c->slot[i].found < 0) {
        err_set(why, "%s", c->slot[i].err);
        return -1;
    }
    if (!c->slot[i].found)
        return 0;
    const season *h = &c->slot[i].head;
    *phase = h->phase;
    char since[11];
    str_copy(since, sizeof since, h->phase_at);
    if (h->phase == PHASE_PUBLISHED) {
        err_set(why, "the %s %d season (level %s) was published by decision %s of %s: its figures no longer change",
                index, s->year, level, h->decision, h->decision_date);
        return -1;
    }
    int ok = self ? h->phase == PHASE_SELF : appr ? h->phase == PHASE_APPRAISAL || h->phase == PHASE_FINAL
                                         : expl ? h->phase == PHASE_EXPLANATION : 1;
    if (!ok) {
        err_set(why, "the %s %d season (level %s) is in phase %s since %s: %s are taken in phase %s", index, s->year,
                level, season_phase_name(h->phase), since, kind_plural(kind),
                self ? "self" : appr ? "appraisal or final" : "explanation");
        return -1;
    }
    const char *until = self ? h->self_until : expl ? h->explain_until : "";
    if (*until && strncmp(received, until, 10) > 0) {
        if (self && accept_late) {
            *late = 1;
            return 0;
        }
        err_set(why, "the %s %d season (level %s) took %s until %s; this line came on %.10s", index, s->year, level,
                kind_plural(kind), until, received);
        return -1;
    }
    return 0;
}
