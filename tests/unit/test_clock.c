/* clock: ISO 8601 in Vietnam's offset, PAR_NOW. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/clock.h"

static void test_parse_format(void **st)
{
    (void)st;
    int64_t a, b, c;
    assert_int_equal(clock_parse_iso("2024-12-31T08:00:00+07:00", &a), 0);
    assert_int_equal(clock_parse_iso("2024-12-31T01:00:00Z", &b), 0);
    assert_int_equal(a, b);
    assert_int_equal(clock_parse_iso("2024-12-31", &c), 0); /* midnight in Vietnam */
    assert_int_equal(a - c, 8 * 3600 * 1000LL);
    char out[40];
    clock_format(a, out);
    assert_string_equal(out, "2024-12-31T08:00:00.000+07:00");
    clock_format(b + 16 * 3600 * 1000LL + 5, out); /* crosses midnight and the year */
    assert_string_equal(out, "2025-01-01T00:00:00.005+07:00");
    assert_int_equal(clock_parse_iso("2024-02-30", &a), -1);
    assert_int_equal(clock_parse_iso("31/12/2024", &a), -1);
    assert_int_equal(clock_parse_iso("2024-12-31T25:00", &a), -1);
    assert_int_equal(clock_parse_iso("2024-12-31T08:00:00+0700", &b), 0);
}

static void test_par_now(void **st)
{
    (void)st;
    par_clock c;
    par_err e;
    setenv("PAR_NOW", "2024-12-31T08:00:00+07:00", 1);
    assert_int_equal(clock_init(&c, &e), 0);
    char out[40];
    clock_format(clock_now_ms(&c), out);
    assert_memory_equal(out, "2024-12-31T08:00", 16);
    setenv("PAR_NOW", "yesterday", 1);
    assert_int_equal(clock_init(&c, &e), -1);
    assert_non_null(strstr(e.msg, "PAR_NOW"));
    unsetenv("PAR_NOW");
}

static void test_civil(void **st)
{
    (void)st;
    for (int64_t d = -1000; d < 100000; d += 37) {
        int y, m, dd;
        clock_civil_from_days(d, &y, &m, &dd);
        assert_int_equal(clock_days_from_civil(y, m, dd), d);
    }
    assert_int_equal(clock_days_in_month(2024, 2), 29);
    assert_int_equal(clock_days_in_month(2100, 2), 28);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_format),
        cmocka_unit_test(test_par_now),
        cmocka_unit_test(test_civil),
    };
    return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
