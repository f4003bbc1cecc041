/* evspool: evidence documents dropped in the spool folder, under
 *     SPOOL/evidence/UNIT/INDEX/YEAR/CRITERION/FILE
 * (e.g. evidence/TDG/PAR/2023/1.4/ke-hoach.pdf), sent one at a time by a child
 * `par-agent evidence` so that a large document on a slow link does not hold the
 * daemon's loop. Acknowledged: moved under SPOOL/done/evidence/ (same path);
 * refused: under SPOOL/rejected/evidence/ with FILE.err saying why; not answered:
 * left where it is and tried again after a while. A file is taken once it has not
 * changed for a few seconds. */
#ifndef PAR_EVSPOOL_H
#define PAR_EVSPOOL_H

#include <stdint.h>
#include <sys/types.h>
#include "../common/config.h"

typedef struct {
    const par_config *conf;
    char root[CONF_PATH + 16], done[CONF_PATH + 32], rejected[CONF_PATH + 32], out[CONF_PATH + 32];
    pid_t child;
    char rel[5 * 256 + 8], file[CONF_PATH + 16 + 5 * 256 + 16];
    int64_t next_scan; /* monotonic ms */
} evspool;

void evspool_init(evspool *q, const par_config *conf);
/* Reaps a finished child and files its document; starts the next one when due.
 * Returns when it wants to run again (monotonic ms). */
int64_t evspool_tick(evspool *q, int64_t now);
/* Waits for a child still sending (the daemon is stopping). */
void evspool_stop(evspool *q);

#endif
