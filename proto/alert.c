#include "alert.h"
#include "pack.h"
#include "proto.h"
#include "reader.h"

#include <string.h>

#define ALERT_FIELDS 11

void proto_alert_pack(const alert_rec *a, sbuf *out)
{
    out->len = 0;
    pack_array(out, ALERT_FIELDS);
    pack_int(out, (int64_t)a->id);
    pack_str(out, a->task);
    pack_str(out, a->instance);
    pack_str(out, a->kind);
    pack_int(out, a->deadline);
    pack_int(out, a->slot);
    pack_int(out, a->days);
    pack_int(out, a->working_days);
    pack_int(out, a->level);
    pack_int(out, a->created_ms);
    pack_array(out, a->nto * 3);
    for (uint32_t i = 0; i < a->nto; i++) {
        pack_str(out, a->to[i].unit);
        pack_str(out, a->to[i].role);
        pack_int(out, (int64_t)a->to[i].message);
    }
}

void alert_view_init(alert_view *v)
{
    memset(v, 0, sizeof *v);
    sbuf_init(&v->arena);
}

void alert_view_free(alert_view *v)
{
    sbuf_free(&v->arena);
}

/* A string into the arena (NUL-terminated), its offset in *at. */
static int text(alert_view *v, mp_reader *m, size_t *at)
{
    const char *s;
    size_t n;
    if (mp_str(m, &s, &n) < 0 || (n && memchr(s, '\0', n)) || !str_utf8_ok(s, n))
        return -1;
    *at = v->arena.len;
    sbuf_add(&v->arena, s, n);
    sbuf_add(&v->arena, "", 1);
    return 0;
}

static int small(mp_reader *m, int *out)
{
    int64_t x;
    if (mp_int(m, &x) < 0 || x < -1000000 || x > 1000000)
        return -1;
    *out = (int)x;
    return 0;
}

int proto_alert_unpack(alert_view *v, const void *buf, size_t len, par_err *e)
{
    mp_reader m = {buf, len, 0};
    size_t end = 0;
    uint64_t n, nto;
    int64_t id, msg;
    size_t at[3], to_at[ALERT_MAX_TO][2];
    v->arena.len = 0;
    v->rec.nto = 0;
    if (proto_skip(buf, len, &end) < 0 || end != len)
        goto bad;
    if (len && ((const unsigned char *)buf)[0] >= 0x80 && ((const unsigned char *)buf)[0] <= 0x8f)
        return 1;
    if (len && (((const unsigned char *)buf)[0] == 0xde || ((const unsigned char *)buf)[0] == 0xdf))
        return 1;
    if (mp_array(&m, &n) < 0 || n != ALERT_FIELDS || mp_int(&m, &id) < 0 || id <= 0 || text(v, &m, &at[0]) < 0 ||
        text(v, &m, &at[1]) < 0 || text(v, &m, &at[2]) < 0 || mp_int(&m, &v->rec.deadline) < 0 ||
        mp_int(&m, &v->rec.slot) < 0 || small(&m, &v->rec.days) < 0 || small(&m, &v->rec.working_days) < 0 ||
        small(&m, &v->rec.level) < 0 || mp_int(&m, &v->rec.created_ms) < 0 || mp_array(&m, &nto) < 0)
        goto bad;
    if (nto % 3 || nto / 3 > ALERT_MAX_TO) {
        err_set(e, "an alert record has %llu recipient fields (triples, at most %d)", (unsigned long long)nto,
                ALERT_MAX_TO);
        return -1;
    }
    for (uint64_t i = 0; i < nto / 3; i++) {
        if (text(v, &m, &to_at[i][0]) < 0 || text(v, &m, &to_at[i][1]) < 0 || mp_int(&m, &msg) < 0 || msg < 0)
            goto bad;
        v->to[i].message = (uint64_t)msg;
    }
    /* the arena has stopped moving: now the pointers */
    v->rec.id = (uint64_t)id;
    v->rec.task = v->arena.buf + at[0];
    v->rec.instance = v->arena.buf + at[1];
    v->rec.kind = v->arena.buf + at[2];
    for (uint64_t i = 0; i < nto / 3; i++) {
        v->to[i].unit = v->arena.buf + to_at[i][0];
        v->to[i].role = v->arena.buf + to_at[i][1];
    }
    v->rec.to = v->to;
    v->rec.nto = (uint32_t)(nto / 3);
    return 0;
bad:
    err_set(e, "an alert record is not well formed");
    return -1;
}
