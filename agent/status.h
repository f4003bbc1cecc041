/* status: `par-agent status`, what the district technician asks first: is the daemon
 * running, what waits in the outbox (files, lines), is the link to the province up,
 * the last success, the last error in words, and when the next try is. */
#ifndef PAR_AGENT_STATUS_H
#define PAR_AGENT_STATUS_H

#include <stdio.h>
#include "../common/config.h"

/* Prints to out (JSON with json); 0 when the daemon runs and the link is up, 1 otherwise. */
int agent_status(const par_config *conf, int json, FILE *out);

#endif
