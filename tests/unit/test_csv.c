/* csv: quoting, line numbers, encodings, headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../common/csv.h"

static void test_records(void **st)
{
    (void)st;
    const char text[] = "\xef\xbb\xbf"
                        "a,b,c\r\n"
                        "1,\"Tam Đường, Lai Châu\",\"say \"\"hi\"\"\"\r\n"
                        "\n"
                        "2,\"two\nlines\",\n"
                        "3,,last";
    csv_reader *r = csv_new(text, sizeof text - 1);
    csv_row row;
    par_err e;
    assert_int_equal(csv_next(r, &row, &e), 1);
    assert_int_equal(row.line, 1);
    assert_int_equal(row.n, 3);
    assert_string_equal(row.f[0], "a");
    assert_int_equal(csv_next(r, &row, &e), 1);
    assert_int_equal(row.line, 2);
    assert_string_equal(row.f[1], "Tam Đường, Lai Châu");
    assert_string_equal(row.f[2], "say \"hi\"");
    assert_int_equal(csv_next(r, &row, &e), 1);
    assert_int_equal(row.line, 4);
    assert_string_equal(row.f[1], "two lines");
    assert_string_equal(row.f[2], "");
    assert_int_equal(csv_next(r, &row, &e), 1);
    assert_int_equal(row.line, 6); /* line numbers count the break inside quotes */
    assert_string_equal(row.f[2], "last");
    assert_int_equal(csv_next(r, &row, &e), 0);
    csv_destroy(r);
}

static void test_errors_name_the_line(void **st)
{
    (void)st;
    const char text[] = "a,b\n1,x\"y\n2,\"ok\"\n3,\"open\n";
    csv_reader *r = csv_new(text, sizeof text - 1);
    csv_row row;
    par_err e;
    assert_int_equal(csv_next(r, &row, &e), 1);
    assert_int_equal(csv_next(r, &row, &e), -1);
    assert_non_null(strstr(e.msg, "line 2"));
    assert_int_equal(csv_next(r, &row, &e), 1); /* reading goes on */
    assert_string_equal(row.f[1], "ok");
    assert_int_equal(csv_next(r, &row, &e), -1);
    assert_non_null(strstr(e.msg, "line 4"));
    csv_destroy(r);

    const char bad[] = "a\n\xff\xfe\n";
    r = csv_new(bad, sizeof bad - 1);
    assert_int_equal(csv_next(r, &row, &e), 1);
    assert_int_equal(csv_next(r, &row, &e), -1);
    assert_non_null(strstr(e.msg, "UTF-8"));
    csv_destroy(r);
}

static void test_header(void **st)
{
    (void)st;
    const char *cols[] = {"unit", "year", "note", NULL};
    int idx[3];
    par_err e;
    csv_row h = {1, 2, {"year", " unit "}};
    assert_int_equal(csv_header(&h, cols, 0x3, idx, &e), 0);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 0);
    assert_int_equal(idx[2], -1);
    csv_row unknown = {1, 3, {"unit", "year", "colour"}};
    assert_int_equal(csv_header(&unknown, cols, 0x3, idx, &e), -1);
    assert_non_null(strstr(e.msg, "unknown column 'colour'"));
    csv_row missing = {1, 1, {"unit"}};
    assert_int_equal(csv_header(&missing, cols, 0x3, idx, &e), -1);
    assert_non_null(strstr(e.msg, "missing column 'year'"));
    csv_row twice = {1, 3, {"unit", "year", "unit"}};
    assert_int_equal(csv_header(&twice, cols, 0x3, idx, &e), -1);
    assert_non_null(strstr(e.msg, "twice"));
}

static void test_put(void **st)
{
    (void)st;
    sbuf b;
    sbuf_init(&b);
    csv_put(&b, "plain");
    sbuf_add(&b, ",", 1);
    csv_put(&b, "a, \"b\"");
    assert_string_equal(b.buf, "plain,\"a, \"\"b\"\"\"");
    sbuf_free(&b);
}

/* Lists in one field: supporting units, e-mail addresses. */
static void test_list(void **st)
{
    (void)st;
    const char *l = " TDG-TT ;;TDG-BGI; \t;x@y.vn;";
    char item[8];
    assert_true(str_list_next(&l, item, sizeof item));
    assert_string_equal(item, "TDG-TT");
    assert_true(str_list_next(&l, item, sizeof item));
    assert_string_equal(item, "TDG-BGI");
    assert_true(str_list_next(&l, item, sizeof item)); /* blank, not skipped: callers decide */
    assert_string_equal(item, "");
    assert_true(str_list_next(&l, item, sizeof item));
    assert_string_equal(item, "x@y.vn");
    assert_false(str_list_next(&l, item, sizeof item));
    l = "abcdefghij";
    assert_true(str_list_next(&l, item, sizeof item)); /* cut to the buffer */
    assert_string_equal(item, "abcdefg");
    assert_false(str_list_next(&l, item, sizeof item));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_errors_name_the_line),
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_put),
        cmocka_unit_test(test_list),
    };
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
