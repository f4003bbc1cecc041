/* par-agent: the district's side. `push FILE...` sends submission files and waits
 * for every line's acknowledgement. */
#include "push.h"
#include "run.h"
#include "status.h"
#include "evidence.h"
#include "../common/daemon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: par-agent [-c FILE] push [--timeout SECONDS] FILE...\n"
                    "       par-agent [-c FILE] run\n"
                    "       par-agent [-c FILE] status [--json]\n"
                    "       par-agent [-c FILE] evidence --unit U --index I --year Y --criterion C FILE...\n"
                    "  push   send submission files (CSV: unit,year,period,kind,key,value,date,note, or\n"
                    "         JSON Lines with the same fields); exits 0 only when every line is acknowledged\n"
                    "  run    the district's daemon: sends what is renamed into [agent] spool_dir, keeps an\n"
                    "         outbox until the province answers, files it under done/ or rejected/\n"
                    "  status the daemon, the outbox (files, lines), the link to the province, the last\n"
                    "         success and error, the next retry; exit 0 only when running and linked\n"
                    "  evidence  send documents backing a criterion (PDF, images, DOCX, XLSX, ODT); exits 0\n"
                    "         only when every file is acknowledged\n"
                    "Without -c: $PAR_CONF, else /etc/par/par.conf when it exists.\n");
}

/* --help anywhere: usage on stdout (0); an option the command does not take: refused
 * at once (2); -1 when the arguments may go on. */
static int check_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
    if (argv[1][0] == '-') {
        fprintf(stderr, "par-agent: unknown option '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    int push = argc > 1 && !strcmp(argv[1], "push");
    for (int i = 2; i < argc; i++) {
        if (argv[i][0] != '-' || !argv[i][1])
            continue;
        if (!strcmp(argv[1], "status") && !strcmp(argv[i], "--json"))
            continue;
        if (!strcmp(argv[1], "evidence") && (!strcmp(argv[i], "--unit") || !strcmp(argv[i], "--index") ||
                                             !strcmp(argv[i], "--year") || !strcmp(argv[i], "--criterion") ||
                                             !strcmp(argv[i], "--timeout"))) {
            i++;
            continue;
        }
        if (push && !strcmp(argv[i], "--timeout")) {
            i++;
            continue;
        }
        fprintf(stderr, "par-agent %s: unknown option '%s'\n", argv[1], argv[i]);
        usage(stderr);
        return 2;
    }
    return -1;
}

int main(int argc, char **argv)
{
    par_config conf;
    par_clock clk;
    fd_std_ensure();
    for (int i = 1; i < argc; i++) /* before the config: help needs none */
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
    if (daemon_setup("par-agent", &argc, argv, &conf, &clk) < 0)
        return 2;
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    int rc = check_args(argc, argv);
    if (rc >= 0)
        return rc;
    if (!strcmp(argv[1], "push")) {
        int timeout = conf.push_timeout_s, i = 2;
        if (i + 1 < argc && !strcmp(argv[i], "--timeout")) {
            timeout = atoi(argv[i + 1]);
            if (timeout <= 0) {
                fprintf(stderr, "par-agent: --timeout takes a number of seconds\n");
                return 2;
            }
            i += 2;
        }
        if (i >= argc) {
            usage(stderr);
            return 2;
        }
        return push_files(&conf, argv + i, argc - i, timeout, stdout);
    }
    if (!strcmp(argv[1], "evidence")) {
        evidence_for w = {NULL, NULL, NULL, NULL};
        int timeout = conf.push_timeout_s, nf = 0;
        char **files = xcalloc((size_t)argc, sizeof *files);
        for (int i = 2; i < argc; i++) {
            const char **slot = !strcmp(argv[i], "--unit") ? &w.unit : !strcmp(argv[i], "--index") ? &w.index
                                : !strcmp(argv[i], "--year")                                     ? &w.year
                                : !strcmp(argv[i], "--criterion")                                ? &w.criterion
                                                                                                 : NULL;
            if (slot && i + 1 < argc)
                *slot = argv[++i];
            else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
                timeout = atoi(argv[++i]);
            else
                files[nf++] = argv[i];
        }
        int rc2 = 2;
        if (!w.unit || !w.index || !w.year || !w.criterion || !nf || timeout <= 0)
            usage(stderr);
        else
            rc2 = evidence_send(&conf, &w, files, nf, timeout, stdout);
        free(files);
        return rc2;
    }
    if (!strcmp(argv[1], "status")) {
        int json = argc == 3 && !strcmp(argv[2], "--json");
        if (argc > 3 || (argc == 3 && !json)) {
            usage(stderr);
            return 2;
        }
        return agent_status(&conf, json, stdout);
    }
    if (!strcmp(argv[1], "run")) {
        if (argc != 2) {
            usage(stderr);
            return 2;
        }
        return run_agent(&conf, &clk);
    }
    usage(stderr);
    return 2;
}
