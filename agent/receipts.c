#include "receipts.h"
#include "../common/csv.h"
#include "../common/log.h"
#include "../common/table.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The province's receipts, appended to a CSV file that the district keeps: with
 * them a dispute about lateness is settled from both sides' records. */
FILE *receipts_open(const par_config *conf, char *path, size_t n, par_err *e)
{
    if (conf->receipts[0])
        str_copy(path, n, conf->receipts);
    else
        snprintf(path, n, "%s/agent/receipts.csv", conf->data_dir);
    char dir[CONF_PATH];
    str_copy(dir, sizeof dir, path);
    if (dir_make(dirname(dir), e) < 0)
        return NULL;
    /* a row torn by a kill mid-write is cut off before anything is appended to it; under
     * the file's lock, which every writer holds while it appends (several par-agent push
     * may share the file: what one is writing is not torn) */
    FILE *f = fopen(path, "r+");
    if (f)
        flock(fileno(f), LOCK_EX);
    char head[256];
    if (f && fgets(head, sizeof head, f) && !strstr(head, ",signature")) {
        /* receipts from before they were signed: kept beside, the new file signed whole */
        char old[CONF_PATH + 48];
        snprintf(old, sizeof old, "%s.%ld.unsigned", path, (long)time(NULL));
        if (rename(path, old) == 0)
            log_info("event=receipts_unsigned_kept path=%s", old);
        fclose(f);
        f = NULL;
    }
    if (f && fseek(f, 0, SEEK_END) == 0 && ftell(f) > 0) {
        long end = ftell(f), keep = end;
        int c = 0;
        while (keep > 0 && fseek(f, keep - 1, SEEK_SET) == 0 && (c = fgetc(f)) != '\n' && c != EOF)
            keep--;
        if (keep < end) {
            /* a last row that is whole but has no line break (the file edited and saved
             * so) is ended, not cut: only a row short of its 13 fields is torn */
            char tail[8192];
            size_t tl = 0;
            csv_row row;
            par_err pe;
            if (end - keep < (long)sizeof tail && fseek(f, keep, SEEK_SET) == 0)
                tl = fread(tail, 1, (size_t)(end - keep), f);
            csv_reader *r = tl ? csv_new(tail, tl) : NULL;
            int whole = r && csv_next(r, &row, &pe) == 1 && row.n == 13;
            csv_destroy(r);
            fflush(f);
            if (whole) {
                fseek(f, 0, SEEK_END);
                fputc('\n', f);
                fflush(f);
            } else if (ftruncate(fileno(f), keep) == 0) {
                log_warn("event=receipts_repaired path=%s torn_bytes=%ld", path, end - keep);
            }
        }
    }
    if (f)
        fclose(f); /* and its lock */
    f = fopen(path, "a");
    if (!f) {
        err_set(e, "cannot write receipts to %s", path);
        return NULL;
    }
    flock(fileno(f), LOCK_EX);
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && st.st_size == 0) { /* new (or emptied): its header first */
        fputs("received,seq,file,line,unit,year,period,kind,key,value,date,note,signature\n", f);
        fflush(f);
    }
    flock(fileno(f), LOCK_UN);
    return f;
}

int receipts_each(const submit_view *msg, const pv *ack, void (*fn)(void *ctx, uint32_t i, const ack_line *l),
                  void *ctx)
{
    ack_cursor c;
    ack_cursor_init(&c, ack);
    for (uint32_t i = 0; i < msg->nrows; i++) {
        ack_line l;
        ack_cursor_next(&c, msg->lines[i], &l);
        if (fn)
            fn(ctx, i, &l);
    }
    return ack_cursor_done(&c);
}

int receipts_agree(const submit_view *msg, const pv *ack)
{
    return receipts_each(msg, ack, NULL, NULL) == 0;
}

void receipts_disagree(FILE *out, const char *path, const submit_view *msg)
{
    long long a = msg->nrows ? (long long)msg->lines[0] : 0, b = msg->nrows ? (long long)msg->lines[msg->nrows - 1] : 0;
    fprintf(out,
            "%s: lines %lld-%lld: the province's answer does not match the lines sent; no receipt written, sent "
            "again\n    (dòng %lld-%lld: câu trả lời của tỉnh không khớp với các dòng đã gửi; chưa ghi biên nhận, "
            "gửi lại)\n",
            path, a, b, a, b);
    log_warn("event=ack_disagrees file=\"%s\" first_line=%lld last_line=%lld", path, a, b);
}

typedef struct {
    const submit_view *msg;
    const int *idx;
    const char *path;
    sbuf line;
} receipt_rows;

/* sep, then v in decimal: by hand, as this runs twice for every line received */
static void put_int(sbuf *b, char sep, long long v)
{
    char d[24], *p = dec_i64(d + sizeof d, v);
    *--p = sep;
    sbuf_add(b, p, (size_t)(d + sizeof d - p));
}

static void put_row(void *ctx, uint32_t i, const ack_line *l)
{
    receipt_rows *rr = ctx;
    if (!l->ok)
        return;
    csv_put(&rr->line, l->received);
    put_int(&rr->line, ',', (long long)l->seq);
    sbuf_add(&rr->line, ",", 1);
    csv_put(&rr->line, rr->path);
    put_int(&rr->line, ',', (long long)rr->msg->lines[i]);
    for (int k = 0; k < 8; k++) {
        sbuf_add(&rr->line, ",", 1);
        csv_put(&rr->line, rr->idx[k] >= 0 ? submit_field(rr->msg, i, (uint32_t)rr->idx[k]) : "");
    }
    sbuf_puts(&rr->line, ",\n"); /* the signature, on the last row only: receipts_add */
}

void receipts_add(FILE *f, const char *path, const submit_view *msg, const pv *ack)
{
    _Static_assert(SUBMIT_MAX_COLS <= CSV_MAX_FIELDS, "a submit message's columns fit a CSV header");
    csv_row hdr = {.line = 1, .last_line = 1, .n = (int)(msg->ncols < SUBMIT_MAX_COLS ? msg->ncols : SUBMIT_MAX_COLS)};
    for (int i = 0; i < hdr.n; i++)
        hdr.f[i] = (char *)msg->cols[i];
    int idx[8];
    par_err e;
    if (csv_header(&hdr, table_cols(TABLE_SUBMISSIONS), 0, idx, &e) < 0)
        return;
    receipt_rows rr = {msg, idx, path, {0}};
    sbuf_init(&rr.line);
    /* answers come in the order of the rows; the batch's rows are written at once, whole
     * rows only, and flushed: a kill can tear at most the end, which the next start cuts */
    receipts_each(msg, ack, put_row, &rr);
    /* the province's signature covers the batch's acknowledged lines: it goes on the last
     * of them, the last row written (common/sign.h), and parctl receipt verify reads back
     * to the one before */
    const char *sig = pv_get_str(ack, "sig");
    if (rr.line.len && sig) {
        rr.line.len--; /* its '\n' */
        sbuf_printf(&rr.line, "%s\n", sig);
    }
    if (rr.line.len) {
        flock(fileno(f), LOCK_EX);
        fwrite(rr.line.buf, 1, rr.line.len, f);
        fflush(f);
        flock(fileno(f), LOCK_UN);
    }
    sbuf_free(&rr.line);
}
