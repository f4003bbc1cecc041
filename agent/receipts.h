/* receipts: the province's receipt for every acknowledged line (received time,
 * sequence number), appended to a CSV file the district keeps, so that a dispute about
 * lateness is settled from both sides' records. */
#ifndef PAR_RECEIPTS_H
#define PAR_RECEIPTS_H

#include <stdio.h>
#include "../common/config.h"
#include "../proto/proto.h"
#include "../proto/submit.h"

/* [agent] receipts, else DATA_DIR/agent/receipts.csv; the header is written when new. */
FILE *receipts_open(const par_config *conf, char *path, size_t n, par_err *e);
/* Calls fn (unless NULL) with each row of a submit message (msg, index i) and its answer
 * in ack (compact or a result a line: read with proto's ack_cursor); then
 * ack_cursor_done's 0 or -1. */
int receipts_each(const submit_view *msg, const pv *ack, void (*fn)(void *ctx, uint32_t i, const ack_line *l),
                  void *ctx);
/* 1 when ack answers msg's lines as they were sent (ack_cursor_done), 0 when it does not
 * add up: then no receipt is written and the batch is sent again (the collector stores
 * a line once, so the second answer names every line). */
int receipts_agree(const submit_view *msg, const pv *ack);
/* The same for people: "FILE: lines A-B: ..." in English, then Vietnamese. */
void receipts_disagree(FILE *out, const char *path, const submit_view *msg);
/* The receipts of the acknowledged lines of a submit message (msg) and its ack. */
void receipts_add(FILE *f, const char *path, const submit_view *msg, const pv *ack);

#endif
