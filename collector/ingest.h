/* ingest: turns requests into durable changes of the record. Submissions from
 * many clients share one transaction (group commit); every refused line carries
 * its line number and reason; a line equal to the stored one changes nothing and
 * gets the original receipt. Imports of reference data are all or nothing. */
#ifndef PAR_INGEST_H
#define PAR_INGEST_H

#include "record.h"
#include "../proto/submit.h"
#include "../common/sign.h"

typedef struct {
    const submit_view *sub; /* a decoded submit message */
    const char *sender; /* as the broker vouches */
    int accept_late;    /* [season] accept_late: a late self-score is stored, marked late */
    const sign_key *key; /* signs the ack's receipts (common/sign.h); NULL: unsigned */
    pv *ack;            /* out: the ack message, or NULL when the batch failed */
    /* out, for the log: lines stored now, already stored (sent again), refused; the unit
     * of the first line, and whether lines of other units came with it */
    uint32_t stored, already, refused;
    char unit[64];
    int more_units;
} ingest_req;

/* Stores the lines of n submit requests in one durable commit; received is the
 * province's clock. On success every req has its ack and *events the change events
 * to publish; on failure (-1) nothing was stored and e says why. */
int ingest_submits(record *r, ingest_req *reqs, int n, const char *received, record_events *events,
                   par_err *e);

/* Loads units, a framework or tasks (msg: a decoded import). *reply_data: counts,
 * errors (when any, nothing was stored) and warnings. -1 only when storing failed. */
int ingest_import(record *r, const pv *msg, const char *sender, const char *received, pv **reply_data,
                  record_events *events, par_err *e);

#endif
