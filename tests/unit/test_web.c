/* par-web's pieces that need no network: the download sheets (CSV for Vietnamese Excel,
 * .xlsx), the dashboard's chart of every year held, and whom a web user speaks for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/log.h"
#include "../../common/service.h"
#include "../../common/util.h"
#include "../../web/pages.h"
#include "../../web/session.h"
#include "../../web/sheet.h"

static const sheet_col cols[] = {{"Đơn vị", SHEET_TEXT, 0, 0, 20},
                                 {"Tổng điểm", SHEET_NUM, 2, 0, 10},
                                 {"Thay đổi", SHEET_NUM, 2, 1, 10},
                                 {"Hạn", SHEET_DATE, 0, 0, 11}};

static sheet *sample(void)
{
    sheet *t = sheet_new("Xếp hạng", cols, 4);
    sheet_text(t, "Huyện Tam Đường");
    sheet_num(t, 78.1198);
    sheet_num(t, 6.05);
    sheet_date(t, "2024-01-31");
    sheet_text(t, "=HYPERLINK(\"x\"); \"quoted\"");
    sheet_num(t, 1234.5);
    sheet_num(t, -0.5);
    sheet_date(t, "not a date");
    return t;
}

static void test_csv(void **st)
{
    (void)st;
    sheet *t = sample();
    assert_int_equal(sheet_rows(t), 2);
    sbuf b;
    sbuf_init(&b);
    sheet_csv(t, &b);
    sbuf_add(&b, "", 1);
    assert_memory_equal(b.buf, "\xef\xbb\xbf", 3);
    /* ';' between cells, decimal commas, a sign on changes, dd/mm/yyyy; a formula kept as
     * text and a cell with ';' or '"' quoted */
    assert_string_equal(b.buf + 3, "Đơn vị;Tổng điểm;Thay đổi;Hạn\r\n"
                                   "Huyện Tam Đường;78,12;+6,05;31/01/2024\r\n"
                                   "\"'=HYPERLINK(\"\"x\"\"); \"\"quoted\"\"\";1.234,50;-0,50;\r\n");
    sbuf_free(&b);
    sheet_destroy(&t);
    assert_null(t);
}

static void test_xlsx(void **st)
{
    (void)st;
    sheet *t = sample();
    sbuf b;
    sbuf_init(&b);
    par_err e = {{0}};
    assert_int_equal(sheet_xlsx(t, "Xếp hạng", "/tmp", &b, &e), 0);
    assert_true(b.len > 1000);
    assert_memory_equal(b.buf, "PK\x03\x04", 4); /* a zip: the workbook */
    sbuf_free(&b);
    sheet_destroy(&t);
}

/* A ranking of one unit and eight years held: the chart draws a bar for each year. */
static void test_chart_every_year(void **st)
{
    (void)st;
    pv *now = pv_arr(), *years = pv_arr(), *r = pv_map();
    pv_set_str(r, "unit", "TDG");
    pv_set_str(r, "name", "Huyện Tam Đường");
    pv_set(r, "total", pv_float(78.12));
    pv_set(r, "max", pv_float(100));
    pv_set_int(r, "rank", 4);
    pv_set_int(r, "of", 8);
    pv_push(now, r);
    for (int y = 2016; y <= 2023; y++) {
        pv *x = pv_map();
        pv_set_str(x, "unit", "TDG");
        pv_set_int(x, "year", y);
        pv_set(x, "total", pv_float(60 + y - 2016));
        pv_set(x, "max", pv_float(100));
        pv_push(years, x);
    }
    sbuf b;
    sbuf_init(&b);
    html_frame f = {"quantri", "admin", "", "0123", "Xếp hạng", "/"};
    page_dashboard(&b, &f, "PAR", 2023, "district", now, years, NULL);
    sbuf_add(&b, "", 1);
    for (int y = 2016; y <= 2023; y++) {
        char want[32];
        snprintf(want, sizeof want, "data-year=\"%d\"", y);
        assert_non_null(strstr(b.buf, want));
    }
    assert_non_null(strstr(b.buf, "năm 2016 đến 2023"));
    /* the level chosen by its Vietnamese name, its code in the form */
    assert_non_null(strstr(b.buf, "<option value=\"district\" selected>huyện</option>"));
    assert_non_null(strstr(b.buf, "78,12"));
    sbuf_free(&b);
    pv_free(now);
    pv_free(years);
}

/* The dashboard of a survey index shows each sub-index against its target, with the
 * tasks linked to it, every value escaped (the scorer's gaps answer, seed 002's PAPI). */
static void test_dashboard_targets(void **st)
{
    (void)st;
    pv *now = pv_arr(), *gaps = pv_arr(), *g = pv_map(), *rows = pv_arr(), *r = pv_map();
    pv_set_str(r, "unit", "DNI");
    pv_set_str(r, "name", "Tỉnh Đồng Nai");
    pv_set(r, "total", pv_float(39.92));
    pv_push(now, r);
    pv_set_str(g, "unit", "DNI");
    pv_set_str(g, "name", "Tỉnh Đồng Nai");
    pv_set_int(g, "year", 2023);
    pv_set_int(g, "off_track", 1);
    pv *top = pv_map(), *sub = pv_map(), *tasks = pv_arr(), *t = pv_map();
    pv_set_str(top, "id", "total");
    pv_set(top, "score", pv_float(39.92));
    pv_set(top, "target", pv_float(55.15));
    pv_set(top, "gap", pv_float(15.23));
    pv_set_int(top, "target_year", 2025);
    pv_set(top, "official", pv_bool(1));
    pv_push(rows, top);
    pv_set_str(sub, "id", "4.3");
    pv_set_str(sub, "name", "Công bằng trong tuyển dụng <vào> nhà nước");
    pv_set(sub, "score", pv_float(1.13));
    pv_set(sub, "target", pv_float(1.8));
    pv_set(sub, "gap", pv_float(0.67));
    pv_set(sub, "on_track", pv_bool(0));
    pv_set_str(t, "id", "KH336-PL1-PAPI-4.3");
    pv_set_str(t, "lead_name", "Sở Nội vụ");
    pv_push(tasks, t);
    pv_set(sub, "tasks", tasks);
    pv_push(rows, sub);
    pv_set(g, "rows", rows);
    pv_push(gaps, g);
    sbuf b;
    sbuf_init(&b);
    html_frame f = {"quantri", "admin", "", "0123", "Xếp hạng", "/"};
    page_dashboard(&b, &f, "PAPI", 2023, "", now, NULL, gaps);
    sbuf_add(&b, "", 1);
    assert_non_null(strstr(b.buf, "chỉ tiêu năm 2025: 55,15, còn thiếu <b>15,23</b>"));
    assert_non_null(strstr(b.buf, "<th>Chỉ tiêu 2025</th>"));
    assert_non_null(strstr(b.buf, "<tr class=\"behind\"><td>4.3</td><td>Công bằng trong tuyển dụng &lt;vào&gt; nhà nước"));
    assert_non_null(strstr(b.buf, "KH336-PL1-PAPI-4.3 (Sở Nội vụ)"));
    assert_non_null(strstr(b.buf, "<td class=\"n\">0,67</td>"));
    sbuf_free(&b);
    pv_free(now);
    pv_free(gaps);
}

/* A unit's official speaks for the unit, by name; a malformed "as" for nobody. */
static void test_sender(void **st)
{
    (void)st;
    char out[160], unit[64];
    assert_string_equal(service_on_behalf("internal", "unit:TDG/tamduong", out, sizeof out), "unit:TDG/tamduong");
    assert_int_equal(service_sender_unit(out, unit, sizeof unit), 1);
    assert_string_equal(unit, "TDG");
    assert_int_equal(service_sender_unit("unit:TDG", unit, sizeof unit), 1);
    assert_string_equal(unit, "TDG");
    assert_int_equal(service_sender_unit("admin:quantri", unit, sizeof unit), 0);
    static const char *const bad[] = {"unit:TDG/a/b", "unit:/x", "unit:TDG/", "unit:T:X/y", "admin:a/b", "unit:T G/x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_string_equal(service_on_behalf("internal", bad[i], out, sizeof out), "unit:-");
    /* only par-web's own socket may speak for someone */
    assert_string_equal(service_on_behalf("unit:TUY", "admin:x", out, sizeof out), "unit:TUY");
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* A unit's page shows its latest changes and links to all of them: a value appraised
 * back and forth through a season does not make the page of every visitor grow. */
static void test_unit_history(void **st)
{
    (void)st;
    pv *result = pv_map(), *history = pv_arr();
    pv_set_str(result, "unit", "TDG");
    pv_set(result, "total", pv_float(30));
    pv_set(result, "max", pv_float(100));
    for (int i = 0; i < PAGE_HISTORY_ROWS + 1; i++) {
        pv *h = pv_map();
        char note[32];
        snprintf(note, sizeof note, "lần %d", i);
        pv_set_str(h, "received", "2024-12-31T08:00:00.000+07:00");
        pv_set_str(h, "key", "PAR:1.3");
        pv_set_str(h, "kind", "appraisal");
        pv_set_str(h, "value", i % 2 ? "1.25" : "0.75");
        pv_set_str(h, "note", note);
        pv_push(history, h);
    }
    html_frame f = {"quantri", "admin", "", "0123", "Tam Đường", "/"};
    for (int all = 0; all < 2; all++) {
        sbuf b;
        sbuf_init(&b);
        page_unit(&b, &f, "TDG", "PAR", 2023, result, NULL, history, all);
        sbuf_add(&b, "", 1);
        const char *h = strstr(b.buf, "Lịch sử giá trị");
        assert_non_null(h);
        assert_int_equal(count(h, "<td>PAR:1.3</td>"), all ? PAGE_HISTORY_ROWS + 1 : PAGE_HISTORY_ROWS);
        /* the oldest one is what is left out */
        assert_int_equal(strstr(h, "<td>lần 0</td>") != NULL, all);
        assert_non_null(strstr(h, "<td>lần 50</td>"));
        assert_int_equal(strstr(h, "/units/TDG?index=PAR&amp;year=2023&amp;history=all#lich-su") != NULL, !all);
        sbuf_free(&b);
    }
    pv_free(result);
    pv_free(history);
}

/* A login name is logged as the user typed it: a line break in it must not start a line
 * of its own (a forged "event=login ... role=admin" after a failed login). */
static void test_log_one_line(void **st)
{
    (void)st;
    char path[] = "/tmp/par-log-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fd, 2), 2);
    log_init("par-web", LOG_INFO);
    log_warn("event=login_failed user=%s", "x\n2026-01-01T00:00:00.000+07:00 level=info prog=par-web event=login "
                                            "user=quantri role=admin\r\t\x01 typed\\n");
    fflush(stderr);
    assert_int_equal(dup2(saved, 2), 2);
    close(saved);
    close(fd);
    char *text;
    size_t len;
    par_err e;
    assert_int_equal(file_read(path, &text, &len, &e), 0);
    unlink(path);
    assert_non_null(memchr(text, '\n', len));
    assert_true(memchr(text, '\n', len) == text + len - 1); /* one line, its own end */
    assert_non_null(strstr(text, "user=x\\n2026-01-01"));
    assert_non_null(strstr(text, "role=admin\\r\\t\\x01 typed\\\\n\n"));
    free(text);
}

/* Made-up names failing from many addresses fill the throttle's table: a real account's
 * count, over its limit, is not what makes room (it was, being the oldest window, and
 * gave five more guesses at it each time). */
static void test_throttle_kept(void **st)
{
    (void)st;
    sessions *s = sessions_new();
    int64_t t = 1000000;
    for (int i = 0; i < THROTTLE_FAILS; i++)
        sessions_failed(s, "victim", "10.0.0.1", t);
    assert_true(sessions_throttled(s, "victim", "10.0.0.9", t) > 0);
    char u[32], a[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(u, sizeof u, "fake%d", i);
        snprintf(a, sizeof a, "10.1.%d.%d", i / 256, i % 256);
        sessions_failed(s, u, a, t + 1 + i);
    }
    assert_true(sessions_throttled(s, "victim", "10.0.0.9", t + 6000) > 0);
    assert_int_equal(sessions_throttled(s, "victim", "10.0.0.9", t + THROTTLE_MS + 1), 0); /* its window passes */
    sessions_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_log_one_line),
        cmocka_unit_test(test_throttle_kept),
        cmocka_unit_test(test_unit_history),
        cmocka_unit_test(test_xlsx),
        cmocka_unit_test(test_chart_every_year),
        cmocka_unit_test(test_dashboard_targets),
        cmocka_unit_test(test_sender),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
