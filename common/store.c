#include "store.h"

#include <sys/mman.h>
#include <sys/statvfs.h>
#include "log.h"
#include "../proto/proto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Address space only: the file grows with what is written. Large enough that a
 * country's day of alerts or a national record never meets a full map (which makes a
 * writer redo its whole transaction); it still doubles if it does. */
#define INITIAL_MAP ((size_t)32 << 30)

struct store {
    MDB_env *env;
    MDB_dbi dbi[STORE_MAX_DBS];
    MDB_dbi meta;
    int n;
    size_t mapsize;
    int fail_commits, fail_rc; /* store_fail_commits */
};

static int fail_lmdb(par_err *e, const char *what, int rc)
{
    err_set(e, "%s: %s", what, mdb_strerror(rc));
    return -1;
}

/* under this much free space a failed write is put down to a full disk */
#define STORE_DISK_LOW (16u << 20)

/* A write that failed with an I/O error: when the disk under the store is full, that is
 * what is said (a full disk shows through LMDB as EIO or ENOSPC). */
static int fail_write(store *s, par_err *e, const char *what, int rc)
{
    const char *dir = NULL;
    struct statvfs vf;
    if ((rc == EIO || rc == ENOSPC) && mdb_env_get_path(s->env, &dir) == 0 && dir && statvfs(dir, &vf) == 0 &&
        (uint64_t)vf.f_bavail * vf.f_frsize < STORE_DISK_LOW) {
        err_set(e, "disk full: %s has %llu bytes free (%s: %s)", dir,
                (unsigned long long)((uint64_t)vf.f_bavail * vf.f_frsize), what, mdb_strerror(rc));
        return -1;
    }
    return fail_lmdb(e, what, rc);
}

int store_open(store **out, const char *dir, const char *const names[], const int dupsort[], int n,
               unsigned schema, size_t map, par_err *e)
{
    return store_open_from(out, dir, names, dupsort, n, schema, schema, map, e);
}

/* The environment of a store with n databases, opened with flags (MDB_RDONLY for a
 * reader); a writer's map is set to map at least (0: INITIAL_MAP). */
static int env_open(store *s, const char *dir, int n, unsigned flags, size_t map, par_err *e)
{
    int rc;
    if ((rc = mdb_env_create(&s->env)))
        return fail_lmdb(e, "mdb_env_create", rc);
    mdb_env_set_maxdbs(s->env, (MDB_dbi)n + 1);
    mdb_env_set_maxreaders(s->env, 126);
    /* a map under LMDB's default (DEFAULT_MAPSIZE, 1 MiB in 0.9.24; tests that fill a
     * small map) is set before opening, or LMDB's would be kept; a larger one after, so
     * that a store grown past it keeps the size its file says */
    if (map && map < (1u << 20))
        mdb_env_set_mapsize(s->env, map);
    /* The default sync flags stay: an acknowledgement promises durability. No WRITEMAP:
     * a full disk must fail a commit, not kill the process with SIGBUS. */
    if ((rc = mdb_env_open(s->env, dir, MDB_NOTLS | flags, 0640))) {
        err_set(e, "cannot open store %s: %s", dir, mdb_strerror(rc));
        return -1;
    }
    MDB_envinfo info;
    mdb_env_info(s->env, &info);
    s->mapsize = info.me_mapsize;
    if (!(flags & MDB_RDONLY)) { /* a reader maps what the file says */
        if (!map)
            map = INITIAL_MAP;
        s->mapsize = info.me_mapsize < map ? map : info.me_mapsize;
        if ((rc = mdb_env_set_mapsize(s->env, s->mapsize)))
            return fail_lmdb(e, "mdb_env_set_mapsize", rc);
    }
    int dead = 0;
    mdb_reader_check(s->env, &dead);
    if (dead)
        log_info("event=stale_readers_cleared store=%s count=%d", dir, dead);
    return 0;
}

/* The store's schema version into *have. Returns 1 when the store is marked with one,
 * 0 when it is not yet (*have = schema), -1 with e when it is not one of oldest..schema. */
static int schema_check(store *s, MDB_txn *txn, const char *dir, unsigned oldest, unsigned schema, unsigned *have,
                        par_err *e)
{
    MDB_val k = {6, "schema"}, v;
    int rc = mdb_get(txn, s->meta, &k, &v);
    *have = schema;
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return fail_lmdb(e, "read schema version", rc);
    const unsigned char *b = v.mv_data;
    *have = v.mv_size == 4 ? ((unsigned)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]) : 0;
    if (*have <= schema && *have >= oldest)
        return 1;
    char reads[48];
    if (oldest < schema)
        snprintf(reads, sizeof reads, "versions %u to %u", oldest, schema);
    else
        snprintf(reads, sizeof reads, "version %u", schema);
    err_set(e, "store %s has schema version %u; this program reads %s%s", dir, *have, reads,
            *have > schema ? " (written by a newer release: upgrade this program)" : "");
    return -1;
}

/* Ends an opening transaction: committed, which keeps the databases' handles for the
 * transactions after it (a reader's too). *txn is ended either way. */
static int open_commit(MDB_txn **txn, par_err *e)
{
    int rc = mdb_txn_commit(*txn);
    *txn = NULL;
    return rc ? fail_lmdb(e, "commit", rc) : 0;
}

int store_open_from(store **out, const char *dir, const char *const names[], const int dupsort[], int n,
                    unsigned oldest, unsigned schema, size_t map, par_err *e)
{
    store *s = xcalloc(1, sizeof *s);
    MDB_txn *txn = NULL;
    int rc;
    if (n > STORE_MAX_DBS) {
        err_set(e, "too many databases");
        goto fail;
    }
    if (dir_make(dir, e) < 0 || env_open(s, dir, n, 0, map, e) < 0)
        goto fail;
    if (store_begin(s, 0, &txn, e) < 0)
        goto fail;
    if ((rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &s->meta))) {
        fail_lmdb(e, "open meta", rc);
        goto fail;
    }
    for (int i = 0; i < n; i++) {
        unsigned fl = MDB_CREATE | (dupsort && dupsort[i] ? MDB_DUPSORT : 0);
        if ((rc = mdb_dbi_open(txn, names[i], fl, &s->dbi[i]))) {
            err_set(e, "open database %s: %s", names[i], mdb_strerror(rc));
            goto fail;
        }
    }
    s->n = n;
    unsigned have;
    int marked = schema_check(s, txn, dir, oldest, schema, &have, e);
    if (marked < 0)
        goto fail;
    if (!marked || have < schema) {
        unsigned char buf[4] = {schema >> 24, schema >> 16, schema >> 8, schema};
        MDB_val k = {6, "schema"}, nv = {4, buf};
        if ((rc = mdb_put(txn, s->meta, &k, &nv, 0))) {
            fail_lmdb(e, "write schema version", rc);
            goto fail;
        }
    }
    if (open_commit(&txn, e) < 0)
        goto fail;
    if (have < schema)
        log_info("event=store_upgraded store=%s from=%u to=%u", dir, have, schema);
    *out = s;
    return 0;
fail:
    if (txn)
        mdb_txn_abort(txn);
    store_close(s);
    return -1;
}

int store_open_reader(store **out, const char *dir, const char *const names[], int n, unsigned oldest,
                      unsigned schema, par_err *e)
{
    store *s = xcalloc(1, sizeof *s);
    MDB_txn *txn = NULL;
    int rc;
    unsigned have;
    if (n > STORE_MAX_DBS) {
        err_set(e, "too many databases");
        goto fail;
    }
    if (env_open(s, dir, n, MDB_RDONLY, 0, e) < 0 || store_begin(s, MDB_RDONLY, &txn, e) < 0)
        goto fail;
    /* nothing is created (LMDB opens a reader's data file before its lock file, so no
     * lock file is left where there is no store): one that lacks a database has not been
     * opened by this release's writer yet */
    if ((rc = mdb_dbi_open(txn, "meta", 0, &s->meta)) == MDB_NOTFOUND) {
        err_set(e, "store %s has not been opened by the program that writes it yet", dir);
        goto fail;
    } else if (rc) {
        fail_lmdb(e, "open meta", rc);
        goto fail;
    }
    if (schema_check(s, txn, dir, oldest, schema, &have, e) < 0)
        goto fail;
    for (int i = 0; i < n; i++)
        if ((rc = mdb_dbi_open(txn, names[i], 0, &s->dbi[i]))) {
            err_set(e, "store %s: database %s: %s", dir, names[i],
                    rc == MDB_NOTFOUND ? "missing (the program that writes it adds it when it starts)"
                                       : mdb_strerror(rc));
            goto fail;
        }
    s->n = n;
    if (open_commit(&txn, e) < 0)
        goto fail;
    *out = s;
    return 0;
fail:
    if (txn)
        mdb_txn_abort(txn);
    store_close(s);
    return -1;
}

void store_close(store *s)
{
    if (!s)
        return;
    if (s->env)
        mdb_env_close(s->env);
    free(s);
}

MDB_env *store_env(store *s)
{
    return s->env;
}

MDB_dbi store_dbi(store *s, int i)
{
    return s->dbi[i];
}

int store_begin(store *s, unsigned flags, MDB_txn **txn, par_err *e)
{
    int rc = mdb_txn_begin(s->env, NULL, flags, txn);
    int dead = 0;
    if (rc == MDB_MAP_RESIZED) {
        /* another process grew the map: adopt its size */
        mdb_env_set_mapsize(s->env, 0);
        rc = mdb_txn_begin(s->env, NULL, flags, txn);
    } else if (rc == MDB_READERS_FULL && mdb_reader_check(s->env, &dead) == 0 && dead) {
        /* slots of readers killed (kill -9) since the check at opening: taken back once */
        log_info("event=stale_readers_cleared count=%d", dead);
        rc = mdb_txn_begin(s->env, NULL, flags, txn);
    }
    if (rc)
        return fail_lmdb(e, "begin transaction", rc);
    return 0;
}

int store_txn_begin(store *s, store_txn *t, int write, par_err *e)
{
    memset(t, 0, sizeof *t);
    t->s = s;
    return store_begin(s, write ? 0 : MDB_RDONLY, &t->txn, e);
}

int store_txn_check(store_txn *t, int rc, const char *what)
{
    if (rc && !t->rc) {
        t->rc = rc;
        t->what = what;
    }
    return rc ? -1 : 0;
}

void store_txn_put(store_txn *t, int db, const void *key, size_t klen, const void *val, size_t vlen)
{
    if (t->rc)
        return;
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    store_txn_check(t, klen > STORE_MAX_KEY ? MDB_BAD_VALSIZE : mdb_put(t->txn, t->s->dbi[db], &k, &v, 0), "put");
}

int store_txn_get(store_txn *t, int db, const void *key, size_t klen, MDB_val *out)
{
    if (t->rc || klen > STORE_MAX_KEY)
        return 0;
    MDB_val k = {klen, (void *)key};
    int rc = mdb_get(t->txn, t->s->dbi[db], &k, out);
    if (rc == 0)
        return 1;
    store_txn_check(t, rc == MDB_NOTFOUND ? 0 : rc, "get");
    return 0;
}

uint64_t store_txn_last_u64(store_txn *t, int db)
{
    MDB_cursor *cur;
    MDB_val k, v;
    uint64_t last = 0;
    if (t->rc || store_txn_check(t, mdb_cursor_open(t->txn, t->s->dbi[db], &cur), "last key") < 0)
        return 0;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
    if (rc == 0 && k.mv_size == 8)
        last = store_u64_from(k.mv_data);
    store_txn_check(t, rc == MDB_NOTFOUND ? 0 : rc, "last key");
    mdb_cursor_close(cur);
    return last;
}

void store_txn_abort(store_txn *t)
{
    if (t->txn)
        mdb_txn_abort(t->txn);
    t->txn = NULL;
}

int store_write(store *s, store_fn fn, void *ctx, par_err *e)
{
    for (int attempt = 0; attempt < 16; attempt++) {
        store_txn t;
        if (store_txn_begin(s, &t, 1, e) < 0)
            return -1;
        int r = fn(&t, ctx, e);
        par_err ce; /* said below, unless a grown map lets the retry succeed */
        if (r == 0 && store_txn_commit(&t, &ce) == 0)
            return 0;
        store_txn_abort(&t);
        if (t.rc == MDB_MAP_FULL) {
            /* nothing of it was written: a larger map, and the same work again */
            if (store_grow(s, e) < 0)
                return -1;
            continue;
        }
        if (t.rc)
            return fail_write(s, e, t.what, t.rc);
        return r == STORE_NOTHING ? STORE_NOTHING : -1;
    }
    err_set(e, "the store cannot grow enough (map %zu bytes)", s->mapsize);
    return -1;
}

void store_key_init(store_key *k)
{
    k->n = 0;
    k->over = 0;
}

static void key_add(store_key *k, const void *p, size_t n)
{
    if (k->n + n > STORE_MAX_KEY) {
        k->over = 1;
        k->n = STORE_MAX_KEY + 1; /* refused by every put and get */
        return;
    }
    memcpy(k->b + k->n, p, n);
    k->n += n;
}

void store_key_str(store_key *k, const char *s)
{
    if (k->n && !k->over)
        key_add(k, "|", 1);
    if (!k->over)
        key_add(k, s, strlen(s));
}

void store_key_u64(store_key *k, uint64_t v)
{
    unsigned char b[8];
    store_u64_key(v, b);
    if (!k->over)
        key_add(k, b, 8);
}

int store_grow(store *s, par_err *e)
{
    size_t next = s->mapsize * 2;
    int rc = mdb_env_set_mapsize(s->env, next);
    if (rc)
        return fail_lmdb(e, "grow map", rc);
    log_info("event=map_grown bytes=%zu", next);
    s->mapsize = next;
    return 0;
}

int store_reader_check(store *s)
{
    int dead = 0;
    mdb_reader_check(s->env, &dead);
    return dead;
}

int store_backup(store *s, const char *dir, par_err *e)
{
    char probe[2048];
    snprintf(probe, sizeof probe, "%s/data.mdb", dir);
    if (access(probe, F_OK) == 0) {
        err_set(e, "%s already holds a store: back up into a new folder", dir);
        return -1;
    }
    if (dir_make(dir, e) < 0)
        return -1;
    int rc = mdb_env_copy2(s->env, dir, MDB_CP_COMPACT);
    if (rc)
        return fail_lmdb(e, "copy store", rc);
    /* mdb_env_copy2 does not sync the copy; a backup reported done must be on disk */
    char path[2048];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fsync(fd) < 0) {
        err_set(e, "sync %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    return 0;
}

void store_u64_key(uint64_t v, unsigned char out[8])
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (unsigned char)v;
        v >>= 8;
    }
}

uint64_t store_u64_from(const void *p)
{
    const unsigned char *b = p;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}

int store_get_pv(MDB_txn *txn, MDB_dbi dbi, const char *key, pv **out)
{
    MDB_val k = {strlen(key), (void *)key}, v;
    int rc = mdb_get(txn, dbi, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return -2;
    par_err e;
    return proto_decode_value(v.mv_data, v.mv_size, out, &e) < 0 ? -1 : 1;
}

int store_put_pv(MDB_txn *txn, MDB_dbi dbi, const char *key, const pv *val)
{
    char *buf;
    size_t len;
    proto_encode(val, &buf, &len);
    MDB_val k = {strlen(key), (void *)key}, v = {len, buf};
    int rc = mdb_put(txn, dbi, &k, &v, 0);
    free(buf);
    return rc;
}

int store_del(MDB_txn *txn, MDB_dbi dbi, const char *key, const char *dup_val)
{
    MDB_val k = {strlen(key), (void *)key}, v;
    if (dup_val) {
        v.mv_size = strlen(dup_val);
        v.mv_data = (void *)dup_val;
    }
    int rc = mdb_del(txn, dbi, &k, dup_val ? &v : NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int store_put_dup(MDB_txn *txn, MDB_dbi dbi, const char *key, const char *val)
{
    MDB_val k = {strlen(key), (void *)key}, v = {strlen(val), (void *)val};
    int rc = mdb_put(txn, dbi, &k, &v, MDB_NODUPDATA);
    return rc == MDB_KEYEXIST ? 0 : rc;
}

int store_scan(MDB_txn *txn, MDB_dbi dbi, const char *prefix,
               int (*fn)(void *ctx, const char *key, size_t klen, pv *val), void *ctx)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc)
        return -1;
    size_t pl = strlen(prefix);
    MDB_val k = {pl, (void *)prefix}, v;
    int out = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, pl ? MDB_SET_RANGE : MDB_FIRST);
         rc == 0 && k.mv_size >= pl && !memcmp(k.mv_data, prefix, pl); rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        pv *val = NULL;
        par_err e;
        if (proto_decode_value(v.mv_data, v.mv_size, &val, &e) < 0)
            continue;
        out = fn(ctx, k.mv_data, k.mv_size, val);
        pv_free(val);
        if (out)
            break;
    }
    mdb_cursor_close(cur);
    return out;
}

void store_usage(store *s, pv *info)
{
    MDB_envinfo ei;
    MDB_stat es;
    mdb_env_info(s->env, &ei);
    mdb_env_stat(s->env, &es);
    pv_set_int(info, "map_bytes", (int64_t)ei.me_mapsize);
    pv_set_int(info, "used_bytes", (int64_t)((ei.me_last_pgno + 1) * es.ms_psize));
}

void store_release_pages(store *s)
{
    /* LMDB does not say where its map is (me_mapaddr is set for MDB_FIXEDMAP only):
     * find this environment's data file among our mappings */
    const char *dir;
    if (mdb_env_get_path(s->env, &dir))
        return;
    char data[2048], line[4096];
    snprintf(data, sizeof data, "%s/data.mdb", dir);
    FILE *maps = fopen("/proc/self/maps", "r");
    while (maps && fgets(line, sizeof line, maps)) {
        unsigned long lo, hi;
        char perms[8], *path = strchr(line, '/');
        if (!path || sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[1] == 'w')
            continue;
        path[strcspn(path, "\n")] = '\0';
        /* a read-only shared file mapping (never MDB_WRITEMAP): dropping our page
         * table entries loses nothing, a later read faults them back in */
        if (!strcmp(path, data))
            madvise((void *)lo, hi - lo, MADV_DONTNEED);
    }
    if (maps)
        fclose(maps);
}

int store_backup_into(store *s, const char *dir, const char *name, uint64_t seq, pv **data, par_err *e)
{
    if (!dir || dir[0] != '/') {
        err_set(e, "backup needs an absolute folder on the server");
        return -1;
    }
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (store_backup(s, path, e) < 0)
        return -1;
    pv *d = pv_map();
    pv_set_str(d, "path", path);
    pv_set_int(d, "seq", (int64_t)seq);
    *data = d;
    return 0;
}

uint64_t store_get_u64(MDB_txn *txn, MDB_dbi dbi, const char *key)
{
    MDB_val k = {strlen(key), (void *)key}, v;
    return mdb_get(txn, dbi, &k, &v) == 0 && v.mv_size == 8 ? store_u64_from(v.mv_data) : 0;
}

void store_fail_commits(store *s, int n, int rc)
{
    s->fail_commits = n;
    s->fail_rc = rc;
}

int store_txn_commit(store_txn *t, par_err *e)
{
    if (!t->rc && t->s->fail_commits > 0) {
        t->s->fail_commits--;
        store_txn_check(t, t->s->fail_rc, "commit");
    }
    if (!t->rc)
        store_txn_check(t, mdb_txn_commit(t->txn), "commit");
    else
        mdb_txn_abort(t->txn);
    t->txn = NULL;
    return t->rc ? fail_write(t->s, e, t->what, t->rc) : 0;
}

int store_put_u64(MDB_txn *txn, MDB_dbi dbi, const char *key, uint64_t val)
{
    unsigned char b[8];
    store_u64_key(val, b);
    MDB_val k = {strlen(key), (void *)key}, v = {8, b};
    return mdb_put(txn, dbi, &k, &v, 0);
}

int store_read_u64(store *s, int db, const char *key, uint64_t *out, par_err *e)
{
    MDB_txn *txn;
    if (store_begin(s, MDB_RDONLY, &txn, e) < 0)
        return -1;
    *out = store_get_u64(txn, store_dbi(s, db), key);
    mdb_txn_abort(txn);
    return 0;
}
