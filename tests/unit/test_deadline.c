/* deadline: the deadline texts of the seeds, with and without diacritics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../common/clock.h"
#include "../../common/deadline.h"
#include "../../common/vnfold.h"

static void expect(const char *text, const char *want)
{
    deadline d;
    char got[64];
    deadline_parse(text, &d);
    deadline_format(&d, got, sizeof got);
    if (strcmp(got, want))
        fail_msg("'%s' read as '%s', expected '%s'", text, got, want);
}

static void test_dates(void **st)
{
    (void)st;
    expect("31/12/2024", "2024-12-31");
    expect("30/9/2024", "2024-09-30");
    expect("trước ngày 31/10/2024", "2024-10-31");
    expect("Trước ngày   30/11/2024", "2024-11-30");
    expect("Truoc ngay 30/11/2024", "2024-11-30");
    expect("Quý IV năm 2024", "2024-12-31");
    expect("Quy IV nam 2024", "2024-12-31");
    expect("Quý I năm 2025", "2025-03-31");
    expect("Quý 3 năm 2024", "2024-09-30");
    expect("Tháng 6/2024", "2024-06-30");
    expect("Thang 2/2024", "2024-02-29");
    expect("tháng 11 năm 2024", "2024-11-30");
    expect("6 tháng đầu năm 2024", "2024-06-30");
    expect("Năm 2025", "2025-12-31");
    /* seeds 000 and 001 as OCR read them (issue 19): the end of that year */
    expect("đến năm 2025", "2025-12-31");
    expect("Pén nam 2025", "2025-12-31");
    expect("nim 2025", "2025-12-31");
    expect("Đến hết năm 2025.", "2025-12-31");
}

static void test_recurring(void **st)
{
    (void)st;
    expect("Quý I, 6 tháng, Quý III và báo cáo năm", "recurring:Q1,H1,Q3,Y");
    expect("Quy I, 6 thang, Quy III va bao cao nam", "recurring:Q1,H1,Q3,Y");
    expect("Theo chế độ báo cáo định kỳ", "recurring:Q1,H1,Q3,Y");
    expect("hằng tháng", "recurring:M");
    expect("Hang thang", "recurring:M");
    expect("Hằng năm", "recurring:Y");
    /* OCR's yearly: "hang nim", "mdi nam" */
    expect("hang nim", "recurring:Y");
    expect("mdi nam", "recurring:Y");
    expect("Mỗi năm", "recurring:Y");
    /* 003's wording for 1.2.1: the year report is the last item of the list */
    expect("Quý I, 6 tháng, Quý III, năm", "recurring:Q1,H1,Q3,Y");
    expect("Quy I, 6 thang, Quy III, nam.", "recurring:Q1,H1,Q3,Y");
}

static void dropped(const char *text, const char *want)
{
    deadline d;
    char got[128];
    deadline_parse(text, &d);
    deadline_dropped(text, &d, got, sizeof got);
    if (strcmp(got, want))
        fail_msg("'%s': dropped '%s', expected '%s'", text, got, want);
}

/* A text read in part says what was left out (the import warns with it). */
static void test_dropped(void **st)
{
    (void)st;
    dropped("Quý I, 6 tháng, Quý III, năm", "");
    dropped("Quý I, 6 tháng, Quý III và báo cáo năm", "");
    dropped("hằng tháng", "");
    dropped("Định kỳ hằng quý, 6 tháng, hằng năm", ""); /* seed 001: every quarter, read */
    dropped("Quý I, Quý V và báo cáo năm", "quy v");
    dropped("Quý I, 9 tháng và báo cáo năm", "9 thang");
    dropped("31/12/2024", ""); /* a date: nothing recurring to leave out */
}

static void test_others(void **st)
{
    (void)st;
    expect("Thường xuyên", "ongoing");
    expect("Thuong xuyen", "ongoing");
    expect("Thường xuyên, liên tục", "ongoing");
    /* OCR's ongoing: "Thudng xuyén", "thuwong xuyén", "thudong xuyén" */
    expect("Thudng xuyén", "ongoing");
    expect("thuwong xuyén", "ongoing");
    expect("thudong xuyén", "ongoing");
    expect("Xuyên suốt năm", "unknown"); /* not the word before it */
    expect("Theo Kế hoạch tuyển dụng", "external");
    expect("Theo quy định", "external");
    expect("Theo thông báo kết quả kiểm tra", "external");
    expect("Theo quy dinh", "external");
    expect("", "");
    expect("sớm nhất có thể", "unknown");
    expect("31/02/2024", "unknown"); /* no such day */
}

static void instances(const char *text, int year, int day, const char *want)
{
    deadline d;
    dl_instance in[DL_MAX_INSTANCES];
    char got[512] = "";
    deadline_parse(text, &d);
    int n = deadline_instances(&d, year, dl_days_all(day), in);
    for (int i = 0; i < n; i++) {
        int y, m, dd;
        clock_civil_from_days(in[i].due, &y, &m, &dd);
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s=%04d-%02d-%02d", i ? " " : "", in[i].period, y, m,
                 dd);
    }
    if (strcmp(got, want))
        fail_msg("'%s' in %d gave '%s', expected '%s'", text, year, got, want);
}

/* One deadline per period of a recurring report, on the configured day of the period's last month. */
static void test_instances(void **st)
{
    (void)st;
    instances("Quý I, 6 tháng, Quý III và báo cáo năm", 2024, 20,
              "Q1=2024-03-20 H1=2024-06-20 Q3=2024-09-20 Y=2024-12-20");
    instances("Theo chế độ báo cáo định kỳ", 2025, 15, "Q1=2025-03-15 H1=2025-06-15 Q3=2025-09-15 Y=2025-12-15");
    instances("hằng tháng", 2024, 31,
              "M01=2024-01-31 M02=2024-02-29 M03=2024-03-31 M04=2024-04-30 M05=2024-05-31 M06=2024-06-30 "
              "M07=2024-07-31 M08=2024-08-31 M09=2024-09-30 M10=2024-10-31 M11=2024-11-30 M12=2024-12-31");
    instances("31/12/2024", 2024, 20, "");   /* a date is not recurring */
    instances("Thường xuyên", 2024, 20, ""); /* nor is ongoing work */
    /* each kind on its own day: quarterly and six-month reports by the 15th, the year
     * report by 10 December, monthly ones by the 25th, in order of due day */
    deadline d;
    dl_instance in[DL_MAX_INSTANCES];
    deadline_parse("Quý I, 6 tháng, Quý III, báo cáo năm và hằng tháng", &d);
    int n = deadline_instances(&d, 2024, dl_days_of(20, 25, 15, 15, 10), in);
    char got[1024] = "";
    for (int i = 0; i < n; i++) {
        int y, m, dd;
        clock_civil_from_days(in[i].due, &y, &m, &dd);
        if (m >= 3 && m % 3 == 0)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s=%02d/%02d", *got ? " " : "", in[i].period, dd, m);
    }
    assert_string_equal(got, "Q1=15/03 M03=25/03 H1=15/06 M06=25/06 Q3=15/09 M09=25/09 Y=10/12 M12=25/12");
    assert_int_equal(deadline_period_due("Y", 2024, dl_days_of(20, 0, 0, 0, 10)), clock_days_from_civil(2024, 12, 10));
    assert_int_equal(deadline_period_due("Q2", 2024, dl_days_of(20, 0, 0, 0, 10)), clock_days_from_civil(2024, 6, 20));
    assert_int_equal(deadline_period_due("Q5", 2024, dl_days_all(20)), -1);
}

static void test_fold(void **st)
{
    (void)st;
    char out[128];
    vnfold("  Đồng Nai — Quý IV  năm 2024 ", out, sizeof out);
    assert_string_equal(out, "dong nai ? quy iv nam 2024");
    vnfold("Ủy ban nhân dân TỈNH", out, sizeof out);
    assert_string_equal(out, "uy ban nhan dan tinh");
}

/* Every deadline text of seeds 000-004 (data/seed-deadlines/, cut out by its extract.py),
 * read as the importer reads it: how many as a date, recurring, ongoing, set later and
 * unreadable, seed by seed (the census issue 19 asks for), and those read in part. */
static void test_seed_census(void **st)
{
    (void)st;
    static const struct {
        const char *seed;
        int date, recurring, ongoing, later, unreadable, partly;
    } want[] = {
        {"000", 0, 0, 9, 0, 0, 0},
        {"001", 1, 2, 3, 0, 0, 0},
        {"002", 24, 1, 210, 6, 0, 0},
        {"003", 0, 0, 2, 0, 0, 0},
        {"004", 0, 0, 1, 0, 0, 0},
    };
    printf("seed  texts  date  recurring  ongoing  later  unreadable  (read in part)\n");
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char path[64], line[1024];
        snprintf(path, sizeof path, "data/seed-deadlines/%s.txt", want[i].seed);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        int n[DL_UNKNOWN + 1] = {0}, texts = 0, partly = 0;
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = '\0';
            deadline d;
            char dropped[256];
            deadline_parse(line, &d);
            n[d.kind]++;
            texts++;
            if (deadline_dropped(line, &d, dropped, sizeof dropped)) {
                partly++;
                printf("      %s: read in part, not read: %s\n", want[i].seed, dropped);
            }
        }
        fclose(f);
        printf("%s  %5d  %4d  %9d  %7d  %5d  %10d  (%d)\n", want[i].seed, texts, n[DL_DATE], n[DL_RECURRING],
               n[DL_ONGOING], n[DL_EXTERNAL], n[DL_UNKNOWN] + n[DL_NONE], partly);
        assert_int_equal(n[DL_DATE], want[i].date);
        assert_int_equal(n[DL_RECURRING], want[i].recurring);
        assert_int_equal(n[DL_ONGOING], want[i].ongoing);
        assert_int_equal(n[DL_EXTERNAL], want[i].later);
        assert_int_equal(n[DL_UNKNOWN] + n[DL_NONE], want[i].unreadable);
        assert_int_equal(partly, want[i].partly);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_recurring),
        cmocka_unit_test(test_dropped),
        cmocka_unit_test(test_others),
        cmocka_unit_test(test_instances),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_seed_census),
    };
    return cmocka_run_group_tests_name("deadline", tests, NULL, NULL);
}
