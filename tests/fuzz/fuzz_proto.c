/* libFuzzer target: the message decoder and the broker's peek on untrusted bytes.
 * Whatever decodes must encode and decode again to the same value. */
#include <stdlib.h>
#include <string.h>

#include "../../proto/proto.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    pv *m = NULL;
    par_err e;
    char type[16];
    int64_t id;
    proto_peek(data, size, type, &id);
    if (proto_decode_value(data, size, &m, &e) == 0) {
        char *buf;
        size_t len;
        proto_encode(m, &buf, &len);
        pv *again = NULL;
        if (proto_decode_value(buf, len, &again, &e) != 0)
            abort();
        char *buf2;
        size_t len2;
        proto_encode(again, &buf2, &len2);
        if (len != len2 || memcmp(buf, buf2, len))
            abort();
        free(buf);
        free(buf2);
        pv_free(again);
        pv_free(m);
    }
    if (proto_decode(data, size, &m, &e) == 0)
        pv_free(m);
    return 0;
}
