/* par-agent: the district's side. `push FILE...` sends submission files and waits
 * for every line's acknowledgement. */
#include "push.h"
#include "run.h"
#include "../common/daemon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
    fprintf(stderr, "usage: par-agent [-c FILE] push [--timeout SECONDS] FILE...\n"
                    "       par-agent [-c FILE] run\n"
                    "  push   send submission files (CSV: unit,year,period,kind,key,value,date,note, or\n"
                    "         JSON Lines with the same fields); exits 0 only when every line is acknowledged\n"
                    "  run    the district's daemon: sends what is renamed into [agent] spool_dir, keeps an\n"
                    "         outbox until the province answers, files it under done/ or rejected/\n");
}

int main(int argc, char **argv)
{
    par_config conf;
    par_clock clk;
    fd_std_ensure();
    if (daemon_setup("par-agent", &argc, argv, &conf, &clk) < 0)
        return 2;
    if (argc < 2) {
        usage();
        return 2;
    }
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
            usage();
            return 2;
        }
        return push_files(&conf, argv + i, argc - i, timeout, stdout);
    }
    if (!strcmp(argv[1], "run")) {
        if (argc != 2) {
            usage();
            return 2;
        }
        return run_agent(&conf, &clk);
    }
    usage();
    return 2;
}
