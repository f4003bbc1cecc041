#include "replica.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[S_COUNT] = {"units", "criteria", "frameworks", "tasks",
                                           "tasks_by_lead", "submissions", "results", "groups", "state"};
static const int dups[S_COUNT] = {0, 0, 1, 0, 1, 0, 0, 1, 0};

const char *const *replica_db_names(void)
{
    return names;
}

const int *replica_db_dups(void)
{
    return dups;
}

void dirty_init(dirty *d)
{
    strset_init(&d->results);
    strset_init(&d->fw);
    strset_init(&d->unit_year);
    strset_init(&d->unit_all);
}

void dirty_free(dirty *d)
{
    strset_free(&d->results);
    strset_free(&d->fw);
    strset_free(&d->unit_year);
    strset_free(&d->unit_all);
}

static const char *str(const pv *row, const char *k)
{
    const char *s = pv_get_str(row, k);
    return s ? s : "";
}

static int apply_unit(MDB_txn *txn, store *s, const pv *row, dirty *d)
{
    pv *u = pv_map();
    const char *keys[] = {"id", "parent", "level", "name"};
    for (int i = 0; i < 4; i++)
        pv_set_str(u, keys[i], str(row, keys[i]));
    int rc = store_put_pv(txn, store_dbi(s, S_UNITS), str(row, "id"), u);
    pv_free(u);
    strset_add(&d->unit_all, str(row, "id"));
    return rc;
}

static int drop_framework(void *ctx, const char *key, size_t klen, pv *val)
{
    (void)val;
    strset *keys = ctx;
    char *k = xstrndup(key, klen);
    strset_add(keys, k);
    free(k);
    return 0;
}

static int apply_framework(MDB_txn *txn, store *s, const pv *row, dirty *d)
{
    char prefix[256], fw[128];
    snprintf(prefix, sizeof prefix, "%s|%s|%s|", str(row, "index"), str(row, "year"), str(row, "level"));
    strset old;
    strset_init(&old);
    store_scan(txn, store_dbi(s, S_CRIT), prefix, drop_framework, &old);
    int rc = 0;
    for (size_t i = 0; i < old.n && rc == 0; i++)
        rc = store_del(txn, store_dbi(s, S_CRIT), old.items[i], NULL);
    strset_free(&old);
    snprintf(fw, sizeof fw, "%s|%s", str(row, "year"), str(row, "level"));
    if (rc == 0)
        rc = store_del(txn, store_dbi(s, S_FW), fw, str(row, "index"));
    prefix[strlen(prefix) - 1] = '\0';
    strset_add(&d->fw, prefix);
    return rc;
}

static int apply_criterion(MDB_txn *txn, store *s, const pv *row, dirty *d)
{
    char key[256], fw[128], group[192];
    snprintf(key, sizeof key, "%s|%s|%s|%s", str(row, "index"), str(row, "year"), str(row, "level"), str(row, "id"));
    snprintf(fw, sizeof fw, "%s|%s", str(row, "year"), str(row, "level"));
    snprintf(group, sizeof group, "%s|%s|%s", str(row, "index"), str(row, "year"), str(row, "level"));
    int rc = store_put_pv(txn, store_dbi(s, S_CRIT), key, row);
    if (rc == 0)
        rc = store_put_dup(txn, store_dbi(s, S_FW), fw, str(row, "index"));
    strset_add(&d->fw, group);
    return rc;
}

static int apply_task(MDB_txn *txn, store *s, const pv *row, dirty *d)
{
    const char *id = str(row, "id");
    pv *old = NULL;
    int rc = 0;
    if (store_get_pv(txn, store_dbi(s, S_TASKS), id, &old) == 1) {
        rc = store_del(txn, store_dbi(s, S_LEAD), str(old, "lead"), id);
        strset_add(&d->unit_all, str(old, "lead"));
        pv_free(old);
    }
    if (rc == 0)
        rc = store_put_pv(txn, store_dbi(s, S_TASKS), id, row);
    if (rc == 0)
        rc = store_put_dup(txn, store_dbi(s, S_LEAD), str(row, "lead"), id);
    strset_add(&d->unit_all, str(row, "lead"));
    return rc;
}

static int apply_submission(MDB_txn *txn, store *s, const pv *row, const char *received, dirty *d)
{
    const char *unit = str(row, "unit"), *year = str(row, "year"), *kind = str(row, "kind"), *key = str(row, "key");
    char k[512];
    snprintf(k, sizeof k, "%s|%s|%s|%s|%s", unit, year, str(row, "period"), kind, key);
    pv *v = pv_map();
    pv_set_str(v, "value", str(row, "value"));
    pv_set_str(v, "date", str(row, "date"));
    pv_set_str(v, "note", str(row, "note"));
    pv_set_str(v, "received", received);
    int rc = store_put_pv(txn, store_dbi(s, S_SUBS), k, v);
    pv_free(v);
    const char *colon = strchr(key, ':');
    if (colon && (!strcmp(kind, "score") || !strcmp(kind, "appraisal") || !strcmp(kind, "survey") ||
                  !strcmp(kind, "target"))) {
        /* a criterion touches its own index only */
        snprintf(k, sizeof k, "%.*s|%s|%s", (int)(colon - key), key, year, unit);
        strset_add(&d->results, k);
    } else {
        /* figures and task progress feed computed criteria of any index */
        snprintf(k, sizeof k, "%s|%s", year, unit);
        strset_add(&d->unit_year, k);
    }
    return rc;
}

int replica_apply(MDB_txn *txn, store *s, const pv *event, dirty *d)
{
    const char *what = pv_get_str(event, "what");
    const pv *row = pv_get(event, "row");
    if (!what || !row)
        return 0;
    if (!strcmp(what, "unit"))
        return apply_unit(txn, s, row, d);
    if (!strcmp(what, "framework"))
        return apply_framework(txn, s, row, d);
    if (!strcmp(what, "criterion"))
        return apply_criterion(txn, s, row, d);
    if (!strcmp(what, "task"))
        return apply_task(txn, s, row, d);
    if (!strcmp(what, "submission"))
        return apply_submission(txn, s, row, str(event, "received"), d);
    return 0; /* events of other kinds carry nothing for scoring */
}
