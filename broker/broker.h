/* broker: the registry of services behind the public endpoint. Services register
 * by heartbeating; one that stops heartbeating for expiry_ms is down, and requests
 * for it are answered "service unavailable" at once instead of waiting. */
#ifndef PAR_BROKER_H
#define PAR_BROKER_H

#include <stddef.h>
#include <stdint.h>
#include "../proto/proto.h"

#define BROKER_MAX_SERVICES 16
#define BROKER_ID_MAX 256

typedef struct {
    char name[64];
    unsigned char worker[BROKER_ID_MAX]; /* routing id on the services socket */
    size_t worker_len;
    int64_t last_seen;  /* monotonic ms */
    int64_t since;      /* when it came up, monotonic ms */
    int64_t seq;        /* last sequence number it reported */
    pv *info;           /* what it reported about itself */
    int up;
    unsigned generation; /* a new one each time it comes up (a restart, a new process) */
} broker_service;

/* at most this many agents (a country has about 11,000 communes and 700 districts):
 * the status reply listing them stays far below a message's limit */
#define BROKER_MAX_AGENTS 20000

typedef struct {
    char unit[64];
    int64_t last_seen; /* monotonic ms */
    /* what it reported, each bounded: a heartbeat is refused whole rather than cut */
    char version[32], outbox[24], last_success[48];
} broker_agent;

typedef struct {
    broker_service svc[BROKER_MAX_SERVICES];
    broker_agent *agents;
    int nagents, cap_agents;
    int silence_ms;
    int n;
    int expiry_ms;
    int64_t started;
    char required[256]; /* comma-separated services that must be up */
} broker;

void broker_init(broker *b, int expiry_ms, int silence_ms, const char *required, int64_t now);
void broker_free(broker *b);
/* Records a heartbeat: registers the service or refreshes it; a "stopping" one goes down. */
void broker_heartbeat(broker *b, const pv *hb, const void *worker, size_t len, int64_t now);
/* The live service of that name, or NULL. */
broker_service *broker_find(broker *b, const char *name, int64_t now);
/* Marks silent services down; returns how many went down. */
int broker_expire(broker *b, int64_t now);
/* The service's connection is gone (a request to it could not be routed): down at once. */
void broker_gone(broker *b, broker_service *s);
/* Records an agent's heartbeat (args: unit, version, outbox, last_success). */
/* An agent's heartbeat (args: unit, version, outbox, last_success, nothing else, each
 * within its field) from sender as the broker vouches for it: a unit key speaks only for
 * its own unit. 0, or -1 with why. */
int broker_agent_seen(broker *b, const pv *args, const char *sender, int64_t now, par_err *why);
/* The answer to a status query: every known and required service, every agent. */
pv *broker_status(broker *b, int64_t now);

#endif
