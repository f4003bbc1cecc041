/* query: what the collector answers besides storing: the stored record in the
 * submissions format (paged), the change log since a sequence number (how a
 * subscriber that was down catches up), and its own figures for status. */
#ifndef PAR_QUERY_H
#define PAR_QUERY_H

#include "record.h"

#define QUERY_PAGE 5000

/* Answers a query message with reply data, or -1 with e for the client. */
int query_answer(record *r, const pv *msg, pv **data, par_err *e);
/* Sizes and counts, sent with every heartbeat. */
pv *query_stats(record *r);

#endif
