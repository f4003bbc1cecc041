#include "push.h"
#include "../common/reason.h"
#include "../common/client.h"
#include "../common/clock.h"
#include "batch.h"
#include "receipts.h"
#include "../common/table.h"
#include "../common/log.h"
#include "../proto/submit.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WINDOW 16 /* batches in flight at once: with 4 the collector often found one waiting and
                   * paid a durable commit for 1,000 lines (8 was 8-10 % faster a push); with 8
                   * it answered a round of all 8, then waited for the next ones: 16 keep its
                   * next round (8,192 lines of one agent at most) waiting: one agent's push
                   * of 100,000 lines into a store of 2 M, 0.37-0.41 s against 0.42-0.46 (four
                   * pairs); into a fresh store, or with several agents already keeping it
                   * busy, the same within the noise */
#define READ_AHEAD 8 /* batches of a single file read before the first is sent: a full
                      * window's worth would only send the first later */
#define RESEND_MS 5000      /* an unanswered batch is sent again (the collector is idempotent) */

typedef struct {
    const char *path;
    table t;           /* its rows, which its batches point into */
    char name[SUBMIT_MAX_FILE + 1];
    int lines, stored, duplicates, refused, failed;
    table_reader *rest; /* a CSV file's rows after its first batches: read once those are sent */
    char *bytes;        /* the file, while it is read */
    uint32_t cut;       /* rows already cut into batches */
    int refused_read;   /* of t.refused, how many are counted in refused */
} file_stat;

/* The rows read since the last cut, as batches; what was refused reading them, counted. */
static void cut_rows(const par_config *conf, client *cl, int fi, file_stat *fs, batch **bs, uint32_t *nb,
                     uint32_t *cap)
{
    fs->lines = fs->t.lines;
    fs->refused += fs->t.refused - fs->refused_read;
    fs->refused_read = fs->t.refused;
    const char *base = strrchr(fs->path, '/');
    submit_view all;
    batch_head(&all, str_clean_utf8(fs->name, sizeof fs->name, base ? base + 1 : fs->path), conf->agent_unit);
    _Static_assert(CSV_MAX_FIELDS <= SUBMIT_MAX_COLS, "a table's columns fit a submit message");
    all.ncols = fs->t.ncols;
    memcpy(all.cols, fs->t.cols, fs->t.ncols * sizeof *all.cols);
    all.nrows = fs->t.nrows - fs->cut;
    all.lines = fs->t.line + fs->cut;
    all.fields = fs->t.field + (size_t)fs->cut * fs->t.ncols;
    batch_cut(&all, (uint32_t)conf->batch_lines, cl, fi, bs, nb, cap);
    fs->cut = fs->t.nrows;
}

/* The rest of a file read, and its reader and bytes let go (none when it could not be
 * opened). */
static void read_rest(file_stat *fs)
{
    while (fs->rest && table_csv_more(fs->rest, UINT32_MAX))
        ;
    table_csv_close(fs->rest);
    fs->rest = NULL;
    free(fs->bytes);
    fs->bytes = NULL;
}

/* Reads one file and cuts it into batches; lines that cannot be read are printed and
 * counted. With ahead (a push of one file), a CSV file is read as far as its first
 * READ_AHEAD batches: the province works on them while the agent reads the rest (a
 * 100,000-line file takes it some 60 ms), as long as its rows cannot move while read
 * (t.fixed). Not with several files: their batches go in the order of the files, as a
 * later file may correct an earlier one. */
static int load_file(const par_config *conf, client *cl, int fi, int ahead, file_stat *fs, batch **bs, uint32_t *nb,
                     uint32_t *cap, FILE *out)
{
    par_err e;
    const char *const *known = table_cols(TABLE_SUBMISSIONS);
    unsigned long required = table_required(TABLE_SUBMISSIONS);
    char *buf;
    size_t len;
    int rc = table_read_file(fs->path, &buf, &len, &e) < 0 ? -1 : 0;
    if (rc == 0 && (!ahead || table_is_utf16(buf, len) || table_is_jsonl(fs->path))) { /* whole */
        rc = table_parse_bytes(fs->path, buf, len, known, required, &fs->t, out, &e);
        free(buf);
    } else if (rc == 0) {
        rc = table_csv_open(&fs->rest, fs->path, buf, len, known, required, &fs->t, out, &e);
        fs->bytes = buf; /* read_rest lets it go */
        if (rc < 0 || !fs->t.fixed || !table_csv_more(fs->rest, READ_AHEAD * (uint32_t)conf->batch_lines))
            read_rest(fs);
    }
    if (rc < 0) {
        fprintf(out, "%s\n", e.msg);
        return -1;
    }
    cut_rows(conf, cl, fi, fs, bs, nb, cap);
    return 0;
}

typedef struct {
    file_stat *fs;
    FILE *out;
} tally;

static void count_line(void *ctx, uint32_t i, const ack_line *r)
{
    (void)i;
    tally *t = ctx;
    if (r->ok) {
        t->fs->stored++;
        t->fs->duplicates += r->duplicate;
        return;
    }
    t->fs->refused++;
    char vi[2048];
    /* English as the logs have it, then the same facts in Vietnamese for the official */
    fprintf(t->out, "%s: line %lld: %s\n    (dòng %lld: %s)\n", t->fs->path, (long long)r->line, r->reason,
            (long long)r->line, reason_vi(r->reason, vi, sizeof vi));
}

static void take_ack(batch *b, const pv *ack, file_stat *fs, FILE *out)
{
    tally t = {fs, out};
    receipts_each(&b->v, ack, count_line, &t);
    batch_done(b);
}

int push_files(const par_config *conf, char *const files[], int n, int timeout_s, FILE *out)
{
    par_err e = {{0}};
    client *cl = client_new(conf, &e);
    if (!cl) {
        fprintf(out, "par-agent: %s\n", e.msg);
        return 2;
    }
    char rpath[CONF_PATH + 32];
    FILE *rf = receipts_open(conf, rpath, sizeof rpath, &e);
    if (!rf) {
        fprintf(out, "par-agent: %s\n", e.msg);
        client_destroy(cl);
        return 2;
    }
    file_stat *fs = xcalloc((size_t)n, sizeof *fs);
    batch *bs = NULL;
    uint32_t nb = 0, cap = 0;
    int status = 0;
    for (int i = 0; i < n; i++) {
        fs[i].path = files[i];
        if (load_file(conf, cl, i, n == 1, &fs[i], &bs, &nb, &cap, out) < 0)
            status = 2;
    }
    int64_t deadline = clock_mono_ms() + (int64_t)timeout_s * 1000;
    int remaining = (int)nb, backoff = 100, reading = 0;
    for (int i = 0; i < n; i++)
        reading |= fs[i].rest != NULL;
    char last[256] = "";
    while (remaining > 0 || reading) {
        int64_t now = clock_mono_ms();
        if (now >= deadline)
            break;
        if (client_refused(cl, &e)) {
            fprintf(out, "par-agent: %s\n", e.msg);
            break;
        }
        int flying = 0;
        for (uint32_t i = 0; i < nb; i++)
            flying += bs[i].in_flight && !bs[i].done;
        int64_t wake = deadline;
        for (uint32_t i = 0; i < nb; i++) {
            batch *b = &bs[i];
            if (b->done)
                continue;
            if (b->next_send <= now && (b->in_flight || flying < WINDOW)) {
                int s = batch_send(b, cl, &e);
                if (s < 0) {
                    str_copy(last, sizeof last, e.msg);
                    b->next_send = now + backoff;
                } else if (s == 0) {
                    str_copy(last, sizeof last, "the provincial server cannot be reached");
                    /* not connected: wait for a connection rather than a fixed time */
                    int64_t left = deadline - now;
                    client_wait_writable(cl, (int)(left < 500 ? left : 500));
                    wake = now = clock_mono_ms();
                    break;
                } else {
                    if (!b->in_flight)
                        flying++;
                    b->in_flight = 1;
                    b->next_send = now + RESEND_MS;
                }
            }
            if ((b->in_flight || flying < WINDOW) && b->next_send < wake)
                wake = b->next_send;
        }
        if (reading) { /* the first batches are out: the rest of the files now */
            reading = 0;
            for (int i = 0; i < n; i++)
                if (fs[i].rest) {
                    uint32_t before = nb;
                    read_rest(&fs[i]);
                    cut_rows(conf, cl, i, &fs[i], &bs, &nb, &cap);
                    remaining += (int)(nb - before);
                }
            continue;
        }
        int64_t wait = wake - clock_mono_ms();
        pv *m;
        par_err re;
        int r = client_recv(cl, (int)(wait < 0 ? 0 : wait > 1000 ? 1000 : wait), &m, &re);
        if (r < 0) {
            log_warn("event=bad_reply error=\"%s\"", re.msg);
            continue;
        }
        if (r == 0)
            continue;
        int64_t id = pv_get_int(m, "id", -1);
        for (uint32_t i = 0; i < nb; i++) {
            batch *b = &bs[i];
            if (b->v.id != id || b->done)
                continue;
            if (!strcmp(proto_type(m), MSG_ACK) && !receipts_agree(&b->v, m)) {
                receipts_disagree(out, fs[b->file].path, &b->v);
                str_copy(last, sizeof last, "the province's answers did not match the lines sent");
                b->next_send = clock_mono_ms() + backoff;
                backoff = backoff < 2000 ? backoff * 2 : 2000;
            } else if (!strcmp(proto_type(m), MSG_ACK)) {
                receipts_add(rf, fs[b->file].path, &b->v, m);
                take_ack(b, m, &fs[b->file], out);
                remaining--;
                backoff = 100;
            } else if (!strcmp(proto_type(m), MSG_ERROR)) {
                const char *code = pv_get_str(m, "code"), *text = pv_get_str(m, "message");
                str_copy(last, sizeof last, text ? text : "error");
                if (code && (!strcmp(code, "unavailable") || !strcmp(code, "storage"))) {
                    /* the service is down or its disk refused: try again later */
                    b->next_send = clock_mono_ms() + backoff;
                    backoff = backoff < 2000 ? backoff * 2 : 2000;
                } else {
                    fprintf(out, "%s: lines of a batch refused: %s\n", fs[b->file].path, last);
                    fs[b->file].failed += (int)b->v.nrows;
                    batch_done(b);
                    remaining--;
                }
            }
        }
        pv_free(m);
    }
    for (int i = 0; i < n; i++)
        if (fs[i].rest) { /* stopped before reading it all: its lines are counted, not sent */
            read_rest(&fs[i]);
            cut_rows(conf, cl, i, &fs[i], &bs, &nb, &cap);
        }
    for (uint32_t i = 0; i < nb; i++)
        if (!bs[i].done)
            fs[bs[i].file].failed += (int)bs[i].v.nrows;
    batch_free_all(bs, nb);
    for (int i = 0; i < n; i++) {
        if (fs[i].refused || fs[i].failed)
            status = status ? status : 1;
        fprintf(stderr, "par-agent: %s: %d lines, %d stored (%d already there), %d refused%s", fs[i].path,
                fs[i].lines, fs[i].stored, fs[i].duplicates, fs[i].refused, fs[i].failed ? "" : "\n");
        if (fs[i].failed)
            fprintf(stderr, ", %d not acknowledged\n", fs[i].failed);
    }
    if (remaining > 0)
        fprintf(out, "par-agent: no acknowledgement from %s within %d s (%s); the lines not acknowledged must be "
                     "pushed again\n",
                client_endpoint(cl), timeout_s, last[0] ? last : "no answer");
    if (fflush(rf) != 0 || fsync(fileno(rf)) != 0)
        fprintf(out, "par-agent: cannot save the receipts in %s\n", rpath);
    fclose(rf);
    for (int i = 0; i < n; i++)
        table_free(&fs[i].t);
    free(fs);
    client_destroy(cl);
    return status;
}
