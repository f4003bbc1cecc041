#include "session.h"
#include "../proto/base.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THROTTLE_MAX 4096

typedef struct {
    char key[128]; /* "u:NAME" or "a:ADDRESS" */
    int fails;
    int64_t first_ms;
} strike;

struct sessions {
    session s[SESSION_MAX];
    int n;
    strike t[THROTTLE_MAX];
    int nt;
};

sessions *sessions_new(void)
{
    return xcalloc(1, sizeof(sessions));
}

void sessions_destroy(sessions *s)
{
    if (s)
        sodium_memzero(s, sizeof *s);
    free(s);
}

void sessions_random(char out[SESSION_TOKEN])
{
    unsigned char b[32];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(out, SESSION_TOKEN, b, sizeof b);
}

const session *sessions_open(sessions *s, const char *user, const char *role, const char *unit, int64_t now)
{
    int at = s->n;
    if (s->n == SESSION_MAX) { /* full: the longest idle goes */
        at = 0;
        for (int i = 1; i < s->n; i++)
            if (s->s[i].last_ms < s->s[at].last_ms)
                at = i;
    } else {
        s->n++;
    }
    session *x = &s->s[at];
    memset(x, 0, sizeof *x);
    sessions_random(x->token);
    sessions_random(x->csrf);
    snprintf(x->user, sizeof x->user, "%s", user);
    snprintf(x->role, sizeof x->role, "%s", role);
    snprintf(x->unit, sizeof x->unit, "%s", unit ? unit : "");
    if (!strcmp(role, "unit"))
        snprintf(x->as, sizeof x->as, "unit:%.63s/%.63s", unit ? unit : "", user); /* the unit's, by name */
    else
        snprintf(x->as, sizeof x->as, "%.15s:%.63s", role, user);
    x->last_ms = now;
    return x;
}

static int find(const sessions *s, const char *token)
{
    if (!token || strlen(token) != SESSION_TOKEN - 1)
        return -1;
    for (int i = 0; i < s->n; i++)
        if (!sodium_memcmp(s->s[i].token, token, SESSION_TOKEN - 1))
            return i;
    return -1;
}

const session *sessions_find(sessions *s, const char *token, int64_t now)
{
    int i = find(s, token);
    if (i < 0)
        return NULL;
    if (now - s->s[i].last_ms > SESSION_IDLE_MS) {
        s->s[i] = s->s[--s->n];
        return NULL;
    }
    s->s[i].last_ms = now;
    return &s->s[i];
}

void sessions_close(sessions *s, const char *token)
{
    int i = find(s, token);
    if (i >= 0) {
        sodium_memzero(&s->s[i], sizeof s->s[i]);
        s->s[i] = s->s[--s->n];
    }
}

static strike *strike_of(sessions *s, const char *key, int64_t now, int make)
{
    for (int i = 0; i < s->nt; i++) {
        if (strcmp(s->t[i].key, key))
            continue;
        if (now - s->t[i].first_ms > THROTTLE_MS) { /* the window has passed */
            s->t[i].fails = 0;
            s->t[i].first_ms = now;
        }
        return &s->t[i];
    }
    if (!make)
        return NULL;
    int at = s->nt < THROTTLE_MAX ? s->nt++ : -1;
    /* full: a window that has passed goes first, then the oldest of those not holding a
     * throttle, and only if every one does, the oldest (made-up names filling the table
     * must not wipe a real account's count) */
    if (at < 0) {
        int passed = -1, open = -1, oldest = 0;
        for (int i = 0; i < s->nt && passed < 0; i++) {
            if (now - s->t[i].first_ms > THROTTLE_MS)
                passed = i;
            if (s->t[i].fails < THROTTLE_FAILS && (open < 0 || s->t[i].first_ms < s->t[open].first_ms))
                open = i;
            if (s->t[i].first_ms < s->t[oldest].first_ms)
                oldest = i;
        }
        at = passed >= 0 ? passed : open >= 0 ? open : oldest;
    }
    strike *t = &s->t[at];
    snprintf(t->key, sizeof t->key, "%s", key);
    t->fails = 0;
    t->first_ms = now;
    return t;
}

int sessions_throttled(sessions *s, const char *user, const char *addr, int64_t now)
{
    char k[2][128];
    snprintf(k[0], sizeof k[0], "u:%s", user);
    snprintf(k[1], sizeof k[1], "a:%s", addr);
    for (int i = 0; i < 2; i++) {
        strike *t = strike_of(s, k[i], now, 0);
        if (t && t->fails >= THROTTLE_FAILS)
            return (int)((t->first_ms + THROTTLE_MS - now) / 1000) + 1;
    }
    return 0;
}

void sessions_failed(sessions *s, const char *user, const char *addr, int64_t now)
{
    char k[128];
    snprintf(k, sizeof k, "u:%s", user);
    strike_of(s, k, now, 1)->fails++;
    snprintf(k, sizeof k, "a:%s", addr);
    strike_of(s, k, now, 1)->fails++;
}

void sessions_uncount(sessions *s, const char *user, const char *addr)
{
    char k[2][128];
    snprintf(k[0], sizeof k[0], "u:%s", user);
    snprintf(k[1], sizeof k[1], "a:%s", addr);
    for (int i = 0; i < 2; i++) {
        strike *t = strike_of(s, k[i], 0, 0);
        if (t && t->fails > 0)
            t->fails--;
    }
}

void sessions_succeeded(sessions *s, const char *user, const char *addr)
{
    char k[128];
    snprintf(k, sizeof k, "u:%s", user);
    strike *t = strike_of(s, k, 0, 0);
    if (t)
        t->fails = 0;
    (void)addr; /* an address's failures stand: one good login does not clear a guesser */
}
