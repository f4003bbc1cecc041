#include "../common/util.h"
#include "broker.h"
#include "../common/log.h"
#include "../common/version.h"

#include <stdlib.h>
#include <string.h>

void broker_init(broker *b, int expiry_ms, int silence_ms, const char *required, int64_t now)
{
    memset(b, 0, sizeof *b);
    b->expiry_ms = expiry_ms;
    b->silence_ms = silence_ms;
    b->started = now;
    str_copy(b->required, sizeof b->required, required);
}

void broker_free(broker *b)
{
    for (int i = 0; i < b->n; i++)
        pv_free(b->svc[i].info);
    b->n = 0;
    free(b->agents);
    b->agents = NULL;
    b->nagents = b->cap_agents = 0;
}

int broker_agent_seen(broker *b, const pv *args, const char *sender, int64_t now, par_err *why)
{
    static const struct {
        const char *name;
        size_t max; /* bytes, with the NUL */
    } fields[] = {{"unit", sizeof b->agents[0].unit},
                  {"version", sizeof b->agents[0].version},
                  {"outbox", sizeof b->agents[0].outbox},
                  {"last_success", sizeof b->agents[0].last_success}};
    if (!args || args->t != PV_MAP) {
        err_set(why, "an agent heartbeat needs its args");
        return -1;
    }
    for (uint32_t i = 0; i < args->u.m.n; i++) {
        const pv_kv *kv = &args->u.m.kv[i];
        size_t f = 0;
        while (f < 4 && strcmp(kv->k, fields[f].name))
            f++;
        if (f == 4) {
            err_set(why, "an agent heartbeat has no argument '%.40s' (unit, version, outbox, last_success)", kv->k);
            return -1;
        }
        if (kv->v->t != PV_STR || kv->v->u.s.n >= fields[f].max) {
            err_set(why, "an agent heartbeat's %s is text of at most %zu bytes", fields[f].name, fields[f].max - 1);
            return -1;
        }
    }
    const char *unit = pv_get_str(args, "unit");
    if (!unit || !*unit) {
        err_set(why, "an agent heartbeat needs its unit");
        return -1;
    }
    /* a unit's key may report its own agent only */
    if (!strncmp(sender, "unit:", 5) && strcmp(sender + 5, unit)) {
        err_set(why, "the key of unit %s may not report the agent of %.64s", sender + 5, unit);
        return -1;
    }
    broker_agent *a = NULL;
    for (int i = 0; i < b->nagents && !a; i++)
        if (!strcmp(b->agents[i].unit, unit))
            a = &b->agents[i];
    if (!a) {
        if (b->nagents == BROKER_MAX_AGENTS) {
            err_set(why, "the broker follows %d agents already", BROKER_MAX_AGENTS);
            return -1;
        }
        if (b->nagents == b->cap_agents) {
            b->cap_agents = b->cap_agents ? b->cap_agents * 2 : 16;
            b->agents = xrealloc(b->agents, (size_t)b->cap_agents * sizeof *b->agents);
        }
        a = &b->agents[b->nagents++];
        memset(a, 0, sizeof *a);
        str_copy(a->unit, sizeof a->unit, unit);
        log_info("event=agent_seen unit=%s sender=%s", unit, sender);
    }
    a->last_seen = now;
    const char *v;
    str_copy(a->version, sizeof a->version, (v = pv_get_str(args, "version")) ? v : "");
    str_copy(a->outbox, sizeof a->outbox, (v = pv_get_str(args, "outbox")) ? v : "");
    str_copy(a->last_success, sizeof a->last_success, (v = pv_get_str(args, "last_success")) ? v : "");
    return 0;
}

static broker_service *lookup(broker *b, const char *name)
{
    for (int i = 0; i < b->n; i++)
        if (!strcmp(b->svc[i].name, name))
            return &b->svc[i];
    return NULL;
}

void broker_heartbeat(broker *b, const pv *hb, const void *worker, size_t len, int64_t now)
{
    const char *name = pv_get_str(hb, "service");
    if (!name || !*name || strlen(name) >= sizeof b->svc[0].name || len > BROKER_ID_MAX)
        return;
    broker_service *s = lookup(b, name);
    if (!s) {
        if (b->n == BROKER_MAX_SERVICES) {
            log_warn("event=too_many_services service=%s", name);
            return;
        }
        s = &b->svc[b->n++];
        memset(s, 0, sizeof *s);
        str_copy(s->name, sizeof s->name, name);
    }
    const pv *info = pv_get(hb, "info");
    if (pv_get_bool(info, "stopping", 0)) {
        if (s->up && s->worker_len == len && !memcmp(s->worker, worker, len)) {
            s->up = 0;
            log_info("event=service_down service=%s reason=stopping", name);
        }
        return;
    }
    if (!s->up || s->worker_len != len || memcmp(s->worker, worker, len)) {
        log_info("event=service_up service=%s", name);
        s->since = now;
        s->generation++; /* what was in flight to the one before is not coming back */
    }
    memcpy(s->worker, worker, len);
    s->worker_len = len;
    s->last_seen = now;
    s->seq = pv_get_int(hb, "seq", 0);
    pv_free(s->info);
    s->info = info ? pv_copy(info) : NULL;
    s->up = 1;
}

void broker_gone(broker *b, broker_service *s)
{
    (void)b;
    if (!s->up)
        return;
    s->up = 0;
    log_warn("event=service_down service=%s reason=disconnected", s->name);
}

broker_service *broker_find(broker *b, const char *name, int64_t now)
{
    broker_service *s = lookup(b, name);
    if (!s || !s->up || now - s->last_seen > b->expiry_ms)
        return NULL;
    return s;
}

int broker_expire(broker *b, int64_t now)
{
    int n = 0;
    for (int i = 0; i < b->n; i++) {
        broker_service *s = &b->svc[i];
        if (s->up && now - s->last_seen > b->expiry_ms) {
            s->up = 0;
            n++;
            log_warn("event=service_down service=%s reason=silent silent_ms=%lld", s->name,
                     (long long)(now - s->last_seen));
        }
    }
    return n;
}

static int required(const broker *b, const char *name)
{
    size_t l = strlen(name);
    for (const char *p = b->required; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == l && !strncmp(p, name, l))
            return 1;
        p += n + (end ? 1 : 0);
    }
    return 0;
}

pv *broker_status(broker *b, int64_t now)
{
    pv *out = pv_map();
    pv_set_int(out, "uptime_ms", now - b->started);
    pv_set_str(out, "version", PAR_VERSION);
    pv *list = pv_arr();
    /* required services first, in the configured order, also when never seen */
    char names[BROKER_MAX_SERVICES * 2][64];
    int nn = 0;
    for (const char *p = b->required; *p && nn < BROKER_MAX_SERVICES;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n && n < 64) {
            memcpy(names[nn], p, n);
            names[nn++][n] = '\0';
        }
        p += n + (end ? 1 : 0);
    }
    for (int i = 0; i < b->n; i++)
        if (!required(b, b->svc[i].name))
            str_copy(names[nn++], 64, b->svc[i].name);
    for (int i = 0; i < nn; i++) {
        broker_service *s = lookup(b, names[i]);
        pv *e = pv_map();
        pv_set_str(e, "name", names[i]);
        int up = s && broker_find(b, names[i], now) != NULL;
        pv_set(e, "up", pv_bool(up));
        pv_set(e, "required", pv_bool(required(b, names[i])));
        if (s) {
            pv_set_int(e, "seq", s->seq);
            pv_set_int(e, "last_seen_ms", now - s->last_seen);
            if (up)
                pv_set_int(e, "uptime_ms", now - s->since);
            if (s->info)
                pv_set(e, "info", pv_copy(s->info));
        }
        pv_push(list, e);
    }
    pv_set(out, "services", list);
    pv *agents = pv_arr();
    for (int i = 0; i < b->nagents; i++) {
        broker_agent *a = &b->agents[i];
        pv *e = pv_map();
        pv_set_str(e, "unit", a->unit);
        pv_set_int(e, "last_seen_ms", now - a->last_seen);
        pv_set(e, "silent", pv_bool(now - a->last_seen > b->silence_ms));
        if (*a->version)
            pv_set_str(e, "version", a->version);
        if (*a->outbox)
            pv_set_str(e, "outbox", a->outbox);
        if (*a->last_success)
            pv_set_str(e, "last_success", a->last_success);
        pv_push(agents, e);
    }
    pv_set(out, "agents", agents);
    return out;
}
