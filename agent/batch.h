/* batch: a file's rows cut into the submit messages that carry them ([agent] batch_lines
 * lines, BATCH_MAX_BYTES at most). A batch is a view of rows held elsewhere (the table
 * par-agent push read, the outbox entry par-agent run keeps), packed once when first
 * sent and sent again as packed until it is settled (acknowledged, or refused for good):
 * no value is built a field. push and run send the same way. */
#ifndef PAR_BATCH_H
#define PAR_BATCH_H

#include "../common/client.h"
#include "../proto/submit.h"

/* A batch stays under this many bytes whatever its lines (300 lines of 60 kB notes made
 * one 18 MB message, over the protocol's 16 MiB: nothing was stored, nothing answered). */
#define BATCH_MAX_BYTES (4u << 20)

typedef struct {
    submit_view v;     /* its id, the head and its rows: pointers into the file's rows */
    sbuf packed;       /* the message, from its first sending until it is answered */
    int64_t next_send; /* monotonic ms; 0 = now */
    int in_flight, done;
    int file;          /* the caller's: which file it is of */
} batch;

/* Starts all, the view of a whole file: the head each of its batches carries (the
 * compact ack asked for, the file's name as sent, the agent's unit, outside whose
 * subtree its lines are refused); its cols, lines and fields are the caller's. */
void batch_head(submit_view *all, const char *file, const char *agent_unit);
/* Cuts the rows of all (a view of a whole file: head, cols, lines, fields) into batches
 * of at most per lines, each with an id of cl's; *out holds them (appended to *n batches,
 * *cap their room). Returns how many were added. */
uint32_t batch_cut(const submit_view *all, uint32_t per, client *cl, int file, batch **out, uint32_t *n,
                   uint32_t *cap);
/* Sends b (packed at the first call): client_send_bytes's 1, 0 or -1. */
int batch_send(batch *b, client *cl, par_err *e);
/* Settled: its packed message is let go. */
void batch_done(batch *b);
void batch_free_all(batch *bs, uint32_t n);

#endif
