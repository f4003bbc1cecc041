/* model: the scorer's state in memory. Units, criteria keys, task ids, levels and
 * indices are interned to small integers; each framework (index, year, level) is
 * parsed once into arrays in natural id order; a unit's submissions of a year are one
 * sorted array of 24-byte entries (a double and where it came from); totals, areas
 * and ranks are arrays per framework indexed by unit. Nothing is allocated per value
 * when a result is computed.
 *
 * What a result is, as a function of the record alone (so that live, restarted and
 * rebuilt scorers agree): a unit has a result for an index and a year when a
 * framework of that index, year and the unit's level exists, the unit sent anything
 * (any kind, any period) for that year, and at least one leaf has a value. */
#ifndef PAR_MODEL_H
#define PAR_MODEL_H

#include <stdint.h>
#include "../common/deadline.h"
#include "../common/strset.h"
#include "../proto/event.h"
#include "../proto/proto.h"

typedef struct model model;

/* What a score event says of a result. */
typedef struct {
    double total;
    int32_t rank, of;
} model_result;

model *model_new(void);
/* The working-day calendar "on time" is judged by (NULL: every day works): a report due on
 * a day off is on time on the next working day (Civil Code 2015, art. 148). */
struct calendar;
void model_set_calendar(model *m, const struct calendar *cal);
/* The day of a period's last month a recurring report is due (the notifier's report_day). */
#define MODEL_REPORT_DAY 20
void model_set_report_days(model *m, dl_days days);
void model_destroy(model **m);

/* Inputs, from change events or from the replica at start. Each marks what it touches
 * for model_settle; values are the collector's validated text. */
void model_unit(model *m, const char *id, const char *parent, const char *level, const char *name);
/* A unit with its validity (common/validity.h), as the collector stores it: its last
 * period's parent, level and dates, its successor, and every period when it has
 * several. A year's tree is the one of its 31 December: a unit is ranked in year Y,
 * among the units of its level under the same parent, when a period holds 31/12/Y. */
void model_unit_dated(model *m, const char *id, const char *parent, const char *level, const char *name,
                      const char *valid_from, const char *valid_to, const char *successor, const char *periods);
/* The unit's parent and level in year's tree: 1, or 0 when unknown or not in it. */
int model_unit_year(model *m, const char *unit, int year, const char **parent, const char **level);
/* The unit's last day (YYYY-MM-DD), "" while it lasts or when unknown. */
const char *model_unit_end(model *m, const char *unit);
/* How a merged unit's year before is made from its predecessors' results:
 * CONF_MERGED_MEAN (default), CONF_MERGED_SUM or CONF_MERGED_NONE (common/config.h). */
void model_set_merged_prev(model *m, int rule);
/* A season's phase (collector/season.h): who may read its figures depends on it. */
void model_season(model *m, const char *index, int year, const char *level, const char *phase);
int model_published(model *m, const char *index, int year, const char *level);
/* The unit's level ("" when unknown); whether unit is mine or below it. */
const char *model_level(model *m, const char *unit);
int model_below(model *m, const char *unit, const char *mine);
void model_framework(model *m, const char *index, int year, const char *level);
void model_criterion(model *m, const pv *row);
/* index, criterion: what the task serves (a dated report due for a report-counting
 * criterion is one of its unit's reporting duties). */
void model_task(model *m, const char *id, const char *lead, const char *kind, const char *at, const char *index,
                const char *criterion);
void model_submission(model *m, const char *unit, int year, const char *period, const char *kind,
                      const char *key, const char *value, const char *date, const char *received);
/* One change event (units, frameworks, criteria, tasks, submissions; others ignored). */
void model_apply(model *m, const event_view *ev);

/* Recomputes what the changes since the last settle touch and re-ranks their peer
 * groups. moved: "INDEX|year|unit" of each result whose total, rank or group size
 * changed (a new result included). */
void model_settle(model *m, strset *moved);
/* Forgets the pending changes without computing (bulk loading). */
void model_forget_changes(model *m);
/* Every result from nothing. */
void model_recompute_all(model *m);

/* The result of a unit, 1 when it has one. */
int model_get(model *m, const char *index, int year, const char *unit, model_result *out);
/* The summary `parctl scores` shows for every result of index and year (level and
 * parent: filters, NULL for any), with the year before, sorted by level, parent, rank. */
pv *model_scores(model *m, const char *index, int year, const char *level, const char *parent);
/* Every year's total, maximum and rank of index (level: a filter, NULL for any), one
 * row per unit and year, by year then unit: what a chart of every year held draws. With
 * unit (NULL: every unit), that unit's rows only, with appraised, survey and its areas. */
pv *model_years(model *m, const char *index, const char *level, const char *unit);
/* Whether the unit has a target or a place target for the index in year or a later one
 * (gaps.h: what `parctl gaps` shows); without one it has nothing to show. */
int model_has_targets(model *m, const char *unit, const char *index, int year);
/* The units (ids) of a level the index has a framework for in that year, with or
 * without a result: those that owe its reports even when they sent nothing. */
pv *model_framework_units(model *m, const char *index, int year);
/* Sets rank, of and the areas' ranks of a result document from memory, and the change
 * from the year before (prev_total, change, prev_rank, prev_of; per area prev_score,
 * prev_pct, change_pp, prev_rank). */
void model_decorate(model *m, pv *doc);
/* Results held. */
size_t model_count(model *m);
/* Every result, one line each in key order, every figure in full: equal dumps, equal states. */
void model_dump(model *m, sbuf *out);

#endif
