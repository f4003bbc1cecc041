/* json: pv values as JSON (jansson), for every --json output; flat objects read back. */
#ifndef PAR_JSON_H
#define PAR_JSON_H

#include <stdio.h>
#include "../proto/proto.h"

/* One JSON value and a newline; 0 or -1. */
int json_print(FILE *f, const pv *v);
/* One compact JSON text (the caller frees it), for bodies sent elsewhere. */
char *json_compact(const pv *v);
/* A JSON object's strings, integers and booleans as a pv map (other members left out);
 * NULL with e when the text is not an object. */
pv *json_read_flat(const char *text, size_t len, par_err *e);

#endif
