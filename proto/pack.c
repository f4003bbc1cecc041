#include "pack.h"
#include "proto.h"

#include <string.h>

static void put_be(sbuf *b, unsigned char tag, uint64_t v, int w)
{
    unsigned char h[9];
    h[0] = tag;
    for (int i = 0; i < w; i++)
        h[1 + i] = (unsigned char)(v >> (8 * (w - 1 - i)));
    sbuf_add(b, h, (size_t)w + 1);
}

static void container(sbuf *b, uint32_t n, unsigned char fix, unsigned char t16, unsigned char t32)
{
    if (n < 16) {
        unsigned char h = (unsigned char)(fix | n);
        sbuf_add(b, &h, 1);
    } else if (n < 65536) {
        put_be(b, t16, n, 2);
    } else {
        put_be(b, t32, n, 4);
    }
}

void pack_map(sbuf *b, uint32_t n)
{
    container(b, n, 0x80, 0xde, 0xdf);
}

void pack_array(sbuf *b, uint32_t n)
{
    container(b, n, 0x90, 0xdc, 0xdd);
}

void pack_strn(sbuf *b, const char *s, size_t n)
{
    if (n < 32) {
        unsigned char h = (unsigned char)(0xa0 | n);
        sbuf_add(b, &h, 1);
    } else if (n < 256) {
        put_be(b, 0xd9, n, 1);
    } else if (n < 65536) {
        put_be(b, 0xda, n, 2);
    } else {
        put_be(b, 0xdb, n, 4);
    }
    sbuf_add(b, s, n);
}

void pack_str(sbuf *b, const char *s)
{
    pack_strn(b, s, strlen(s));
}

/* msgpack-c's choice for int64: positive fixint, then the smallest unsigned form for
 * positives, negative fixint, then the smallest signed form. */
void pack_int(sbuf *b, int64_t v)
{
    if (v >= 0) {
        uint64_t u = (uint64_t)v;
        if (u < 128) {
            unsigned char h = (unsigned char)u;
            sbuf_add(b, &h, 1);
        } else if (u < 256) {
            put_be(b, 0xcc, u, 1);
        } else if (u < 65536) {
            put_be(b, 0xcd, u, 2);
        } else if (u < 4294967296ULL) {
            put_be(b, 0xce, u, 4);
        } else {
            put_be(b, 0xcf, u, 8);
        }
    } else if (v >= -32) {
        unsigned char h = (unsigned char)(int8_t)v;
        sbuf_add(b, &h, 1);
    } else if (v >= -128) {
        put_be(b, 0xd0, (uint64_t)v & 0xff, 1);
    } else if (v >= -32768) {
        put_be(b, 0xd1, (uint64_t)v & 0xffff, 2);
    } else if (v >= INT32_MIN) {
        put_be(b, 0xd2, (uint64_t)v & 0xffffffffu, 4);
    } else {
        put_be(b, 0xd3, (uint64_t)v, 8);
    }
}

void pack_message(sbuf *b, const char *type, uint32_t fields)
{
    pack_map(b, fields + 2);
    pack_str(b, "v");
    pack_int(b, PROTO_VERSION);
    pack_str(b, "t");
    pack_str(b, type);
}

void pack_raw(sbuf *b, const void *p, size_t n)
{
    sbuf_add(b, p, n);
}
