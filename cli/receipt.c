/* parctl receipt verify: checks a district's receipts file (par-agent's receipts.csv)
 * against the province's public receipt key: every batch's signature must cover its
 * rows exactly as they stand, so a row altered, added or removed is found. */
#include "cli.h"
#include "../common/csv.h"
#include "../common/json.h"
#include "../common/sign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { R_RECEIVED, R_SEQ, R_FILE, R_LINE, R_UNIT, R_YEAR, R_PERIOD, R_KIND, R_KEY, R_VALUE, R_DATE, R_NOTE, R_SIG, R_N };

static int verify(const char *path, const unsigned char *pk, pv *out, par_err *e)
{
    static const char *const cols[] = {"received", "seq",   "file", "line", "unit", "year", "period",
                                       "kind",     "key",   "value", "date", "note", "signature", NULL};
    char *buf = NULL;
    size_t len = 0;
    if (file_read(path, &buf, &len, e) < 0)
        return -1;
    csv_reader *r = csv_new(buf, len);
    csv_row row;
    int idx[R_N], rc = -1;
    int64_t batches = 0, lines = 0, open_from = 0;
    pv *bad = pv_arr();
    if (csv_next(r, &row, e) != 1 || csv_header(&row, cols, (1ul << R_N) - 1, idx, e) < 0) {
        if (!e->msg[0])
            err_set(e, "%s is empty", path);
        goto done;
    }
    sign_digest d;
    sign_digest_init(&d);
    int got;
    while ((got = csv_next(r, &row, e)) == 1) {
        if (!d.lines)
            open_from = row.line;
        const char *f[8];
        for (int i = 0; i < 8; i++)
            f[i] = row.f[idx[R_UNIT + i]];
        uint64_t seq = strtoull(row.f[idx[R_SEQ]], NULL, 10);
        sign_digest_line(&d, seq, row.f[idx[R_RECEIVED]], f);
        lines++;
        const char *sig = row.f[idx[R_SIG]];
        if (!*sig)
            continue;
        if (sign_digest_verify(&d, pk, sig) < 0) {
            char what[128];
            snprintf(what, sizeof what, "lines %lld-%lld", (long long)open_from, (long long)row.line);
            pv_push(bad, pv_str(what));
        }
        batches++;
        sign_digest_init(&d);
    }
    if (got < 0)
        goto done;
    if (d.lines) {
        char what[128];
        snprintf(what, sizeof what, "lines %lld-: no signature covers them", (long long)open_from);
        pv_push(bad, pv_str(what));
    }
    pv_set_str(out, "file", path);
    pv_set_int(out, "lines", lines);
    pv_set_int(out, "batches", batches);
    pv_set(out, "failed", bad);
    bad = NULL;
    rc = 0;
done:
    pv_free(bad);
    csv_destroy(r);
    free(buf);
    return rc;
}

int cli_receipt(cli *c, int argc, char **argv)
{
    const char *file = NULL, *key = NULL;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--key") && i + 1 < argc)
            key = argv[++i];
        else if (!file)
            file = argv[i];
    }
    if (argc < 3 || strcmp(argv[1], "verify") || !file) {
        fprintf(stderr, "usage: parctl receipt verify FILE [--key server.pub] [--json]\n");
        return 2;
    }
    char keypath[CONF_PATH + 64];
    if (key)
        str_copy(keypath, sizeof keypath, key);
    else
        sign_pub_default(c->conf, keypath, sizeof keypath);
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    par_err e = {{0}};
    if (sodium_init() < 0 || sign_pub_read(keypath, pk, &e) < 0) {
        fprintf(stderr, "parctl receipt: %s\n", e.msg[0] ? e.msg : "libsodium cannot start");
        return 2;
    }
    pv *out = pv_map();
    if (verify(file, pk, out, &e) < 0) {
        fprintf(stderr, "parctl receipt: %s\n", e.msg);
        pv_free(out);
        return 2;
    }
    const pv *bad = pv_get(out, "failed");
    int ok = bad->u.a.n == 0;
    pv_set(out, "ok", pv_bool(ok));
    pv_set_str(out, "key", keypath);
    if (c->json) {
        json_print(stdout, out);
    } else if (ok) {
        printf("Biên nhận hợp lệ: %lld dòng trong %lld lần gửi, đúng chữ ký của tỉnh (%s)\n",
               (long long)pv_get_int(out, "lines", 0), (long long)pv_get_int(out, "batches", 0), keypath);
    } else {
        printf("Biên nhận KHÔNG hợp lệ (%s): chữ ký không khớp với nội dung tệp ở\n", keypath);
        for (uint32_t i = 0; i < bad->u.a.n; i++)
            printf("  %s\n", bad->u.a.v[i]->u.s.p);
    }
    pv_free(out);
    return ok ? 0 : 1;
}
