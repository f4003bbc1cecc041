/* evidence: `par-agent evidence`, a unit's documents sent to the province for one
 * criterion, in pieces the collector appends and checks against the whole file's
 * SHA-256 (collector/evidence.h). */
#ifndef PAR_AGENT_EVIDENCE_H
#define PAR_AGENT_EVIDENCE_H

#include <stdio.h>
#include "../common/config.h"

typedef struct {
    const char *unit, *index, *year, *criterion;
} evidence_for;

/* Sends each file; 0 only when every one is acknowledged, 1 when some were refused (each
 * refusal said on out, in Vietnamese and English), EVIDENCE_RETRY when some could not be
 * sent or stored (the province unreachable): worth sending again. */
#define EVIDENCE_RETRY 3
int evidence_send(const par_config *conf, const evidence_for *w, char **files, int n, int timeout_s, FILE *out);

#endif
