/* push: sends submission files to the province and waits until every line is
 * acknowledged (stored durably) or refused with a reason. */
#ifndef PAR_PUSH_H
#define PAR_PUSH_H

#include <stdio.h>
#include "../common/config.h"
#include "../proto/proto.h"

/* Exit status: 0 every line acknowledged; 1 some line refused or not acknowledged
 * in time; 2 a file could not be read. Refusals go to out as "FILE: line N: reason". */
/* A batch stays under this many bytes whatever its lines (300 lines of 60 kB notes made
 * one 18 MB message, over the protocol's 16 MiB: nothing was stored, nothing answered). */
#define PUSH_BATCH_BYTES (4u << 20)
/* What a row [line, field...] weighs in a submit message, near enough. */
size_t push_row_bytes(const pv *row);

int push_files(const par_config *conf, char *const files[], int n, int timeout_s, FILE *out);

#endif
