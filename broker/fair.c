#include "fair.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    unsigned char id[256];
    size_t idlen;
    fair_item *q; /* a ring */
    int head, n, cap;
    size_t queued;   /* bytes waiting */
    int inflight;    /* sent, not answered */
    size_t inflight_bytes;
    uint64_t served; /* bytes let through, from the virtual time it joined at */
} client_q;

struct fair {
    client_q *c;
    int n, cap, rr;
    unsigned gen;        /* the service's process the in-flight counts are of */
    int inflight;        /* for the service */
    size_t inflight_bytes;
    size_t queued;       /* bytes waiting, all clients */
    uint64_t vtime;      /* the served count of the last client let through */
};

fair *fair_new(void)
{
    return xcalloc(1, sizeof(fair));
}

void fair_item_close(fair_item *it)
{
    zmq_msg_close(&it->cid);
    zmq_msg_close(&it->sender);
    zmq_msg_close(&it->body);
}

void fair_destroy(fair *f)
{
    if (!f)
        return;
    fair_item it;
    while (fair_drain(f, &it))
        fair_item_close(&it);
    for (int i = 0; i < f->n; i++)
        free(f->c[i].q);
    free(f->c);
    free(f);
}

static client_q *find(fair *f, const zmq_msg_t *cid, int make)
{
    size_t len = zmq_msg_size((zmq_msg_t *)cid);
    const void *id = zmq_msg_data((zmq_msg_t *)cid);
    for (int i = 0; i < f->n; i++)
        if (f->c[i].idlen == len && !memcmp(f->c[i].id, id, len))
            return &f->c[i];
    if (!make || len > sizeof f->c[0].id)
        return NULL;
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->c = xrealloc(f->c, (size_t)f->cap * sizeof *f->c);
    }
    client_q *c = &f->c[f->n++];
    memset(c, 0, sizeof *c);
    memcpy(c->id, id, len);
    c->idlen = len;
    c->served = f->vtime; /* joins at the current virtual time: no share saved up, none owed */
    return c;
}

/* A client with nothing waiting and nothing in flight is forgotten. */
static void forget_idle(fair *f)
{
    for (int i = 0; i < f->n;) {
        client_q *c = &f->c[i];
        if (c->n || c->inflight) {
            i++;
            continue;
        }
        free(c->q);
        f->c[i] = f->c[--f->n];
        if (f->rr > f->n)
            f->rr = 0;
    }
}

/* What was in flight to an earlier process of the service will not be answered. */
static void same_process(fair *f, unsigned gen)
{
    if (f->gen == gen)
        return;
    f->gen = gen;
    f->inflight = 0;
    f->inflight_bytes = 0;
    for (int i = 0; i < f->n; i++) {
        f->c[i].inflight = 0;
        f->c[i].inflight_bytes = 0;
    }
    forget_idle(f);
}

static int credit(const fair *f, size_t bytes)
{
    /* one request always goes when nothing is in flight, whatever its size */
    return f->inflight == 0 ||
           (f->inflight < FAIR_CREDIT_MSGS && f->inflight_bytes + bytes <= FAIR_CREDIT_BYTES);
}

int fair_offer(fair *f, unsigned gen, fair_item *it, par_err *why)
{
    same_process(f, gen);
    size_t bytes = zmq_msg_size(&it->body);
    if (f->queued == 0 && credit(f, bytes))
        return FAIR_SEND;
    client_q *c = find(f, &it->cid, 1);
    if (!c || c->n >= FAIR_CLIENT_MSGS || c->queued + bytes > FAIR_CLIENT_BYTES) {
        err_set(why, "busy: %d requests of this client (%zu KiB) already wait for the service; send again later",
                c ? c->n : 0, c ? c->queued >> 10 : 0);
        return FAIR_BUSY;
    }
    if (f->queued + bytes > FAIR_TOTAL_BYTES) {
        err_set(why, "busy: %zu MiB of requests wait for the service; send again later", f->queued >> 20);
        return FAIR_BUSY;
    }
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 4;
        fair_item *q = xmalloc((size_t)cap * sizeof *q);
        for (int i = 0; i < c->n; i++)
            q[i] = c->q[(c->head + i) % c->cap];
        free(c->q);
        c->q = q;
        c->cap = cap;
        c->head = 0;
    }
    c->q[(c->head + c->n++) % c->cap] = *it; /* the frames move into the queue */
    c->queued += bytes;
    f->queued += bytes;
    return FAIR_QUEUED;
}

void fair_sent(fair *f, const zmq_msg_t *cid, size_t bytes)
{
    client_q *c = find(f, cid, 1);
    f->inflight++;
    f->inflight_bytes += bytes;
    if (c) {
        c->inflight++;
        c->inflight_bytes += bytes;
    }
}

void fair_answered(fair *f, const zmq_msg_t *cid)
{
    client_q *c = find(f, cid, 0);
    if (!c || !c->inflight)
        return; /* a request of an earlier process of the service, or not counted */
    size_t bytes = c->inflight_bytes / (size_t)c->inflight; /* near enough: answers come in any order */
    c->inflight--;
    c->inflight_bytes -= c->inflight ? bytes : c->inflight_bytes;
    f->inflight--;
    f->inflight_bytes = f->inflight_bytes > bytes ? f->inflight_bytes - bytes : 0;
    if (!f->inflight)
        f->inflight_bytes = 0;
    if (!c->n && !c->inflight)
        forget_idle(f);
}

int fair_next(fair *f, unsigned gen, fair_item *out)
{
    same_process(f, gen);
    /* the request that would finish first if each client had an equal share goes next
     * (fair queueing by bytes: its client's share so far, at least the current virtual
     * time, plus its size): a district's small push passes before a flood's next large
     * message, and a flood's messages still go in turn */
    client_q *c = NULL;
    uint64_t best = UINT64_MAX;
    for (int k = 0; k < f->n && f->queued; k++) {
        client_q *x = &f->c[(f->rr + k) % f->n];
        if (!x->n)
            continue;
        uint64_t finish = (x->served > f->vtime ? x->served : f->vtime) + zmq_msg_size(&x->q[x->head].body);
        if (finish < best) {
            best = finish;
            c = x;
        }
    }
    if (!c)
        return 0;
    size_t bytes = zmq_msg_size(&c->q[c->head].body);
    if (!credit(f, bytes))
        return 0; /* it waits for credit, and is not passed over */
    *out = c->q[c->head];
    c->head = (c->head + 1) % c->cap;
    c->n--;
    c->queued -= bytes;
    f->queued -= bytes;
    f->vtime = c->served > f->vtime ? c->served : f->vtime;
    c->served = f->vtime + bytes;
    f->rr = (int)(c - f->c + 1) % f->n;
    return 1;
}

int fair_drain(fair *f, fair_item *out)
{
    f->inflight = 0;
    f->inflight_bytes = 0;
    for (int i = 0; i < f->n; i++) {
        client_q *c = &f->c[i];
        c->inflight = 0;
        c->inflight_bytes = 0;
        if (!c->n)
            continue;
        *out = c->q[c->head];
        c->head = (c->head + 1) % c->cap;
        c->n--;
        size_t bytes = zmq_msg_size(&out->body);
        c->queued -= bytes;
        f->queued -= bytes;
        return 1;
    }
    forget_idle(f);
    return 0;
}

void fair_counts(const fair *f, size_t *waiting, size_t *inflight_bytes)
{
    size_t w = 0;
    for (int i = 0; i < f->n; i++)
        w += (size_t)f->c[i].n;
    *waiting = w;
    *inflight_bytes = f->inflight_bytes;
}
