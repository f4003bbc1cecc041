/* push: sends submission files to the province and waits until every line is
 * acknowledged (stored durably) or refused with a reason. */
#ifndef PAR_PUSH_H
#define PAR_PUSH_H

#include <stdio.h>
#include "../common/config.h"
#include "../proto/proto.h"

/* Exit status: 0 every line acknowledged; 1 some line refused or not acknowledged
 * in time; 2 a file could not be read. Refusals go to out as "FILE: line N: reason". */
int push_files(const par_config *conf, char *const files[], int n, int timeout_s, FILE *out);

#endif
