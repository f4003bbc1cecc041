/* authz: what a sender may do, from the identity the broker vouches for ("ROLE:NAME"
 * with CURVE; "anonymous@ADDRESS" or "internal" without it, on this server only).
 * A unit key may submit for its own unit and the units below it; only appraiser and
 * admin keys may send appraisal, survey and target lines; only admin keys may import
 * reference data or take backups. Without CURVE every sender is trusted. */
#ifndef PAR_AUTHZ_H
#define PAR_AUTHZ_H

#include "record.h"
#include "validate.h"

/* 0 allowed, -1 refused with the reason in why. */
int authz_line(record_txn *t, const char *sender, const sub_line *s, par_err *why);
int authz_admin(const char *sender, const char *what, par_err *why);
/* 0 when the sender has role (or holds no key: this server, loopback without CURVE). */
int authz_role(const char *sender, const char *role);
/* 1 with the unit of a unit key; 0 for every other sender (who sees the whole province). */
int authz_unit_of(const char *sender, char *unit, size_t n);
/* 0 when unit is mine or below it in the stored tree, -1 otherwise (also on a tree
 * deeper than 64 levels: refused, never looped). */
int authz_below(record_txn *t, const char *unit, const char *mine);

#endif
