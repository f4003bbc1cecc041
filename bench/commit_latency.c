/* commit_latency: the peer of score_latency. How long one durable LMDB commit of one
 * submission-sized record takes on this disk (default sync: what the collector and the
 * scorer's replica each wait for on a change's way to the scores), N commits 5 ms
 * apart, in a store of its own; run beside score_latency, idle and under the same
 * background load. Prints p50/p99/max. */
#include "result.h"

#include <lmdb.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: commit_latency DIR N LABEL (DIR must exist)\n");
        return 2;
    }
    const char *dir = argv[1], *label = argv[3];
    int n = atoi(argv[2]);
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *txn;
    if (n < 1 || mdb_env_create(&env) || mdb_env_set_mapsize(env, (size_t)1 << 30) ||
        mdb_env_open(env, dir, 0, 0644) || mdb_txn_begin(env, NULL, 0, &txn) || mdb_dbi_open(txn, NULL, 0, &dbi) ||
        mdb_txn_commit(txn)) {
        fprintf(stderr, "commit_latency: cannot open a store in %s\n", dir);
        return 1;
    }
    double *lat = calloc((size_t)n, sizeof *lat);
    char key[64], val[200];
    memset(val, 'v', sizeof val);
    for (int i = 0; i < n; i++) {
        int kl = snprintf(key, sizeof key, "TDG|2023|Y|appraisal|1.3|%d", i);
        MDB_val kv = {(size_t)kl, key}, vv = {sizeof val, val};
        if (mdb_txn_begin(env, NULL, 0, &txn) || mdb_put(txn, dbi, &kv, &vv, 0)) {
            fprintf(stderr, "commit_latency: put failed\n");
            return 1;
        }
        double t0 = now_ms();
        if (mdb_txn_commit(txn)) {
            fprintf(stderr, "commit_latency: commit failed\n");
            return 1;
        }
        lat[i] = now_ms() - t0;
        usleep(5000);
    }
    qsort(lat, (size_t)n, sizeof *lat, cmp);
    double p50 = lat[n / 2], p99 = lat[(int)fmin(n - 1, floor(.99 * n))];
    printf("%-28s %8.2f %8.2f %8.2f   (%d commits, ms)\n", "one durable LMDB commit", p50, p99, lat[n - 1], n);
    char k[128];
    snprintf(k, sizeof k, "%s.lmdb_commit_p50_ms", label);
    result_put(k, p50);
    snprintf(k, sizeof k, "%s.lmdb_commit_p99_ms", label);
    result_put(k, p99);
    free(lat);
    mdb_env_close(env);
    return 0;
}
