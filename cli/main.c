/* parctl: the operator's and official's tool. */
#include "cli.h"
#include "../common/daemon.h"

#include <stdio.h>
#include <string.h>

static void usage(void)
{
    fprintf(stderr,
            "usage: parctl [-c FILE] COMMAND [--json]\n"
            "  import units|framework|tasks FILE   load reference data through the collector\n"
            "  status                              each service: up or down, sequence number, store\n"
            "  export submissions [--unit U] [--year Y]\n"
            "                                      the stored record in the submissions format\n"
            "  scores --index I --year Y [--level L] [--parent U]\n"
            "                                      ranking: totals, areas, ranks, change from the year before\n"
            "  report UNIT --index I --year Y [--format md|html|csv]\n"
            "  report --ranking --index I --year Y [--parent U] [--format md|html|csv]\n"
            "                                      the unit's analysis, or the peer group's ranking\n"
            "  backup DIR                          a consistent hot copy of every store into a new folder\n"
            "  tasks [--unit U] [--overdue]        tasks with their deadlines and states\n"
            "  alerts [--unit U]                   alerts sent and pending, with their deliveries\n"
            "  ack ALERT                           stop the alerts of that task's deadline\n"
            "  keys init | keys add [--admin|--appraiser] NAME | keys revoke NAME\n"
            "                                      CurveZMQ keys of the broker and of its clients\n");
}

int main(int argc, char **argv)
{
    par_config conf;
    par_clock clk;
    fd_std_ensure();
    if (daemon_setup("parctl", &argc, argv, &conf, &clk) < 0)
        return 2;
    cli c = {&conf, 0};
    /* --json may stand anywhere */
    int o = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            c.json = 1;
        else
            argv[o++] = argv[i];
    }
    argc = o;
    argv[argc] = NULL;
    if (argc < 2) {
        usage();
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "import"))
        return cli_import(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "status"))
        return cli_status(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "export"))
        return cli_export(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "scores"))
        return cli_scores(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "backup"))
        return cli_backup(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return cli_report(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "tasks"))
        return cli_tasks(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "alerts"))
        return cli_alerts(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "ack"))
        return cli_ack(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "keys"))
        return cli_keys(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage();
        return 0;
    }
    fprintf(stderr, "parctl: unknown command '%s'\n", cmd);
    usage();
    return 2;
}
