/* json: prints pv values as JSON (jansson), for every --json output. */
#ifndef PAR_JSON_H
#define PAR_JSON_H

#include <stdio.h>
#include "../proto/proto.h"

/* One JSON value and a newline; 0 or -1. */
int json_print(FILE *f, const pv *v);
/* One compact JSON text (the caller frees it), for bodies sent elsewhere. */
char *json_compact(const pv *v);

#endif
