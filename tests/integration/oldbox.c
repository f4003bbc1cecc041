/* oldbox: puts a file into par-agent's outbox as an agent of 0.3.0 left it (schema 1, its
 * rows and the lines refused at intake inside the entry's head, as value trees), or
 * damaged (a head without rows), for the test that an upgraded agent still sends what
 * an older one accepted, and refuses what it cannot read instead of losing it.
 *
 * usage: oldbox old|damaged|garbled OUTBOX_DIR SPOOL_DIR FILE
 * garbled: a head that is not msgpack at all, as one 0.3.0 could not read back.
 * The file is held under SPOOL_DIR/.outbox/KEY-NAME as the agent holds it. */
#include "../../agent/outbox.h"
#include "../../common/store.h"
#include "../../common/table.h"
#include "../../common/util.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 0.3.0's outbox: two databases, schema 1; an entry is its head under the key, and the
 * key under the next arrival number */
typedef struct {
    char key[17];
    const pv *head;
    int garbled;
} old_put;

static int put_old(store_txn *t, void *ctx, par_err *e)
{
    (void)e;
    old_put *p = ctx;
    unsigned char ob[8];
    store_u64_key(store_txn_last_u64(t, 1) + 1, ob);
    if (p->garbled)
        store_txn_put(t, 0, p->key, 16, "\xc1\xc1", 2); /* 0xc1: never used in msgpack */
    else
        store_txn_check(t, store_put_pv(t->txn, store_dbi(t->s, 0), p->key, p->head), "files");
    store_txn_put(t, 1, ob, 8, p->key, 16);
    return t->rc ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc != 5 || (strcmp(argv[1], "old") && strcmp(argv[1], "damaged") && strcmp(argv[1], "garbled"))) {
        fprintf(stderr, "usage: oldbox old|damaged|garbled OUTBOX_DIR SPOOL_DIR FILE\n");
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
    static const char *const names[] = {"files", "order"};
    store *s;
    old_put p = {"", head, !strcmp(argv[1], "garbled")};
    snprintf(p.key, sizeof p.key, "%016llx", (unsigned long long)key);
    if (store_open(&s, argv[2], names, NULL, 2, 1, 64u << 20, &e) < 0 || store_write(s, put_old, &p, &e) < 0) {
        fprintf(stderr, "oldbox: %s\n", e.msg);
        return 1;
    }
    store_close(s);
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
