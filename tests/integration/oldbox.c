/* oldbox: puts a file into par-agent's outbox as an agent of 0.3.0 left it (its rows
 * and the lines refused at intake inside the entry's head, as value trees), or damaged
 * (a head whose rows are missing), for the test that an upgraded agent still sends what
 * an older one accepted, and refuses what it cannot read instead of losing it.
 *
 * usage: oldbox old|damaged OUTBOX_DIR SPOOL_DIR FILE
 * The file is held under SPOOL_DIR/.outbox/KEY-NAME as the agent holds it. */
#include "../../agent/outbox.h"
#include "../../common/table.h"
#include "../../common/util.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 5 || (strcmp(argv[1], "old") && strcmp(argv[1], "damaged"))) {
        fprintf(stderr, "usage: oldbox old|damaged OUTBOX_DIR SPOOL_DIR FILE\n");
        return 2;
    }
    par_err e = {{0}};
    char *bytes;
    size_t len;
    if (file_read(argv[4], &bytes, &len, &e) < 0) {
        fprintf(stderr, "oldbox: %s\n", e.msg);
        return 1;
    }
    char path[4096];
    str_copy(path, sizeof path, argv[4]);
    const char *name = basename(path);
    /* the key as intake makes it: the name's hash and the content's */
    uint64_t key = outbox_hash(name, strlen(name) + 1) ^ outbox_hash(bytes, len) * 31;
    table t;
    char *report = NULL;
    size_t rlen = 0;
    FILE *rs = open_memstream(&report, &rlen);
    if (table_load_file(argv[4], table_cols(TABLE_SUBMISSIONS), table_required(TABLE_SUBMISSIONS), &t, rs, &e) < 0) {
        fprintf(stderr, "oldbox: %s\n", e.msg);
        return 1;
    }
    fclose(rs);
    pv *head = pv_map();
    pv_set_str(head, "name", name);
    pv_set(head, "cols", table_cols_pv(&t));
    pv_set_int(head, "lines", t.lines);
    if (!strcmp(argv[1], "old")) {
        /* 0.3.0's entry: the rows, and the lines refused at intake ("PATH: line N: why") */
        pv *local = pv_arr();
        for (char *save = NULL, *ln = strtok_r(report, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
            char *at = strstr(ln, ": line "), *why = at ? strchr(at + 7, ':') : NULL;
            if (!at || !why)
                continue;
            pv *r = pv_map();
            pv_set_int(r, "line", atoll(at + 7));
            pv_set_str(r, "reason", why + 2);
            pv_push(local, r);
        }
        pv_set(head, "rows", table_rows_pv(&t));
        pv_set(head, "local", local);
    }
    outbox *o;
    if (outbox_open(&o, argv[2], &e) < 0 || outbox_put(o, key, head, NULL, NULL, &e) < 0) {
        fprintf(stderr, "oldbox: %s\n", e.msg);
        return 1;
    }
    outbox_close(o);
    char held[8192];
    snprintf(held, sizeof held, "%s/.outbox", argv[3]);
    if (dir_make(held, &e) < 0) {
        fprintf(stderr, "oldbox: %s\n", e.msg);
        return 1;
    }
    snprintf(held, sizeof held, "%s/.outbox/%016llx-%s", argv[3], (unsigned long long)key, name);
    FILE *f = fopen(held, "wb");
    if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "oldbox: cannot write %s\n", held);
        return 1;
    }
    printf("%016llx\n", (unsigned long long)key);
    pv_free(head);
    free(report);
    table_free(&t);
    free(bytes);
    return 0;
}
