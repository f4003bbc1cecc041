#include "run.h"
#include "evspool.h"
#include "outbox.h"
#include "batch.h"
#include "receipts.h"
#include "../common/client.h"
#include "../proto/submit.h"
#include "../common/csv.h"
#include "../common/daemon.h"
#include "../common/json.h"
#include "../common/log.h"
#include "../common/reason.h"
#include "../common/table.h"
#include "../common/version.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define FILES_IN_FLIGHT 16
#define BATCHES_IN_FLIGHT 16
#define RESEND_MS 5000
#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 60000
/* a file written in place (cp, Samba, WinSCP) is taken once it has been closed and left
 * unchanged this long: never half-written */
#define SETTLE_MS 2000
#define SETTLE_MAX 1024
/* a file whose outbox copy cannot be read back (a damaged outbox) is refused, not lost */
#define UNREADABLE "kept in the outbox in a form this version cannot send: drop the file into the spool folder again"
#define ROW_UNREADABLE "this line's copy in the outbox is damaged: send it again"
#define LOOK_MS 60000

typedef struct {
    uint64_t key;
    char name[256], held[CONF_PATH + 300];
    char *sent_name;    /* on the heap: an rfile is moved in files[], its batches point here */
    outbox_lines rows;  /* its rows, which all and the batches point into */
    pv *entry;          /* the outbox list's item ({key, entry}): all's column names */
    submit_view all;    /* its rows: line numbers and fields */
    batch *bs;
    uint32_t nb, cap;
    int left, lines, stored;
    pv *refused; /* [{line, reason}] */
} rfile;

/* A file written in place, waiting to settle. */
typedef struct {
    char name[256];
    int64_t due; /* monotonic ms */
    off_t size;
    struct timespec mtime;
} settling;

typedef struct {
    par_config *conf;
    par_clock *clk;
    outbox *ob;
    client *cl;
    FILE *receipts;
    char receipts_path[CONF_PATH + 32];
    int ino, sfd;
    char spool[CONF_PATH], hold[CONF_PATH + 16], done[CONF_PATH + 16], rejected[CONF_PATH + 16];
    rfile files[FILES_IN_FLIGHT];
    int nfiles;
    int reload; /* the outbox took a file or let one go: load_files looks again */
    int64_t next_look; /* monotonic ms: load_files looks again then in any case */
    /* files filed whose entry could not be deleted (a full disk): not sent again, their
     * delete retried at each look */
    uint64_t undeleted[FILES_IN_FLIGHT * 4];
    int nundeleted;
    int backoff_ms;
    int64_t next_hb, next_export, pause_until;
    char last_success[40];
    /* the link to the province, for the log and par-agent status */
    int link;                /* 1 up, 0 down, -1 not known yet */
    int64_t link_since;      /* wall ms of the last change */
    int64_t heard_mono;      /* when a message last came from the broker */
    int64_t hb_sent_mono;    /* the heartbeat waiting for its answer; 0: none */
    int64_t hb_id;           /* the last heartbeat's request id */
    char hb_refused[256];    /* why the province refused the last heartbeat, said once */
    int64_t unconnected_mono; /* since when a send found no connection; 0: it did not */
    char last_error[512];
    char state_path[CONF_PATH + 32];
    settling settle[SETTLE_MAX];
    int nsettle;
    evspool ev; /* evidence documents in SPOOL/evidence/ */
} agent;

/* ---------- the link and the state par-agent status shows ---------- */

/* The earliest time something waits to be sent again (wall ms), 0 when nothing waits. */
static int64_t next_retry_ms(const agent *a)
{
    int64_t best = INT64_MAX, now = clock_mono_ms();
    for (int i = 0; i < a->nfiles; i++)
        for (uint32_t b = 0; b < a->files[i].nb; b++) {
            const batch *rb = &a->files[i].bs[b];
            if (rb->done)
                continue;
            int64_t t = rb->next_send > a->pause_until ? rb->next_send : a->pause_until;
            best = t < best ? t : best;
        }
    if (best == INT64_MAX)
        return 0;
    return clock_now_ms(a->clk) + (best > now ? best - now : 0);
}

/* Writes DATA_DIR/agent/state.json whole (through a temporary name): what par-agent
 * status reads while the daemon runs. */
static void write_state(agent *a)
{
    pv *st = pv_map();
    char when[40];
    pv_set_int(st, "pid", (int64_t)getpid());
    pv_set_str(st, "unit", a->conf->agent_unit);
    pv_set_str(st, "endpoint", a->conf->endpoint);
    pv_set_str(st, "link", a->link == 1 ? "up" : a->link == 0 ? "down" : "unknown");
    if (a->link_since) {
        clock_format(a->link_since, when);
        pv_set_str(st, "link_since", when);
    }
    pv_set_str(st, "last_success", a->last_success);
    pv_set_str(st, "last_error", a->last_error);
    int64_t retry = next_retry_ms(a);
    if (retry) {
        clock_format(retry, when);
        pv_set_str(st, "next_retry", when);
    }
    clock_format(clock_now_ms(a->clk), when);
    pv_set_str(st, "written", when);
    char *json = json_compact(st), tmp[CONF_PATH + 48];
    pv_free(st);
    snprintf(tmp, sizeof tmp, "%s.tmp", a->state_path);
    FILE *f = fopen(tmp, "w");
    int ok = f && fputs(json, f) >= 0;
    if (f && fclose(f) != 0) /* closed once, whether the write went well or not */
        ok = 0;
    if (ok)
        rename(tmp, a->state_path);
    free(json);
}

/* The link went down (why) or came back (why NULL): logged once per change. */
static void link_set(agent *a, int up, const char *why)
{
    if (!up && why)
        str_copy(a->last_error, sizeof a->last_error, why);
    if (a->link == up)
        return;
    int64_t now = clock_now_ms(a->clk);
    if (up && a->link == 0)
        log_info("event=link_up endpoint=%s down_s=%lld", a->conf->endpoint, (long long)((now - a->link_since) / 1000));
    else if (up)
        log_info("event=link_up endpoint=%s", a->conf->endpoint);
    else
        log_warn("event=link_down endpoint=%s reason=\"%s\"", a->conf->endpoint, why ? why : "");
    a->link = up;
    a->link_since = now;
    write_state(a);
}

/* A send found no connection: the link is down once that has lasted RESEND_MS (a
 * connection being made at start is not a link down). */
static void no_connection(agent *a)
{
    int64_t now = clock_mono_ms();
    if (!a->unconnected_mono)
        a->unconnected_mono = now;
    if (now - a->unconnected_mono < RESEND_MS)
        return;
    char why[CONF_STR + 128];
    snprintf(why, sizeof why, "cannot connect to the provincial server at %s", a->conf->endpoint);
    link_set(a, 0, why);
}

/* A request went unanswered for RESEND_MS: the link is down. */
static void no_answer(agent *a)
{
    char why[CONF_STR + 128];
    snprintf(why, sizeof why, "no answer from the provincial server at %s within %d s", a->conf->endpoint,
             RESEND_MS / 1000);
    link_set(a, 0, why);
}

/* ---------- refusals, in both languages ---------- */

static void add_refusal(pv *list, int64_t line, const char *reason)
{
    pv *r = pv_map();
    pv_set_int(r, "line", line);
    pv_set_str(r, "reason", reason);
    pv_push(list, r);
}

/* A line's answer counted into its file (receipts_each). */
static void count_line(void *ctx, uint32_t i, const ack_line *l)
{
    (void)i;
    rfile *f = ctx;
    if (l->ok)
        f->stored++;
    else
        add_refusal(f->refused, l->line, l->reason);
}

static int by_line(const void *a, const void *b)
{
    int64_t x = pv_get_int(*(pv *const *)a, "line", 0), y = pv_get_int(*(pv *const *)b, "line", 0);
    return x < y ? -1 : x > y;
}

/* Writes DEST.err beside a rejected file (through a temporary name). */
static void write_err(agent *a, const char *name, const pv *refused, int lines, int stored, const char *original)
{
    char tmp[CONF_PATH + 600], path[CONF_PATH + 600];
    snprintf(path, sizeof path, "%s/%s.err", a->rejected, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.err.tmp", a->rejected, name);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        log_error("event=err_file_failed path=%s error=\"%s\"", path, strerror(errno));
        return;
    }
    if (original)
        fprintf(f, "Tệp %s đã được lưu một phần và xếp vào done/; %s chỉ gồm các dòng bị từ chối (số dòng theo tệp "
                   "gốc): sửa rồi thả lại vào thư mục gửi.\n"
                   "File %s was partly stored and filed under done/; %s holds only its refused lines (line numbers "
                   "are the original file's): fix them and drop it back into the spool folder.\n",
                original, name, original, name);
    else
        fprintf(f, "Tệp: %s / File: %s\n", name, name);
    /* a refusal of the whole file (line 0) refuses every line of it */
    int whole = refused->u.a.n == 1 && pv_get_int(refused->u.a.v[0], "line", 0) == 0;
    unsigned nref = whole ? (unsigned)lines : refused->u.a.n;
    fprintf(f, "Số dòng: %d; đã lưu: %d; bị từ chối: %u%s / Lines: %d; stored: %d; refused: %u%s\n\n", lines, stored,
            nref, whole ? " (cả tệp)" : "", lines, stored, nref, whole ? " (the whole file)" : "");
    for (uint32_t i = 0; i < refused->u.a.n; i++) {
        const pv *r = refused->u.a.v[i];
        const char *why = pv_get_str(r, "reason") ? pv_get_str(r, "reason") : "";
        long long line = (long long)pv_get_int(r, "line", 0);
        char vi[2048];
        reason_vi(why, vi, sizeof vi); /* the same facts, in Vietnamese */
        if (line > 0)
            fprintf(f, "dòng %lld: %s | line %lld: %s\n", line, vi, line, why);
        else
            fprintf(f, "toàn tệp: %s | whole file: %s\n", vi, why);
    }
    fclose(f);
    rename(tmp, path);
}

/* The length of a file name without its ending ("tdg-q4" of "tdg-q4.csv"). */
static int name_stem(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && dot != name ? (int)(dot - name) : (int)strlen(name);
}

/* A free name in dir: NAME, else with a number before its ending, which programs open
 * files by (tdg-q4.csv, tdg-q4.1.csv, tdg-q4.2.csv, ...). */
static void free_name(const char *dir, const char *name, char *out, size_t n)
{
    int stem = name_stem(name);
    snprintf(out, n, "%s/%s", dir, name);
    for (int i = 1; access(out, F_OK) == 0 && i < 100000; i++)
        snprintf(out, n, "%s/%.*s.%d%s", dir, stem, name, i, name + stem);
}

/* Whether the refused lines of the original file can be copied as written into a comma
 * CSV: a UTF-8 file read with ',' between its columns (not JSON Lines, UTF-16 or ';'). */
static int raw_copyable(const char *original)
{
    if (table_is_jsonl(original))
        return 0;
    char head[4096];
    FILE *in = fopen(original, "r");
    size_t n = in ? fread(head, 1, sizeof head, in) : 0;
    if (in)
        fclose(in);
    return !table_is_utf16(head, n) && csv_sniff(head, n) == ',';
}

/* The refused lines of a partly stored file, alone, as a CSV the technician can fix and
 * drop back into the spool folder: the file's header, then each refused line as it was
 * read, in file order. A line the reader could not read is copied as written when the
 * file is a comma CSV in UTF-8 (else it is in the .err only). One pass over the rows and
 * one over the file: refused is sorted by line and the rows are in file order. */
static int write_refused_csv(const rfile *f, const char *original, const char *path)
{
    const submit_view *all = &f->all;
    if (!all->ncols)
        return -1;
    uint32_t nref = f->refused->u.a.n;
    /* row[i]: 1 + the row refused line i is, 0 when the reader refused it */
    uint32_t *row = xcalloc(nref ? nref : 1, sizeof *row);
    uint32_t i = 0;
    for (uint32_t r = 0; r < all->nrows && i < nref; r++) {
        int64_t at = all->lines[r];
        while (i < nref && pv_get_int(f->refused->u.a.v[i], "line", 0) < at)
            i++;
        if (i < nref && pv_get_int(f->refused->u.a.v[i], "line", 0) == at)
            row[i++] = r + 1;
    }
    FILE *in = raw_copyable(original) ? fopen(original, "r") : NULL;
    char *buf = NULL;
    size_t cap = 0;
    long long at = 0; /* the physical lines of the original read so far */
    sbuf b;
    sbuf_init(&b);
    for (uint32_t c = 0; c < all->ncols; c++) {
        if (c)
            sbuf_add(&b, ",", 1);
        csv_put(&b, all->cols[c]);
    }
    sbuf_add(&b, "\n", 1);
    for (i = 0; i < nref; i++) {
        int64_t line = pv_get_int(f->refused->u.a.v[i], "line", 0);
        if (row[i]) {
            for (uint32_t c = 0; c < all->ncols; c++) {
                if (c)
                    sbuf_add(&b, ",", 1);
                csv_put(&b, submit_field(all, row[i] - 1, c));
            }
            sbuf_add(&b, "\n", 1);
            continue;
        }
        ssize_t len = -1;
        while (in && line > at && (len = getline(&buf, &cap, in)) >= 0)
            at++;
        if (line > 0 && at == line && len >= 0) {
            while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
                len--;
            sbuf_add(&b, buf, (size_t)len);
            sbuf_add(&b, "\n", 1);
        }
    }
    free(buf);
    if (in)
        fclose(in);
    free(row);
    char tmp[CONF_PATH + 700];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *out = fopen(tmp, "w");
    int rc = out && fwrite(b.buf, 1, b.len, out) == b.len ? 0 : -1;
    if (out && fclose(out) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -1;
    if (rc < 0)
        unlink(tmp);
    sbuf_free(&b);
    return rc;
}

/* Files from (a file of the spool folder, or one held in the outbox) under rejected/ as
 * name, refused whole with reason. */
static int reject_file(agent *a, const char *from, const char *name, const char *reason)
{
    char to[CONF_PATH + 400];
    free_name(a->rejected, name, to, sizeof to);
    pv *list = pv_arr();
    add_refusal(list, 0, reason);
    const char *base = strrchr(to, '/') + 1;
    /* every line of the file is refused with it: the counts say so */
    int lines = 0; /* lines with something on them, the header left out */
    FILE *in = fopen(from, "r");
    for (int c, last = '\n'; in && (c = getc(in)) != EOF; last = c)
        lines += last == '\n' && c != '\n' && c != '\r';
    if (in)
        fclose(in);
    lines = lines > 0 ? lines - 1 : 0;
    write_err(a, base, list, lines, 0, NULL);
    pv_free(list);
    if (rename(from, to) < 0) {
        log_error("event=move_failed from=%s error=\"%s\"", from, strerror(errno));
        return -1;
    }
    log_warn("event=file_rejected name=%s reason=\"%s\"", name, reason);
    return 0;
}

/* A file refused before it reached the outbox (not a submissions file at all). */
static void reject_now(agent *a, const char *name, const char *reason)
{
    char from[CONF_PATH + 300];
    snprintf(from, sizeof from, "%s/%s", a->spool, name);
    reject_file(a, from, name, reason);
}

/* ---------- the spool folder ---------- */

static int wanted(const char *name)
{
    size_t l = strlen(name);
    /* .txt: Excel's "Unicode Text" (UTF-16, tabs) and "Text (Tab delimited)" */
    return name[0] != '.' && ((l > 4 && !strcmp(name + l - 4, ".csv")) || (l > 4 && !strcmp(name + l - 4, ".txt")) ||
                              table_is_jsonl(name));
}

/* The outbox's key of a file: its name's hash and its content's. */
static uint64_t file_key(const char *name, const char *bytes, size_t len)
{
    return outbox_hash(name, strlen(name) + 1) ^ outbox_hash(bytes, len) * 31;
}

/* Reads the file at path (named name; its bytes, read once) and keeps it in the outbox
 * under key: its head, its rows and the lines refused here, packed (replace: over an
 * entry already there).
 * 1 stored, 0 already there, -1 the outbox failed, -2 the file cannot be read as a table
 * (e says why: it is refused whole); *lines: its data lines. */
static int keep(agent *a, uint64_t key, const char *name, const char *path, const char *bytes, size_t len,
                int replace, int *lines, par_err *e)
{
    /* lines the reader refuses, reported as "PATH: line N: reason" */
    char *report = NULL;
    size_t rlen = 0;
    FILE *rs = open_memstream(&report, &rlen);
    table t;
    int rc = table_parse_bytes(path, bytes, len, table_cols(TABLE_SUBMISSIONS), table_required(TABLE_SUBMISSIONS),
                               &t, rs, e);
    fclose(rs);
    if (rc < 0) {
        free(report);
        return -2;
    }
    /* the lines refused here, kept with the rows until the file is done (its .err) */
    size_t nref = 0, capref = 0;
    int64_t *refline = NULL;
    const char **reftext = NULL;
    for (char *p = report, *save = NULL, *ln = strtok_r(p, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        if (strstr(ln, ": warning: ")) { /* read, not refused: said in the log */
            log_warn("event=file_warning name=%s warning=\"%s\"", name, strstr(ln, ": warning: ") + 11);
            continue;
        }
        char *at = strstr(ln, ": line ");
        char *why = at ? strchr(at + 7, ':') : NULL;
        if (nref == capref) {
            capref = capref ? capref * 2 : 64;
            refline = xrealloc(refline, capref * sizeof *refline);
            reftext = xrealloc(reftext, capref * sizeof *reftext);
        }
        refline[nref] = at ? atoll(at + 7) : 0;
        reftext[nref++] = why ? why + 2 : ln;
    }
    pv *head = pv_map();
    pv_set_str(head, "name", name);
    pv_set(head, "cols", table_cols_pv(&t));
    pv_set_int(head, "lines", t.lines);
    sbuf rows, refused;
    sbuf_init(&rows);
    sbuf_init(&refused);
    outbox_lines_pack(&rows, t.ncols, t.nrows, t.line, t.field);
    outbox_lines_pack(&refused, 1, (uint32_t)nref, refline, reftext);
    *lines = t.lines;
    table_free(&t);
    free(report);
    free(refline);
    free(reftext);
    int put = outbox_put(a->ob, key, head, &rows, &refused, replace, e);
    pv_free(head);
    sbuf_free(&rows);
    sbuf_free(&refused);
    return put;
}

/* Takes one file into the outbox, then out of the spool folder. */
static void intake(agent *a, const char *name)
{
    char path[CONF_PATH + 300];
    snprintf(path, sizeof path, "%s/%s", a->spool, name);
    struct stat st;
    if (name[0] == '.' || lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return;
    if (strlen(name) > 200) {
        reject_now(a, name, "file name longer than 200 bytes");
        return;
    }
    if (!wanted(name)) {
        reject_now(a, name, "not a CSV (.csv, .txt) or JSON Lines (.jsonl) file: unknown column format");
        return;
    }
    char *bytes;
    size_t len;
    par_err e = {{0}};
    /* bounded before it is read: a file too large is refused, not held in memory */
    int got = table_read_file(path, &bytes, &len, &e);
    if (got == -1) {
        log_error("event=read_failed name=%s error=\"%s\"", name, e.msg);
        return;
    }
    int lines = 0, put = -2;
    uint64_t key = 0;
    if (got == 0) {
        key = file_key(name, bytes, len);
        put = keep(a, key, name, path, bytes, len, 0, &lines, &e);
        free(bytes);
    }
    if (put == -2) {
        const char *why = strstr(e.msg, ": ");
        reject_now(a, name, why ? why + 2 : e.msg);
        return;
    }
    if (put < 0) {
        /* not accepted: it stays in the spool folder and is tried at the next start */
        log_error("event=outbox_failed name=%s error=\"%s\"", name, e.msg);
        return;
    }
    char held[CONF_PATH + 400];
    snprintf(held, sizeof held, "%s/%016llx-%s", a->hold, (unsigned long long)key, name);
    if (rename(path, held) < 0)
        log_error("event=move_failed from=%s error=\"%s\"", path, strerror(errno));
    log_info("event=file_accepted name=%s lines=%d outbox=%s", name, lines, put ? "new" : "already");
    a->reload = 1;
    a->next_hb = 0; /* the province sees the outbox as it is now */
}

static void settle_note(agent *a, const char *name);

static void scan(agent *a)
{
    DIR *d = opendir(a->spool);
    if (!d)
        return;
    struct dirent *de;
    pv *names = pv_arr();
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            pv_push(names, pv_str(de->d_name));
    closedir(d);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    for (uint32_t i = 0; i < names->u.a.n; i++) {
        /* one written within the settling time may still be being written */
        char path[CONF_PATH + 300];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", a->spool, names->u.a.v[i]->u.s.p);
        int64_t age_ms = lstat(path, &st) == 0 ? (int64_t)(now.tv_sec - st.st_mtim.tv_sec) * 1000 +
                                                     (now.tv_nsec - st.st_mtim.tv_nsec) / 1000000
                                               : 0;
        if (age_ms < SETTLE_MS)
            settle_note(a, names->u.a.v[i]->u.s.p);
        else
            intake(a, names->u.a.v[i]->u.s.p);
    }
    pv_free(names);
}

/* Notes a file closed after writing (or found at start): taken when it settles. */
static void settle_note(agent *a, const char *name)
{
    char path[CONF_PATH + 300];
    snprintf(path, sizeof path, "%s/%s", a->spool, name);
    struct stat st;
    if (name[0] == '.' || strlen(name) >= sizeof a->settle[0].name || lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return;
    int i = 0;
    while (i < a->nsettle && strcmp(a->settle[i].name, name))
        i++;
    if (i == a->nsettle) {
        if (a->nsettle == SETTLE_MAX) { /* a flood of writes: the oldest is taken now */
            intake(a, a->settle[0].name);
            a->settle[0] = a->settle[--a->nsettle];
            i = a->nsettle;
        }
        a->nsettle++;
        str_copy(a->settle[i].name, sizeof a->settle[i].name, name);
    }
    a->settle[i].due = clock_mono_ms() + SETTLE_MS;
    a->settle[i].size = st.st_size;
    a->settle[i].mtime = st.st_mtim;
}

/* Takes the files that have settled; returns when the next one is due (INT64_MAX). */
static int64_t settle_due(agent *a, int64_t now)
{
    int64_t next = INT64_MAX;
    for (int i = 0; i < a->nsettle;) {
        settling *s = &a->settle[i];
        if (s->due > now) {
            next = s->due < next ? s->due : next;
            i++;
            continue;
        }
        char path[CONF_PATH + 300];
        snprintf(path, sizeof path, "%s/%s", a->spool, s->name);
        struct stat st;
        if (lstat(path, &st) == 0 && (st.st_size != s->size || st.st_mtim.tv_sec != s->mtime.tv_sec ||
                                      st.st_mtim.tv_nsec != s->mtime.tv_nsec)) {
            /* still being written (a writer that closes and opens again): wait more */
            s->size = st.st_size;
            s->mtime = st.st_mtim;
            s->due = now + SETTLE_MS;
            next = s->due < next ? s->due : next;
            i++;
            continue;
        }
        char name[sizeof s->name];
        str_copy(name, sizeof name, s->name);
        *s = a->settle[--a->nsettle];
        intake(a, name); /* gone meanwhile: intake passes over it */
    }
    return next;
}

static void on_inotify(agent *a)
{
    char buf[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t n;
    while ((n = read(a->ino, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            if (ev->mask & IN_Q_OVERFLOW)
                scan(a);
            else if (ev->len && (ev->mask & IN_MOVED_TO))
                intake(a, ev->name); /* renamed in: whole already */
            else if (ev->len && (ev->mask & IN_CLOSE_WRITE))
                settle_note(a, ev->name);
            p += sizeof *ev + ev->len;
        }
    }
}

/* ---------- sending ---------- */

static int active(agent *a, uint64_t key)
{
    for (int i = 0; i < a->nfiles; i++)
        if (a->files[i].key == key)
            return 1;
    for (int i = 0; i < a->nundeleted; i++)
        if (a->undeleted[i] == key)
            return 1;
    return 0;
}

/* The deletes that failed, tried again. */
static void retry_deletes(agent *a)
{
    for (int i = a->nundeleted; i-- > 0;) {
        par_err e = {{0}};
        if (outbox_del(a->ob, a->undeleted[i], &e) == 0)
            a->undeleted[i] = a->undeleted[--a->nundeleted];
    }
}

/* An entry written by 0.3.0: rows [[line, field...]] and local [{line, reason}] in
 * its head. The rows are packed as a newer entry's are and read back the same way; a
 * row of another shape (a damaged outbox) is refused with its line, never sent as it is. */
static int old_entry(rfile *f, const pv *entry, const pv *rows, par_err *e)
{
    if (rows->t != PV_ARR) {
        err_set(e, "the entry's rows are not a list");
        return -1;
    }
    /* on failure the caller refuses the file whole, these refusals replaced */
    const pv *local = pv_get(entry, "local");
    for (uint32_t k = 0; local && local->t == PV_ARR && k < local->u.a.n; k++) {
        const char *why = pv_get_str(local->u.a.v[k], "reason");
        add_refusal(f->refused, pv_get_int(local->u.a.v[k], "line", 0), why ? why : "refused");
    }
    uint32_t ncols = f->all.ncols, nrows = rows->u.a.n, n = 0, unreadable = 0;
    int64_t *line = xmalloc(((size_t)nrows + 1) * sizeof *line);
    const char **field = xmalloc(((size_t)nrows * ncols + 1) * sizeof *field);
    int rc = 0;
    for (uint32_t k = 0; k < nrows; k++) {
        const pv *r = rows->u.a.v[k];
        if (r->t != PV_ARR || !r->u.a.n || r->u.a.v[0]->t != PV_INT) { /* a row that cannot be named */
            err_set(e, "the entry's row %u has no line number", k);
            rc = -1;
            goto done;
        }
        int ok = r->u.a.n == ncols + 1;
        for (uint32_t c = 0; ok && c < ncols; c++) /* a NUL inside would be sent cut short */
            ok = r->u.a.v[1 + c]->t == PV_STR && strlen(r->u.a.v[1 + c]->u.s.p) == r->u.a.v[1 + c]->u.s.n;
        if (!ok) {
            add_refusal(f->refused, r->u.a.v[0]->u.i, ROW_UNREADABLE);
            unreadable++;
            continue;
        }
        line[n] = r->u.a.v[0]->u.i;
        for (uint32_t c = 0; c < ncols; c++)
            field[(size_t)n * ncols + c] = r->u.a.v[1 + c]->u.s.p;
        n++;
    }
    if (unreadable)
        log_error("event=outbox_rows_unreadable name=%s rows=%u", f->name, unreadable);
    sbuf b;
    sbuf_init(&b);
    outbox_lines_pack(&b, ncols, n, line, field);
    rc = outbox_lines_read(&f->rows, b.buf, b.len, ncols, e) < 0 ? -1 : 1;
    sbuf_free(&b);
done:
    free(line);
    free(field);
    return rc;
}

/* An entry whose head cannot be read back (0.3.0 kept a file's rows in it, and one over
 * the protocol's limits never left the outbox): the file is taken again from the copy
 * held beside the outbox, when it is the same file, and its entry written over in the
 * form of this version; else it is refused whole, its entry let go, so that dropping the
 * file again is taken. */
static void recover(agent *a, uint64_t key)
{
    char prefix[24], name[256] = "", path[CONF_PATH + 600] = "";
    snprintf(prefix, sizeof prefix, "%016llx-", (unsigned long long)key);
    DIR *d = opendir(a->hold);
    if (!d) { /* not "no copy": tried again at the next look */
        log_error("event=read_failed name=%s error=\"%s\"", a->hold, strerror(errno));
        return;
    }
    errno = 0;
    for (struct dirent *de; (de = readdir(d));)
        if (!strncmp(de->d_name, prefix, 17) && de->d_name[17]) {
            str_copy(name, sizeof name, de->d_name + 17);
            snprintf(path, sizeof path, "%s/%s", a->hold, de->d_name);
            break;
        }
    int listed = errno == 0 || name[0];
    closedir(d);
    if (!listed) {
        log_error("event=read_failed name=%s error=\"%s\"", a->hold, strerror(errno));
        return;
    }
    par_err e = {{0}};
    char *bytes = NULL;
    size_t len = 0;
    int lines = 0, put = -2, got = 0;
    const char *why = UNREADABLE;
    if (!name[0]) {
        err_set(&e, "no copy of the file is held in %s", a->hold);
    } else if ((got = table_read_file(path, &bytes, &len, &e)) == -1) {
        log_error("event=read_failed name=%s error=\"%s\"", path, e.msg); /* tried again at the next look */
        return;
    } else if (got == 0 && file_key(name, bytes, len) != key) {
        err_set(&e, "the copy held is not the file the outbox took");
    } else if (got == -2 || (put = keep(a, key, name, path, bytes, len, 1, &lines, &e)) == -2) {
        /* this version's reader refuses it: its reason, as a new drop would get */
        why = strstr(e.msg, ": ") ? strstr(e.msg, ": ") + 2 : e.msg;
    }
    free(bytes);
    if (put >= 0) {
        log_info("event=outbox_recovered name=%s lines=%d", name, lines);
        a->reload = 1;
        return;
    }
    if (put == -1) { /* the outbox failed: tried again at the next look */
        log_error("event=outbox_failed name=%s error=\"%s\"", name, e.msg);
        return;
    }
    log_error("event=outbox_unreadable key=%016llx name=%s error=\"%s\"", (unsigned long long)key, name, e.msg);
    /* the entry goes once the copy is filed (or when there is none): never a held file
     * that no entry names */
    if (name[0] && reject_file(a, path, name, why) < 0)
        return;
    if (outbox_del(a->ob, key, &e) < 0)
        log_error("event=outbox_failed error=\"%s\"", e.msg);
    else
        a->reload = 1; /* the next entries of the list */
}

static void finalize(agent *a, int idx);

static void load_files(agent *a)
{
    /* when the outbox changed, and once a minute: reading its heads at every turn of the
     * loop is work for nothing while a file's hundred batches go out */
    if (!a->reload || a->nfiles == FILES_IN_FLIGHT)
        return;
    a->reload = 0;
    par_err e;
    pv *list = outbox_list(a->ob, FILES_IN_FLIGHT * 2, &e);
    if (!list) { /* read again at the next change, or within the minute */
        log_warn("event=outbox_list_failed error=\"%s\"", e.msg);
        return;
    }
    for (uint32_t i = 0; i < list->u.a.n && a->nfiles < FILES_IN_FLIGHT; i++) {
        uint64_t key = (uint64_t)pv_get_int(list->u.a.v[i], "key", 0);
        if (active(a, key))
            continue;
        if (pv_get_bool(list->u.a.v[i], "unreadable", 0)) {
            recover(a, key);
            continue;
        }
        /* the file takes the list's item: its column names are what all points into */
        pv *item = list->u.a.v[i];
        list->u.a.v[i] = pv_nil();
        const pv *entry = pv_get(item, "entry"), *rows = pv_get(entry, "rows"), *cols = pv_get(entry, "cols");
        rfile *f = &a->files[a->nfiles++];
        memset(f, 0, sizeof *f);
        f->key = key;
        f->entry = item;
        str_copy(f->name, sizeof f->name, pv_get_str(entry, "name") ? pv_get_str(entry, "name") : "file");
        char held[sizeof f->held];
        snprintf(held, sizeof held, "%s/%016llx-%s", a->hold, (unsigned long long)key, f->name);
        memcpy(f->held, held, sizeof held);
        f->lines = (int)pv_get_int(entry, "lines", 0);
        f->refused = pv_arr();
        submit_view *all = &f->all;
        char clean[SUBMIT_MAX_FILE + 1];
        f->sent_name = xstrdup(str_clean_utf8(clean, sizeof clean, f->name));
        batch_head(all, f->sent_name, a->conf->agent_unit);
        for (uint32_t c = 0; cols && cols->t == PV_ARR && c < cols->u.a.n && c < SUBMIT_MAX_COLS; c++)
            if (cols->u.a.v[c]->t == PV_STR)
                all->cols[all->ncols++] = cols->u.a.v[c]->u.s.p;
        par_err le = {{0}};
        int got;
        if (rows) { /* written by 0.3.0: the rows and refusals in the head */
            got = old_entry(f, entry, rows, &le);
            pv_set((pv *)entry, "rows", pv_nil()); /* repacked into f->rows: not held twice */
        } else {
            /* intake writes both, empty or not: one missing is a damaged outbox */
            outbox_lines local;
            got = outbox_lines_get(a->ob, key, 0, all->ncols, &f->rows, &le);
            if (got > 0 && (got = outbox_lines_get(a->ob, key, 1, 1, &local, &le)) > 0) {
                for (uint32_t k = 0; k < local.n; k++)
                    add_refusal(f->refused, local.line[k], local.text[k]);
                outbox_lines_free(&local);
            }
            if (got == 0) {
                err_set(&le, "the entry's %s are missing", f->rows.bytes ? "refused lines" : "rows");
                got = -1;
            }
        }
        if (got < 0) {
            /* the file is refused whole, saying to drop it again: never sent as it is,
             * never left waiting unseen */
            log_error("event=outbox_unreadable name=%s error=\"%s\"", f->name, le.msg);
            outbox_lines_free(&f->rows);
            pv_free(f->refused); /* the whole file, alone: its counts say so */
            f->refused = pv_arr();
            add_refusal(f->refused, 0, UNREADABLE);
        }
        all->nrows = f->rows.n;
        all->lines = f->rows.line;
        all->fields = f->rows.text;
        batch_cut(all, (uint32_t)a->conf->batch_lines, a->cl, 0, &f->bs, &f->nb, &f->cap);
        f->left = (int)f->nb;
    }
    pv_free(list);
    /* a file with nothing to send (every line refused here, or its copy unreadable) is
     * filed now, the link up or not */
    for (int i = a->nfiles; i-- > 0;)
        if (a->files[i].left == 0)
            finalize(a, i);
}

static void free_file(rfile *f)
{
    batch_free_all(f->bs, f->nb);
    outbox_lines_free(&f->rows);
    free(f->sent_name);
    pv_free(f->entry);
    pv_free(f->refused);
}

static void finalize(agent *a, int idx)
{
    rfile *f = &a->files[idx];
    par_err e = {{0}};
    if (f->refused->u.a.n > 1) /* an empty list has no array: no qsort on NULL */
        qsort(f->refused->u.a.v, f->refused->u.a.n, sizeof(pv *), by_line);
    /* a file with a line stored is filed under done/ (sending all of it again is not
     * what it needs); its refused lines alone go to rejected/ with the .err */
    int partly = f->refused->u.a.n && f->stored > 0;
    const char *dir = f->refused->u.a.n && !partly ? a->rejected : a->done;
    char to[CONF_PATH + 400] = "(filed before)", fix[CONF_PATH + 600] = "";
    /* the held copy gone: a crash came after it was filed and before its entry went; its
     * lines went again (answered as already stored), and it is not filed a second time */
    int held = access(f->held, F_OK) == 0;
    if (held) {
        free_name(dir, f->name, to, sizeof to);
        if (f->refused->u.a.n && !partly)
            write_err(a, strrchr(to, '/') + 1, f->refused, f->lines, f->stored, NULL);
        if (rename(f->held, to) < 0)
            log_error("event=move_failed from=%s error=\"%s\"", f->held, strerror(errno));
    }
    if (held && partly) {
        char name[300];
        snprintf(name, sizeof name, "%.*s-refused.csv", name_stem(f->name), f->name);
        free_name(a->rejected, name, fix, sizeof fix);
        if (write_refused_csv(f, to, fix) < 0)
            log_error("event=refused_csv_failed path=%s error=\"%s\"", fix, strerror(errno));
        write_err(a, strrchr(fix, '/') + 1, f->refused, f->lines, f->stored, f->name);
    }
    /* the file is where it belongs before its entry goes (the other order could leave a
     * held file that no entry names); a failed delete is remembered, so that the file is
     * not sent and filed again, and retried once a minute (after a restart, the entry's
     * lines go again and are answered as already stored) */
    int gone = outbox_del(a->ob, f->key, &e) == 0;
    if (!gone) {
        log_error("event=outbox_failed error=\"%s\"", e.msg);
        if (a->nundeleted < (int)(sizeof a->undeleted / sizeof a->undeleted[0]))
            a->undeleted[a->nundeleted++] = f->key;
    }
    if (f->nb) /* something was answered: not a file filed with the link down */
        clock_format(clock_now_ms(a->clk), a->last_success);
    log_info("event=file_done name=%s lines=%d stored=%d refused=%u to=%s%s%s", f->name, f->lines, f->stored,
             f->refused->u.a.n, to, *fix ? " refused_lines=" : "", fix);
    free_file(f);
    a->files[idx] = a->files[--a->nfiles];
    if (gone)
        a->reload = 1; /* a slot for the next file waiting */
    a->next_hb = 0; /* the province sees the outbox as it is now, not as it was */
    write_state(a);
}

static void backoff(agent *a, batch *b, int64_t now)
{
    /* exponential, with jitter so that many districts do not come back at once */
    int wait = a->backoff_ms / 2 + rand() % (a->backoff_ms / 2 + 1);
    b->next_send = now + wait;
    a->backoff_ms = a->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : a->backoff_ms * 2;
}

static int64_t send_due(agent *a, int64_t now)
{
    int64_t wake = now + 1000;
    int flying = 0;
    for (int i = 0; i < a->nfiles; i++)
        for (uint32_t b = 0; b < a->files[i].nb; b++)
            flying += a->files[i].bs[b].in_flight && !a->files[i].bs[b].done;
    par_err e;
    for (int i = 0; i < a->nfiles; i++) {
        rfile *f = &a->files[i];
        for (uint32_t b = 0; b < f->nb; b++) {
            batch *rb = &f->bs[b];
            if (rb->done)
                continue;
            if (rb->next_send <= now && now >= a->pause_until && (rb->in_flight || flying < BATCHES_IN_FLIGHT)) {
                if (rb->in_flight) /* sent, and no answer within RESEND_MS */
                    no_answer(a);
                int s = batch_send(rb, a->cl, &e);
                if (s == 1) {
                    a->unconnected_mono = 0;
                    if (!rb->in_flight)
                        flying++;
                    rb->in_flight = 1;
                    rb->next_send = now + RESEND_MS;
                } else {
                    /* no connection: everything waits */
                    no_connection(a);
                    int wait = a->backoff_ms / 2 + rand() % (a->backoff_ms / 2 + 1);
                    a->pause_until = now + wait;
                    a->backoff_ms = a->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : a->backoff_ms * 2;
                }
            }
            int64_t t = rb->next_send > a->pause_until ? rb->next_send : a->pause_until;
            if ((rb->in_flight || flying < BATCHES_IN_FLIGHT) && t < wake)
                wake = t;
        }
    }
    return wake;
}

static void on_reply(agent *a)
{
    pv *m;
    par_err e;
    int64_t now = clock_mono_ms();
    while (client_recv(a->cl, 0, &m, &e) != 0) {
        if (!m)
            continue;
        a->heard_mono = now;
        a->hb_sent_mono = 0;
        link_set(a, 1, NULL);
        int64_t id = pv_get_int(m, "id", -1);
        if (id == a->hb_id && !strcmp(proto_type(m), MSG_ERROR)) {
            /* the province does not take this agent's heartbeats (its unit is not the key's,
             * say): nothing else would tell the technician */
            const char *why = pv_get_str(m, "message") ? pv_get_str(m, "message") : "refused";
            if (strcmp(why, a->hb_refused)) {
                log_warn("event=heartbeat_refused reason=\"%s\"", why);
                str_copy(a->hb_refused, sizeof a->hb_refused, why);
                snprintf(a->last_error, sizeof a->last_error, "the province refused this agent's heartbeat: %s", why);
                write_state(a);
            }
        } else if (id == a->hb_id) {
            a->hb_refused[0] = '\0';
        }
        for (int i = 0; i < a->nfiles; i++) {
            rfile *f = &a->files[i];
            for (uint32_t b = 0; b < f->nb; b++) {
                batch *rb = &f->bs[b];
                if (rb->v.id != id || rb->done)
                    continue;
                if (!strcmp(proto_type(m), MSG_ACK) && !receipts_agree(&rb->v, m)) {
                    receipts_disagree(stderr, f->name, &rb->v);
                    backoff(a, rb, now);
                    rb->in_flight = 0;
                    snprintf(a->last_error, sizeof a->last_error,
                             "the province's answer to %s did not match the lines sent; sent again later", f->name);
                    write_state(a);
                } else if (!strcmp(proto_type(m), MSG_ACK)) {
                    receipts_add(a->receipts, f->name, &rb->v, m);
                    receipts_each(&rb->v, m, count_line, f);
                    batch_done(rb);
                    f->left--;
                    a->backoff_ms = BACKOFF_MIN_MS;
                } else if (!strcmp(proto_type(m), MSG_ERROR)) {
                    const char *code = pv_get_str(m, "code"), *text = pv_get_str(m, "message");
                    if (code && (!strcmp(code, "unavailable") || !strcmp(code, "storage"))) {
                        backoff(a, rb, now);
                        rb->in_flight = 0; /* answered: its retry is not a silence on the link */
                        snprintf(a->last_error, sizeof a->last_error, "the province answered: %s (%s); sent again later",
                                 text ? text : "", code);
                        write_state(a);
                    } else {
                        for (uint32_t k = 0; k < rb->v.nrows; k++)
                            add_refusal(f->refused, rb->v.lines[k], text ? text : "refused");
                        batch_done(rb);
                        f->left--;
                    }
                }
            }
        }
        pv_free(m);
    }
    for (int i = a->nfiles; i-- > 0;)
        if (a->files[i].left == 0)
            finalize(a, i);
}

/* ---------- heartbeat and exporter ---------- */

/* 1 sent, 0 not (no connection yet). */
static int heartbeat(agent *a)
{
    pv *q = proto_msg(MSG_QUERY), *args = pv_map();
    char depth[32], host[64] = "agent";
    gethostname(host, sizeof host - 1);
    int64_t n = outbox_depth(a->ob);
    if (n < 0) /* not a count: parctl status shows it as the word */
        snprintf(depth, sizeof depth, "unreadable");
    else
        snprintf(depth, sizeof depth, "%lld", (long long)n);
    a->hb_id = client_next_id(a->cl);
    pv_set_int(q, "id", a->hb_id);
    pv_set_str(q, "q", "agent");
    pv_set_str(args, "unit", a->conf->agent_unit[0] ? a->conf->agent_unit : host);
    pv_set_str(args, "version", PAR_VERSION);
    pv_set_str(args, "outbox", depth);
    pv_set_str(args, "last_success", a->last_success[0] ? a->last_success : "-");
    pv_set(q, "args", args);
    par_err e;
    int sent = client_send(a->cl, "broker", q, &e) == 1;
    if (sent) {
        a->unconnected_mono = 0;
        if (!a->hb_sent_mono)
            a->hb_sent_mono = clock_mono_ms();
    } else {
        no_connection(a);
    }
    pv_free(q);
    return sent;
}

/* Runs the exporter; its output becomes a file of the spool folder (by rename). */
static void run_exporter(agent *a)
{
    char stamp[40], tmp[CONF_PATH + 64], final[CONF_PATH + 64];
    clock_format(clock_now_ms(a->clk), stamp);
    for (char *p = stamp; *p; p++)
        if (*p == ':' || *p == '+' || *p == '.')
            *p = '-';
    snprintf(tmp, sizeof tmp, "%s/.export-%s.tmp", a->spool, stamp);
    snprintf(final, sizeof final, "%s/export-%s.csv", a->spool, stamp);
    FILE *in = popen(a->conf->exporter, "r"), *out = in ? fopen(tmp, "w") : NULL;
    size_t total = 0;
    if (in && out) {
        char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, in)) > 0)
            total += fwrite(buf, 1, n, out);
    }
    int status = in ? pclose(in) : -1;
    if (out)
        fclose(out);
    if (status != 0 || !out) {
        log_error("event=exporter_failed command=\"%s\" status=%d", a->conf->exporter, status);
        unlink(tmp);
        return;
    }
    if (rename(tmp, final) < 0)
        log_error("event=move_failed from=%s error=\"%s\"", tmp, strerror(errno));
    log_info("event=exported bytes=%zu file=%s", total, final);
}

int run_agent(par_config *conf, par_clock *clk)
{
    agent a;
    memset(&a, 0, sizeof a);
    a.conf = conf;
    a.clk = clk;
    a.ino = a.sfd = -1;
    a.backoff_ms = BACKOFF_MIN_MS;
    a.link = -1;
    snprintf(a.state_path, sizeof a.state_path, "%s/agent/state.json", conf->data_dir);
    srand((unsigned)getpid() ^ (unsigned)clock_mono_ms());
    par_err e = {{0}};
    int rc = 1;
    char dir[CONF_PATH + 32];
    str_copy(a.spool, sizeof a.spool, conf->spool_dir);
    snprintf(a.hold, sizeof a.hold, "%s/.outbox", a.spool);
    snprintf(a.done, sizeof a.done, "%s/done", a.spool);
    snprintf(a.rejected, sizeof a.rejected, "%s/rejected", a.spool);
    snprintf(dir, sizeof dir, "%s/agent/outbox", conf->data_dir);
    if (dir_make(a.spool, &e) < 0 || dir_make(a.hold, &e) < 0 || dir_make(a.done, &e) < 0 ||
        dir_make(a.rejected, &e) < 0)
        goto fail;
    if ((a.sfd = daemon_signalfd()) < 0) {
        err_set(&e, "cannot set up signals");
        goto fail;
    }
    if (outbox_open(&a.ob, dir, &e) < 0)
        goto fail;
    if (!(a.receipts = receipts_open(conf, a.receipts_path, sizeof a.receipts_path, &e)))
        goto fail;
    if (!(a.cl = client_new(conf, &e)))
        goto fail;
    a.ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (a.ino < 0 || inotify_add_watch(a.ino, a.spool, IN_MOVED_TO | IN_CLOSE_WRITE | IN_Q_OVERFLOW) < 0) {
        err_set(&e, "cannot watch %s: %s", a.spool, strerror(errno));
        goto fail;
    }
    log_info("event=started spool=%s outbox=%lld endpoint=%s", a.spool, (long long)outbox_depth(a.ob),
             conf->endpoint);
    write_state(&a);
    a.reload = 1; /* what the outbox holds from before */
    scan(&a); /* what arrived while the agent was not running */
    evspool_init(&a.ev, conf);
    /* the exporter runs at start (what was missed while down), then on its schedule */
    a.next_export = conf->exporter[0] ? clock_mono_ms() : INT64_MAX;
    for (;;) {
        int64_t now = clock_mono_ms();
        load_files(&a);
        int64_t wake = send_due(&a, now);
        if (a.hb_sent_mono && now - a.hb_sent_mono > RESEND_MS) {
            no_answer(&a);
            a.hb_sent_mono = 0;
        }
        if (now >= a.next_hb) /* not connected yet: tried again in a second */
            a.next_hb = now + (heartbeat(&a) ? (int64_t)conf->agent_heartbeat_s * 1000 : 1000);
        if (now >= a.next_look) { /* what could not be read or deleted then (the disk
                                   * refused) is tried again, not only when the outbox changes */
            retry_deletes(&a);
            a.reload = 1;
            a.next_look = now + LOOK_MS;
        }
        if (now >= a.next_export) {
            run_exporter(&a);
            a.next_export = now + (int64_t)conf->export_every_s * 1000;
        }
        int64_t settled = settle_due(&a, now), ev = evspool_tick(&a.ev, now);
        if (settled < wake)
            wake = settled;
        if (ev < wake)
            wake = ev;
        if (a.next_hb < wake)
            wake = a.next_hb;
        if (a.next_export < wake)
            wake = a.next_export;
        fflush(a.receipts);
        zmq_pollitem_t items[] = {{client_socket(a.cl), 0, ZMQ_POLLIN, 0},
                                  {NULL, a.ino, ZMQ_POLLIN, 0},
                                  {NULL, a.sfd, ZMQ_POLLIN, 0}};
        int64_t wait = wake - clock_mono_ms();
        if (zmq_poll(items, 3, wait < 0 ? 0 : wait > 1000 ? 1000 : (long)wait) < 0 && zmq_errno() != EINTR) {
            err_set(&e, "poll: %s", zmq_strerror(zmq_errno()));
            goto fail;
        }
        if (daemon_stopping(&items[2], a.sfd, conf))
            break;
        if (items[1].revents & ZMQ_POLLIN)
            on_inotify(&a);
        if (items[0].revents & ZMQ_POLLIN)
            on_reply(&a);
        par_err why;
        if (client_refused(a.cl, &why)) {
            /* retrying cannot help until the province registers the key: say it and stop */
            err_set(&e, "%s", why.msg);
            goto fail;
        }
    }
    rc = 0;
fail:
    if (rc)
        fprintf(stderr, "par-agent: %s\n", e.msg);
    evspool_stop(&a.ev);
    for (int i = 0; i < a.nfiles; i++)
        free_file(&a.files[i]);
    if (a.receipts) {
        fflush(a.receipts);
        fsync(fileno(a.receipts));
        fclose(a.receipts);
    }
    client_destroy(a.cl);
    outbox_close(a.ob);
    if (a.ino >= 0)
        close(a.ino);
    if (a.sfd >= 0)
        close(a.sfd);
    return rc;
}
