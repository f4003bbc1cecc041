/* national: the scorer at a country's scale: UNITS communes (default 11,000, under
 * 700 districts and 63 provinces) scored on a PAR framework of 150 criteria for two
 * years: 3.3 million submissions. The record is built in-process through the
 * collector's own ingest; the scorer then catches up from its change log as it would
 * at start, recomputes everything from nothing (in a child process, whose peak memory
 * is the scorer's alone), and takes single changes (incremental recomputation).
 *
 * usage: national [UNITS] */
#include "result.h"
#include "../collector/ingest.h"
#include "../collector/query.h"
#include "../collector/record.h"
#include "../common/clock.h"
#include "../scorer/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LEAVES 150
#define YEARS 2
#define LINES_PER_MSG 1000
#define MSGS_PER_COMMIT 8

static const char *const received = "2025-01-15T08:00:00.000+07:00";

static void die(const char *what, const par_err *e)
{
    fprintf(stderr, "national: %s: %s\n", what, e ? e->msg : "");
    exit(1);
}

static pv *table_msg(const char *type, const char *what, const char *const cols[], int ncols)
{
    pv *m = proto_msg(type), *c = pv_arr();
    pv_set_int(m, "id", 1);
    if (what)
        pv_set_str(m, "what", what);
    for (int i = 0; i < ncols; i++)
        pv_push(c, pv_str(cols[i]));
    pv_set(m, "cols", c);
    pv_set(m, "rows", pv_arr());
    return m;
}

static void add_row(pv *m, int line, const char *const f[], int n)
{
    pv *r = pv_arr();
    pv_push(r, pv_int(line));
    for (int i = 0; i < n; i++)
        pv_push(r, pv_str(f[i]));
    pv_push((pv *)pv_get(m, "rows"), r);
}

static void import(record *rec, pv *m)
{
    pv *data;
    record_events events;
    par_err e = {{0}};
    if (ingest_import(rec, m, "admin:bench", received, &data, &events, &e) < 0)
        die("import", &e);
    const pv *errs = pv_get(data, "errors");
    if (errs->u.a.n) {
        fprintf(stderr, "national: import: line %lld: %s\n", (long long)pv_get_int(errs->u.a.v[0], "line", 0),
                pv_get_str(errs->u.a.v[0], "reason"));
        exit(1);
    }
    pv_free(data);
    record_events_free(&events);
    pv_free(m);
}

static void commune_id(long u, char out[16])
{
    snprintf(out, 16, "X%05ld", u);
}

/* Feeds the engine the record's changes after its sequence number. */
static uint64_t feed(engine *en, record *rec)
{
    uint64_t n = 0;
    static event_batch batch; /* kept between calls, as par-scorer's follower keeps it */
    for (;;) {
        pv *q = proto_msg(MSG_QUERY), *args = pv_map(), *data, *scores;
        char since[32];
        snprintf(since, sizeof since, "%llu", (unsigned long long)engine_seq(en));
        pv_set_str(args, "since", since);
        pv_set_str(args, "limit", "5000"); /* the collector's largest page */
        pv_set_str(q, "q", "changes");
        pv_set(q, "args", args);
        par_err e = {{0}};
        if (query_answer_wire(rec, q, "internal", "", &data, &e) < 0) /* as par-collector answers it */
            die("changes", &e);
        /* the reply as par-scorer receives it, decoded as it does */
        pv *reply = proto_reply(1, data);
        char *buf;
        size_t len;
        proto_encode(reply, &buf, &len);
        pv_free(reply);
        uint64_t last;
        event_batch_clear(&batch);
        if (event_batch_add_changes(&batch, buf, len, &last, &e) < 0)
            die("changes reply", &e);
        free(buf);
        uint32_t k = batch.n;
        if (k && engine_apply(en, &batch, &scores, &e) < 0)
            die("apply", &e);
        if (k)
            pv_free(scores);
        pv_free(q);
        n += k;
        if (!k)
            return n;
    }
}

static void submit(record *rec, pv **msgs, int n)
{
    ingest_req reqs[MSGS_PER_COMMIT];
    submit_view views[MSGS_PER_COMMIT];
    for (int i = 0; i < n; i++) {
        /* the message as the collector reads it off the wire */
        char *buf;
        size_t len;
        par_err de = {{0}};
        proto_encode(msgs[i], &buf, &len);
        submit_init(&views[i]);
        if (submit_decode(&views[i], buf, len, &de) < 0)
            die("submit message", &de);
        free(buf);
        reqs[i] = (ingest_req){.sub = &views[i], .sender = "admin:bench"};
    }
    record_events events;
    par_err e = {{0}};
    if (ingest_submits(rec, reqs, n, received, &events, &e) < 0)
        die("submit", &e);
    for (int i = 0; i < n; i++) {
        const pv *res = pv_get(reqs[i].ack, "results");
        for (uint32_t k = 0; k < res->u.a.n; k++)
            if (!pv_get_bool(res->u.a.v[k], "ok", 0)) {
                fprintf(stderr, "national: line refused: %s\n", pv_get_str(res->u.a.v[k], "reason"));
                exit(1);
            }
        pv_free(reqs[i].ack);
        pv_free(msgs[i]);
        submit_free(&views[i]);
    }
    record_events_free(&events);
}

static double ms(int64_t t0)
{
    return (double)(clock_mono_ms() - t0);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* national --start DIR: opens the scorer's store as par-scorer does at start, then
 * recomputes everything; prints both times (ms) and its memory (MiB: own, store pages,
 * peak). */
static int start_only(const char *dir)
{
    engine *en;
    par_err e = {{0}};
    double s = now_ms();
    if (engine_open(&en, dir, 0, &e) < 0)
        die("open", &e);
    double open_ms = now_ms() - s;
    s = now_ms();
    if (engine_recompute_all(en, &e) < 0)
        die("recompute", &e);
    double full_ms = now_ms() - s;
    double anon = 0, file = 0, hwm = 0;
    FILE *st = fopen("/proc/self/status", "r");
    char l[256];
    while (st && fgets(l, sizeof l, st)) {
        if (!strncmp(l, "RssAnon:", 8))
            anon = atof(l + 8) / 1024;
        if (!strncmp(l, "RssFile:", 8))
            file = atof(l + 8) / 1024;
        if (!strncmp(l, "VmHWM:", 6))
            hwm = atof(l + 6) / 1024;
    }
    if (st)
        fclose(st);
    printf("%f %f %f %f %f\n", open_ms, full_ms, anon, file, hwm);
    engine_close(en);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--start"))
        return start_only(argv[2]);
    long communes = argc > 1 ? atol(argv[1]) : 11000;
    char dir[] = "/tmp/par-national.XXXXXX", rdir[64], sdir[64];
    if (!mkdtemp(dir))
        return 1;
    snprintf(rdir, sizeof rdir, "%s/collector", dir);
    snprintf(sdir, sizeof sdir, "%s/scorer", dir);
    record *rec;
    engine *en;
    par_err e = {{0}};
    if (record_open(&rec, rdir, 0, &e) < 0 || engine_open(&en, sdir, 0, &e) < 0)
        die("open", &e);

    /* units: a country, 63 provinces, 700 districts, the communes under them */
    static const char *const ucols[] = {"id", "parent", "level", "name", "email"};
    pv *m = table_msg(MSG_IMPORT, "units", ucols, 5);
    int line = 1;
    const char *root[] = {"VN", "", "country", "Việt Nam", ""};
    add_row(m, ++line, root, 5);
    for (int p = 0; p < 63; p++) {
        char id[16], name[32];
        snprintf(id, sizeof id, "P%02d", p);
        snprintf(name, sizeof name, "Tỉnh %d", p);
        const char *f[] = {id, "VN", "province", name, ""};
        add_row(m, ++line, f, 5);
    }
    for (int d = 0; d < 700; d++) {
        char id[16], parent[16], name[32];
        snprintf(id, sizeof id, "D%03d", d);
        snprintf(parent, sizeof parent, "P%02d", d % 63);
        snprintf(name, sizeof name, "Huyện %d", d);
        const char *f[] = {id, parent, "district", name, ""};
        add_row(m, ++line, f, 5);
    }
    for (long c = 0; c < communes; c++) {
        char id[16], parent[16], name[32];
        commune_id(c, id);
        snprintf(parent, sizeof parent, "D%03ld", c % 700);
        snprintf(name, sizeof name, "Xã %ld", c);
        const char *f[] = {id, parent, "commune", name, ""};
        add_row(m, ++line, f, 5);
    }
    import(rec, m);

    /* the framework: 8 areas of 18-19 criteria, one point each, both years */
    static const char *const fcols[] = {"index", "year", "level", "id", "name", "max", "method", "formula"};
    char leaf_ids[LEAVES][16];
    for (int y = 0; y < YEARS; y++) {
        char year[8];
        snprintf(year, sizeof year, "%d", 2023 + y);
        m = table_msg(MSG_IMPORT, "framework", fcols, 8);
        line = 1;
        int leaf = 0;
        for (int a = 1; a <= 8; a++) {
            int n = a <= 6 ? 19 : 18;
            char id[8], max[8];
            snprintf(id, sizeof id, "%d", a);
            snprintf(max, sizeof max, "%d", n);
            const char *f[] = {"PAR", year, "commune", id, "Lĩnh vực", max, "", ""};
            add_row(m, ++line, f, 8);
            for (int k = 1; k <= n; k++, leaf++) {
                snprintf(leaf_ids[leaf], sizeof leaf_ids[leaf], "%d.%d", a, k);
                const char *g[] = {"PAR", year, "commune", leaf_ids[leaf], "Tiêu chí", "1", "self", ""};
                add_row(m, ++line, g, 8);
            }
        }
        import(rec, m);
    }

    /* the submissions: every commune scores every criterion, both years */
    static const char *const scols[] = {"unit", "year", "period", "kind", "key", "value", "date", "note"};
    int64_t t0 = clock_mono_ms();
    pv *batch[MSGS_PER_COMMIT];
    int nb = 0;
    long lines = 0;
    m = NULL;
    srand(7);
    for (long c = 0; c < communes; c++) {
        char unit[16];
        commune_id(c, unit);
        for (int y = 0; y < YEARS; y++) {
            char year[8];
            snprintf(year, sizeof year, "%d", 2023 + y);
            for (int k = 0; k < LEAVES; k++) {
                if (!m) {
                    m = table_msg(MSG_SUBMIT, NULL, scols, 8);
                    line = 1;
                }
                char value[16];
                snprintf(value, sizeof value, "%.2f", (rand() % 101) / 100.0);
                const char *f[] = {unit, year, "Y", "score", leaf_ids[k], value, "", ""};
                add_row(m, ++line, f, 8);
                lines++;
                if (line > LINES_PER_MSG) {
                    batch[nb++] = m;
                    m = NULL;
                    if (nb == MSGS_PER_COMMIT) {
                        submit(rec, batch, nb);
                        nb = 0;
                    }
                }
            }
        }
    }
    if (m)
        batch[nb++] = m;
    if (nb)
        submit(rec, batch, nb);
    double build = ms(t0);

    /* the scorer catches up with the whole log, as at its first start: that far behind
     * it loads in bulk and computes once (par-scorer does the same) */
    t0 = clock_mono_ms();
    if (engine_begin_bulk(en, &e) < 0)
        die("bulk", &e);
    uint64_t changes = feed(en, rec);
    if (engine_recompute_all(en, &e) < 0)
        die("recompute", &e);
    double catchup = ms(t0);
    engine_close(en);

    /* the record read whole by LMDB's own tool: the yardstick of a catch-up */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "mdb_dump -a %s > /dev/null", rdir);
    t0 = clock_mono_ms();
    if (system(cmd) != 0)
        die("mdb_dump of the collector's store failed", NULL);
    double dump = ms(t0);

    /* a start (the replica loaded into memory, every result computed) and a full
     * recomputation from nothing, in a process of its own: its memory is the scorer's */
    snprintf(cmd, sizeof cmd, "%s --start %s", argv[0], sdir);
    FILE *child = popen(cmd, "r");
    double start = -1, full = -1, anon = -1, file = -1, hwm = -1;
    if (!child || fscanf(child, "%lf %lf %lf %lf %lf", &start, &full, &anon, &file, &hwm) != 5 || pclose(child) != 0)
        die("the scorer's start in a process of its own failed", NULL);

    /* single changes: one appraisal, pushed and applied, then the next; 200 of them, so
     * that the p99 is not merely the slowest (reported beside it) */
    if (engine_open(&en, sdir, 0, &e) < 0)
        die("reopen", &e);
    enum { CHANGES = 200 };
    double per[CHANGES];
    for (int i = 0; i < CHANGES; i++) {
        char unit[16], value[16];
        commune_id((long)rand() % communes, unit);
        snprintf(value, sizeof value, "%.2f", (i % 10) / 10.0);
        pv *one = table_msg(MSG_SUBMIT, NULL, scols, 8);
        const char *f[] = {unit, "2024", "Y", "appraisal", leaf_ids[rand() % LEAVES], value, "", "thẩm định"};
        add_row(one, 2, f, 8);
        submit(rec, &one, 1);
        double s = now_ms();
        feed(en, rec);
        per[i] = now_ms() - s;
    }
    qsort(per, CHANGES, sizeof per[0], by_double);

    printf("\nscorer at national scale: %ld communes x %d criteria x %d years = %ld submissions\n", communes, LEAVES,
           YEARS, lines);
    printf("  %-56s %10.1f s\n", "build the record through the collector's ingest", build / 1000);
    printf("  %-56s %10.1f s   (%llu changes)\n", "scorer catches up from the change log (bulk)", catchup / 1000,
           (unsigned long long)changes);
    printf("  %-56s %10.1f s   (catch-up %.2f x mdb_dump)\n", "mdb_dump -a of the collector's store (peer)",
           dump / 1000, catchup / dump);
    printf("  %-56s %10.2f s\n", "scorer start: replica loaded, every result computed", start / 1000);
    printf("  %-56s %10.3f s\n", "full recomputation from nothing (in memory)", full / 1000);
    printf("  %-56s %10.0f MiB  (%.0f B a value)\n", "scorer's peak resident memory", hwm,
           hwm * 1048576 / (double)lines);
    printf("  %-56s %10.0f MiB  (%.0f B a value; its store's pages read: %.0f MiB)\n", "of which its own (RssAnon)",
           anon, anon * 1048576 / (double)lines, file);
    printf("  %-56s %10.2f ms   (p50; p99 %.2f ms, max %.2f ms, %d changes)\n",
           "one change: apply, recompute the unit, re-rank its group", per[CHANGES / 2], per[CHANGES * 99 / 100],
           per[CHANGES - 1], CHANGES);
    result_put("national.communes", (double)communes);
    result_put("national.submissions", (double)lines);
    result_put("national.catch_up_s", catchup / 1000);
    result_put("national.mdb_dump_s", dump / 1000);
    result_put("national.catch_up_vs_mdb_dump", catchup / dump);
    result_put("national.start_s", start / 1000);
    result_put("national.full_recompute_s", full / 1000);
    result_put("national.scorer_anon_mib", anon);
    result_put("national.scorer_bytes_per_value", hwm * 1048576 / (double)lines);
    result_put("national.scorer_anon_bytes_per_value", anon * 1048576 / (double)lines);
    result_put("national.scorer_peak_mib", hwm);
    result_put("national.change_p50_ms", per[CHANGES / 2]);
    result_put("national.change_p99_ms", per[CHANGES * 99 / 100]);
    result_put("national.change_max_ms", per[CHANGES - 1]);
    engine_close(en);
    record_close(rec);
    if (getenv("NATIONAL_KEEP")) { /* the stores, for a look with mdb_stat or a profiler */
        printf("  stores kept in %s\n", dir);
        return 0;
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
