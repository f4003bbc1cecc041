#include "alert.h"

#include <msgpack.h>
#include <string.h>

static int sbuf_write(void *data, const char *buf, size_t len)
{
    sbuf_add(data, buf, len);
    return 0;
}

static void put_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

static void put_key(msgpack_packer *pk, const char *k)
{
    put_str(pk, k);
}

void proto_alert_pack(const alert_rec *a, sbuf *out)
{
    out->len = 0;
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, sbuf_write);
    msgpack_pack_map(&pk, 12);
    put_key(&pk, "id");
    msgpack_pack_int64(&pk, (int64_t)a->id);
    const char *const names[] = {"key", "task", "instance", "kind", "deadline", "slot"};
    const char *const vals[] = {a->key, a->task, a->instance, a->kind, a->deadline, a->slot};
    for (int i = 0; i < 6; i++) {
        put_key(&pk, names[i]);
        put_str(&pk, vals[i]);
    }
    put_key(&pk, "days");
    msgpack_pack_int64(&pk, a->days);
    put_key(&pk, "working_days");
    msgpack_pack_int64(&pk, a->working_days);
    put_key(&pk, "level");
    msgpack_pack_int64(&pk, a->level);
    put_key(&pk, "created");
    put_str(&pk, a->created);
    put_key(&pk, "to");
    msgpack_pack_array(&pk, a->nto);
    for (uint32_t i = 0; i < a->nto; i++) {
        msgpack_pack_map(&pk, 3);
        put_key(&pk, "unit");
        put_str(&pk, a->to[i].unit);
        put_key(&pk, "role");
        put_str(&pk, a->to[i].role);
        put_key(&pk, "message");
        msgpack_pack_int64(&pk, (int64_t)a->to[i].message);
    }
}
