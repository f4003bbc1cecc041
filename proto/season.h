/* season: the appraisal season of one index, year and level, as the collector holds
 * it: the phase, the deadlines, the publishing decision, and every move with who made
 * it and when. One positional msgpack array (the record is read on every line that
 * belongs to a season, so it stays small and fixed in shape):
 *   [1, index, year, level, phase, phase_at, self_until, explain_until, decision,
 *    decision_date, [[phase, at, by, until, decision, date, reason], ...]]
 * Dates are YYYY-MM-DD ("" when not set); at is the province's clock (ISO 8601). */
#ifndef PAR_PROTO_SEASON_H
#define PAR_PROTO_SEASON_H

#include <stdint.h>
#include "base.h"

enum { PHASE_NONE, PHASE_SELF, PHASE_APPRAISAL, PHASE_EXPLANATION, PHASE_FINAL, PHASE_PUBLISHED, PHASE_COUNT };

#define SEASON_MAX_MOVES 100
#define SEASON_TEXT 512

typedef struct {
    int phase;
    char at[40], by[160], until[11], decision[256], date[11], reason[SEASON_TEXT];
} season_move;

typedef struct {
    char index[32], level[32];
    int year, phase;
    char phase_at[40]; /* when the season entered its phase */
    char self_until[11], explain_until[11], decision[256], decision_date[11];
    uint32_t nmoves;
    season_move *moves; /* SEASON_MAX_MOVES of them; NULL: the moves are passed over
                         * (a line's check reads only the head) */
} season;

/* "self", "appraisal", ...; "" for PHASE_NONE. */
const char *season_phase_name(int phase);
/* The phase a name means; -1 when none. */
int season_phase_of(const char *name);
/* The phase's name as officials read it: "tự đánh giá", "thẩm định", ... */
const char *season_phase_vi(int phase);

void proto_season_pack(const season *s, sbuf *out);
/* One bounded pass (s->moves as the caller set it): 0, or -1 with e saying why. */
int proto_season_unpack(season *s, const void *buf, size_t len, par_err *e);

#endif
