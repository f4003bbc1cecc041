#ifndef PAR_COLLECTOR_ROUND_H
#define PAR_COLLECTOR_ROUND_H

/* How much of what waits one round of the collector (one durable commit, then its
 * answers) takes. A round's flushes cost the same for 1 line or 30,000, so it takes
 * many; but every answer waits for its end, and an agent whose whole window went into a
 * round has nothing in flight while the commit flushes (one agent's push 8 % slower at
 * 16,384 lines). So: at most ROUND_LINES lines of any one client, ROUND_CLIENTS times
 * that in all (16 agents x 100,000 lines: ~50 commits instead of ~195, 4.8-4.9 s against
 * 5.5-5.6). */
#include <stddef.h>
#include <stdint.h>

#define ROUND_LINES 8192
#define ROUND_CLIENTS 4
#define ROUND_TRACKED 64 /* clients counted one by one; more are rare (max_batch 256) */

typedef struct {
    struct {
        const void *id; /* the client's routing id, which lives as long as the round */
        size_t len;
        uint64_t lines;
    } c[ROUND_TRACKED];
    int n;
    uint64_t lines;
} round_count;

void round_init(round_count *r);
/* Counts a submission of lines from the client id; 1 when the round is then full. */
int round_add(round_count *r, const void *id, size_t len, uint64_t lines);

#endif
