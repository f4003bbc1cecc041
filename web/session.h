/* session: who is logged in to par-web, held in memory (a restart logs everyone out):
 * a random token in an HttpOnly, SameSite=Strict cookie, the account's role and unit,
 * a form token (CSRF) per session, an idle expiry. And the login throttle: failed
 * logins counted per account and per address, refused for a while past a few. */
#ifndef PAR_WEB_SESSION_H
#define PAR_WEB_SESSION_H

#include <stdint.h>

#define SESSION_MAX 4096
#define SESSION_IDLE_MS (8 * 3600 * 1000LL)
#define SESSION_TOKEN 65 /* 32 random bytes as hex */

typedef struct {
    char token[SESSION_TOKEN], csrf[SESSION_TOKEN];
    char user[64], role[16], unit[64];
    char as[160]; /* whom the services are asked for: unit:U, or ROLE:NAME */
    int64_t last_ms;
} session;

typedef struct sessions sessions;

sessions *sessions_new(void);
void sessions_destroy(sessions *s);
/* A new session for an account (the oldest is dropped when full). */
const session *sessions_open(sessions *s, const char *user, const char *role, const char *unit, int64_t now);
/* The live session of a token, its idle time renewed; NULL when none or expired. */
const session *sessions_find(sessions *s, const char *token, int64_t now);
void sessions_close(sessions *s, const char *token);
/* Random hex of SESSION_TOKEN - 1 digits. */
void sessions_random(char out[SESSION_TOKEN]);

/* Login throttle: after THROTTLE_FAILS failures within THROTTLE_MS for an account or
 * an address, logins for it are refused until the window passes. */
#define THROTTLE_FAILS 5
#define THROTTLE_MS (15 * 60 * 1000LL)
/* 0 may try, else the seconds to wait. */
int sessions_throttled(sessions *s, const char *user, const char *addr, int64_t now);
void sessions_failed(sessions *s, const char *user, const char *addr, int64_t now);
void sessions_succeeded(sessions *s, const char *user, const char *addr);
/* Takes back one failure of each (an attempt counted when submitted, found right). */
void sessions_uncount(sessions *s, const char *user, const char *addr);

#endif
