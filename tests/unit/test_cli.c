/* parctl's text for officials: Vietnamese numbers and dates (cli/vn), and tables whose
 * cells wrap to the terminal's width without losing a character (cli/grid). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/grid.h"
#include "../../cli/doc.h"
#include "../../cli/vn.h"

static void test_numbers(void **st)
{
    (void)st;
    char b[64];
    assert_string_equal(vn_num(b, sizeof b, 78.1198, 2, 0), "78,12");
    assert_string_equal(vn_num(b, sizeof b, 6.05, 2, 1), "+6,05");
    assert_string_equal(vn_num(b, sizeof b, -4.5, 2, 1), "-4,50");
    assert_string_equal(vn_num(b, sizeof b, 1339, 0, 0), "1.339");
    assert_string_equal(vn_num(b, sizeof b, 1234567.891, 2, 0), "1.234.567,89");
    /* what rounds to zero has no sign */
    assert_string_equal(vn_num(b, sizeof b, -0.001, 2, 0), "0,00");
    assert_string_equal(vn_num(b, sizeof b, 100, 1, 0), "100,0");
}

static void test_dates(void **st)
{
    (void)st;
    char d[16], t[32], iso[11];
    assert_string_equal(vn_date(d, "2024-11-30"), "30/11/2024");
    assert_string_equal(vn_date(d, "2024-12-23T09:00:01.020+07:00"), "23/12/2024");
    assert_string_equal(vn_date(d, "Thường xuyên"), "—");
    assert_string_equal(vn_time(t, "2024-12-23T09:05:01.020+07:00"), "23/12/2024 09:05");
    assert_string_equal(vn_time(t, ""), "—");
    assert_int_equal(vn_date_parse("30/11/2024", iso), 0);
    assert_string_equal(iso, "2024-11-30");
    assert_int_equal(vn_date_parse("1/2/2025", iso), 0);
    assert_string_equal(iso, "2025-02-01");
    assert_int_equal(vn_date_parse("2024-02-29", iso), 0);
    assert_string_equal(iso, "2024-02-29");
    const char *bad[] = {"2023-02-29", "31/04/2024", "32/12/2024", "30/11/2024x", "30/11/24", "", "hôm nay", "2024-13-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(vn_date_parse(bad[i], iso), -1);
}

/* What f holds, from its start; the caller frees it. */
static char *contents(FILE *f)
{
    long n = ftell(f);
    rewind(f);
    char *s = calloc(1, (size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    return s;
}

/* Each line of text no wider than width characters; its words, joined, are want's. */
static void assert_wrapped(const char *text, int indent, int width, const char *want)
{
    char joined[2048] = "";
    size_t o = 0;
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "\n");
        char *line = strndup(p, len);
        assert_true(grid_width(line) <= width);
        free(line);
        for (size_t k = (size_t)indent; k < len && o + 2 < sizeof joined; k++)
            joined[o++] = p[k];
        if (len > (size_t)indent)
            joined[o++] = ' ';
        p += len + (p[len] == '\n');
    }
    if (o)
        joined[o - 1] = '\0';
    assert_string_equal(joined, want);
}

static void test_wrap(void **st)
{
    (void)st;
    assert_int_equal(grid_width("Huyện Tam Đường"), 15);
    assert_int_equal(grid_width("Ðe\xcc\x81"), 2); /* a combining accent takes no column */
    /* the report's workbook sizes its rows by it: 26 characters, three lines of 11 */
    assert_int_equal(grid_lines("Năm 2022 (điểm đạt/tối đa)", 11), 3);
    assert_int_equal(grid_lines("Năm 2022 (điểm đạt/tối đa)", 26), 1);
    assert_int_equal(grid_lines("a\nb", 40), 2);
    assert_int_equal(grid_lines("PL24-PAR-10-TDG", 10), 2);
    const char *task = "Cung cấp thông tin về chính sách cho người dân; tổ chức nhiều hình thức để người dân "
                       "góp ý xây dựng chính sách.";
    FILE *f = tmpfile();
    grid_text(f, task, 4, 40);
    char *out = contents(f);
    fclose(f);
    assert_wrapped(out, 4, 40, task);
    assert_non_null(strstr(out, "    Cung cấp"));
    free(out);
    /* a word longer than the line is broken, not cut */
    f = tmpfile();
    grid_text(f, "PL24-PAR-10-TDG-BBO-VERY-LONG-IDENTIFIER", 0, 10);
    out = contents(f);
    fclose(f);
    assert_string_equal(out, "PL24-PAR-1\n0-TDG-BBO-\nVERY-LONG-\nIDENTIFIER\n");
    free(out);
}

static void test_table(void **st)
{
    (void)st;
    grid_col cols[] = {{"Mã nhiệm vụ", 0, 0, 1}, {"Hạn", 0, 0, 0}, {"Số", 0, 1, 1}};
    grid g = {cols, 3, 2};
    grid_cells c = {0};
    grid_cell(&c, "%s", "PL23-BC-TDG");
    grid_cell(&c, "%s", "20/03/2025\nQuý I, 6 tháng, Quý III và báo cáo năm");
    grid_cell(&c, "%d", 87);
    grid_cell(&c, "%s", "PL23-SIPAS-1-TDG");
    grid_cell(&c, "%s", "30/11/2024");
    grid_cell(&c, "%d", -23);
    grid_fit(&g, (const char *const *)c.v, 2, 40);
    assert_int_equal(cols[0].width, 16); /* a code is never wrapped */
    assert_int_equal(cols[2].width, 3);
    assert_int_equal(cols[1].width, 40 - 16 - 3 - 4);
    FILE *f = tmpfile();
    grid_print(f, &g, &c);
    char *out = contents(f);
    fclose(f);
    assert_string_equal(out, "Mã nhiệm vụ       Hạn                 Số\n"
                             "PL23-BC-TDG       20/03/2025          87\n"
                             "                  Quý I, 6 tháng,\n"
                             "                  Quý III và báo\n"
                             "                  cáo năm\n"
                             "PL23-SIPAS-1-TDG  30/11/2024         -23\n");
    free(out);
    /* narrower than the fixed columns allow: those keep their width, the text its words */
    grid_fit(&g, (const char *const *)c.v, 2, 20);
    assert_int_equal(cols[0].width, 16);
    assert_int_equal(cols[1].width, 10);
    grid_cells_free(&c);
}

static void test_terminal_width(void **st)
{
    (void)st;
    setenv("COLUMNS", "120", 1);
    assert_int_equal(grid_term_width(), 120);
    setenv("COLUMNS", "wide", 1);
    assert_int_equal(grid_term_width(), 100);
    setenv("COLUMNS", "12", 1);
    assert_int_equal(grid_term_width(), 100);
    unsetenv("COLUMNS");
    assert_int_equal(grid_term_width(), 100);
}

/* The report's document: Vietnamese capitals, Markdown tables, a Word package that holds
 * every text escaped. */
static void test_doc(void **st)
{
    (void)st;
    sbuf u;
    sbuf_init(&u);
    doc_upper("Huyện Tam Đường, ủy ban nhân dân; ơ ư ă đ ễ ỹ", &u);
    sbuf_add(&u, "", 1);
    assert_string_equal(u.buf, "HUYỆN TAM ĐƯỜNG, ỦY BAN NHÂN DÂN; Ơ Ư Ă Đ Ễ Ỹ");
    sbuf_free(&u);
    doc *d = doc_new();
    doc_heading(d, 1, "I. PHÂN TÍCH");
    doc_para(d, "Tiêu chí 1.4.", "a <b> & \"c\" | d");
    doc_table(d, 2, DOC_BORDER);
    doc_cell(d, "Lĩnh vực", 0);
    doc_cell(d, "Điểm", 0);
    doc_cell(d, "Cải cách | thể chế", 0);
    doc_cell_num(d, "5,00", 5, DOC_NUMBER);
    sbuf md;
    sbuf_init(&md);
    doc_md(d, &md);
    sbuf_add(&md, "", 1);
    assert_non_null(strstr(md.buf, "## I. PHÂN TÍCH\n"));
    assert_non_null(strstr(md.buf, "| Lĩnh vực | Điểm |\n|---|---|\n| Cải cách \\| thể chế | 5,00 |\n"));
    sbuf x;
    sbuf_init(&x);
    par_err e = {{0}};
    assert_int_equal(doc_docx(d, "/tmp", &x, &e), 0);
    assert_memory_equal(x.buf, "PK\x03\x04", 4);
    sbuf_free(&x);
    sbuf_init(&x);
    doc_html(d, "t", "", &x);
    sbuf_add(&x, "", 1);
    assert_non_null(strstr(x.buf, "a &lt;b&gt; &amp; &quot;c&quot; | d"));
    assert_null(strstr(x.buf, "<b>"));
    sbuf_free(&x);
    sbuf_init(&x);
    assert_int_equal(doc_xlsx(d, "/tmp", &x, &e), 0);
    assert_memory_equal(x.buf, "PK\x03\x04", 4);
    sbuf_free(&x);
    sbuf_free(&md);
    doc_destroy(&d);
    assert_null(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers), cmocka_unit_test(test_dates),          cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_table),   cmocka_unit_test(test_terminal_width), cmocka_unit_test(test_doc),
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
