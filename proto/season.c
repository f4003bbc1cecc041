#include "season.h"
#include "pack.h"
#include "proto.h"
#include "reader.h"

#include <string.h>

#define SEASON_VERSION 1

static const char *const names[PHASE_COUNT] = {"", "self", "appraisal", "explanation", "final", "published"};
static const char *const names_vi[PHASE_COUNT] = {"chưa mở", "tự đánh giá", "thẩm định", "giải trình",
                                                  "thẩm định lần cuối", "đã công bố"};

const char *season_phase_name(int phase)
{
    return phase >= 0 && phase < PHASE_COUNT ? names[phase] : "";
}

const char *season_phase_vi(int phase)
{
    return phase >= 0 && phase < PHASE_COUNT ? names_vi[phase] : "";
}

int season_phase_of(const char *name)
{
    for (int i = PHASE_SELF; i < PHASE_COUNT; i++)
        if (!strcmp(name, names[i]))
            return i;
    return -1;
}

void proto_season_pack(const season *s, sbuf *out)
{
    out->len = 0;
    pack_array(out, 11);
    pack_int(out, SEASON_VERSION);
    pack_str(out, s->index);
    pack_int(out, s->year);
    pack_str(out, s->level);
    pack_int(out, s->phase);
    pack_str(out, s->phase_at);
    pack_str(out, s->self_until);
    pack_str(out, s->explain_until);
    pack_str(out, s->decision);
    pack_str(out, s->decision_date);
    pack_array(out, s->nmoves);
    for (uint32_t i = 0; i < s->nmoves; i++) {
        const season_move *m = &s->moves[i];
        pack_array(out, 7);
        pack_int(out, m->phase);
        pack_str(out, m->at);
        pack_str(out, m->by);
        pack_str(out, m->until);
        pack_str(out, m->decision);
        pack_str(out, m->date);
        pack_str(out, m->reason);
    }
}

/* Text that fits out (with its NUL), valid UTF-8 without NUL. */
static int text(mp_reader *m, char *out, size_t cap)
{
    const char *s;
    size_t n;
    if (mp_str(m, &s, &n) < 0 || n >= cap || (n && memchr(s, '\0', n)) || !str_utf8_ok(s, n))
        return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

static int phase(mp_reader *m, int *out)
{
    int64_t v;
    if (mp_int(m, &v) < 0 || v < PHASE_NONE || v >= PHASE_COUNT)
        return -1;
    *out = (int)v;
    return 0;
}

int proto_season_unpack(season *s, const void *buf, size_t len, par_err *e)
{
    mp_reader m = {buf, len, 0};
    size_t end = 0;
    uint64_t n, nm;
    int64_t v, year;
    season_move *moves = s->moves;
    memset(s, 0, sizeof *s);
    s->moves = moves;
    if (proto_skip(buf, len, &end) < 0 || end != len || mp_array(&m, &n) < 0 || n != 11 || mp_int(&m, &v) < 0 ||
        v != SEASON_VERSION || text(&m, s->index, sizeof s->index) < 0 || mp_int(&m, &year) < 0 || year < 0 ||
        year > 9999 || text(&m, s->level, sizeof s->level) < 0 || phase(&m, &s->phase) < 0 ||
        text(&m, s->phase_at, sizeof s->phase_at) < 0 ||
        text(&m, s->self_until, sizeof s->self_until) < 0 || text(&m, s->explain_until, sizeof s->explain_until) < 0 ||
        text(&m, s->decision, sizeof s->decision) < 0 || text(&m, s->decision_date, sizeof s->decision_date) < 0 ||
        mp_array(&m, &nm) < 0)
        goto bad;
    if (nm > SEASON_MAX_MOVES) {
        err_set(e, "a season record holds %llu moves, more than %d", (unsigned long long)nm, SEASON_MAX_MOVES);
        return -1;
    }
    s->year = (int)year;
    s->nmoves = (uint32_t)nm;
    if (!moves) /* the head is all the caller wants */
        return 0;
    for (uint64_t i = 0; i < nm; i++) {
        season_move *mv = &s->moves[i];
        if (mp_array(&m, &n) < 0 || n != 7 || phase(&m, &mv->phase) < 0 || text(&m, mv->at, sizeof mv->at) < 0 ||
            text(&m, mv->by, sizeof mv->by) < 0 || text(&m, mv->until, sizeof mv->until) < 0 ||
            text(&m, mv->decision, sizeof mv->decision) < 0 || text(&m, mv->date, sizeof mv->date) < 0 ||
            text(&m, mv->reason, sizeof mv->reason) < 0)
            goto bad;
    }
    s->nmoves = (uint32_t)nm;
    return 0;
bad:
    memset(s, 0, sizeof *s);
    s->moves = moves;
    err_set(e, "a season record is not well formed");
    return -1;
}
