#include "authz.h"
#include "../common/service.h"

#include <string.h>

static int has_role(const char *sender, const char *role)
{
    size_t l = strlen(role);
    return !strncmp(sender, role, l) && sender[l] == ':';
}

/* A sender with a key; the others come from this server or from loopback without CURVE. */
static int keyed(const char *sender)
{
    return has_role(sender, "unit") || has_role(sender, "appraiser") || has_role(sender, "admin") ||
           has_role(sender, "leader");
}

int authz_role(const char *sender, const char *role)
{
    return !keyed(sender) || has_role(sender, role) ? 0 : -1;
}

int authz_unit_of(const char *sender, char *unit, size_t n)
{
    return service_sender_unit(sender, unit, n);
}

int authz_admin(const char *sender, const char *what, par_err *why)
{
    if (!keyed(sender) || has_role(sender, "admin"))
        return 0;
    err_set(why, "only admin keys may %s (this key: %s)", what, sender);
    return -1;
}

int authz_alive(record_txn *t, const char *sender, const char *today, par_err *why)
{
    char mine[128];
    if (!authz_unit_of(sender, mine, sizeof mine))
        return 0;
    const char *end = record_unit_end(t, mine);
    if (!*end || strcmp(end, today) >= 0)
        return 0;
    const pv *u = record_unit(t, mine);
    const char *succ = u ? pv_get_str(u, "successor") : NULL;
    char vn[16];
    validity_vn(end, vn);
    if (succ && *succ)
        err_set(why, "unit %s ended on %s (valid_to): its keys and accounts stopped then; %s took over", mine, vn,
                succ);
    else
        err_set(why, "unit %s ended on %s (valid_to): its keys and accounts stopped then", mine, vn);
    return -1;
}

int authz_line(record_txn *t, const char *sender, const sub_line *s, const char *today, par_err *why)
{
    if (authz_alive(t, sender, today, why) < 0)
        return -1;
    if (!keyed(sender) || has_role(sender, "admin"))
        return 0;
    int province_kind = !strcmp(s->kind, "appraisal") || !strcmp(s->kind, "survey") || !strcmp(s->kind, "target") ||
                        !strcmp(s->kind, "rank") || !strcmp(s->kind, "rank_target");
    if (has_role(sender, "appraiser"))
        return 0;
    if (has_role(sender, "leader")) {
        err_set(why, "a leader key reads the whole province and writes nothing (this key: %s)", sender);
        return -1;
    }
    if (province_kind) {
        err_set(why, "only the province's appraiser keys may send %s lines (this key: %s)", s->kind, sender);
        return -1;
    }
    /* a unit key: its own unit or one below it */
    char mine[128];
    if (authz_unit_of(sender, mine, sizeof mine) && !authz_below(t, s->unit, mine, today))
        return 0;
    err_set(why, "unit %s is neither %s nor below it: this key may not submit for it", s->unit, mine);
    return -1;
}

int authz_below(record_txn *t, const char *unit_id, const char *mine, const char *day)
{
    char unit[64];
    str_copy(unit, sizeof unit, unit_id);
    for (int depth = 0; depth < 64 && unit[0]; depth++) {
        if (!strcmp(unit, mine))
            return 0;
        const pv *u = record_unit(t, unit);
        if (!u)
            break;
        const char *parent = pv_get_str(u, "parent");
        if (*day && (pv_get_str(u, "periods") || pv_get_str(u, "valid_from") || pv_get_str(u, "valid_to"))) {
            /* a moved unit answers to the parent of that day (a period ended is not the
             * latest parent) */
            validity_span sp[VALIDITY_MAX];
            int n = record_unit_spans(t, unit, sp, VALIDITY_MAX), i = n > 0 ? validity_at(sp, n, day) : -1;
            if (i < 0)
                break;
            str_copy(unit, sizeof unit, sp[i].parent);
            continue;
        }
        str_copy(unit, sizeof unit, parent ? parent : "");
    }
    return -1;
}
