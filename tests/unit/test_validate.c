/* validate: each kind of bad line is refused with a reason that names it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "../../collector/validate.h"

static int setup(void **st)
{
    static fixture f;
    fixture_open(&f, 0);
    *st = &f;
    return 0;
}

static int teardown(void **st)
{
    fixture_close(*st);
    return 0;
}

/* Submits one line and checks that it is refused with a reason containing want
 * (or accepted when want is NULL). */
static void line(fixture *f, const char *csv_line, const char *want)
{
    char text[1024];
    snprintf(text, sizeof text, "unit,year,period,kind,key,value,date,note\n%s\n", csv_line);
    pv *ack = fixture_submit(f, text);
    const pv *r = pv_get(ack, "results")->u.a.v[0];
    int ok = pv_get_bool(r, "ok", 0);
    const char *why = pv_get_str(r, "reason");
    if (!want && !ok)
        fail_msg("'%s' refused: %s", csv_line, why);
    if (want && ok)
        fail_msg("'%s' accepted, expected refusal for '%s'", csv_line, want);
    if (want && !strstr(why, want))
        fail_msg("'%s' refused with '%s', expected '%s'", csv_line, why, want);
    pv_free(ack);
}

static void test_good_lines(void **st)
{
    fixture *f = *st;
    line(f, "TDG,2023,Y,score,1.2.2,9.5,15/01/2024,", NULL);
    line(f, "TDG,2023,Y,score,PAR:1.2.1,\"1,5\",2024-01-15,comma decimal", NULL);
    line(f, "TDG,2023,Y,appraisal,1.1,1.5,,Báo cáo muộn 1 ngày", NULL);
    line(f, "TDG,2023,Y,survey,PAR:8.3,22.3,,", NULL);
    line(f, "TDG,2023,Y,survey,SIPAS:1.2.1,80.74,,", NULL);
    line(f, "TDG,2023,M07,metric,dossiers_total,2818,,", NULL);
    line(f, "TDG,2024,Q1,task,T1,done,10/04/2024,", NULL);
    line(f, "TDG-TT,2024,Q1,task,T1,40,,support unit", NULL);
}

static void test_refusals(void **st)
{
    fixture *f = *st;
    line(f, "XYZ,2023,Y,score,1.2.2,1,,", "unknown unit XYZ");
    line(f, "TDG,2023,Y,score,9.9,1,,", "unknown criterion 9.9");
    line(f, "TDG,2023,Y,score,PAR:1.2,1,,", "not a leaf");
    line(f, "TDG,2023,Y,score,8,1,,", "not a leaf");
    line(f, "TDG,2023,Y,score,1.2.2,abc,,", "not a number");
    line(f, "TDG,2023,Y,score,1.2.2,-1,,", "negative");
    line(f, "TDG,2023,Y,score,1.2.2,10.5,,", "above the maximum 10");
    line(f, "TDG,2023,Q5,score,1.2.2,1,,", "period 'Q5'");
    line(f, "TDG,2023,Y,score,1.2.2,1,31/02/2024,", "date '31/02/2024'");
    line(f, "TDG,2023,Y,opinion,1.2.2,1,,", "unknown kind 'opinion'");
    line(f, "TDG,2023,Y,score,,1,,", "missing key");
    line(f, "TDG,1899,Y,score,1.2.2,1,,", "year '1899'");
    line(f, "TDG,2023,Y,score,1.2.1,1,,", "exists in PAR and SIPAS");
    line(f, "TDG,2023,Y,score,1.1,1,,", "method 'computed'");
    line(f, "TDG,2023,Y,score,PAR:8.3,1,,", "method 'survey'");
    line(f, "TDG,2023,Y,survey,PAR:1.2.2,1,,", "not by survey");
    line(f, "TDG,2022,Y,score,1.2.2,1,,", "2022 framework");
    line(f, "TDG-TT,2023,Y,score,1.2.2,1,,", "level commune");
    line(f, "TDG,2024,Q1,task,T9,done,,", "unknown task T9");
    line(f, "TDG,2024,Q1,task,T2,done,,", "not assigned to unit TDG");
    line(f, "TDG,2024,Q1,task,T1,120,,", "neither done nor a percent");
    line(f, "TDG,2023,Y,metric,a b,1,,", "metric name");
}

static void test_field_rules(void **st)
{
    (void)st;
    char out[11];
    assert_int_equal(validate_date("29/02/2024", out), 0);
    assert_string_equal(out, "2024-02-29");
    assert_int_equal(validate_date("29/02/2023", out), -1);
    assert_int_equal(validate_date("2024-1-5", out), -1);
    assert_true(validate_id("TDG-TT"));
    assert_false(validate_id("TDG|X"));
    assert_true(validate_crit_id("7.3.6"));
    assert_false(validate_crit_id("7..3"));
    assert_true(validate_emails("a@b.vn; c@d.vn"));
    assert_false(validate_emails("a@b.vn,c@d.vn"));
    assert_false(validate_emails("nobody"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_lines),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_field_rules),
    };
    return cmocka_run_group_tests_name("validate", tests, setup, teardown);
}
