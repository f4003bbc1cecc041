#include "users.h"
#include "authz.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>

static const char *arg(const pv *a, const char *k)
{
    const char *s = a ? pv_get_str(a, k) : NULL;
    return s ? s : "";
}

static int valid_role(const char *r)
{
    return !strcmp(r, "admin") || !strcmp(r, "appraiser") || !strcmp(r, "leader") || !strcmp(r, "unit");
}

static pv *public_view(const pv *u)
{
    pv *x = pv_map();
    static const char *const keep[] = {"name", "role", "unit", "created", "changed"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        pv_set_str(x, keep[i], pv_get_str(u, keep[i]) ? pv_get_str(u, keep[i]) : "");
    pv_set(x, "disabled", pv_bool(pv_get_bool(u, "disabled", 0)));
    return x;
}

typedef struct {
    const pv *args;
    const char *received;
    pv *account;
    int refused;
} change_ctx;

static int do_change(record_txn *t, void *ctx, par_err *e)
{
    change_ctx *x = ctx;
    const pv *a = x->args;
    const char *name = arg(a, "name"), *mode = arg(a, "mode"), *hash = arg(a, "hash");
    pv *old = NULL;
    pv_free(x->account);
    x->account = NULL;
    x->refused = 1;
    if (!validate_id(name)) {
        err_set(e, "an account's name is 1-63 of letters, digits, '.', '_' or '-'");
        return STORE_NOTHING;
    }
    int have = record_get(t, DB_USERS, name, &old) == 1;
    if (!strcmp(mode, "add") && have) {
        pv_free(old);
        err_set(e, "account %s exists: change its password with parctl users passwd", name);
        return STORE_NOTHING;
    }
    if (strcmp(mode, "add") && !have) {
        err_set(e, "no account %s (parctl users list)", name);
        return STORE_NOTHING;
    }
    if ((!strcmp(mode, "add") || !strcmp(mode, "passwd")) &&
        (strncmp(hash, "$argon2id$", 10) || strlen(hash) > 200)) {
        pv_free(old);
        err_set(e, "a password is kept as an Argon2id hash made by parctl");
        return STORE_NOTHING;
    }
    pv *u = have ? old : pv_map();
    if (!strcmp(mode, "add")) {
        const char *role = arg(a, "role"), *unit = arg(a, "unit");
        if (!valid_role(role)) {
            pv_free(u);
            err_set(e, "--role is admin, appraiser, leader or unit (not '%s')", role);
            return STORE_NOTHING;
        }
        if (!strcmp(role, "unit") != !!*unit) {
            pv_free(u);
            err_set(e, "a unit account names its unit (--unit U), and only a unit account does");
            return STORE_NOTHING;
        }
        if (*unit && !record_unit(t, unit)) {
            pv_free(u);
            err_set(e, "unknown unit %s", unit);
            return STORE_NOTHING;
        }
        pv_set_str(u, "name", name);
        pv_set_str(u, "role", role);
        pv_set_str(u, "unit", unit);
        pv_set_str(u, "created", x->received);
        pv_set(u, "disabled", pv_bool(0));
    } else if (!strcmp(mode, "disable")) {
        pv_set(u, "disabled", pv_bool(1));
    } else if (strcmp(mode, "passwd")) {
        pv_free(u);
        err_set(e, "users: add, passwd or disable (not '%s')", mode);
        return STORE_NOTHING;
    }
    if (*hash)
        pv_set_str(u, "hash", hash);
    pv_set_str(u, "changed", x->received);
    int rc = record_put(t, DB_USERS, name, u, e);
    x->account = rc == 0 ? public_view(u) : NULL;
    x->refused = 0;
    pv_free(u);
    return rc;
}

int users_change(record *r, const pv *args, const char *sender, const char *received, pv **data, par_err *why)
{
    *data = NULL;
    if (authz_admin(sender, "manage web accounts", why) < 0)
        return 1;
    change_ctx x = {args, received, NULL, 0};
    record_events events;
    int rc = record_write(r, do_change, &x, &events, why);
    record_events_free(&events);
    if (rc < 0) {
        pv_free(x.account);
        return -1;
    }
    if (x.refused) {
        pv_free(x.account);
        return 1;
    }
    *data = x.account;
    return 0;
}

int users_list(record_txn *t, const char *sender, pv **data, par_err *e)
{
    if (authz_admin(sender, "list web accounts", e) < 0)
        return -1;
    MDB_cursor *cur;
    if (mdb_cursor_open(t->txn, store_dbi(record_store(t->r), DB_USERS), &cur)) {
        err_set(e, "cannot read the accounts");
        return -1;
    }
    pv *list = pv_arr();
    MDB_val k, v;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        pv *u = NULL;
        par_err ig;
        if (proto_decode_value(v.mv_data, v.mv_size, &u, &ig) == 0)
            pv_push(list, public_view(u));
        pv_free(u);
    }
    mdb_cursor_close(cur);
    *data = list;
    return 0;
}

int users_auth(record_txn *t, const pv *args, const char *sender, const char *today, pv **data, par_err *e)
{
    if (strcmp(sender, "internal")) {
        err_set(e, "an account's hash is read by this server's par-web only");
        return -1;
    }
    pv *u = NULL;
    if (record_get(t, DB_USERS, arg(args, "name"), &u) != 1) {
        *data = pv_map(); /* no such account: par-web says what it says for a wrong password */
        return 0;
    }
    const char *role = pv_get_str(u, "role"), *unit = pv_get_str(u, "unit");
    if (*today && role && !strcmp(role, "unit") && unit) {
        const char *end = record_unit_end(t, unit);
        const pv *rec = record_unit(t, unit);
        const char *succ = rec ? pv_get_str(rec, "successor") : NULL;
        if (*end && strcmp(end, today) < 0) {
            pv_set_str(u, "unit_ended", end);
            if (succ && *succ)
                pv_set_str(u, "successor", succ);
        }
    }
    *data = u;
    return 0;
}
