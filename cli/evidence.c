/* parctl evidence list|get, parctl history and parctl appraise: what a unit sent for an
 * index and year, the documents behind it, every version of every value, and the
 * appraiser's view with the evidence gap first; from the collector. */
#include "cli.h"
#include "../common/json.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COLLECTOR_TIMEOUT_MS 30000

/* UNIT --index I --year Y [--criterion C] into args; 0, or 2 after the usage. */
static int unit_args(int argc, char **argv, int from, pv *args, const char *usage)
{
    const char *unit = NULL;
    for (int i = from; i < argc; i++) {
        const char *opt = !strcmp(argv[i], "--index") ? "index" : !strcmp(argv[i], "--year") ? "year"
                          : !strcmp(argv[i], "--criterion")                                 ? "criterion"
                                                                                             : NULL;
        if (opt && i + 1 < argc)
            pv_set_str(args, opt, argv[++i]);
        else if (!opt && !unit && argv[i][0] != '-')
            unit = argv[i];
        else {
            fprintf(stderr, "usage: %s\n", usage);
            return 2;
        }
    }
    if (!unit || !pv_get_str(args, "index") || !pv_get_str(args, "year")) {
        fprintf(stderr, "usage: %s\n", usage);
        return 2;
    }
    pv_set_str(args, "unit", unit);
    return 0;
}

static pv *ask(cli *c, const char *q, pv *args, const char *what)
{
    char who[64];
    snprintf(who, sizeof who, "parctl %s", what);
    return cli_query(c, "collector", q, args, COLLECTOR_TIMEOUT_MS, who, NULL);
}

static void show_list(const pv *list)
{
    if (!list->u.a.n) {
        printf("Chưa có tài liệu kiểm chứng\n");
        return;
    }
    char c1[64], c2[64];
    str_column(c1, sizeof c1, "TIÊU CHÍ", 14);
    str_column(c2, sizeof c2, "NGÀY NHẬN", 12);
    printf("%s %s %10s  %-16s %s\n", c1, c2, "BYTE", "SHA-256", "TÊN TỆP");
    for (uint32_t i = 0; i < list->u.a.n; i++) {
        const pv *d = list->u.a.v[i];
        char day[11];
        str_copy(day, sizeof day, pv_get_text(d, "received"));
        printf("%-14s %-12s %10s  %.16s %s\n", pv_get_text(d, "criterion"), day, pv_get_text(d, "size"), pv_get_text(d, "sha256"), pv_get_text(d, "name"));
    }
}

/* Fetches a document piece by piece into out, checked against its SHA-256. */
static int get(cli *c, const char *sha, const char *out)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.part", out);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0640);
    if (fd < 0) {
        fprintf(stderr, "parctl evidence: cannot write %s\n", tmp);
        return 1;
    }
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    int64_t at = 0, size = 1;
    unsigned char *buf = xmalloc(64 * 1024);
    int rc = 1;
    while (at < size) {
        pv *args = pv_map();
        char off[24];
        snprintf(off, sizeof off, "%lld", (long long)at);
        pv_set_str(args, "sha256", sha);
        pv_set_str(args, "offset", off);
        pv *d = ask(c, "evidence_get", args, "evidence");
        if (!d)
            goto done;
        size = pv_get_int(d, "size", 0);
        const pv *parts = pv_get(d, "parts");
        int64_t before = at;
        for (uint32_t i = 0; parts && i < parts->u.a.n; i++) {
            size_t n = 0;
            if (sodium_base642bin(buf, 64 * 1024, parts->u.a.v[i]->u.s.p, parts->u.a.v[i]->u.s.n, NULL, &n, NULL,
                                  sodium_base64_VARIANT_ORIGINAL) < 0 ||
                write(fd, buf, n) != (ssize_t)n) {
                pv_free(d);
                fprintf(stderr, "parctl evidence: a piece could not be read or written\n");
                goto done;
            }
            crypto_hash_sha256_update(&h, buf, n);
            at += (int64_t)n;
        }
        pv_free(d);
        if (at == before && at < size) {
            fprintf(stderr, "parctl evidence: the document ended at %lld of %lld bytes\n", (long long)at,
                    (long long)size);
            goto done;
        }
    }
    unsigned char bin[32];
    char hex[65];
    crypto_hash_sha256_final(&h, bin);
    sodium_bin2hex(hex, sizeof hex, bin, sizeof bin);
    if (strcmp(hex, sha)) {
        fprintf(stderr, "parctl evidence: the document read has SHA-256 %s, not %s\n", hex, sha);
        goto done;
    }
    if (fsync(fd) < 0 || rename(tmp, out) < 0) {
        fprintf(stderr, "parctl evidence: cannot write %s\n", out);
        goto done;
    }
    printf("%s: %lld byte, SHA-256 đúng\n", out, (long long)size);
    rc = 0;
done:
    close(fd);
    if (rc)
        unlink(tmp);
    free(buf);
    return rc;
}

int cli_evidence(cli *c, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "get")) {
        const char *sha = NULL, *out = NULL;
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "-o") && i + 1 < argc)
                out = argv[++i];
            else if (!sha)
                sha = argv[i];
        }
        if (!sha || !out) {
            fprintf(stderr, "usage: parctl evidence get SHA256 -o FILE\n");
            return 2;
        }
        if (sodium_init() < 0)
            return 1;
        return get(c, sha, out);
    }
    const char *usage = "parctl evidence list UNIT --index I --year Y [--criterion C] [--json]";
    if (argc < 2 || strcmp(argv[1], "list")) {
        fprintf(stderr, "usage: %s\n       parctl evidence get SHA256 -o FILE\n", usage);
        return 2;
    }
    pv *args = pv_map();
    int rc = unit_args(argc, argv, 2, args, usage);
    if (rc) {
        pv_free(args);
        return rc;
    }
    pv *d = ask(c, "evidence", args, "evidence");
    if (!d)
        return 1;
    if (c->json)
        json_print(stdout, d);
    else
        show_list(d);
    pv_free(d);
    return 0;
}

static void show_history(const pv *list)
{
    if (!list->u.a.n) {
        printf("Chưa có giá trị nào\n");
        return;
    }
    static const char *const head[] = {"THỜI ĐIỂM NHẬN", "TIÊU CHÍ", "LOẠI", "GIÁ TRỊ", "GIAI ĐOẠN", "NGƯỜI GỬI"};
    static const int width[] = {24, 12, 12, 8, 14, 20};
    for (int i = 0; i < 6; i++) {
        char col[128];
        str_column(col, sizeof col, head[i], width[i]);
        printf("%s ", col);
    }
    printf("GHI CHÚ\n");
    for (uint32_t i = 0; i < list->u.a.n; i++) {
        const pv *h = list->u.a.v[i];
        char when[24], value[32];
        str_copy(when, sizeof when, pv_get_text(h, "received"));
        str_copy(value, sizeof value, pv_get_text(h, "value"));
        for (char *p = value; *p; p++)
            if (*p == '.')
                *p = ',';
        printf("%-24s %-12s %-12s %-8s %-14s %-20s %s%s\n", when, pv_get_text(h, "key"), pv_get_text(h, "kind"), value,
               *pv_get_text(h, "phase") ? pv_get_text(h, "phase") : "-", pv_get_text(h, "sender"), pv_get_text(h, "note"),
               *pv_get_text(h, "late") ? " (nộp muộn)" : "");
    }
}

int cli_history(cli *c, int argc, char **argv)
{
    pv *args = pv_map();
    int rc = unit_args(argc, argv, 1, args, "parctl history UNIT --index I --year Y [--criterion C] [--json]");
    if (rc) {
        pv_free(args);
        return rc;
    }
    pv *d = ask(c, "history", args, "history");
    if (!d)
        return 1;
    if (c->json)
        json_print(stdout, d);
    else
        show_history(d);
    pv_free(d);
    return 0;
}

static const char *num_vi(const char *v, char out[32])
{
    if (!*v)
        return "—";
    str_copy(out, 32, v);
    for (char *p = out; *p; p++)
        if (*p == '.')
            *p = ',';
    return out;
}

static void show_appraise(const pv *d)
{
    const pv *list = pv_get(d, "criteria");
    printf("Thẩm định %s (%s), chỉ số %s năm %lld: %lld tiêu chí cần xem trước\n", pv_get_text(d, "name"), pv_get_text(d, "unit"),
           pv_get_text(d, "index"), (long long)pv_get_int(d, "year", 0), (long long)pv_get_int(d, "gaps", 0));
    static const char *const head[] = {"TIÊU CHÍ", "TỐI ĐA", "TỰ CHẤM", "THẨM ĐỊNH", "NĂM TRƯỚC", "TÀI LIỆU"};
    static const int width[] = {14, 8, 8, 10, 10, 9};
    for (int i = 0; i < 6; i++) {
        char col[96];
        str_column(col, sizeof col, head[i], width[i]);
        printf("%s ", col);
    }
    printf("TÊN\n");
    for (uint32_t i = 0; list && i < list->u.a.n; i++) {
        const pv *c = list->u.a.v[i];
        char num[32], cell[96];
        const char *vals[] = {pv_get_text(c, "max"), pv_get_text(c, "self"), pv_get_text(c, "appraisal"), pv_get_text(c, "last_year")};
        printf("%-14s ", pv_get_text(c, "criterion"));
        for (int k = 0; k < 4; k++) {
            str_column(cell, sizeof cell, num_vi(vals[k], num), width[k + 1]);
            printf("%s ", cell);
        }
        printf("%-9lld %s\n", (long long)pv_get_int(c, "evidence", 0), pv_get_text(c, "name"));
        const pv *flags = pv_get(c, "flags");
        for (uint32_t f = 0; flags && f < flags->u.a.n; f++)
            printf("    ! %s\n", pv_get_text(flags->u.a.v[f], "text"));
        if (*pv_get_text(c, "explanation"))
            printf("    giải trình: %s\n", pv_get_text(c, "explanation"));
    }
}

int cli_appraise(cli *c, int argc, char **argv)
{
    pv *args = pv_map();
    int rc = unit_args(argc, argv, 1, args, "parctl appraise UNIT --index I --year Y [--json]");
    if (rc) {
        pv_free(args);
        return rc;
    }
    pv *d = ask(c, "appraise", args, "appraise");
    if (!d)
        return 1;
    if (c->json)
        json_print(stdout, d);
    else
        show_appraise(d);
    pv_free(d);
    return 0;
}
