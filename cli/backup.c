#include "cli.h"
#include "../common/client.h"
#include "../common/json.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BACKUP_TIMEOUT_MS 600000 /* a compacting copy of a large store takes a while */

/* The scorer and the notifier first: a restored copy of the record is then never
 * ahead of the restored record (and catches up from it), whatever the writes between
 * the copies. The notifier's store also holds the alert log and acknowledgements. */
static const char *const order[] = {"scorer", "notifier", "collector"};

int cli_backup(cli *c, int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: parctl backup NAME|DIR   (NAME: a new folder under backup_dir)\n");
        return 2;
    }
    /* a plain name goes under backup_dir, the one place besides data_dir the installed
     * services may write (their units' ReadWritePaths); a path is taken as given */
    char base[CONF_PATH + 16], dir[PATH_MAX];
    if (*c->conf->backup_dir)
        str_copy(base, sizeof base, c->conf->backup_dir);
    else
        snprintf(base, sizeof base, "%s/backups", c->conf->data_dir);
    int named = !strchr(argv[1], '/');
    const char *rel = named ? base : ".";
    if (argv[1][0] == '/') {
        str_copy(dir, sizeof dir, argv[1]);
    } else {
        char root[PATH_MAX];
        par_err me = {{0}};
        if (named && dir_make(base, &me) < 0) {
            fprintf(stderr, "parctl: %s\n", me.msg);
            return 2;
        }
        if (!realpath(rel, root) || strlen(root) + strlen(argv[1]) + 2 > sizeof dir) {
            fprintf(stderr, "parctl: cannot resolve %s/%s\n", rel, argv[1]);
            return 2;
        }
        str_copy(dir, sizeof dir, root);
        strcat(dir, "/");
        strcat(dir, argv[1]);
    }
    par_err e = {{0}};
    client *cl = cli_client(c);
    if (!cl)
        return 2;
    int rc = 0;
    pv *all = pv_arr();
    for (int i = 0; i < 3 && rc == 0; i++) {
        pv *args = pv_map();
        pv_set_str(args, "dir", dir);
        pv *d = cli_ask(cl, order[i], "backup", args, BACKUP_TIMEOUT_MS, &e);
        if (!d) {
            fprintf(stderr, "parctl: backup of the %s: %s\n", order[i], e.msg);
            if (!named && (strstr(e.msg, "Read-only") || strstr(e.msg, "Permission denied")))
                fprintf(stderr, "parctl: the services may write only under their data_dir and backup_dir (%s):"
                                " parctl backup NAME writes there\n", base);
            rc = 1;
        } else {
            pv *o = pv_copy(d);
            pv_set_str(o, "service", order[i]);
            pv_push(all, o);
            if (!c->json)
                printf("%-10s copied to %s (sequence number %lld)\n", order[i], pv_get_str(d, "path"),
                       (long long)pv_get_int(d, "seq", 0));
        }
        pv_free(d);
    }
    if (c->json)
        json_print(stdout, all);
    else if (rc == 0)
        printf("backup complete in %s; to restore, see docs/operations.md\n", dir);
    pv_free(all);
    client_destroy(cl);
    return rc;
}
