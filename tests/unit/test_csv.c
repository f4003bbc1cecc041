/* csv: quoting, line numbers, encodings, headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../common/csv.h"
#include "../../common/reason.h"
#include "../../common/strset.h"
#include "../../common/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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
    assert_non_null(strstr(e.msg, "line 4: a quote opened here is never closed"));
    csv_destroy(r);

    /* a quote never closed refuses its own line: the lines after it are read on their own */
    const char open[] = "a,b\n1,x\n2,\"open\n3,y\n4,z\n";
    r = csv_new(open, sizeof open - 1);
    assert_int_equal(csv_next(r, &row, &e), 1);
    assert_int_equal(csv_next(r, &row, &e), 1);
    assert_int_equal(csv_next(r, &row, &e), -1);
    assert_non_null(strstr(e.msg, "line 3"));
    assert_int_equal(csv_next(r, &row, &e), 1);
    assert_int_equal(row.line, 4);
    assert_string_equal(row.f[1], "y");
    assert_int_equal(csv_next(r, &row, &e), 1);
    assert_int_equal(row.line, 5);
    assert_int_equal(csv_next(r, &row, &e), 0);
    csv_destroy(r);

    /* a quote that runs into a NUL on a later line: the lines it took in are read again */
    const char nul[] = "a,b\nx,\"q\ny,z\nw,\0v\nk,l\n";
    r = csv_new(nul, sizeof nul - 1);
    assert_int_equal(csv_next(r, &row, &e), 1);
    assert_int_equal(csv_next(r, &row, &e), -1); /* line 2, its quote */
    assert_non_null(strstr(e.msg, "line 2"));
    assert_int_equal(csv_next(r, &row, &e), 1);
    assert_string_equal(row.f[0], "y");
    assert_int_equal(csv_next(r, &row, &e), -1); /* line 4, the NUL */
    assert_non_null(strstr(e.msg, "line 4"));
    assert_int_equal(csv_next(r, &row, &e), 1);
    assert_string_equal(row.f[0], "k");
    csv_destroy(r);

    /* a quoted field that does close, over lines: where the record starts and ends */
    const char span[] = "a,b\n1,\"two\nlines\nand three\"\n2,x\n";
    r = csv_new(span, sizeof span - 1);
    assert_int_equal(csv_next(r, &row, &e), 1);
    assert_int_equal(csv_next(r, &row, &e), 1);
    assert_int_equal(row.line, 2);
    assert_int_equal(row.last_line, 4);
    assert_int_equal(csv_next(r, &row, &e), 1);
    assert_int_equal(row.line, 5);
    assert_int_equal(row.last_line, 5);
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
    csv_row h = {.line = 1, .last_line = 1, .n = 2, .f = {"year", " unit "}};
    assert_int_equal(csv_header(&h, cols, 0x3, idx, &e), 0);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 0);
    assert_int_equal(idx[2], -1);
    csv_row unknown = {.line = 1, .last_line = 1, .n = 3, .f = {"unit", "year", "colour"}};
    assert_int_equal(csv_header(&unknown, cols, 0x3, idx, &e), -1);
    assert_non_null(strstr(e.msg, "unknown column 'colour'"));
    csv_row missing = {.line = 1, .last_line = 1, .n = 1, .f = {"unit"}};
    assert_int_equal(csv_header(&missing, cols, 0x3, idx, &e), -1);
    assert_non_null(strstr(e.msg, "missing column 'year'"));
    csv_row twice = {.line = 1, .last_line = 1, .n = 3, .f = {"unit", "year", "unit"}};
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
    /* cells a spreadsheet would run as formulas, neutralised (OWASP); numbers stay numbers */
    const char *in[] = {"=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "-0,5", "+12.5", "-", "a=b"};
    const char *out[] = {"\"'=cmd|' /C calc'!A0\"", "\"'+1+1\"", "\"'-2+3\"", "\"'@SUM(A1)\"", "\"'\tx\"",
                         "\"-0,5\"", "+12.5", "\"'-\"", "a=b"};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        b.len = 0;
        csv_put(&b, in[i]);
        sbuf_add(&b, "", 1);
        assert_string_equal(b.buf, out[i]);
        /* and reads back as it was: a file the system wrote can be sent again unchanged */
        csv_reader *r = csv_new(b.buf, b.len - 1);
        csv_row row;
        par_err e;
        assert_int_equal(csv_next(r, &row, &e), 1);
        assert_string_equal(row.f[0], in[i]);
        csv_destroy(r);
    }
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

/* Writes bytes to a temporary file named ...NAME and loads it as submissions. */
static int load(const char *name, const void *bytes, size_t n, table *t, char *report, size_t rn, par_err *e)
{
    char dir[] = "/tmp/par-csv.XXXXXX", path[128];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    fwrite(bytes, 1, n, f);
    fclose(f);
    FILE *rs = fmemopen(report, rn, "w");
    int rc = table_load_file(path, table_cols(TABLE_SUBMISSIONS), table_required(TABLE_SUBMISSIONS), t, rs, e);
    fclose(rs);
    unlink(path);
    rmdir(dir);
    return rc;
}

/* A file over TABLE_MAX_BYTES is refused by its size, before a byte of it is read
 * (sparse here: no disk used); one within it is read as it is. */
static void test_read_bounded(void **st)
{
    (void)st;
    char dir[] = "/tmp/par-big.XXXXXX", path[128];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/big.csv", dir);
    assert_int_equal(truncate(path, 0), -1); /* not there yet */
    FILE *f = fopen(path, "w");
    fclose(f);
    assert_int_equal(truncate(path, (off_t)TABLE_MAX_BYTES + 1), 0);
    char *buf = NULL;
    size_t len = 0;
    par_err e;
    assert_int_equal(table_read_file(path, &buf, &len, &e), -2);
    assert_null(buf);
    assert_non_null(strstr(e.msg, "67108865 bytes, more than the 64 MiB a file may have: split it"));
    table t;
    assert_int_equal(table_load_file(path, table_cols(TABLE_SUBMISSIONS), table_required(TABLE_SUBMISSIONS), &t,
                                     stderr, &e),
                     -1);
    assert_int_equal(truncate(path, 5), 0);
    assert_int_equal(table_read_file(path, &buf, &len, &e), 0);
    assert_int_equal(len, 5);
    free(buf);
    snprintf(path + strlen(path) - 7, 16, "gone.csv");
    assert_int_equal(table_read_file(path, &buf, &len, &e), -1);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* file_read_max: a file read whole into a buffer of its size; one over the bound refused
 * before it is held; files whose size says nothing (procfs) read to their end. */
static void test_read_max(void **st)
{
    (void)st;
    char dir[] = "/tmp/par-read.XXXXXX", path[128];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/f", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 300000; i++)
        fputc('a' + i % 26, f);
    fclose(f);
    char *buf = NULL;
    size_t len = 0;
    par_err e = {{0}};
    assert_int_equal(file_read_max(path, 300000, &buf, &len, &e), 0);
    assert_int_equal(len, 300000);
    assert_int_equal(buf[len], '\0');
    for (size_t i = 0; i < len; i += 9973)
        assert_int_equal(buf[i], 'a' + (int)(i % 26));
    free(buf);
    buf = NULL;
    assert_int_equal(file_read_max(path, 299999, &buf, &len, &e), -2);
    assert_null(buf);
    assert_int_equal(len, 300000); /* the size seen, for the caller's own words */
    assert_non_null(strstr(e.msg, "300000 bytes, more than 299999"));
    f = fopen(path, "w");
    fclose(f);
    assert_int_equal(file_read(path, &buf, &len, &e), 0);
    assert_int_equal(len, 0);
    assert_string_equal(buf, "");
    free(buf);
    /* procfs says 0 bytes and has more */
    assert_int_equal(file_read("/proc/self/status", &buf, &len, &e), 0);
    assert_true(len > 100);
    assert_int_equal(strncmp(buf, "Name:", 5), 0);
    assert_int_equal(strlen(buf), len);
    free(buf);
    buf = NULL;
    assert_int_equal(file_read_max("/proc/self/status", 10, &buf, &len, &e), -2);
    assert_null(buf);
    assert_non_null(strstr(e.msg, "more than 10 bytes"));
    snprintf(path, sizeof path, "%s/gone", dir);
    assert_int_equal(file_read_max(path, 10, &buf, &len, &e), -1);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* Files as Excel on Windows saves them: CSV with ';' (a Vietnamese locale's list
 * separator, decimal commas in the values), "Unicode Text" (UTF-16 LE with a BOM, tabs). */
static void test_windows_files(void **st)
{
    (void)st;
    table t;
    par_err e = {{0}};
    char report[512] = "";
    const char semi[] = "unit;year;period;kind;key;value;date;note\r\nTDG;2023;Y;score;1.3;1,5;;\"a; b\"\r\n";
    assert_int_equal(load("tdg.csv", semi, sizeof semi - 1, &t, report, sizeof report, &e), 0);
    assert_int_equal(t.nrows, 1);
    assert_string_equal(table_field(&t, 0, 5), "1,5");
    assert_string_equal(table_field(&t, 0, 7), "a; b");
    table_free(&t);

    /* "Tam Đường" and a tab-separated line, as UTF-16 LE with its BOM */
    const char *text = "unit\tyear\tperiod\tkind\tkey\tvalue\tdate\tnote\r\nTDG\t2023\tY\tscore\t1.3\t2\t\tTam Đường\r\n";
    unsigned char u16[512];
    size_t n = 0;
    u16[n++] = 0xff;
    u16[n++] = 0xfe;
    for (const unsigned char *p = (const unsigned char *)text; *p;) { /* UTF-8 to UTF-16 LE (BMP) */
        unsigned cp = *p < 0x80 ? *p : (*p & 0xf0) == 0xe0 ? (unsigned)(*p & 0x0f) : (unsigned)(*p & 0x1f);
        int extra = *p < 0x80 ? 0 : (*p & 0xf0) == 0xe0 ? 2 : 1;
        p++;
        while (extra--)
            cp = cp << 6 | (*p++ & 0x3f);
        u16[n++] = (unsigned char)cp;
        u16[n++] = (unsigned char)(cp >> 8);
    }
    assert_int_equal(load("tdg.txt", u16, n, &t, report, sizeof report, &e), 0);
    assert_int_equal(t.nrows, 1);
    assert_string_equal(table_field(&t, 0, 0), "TDG");
    assert_string_equal(table_field(&t, 0, 7), "Tam Đường");
    table_free(&t);

    /* a header read as one column says how it was read */
    const char odd[] = "unit|year|period|kind|key|value\nTDG|2023|Y|score|1.3|2\n";
    assert_int_equal(load("odd.csv", odd, sizeof odd - 1, &t, report, sizeof report, &e), -1);
    assert_non_null(strstr(e.msg, "the header read with ',' between columns"));

    /* an extra column is called one, not a missing one */
    const char extra[] = "unit,year,period,kind,key,value\nTDG,2023,Y,score,1.3,1,5\n";
    assert_int_equal(load("x.csv", extra, sizeof extra - 1, &t, report, sizeof report, &e), 0);
    assert_non_null(strstr(report, "line 2: 7 fields where the header has 6 (an extra column"));
    table_free(&t);
}

/* A table's rows are held without a value a field, in chunks that must not move: a
 * JSON Lines file whose numbers are written longer than the file has them (1e14 is
 * read as "100000000000000") outgrows the first chunk, and every field read before
 * stays good. The rows as values are the same rows. */
static void test_table_rows(void **st)
{
    (void)st;
    sbuf b;
    sbuf_init(&b);
    int n = 5000;
    for (int i = 0; i < n; i++)
        sbuf_printf(&b, "{\"unit\":1e14,\"year\":1e14,\"period\":1e14,\"kind\":1e14,\"key\":\"k%d\",\"value\":1e14}\n",
                    i);
    sbuf_puts(&b, "not json\n");
    table t;
    FILE *rs = fopen("/dev/null", "w");
    assert_int_equal(table_parse_jsonl("x.jsonl", b.buf, b.len, table_cols(TABLE_SUBMISSIONS),
                                       table_required(TABLE_SUBMISSIONS), &t, rs),
                     0);
    assert_int_equal(t.nrows, n);
    assert_int_equal(t.lines, n + 1);
    assert_int_equal(t.refused, 1);
    assert_int_equal(t.ncols, 8);
    pv *rows = table_rows_pv(&t), *cols = table_cols_pv(&t);
    assert_int_equal(cols->u.a.n, 8);
    assert_string_equal(cols->u.a.v[4]->u.s.p, "key");
    for (int i = 0; i < n; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(t.line[i], i + 1);
        assert_string_equal(table_field(&t, (uint32_t)i, 0), "100000000000000");
        assert_string_equal(table_field(&t, (uint32_t)i, 4), key);
        assert_string_equal(table_field(&t, (uint32_t)i, 7), "");
        const pv *r = rows->u.a.v[i];
        assert_int_equal(r->u.a.n, 9);
        assert_int_equal(r->u.a.v[0]->u.i, i + 1);
        for (uint32_t c = 0; c < 8; c++)
            assert_string_equal(r->u.a.v[1 + c]->u.s.p, table_field(&t, (uint32_t)i, c));
    }
    pv_free(rows);
    pv_free(cols);
    table_free(&t);

    /* CSV: fields trimmed and unquoted, a bad line left out, the rest in file order */
    par_err e;
    const char csv[] = "unit, year ,period,kind,key,value\nTDG, 2023 ,Y,score,\"1,1\",\"a \"\"b\"\"\"\n"
                       "TDG,2023\nSNV,2024,Y,score,2,\"\"\n";
    assert_int_equal(table_parse_csv("x.csv", csv, sizeof csv - 1, table_cols(TABLE_SUBMISSIONS),
                                     table_required(TABLE_SUBMISSIONS), &t, rs, &e),
                     0);
    assert_int_equal(t.nrows, 2);
    assert_int_equal(t.refused, 1);
    assert_string_equal(t.cols[1], "year");
    assert_int_equal(t.line[0], 2);
    assert_int_equal(t.line[1], 4);
    assert_string_equal(table_field(&t, 0, 1), "2023");
    assert_string_equal(table_field(&t, 0, 4), "1,1");
    assert_string_equal(table_field(&t, 0, 5), "a \"b\"");
    assert_string_equal(table_field(&t, 1, 0), "SNV");
    assert_string_equal(table_field(&t, 1, 5), "");
    table_free(&t);

    /* the arrays are sized from the lines up to a bound, then grow: 300,000 rows read
     * whole, and a file of blank lines reserves no room for millions of rows */
    b.len = 0;
    sbuf_puts(&b, "unit,year,period,kind,key,value\n");
    for (int i = 0; i < 300000; i++)
        sbuf_printf(&b, "TDG,2024,M01,metric,m%d,%d\n", i, i);
    assert_int_equal(table_parse_csv("big.csv", b.buf, b.len, table_cols(TABLE_SUBMISSIONS),
                                     table_required(TABLE_SUBMISSIONS), &t, rs, &e),
                     0);
    assert_int_equal(t.nrows, 300000);
    assert_int_equal(t.line[299999], 300001);
    assert_string_equal(table_field(&t, 299999, 4), "m299999");
    assert_string_equal(table_field(&t, 0, 5), "0");
    table_free(&t);
    b.len = 0;
    sbuf_puts(&b, "unit,year,period,kind,key,value\n");
    for (int i = 0; i < 1000000; i++)
        sbuf_add(&b, "\r\n", 2);
    assert_int_equal(table_parse_csv("blank.csv", b.buf, b.len, table_cols(TABLE_SUBMISSIONS),
                                     table_required(TABLE_SUBMISSIONS), &t, rs, &e),
                     0);
    assert_int_equal(t.nrows, 0);
    assert_true(t.cap <= 1u << 18);
    table_free(&t);
    fclose(rs);
    sbuf_free(&b);
}

/* Refusals read in Vietnamese with the same facts as in English. */
static void test_reason_vi(void **st)
{
    (void)st;
    char vi[512];
    assert_string_equal(reason_vi("value 3 is above the maximum 2 of PAR:1.3", vi, sizeof vi),
                        "giá trị 3 vượt quá điểm tối đa 2 của PAR:1.3");
    assert_string_equal(reason_vi("unknown unit XYZ", vi, sizeof vi), "đơn vị XYZ không có trong danh mục");
    /* not a refusal: the province did not answer */
    assert_string_equal(reason_vi("no answer from collector at tcp://127.0.0.1:5555 after 60 s (the provincial server "
                                  "cannot be reached)", vi, sizeof vi),
                        "không có trả lời từ collector ở tcp://127.0.0.1:5555 sau 60 giây: không kết nối được máy "
                        "chủ của tỉnh");
    assert_string_equal(reason_vi("task T1 is not assigned to unit TDG", vi, sizeof vi),
                        "nhiệm vụ T1 không giao cho đơn vị TDG");
    assert_string_equal(reason_vi("unit TUY is neither TDG nor below it: the agent of TDG does not send for it "
                                  "([agent] unit)", vi, sizeof vi),
                        "đơn vị TUY không phải TDG hay đơn vị trực thuộc: tác nhân của TDG không gửi số liệu cho "
                        "đơn vị đó ([agent] unit)");
    assert_string_equal(reason_vi("7 fields where the header has 6 (an extra column: a separator inside a value that "
                                  "is not quoted?)", vi, sizeof vi),
                        "7 cột trong khi dòng tiêu đề có 6 (thừa cột: có dấu phân cách trong một giá trị không đặt "
                        "trong ngoặc kép?)");
    assert_string_equal(reason_vi("line 1: missing column 'value' (the header read with ';' between columns: save it "
                                  "from Excel as \"CSV UTF-8\", or with ',' or ';' between the column names "
                                  "unit,year,period,kind,key,value)", vi, sizeof vi),
                        "dòng 1: thiếu cột 'value' (dòng tiêu đề được đọc với ';' giữa các cột: lưu tệp từ Excel "
                        "dạng \"CSV UTF-8\", hoặc với ',' hay ';' giữa các tên cột unit,year,period,kind,key,value)");
    /* a dissolved unit's key, with and without the unit that took over (issue 19) */
    assert_string_equal(reason_vi("unit TDG-TT ended on 30/06/2025 (valid_to): its keys and accounts stopped then; "
                                  "LC-TDU took over", vi, sizeof vi),
                        "đơn vị TDG-TT đã kết thúc hoạt động sau ngày 30/06/2025 (valid_to): khóa và tài khoản của "
                        "đơn vị dừng từ đó; đơn vị kế thừa là LC-TDU");
    assert_string_equal(reason_vi("unit TDG ended on 30/06/2025 (valid_to): its keys and accounts stopped then", vi,
                                  sizeof vi),
                        "đơn vị TDG đã kết thúc hoạt động sau ngày 30/06/2025 (valid_to): khóa và tài khoản của đơn vị "
                        "dừng từ đó");
    assert_string_equal(reason_vi("valid_to '31/02/2025' is not a date (day/month/year or YYYY-MM-DD)", vi, sizeof vi),
                        "valid_to '31/02/2025' không phải là ngày (ngày/tháng/năm hoặc YYYY-MM-DD)");
    /* what no pattern knows is still said, in English after a Vietnamese lead */
    assert_string_equal(reason_vi("something new", vi, sizeof vi), "bị từ chối (lý do bằng tiếng Anh): something new");
}

/* The keys made by hand read as snprintf makes them, cut where it cuts. */
static void test_join_bars(void **st)
{
    (void)st;
    const char *parts[5] = {"TDG", "2024", "M01", "metric", "so_ho_tiep_nhan"};
    char got[64], want[64];
    for (size_t n = 1; n <= sizeof got; n++) {
        size_t l = str_join_bars(got, n, parts, 5);
        int w = snprintf(want, n, "%s|%s|%s|%s|%s", parts[0], parts[1], parts[2], parts[3], parts[4]);
        assert_string_equal(got, want);
        assert_int_equal(l, (size_t)w < n ? (size_t)w : n - 1);
    }
    assert_int_equal(str_join_bars(got, sizeof got, parts, 1), 3);
    assert_string_equal(got, "TDG");
    /* the numbers in them */
    const int64_t nums[] = {0, 7, -1, 2024, -2024, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        char d[24], *p = dec_i64(d + sizeof d - 1, nums[i]);
        d[sizeof d - 1] = '\0';
        snprintf(want, sizeof want, "%lld", (long long)nums[i]);
        assert_string_equal(p, want);
    }
    char u[24], *up = dec_u64(u + sizeof u - 1, UINT64_MAX);
    u[sizeof u - 1] = '\0';
    assert_string_equal(up, "18446744073709551615");
    const char *empty[3] = {"", "", ""};
    assert_int_equal(str_join_bars(got, sizeof got, empty, 3), 2);
    assert_string_equal(got, "||");
}

/* Ids stay where they were through every growth of the table, and a cleared set starts
 * again from 0 (growing reuses each item's kept hash, never its string). */
static void test_strset_grows(void **st)
{
    (void)st;
    strset s;
    strset_init(&s);
    char k[32];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 100000; i++) {
            snprintf(k, sizeof k, "key_%d", i);
            assert_int_equal(strset_intern(&s, k), (size_t)i);
        }
        for (int i = 0; i < 100000; i += 7) {
            snprintf(k, sizeof k, "key_%d", i);
            assert_int_equal(strset_index(&s, k), i);
            assert_int_equal(strset_add(&s, k), 0);
            assert_string_equal(s.items[i], k);
        }
        assert_int_equal(strset_index(&s, "key_100000"), -1);
        assert_false(strset_has(&s, ""));
        assert_int_equal(strset_add(&s, ""), 1); /* the empty string is a string */
        assert_true(strset_has(&s, ""));
        strset_clear(&s);
        assert_int_equal(strset_index(&s, "key_1"), -1);
    }
    strset_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_errors_name_the_line),
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_put),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_windows_files),
        cmocka_unit_test(test_table_rows),
        cmocka_unit_test(test_read_bounded),
        cmocka_unit_test(test_read_max),
        cmocka_unit_test(test_reason_vi),
        cmocka_unit_test(test_strset_grows),
        cmocka_unit_test(test_join_bars),
    };
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
