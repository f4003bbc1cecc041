/* authz: what a sender may do, from the identity the broker vouches for ("ROLE:NAME"
 * with CURVE; "anonymous@ADDRESS" or "internal" without it, on this server only).
 * A unit key may submit for its own unit and the units below it; only appraiser and
 * admin keys may send appraisal, survey and target lines; only admin keys may import
 * reference data or take backups. Without CURVE every sender is trusted. */
#ifndef PAR_AUTHZ_H
#define PAR_AUTHZ_H

#include "record.h"
#include "validate.h"

/* 0 allowed, -1 refused with the reason in why. today: the province's date
 * (YYYY-MM-DD), for the tree of that day and the keys that stopped before it. */
int authz_line(record_txn *t, const char *sender, const sub_line *s, const char *today, par_err *why);
/* A unit key, or a web account of a unit, stops with its unit: -1 (why says since when
 * and who took over) when the sender's unit ended before today (its valid_to), 0 for
 * every other sender. */
int authz_alive(record_txn *t, const char *sender, const char *today, par_err *why);
int authz_admin(const char *sender, const char *what, par_err *why);
/* 0 when the sender has role (or holds no key: this server, loopback without CURVE). */
int authz_role(const char *sender, const char *role);
/* 1 with the unit of a unit key; 0 for every other sender (who sees the whole province). */
int authz_unit_of(const char *sender, char *unit, size_t n);
/* 0 when unit is mine or below it in the stored tree of day (YYYY-MM-DD; "" the tree
 * as it now stands, the units' last periods), -1 otherwise (also on a tree deeper than
 * 64 levels: refused, never looped). */
int authz_below(record_txn *t, const char *unit, const char *mine, const char *day);

#endif
