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
    for (int i = 0; i < b->nagents; i++)
        pv_free(b->agents[i].info);
    free(b->agents);
    b->agents = NULL;
    b->nagents = b->cap_agents = 0;
}

void broker_agent_seen(broker *b, const pv *args, int64_t now)
{
    const char *unit = pv_get_str(args, "unit");
    if (!unit || !*unit || strlen(unit) >= sizeof b->agents[0].unit)
        return;
    broker_agent *a = NULL;
    for (int i = 0; i < b->nagents && !a; i++)
        if (!strcmp(b->agents[i].unit, unit))
            a = &b->agents[i];
    if (!a) {
        if (b->nagents == 100000) /* bounded: one entry per unit of a country */
            return;
        if (b->nagents == b->cap_agents) {
            b->cap_agents = b->cap_agents ? b->cap_agents * 2 : 16;
            b->agents = xrealloc(b->agents, (size_t)b->cap_agents * sizeof *b->agents);
        }
        a = &b->agents[b->nagents++];
        memset(a, 0, sizeof *a);
        str_copy(a->unit, sizeof a->unit, unit);
        log_info("event=agent_seen unit=%s", unit);
    }
    a->last_seen = now;
    pv_free(a->info);
    a->info = pv_copy(args);
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
        const char *keys[] = {"version", "outbox", "last_success"};
        for (int k = 0; k < 3; k++)
            if (pv_get_str(a->info, keys[k]))
                pv_set_str(e, keys[k], pv_get_str(a->info, keys[k]));
        pv_push(agents, e);
    }
    pv_set(out, "agents", agents);
    return out;
}
