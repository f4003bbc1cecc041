/* par-agent's sending: how a file's rows are cut into batches, and the receipts written
 * from a batch's answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../agent/batch.h"
#include "../../agent/outbox.h"
#include "../../agent/receipts.h"

/* rows rows of two columns (unit, note), each note of note_bytes bytes */
typedef struct {
    int64_t *lines;
    const char **fields;
    char *note;
    submit_view all;
} rows_fixture;

static void rows_make(rows_fixture *f, uint32_t rows, size_t note_bytes)
{
    memset(f, 0, sizeof *f);
    f->lines = calloc(rows + 1, sizeof *f->lines);
    f->fields = calloc(2 * (size_t)rows + 1, sizeof *f->fields);
    f->note = malloc(note_bytes + 1);
    memset(f->note, 'n', note_bytes);
    f->note[note_bytes] = '\0';
    for (uint32_t r = 0; r < rows; r++) {
        f->lines[r] = r + 2;
        f->fields[2 * r] = "TDG";
        f->fields[2 * r + 1] = f->note;
    }
    f->all.compact_ack = 1;
    f->all.file = "tdg.csv";
    f->all.agent_unit = "";
    f->all.as = "";
    f->all.ncols = 2;
    f->all.cols[0] = "unit";
    f->all.cols[1] = "note";
    f->all.nrows = rows;
    f->all.lines = f->lines;
    f->all.fields = f->fields;
}

static void rows_free(rows_fixture *f)
{
    free(f->lines);
    free(f->fields);
    free(f->note);
}

static client *test_client(void)
{
    par_config conf;
    par_err e;
    assert_int_equal(config_load(&conf, "/dev/null", &e), 0); /* defaults: nothing is sent here */
    client *c = client_new(&conf, &e);
    assert_non_null(c);
    return c;
}

/* Rows, a client for the ids, and the batches cut so far. */
typedef struct {
    client *cl;
    rows_fixture f;
    batch *bs;
    uint32_t n, cap;
} cutting;

static void cutting_start(cutting *c, uint32_t rows, size_t note_bytes)
{
    memset(c, 0, sizeof *c);
    c->cl = test_client();
    rows_make(&c->f, rows, note_bytes);
}

static void cutting_end(cutting *c)
{
    batch_free_all(c->bs, c->n);
    rows_free(&c->f);
    client_destroy(c->cl);
}

/* batch_lines lines a batch, the last one shorter; every row in exactly one batch, in
 * order; ids one after the other; a second file's batches appended after the first's. */
static void test_cut_by_lines(void **st)
{
    (void)st;
    cutting c;
    cutting_start(&c, 2500, 10);
    assert_int_equal(batch_cut(&c.f.all, 1000, c.cl, 0, &c.bs, &c.n, &c.cap), 3);
    assert_int_equal(batch_cut(&c.f.all, 1000, c.cl, 1, &c.bs, &c.n, &c.cap), 3);
    assert_int_equal(c.n, 6);
    uint32_t want[] = {1000, 1000, 500};
    for (uint32_t b = 0; b < c.n; b++) {
        const batch *x = &c.bs[b];
        assert_int_equal(x->v.nrows, want[b % 3]);
        assert_int_equal(x->file, b / 3);
        assert_ptr_equal(x->v.lines, c.f.lines + (b % 3) * 1000);
        assert_ptr_equal(x->v.fields, c.f.fields + (size_t)(b % 3) * 1000 * 2);
        assert_string_equal(x->v.file, "tdg.csv");
        if (b)
            assert_int_equal(x->v.id, c.bs[b - 1].v.id + 1);
        assert_null(x->packed.buf); /* packed when first sent */
    }
    /* no rows, no batch */
    c.f.all.nrows = 0;
    assert_int_equal(batch_cut(&c.f.all, 1000, c.cl, 2, &c.bs, &c.n, &c.cap), 0);
    assert_int_equal(c.n, 6);
    cutting_end(&c);
}

/* A batch stays under BATCH_MAX_BYTES whatever its lines: 100 rows of 100 kB notes go
 * in batches of 41 (41 x 100,026 bytes and a little fit in 4 MiB); a row heavier than
 * the limit alone goes in a batch of its own, never in none. */
static void test_cut_by_bytes(void **st)
{
    (void)st;
    cutting c;
    cutting_start(&c, 100, 100000);
    assert_int_equal(batch_cut(&c.f.all, 10000, c.cl, 0, &c.bs, &c.n, &c.cap), 3);
    assert_int_equal(c.bs[0].v.nrows, 41);
    assert_int_equal(c.bs[1].v.nrows, 41);
    assert_int_equal(c.bs[2].v.nrows, 18);
    /* the packed message is within the limit too */
    sbuf b;
    sbuf_init(&b);
    submit_pack(&b, &c.bs[0].v);
    assert_true(b.len <= BATCH_MAX_BYTES);
    sbuf_free(&b);
    cutting_end(&c);

    cutting_start(&c, 3, BATCH_MAX_BYTES);
    assert_int_equal(batch_cut(&c.f.all, 10000, c.cl, 0, &c.bs, &c.n, &c.cap), 3);
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(c.bs[i].v.nrows, 1);
    cutting_end(&c);
}

/* The receipts of a batch's compact answer: one row per stored or already-stored line,
 * in the file's columns, the refused line left out, the signature on the last row; an
 * answer that does not add up is not agreed to. */
static void test_receipts_of_batch(void **st)
{
    (void)st;
    int64_t lines[] = {2, 3, 5};
    const char *fields[] = {"TDG", "1.1", "2", "TDG", "1.2", "x", "TDG", "1.3", "1,5"};
    submit_view v;
    memset(&v, 0, sizeof v);
    v.ncols = 3;
    v.cols[0] = "unit";
    v.cols[1] = "key";
    v.cols[2] = "value";
    v.nrows = 3;
    v.lines = lines;
    v.fields = fields;
    pv *ack = proto_msg(MSG_ACK), *refused = pv_arr(), *r = pv_arr(), *dups = pv_arr(), *d = pv_arr();
    pv_set_str(ack, "received", "2024-01-10T08:00:00+07:00");
    pv_set_int(ack, "seq", 40);
    pv_set_int(ack, "stored", 1);
    pv_push(r, pv_int(3));
    pv_push(r, pv_str("value 'x' is not a number"));
    pv_push(refused, r);
    pv_push(d, pv_int(5));
    pv_push(d, pv_int(7));
    pv_push(d, pv_str("2024-01-02T09:00:00+07:00"));
    pv_push(dups, d);
    pv_set(ack, "refused", refused);
    pv_set(ack, "duplicates", dups);
    pv_set_str(ack, "sig", "SIG");
    assert_true(receipts_agree(&v, ack));
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    receipts_add(f, "tdg.csv", &v, ack);
    fclose(f);
    assert_string_equal(text, "2024-01-10T08:00:00+07:00,40,tdg.csv,2,TDG,,,,1.1,2,,,\n"
                              "2024-01-02T09:00:00+07:00,7,tdg.csv,5,TDG,,,,1.3,\"1,5\",,,SIG\n");
    free(text);
    pv_set_int(ack, "stored", 2); /* one line more than the lines it leaves */
    assert_false(receipts_agree(&v, ack));
    pv_free(ack);
}

/* A file's rows kept beside its outbox entry read back as they were packed, texts in
 * place; bytes that are not such records, whole, are refused and never read past. */
static void test_outbox_lines(void **st)
{
    (void)st;
    int64_t line[] = {2, 3, 1LL << 40};
    const char *text[] = {"TDG", "Tam Đường", "", "1,5", "SNV", "x"};
    sbuf b;
    sbuf_init(&b);
    outbox_lines_pack(&b, 2, 3, line, text);
    outbox_lines l;
    par_err e;
    assert_int_equal(outbox_lines_read(&l, b.buf, b.len, 2, &e), 0);
    assert_int_equal(l.n, 3);
    for (int r = 0; r < 3; r++) {
        assert_int_equal(l.line[r], line[r]);
        assert_string_equal(l.text[2 * r], text[2 * r]);
        assert_string_equal(l.text[2 * r + 1], text[2 * r + 1]);
    }
    outbox_lines_free(&l);
    /* another width, every cut, a byte more, a count the bytes cannot hold */
    assert_int_equal(outbox_lines_read(&l, b.buf, b.len, 1, &e), -1);
    for (size_t cut = 0; cut < b.len; cut++)
        assert_int_equal(outbox_lines_read(&l, b.buf, cut, 2, &e), -1);
    sbuf_add(&b, "", 1);
    assert_int_equal(outbox_lines_read(&l, b.buf, b.len, 2, &e), -1);
    assert_non_null(strstr(e.msg, "1 bytes more"));
    b.len--;
    memset(b.buf + 8, 0xff, 4); /* 4 billion lines: refused before anything is reserved */
    assert_int_equal(outbox_lines_read(&l, b.buf, b.len, 2, &e), -1);
    assert_non_null(strstr(e.msg, "says 4294967295 of them"));
    /* none at all is a valid empty file */
    b.len = 0;
    outbox_lines_pack(&b, 8, 0, NULL, NULL);
    assert_int_equal(outbox_lines_read(&l, b.buf, b.len, 8, &e), 0);
    assert_int_equal(l.n, 0);
    outbox_lines_free(&l);
    sbuf_free(&b);
}

/* A fresh outbox in dir (a mkdtemp template, filled in). */
static outbox *fresh_outbox(char *dir)
{
    outbox *o;
    par_err e;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(outbox_open(&o, dir, &e), 0);
    return o;
}

static pv *head_named(const char *name)
{
    pv *head = pv_map();
    pv_set_str(head, "name", name);
    return head;
}

static void remove_tree(const char *dir)
{
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* An entry written over keeps its one place in the order, and nothing of the entry
 * before stays behind: its rows are the new ones, and none when it has none. */
static void test_outbox_replace(void **st)
{
    (void)st;
    char dir[] = "/tmp/par-outbox-XXXXXX";
    outbox *o = fresh_outbox(dir);
    par_err e;
    pv *head = head_named("a.csv");
    int64_t line[] = {2};
    const char *one[] = {"x"}, *two[] = {"y"};
    sbuf r1, r2, none;
    sbuf_init(&r1);
    sbuf_init(&r2);
    sbuf_init(&none);
    outbox_lines_pack(&r1, 1, 1, line, one);
    outbox_lines_pack(&r2, 1, 1, line, two);
    outbox_lines_pack(&none, 1, 0, NULL, NULL);
    assert_int_equal(outbox_put(o, 7, head, &r1, &none, 0, &e), 1);
    assert_int_equal(outbox_put(o, 7, head, &r2, &none, 0, &e), 0); /* already there: kept */
    outbox_lines l;
    assert_int_equal(outbox_lines_get(o, 7, 0, 1, &l, &e), 1);
    assert_string_equal(l.text[0], "x");
    outbox_lines_free(&l);
    assert_int_equal(outbox_put(o, 7, head, &r2, &none, 1, &e), 1);
    assert_int_equal(outbox_lines_get(o, 7, 0, 1, &l, &e), 1);
    assert_string_equal(l.text[0], "y");
    outbox_lines_free(&l);
    pv *list = outbox_list(o, 10, &e);
    assert_non_null(list);
    assert_int_equal(list->u.a.n, 1);
    pv_free(list);
    assert_int_equal(outbox_put(o, 7, head, NULL, NULL, 1, &e), 1);
    assert_int_equal(outbox_lines_get(o, 7, 0, 1, &l, &e), 0);
    assert_int_equal(outbox_lines_get(o, 7, 1, 1, &l, &e), 0);
    assert_int_equal(outbox_del(o, 7, &e), 0);
    list = outbox_list(o, 10, &e);
    assert_non_null(list);
    assert_int_equal(list->u.a.n, 0);
    pv_free(list);
    outbox_close(o);
    pv_free(head);
    sbuf_free(&r1);
    sbuf_free(&r2);
    sbuf_free(&none);
    remove_tree(dir);
}

/* The store's data file whole, to tell whether opening it changed a byte. */
static char *data_file(const char *dir, size_t *len)
{
    char path[128], *buf;
    par_err e;
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    assert_int_equal(file_read(path, &buf, len, &e), 0);
    return buf;
}

/* par-agent status reads the outbox beside a running agent: it makes nothing, changes
 * no byte and does not mark an outbox of 0.3.0 as its own (which would make 0.3.0 refuse
 * it); what it cannot read it says. */
static void test_outbox_reader(void **st)
{
    (void)st;
    char dir[] = "/tmp/par-outbox-XXXXXX", cmd[64], lock[64];
    assert_non_null(mkdtemp(dir));
    snprintf(lock, sizeof lock, "%s/lock.mdb", dir);
    outbox *o;
    store *s;
    par_err e;
    assert_int_equal(outbox_open_reader(&o, dir, &e), -1); /* not an outbox yet */
    assert_non_null(strstr(e.msg, "No such file"));
    assert_int_equal(access(lock, F_OK), -1);
    /* 0.3.0's outbox: schema 1, its heads and order only */
    const char *const old[] = {"files", "order"};
    assert_int_equal(store_open(&s, dir, old, NULL, 2, 1, 0, &e), 0);
    store_close(s);
    size_t n0, n1;
    char *before = data_file(dir, &n0);
    assert_int_equal(outbox_open_reader(&o, dir, &e), 0);
    pv *list = outbox_list(o, 10, &e);
    assert_non_null(list);
    assert_int_equal(list->u.a.n, 0);
    pv_free(list);
    outbox_close(o);
    char *after = data_file(dir, &n1);
    assert_true(n0 == n1 && !memcmp(before, after, n0));
    free(before);
    free(after);
    assert_int_equal(store_open_reader(&s, dir, old, 2, 1, 1, &e), 0); /* still version 1 */
    store_close(s);
    /* one without the order: said, not shown empty */
    snprintf(cmd, sizeof cmd, "rm -rf %s/*", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(store_open(&s, dir, old, NULL, 1, 1, 0, &e), 0);
    store_close(s);
    assert_int_equal(outbox_open_reader(&o, dir, &e), -1);
    assert_non_null(strstr(e.msg, "database order: missing"));
    /* a newer release's */
    assert_int_equal(system(cmd), 0);
    assert_int_equal(store_open(&s, dir, old, NULL, 2, OUTBOX_SCHEMA + 1, 0, &e), 0);
    store_close(s);
    assert_int_equal(outbox_open_reader(&o, dir, &e), -1);
    assert_non_null(strstr(e.msg, "written by a newer release"));
    /* this version's, with an entry waiting */
    assert_int_equal(system(cmd), 0);
    assert_int_equal(outbox_open(&o, dir, &e), 0);
    pv *head = head_named("a.csv");
    assert_int_equal(outbox_put(o, 7, head, NULL, NULL, 0, &e), 1);
    pv_free(head);
    /* beside the writer, from another process as par-agent status is (LMDB's locks are
     * a process's: one store opened twice in a process breaks them) */
    fflush(NULL);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        outbox *r;
        int ok = outbox_open_reader(&r, dir, &e) == 0;
        if (ok) {
            list = outbox_list(r, 10, &e);
            ok = list && list->u.a.n == 1 && !strcmp(pv_get_str(pv_get(list->u.a.v[0], "entry"), "name"), "a.csv");
            pv_free(list);
            outbox_close(r);
        }
        _exit(ok ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    outbox_close(o);
    remove_tree(dir);
}

/* A child's part: holds every reader slot its own environment of dir can take, says how
 * many on ready, gives them back when done is closed (or after a minute), and exits. */
static void hold_readers(const char *dir, int ready[2], int done[2])
{
    close(ready[0]);
    close(done[1]);
    alarm(60); /* whatever becomes of the parent */
    MDB_env *env = NULL;
    MDB_txn *txn[200];
    int held = 0;
    char c;
    if (mdb_env_create(&env) == 0 && mdb_env_set_maxreaders(env, 126) == 0 &&
        mdb_env_open(env, dir, MDB_NOTLS | MDB_RDONLY, 0640) == 0)
        while (held < 200 && mdb_txn_begin(env, NULL, MDB_RDONLY, &txn[held]) == 0)
            held++;
    int ok = write(ready[1], &held, sizeof held) == sizeof held && read(done[0], &c, 1) >= 0;
    while (held > 0)
        mdb_txn_abort(txn[--held]);
    mdb_env_close(env);
    _exit(ok ? 0 : 1);
}

/* Starts hold_readers in a child: its pid; *ready to read how many it holds from, *done
 * to close when it may give them back. */
static pid_t spawn_holder(const char *dir, int *ready, int *done)
{
    int r[2], d[2];
    assert_int_equal(pipe(r), 0);
    assert_int_equal(pipe(d), 0);
    fflush(NULL);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0)
        hold_readers(dir, r, d);
    close(r[1]);
    close(d[0]);
    *ready = r[0];
    *done = d[1];
    return child;
}

/* An outbox that cannot be read is said, never listed as empty: "0 files waiting" is what
 * lets an operator remove it (docs/operations.md). Here every reader slot is held by
 * another process (MDB_READERS_FULL); those of one killed are taken back. */
static void test_outbox_list_fails(void **st)
{
    (void)st;
    char dir[] = "/tmp/par-outbox-XXXXXX";
    outbox *o = fresh_outbox(dir);
    par_err e;
    pv *head = head_named("a.csv");
    assert_int_equal(outbox_put(o, 7, head, NULL, NULL, 0, &e), 1);
    pv_free(head);
    int ready, done;
    pid_t child = spawn_holder(dir, &ready, &done);
    /* what the parent sees, gathered before any assert: a failed one must not leave the
     * child waiting */
    int held = 0;
    ssize_t got = read(ready, &held, sizeof held);
    pv *list = outbox_list(o, 10, &e);
    int said = strstr(e.msg, "MDB_READERS_FULL") != NULL;
    close(done);
    close(ready);
    int status;
    pid_t w = waitpid(child, &status, 0);
    int full_then = list == NULL;
    pv_free(list);
    assert_int_equal(got, (ssize_t)sizeof held);
    assert_int_equal(held, 126);
    assert_true(full_then);
    assert_true(said);
    assert_int_equal(w, child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    list = outbox_list(o, 10, &e); /* the slots given back */
    assert_non_null(list);
    assert_int_equal(list->u.a.n, 1);
    pv_free(list);
    /* the slots of a reader killed while it held them are taken back, and the list read */
    child = spawn_holder(dir, &ready, &done);
    got = read(ready, &held, sizeof held);
    kill(child, SIGKILL);
    w = waitpid(child, &status, 0);
    close(done);
    close(ready);
    assert_int_equal(got, (ssize_t)sizeof held);
    assert_int_equal(held, 126);
    assert_int_equal(w, child);
    list = outbox_list(o, 10, &e);
    assert_non_null(list);
    assert_int_equal(list->u.a.n, 1);
    pv_free(list);
    outbox_close(o);
    remove_tree(dir);
}

/* The outbox's "files" database opened by LMDB itself, as a damaged store would be met. */
static void raw_files(const char *dir, MDB_env **env, MDB_txn **txn, MDB_dbi *dbi, unsigned flags)
{
    assert_int_equal(mdb_env_create(env), 0);
    assert_int_equal(mdb_env_set_maxdbs(*env, 8), 0);
    assert_int_equal(mdb_env_open(*env, dir, flags, 0600), 0);
    assert_int_equal(mdb_txn_begin(*env, NULL, flags, txn), 0);
    assert_int_equal(mdb_dbi_open(*txn, "files", 0, dbi), 0);
}

/* A head that does not decode is the agent's to take again from what it holds: listed as
 * unreadable. A store that cannot be read is not: the list fails, naming the head. */
static void test_outbox_damaged(void **st)
{
    (void)st;
    char dir[] = "/tmp/par-outbox-XXXXXX";
    outbox *o = fresh_outbox(dir);
    par_err e;
    pv *head = head_named("a.csv");
    assert_int_equal(outbox_put(o, 7, head, NULL, NULL, 0, &e), 1);
    assert_int_equal(outbox_put(o, 8, head, NULL, NULL, 0, &e), 1);
    pv_free(head);
    outbox_close(o);

    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi files;
    raw_files(dir, &env, &txn, &files, 0);
    MDB_val k = {16, "0000000000000008"}, v = {1, "\xc1"}; /* a byte msgpack never uses */
    assert_int_equal(mdb_put(txn, files, &k, &v, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    assert_int_equal(outbox_open_reader(&o, dir, &e), 0);
    pv *list = outbox_list(o, 10, &e);
    assert_non_null(list);
    assert_int_equal(list->u.a.n, 2);
    assert_false(pv_get_bool(list->u.a.v[0], "unreadable", 0));
    assert_true(pv_get_bool(list->u.a.v[1], "unreadable", 0));
    pv_free(list);
    outbox_close(o);

    /* the page holding the heads made neither branch nor leaf: LMDB says MDB_CORRUPTED */
    raw_files(dir, &env, &txn, &files, MDB_RDONLY);
    MDB_val name = {5, "files"}, rec;
    MDB_dbi main_db;
    MDB_stat ms;
    assert_int_equal(mdb_dbi_open(txn, NULL, 0, &main_db), 0);
    assert_int_equal(mdb_get(txn, main_db, &name, &rec), 0);
    assert_int_equal(mdb_env_stat(env, &ms), 0);
    uint64_t root; /* MDB_db: pad, flags, depth, three page counts, entries, then the root */
    assert_true(rec.mv_size >= 48);
    memcpy(&root, (char *)rec.mv_data + 40, sizeof root);
    mdb_txn_abort(txn);
    mdb_env_close(env);
    char path[64];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    uint16_t no_flags = 0; /* after the page's number and its pad */
    assert_int_equal(pwrite(fd, &no_flags, sizeof no_flags, (off_t)(root * ms.ms_psize + 10)), (ssize_t)sizeof no_flags);
    close(fd);
    assert_int_equal(outbox_open_reader(&o, dir, &e), 0);
    list = outbox_list(o, 10, &e);
    assert_null(list);
    /* which head, not what LMDB says of the transaction after (MDB_BAD_TXN) */
    assert_non_null(strstr(e.msg, "cannot read the outbox: LMDB failed to read the head of 0000000000000007"));
    assert_int_equal(outbox_depth(o), 2); /* the order and the count are elsewhere: only the heads are lost */
    outbox_close(o);
    remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cut_by_lines),
        cmocka_unit_test(test_cut_by_bytes),
        cmocka_unit_test(test_receipts_of_batch),
        cmocka_unit_test(test_outbox_lines),
        cmocka_unit_test(test_outbox_replace),
        cmocka_unit_test(test_outbox_reader),
        cmocka_unit_test(test_outbox_list_fails),
        cmocka_unit_test(test_outbox_damaged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
