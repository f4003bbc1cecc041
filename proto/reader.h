/* reader: a cursor over msgpack bytes for the typed readers (submit, event, row). Every
 * step checks what it reads against the bytes left, so a reader that reads each value
 * with the step of its kind (and mp_skip for the rest) is itself the one bounded,
 * validating pass: a count read from the bytes is spent one value at a time, each of at
 * least one byte. */
#ifndef PAR_PROTO_READER_H
#define PAR_PROTO_READER_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const unsigned char *p;
    size_t len, pos;
} mp_reader;

/* Starts r at the first byte of buf, checking nothing yet. */
void mp_begin(mp_reader *r, const void *buf, size_t len);
/* Each returns 0, or -1 when the next value is not of its kind, runs past the end or
 * passes proto's limits (PROTO_MAX_ITEMS elements, PROTO_MAX_STR bytes a string: the
 * limits proto_skip holds a whole message to). */
int mp_map(mp_reader *r, uint64_t *n);
int mp_array(mp_reader *r, uint64_t *n);
/* A string, in place (not NUL-terminated). */
int mp_str(mp_reader *r, const char **s, size_t *n);
/* An integer (any encoding) that fits int64. */
int mp_int(mp_reader *r, int64_t *v);
/* One whole value of any kind, within proto's limits. */
int mp_skip(mp_reader *r);
/* Whether the string k, kl is name. */
int mp_key_is(const char *k, size_t kl, const char *name);

#endif
