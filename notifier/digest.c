#include "digest.h"
#include "../proto/row.h"
#include "../common/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* items spelled out per section; a unit far behind gets the count of the rest */
#define DIGEST_MAX_LISTED 30
/* items carried in the webhook body and the message record; a message stays far below
 * proto's 16 MiB even for the province at the top of a country's escalations */
#define DIGEST_MAX_ITEMS 100

const char *digest_role_name(digest_role r)
{
    return r == ROLE_LEAD ? "lead" : r == ROLE_SUPPORT ? "support" : r == ROLE_PARENT ? "parent" : "follow";
}

void digest_date(int64_t day, char out[16])
{
    int y, m, d;
    clock_civil_from_days(day, &y, &m, &d);
    snprintf(out, 16, "%02d/%02d/%04d", d, m, y);
}


/* Overdue first, then reminders; the most points at risk first (what an official can
 * least afford to leave undone), then the longest overdue or the nearest. */
static int by_urgency(const void *x, const void *y)
{
    const digest_item *a = x, *b = y;
    if (a->a->kind != b->a->kind)
        return a->a->kind == DUE_OVERDUE ? -1 : 1;
    if (a->risk != b->risk)
        return a->risk > b->risk ? -1 : 1;
    if (a->a->due != b->a->due)
        return a->a->due < b->a->due ? -1 : 1;
    return a->alert < b->alert ? -1 : a->alert > b->alert;
}

const char *digest_address(const nunit *u, char *out, size_t n)
{
    if (!u || !u->name || !*u->name) {
        snprintf(out, n, "%s", u ? u->id : "");
        return out;
    }
    char in[256];
    /* "Huyện Tam Đường" -> "UBND huyện Tam Đường" */
    if (str_level_local(u->level) && str_name_mid(u->name, in, sizeof in))
        snprintf(out, n, "UBND %s", in);
    else
        snprintf(out, n, "%s", u->name);
    return out;
}

/* "Huyện Tam Đường (TDG)" */
static const nunit *unit_of(book *b, const char *id)
{
    size_t n;
    long i = book_unit_index(b, id);
    return i >= 0 ? &book_units(b, &n)[i] : NULL;
}

static void unit_label(MDB_txn *txn, book *b, const char *id, sbuf *out)
{
    (void)txn;
    const nunit *u = unit_of(b, id);
    if (u && *u->name)
        sbuf_printf(out, "%s (%s)", u->name, id);
    else
        sbuf_puts(out, id);
}

static void support_labels(MDB_txn *txn, book *b, const char *list, sbuf *out)
{
    char p[256];
    int first = 1;
    for (const char *l = list; str_list_next(&l, p, sizeof p);) {
        if (!*p)
            continue;
        if (!first)
            sbuf_puts(out, "; ");
        unit_label(txn, b, p, out);
        first = 0;
    }
    if (first)
        sbuf_puts(out, "không có");
}

static const char *period_name(const char *p, char buf[32])
{
    if (!strcmp(p, "Y"))
        return "báo cáo năm";
    if (!strcmp(p, "H1"))
        return "báo cáo 6 tháng";
    if (p[0] == 'Q') {
        static const char *const roman[] = {"I", "II", "III", "IV"};
        int q = p[1] - '1';
        snprintf(buf, 32, "báo cáo quý %s", q >= 0 && q < 4 ? roman[q] : p + 1);
        return buf;
    }
    if (p[0] == 'M') {
        snprintf(buf, 32, "báo cáo tháng %d", atoi(p + 1));
        return buf;
    }
    return p;
}

/* The item as the lines of the plain-text digest. */
static void item_lines(book *b, MDB_txn *txn, const digest_item *it, int no, const ntask *task, const row_view *row,
                       sbuf *t)
{
    char due[16], pbuf[32];
    digest_date(it->a->due, due);
    const char *title = *row_str(row, "task") ? row_str(row, "task") : row_str(row, "target");
    sbuf_printf(t, "%d. %s\n", no, title);
    if (*row_str(row, "target") && strcmp(row_str(row, "target"), title))
        sbuf_printf(t, "   Mục tiêu: %s\n", row_str(row, "target"));
    sbuf_printf(t, "   Mã nhiệm vụ: %s; kế hoạch: %s", task->id, row_str(row, "plan"));
    if (*row_str(row, "index"))
        sbuf_printf(t, "; chỉ số %s%s%s", row_str(row, "index"), *row_str(row, "criterion") ? ", tiêu chí " : "",
                    row_str(row, "criterion"));
    sbuf_puts(t, "\n");
    if (*it->a->period)
        sbuf_printf(t, "   Thời hạn: %s (%s năm %d; kế hoạch ghi: \"%s\")\n", due, period_name(it->a->period, pbuf),
                    it->a->year, row_str(row, "deadline"));
    else
        sbuf_printf(t, "   Thời hạn: %s (kế hoạch ghi: \"%s\")\n", due, row_str(row, "deadline"));
    if (it->a->kind == DUE_OVERDUE)
        sbuf_printf(t, "   Đã quá hạn %d ngày (%d ngày làm việc)\n", it->a->days, it->a->wdays);
    else if (it->a->days == 0)
        sbuf_puts(t, "   Đến hạn hôm nay\n");
    else
        sbuf_printf(t, "   Còn %d ngày (%d ngày làm việc)\n", it->a->days, it->a->wdays);
    sbuf_puts(t, "   Chủ trì: ");
    unit_label(txn, b, row_str(row, "lead"), t);
    sbuf_puts(t, "; phối hợp: ");
    support_labels(txn, b, row_str(row, "support"), t);
    sbuf_puts(t, "\n");
    size_t nt;
    const char *cname = "", *cid = "";
    double risk = book_at_risk(b, &book_tasks(b, &nt)[it->a->task], &cname, &cid);
    if (risk >= 0) { /* what the unit stands to lose: the reason this item is where it is */
        char pts[32];
        snprintf(pts, sizeof pts, "%.2f", risk);
        for (char *p = pts; *p; p++)
            if (*p == '.')
                *p = ',';
        sbuf_printf(t, "   Điểm có nguy cơ bị trừ: %s điểm ở tiêu chí %s%s%s\n", pts, cid, *cname ? " - " : "", cname);
    }
    if (it->role == ROLE_SUPPORT)
        sbuf_puts(t, "   Đơn vị nhận thông báo này với vai trò đơn vị phối hợp.\n");
    else if (it->role == ROLE_FOLLOW)
        sbuf_printf(t, "   Đơn vị nhận bản sao này là đơn vị theo dõi, đôn đốc: nhiệm vụ đã quá hạn %d ngày làm việc.\n",
                    it->a->wdays);
    else if (it->role == ROLE_PARENT)
        sbuf_printf(t, "   Đơn vị nhận thông báo này vì là cấp trên của đơn vị chủ trì: nhiệm vụ đã quá hạn %d ngày "
                       "làm việc.\n", it->a->wdays);
    sbuf_printf(t, "   Số cảnh báo: %llu\n\n", (unsigned long long)it->alert);
}

/* Appends the item to the text t (when not NULL: past the listed ones it is only counted) and to the JSON list j. */
static void item_text(book *b, MDB_txn *txn, const digest_item *it, int no, sbuf *t, pv *j, row_view *row)
{
    size_t nt;
    const ntask *tasks = book_tasks(b, &nt);
    const ntask *task = &tasks[it->a->task];
    /* the task's text, read into a reused view: a country's digests list a million items */
    MDB_val k = {strlen(task->id), task->id}, v;
    par_err e;
    if (mdb_get(txn, store_dbi(book_store(b), N_TASKS), &k, &v) != 0 || row_decode(row, v.mv_data, v.mv_size, &e) < 0)
        row->n = 0;
    const char *title = *row_str(row, "task") ? row_str(row, "task") : row_str(row, "target");
    if (t)
        item_lines(b, txn, it, no, task, row, t);
    if (!j)
        return;

    int y, m, d;
    char iso[16];
    clock_civil_from_days(it->a->due, &y, &m, &d);
    snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
    pv *o = pv_map();
    pv_set_int(o, "alert", (int64_t)it->alert);
    const char *const k1[] = {"kind", "role", "task", "plan", "title", "target", "deadline_text", "deadline", "period"};
    const char *const v1[] = {due_kind_name(it->a->kind), digest_role_name(it->role), task->id, row_str(row, "plan"),
                              title, row_str(row, "target"), row_str(row, "deadline"), iso, it->a->period};
    for (int i = 0; i < 9; i++)
        pv_set_str(o, k1[i], v1[i]);
    pv_set_int(o, "days", it->a->days);
    pv_set_int(o, "working_days", it->a->wdays);
    pv_set_int(o, "level", it->a->level);
    pv_set_str(o, "lead", row_str(row, "lead"));
    pv_set_str(o, "support", row_str(row, "support"));
    if (it->risk >= 0)
        pv_set(o, "points_at_risk", pv_float(it->risk));
    pv_set_str(o, "criterion", row_str(row, "criterion"));
    pv_push(j, o);
}

/* url with every "{unit}" replaced by unit */
static void unit_url(sbuf *out, const char *url, const char *unit)
{
    for (const char *p = url; *p;) {
        const char *at = strstr(p, "{unit}");
        if (!at) {
            sbuf_puts(out, p);
            break;
        }
        sbuf_add(out, p, (size_t)(at - p));
        sbuf_puts(out, unit);
        p = at + 6;
    }
}

void digest_sort(digest_item *items, size_t n)
{
    if (n > 1)
        qsort(items, n, sizeof *items, by_urgency);
}

_Static_assert(DIGEST_KEEP_MAX == DIGEST_MAX_ITEMS + DIGEST_MAX_LISTED, "what a message keeps");

/* The k most urgent items seen so far, the least urgent of them on top (a heap). */
typedef struct {
    digest_item *v;
    size_t n, k;
} top_k;

static void top_add(top_k *t, const digest_item *it)
{
    size_t i;
    if (t->n < t->k) {
        t->v[i = t->n++] = *it;
        while (i && by_urgency(&t->v[i], &t->v[(i - 1) / 2]) > 0) { /* up */
            digest_item x = t->v[i];
            t->v[i] = t->v[(i - 1) / 2];
            t->v[i = (i - 1) / 2] = x;
        }
        return;
    }
    if (!t->k || by_urgency(it, &t->v[0]) >= 0)
        return; /* no more urgent than the least urgent kept */
    t->v[i = 0] = *it;
    for (;;) { /* down */
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < t->n && by_urgency(&t->v[l], &t->v[m]) > 0)
            m = l;
        if (r < t->n && by_urgency(&t->v[r], &t->v[m]) > 0)
            m = r;
        if (m == i)
            return;
        digest_item x = t->v[i];
        t->v[i] = t->v[m];
        t->v[i = m] = x;
    }
}

size_t digest_keep(const digest_item *items, size_t n, digest_item out[DIGEST_KEEP_MAX], size_t *overdue)
{
    digest_item soon[DIGEST_MAX_LISTED];
    top_k first = {out, 0, DIGEST_MAX_ITEMS}, reminders = {soon, 0, DIGEST_MAX_LISTED};
    size_t ov = 0;
    for (size_t i = 0; i < n; i++) {
        top_add(&first, &items[i]);
        if (items[i].a->kind == DUE_OVERDUE)
            ov++;
        else
            top_add(&reminders, &items[i]);
    }
    *overdue = ov;
    digest_sort(out, first.n);
    digest_sort(soon, reminders.n);
    /* in the whole list sorted, the j-th reminder stands at ov + j: past the body's
     * first items, the text still lists it */
    size_t keep = first.n;
    for (size_t j = 0; j < reminders.n; j++)
        if (ov + j >= DIGEST_MAX_ITEMS)
            out[keep++] = soon[j];
    return keep;
}

pv *digest_compose(book *b, MDB_txn *txn, const char *unit, const digest_item *items, size_t n, size_t overdue,
                   size_t total, const digest_opts *o, int64_t now_ms)
{
    const char *report_url = o->report_url, *web_url = o->web_url;
    size_t soon = total - overdue;
    char subject[160];
    if (overdue && soon)
        snprintf(subject, sizeof subject, "[CCHC] %zu nhiệm vụ quá hạn, %zu sắp đến hạn", overdue, soon);
    else if (overdue)
        snprintf(subject, sizeof subject, "[CCHC] %zu nhiệm vụ quá hạn", overdue);
    else
        snprintf(subject, sizeof subject, "[CCHC] %zu nhiệm vụ sắp đến hạn", soon);

    const nunit *u = unit_of(b, unit);
    sbuf t;
    sbuf_init(&t);
    char iso[40];
    clock_format(now_ms, iso);
    int64_t today;
    int sec;
    clock_local(now_ms, &today, &sec);
    char date[16];
    digest_date(today, date);
    char addr[300];
    sbuf_printf(&t, "Kính gửi: %s\n\nHệ thống theo dõi cải cách hành chính của tỉnh thông báo các nhiệm vụ cần đơn vị quan tâm, "
                    "tính đến %02d:%02d ngày %s.\n\n", digest_address(u, addr, sizeof addr), sec / 3600, sec / 60 % 60, date);
    pv *list = pv_arr(), *numbers = pv_arr();
    row_view row;
    row_init(&row);
    if (overdue)
        sbuf_printf(&t, "A. NHIỆM VỤ QUÁ HẠN (%zu)\n\n", overdue);
    size_t shown_overdue = 0, shown_soon = 0, seen_overdue = 0, seen_soon = 0;
    for (size_t i = 0; i < n; i++) {
        int is_overdue = items[i].a->kind == DUE_OVERDUE;
        if (!is_overdue && !seen_soon) {
            if (overdue > shown_overdue)
                sbuf_printf(&t, "... và %zu nhiệm vụ quá hạn khác.\n\n", overdue - shown_overdue);
            sbuf_printf(&t, "%s. NHIỆM VỤ SẮP ĐẾN HẠN (%zu)\n\n", overdue ? "B" : "A", soon);
        }
        /* the item's place in the whole list: items may be the ones digest_keep kept */
        size_t pos = is_overdue ? seen_overdue++ : overdue + seen_soon++;
        /* a digest stays readable (and within a message's size): the rest is counted */
        sbuf *text = (is_overdue ? shown_overdue : shown_soon) < DIGEST_MAX_LISTED ? &t : NULL;
        if (text || pos < DIGEST_MAX_ITEMS)
            item_text(b, txn, &items[i], (int)pos + 1, text, pos < DIGEST_MAX_ITEMS ? list : NULL, &row);
        if (text)
            (*(is_overdue ? &shown_overdue : &shown_soon))++;
        if (pos < DIGEST_MAX_ITEMS)
            pv_push(numbers, pv_int((int64_t)items[i].alert));
    }
    row_free(&row);
    if (soon > shown_soon)
        sbuf_printf(&t, "... và %zu nhiệm vụ sắp đến hạn khác.\n\n", soon - shown_soon);
    else if (!soon && overdue > shown_overdue)
        sbuf_printf(&t, "... và %zu nhiệm vụ quá hạn khác.\n\n", overdue - shown_overdue);
    if (total > shown_overdue + shown_soon)
        sbuf_printf(&t, "Danh sách đầy đủ: parctl tasks --unit %s\n\n", unit);
    sbuf link;
    sbuf_init(&link);
    if (report_url && *report_url && u && book_has_framework(b, u->level)) { /* only a report that exists */
        unit_url(&link, report_url, unit);
        sbuf_printf(&t, "Báo cáo phân tích chỉ số cải cách hành chính của đơn vị: %s\n\n", link.buf);
    }
    /* how this recipient reports a task done: the page it has, else its agent */
    if (web_url && *web_url)
        sbuf_printf(&t, "Khi hoàn thành, đơn vị chủ trì đăng nhập %s/tasks, chọn \"Báo cáo hoàn thành\" ở nhiệm vụ và "
                        "ghi kết quả; nhắc việc sẽ dừng ngay. ",
                    web_url);
    else
        sbuf_puts(&t, "Khi hoàn thành, đơn vị chủ trì báo cáo kết quả qua phần mềm gửi số liệu của đơn vị (dòng loại "
                      "\"task\", giá trị \"done\"); nhắc việc sẽ dừng ngay. ");
    if (o->repeat_days > 1) /* [notifier] repeat_days, as due.c applies it */
        sbuf_printf(&t, "Nhiệm vụ quá hạn được nhắc lại %d ngày làm việc một lần và báo cáo lên cấp trên nếu kéo dài.\n\n",
                    o->repeat_days);
    else
        sbuf_puts(&t, "Nhiệm vụ quá hạn được nhắc lại hằng ngày làm việc và báo cáo lên cấp trên nếu kéo dài.\n\n");
    sbuf_puts(&t, "--\nThư tự động của hệ thống theo dõi cải cách hành chính; vui lòng không trả lời thư này.\n");

    pv *emails = pv_arr();
    char p[256];
    for (const char *l = u ? u->email : ""; str_list_next(&l, p, sizeof p);) {
        if (*p)
            pv_push(emails, pv_str(p));
    }
    pv *msg = pv_map(), *body = pv_map();
    pv_set_str(msg, "unit", unit);
    pv_set_str(msg, "name", u ? u->name : "");
    pv_set(msg, "emails", emails);
    pv_set_str(msg, "subject", subject);
    pv_set_str(msg, "text", t.buf);
    pv_set(msg, "alerts", numbers);
    pv_set_str(body, "unit", unit);
    pv_set_str(body, "name", u ? u->name : "");
    pv_set(body, "emails", pv_copy(emails));
    pv_set_str(body, "subject", subject);
    pv_set_str(body, "at", iso);
    pv_set_int(body, "overdue", (int64_t)overdue);
    pv_set_int(body, "due_soon", (int64_t)soon);
    pv_set(body, "alerts", list);
    pv_set_int(body, "alerts_total", (int64_t)total);
    pv_set_str(body, "text", t.buf);
    if (link.len)
        pv_set_str(body, "report", link.buf);
    sbuf_free(&link);
    pv_set(msg, "body", body);
    sbuf_free(&t);
    return msg;
}
