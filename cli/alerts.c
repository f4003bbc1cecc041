/* parctl tasks, alerts and ack: what the notifier holds, as the officials who chase the
 * tasks read it: in Vietnamese, units by name, dates as dd/mm/yyyy, every text whole. */
#include "cli.h"
#include "grid.h"
#include "vn.h"
#include "../common/json.h"
#include "../common/vnfold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NOTIFIER_TIMEOUT_MS 10000

static int flag(const pv *m, const char *k)
{
    const pv *v = pv_get(m, k);
    return v && v->t == PV_BOOL && v->u.b;
}

/* Asks the notifier; prints the reply as JSON with --json, else through show. */
static int ask(cli *c, const char *q, pv *args, void (*show)(const pv *data))
{
    char who[64];
    snprintf(who, sizeof who, "parctl: %s", q);
    return cli_query_show(c, "notifier", q, args, NOTIFIER_TIMEOUT_MS, who, show);
}

/* What parctl tasks keeps of the notifier's answer. */
typedef struct {
    const char *plan;  /* part of the plan's number or name, compared without diacritics or case */
    const char *index; /* the index, any case */
    char since[11];    /* deadlines on or after (ISO); "" for any */
} task_filter;

static int task_shown(const pv *t, const task_filter *tf)
{
    if (tf->plan) {
        char want[256], plan[512];
        vnfold(tf->plan, want, sizeof want);
        vnfold(pv_get_text(t, "plan"), plan, sizeof plan);
        if (!strstr(plan, want))
            return 0;
    }
    if (tf->index && strcasecmp(pv_get_text(t, "index"), tf->index))
        return 0;
    /* an undated task has no deadline on or after any date */
    if (*tf->since && (!*pv_get_text(t, "deadline") || strcmp(pv_get_text(t, "deadline"), tf->since) < 0))
        return 0;
    return 1;
}

/* Overdue first, then open, then done, then the tasks without a date. */
static int task_group(const pv *t)
{
    const char *st = pv_get_text(t, "state");
    return !strcmp(st, "overdue") ? 0 : !strcmp(st, "open") ? 1 : !strcmp(st, "done") ? 2 : 3;
}

typedef struct {
    const pv *t;
    uint32_t at; /* its place in the answer: ties keep it */
} task_row;

/* The most days late first; within open and done tasks the nearest deadline first. */
static int task_order(const void *x, const void *y)
{
    const task_row *a = x, *b = y;
    int ga = task_group(a->t), gb = task_group(b->t);
    if (ga != gb)
        return ga - gb;
    int64_t da = pv_get_int(a->t, "days", 0), db = pv_get_int(b->t, "days", 0);
    if (ga < 3 && da != db)
        return da < db ? -1 : 1;
    return a->at < b->at ? -1 : a->at > b->at;
}

/* A report period as officials name it: quý I năm 2025, 6 tháng năm 2025, tháng 1/2025. */
static void period_vi(char *out, size_t n, const char *p, long long year)
{
    static const char *const roman[] = {"I", "II", "III", "IV"};
    if (p[0] == 'Q' && p[1] >= '1' && p[1] <= '4' && !p[2])
        snprintf(out, n, "quý %s năm %lld", roman[p[1] - '1'], year);
    else if (!strcmp(p, "H1"))
        snprintf(out, n, "6 tháng năm %lld", year);
    else if (!strcmp(p, "Y"))
        snprintf(out, n, "năm %lld", year);
    else if (p[0] == 'M' && atoi(p + 1) >= 1 && atoi(p + 1) <= 12)
        snprintf(out, n, "tháng %d/%lld", atoi(p + 1), year);
    else
        snprintf(out, n, "%s năm %lld", p, year);
}

/* The deadline cell: the date with its period, then the plan's words for it, whole. */
static void deadline_cell(grid_cells *c, const pv *t)
{
    char date[16], per[64] = "";
    const char *text = pv_get_text(t, "deadline_text");
    if (!*pv_get_text(t, "deadline")) {
        grid_cell(c, "%s", *text ? text : "—");
        return;
    }
    vn_date(date, pv_get_text(t, "deadline"));
    if (*pv_get_text(t, "period"))
        period_vi(per, sizeof per, pv_get_text(t, "period"), (long long)pv_get_int(t, "year", 0));
    /* the plan's words unless they are that very date */
    char folded[512];
    vnfold(text, folded, sizeof folded);
    int same = !*text || !strcmp(folded, date);
    grid_cell(c, "%s%s%s%s%s%s", date, *per ? " (kỳ " : "", per, *per ? ")" : "", same ? "" : "\n", same ? "" : text);
}

static void state_cell(grid_cells *c, const pv *t)
{
    const char *st = pv_get_text(t, "state");
    long long days = (long long)pv_get_int(t, "days", 0);
    char text[160], day[16];
    if (!strcmp(st, "overdue"))
        snprintf(text, sizeof text, "quá hạn %lld ngày", -days);
    else if (!strcmp(st, "open") && days == 0)
        snprintf(text, sizeof text, "đang thực hiện, đến hạn hôm nay");
    else if (!strcmp(st, "open"))
        snprintf(text, sizeof text, "đang thực hiện, còn %lld ngày", days);
    else if (!strcmp(st, "done") && *pv_get_text(t, "done_on"))
        snprintf(text, sizeof text, "đã hoàn thành ngày %s%s", vn_date(day, pv_get_text(t, "done_on")),
                 pv_get(t, "on_time") && !flag(t, "on_time") ? " (trễ hạn)" : "");
    else
        snprintf(text, sizeof text, "%s", !strcmp(st, "done")      ? "đã hoàn thành"
                                          : !strcmp(st, "ongoing") ? "thường xuyên"
                                          : !strcmp(st, "no_date") ? "chưa có hạn"
                                          : !strcmp(st, "unreadable") ? "không đọc được hạn"
                                                                      : st);
    grid_cell(c, "%s%s", text, flag(t, "acked") ? "; đã xác nhận, ngừng cảnh báo" : "");
}

static void show_tasks_rows(const task_row *rows, size_t n)
{
    if (!n) {
        printf("Không có nhiệm vụ nào.\n");
        return;
    }
    int width = grid_term_width();
    grid_col cols[] = {{"Mã nhiệm vụ", 0, 0, 1}, {"Chủ trì", 0, 0, 0}, {"Phối hợp", 0, 0, 0}, {"Hạn", 0, 0, 0},
                       {"Tình trạng", 0, 0, 0}};
    grid g = {cols, 5, 2};
    grid_cells c = {0};
    size_t overdue = 0;
    for (size_t i = 0; i < n; i++) {
        const pv *t = rows[i].t;
        grid_cell(&c, "%s", pv_get_text(t, "id"));
        grid_cell(&c, "%s", *pv_get_text(t, "lead_name") ? pv_get_text(t, "lead_name") : pv_get_text(t, "lead"));
        grid_cell(&c, "%s", *pv_get_text(t, "support_names") ? pv_get_text(t, "support_names") : *pv_get_text(t, "support") ? pv_get_text(t, "support") : "—");
        deadline_cell(&c, t);
        state_cell(&c, t);
        overdue += !strcmp(pv_get_text(t, "state"), "overdue");
    }
    grid_fit(&g, (const char *const *)c.v, n, width);
    grid_head(stdout, &g);
    for (size_t i = 0; i < n; i++) {
        const pv *t = rows[i].t;
        printf("\n");
        grid_row(stdout, &g, (const char *const *)c.v + i * 5);
        /* the task's own words span the width beneath its row: they are its longest text */
        sbuf b;
        sbuf_init(&b);
        sbuf_printf(&b, "Nội dung: %s", pv_get_text(t, "task"));
        grid_text(stdout, b.buf, 4, width);
        b.len = 0;
        sbuf_printf(&b, "Kế hoạch: %s", *pv_get_text(t, "plan") ? pv_get_text(t, "plan") : "—");
        if (*pv_get_text(t, "index"))
            sbuf_printf(&b, "; Chỉ số %s%s%s", pv_get_text(t, "index"), *pv_get_text(t, "criterion") ? ", tiêu chí " : "",
                        pv_get_text(t, "criterion"));
        grid_text(stdout, b.buf, 4, width);
        sbuf_free(&b);
    }
    printf("\nTổng số: %zu nhiệm vụ, %zu quá hạn.\n", n, overdue);
    grid_cells_free(&c);
}

int cli_tasks(cli *c, int argc, char **argv)
{
    pv *args = pv_map(), *list = NULL;
    task_filter tf = {NULL, NULL, ""};
    int rc = 2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--unit") && i + 1 < argc) {
            /* the unit and every unit below it: a district's list holds its communes'
             * tasks; "unit" too, so that a unit not in the registry is an error, not an
             * empty list */
            pv_set_str(args, "unit", argv[++i]);
            pv_set_str(args, "under", argv[i]);
        } else if (!strcmp(argv[i], "--overdue")) {
            pv_set_str(args, "overdue", "1");
        } else if (!strcmp(argv[i], "--plan") && i + 1 < argc) {
            tf.plan = argv[++i];
        } else if (!strcmp(argv[i], "--index") && i + 1 < argc) {
            tf.index = argv[++i];
        } else if (!strcmp(argv[i], "--since") && i + 1 < argc) {
            if (vn_date_parse(argv[++i], tf.since) < 0) {
                fprintf(stderr, "parctl tasks: --since '%s' is not a date (dd/mm/yyyy or YYYY-MM-DD)\n", argv[i]);
                goto fail;
            }
        } else {
            fprintf(stderr, "usage: parctl tasks [--unit U] [--overdue] [--plan TEXT] [--index I] [--since DATE] "
                            "[--json]\n");
            goto fail;
        }
    }
    list = cli_query(c, "notifier", "tasks", args, NOTIFIER_TIMEOUT_MS, "parctl: tasks", &rc);
    args = NULL; /* taken by the question */
    if (!list)
        goto fail;
    size_t total = list->t == PV_ARR ? list->u.a.n : 0, n = 0;
    task_row *rows = xcalloc(total ? total : 1, sizeof *rows);
    for (uint32_t i = 0; i < total; i++)
        if (task_shown(list->u.a.v[i], &tf))
            rows[n++] = (task_row){list->u.a.v[i], i};
    if (c->json) { /* the answer as it came, less what the filters leave out */
        pv *kept = pv_arr();
        for (size_t i = 0; i < n; i++)
            pv_push(kept, pv_copy(rows[i].t));
        json_print(stdout, kept);
        pv_free(kept);
    } else {
        qsort(rows, n, sizeof *rows, task_order);
        show_tasks_rows(rows, n);
    }
    free(rows);
    pv_free(list);
    return 0;
fail:
    pv_free(args);
    pv_free(list);
    return rc;
}

static const char *kind_vi(const char *k)
{
    return !strcmp(k, "remind") ? "nhắc hạn" : !strcmp(k, "overdue") ? "quá hạn" : k;
}

static const char *delivery_vi(const char *st)
{
    return !strcmp(st, "sent")         ? "đã gửi"
           : !strcmp(st, "pending")    ? "chờ gửi"
           : !strcmp(st, "retrying")   ? "đang gửi lại"
           : !strcmp(st, "no_address") ? "không có địa chỉ thư"
                                       : st;
}

static const char *channel_vi(const char *ch)
{
    return !strcmp(ch, "smtp") ? "thư điện tử" : !strcmp(ch, "file") ? "tệp thư" : ch;
}

static const char *role_vi(const char *r)
{
    return !strcmp(r, "lead")      ? "chủ trì"
           : !strcmp(r, "support") ? "phối hợp"
           : !strcmp(r, "parent")  ? "cấp trên"
           : !strcmp(r, "follow")  ? "theo dõi, đôn đốc"
                                   : r;
}

static void show_alerts(const pv *list)
{
    if (!list->u.a.n) {
        printf("Chưa có cảnh báo nào.\n");
        return;
    }
    int width = grid_term_width();
    grid_col cols[] = {{"Số", 0, 1, 1}, {"Loại", 0, 0, 1}, {"Mã nhiệm vụ", 0, 0, 1}, {"Hạn", 0, 0, 1},
                       {"Cảnh báo ngày", 0, 0, 1}, {"Tình trạng", 0, 0, 0}};
    grid g = {cols, 6, 2};
    grid_cells c = {0};
    char d1[16], d2[16];
    for (uint32_t i = 0; i < list->u.a.n; i++) {
        const pv *a = list->u.a.v[i];
        grid_cell(&c, "%lld", (long long)pv_get_int(a, "id", 0));
        grid_cell(&c, "%s", kind_vi(pv_get_text(a, "kind")));
        grid_cell(&c, "%s", pv_get_text(a, "task"));
        grid_cell(&c, "%s", vn_date(d1, pv_get_text(a, "deadline")));
        grid_cell(&c, "%s", vn_date(d2, pv_get_text(a, "slot")));
        grid_cell(&c, "%s%s", delivery_vi(pv_get_text(a, "state")), flag(a, "acked") ? "; đã xác nhận" : "");
    }
    grid_fit(&g, (const char *const *)c.v, list->u.a.n, width);
    grid_head(stdout, &g);
    sbuf b;
    sbuf_init(&b);
    for (uint32_t i = 0; i < list->u.a.n; i++) {
        const pv *a = list->u.a.v[i], *rs = pv_get(a, "to"), *errs = pv_get(a, "errors");
        printf("\n");
        grid_row(stdout, &g, (const char *const *)c.v + (size_t)i * 6);
        /* each recipient, each channel's state and when it actually went out */
        for (uint32_t k = 0; rs && k < rs->u.a.n; k++) {
            const pv *r = rs->u.a.v[k], *ds = pv_get(r, "deliveries"), *at = pv_get(r, "sent_at");
            b.len = 0;
            sbuf_printf(&b, "Gửi %s (%s):", pv_get_text(r, "unit"), role_vi(pv_get_text(r, "role")));
            for (uint32_t j = 0; ds && ds->t == PV_MAP && j < ds->u.m.n; j++) {
                const char *ch = ds->u.m.kv[j].k, *st = pv_get_text(ds, ch);
                char when[32];
                sbuf_printf(&b, "%s %s %s", j ? ";" : "", channel_vi(ch), delivery_vi(st));
                if (*pv_get_text(at, ch))
                    sbuf_printf(&b, " lúc %s", vn_time(when, pv_get_text(at, ch)));
            }
            if (!ds || ds->t != PV_MAP || !ds->u.m.n)
                sbuf_puts(&b, " chưa gửi");
            grid_text(stdout, b.buf, 4, width);
        }
        for (uint32_t k = 0; errs && k < errs->u.a.n; k++) {
            const pv *er = errs->u.a.v[k];
            char when[32];
            b.len = 0;
            sbuf_printf(&b, "Lỗi: %s tới %s không gửi được %lld lần, thử lại lúc %s: %s", channel_vi(pv_get_text(er, "channel")),
                        pv_get_text(er, "unit"), (long long)pv_get_int(er, "attempts", 0), vn_time(when, pv_get_text(er, "next")),
                        pv_get_text(er, "error"));
            grid_text(stdout, b.buf, 4, width);
        }
    }
    sbuf_free(&b);
    grid_cells_free(&c);
}

static void show_ack(const pv *a)
{
    /* the instance: the deadline's day (2024-12-31), or a report's period (2024-Q1) */
    const char *inst = pv_get_text(a, "instance");
    char when[64];
    long long year = atoll(inst);
    if (strlen(inst) == 10)
        snprintf(when, sizeof when, "hạn %s", vn_date((char[16]){0}, inst));
    else if (year && strchr(inst, '-'))
        period_vi(when, sizeof when, strchr(inst, '-') + 1, year);
    else
        snprintf(when, sizeof when, "%s", inst);
    printf("Đã xác nhận cảnh báo số %lld: ngừng cảnh báo nhiệm vụ %s, %s.\n", (long long)pv_get_int(a, "alert", 0),
           pv_get_text(a, "task"), when);
}

int cli_alerts(cli *c, int argc, char **argv)
{
    pv *args = pv_map();
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--unit") && i + 1 < argc) {
            pv_set_str(args, "unit", argv[++i]);
        } else {
            pv_free(args);
            fprintf(stderr, "usage: parctl alerts [--unit U] [--json]\n");
            return 2;
        }
    }
    return ask(c, "alerts", args, show_alerts);
}

int cli_ack(cli *c, int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: parctl ack ALERT   (the number parctl alerts shows)\n");
        return 2;
    }
    pv *args = pv_map();
    pv_set_str(args, "alert", argv[1]);
    return ask(c, "ack", args, show_ack);
}
