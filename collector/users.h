/* users: the officials' web accounts (par-web), kept in the record: name, role (admin,
 * appraiser, leader or unit), the unit of a unit account, an Argon2id hash made by
 * parctl (the password itself never leaves the operator's terminal), and whether the
 * account is disabled. Only admin keys change or list them; only this server's own
 * processes (par-web, sender "internal") read a hash, to check a login. */
#ifndef PAR_USERS_H
#define PAR_USERS_H

#include "record.h"

/* args: name, mode (add, passwd or disable), role, unit, hash. 0 with *data the account
 * (without its hash); 1 refused with why; -1 storage failed. */
int users_change(record *r, const pv *args, const char *sender, const char *received, pv **data, par_err *why);
/* The accounts without their hashes (admin and leader keys, this server). */
int users_list(record_txn *t, const char *sender, pv **data, par_err *e);
/* One account with its hash, for par-web's login ("internal" only). The account of a
 * unit that ended before today (YYYY-MM-DD; "" not checked) comes with unit_ended, the
 * unit's last day, and its successor when one took over: par-web refuses the login. */
int users_auth(record_txn *t, const pv *args, const char *sender, const char *today, pv **data, par_err *e);

#endif
