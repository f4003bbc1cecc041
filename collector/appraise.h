/* appraise: the appraiser's view of one unit's self-assessment for an index and year,
 * the evidence gap first: criteria self-scored with neither a document nor a written
 * explanation, self-scores above last year's appraised value with no new document,
 * full marks on a criterion whose linked task the unit has not reported done, and
 * criteria not self-scored at all. Worked out from the record when asked. */
#ifndef PAR_APPRAISE_H
#define PAR_APPRAISE_H

#include "record.h"

/* args: unit, index, year. *data: {unit, level, criteria: [{criterion, name, max, self,
 * note, appraisal, reason, last_year, evidence, explanation, flags: [{code, text}]}]},
 * the flagged criteria first. 0, or -1 with e. */
int appraise_view(record_txn *t, const pv *args, pv **data, par_err *e);

#endif
