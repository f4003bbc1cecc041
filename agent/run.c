#include "run.h"
#include "outbox.h"
#include "receipts.h"
#include "../common/client.h"
#include "../proto/submit.h"
#include "../common/daemon.h"
#include "../common/log.h"
#include "../common/table.h"
#include "../common/version.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#define FILES_IN_FLIGHT 16
#define BATCHES_IN_FLIGHT 16
#define RESEND_MS 5000
#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 60000

typedef struct {
    int64_t id;
    pv *msg;
    int64_t next_send;
    int in_flight, done, lines;
} rbatch;

typedef struct {
    uint64_t key;
    char name[256], held[CONF_PATH + 300];
    rbatch *bs;
    int nb, left, lines, stored;
    pv *refused; /* [{line, reason}] */
} rfile;

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
    int backoff_ms;
    int64_t next_hb, next_export, pause_until;
    char last_success[40];
} agent;

/* ---------- refusals, in both languages ---------- */

static const struct {
    const char *en, *vi;
} glossary[] = {
    /* the more specific first: the first that matches is used */
    {"not a CSV", "không phải tệp CSV (.csv) hoặc JSON Lines (.jsonl)"},
    {"fields where the header has", "số cột không khớp với dòng tiêu đề"},
    {"unknown column", "cột không hợp lệ"},
    {"unknown unit", "đơn vị không có trong danh mục"},
    {"unknown criterion", "tiêu chí không có trong bộ tiêu chí"},
    {"is not a leaf", "không phải tiêu chí thành phần cuối cùng"},
    {"is not a number", "giá trị không phải là số"},
    {"is negative", "giá trị âm"},
    {"above the maximum", "vượt quá điểm tối đa"},
    {"period", "kỳ báo cáo không hợp lệ"},
    {"date", "ngày không hợp lệ"},
    {"unknown kind", "loại dữ liệu không hợp lệ"},
    {"missing", "thiếu thông tin bắt buộc"},
    {"year", "năm không hợp lệ"},
    {"unknown task", "nhiệm vụ không có trong kế hoạch"},
    {"not assigned to unit", "nhiệm vụ không giao cho đơn vị này"},
    {"method", "phương pháp chấm của tiêu chí không cho phép loại dữ liệu này"},
    {"survey value", "kết quả điều tra không hợp lệ"},
    {"neither done nor a percent", "tiến độ phải là done hoặc tỷ lệ phần trăm"},
    {"not a JSON object", "không phải một đối tượng JSON"},
    {"unknown field", "trường dữ liệu không hợp lệ"},
    {"not valid UTF-8", "không phải văn bản UTF-8 hợp lệ"},
    {"quote", "dấu ngoặc kép không hợp lệ"},
    {"exists in", "mã tiêu chí trùng giữa các chỉ số: ghi rõ CHỈ_SỐ:mã"},
};

static const char *vi_of(const char *reason)
{
    for (size_t i = 0; i < sizeof glossary / sizeof glossary[0]; i++)
        if (strstr(reason, glossary[i].en))
            return glossary[i].vi;
    return "dòng bị từ chối";
}

static void add_refusal(pv *list, int64_t line, const char *reason)
{
    pv *r = pv_map();
    pv_set_int(r, "line", line);
    pv_set_str(r, "reason", reason);
    pv_push(list, r);
}

static int by_line(const void *a, const void *b)
{
    int64_t x = pv_get_int(*(pv *const *)a, "line", 0), y = pv_get_int(*(pv *const *)b, "line", 0);
    return x < y ? -1 : x > y;
}

/* Writes DEST.err beside a rejected file (through a temporary name). */
static void write_err(agent *a, const char *name, const pv *refused, int lines, int stored)
{
    char tmp[CONF_PATH + 600], path[CONF_PATH + 600];
    snprintf(path, sizeof path, "%s/%s.err", a->rejected, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.err.tmp", a->rejected, name);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        log_error("event=err_file_failed path=%s error=\"%s\"", path, strerror(errno));
        return;
    }
    fprintf(f, "Tệp: %s / File: %s\n", name, name);
    fprintf(f, "Số dòng: %d; đã lưu: %d; bị từ chối: %u / Lines: %d; stored: %d; refused: %u\n\n", lines, stored,
            refused->u.a.n, lines, stored, refused->u.a.n);
    for (uint32_t i = 0; i < refused->u.a.n; i++) {
        const pv *r = refused->u.a.v[i];
        const char *why = pv_get_str(r, "reason");
        long long line = (long long)pv_get_int(r, "line", 0);
        if (line > 0)
            fprintf(f, "dòng %lld: %s | line %lld: %s\n", line, vi_of(why ? why : ""), line, why ? why : "");
        else
            fprintf(f, "toàn tệp: %s | whole file: %s\n", vi_of(why ? why : ""), why ? why : "");
    }
    fclose(f);
    rename(tmp, path);
}

/* A free name in dir: NAME, else NAME.1, NAME.2, ... */
static void free_name(const char *dir, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", dir, name);
    for (int i = 1; access(out, F_OK) == 0 && i < 100000; i++)
        snprintf(out, n, "%s/%s.%d", dir, name, i);
}

/* A file refused before it reached the outbox (not a submissions file at all). */
static void reject_now(agent *a, const char *name, const char *reason)
{
    char from[CONF_PATH + 300], to[CONF_PATH + 400];
    snprintf(from, sizeof from, "%s/%s", a->spool, name);
    free_name(a->rejected, name, to, sizeof to);
    pv *list = pv_arr();
    add_refusal(list, 0, reason);
    const char *base = strrchr(to, '/') + 1;
    write_err(a, base, list, 0, 0);
    pv_free(list);
    if (rename(from, to) < 0)
        log_error("event=move_failed from=%s error=\"%s\"", from, strerror(errno));
    log_warn("event=file_rejected name=%s reason=\"%s\"", name, reason);
}

/* ---------- the spool folder ---------- */

static int wanted(const char *name)
{
    size_t l = strlen(name);
    return name[0] != '.' && ((l > 4 && !strcmp(name + l - 4, ".csv")) || (l > 6 && !strcmp(name + l - 6, ".jsonl")) ||
                              (l > 7 && !strcmp(name + l - 7, ".ndjson")));
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
        reject_now(a, name, "not a CSV (.csv) or JSON Lines (.jsonl) file: unknown column format");
        return;
    }
    char *bytes;
    size_t len;
    par_err e = {{0}};
    if (file_read(path, &bytes, &len, &e) < 0) {
        log_error("event=read_failed name=%s error=\"%s\"", name, e.msg);
        return;
    }
    uint64_t key = outbox_hash(name, strlen(name) + 1) ^ outbox_hash(bytes, len) * 31;
    free(bytes);
    /* lines the reader refuses, reported as "PATH: line N: reason" */
    char *report = NULL;
    size_t rlen = 0;
    FILE *rs = open_memstream(&report, &rlen);
    table t;
    int rc = table_load_file(path, table_cols(TABLE_SUBMISSIONS), table_required(TABLE_SUBMISSIONS), &t, rs, &e);
    fclose(rs);
    if (rc < 0) {
        free(report);
        const char *why = strstr(e.msg, ": ");
        reject_now(a, name, why ? why + 2 : e.msg);
        return;
    }
    pv *local = pv_arr();
    for (char *p = report, *save = NULL, *ln = strtok_r(p, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        char *at = strstr(ln, ": line ");
        long long line = 0;
        char *why = at ? strchr(at + 7, ':') : NULL;
        if (at)
            line = atoll(at + 7);
        add_refusal(local, line, why ? why + 2 : ln);
    }
    free(report);
    pv *entry = pv_map();
    pv_set_str(entry, "name", name);
    pv_set(entry, "cols", t.cols);
    pv_set(entry, "rows", t.rows);
    pv_set_int(entry, "lines", t.lines);
    pv_set(entry, "local", local);
    t.cols = t.rows = NULL;
    int put = outbox_put(a->ob, key, entry, &e);
    pv_free(entry);
    if (put < 0) {
        /* not accepted: it stays in the spool folder and is tried at the next start */
        log_error("event=outbox_failed name=%s error=\"%s\"", name, e.msg);
        return;
    }
    char held[CONF_PATH + 400];
    snprintf(held, sizeof held, "%s/%016llx-%s", a->hold, (unsigned long long)key, name);
    if (rename(path, held) < 0)
        log_error("event=move_failed from=%s error=\"%s\"", path, strerror(errno));
    log_info("event=file_accepted name=%s lines=%d outbox=%s", name, t.lines, put ? "new" : "already");
}

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
    for (uint32_t i = 0; i < names->u.a.n; i++)
        intake(a, names->u.a.v[i]->u.s.p);
    pv_free(names);
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
                intake(a, ev->name);
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
    return 0;
}

static void load_files(agent *a)
{
    if (a->nfiles == FILES_IN_FLIGHT)
        return;
    pv *list = outbox_list(a->ob, FILES_IN_FLIGHT * 2);
    for (uint32_t i = 0; i < list->u.a.n && a->nfiles < FILES_IN_FLIGHT; i++) {
        uint64_t key = (uint64_t)pv_get_int(list->u.a.v[i], "key", 0);
        if (active(a, key))
            continue;
        const pv *entry = pv_get(list->u.a.v[i], "entry"), *rows = pv_get(entry, "rows");
        rfile *f = &a->files[a->nfiles++];
        memset(f, 0, sizeof *f);
        f->key = key;
        str_copy(f->name, sizeof f->name, pv_get_str(entry, "name") ? pv_get_str(entry, "name") : "file");
        char held[sizeof f->held];
        snprintf(held, sizeof held, "%s/%016llx-%s", a->hold, (unsigned long long)key, f->name);
        memcpy(f->held, held, sizeof held);
        f->lines = (int)pv_get_int(entry, "lines", 0);
        f->refused = pv_copy(pv_get(entry, "local"));
        int per = a->conf->batch_lines;
        f->nb = rows ? (int)((rows->u.a.n + (uint32_t)per - 1) / (uint32_t)per) : 0;
        f->bs = xcalloc((size_t)f->nb + 1, sizeof *f->bs);
        for (int b = 0; b < f->nb; b++) {
            rbatch *rb = &f->bs[b];
            rb->id = client_next_id(a->cl);
            rb->msg = proto_msg(MSG_SUBMIT);
            pv_set_int(rb->msg, "id", rb->id);
            receipts_ask_compact(rb->msg);
            char name[SUBMIT_MAX_FILE + 1];
            pv_set_str(rb->msg, "file", str_clean_utf8(name, sizeof name, f->name));
            pv_set(rb->msg, "cols", pv_copy(pv_get(entry, "cols")));
            pv *r = pv_arr();
            for (uint32_t k = (uint32_t)(b * per); k < rows->u.a.n && k < (uint32_t)((b + 1) * per); k++)
                pv_push(r, pv_copy(rows->u.a.v[k]));
            rb->lines = (int)r->u.a.n;
            pv_set(rb->msg, "rows", r);
        }
        f->left = f->nb;
    }
    pv_free(list);
}

static void free_file(rfile *f)
{
    for (int b = 0; b < f->nb; b++)
        pv_free(f->bs[b].msg);
    free(f->bs);
    pv_free(f->refused);
}

static void finalize(agent *a, int idx)
{
    rfile *f = &a->files[idx];
    par_err e = {{0}};
    if (f->refused->u.a.n > 1) /* an empty list has no array: no qsort on NULL */
        qsort(f->refused->u.a.v, f->refused->u.a.n, sizeof(pv *), by_line);
    const char *dir = f->refused->u.a.n ? a->rejected : a->done;
    char to[CONF_PATH + 400];
    free_name(dir, f->name, to, sizeof to);
    if (f->refused->u.a.n)
        write_err(a, strrchr(to, '/') + 1, f->refused, f->lines, f->stored);
    if (rename(f->held, to) < 0 && errno != ENOENT)
        log_error("event=move_failed from=%s error=\"%s\"", f->held, strerror(errno));
    /* the file is where it belongs before its entry goes: a crash here repeats the move, not the send */
    if (outbox_del(a->ob, f->key, &e) < 0)
        log_error("event=outbox_failed error=\"%s\"", e.msg);
    clock_format(clock_now_ms(a->clk), a->last_success);
    log_info("event=file_done name=%s lines=%d stored=%d refused=%u to=%s", f->name, f->lines, f->stored,
             f->refused->u.a.n, to);
    free_file(f);
    a->files[idx] = a->files[--a->nfiles];
}

static void backoff(agent *a, rbatch *b, int64_t now)
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
        for (int b = 0; b < a->files[i].nb; b++)
            flying += a->files[i].bs[b].in_flight && !a->files[i].bs[b].done;
    par_err e;
    for (int i = 0; i < a->nfiles; i++) {
        rfile *f = &a->files[i];
        for (int b = 0; b < f->nb; b++) {
            rbatch *rb = &f->bs[b];
            if (rb->done)
                continue;
            if (rb->next_send <= now && now >= a->pause_until && (rb->in_flight || flying < BATCHES_IN_FLIGHT)) {
                int s = client_send(a->cl, "collector", rb->msg, &e);
                if (s == 1) {
                    if (!rb->in_flight)
                        flying++;
                    rb->in_flight = 1;
                    rb->next_send = now + RESEND_MS;
                } else {
                    /* no connection: everything waits */
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
        int64_t id = pv_get_int(m, "id", -1);
        for (int i = 0; i < a->nfiles; i++) {
            rfile *f = &a->files[i];
            for (int b = 0; b < f->nb; b++) {
                rbatch *rb = &f->bs[b];
                if (rb->id != id || rb->done)
                    continue;
                if (!strcmp(proto_type(m), MSG_ACK)) {
                    receipts_expand(rb->msg, m);
                    receipts_add(a->receipts, f->name, rb->msg, m);
                    const pv *res = pv_get(m, "results");
                    for (uint32_t k = 0; res && k < res->u.a.n; k++) {
                        const pv *r = res->u.a.v[k];
                        if (pv_get_bool(r, "ok", 0))
                            f->stored++;
                        else
                            add_refusal(f->refused, pv_get_int(r, "line", 0),
                                        pv_get_str(r, "reason") ? pv_get_str(r, "reason") : "refused");
                    }
                    rb->done = 1;
                    f->left--;
                    a->backoff_ms = BACKOFF_MIN_MS;
                } else if (!strcmp(proto_type(m), MSG_ERROR)) {
                    const char *code = pv_get_str(m, "code"), *text = pv_get_str(m, "message");
                    if (code && (!strcmp(code, "unavailable") || !strcmp(code, "storage"))) {
                        backoff(a, rb, now);
                    } else {
                        const pv *rows = pv_get(rb->msg, "rows");
                        for (uint32_t k = 0; rows && k < rows->u.a.n; k++)
                            add_refusal(f->refused, rows->u.a.v[k]->u.a.v[0]->u.i, text ? text : "refused");
                        rb->done = 1;
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

static void heartbeat(agent *a)
{
    pv *q = proto_msg(MSG_QUERY), *args = pv_map();
    char depth[32], host[64] = "agent";
    gethostname(host, sizeof host - 1);
    snprintf(depth, sizeof depth, "%lld", (long long)outbox_depth(a->ob));
    pv_set_int(q, "id", client_next_id(a->cl));
    pv_set_str(q, "q", "agent");
    pv_set_str(args, "unit", a->conf->agent_unit[0] ? a->conf->agent_unit : host);
    pv_set_str(args, "version", PAR_VERSION);
    pv_set_str(args, "outbox", depth);
    pv_set_str(args, "last_success", a->last_success[0] ? a->last_success : "-");
    pv_set(q, "args", args);
    par_err e;
    client_send(a->cl, "broker", q, &e);
    pv_free(q);
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
    if (a.ino < 0 || inotify_add_watch(a.ino, a.spool, IN_MOVED_TO | IN_Q_OVERFLOW) < 0) {
        err_set(&e, "cannot watch %s: %s", a.spool, strerror(errno));
        goto fail;
    }
    log_info("event=started spool=%s outbox=%lld endpoint=%s", a.spool, (long long)outbox_depth(a.ob),
             conf->endpoint);
    scan(&a); /* what arrived while the agent was not running */
    /* the exporter runs at start (what was missed while down), then on its schedule */
    a.next_export = conf->exporter[0] ? clock_mono_ms() : INT64_MAX;
    for (;;) {
        int64_t now = clock_mono_ms();
        load_files(&a);
        int64_t wake = send_due(&a, now);
        if (now >= a.next_hb) {
            heartbeat(&a);
            a.next_hb = now + (int64_t)conf->agent_heartbeat_s * 1000;
        }
        if (now >= a.next_export) {
            run_exporter(&a);
            a.next_export = now + (int64_t)conf->export_every_s * 1000;
        }
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
