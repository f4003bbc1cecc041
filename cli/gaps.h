/* gaps: `parctl gaps`, a survey index against its targets (scorer/gaps.h), and the
 * figures as the plans print them, for the report's section on targets too. */
#ifndef PAR_CLI_GAPS_H
#define PAR_CLI_GAPS_H

#include "../proto/proto.h"
#include <stddef.h>

/* A figure out of its maximum (4,34/10), or a percent (80,74 %) for SIPAS. */
const char *gaps_score(char *out, size_t n, double v, double max, int percent);
/* A row's place target as the plan writes it: "20–30/63", "15/63" for one place. */
const char *gaps_places(char *out, size_t n, const pv *row);

#endif
