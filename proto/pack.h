/* pack: msgpack written straight into a buffer, for records packed once on a hot path
 * (a stored line, its change event, an alert) without a value tree. The same encoding
 * as proto_encode: the smallest form of each integer and string. */
#ifndef PAR_PROTO_PACK_H
#define PAR_PROTO_PACK_H

#include <stdint.h>
#include "base.h"

void pack_map(sbuf *b, uint32_t n);
void pack_array(sbuf *b, uint32_t n);
void pack_str(sbuf *b, const char *s);
void pack_strn(sbuf *b, const char *s, size_t n);
void pack_int(sbuf *b, int64_t v);
/* The head of a message of type with fields more fields to follow: the map header,
 * "v" (PROTO_VERSION) and "t". */
void pack_message(sbuf *b, const char *type, uint32_t fields);
/* Bytes already packed (one whole value). */
void pack_raw(sbuf *b, const void *p, size_t n);

#endif
