/* season: the appraisal season of an index, year and level in the record. Its phase
 * says which lines the collector takes (self-scores in self, appraisals in appraisal
 * and final, explanations in explanation, nothing once published); a move is made by
 * an admin or an appraiser and kept with who made it and when. An index, year and
 * level without a season takes every line, as before seasons existed. */
#ifndef PAR_SEASON_H
#define PAR_SEASON_H

#include "record.h"
#include "validate.h"
#include "../proto/season.h"

/* 1 found (*out filled; out->moves as the caller set it), 0 none, -1 unreadable (e). */
int season_get(record_txn *t, const char *index, int year, const char *level, season *out, par_err *e);

/* A season as a reply: phase, deadlines, decision and moves. */
pv *season_to_pv(const season *s);

/* Moves a season (args: index, year, level, to, until, decision, date, reason) in one
 * durable transaction. 0 with *data the season and *events to publish; 1 refused, with
 * why for the person; -1 storage failed (why). */
int season_change(record *r, const pv *args, const char *sender, const char *received, pv **data,
                  record_events *events, par_err *why);

/* Whether some index's season of year and level is published (*out: that season's
 * head): 1, 0, or -1 unreadable. */
int season_published_any(record_txn *t, int year, const char *level, season *out);

/* The seasons a request's lines meet, read once each: a file mixes tasks and figures
 * (asked whether any season of their year is published) with scores of one or two
 * indexes, and every line asks, a line sent again too. */
#define SEASON_CACHE 4
typedef struct {
    struct {
        char key[96];
        int found; /* 1, 0, or -1 unreadable (why in err) */
        season head;
        char err[160];
    } slot[SEASON_CACHE];
    int n, next; /* slots filled; the one replaced next */
} season_cache;

/* Whether a valid line may be stored in its season's phase (level: its unit's). 0 yes
 * (*late set when it came after the self-assessment deadline and accept_late let it
 * in; *phase the season's phase, PHASE_NONE without a season); -1 refused, with why
 * naming the phase and its date. */
int season_check_line(record_txn *t, season_cache *c, const sub_line *s, const char *level, const char *received,
                      int accept_late, int *late, int *phase, par_err *why);

#endif
