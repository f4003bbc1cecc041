#include "proto.h"

#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

/* ---------- values ---------- */

static pv *pv_new(pv_type t)
{
    pv *v = xcalloc(1, sizeof *v);
    v->t = t;
    return v;
}

pv *pv_nil(void) { return pv_new(PV_NIL); }

pv *pv_bool(int b)
{
    pv *v = pv_new(PV_BOOL);
    v->u.b = !!b;
    return v;
}

pv *pv_int(int64_t i)
{
    pv *v = pv_new(PV_INT);
    v->u.i = i;
    return v;
}

pv *pv_float(double f)
{
    pv *v = pv_new(PV_FLOAT);
    v->u.f = f;
    return v;
}

pv *pv_strn(const char *s, size_t n)
{
    /* the node and its text in one block: a string is one allocation, not two (the
     * agent's tables and the services' answers are mostly strings) */
    pv *v = xmalloc(sizeof *v + n + 1);
    memset(v, 0, sizeof *v);
    v->t = PV_STR;
    v->u.s.p = (char *)(v + 1);
    if (n) /* n bytes as given, a NUL among them too (xstrndup's copy) */
        memcpy(v->u.s.p, s, n);
    v->u.s.p[n] = '\0';
    v->u.s.n = (uint32_t)n;
    return v;
}

pv *pv_str(const char *s) { return pv_strn(s, strlen(s)); }

pv *pv_raw(char *buf, size_t len)
{
    pv *v = pv_new(PV_RAW);
    v->u.s.p = buf;
    v->u.s.n = (uint32_t)len;
    return v;
}
pv *pv_arr(void) { return pv_new(PV_ARR); }
pv *pv_map(void) { return pv_new(PV_MAP); }

void pv_free(pv *v)
{
    if (!v)
        return;
    switch (v->t) {
    case PV_STR: /* its text is in the node's block */
        break;
    case PV_RAW:
        free(v->u.s.p);
        break;
    case PV_ARR:
        for (uint32_t i = 0; i < v->u.a.n; i++)
            pv_free(v->u.a.v[i]);
        free(v->u.a.v);
        break;
    case PV_MAP:
        for (uint32_t i = 0; i < v->u.m.n; i++) {
            free(v->u.m.kv[i].k);
            pv_free(v->u.m.kv[i].v);
        }
        free(v->u.m.kv);
        break;
    default:
        break;
    }
    free(v);
}

pv *pv_copy(const pv *v)
{
    switch (v->t) {
    case PV_NIL: return pv_nil();
    case PV_BOOL: return pv_bool(v->u.b);
    case PV_INT: return pv_int(v->u.i);
    case PV_FLOAT: return pv_float(v->u.f);
    case PV_STR: return pv_strn(v->u.s.p, v->u.s.n);
    case PV_RAW: {
        char *b = xmalloc(v->u.s.n ? v->u.s.n : 1);
        memcpy(b, v->u.s.p, v->u.s.n);
        return pv_raw(b, v->u.s.n);
    }
    case PV_ARR: {
        pv *a = pv_arr();
        for (uint32_t i = 0; i < v->u.a.n; i++)
            pv_push(a, pv_copy(v->u.a.v[i]));
        return a;
    }
    case PV_MAP: {
        pv *m = pv_map();
        for (uint32_t i = 0; i < v->u.m.n; i++)
            pv_set(m, v->u.m.kv[i].k, pv_copy(v->u.m.kv[i].v));
        return m;
    }
    }
    return pv_nil();
}

void pv_push(pv *arr, pv *item)
{
    if (arr->u.a.n == arr->u.a.cap) {
        arr->u.a.cap = arr->u.a.cap ? arr->u.a.cap * 2 : 8;
        arr->u.a.v = xrealloc(arr->u.a.v, arr->u.a.cap * sizeof(pv *));
    }
    arr->u.a.v[arr->u.a.n++] = item;
}

void pv_set(pv *map, const char *key, pv *val)
{
    for (uint32_t i = 0; i < map->u.m.n; i++) {
        if (strcmp(map->u.m.kv[i].k, key) == 0) {
            pv_free(map->u.m.kv[i].v);
            map->u.m.kv[i].v = val;
            return;
        }
    }
    if (map->u.m.n == map->u.m.cap) {
        map->u.m.cap = map->u.m.cap ? map->u.m.cap * 2 : 8;
        map->u.m.kv = xrealloc(map->u.m.kv, map->u.m.cap * sizeof(pv_kv));
    }
    map->u.m.kv[map->u.m.n].k = xstrdup(key);
    map->u.m.kv[map->u.m.n].v = val;
    map->u.m.n++;
}

void pv_set_str(pv *map, const char *key, const char *s) { pv_set(map, key, pv_str(s)); }
void pv_set_int(pv *map, const char *key, int64_t i) { pv_set(map, key, pv_int(i)); }

const pv *pv_get(const pv *map, const char *key)
{
    if (!map || map->t != PV_MAP)
        return NULL;
    for (uint32_t i = 0; i < map->u.m.n; i++)
        if (strcmp(map->u.m.kv[i].k, key) == 0)
            return map->u.m.kv[i].v;
    return NULL;
}

const char *pv_get_text(const pv *map, const char *key)
{
    const char *s = pv_get_str(map, key);
    return s ? s : "";
}

double pv_get_num(const pv *map, const char *key)
{
    const pv *v = pv_get(map, key);
    return !v ? 0 : v->t == PV_FLOAT ? v->u.f : v->t == PV_INT ? (double)v->u.i : 0;
}

const char *pv_get_str(const pv *map, const char *key)
{
    const pv *v = pv_get(map, key);
    return v && v->t == PV_STR ? v->u.s.p : NULL;
}

int64_t pv_get_int(const pv *map, const char *key, int64_t def)
{
    const pv *v = pv_get(map, key);
    return v && v->t == PV_INT ? v->u.i : def;
}

int pv_get_bool(const pv *map, const char *key, int def)
{
    const pv *v = pv_get(map, key);
    return v && v->t == PV_BOOL ? v->u.b : def;
}

/* ---------- encoding ---------- */

static void pack(msgpack_packer *pk, const pv *v)
{
    switch (v->t) {
    case PV_NIL: msgpack_pack_nil(pk); break;
    case PV_BOOL: v->u.b ? msgpack_pack_true(pk) : msgpack_pack_false(pk); break;
    case PV_INT: msgpack_pack_int64(pk, v->u.i); break;
    case PV_FLOAT: msgpack_pack_double(pk, v->u.f); break;
    case PV_STR:
        msgpack_pack_str(pk, v->u.s.n);
        msgpack_pack_str_body(pk, v->u.s.p, v->u.s.n);
        break;
    case PV_RAW:
        pk->callback(pk->data, v->u.s.p, v->u.s.n);
        break;
    case PV_ARR:
        msgpack_pack_array(pk, v->u.a.n);
        for (uint32_t i = 0; i < v->u.a.n; i++)
            pack(pk, v->u.a.v[i]);
        break;
    case PV_MAP:
        msgpack_pack_map(pk, v->u.m.n);
        for (uint32_t i = 0; i < v->u.m.n; i++) {
            size_t kl = strlen(v->u.m.kv[i].k);
            msgpack_pack_str(pk, kl);
            msgpack_pack_str_body(pk, v->u.m.kv[i].k, kl);
            pack(pk, v->u.m.kv[i].v);
        }
        break;
    }
}

void proto_encode(const pv *v, char **out, size_t *len)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    pack(&pk, v);
    *len = sb.size;
    *out = sb.data ? sb.data : xstrdup("");
}

/* ---------- bounded decoding ---------- */

/* Walks one value without allocating, so that no count or length is trusted before
 * it is checked against the bytes that remain. msgpack-c would otherwise reserve
 * memory for whatever a 5-byte header claims. */
static int scan(const unsigned char *p, size_t len, size_t *pos, int depth)
{
    if (depth > PROTO_MAX_DEPTH || *pos >= len)
        return -1;
    unsigned c = p[(*pos)++];
    size_t left = len - *pos;
    uint64_t n = 0;
    int width;
    enum { SCALAR, STR, ARR, MAP } kind = SCALAR;
    if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3)
        return 0;
    if ((c & 0xf0) == 0x80) {
        kind = MAP;
        n = c & 0x0f;
    } else if ((c & 0xf0) == 0x90) {
        kind = ARR;
        n = c & 0x0f;
    } else if ((c & 0xe0) == 0xa0) {
        kind = STR;
        n = c & 0x1f;
    } else {
        switch (c) {
        case 0xca: width = 4; goto fixed;
        case 0xcb: width = 8; goto fixed;
        case 0xcc: case 0xd0: width = 1; goto fixed;
        case 0xcd: case 0xd1: width = 2; goto fixed;
        case 0xce: case 0xd2: width = 4; goto fixed;
        case 0xcf: case 0xd3: width = 8; goto fixed;
        case 0xd9: kind = STR; width = 1; goto counted;
        case 0xda: kind = STR; width = 2; goto counted;
        case 0xdb: kind = STR; width = 4; goto counted;
        case 0xdc: kind = ARR; width = 2; goto counted;
        case 0xdd: kind = ARR; width = 4; goto counted;
        case 0xde: kind = MAP; width = 2; goto counted;
        case 0xdf: kind = MAP; width = 4; goto counted;
        default:
            return -1; /* bin, ext and the never-used byte have no place in our messages */
        }
    fixed:
        if (left < (size_t)width)
            return -1;
        *pos += (size_t)width;
        return 0;
    counted:
        if (left < (size_t)width)
            return -1;
        for (int i = 0; i < width; i++)
            n = n << 8 | p[*pos + (size_t)i];
        *pos += (size_t)width;
        left -= (size_t)width;
    }
    if (kind == STR) {
        if (n > PROTO_MAX_STR || n > left)
            return -1;
        *pos += n;
        return 0;
    }
    /* every element takes at least one byte, a map pair two */
    if (n > PROTO_MAX_ITEMS || n * (kind == MAP ? 2 : 1) > left)
        return -1;
    for (uint64_t i = 0; i < n; i++) {
        if (kind == MAP) {
            size_t at = *pos;
            if (scan(p, len, pos, depth + 1) < 0)
                return -1;
            unsigned k = p[at];
            if (!((k & 0xe0) == 0xa0 || k == 0xd9 || k == 0xda || k == 0xdb))
                return -1; /* keys are strings */
        }
        if (scan(p, len, pos, depth + 1) < 0)
            return -1;
    }
    return 0;
}

static int64_t line_of(const pv *item)
{
    return item->t == PV_ARR && item->u.a.n && item->u.a.v[0]->t == PV_INT ? item->u.a.v[0]->u.i : -1;
}

void ack_cursor_init(ack_cursor *c, const pv *ack)
{
    memset(c, 0, sizeof *c);
    const pv *res = pv_get(ack, "results");
    c->results = res && res->t == PV_ARR ? res : NULL;
    /* from the network: an array, or nothing (a string here would be read as one) */
    c->refused = pv_get(ack, "refused");
    c->refused = c->refused && c->refused->t == PV_ARR ? c->refused : NULL;
    c->dups = pv_get(ack, "duplicates");
    c->dups = c->dups && c->dups->t == PV_ARR ? c->dups : NULL;
    c->received = pv_get_str(ack, "received") ? pv_get_str(ack, "received") : "";
    c->seq = c->first = pv_get_int(ack, "seq", 0);
    c->stored = pv_get_int(ack, "stored", -1);
}

int ack_cursor_done(const ack_cursor *c)
{
    if (c->results)
        return c->i == c->results->u.a.n ? 0 : -1;
    uint32_t nr = c->refused ? c->refused->u.a.n : 0, nd = c->dups ? c->dups->u.a.n : 0;
    return c->ri == nr && c->di == nd && (c->stored < 0 || c->seq - c->first == c->stored) ? 0 : -1;
}

static const char *str_or(const pv *v, const char *dflt)
{
    return v && v->t == PV_STR ? v->u.s.p : dflt;
}

void ack_cursor_next(ack_cursor *c, int64_t line, ack_line *out)
{
    *out = (ack_line){line, 0, 0, 0, "", ""};
    if (c->results) { /* a result a line, in the order of the lines */
        const pv *r = c->i < c->results->u.a.n ? c->results->u.a.v[c->i] : NULL;
        c->i++;
        if (!r) {
            out->reason = "no answer for this line";
            return;
        }
        out->line = pv_get_int(r, "line", line);
        out->ok = pv_get_bool(r, "ok", 0);
        out->duplicate = pv_get_bool(r, "duplicate", 0);
        out->seq = pv_get_int(r, "seq", 0);
        out->received = str_or(pv_get(r, "received"), "");
        out->reason = out->ok ? "" : str_or(pv_get(r, "reason"), "refused");
        return;
    }
    /* refusals and duplicates come in the order of the lines, like the lines */
    const pv *rf = c->refused && c->ri < c->refused->u.a.n && line_of(c->refused->u.a.v[c->ri]) == line
                       ? c->refused->u.a.v[c->ri]
                       : NULL;
    const pv *dp =
        c->dups && c->di < c->dups->u.a.n && line_of(c->dups->u.a.v[c->di]) == line ? c->dups->u.a.v[c->di] : NULL;
    if (rf) {
        c->ri++;
        out->reason = str_or(rf->u.a.n > 1 ? rf->u.a.v[1] : NULL, "refused");
    } else if (dp) {
        c->di++;
        out->ok = out->duplicate = 1;
        out->seq = dp->u.a.n > 1 && dp->u.a.v[1]->t == PV_INT ? dp->u.a.v[1]->u.i : 0;
        out->received = str_or(dp->u.a.n > 2 ? dp->u.a.v[2] : NULL, "");
    } else {
        out->ok = 1;
        out->seq = c->seq++;
        out->received = c->received;
    }
}

pv *proto_ack_results(const pv *ack, const int64_t *lines, uint32_t n)
{
    const pv *res = pv_get(ack, "results");
    if (res && res->t == PV_ARR)
        return pv_copy(res);
    ack_cursor c;
    ack_cursor_init(&c, ack);
    pv *out = pv_arr();
    for (uint32_t i = 0; i < n; i++) {
        ack_line l;
        ack_cursor_next(&c, lines[i], &l);
        pv *r = pv_map();
        pv_set_int(r, "line", l.line);
        pv_set(r, "ok", pv_bool(l.ok));
        if (!l.ok) {
            pv_set_str(r, "reason", l.reason);
        } else {
            pv_set_int(r, "seq", l.seq);
            pv_set_str(r, "received", l.received);
            if (l.duplicate)
                pv_set(r, "duplicate", pv_bool(1));
        }
        pv_push(out, r);
    }
    return out;
}

pv *proto_row_pv(const row_view *r)
{
    pv *m = pv_map();
    for (uint32_t i = 0; i < r->n; i++)
        pv_set_str(m, r->k[i], r->v[i]);
    return m;
}

int proto_skip(const void *buf, size_t len, size_t *pos)
{
    return scan(buf, len, pos, 0);
}

static pv *convert(const msgpack_object *o, par_err *e)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL: return pv_nil();
    case MSGPACK_OBJECT_BOOLEAN: return pv_bool(o->via.boolean);
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        if (o->via.u64 > INT64_MAX) {
            err_set(e, "integer out of range");
            return NULL;
        }
        return pv_int((int64_t)o->via.u64);
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: return pv_int(o->via.i64);
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64: return pv_float(o->via.f64);
    case MSGPACK_OBJECT_STR:
        /* an empty string may come with a NULL pointer: no memchr or copy from it */
        if (!o->via.str.size)
            return pv_str("");
        if (memchr(o->via.str.ptr, '\0', o->via.str.size) || !str_utf8_ok(o->via.str.ptr, o->via.str.size)) {
            /* tabs are fine; other control characters and broken UTF-8 are not text */
            err_set(e, "a string is not valid UTF-8 text");
            return NULL;
        }
        return pv_strn(o->via.str.ptr, o->via.str.size);
    case MSGPACK_OBJECT_ARRAY: {
        pv *a = pv_arr();
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            pv *item = convert(&o->via.array.ptr[i], e);
            if (!item) {
                pv_free(a);
                return NULL;
            }
            pv_push(a, item);
        }
        return a;
    }
    case MSGPACK_OBJECT_MAP: {
        pv *m = pv_map();
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object_kv *kv = &o->via.map.ptr[i];
            char key[256];
            if (kv->key.type != MSGPACK_OBJECT_STR || kv->key.via.str.size >= sizeof key ||
                !str_utf8_ok(kv->key.via.str.ptr, kv->key.via.str.size)) {
                err_set(e, "a map key is not a short string");
                goto bad_map;
            }
            if (kv->key.via.str.size)
                memcpy(key, kv->key.via.str.ptr, kv->key.via.str.size);
            key[kv->key.via.str.size] = '\0';
            if (pv_get(m, key)) {
                err_set(e, "duplicate map key '%s'", key);
                goto bad_map;
            }
            pv *val = convert(&kv->val, e);
            if (!val)
                goto bad_map;
            pv_set(m, key, val);
            continue;
        bad_map:
            pv_free(m);
            return NULL;
        }
        return m;
    }
    default:
        err_set(e, "unsupported msgpack type");
        return NULL;
    }
}

int proto_decode_value(const void *buf, size_t len, pv **out, par_err *e)
{
    *out = NULL;
    if (len == 0 || len > PROTO_MAX_MSG) {
        err_set(e, "message size %zu outside 1..%u bytes", len, PROTO_MAX_MSG);
        return -1;
    }
    size_t pos = 0;
    if (scan(buf, len, &pos, 0) < 0) {
        err_set(e, "malformed or oversized msgpack");
        return -1;
    }
    if (pos != len) {
        err_set(e, "%zu bytes after the message", len - pos);
        return -1;
    }
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    int rc = msgpack_unpack_next(&u, buf, len, &off);
    if (rc != MSGPACK_UNPACK_SUCCESS || off != len) {
        msgpack_unpacked_destroy(&u);
        err_set(e, "malformed msgpack");
        return -1;
    }
    *out = convert(&u.data, e);
    msgpack_unpacked_destroy(&u);
    return *out ? 0 : -1;
}

/* ---------- schema ---------- */

enum { ANY = -1 };

static const struct schema {
    const char *type;
    struct {
        const char *name;
        int t; /* pv_type or ANY */
        int required;
    } f[8];
} schemas[] = {
    {MSG_SUBMIT, {{"id", PV_INT, 1}, {"cols", PV_ARR, 1}, {"rows", PV_ARR, 1}, {"ack", PV_STR, 0}, {"file", PV_STR, 0}, {"unit", PV_STR, 0},
                  {"as", PV_STR, 0}}},
    {MSG_IMPORT, {{"id", PV_INT, 1}, {"what", PV_STR, 1}, {"cols", PV_ARR, 1}, {"rows", PV_ARR, 1}}},
    {MSG_ACK, {{"id", PV_INT, 1}, {"results", PV_ARR, 0}, {"received", PV_STR, 0}, {"seq", PV_INT, 0},
               {"stored", PV_INT, 0}, {"refused", PV_ARR, 0}, {"duplicates", PV_ARR, 0}, {"sig", PV_STR, 0}}},
    {MSG_QUERY, {{"id", PV_INT, 1}, {"q", PV_STR, 1}, {"args", PV_MAP, 0}}},
    {MSG_REPLY, {{"id", PV_INT, 1}, {"ok", PV_BOOL, 1}, {"error", PV_STR, 0}, {"data", ANY, 0}}},
    {MSG_EVENT, {{"seq", PV_INT, 1}, {"what", PV_STR, 1}, {"row", PV_MAP, 1}, {"received", PV_STR, 1},
                 {"sender", PV_STR, 1}}},
    {MSG_HB, {{"service", PV_STR, 1}, {"seq", PV_INT, 0}, {"info", PV_MAP, 0}}},
    {MSG_EVENTS, {{"events", PV_ARR, 1}}},
    {MSG_EVIDENCE, {{"id", PV_INT, 1}, {"meta", PV_MAP, 1}, {"offset", PV_INT, 1}, {"parts", PV_ARR, 1}}},
    {MSG_ERROR, {{"id", PV_INT, 1}, {"code", PV_STR, 1}, {"message", PV_STR, 1}, {"down", PV_BOOL, 0}}},
};

static int check_rows(const pv *m, par_err *e)
{
    const pv *cols = pv_get(m, "cols"), *rows = pv_get(m, "rows");
    if (cols->u.a.n == 0 || cols->u.a.n > 64) {
        err_set(e, "cols: 1 to 64 columns");
        return -1;
    }
    for (uint32_t i = 0; i < cols->u.a.n; i++)
        if (cols->u.a.v[i]->t != PV_STR) {
            err_set(e, "cols: column names are strings");
            return -1;
        }
    if (rows->u.a.n > PROTO_MAX_ROWS) {
        err_set(e, "rows: more than %d", PROTO_MAX_ROWS);
        return -1;
    }
    for (uint32_t r = 0; r < rows->u.a.n; r++) {
        const pv *row = rows->u.a.v[r];
        if (row->t != PV_ARR || row->u.a.n != cols->u.a.n + 1 || row->u.a.v[0]->t != PV_INT ||
            row->u.a.v[0]->u.i < 0) {
            err_set(e, "rows[%u]: expected [line, one string per column]", r);
            return -1;
        }
        for (uint32_t i = 1; i < row->u.a.n; i++)
            if (row->u.a.v[i]->t != PV_STR) {
                err_set(e, "rows[%u]: fields are strings", r);
                return -1;
            }
    }
    return 0;
}

static int check_str_map(const pv *m, const char *name, par_err *e)
{
    if (!m)
        return 0;
    for (uint32_t i = 0; i < m->u.m.n; i++)
        if (m->u.m.kv[i].v->t != PV_STR) {
            err_set(e, "%s.%s: expected a string", name, m->u.m.kv[i].k);
            return -1;
        }
    return 0;
}

static int check_schema(const pv *m, par_err *e)
{
    if (m->t != PV_MAP) {
        err_set(e, "a message is a map");
        return -1;
    }
    const pv *v = pv_get(m, "v");
    if (!v || v->t != PV_INT || v->u.i != PROTO_VERSION) {
        err_set(e, "unsupported protocol version (this program speaks version %d)", PROTO_VERSION);
        return -1;
    }
    const char *t = pv_get_str(m, "t");
    if (!t) {
        err_set(e, "message without a type");
        return -1;
    }
    for (size_t i = 0; i < sizeof schemas / sizeof schemas[0]; i++) {
        const struct schema *s = &schemas[i];
        if (strcmp(s->type, t))
            continue;
        for (int k = 0; k < 8 && s->f[k].name; k++) {
            const pv *f = pv_get(m, s->f[k].name);
            if (!f) {
                if (s->f[k].required) {
                    err_set(e, "%s message without '%s'", t, s->f[k].name);
                    return -1;
                }
                continue;
            }
            if (s->f[k].t != ANY && (int)f->t != s->f[k].t) {
                err_set(e, "%s message: '%s' has the wrong type", t, s->f[k].name);
                return -1;
            }
        }
        if (!strcmp(t, MSG_SUBMIT) || !strcmp(t, MSG_IMPORT))
            return check_rows(m, e);
        if (!strcmp(t, MSG_QUERY))
            return check_str_map(pv_get(m, "args"), "args", e);
        if (!strcmp(t, MSG_EVENT))
            return check_str_map(pv_get(m, "row"), "row", e);
        if (!strcmp(t, MSG_EVIDENCE)) {
            const pv *parts = pv_get(m, "parts");
            for (uint32_t i = 0; i < parts->u.a.n; i++)
                if (parts->u.a.v[i]->t != PV_STR) {
                    err_set(e, "evidence message: parts are base64 strings");
                    return -1;
                }
            return check_str_map(pv_get(m, "meta"), "meta", e);
        }
        return 0;
    }
    err_set(e, "unknown message type '%s'", t);
    return -1;
}

int proto_decode(const void *buf, size_t len, pv **out, par_err *e)
{
    if (proto_decode_value(buf, len, out, e) < 0)
        return -1;
    if (check_schema(*out, e) < 0) {
        pv_free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

const char *proto_type(const pv *msg)
{
    return pv_get_str(msg, "t");
}

pv *proto_msg(const char *type)
{
    pv *m = pv_map();
    pv_set_int(m, "v", PROTO_VERSION);
    pv_set_str(m, "t", type);
    return m;
}

pv *proto_error(int64_t id, const char *code, const char *message)
{
    pv *m = proto_msg(MSG_ERROR);
    pv_set_int(m, "id", id);
    pv_set_str(m, "code", code);
    pv_set_str(m, "message", message);
    return m;
}

pv *proto_reply(int64_t id, pv *data)
{
    pv *m = proto_msg(MSG_REPLY);
    pv_set_int(m, "id", id);
    pv_set(m, "ok", pv_bool(1));
    if (data)
        pv_set(m, "data", data);
    return m;
}

/* Reads a scalar at *pos: a string into str (if it is one) or an integer into *i. */
static int peek_scalar(const unsigned char *p, size_t len, size_t pos, char *str, size_t strn, int64_t *i)
{
    if (pos >= len)
        return 0;
    unsigned c = p[pos];
    size_t n = 0, hdr = 1;
    if ((c & 0xe0) == 0xa0)
        n = c & 0x1f;
    else if (c == 0xd9 && pos + 1 < len) {
        n = p[pos + 1];
        hdr = 2;
    } else if (c <= 0x7f) {
        *i = c;
        return 1;
    } else if (c >= 0xcc && c <= 0xcf) {
        int w = 1 << (c - 0xcc);
        uint64_t v = 0;
        if (pos + 1 + (size_t)w > len)
            return 0;
        for (int k = 0; k < w; k++)
            v = v << 8 | p[pos + 1 + (size_t)k];
        *i = (int64_t)v;
        return 1;
    } else if (c >= 0xd0 && c <= 0xd3) {
        int w = 1 << (c - 0xd0);
        if (pos + 1 + (size_t)w > len)
            return 0;
        uint64_t v = (p[pos + 1] & 0x80) ? UINT64_MAX : 0;
        for (int k = 0; k < w; k++)
            v = v << 8 | p[pos + 1 + (size_t)k];
        *i = (int64_t)v;
        return 1;
    } else {
        return 0;
    }
    if (!str || n >= strn || pos + hdr + n > len)
        return 0;
    memcpy(str, p + pos + hdr, n);
    str[n] = '\0';
    return 2;
}

static int peek_keys(const unsigned char *p, size_t len, char type[16], int64_t *id, int whole, int want_id);

int proto_peek(const void *buf, size_t len, char type[16], int64_t *id)
{
    return peek_keys(buf, len, type, id, 1, 1);
}

int proto_peek_head(const void *buf, size_t len, char type[16], int64_t *id)
{
    return peek_keys(buf, len, type, id, 0, 1);
}

int proto_peek_type(const void *buf, size_t len, char type[16])
{
    int64_t id;
    return peek_keys(buf, len, type, &id, 0, 0);
}

/* whole: the message is first checked to its end; else the keys are read until "t" and
 * (want_id) "id" are found, every step bounded by len (a router needs no more). */
static int peek_keys(const unsigned char *p, size_t len, char type[16], int64_t *id, int whole, int want_id)
{
    type[0] = '\0';
    *id = 0;
    int have_id = 0;
    if (len == 0 || len > PROTO_MAX_MSG)
        return -1;
    size_t chk = 0;
    if (whole && (scan(p, len, &chk, 0) < 0 || chk != len))
        return -1;
    if (!whole && len < 5)
        return -1;
    unsigned c = p[0];
    uint64_t n;
    size_t pos;
    if ((c & 0xf0) == 0x80) {
        n = c & 0x0f;
        pos = 1;
    } else if (c == 0xde) {
        n = (uint64_t)p[1] << 8 | p[2];
        pos = 3;
    } else if (c == 0xdf) {
        n = (uint64_t)p[1] << 24 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 8 | p[4];
        pos = 5;
    } else {
        return -1;
    }
    for (uint64_t k = 0; k < n; k++) {
        char key[8];
        int64_t dummy;
        int kind = peek_scalar(p, len, pos, key, sizeof key, &dummy);
        if (scan(p, len, &pos, 1) < 0)
            return -1;
        if (kind == 2 && !strcmp(key, "t"))
            peek_scalar(p, len, pos, type, 16, &dummy);
        else if (kind == 2 && !strcmp(key, "id"))
            have_id = peek_scalar(p, len, pos, NULL, 0, id) == 1;
        if (!whole && type[0] && (have_id || !want_id))
            return 0;
        if (scan(p, len, &pos, 1) < 0)
            return -1;
    }
    return type[0] ? 0 : -1;
}
