#include "cli.h"
#include "../common/client.h"
#include "../common/json.h"
#include "../common/reason.h"
#include "../common/table.h"

#include <stdio.h>
#include <string.h>

#define IMPORT_TIMEOUT_MS 30000

/* Each issue in English (as logged), then in Vietnamese for the official (common/reason). */
static void print_issues(const char *path, const pv *list, const char *label)
{
    for (uint32_t i = 0; list && i < list->u.a.n; i++) {
        const pv *x = list->u.a.v[i];
        const char *why = pv_get_str(x, "reason") ? pv_get_str(x, "reason") : "";
        char vi[2048];
        fprintf(stdout, "%s: line %lld: %s%s\n    (dòng %lld: %s%s)\n", path, (long long)pv_get_int(x, "line", 0), label,
                why, (long long)pv_get_int(x, "line", 0), *label ? "cảnh báo: " : "", reason_vi(why, vi, sizeof vi));
    }
}

int cli_import(cli *c, int argc, char **argv)
{
    if (argc != 3 || table_format_named(argv[1]) < 0 || !strcmp(argv[1], "submissions")) {
        fprintf(stderr, "usage: parctl import units|framework|tasks FILE\n");
        return 2;
    }
    const char *what = argv[1], *path = argv[2];
    table_format f = (table_format)table_format_named(what);
    table t;
    par_err e = {{0}};
    if (table_load_file(path, table_cols(f), table_required(f), &t, stdout, &e) < 0) {
        fprintf(stderr, "parctl: %s\n", e.msg);
        return 2;
    }
    if (t.refused) {
        /* reference data goes in whole or not at all */
        fprintf(stderr, "parctl: %s: %d of %d lines cannot be read; nothing imported\n", path, t.refused, t.lines);
        table_free(&t);
        return 1;
    }
    client *cl = cli_client(c);
    if (!cl) {
        table_free(&t);
        return 2;
    }
    pv *msg = proto_msg(MSG_IMPORT);
    pv_set_str(msg, "what", what);
    pv_set(msg, "cols", table_cols_pv(&t));
    pv_set(msg, "rows", table_rows_pv(&t));
    pv *reply = NULL;
    int rc = 1;
    if (client_call(cl, "collector", msg, IMPORT_TIMEOUT_MS, &reply, &e) < 0) {
        fprintf(stderr, "parctl: import %s: %s\n", what, e.msg);
        goto done;
    }
    const pv *d = pv_get(reply, "data");
    const pv *errors = pv_get(d, "errors"), *warnings = pv_get(d, "warnings");
    int nerr = errors ? (int)errors->u.a.n : 0;
    if (c->json) {
        json_print(stdout, d);
    } else {
        print_issues(path, errors, "");
        print_issues(path, warnings, "warning: ");
        if (nerr)
            fprintf(stderr, "parctl: %s: %d lines refused; nothing imported\n", path, nerr);
        else
            fprintf(stdout, "imported %s from %s: %lld rows, %lld changed, %lld unchanged\n", what, path,
                    (long long)pv_get_int(d, "rows", 0), (long long)pv_get_int(d, "changed", 0),
                    (long long)pv_get_int(d, "unchanged", 0));
    }
    rc = nerr ? 1 : 0;
done:
    pv_free(reply);
    pv_free(msg);
    table_free(&t);
    client_destroy(cl);
    return rc;
}
