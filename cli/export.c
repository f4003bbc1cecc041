#include "cli.h"
#include "../common/client.h"
#include "../common/csv.h"
#include "../common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT_TIMEOUT_MS 30000

int cli_export(cli *c, int argc, char **argv)
{
    const char *unit = NULL, *year = NULL;
    if (argc < 2 || strcmp(argv[1], "submissions"))
        goto usage;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--unit") && i + 1 < argc)
            unit = argv[++i];
        else if (!strcmp(argv[i], "--year") && i + 1 < argc)
            year = argv[++i];
        else
            goto usage;
    }
    par_err e = {{0}};
    client *cl = cli_client(c);
    if (!cl)
        return 2;
    pv *all = c->json ? pv_arr() : NULL;
    char *next = NULL;
    int rc = 0, first = 1;
    sbuf line;
    sbuf_init(&line);
    do {
        pv *args = pv_map();
        if (unit)
            pv_set_str(args, "unit", unit);
        if (year)
            pv_set_str(args, "year", year);
        if (next)
            pv_set_str(args, "after", next);
        free(next);
        next = NULL;
        pv *d = cli_ask(cl, "collector", "export", args, EXPORT_TIMEOUT_MS, &e);
        if (!d) {
            fprintf(stderr, "parctl: export: %s\n", e.msg);
            rc = 1;
            break;
        }
        const pv *cols = pv_get(d, "cols"), *rows = pv_get(d, "rows");
        if (first && !c->json) {
            /* the submissions format: its first 8 columns */
            for (uint32_t i = 0; i < 8 && cols && i < cols->u.a.n; i++)
                printf("%s%s", i ? "," : "", cols->u.a.v[i]->u.s.p);
            printf("\n");
        }
        first = 0;
        for (uint32_t r = 0; rows && r < rows->u.a.n; r++) {
            const pv *row = rows->u.a.v[r];
            if (c->json) {
                pv *o = pv_map();
                for (uint32_t i = 0; i < cols->u.a.n && i < row->u.a.n; i++)
                    pv_set(o, cols->u.a.v[i]->u.s.p, pv_copy(row->u.a.v[i]));
                pv_push(all, o);
                continue;
            }
            line.len = 0;
            for (uint32_t i = 0; i < 8 && i < row->u.a.n; i++) {
                if (i)
                    sbuf_add(&line, ",", 1);
                csv_put(&line, row->u.a.v[i]->t == PV_STR ? row->u.a.v[i]->u.s.p : "");
            }
            printf("%s\n", line.buf);
        }
        if (pv_get_str(d, "next"))
            next = xstrdup(pv_get_str(d, "next"));
        pv_free(d);
    } while (next);
    if (c->json && rc == 0)
        json_print(stdout, all);
    pv_free(all);
    sbuf_free(&line);
    client_destroy(cl);
    return rc;
usage:
    fprintf(stderr, "usage: parctl export submissions [--unit U] [--year Y] [--json]\n");
    return 2;
}
