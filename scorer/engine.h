/* engine: keeps every result current. A batch of change events is applied to the
 * replica in one transaction together with everything it touches: the results of
 * the units and years concerned (not the province), and the ranking of their peer
 * groups, with the last sequence number applied. */
#ifndef PAR_ENGINE_H
#define PAR_ENGINE_H

#include <stdint.h>
#include "../common/calendar.h"
#include "../common/deadline.h"
#include "../common/util.h"
#include "../proto/event.h"
#include "../proto/proto.h"

typedef struct engine engine;

/* map: initial LMDB map size, 0 for the default. */
/* [scorer] merged_prev (common/config.h): a merged unit's year before. */
void engine_set_merged_prev(engine *en, int rule);
/* The unit's last day (YYYY-MM-DD), "" while it lasts: a unit key stops after it. */
const char *engine_unit_end(engine *en, const char *unit);
int engine_open(engine **out, const char *dir, size_t map, par_err *e);
/* The working-day calendar reports are judged on time by (kept by the caller, who frees
 * it after engine_close); without one every day is a working day. */
void engine_set_calendar(engine *en, const calendar *cal);
/* The day of a period's last month each kind of recurring report is due ([notifier]
 * report_day and report_day_month ...; MODEL_REPORT_DAY until set). */
void engine_set_report_days(engine *en, dl_days days);
void engine_close(engine *en);
uint64_t engine_seq(engine *en);

/* The replica's commits wait up to ms after the first change they carry (0: each batch
 * is committed as it is applied). Memory and queries see a change at once; a scorer
 * killed before the commit takes those changes from the collector again. */
void engine_set_commit_ms(engine *en, int ms);
/* Commits what waits (the daemon calls it when engine_commit_in says so, and before it
 * stops). On failure memory goes back to the replica and -1 is returned. */
int engine_commit(engine *en, par_err *e);
/* ms until what waits should be committed (0: now), -1 when nothing waits. */
int engine_commit_in(engine *en, int64_t now_mono_ms);
/* 1 once after the sequence number went down (a failed commit took memory back to the
 * replica, a reset): the follower then asks the collector again from there. */
int engine_went_back(engine *en);
/* Tests: the next n commits fail with rc (ENOSPC as on a full disk, MDB_MAP_FULL). */
void engine_fail_commits(engine *en, int n, int rc);

/* Applies the events (event messages in sequence order) after the last applied one.
 * Events already applied are skipped; one that leaves a gap stops the batch: 1 is
 * returned and the caller asks the collector for what is missing. *scores: score
 * events (units whose total or rank changed), to publish. 0, 1 or -1. */
int engine_apply(engine *en, const event_batch *events, pv **scores, par_err *e);
/* Recomputes every result from the replica (after an upgrade, at the end of a bulk
 * catch-up; and the tests' yardstick). Ends bulk mode. */
int engine_recompute_all(engine *en, par_err *e);
/* Bulk mode, for a scorer far behind its record (a first start on a country's record,
 * a rebuilt store): changes are only copied into the replica, and engine_recompute_all
 * then computes everything once, several times faster than page after page. The mode
 * is kept in the store, so a restart in the middle goes on with it. */
int engine_begin_bulk(engine *en, par_err *e);
int engine_in_bulk(const engine *en);
/* Forgets everything (replica, results, sequence number): the scorer then rebuilds
 * from the collector's change log. For a scorer found ahead of its record. */
int engine_reset(engine *en, par_err *e);
/* A consistent copy of the scorer's store into DIR/scorer. */
int engine_backup(engine *en, const char *dir, pv **data, par_err *e);
/* Answers a query message: "scores" {index, year, level?, parent?} or "result"
 * {unit, index, year}. */
/* sender: as the broker vouches; a unit key reads only its own subtree's figures until
 * their season is published (NULL: this server's own). */
int engine_query(engine *en, const pv *msg, const char *sender, pv **data, par_err *e);
/* Figures for status: results held, store usage. */
pv *engine_stats(engine *en);
/* Every result, key and bytes, in key order: equal dumps, equal states. */
void engine_dump(engine *en, sbuf *out);

#endif
