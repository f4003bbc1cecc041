/* lmdb_raw: the disk's raw LMDB rate, the yardstick for ingest: N puts of keys and
 * values the size of a stored submission, 1,000 per durable commit (default sync). */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp/par-lmdb-raw";
    long n = argc > 2 ? atol(argv[2]) : 200000;
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *txn;
    if (mdb_env_create(&env) || mdb_env_set_mapsize(env, (size_t)1 << 32) || mdb_env_open(env, dir, 0, 0644)) {
        fprintf(stderr, "cannot open %s (it must exist)\n", dir);
        return 1;
    }
    mdb_txn_begin(env, NULL, 0, &txn);
    mdb_dbi_open(txn, NULL, 0, &dbi);
    mdb_txn_commit(txn);
    char key[64], val[200];
    memset(val, 'v', sizeof val);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i += 1000) {
        mdb_txn_begin(env, NULL, 0, &txn);
        for (long k = i; k < i + 1000 && k < n; k++) {
            int kl = snprintf(key, sizeof key, "TDG|2024|M%02ld|metric|m%ld", k % 12 + 1, k);
            MDB_val kv = {(size_t)kl, key}, vv = {sizeof val, val};
            mdb_put(txn, dbi, &kv, &vv, 0);
        }
        if (mdb_txn_commit(txn)) {
            fprintf(stderr, "commit failed\n");
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%.0f\n", n / s);
    mdb_env_close(env);
    return 0;
}
