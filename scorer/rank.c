#include "rank.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long long points(const pv *m)
{
    const pv *v = pv_get(m, "score");
    if (!v)
        v = pv_get(m, "total");
    return v && v->t == PV_FLOAT ? llround(v->u.f * 1e6) : 0;
}

/* Competition rank of item i among vals: 1 + how many are strictly better. */
static int rank_of(const long long *vals, int n, int i)
{
    int r = 1;
    for (int j = 0; j < n; j++)
        r += vals[j] > vals[i];
    return r;
}

static void set_int(pv *m, const char *k, int64_t v, int *changed)
{
    if (pv_get_int(m, k, -1) != v) {
        pv_set_int(m, k, v);
        *changed = 1;
    }
}

int rank_group(MDB_txn *txn, store *s, const char *group, strset *changed)
{
    char index[64] = "", year[16] = "";
    sscanf(group, "%63[^|]|%15[^|]", index, year);
    pv *units = pv_arr();
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, store_dbi(s, S_GROUPS), &cur);
    if (rc) {
        pv_free(units);
        return rc;
    }
    MDB_val k = {strlen(group), (void *)group}, v;
    for (int g = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); g == 0; g = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP))
        pv_push(units, pv_strn(v.mv_data, v.mv_size));
    mdb_cursor_close(cur);
    int n = (int)units->u.a.n;
    pv **res = xcalloc((size_t)n + 1, sizeof *res);
    long long *vals = xcalloc((size_t)n + 1, sizeof *vals);
    char key[256];
    for (int i = 0; i < n; i++) {
        snprintf(key, sizeof key, "%s|%s|%s", index, year, units->u.a.v[i]->u.s.p);
        if (store_get_pv(txn, store_dbi(s, S_RESULTS), key, &res[i]) != 1)
            res[i] = pv_map();
        vals[i] = points(res[i]);
    }
    int *dirty = xcalloc((size_t)n + 1, sizeof *dirty), *moved = xcalloc((size_t)n + 1, sizeof *moved);
    for (int i = 0; i < n; i++) {
        set_int(res[i], "rank", rank_of(vals, n, i), &moved[i]);
        set_int(res[i], "of", n, &moved[i]);
        dirty[i] = moved[i];
    }
    /* each area among the members that have it (one framework: the same areas) */
    const pv *first = n ? pv_get(res[0], "components") : NULL;
    for (uint32_t c = 0; first && c < first->u.a.n; c++) {
        for (int i = 0; i < n; i++) {
            const pv *comps = pv_get(res[i], "components");
            vals[i] = comps && c < comps->u.a.n ? points(comps->u.a.v[c]) : LLONG_MIN;
        }
        for (int i = 0; i < n; i++) {
            pv *comps = (pv *)pv_get(res[i], "components");
            if (comps && c < comps->u.a.n)
                set_int(comps->u.a.v[c], "rank", rank_of(vals, n, i), &dirty[i]);
        }
    }
    rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        if (!dirty[i])
            continue;
        snprintf(key, sizeof key, "%s|%s|%s", index, year, units->u.a.v[i]->u.s.p);
        rc = store_put_pv(txn, store_dbi(s, S_RESULTS), key, res[i]);
        if (moved[i])
            strset_add(changed, key);
    }
    for (int i = 0; i < n; i++)
        pv_free(res[i]);
    free(res);
    free(vals);
    free(dirty);
    free(moved);
    pv_free(units);
    return rc;
}
