#include "reader.h"
#include "proto.h"

#include <string.h>

static int be(mp_reader *r, int w, uint64_t *out)
{
    if (r->len - r->pos < (size_t)w)
        return -1;
    uint64_t v = 0;
    for (int i = 0; i < w; i++)
        v = v << 8 | r->p[r->pos + (size_t)i];
    r->pos += (size_t)w;
    *out = v;
    return 0;
}

/* A container's count, held to proto's limits as proto_skip holds it: at most
 * PROTO_MAX_ITEMS, and no more elements than the bytes left can hold (each takes at
 * least one, a map pair two), so that no reader reserves for a count the message
 * cannot carry. */
static int header(mp_reader *r, unsigned fix, unsigned t16, unsigned t32, unsigned min_bytes, uint64_t *n)
{
    if (r->pos >= r->len)
        return -1;
    unsigned c = r->p[r->pos++];
    if ((c & 0xf0) == fix)
        *n = c & 0x0f;
    else if ((c == t16 ? be(r, 2, n) : c == t32 ? be(r, 4, n) : -1) < 0)
        return -1;
    return *n > PROTO_MAX_ITEMS || *n * min_bytes > r->len - r->pos ? -1 : 0;
}

int mp_map(mp_reader *r, uint64_t *n)
{
    return header(r, 0x80, 0xde, 0xdf, 2, n);
}

int mp_array(mp_reader *r, uint64_t *n)
{
    return header(r, 0x90, 0xdc, 0xdd, 1, n);
}

int mp_str(mp_reader *r, const char **s, size_t *n)
{
    if (r->pos >= r->len)
        return -1;
    unsigned c = r->p[r->pos++];
    uint64_t l;
    if ((c & 0xe0) == 0xa0)
        l = c & 0x1f;
    else if (c == 0xd9 || c == 0xda || c == 0xdb) {
        if (be(r, c == 0xd9 ? 1 : c == 0xda ? 2 : 4, &l) < 0)
            return -1;
    } else
        return -1;
    if (l > PROTO_MAX_STR || l > r->len - r->pos)
        return -1;
    *s = (const char *)r->p + r->pos;
    *n = (size_t)l;
    r->pos += (size_t)l;
    return 0;
}

int mp_int(mp_reader *r, int64_t *v)
{
    if (r->pos >= r->len)
        return -1;
    unsigned c = r->p[r->pos++];
    uint64_t u;
    if (c <= 0x7f) {
        *v = c;
        return 0;
    }
    if (c >= 0xe0) {
        *v = (int8_t)c;
        return 0;
    }
    if (c >= 0xcc && c <= 0xcf) {
        if (be(r, 1 << (c - 0xcc), &u) < 0 || u > INT64_MAX)
            return -1;
        *v = (int64_t)u;
        return 0;
    }
    if (c >= 0xd0 && c <= 0xd3) {
        int w = 1 << (c - 0xd0);
        if (be(r, w, &u) < 0)
            return -1;
        *v = w == 8 ? (int64_t)u : (int64_t)(u << (64 - 8 * w)) >> (64 - 8 * w);
        return 0;
    }
    return -1;
}

void mp_begin(mp_reader *r, const void *buf, size_t len)
{
    r->p = buf;
    r->len = len;
    r->pos = 0;
}

int mp_skip(mp_reader *r)
{
    return proto_skip(r->p, r->len, &r->pos);
}

int mp_key_is(const char *k, size_t kl, const char *name)
{
    return kl == strlen(name) && !memcmp(k, name, kl);
}
