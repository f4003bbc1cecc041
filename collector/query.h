/* query: what the collector answers besides storing: the stored record in the
 * submissions format (paged), the change log since a sequence number (how a
 * subscriber that was down catches up), and its own figures for status. */
#ifndef PAR_QUERY_H
#define PAR_QUERY_H

#include "record.h"

#define QUERY_PAGE 5000

/* Answers a query message with reply data, or -1 with e for the client (a sender of this
 * server's own: every query is answered). */
int query_answer(record *r, const pv *msg, pv **data, par_err *e);
/* The same for a reply that is only encoded and sent (a page of changes carries the log's
 * bytes as they are, PV_RAW, not decoded and encoded again), for sender: before its
 * season is published a unit key reads its own unit and those below it only. */
int query_answer_wire(record *r, const pv *msg, const char *sender, const char *today, pv **data, par_err *e);
/* Whether sender may fetch the document with this SHA-256: a unit key only one of its
 * own subtree's, or one whose season is published. 0, or -1 with e. */
int query_may_get_evidence(record *r, const char *sender, const char *sha, par_err *e);
/* Sizes and counts, sent with every heartbeat. */
pv *query_stats(record *r);

#endif
