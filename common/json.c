#include "json.h"

#include <jansson.h>
#include <stdlib.h>

static json_t *to_json(const pv *v)
{
    switch (v->t) {
    case PV_NIL: return json_null();
    case PV_BOOL: return json_boolean(v->u.b);
    case PV_INT: return json_integer(v->u.i);
    case PV_FLOAT: return json_real(v->u.f);
    case PV_STR: return json_stringn(v->u.s.p, v->u.s.n);
    case PV_RAW: return json_null(); /* encoded bytes are for the wire only */
    case PV_ARR: {
        json_t *a = json_array();
        for (uint32_t i = 0; i < v->u.a.n; i++)
            json_array_append_new(a, to_json(v->u.a.v[i]));
        return a;
    }
    case PV_MAP: {
        json_t *o = json_object();
        for (uint32_t i = 0; i < v->u.m.n; i++)
            json_object_set_new(o, v->u.m.kv[i].k, to_json(v->u.m.kv[i].v));
        return o;
    }
    }
    return json_null();
}

int json_print(FILE *f, const pv *v)
{
    json_t *j = to_json(v);
    int rc = json_dumpf(j, f, JSON_ENCODE_ANY | JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(j);
    fputc('\n', f);
    return rc;
}

char *json_compact(const pv *v)
{
    json_t *j = to_json(v);
    char *s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(j);
    return s;
}

pv *json_read_flat(const char *text, size_t len, par_err *e)
{
    json_error_t je;
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!o || !json_is_object(o)) {
        err_set(e, "not a JSON object: %s", o ? "another value" : je.text);
        json_decref(o);
        return NULL;
    }
    pv *m = pv_map();
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        if (json_is_string(v))
            pv_set_str(m, k, json_string_value(v));
        else if (json_is_integer(v))
            pv_set_int(m, k, (int64_t)json_integer_value(v));
        else if (json_is_boolean(v))
            pv_set(m, k, pv_bool(json_is_true(v)));
    }
    json_decref(o);
    return m;
}
