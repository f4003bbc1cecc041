/* parctl: the operator's and official's tool. */
#include "cli.h"
#include "../common/daemon.h"

#include <stdio.h>
#include <string.h>

/* Each command with its arguments, what it does, and the options it takes ("=" after
 * an option: it takes a value). One table for the usage texts and the option check. */
typedef struct {
    const char *name, *args, *what, *opts;
} command;

static const command commands[] = {
    {"import", "units|framework|tasks FILE", "load reference data through the collector", ""},
    {"status", "", "each service: up or down, sequence number, lag, store", ""},
    {"export", "submissions [--unit U] [--year Y]", "the stored record in the submissions format",
     "--unit= --year="},
    {"scores", "--index I --year Y [--level L] [--parent U] | --index I --year Y --owner U",
     "ranking: totals, areas, ranks, change from the year before; or the points lost on a department's criteria",
     "--index= --year= --level= --parent= --owner="},
    {"gaps", "--index I --year Y [--unit U]",
     "a survey index (PAPI, PCI, SIPAS) against its targets, per sub-index, with the tasks linked to each",
     "--index= --year= --unit="},
    {"duties", "--year Y [--unit U] [--index I]",
     "reporting duties: each report due, when the province received it, on time, late or missing, and what\n"
     "      the criterion counting them (1.2.1) gives by the province's rule",
     "--year= --unit= --index="},
    {"report", "UNIT --index I --year Y [--format md|html|docx|xlsx|pdf|csv] [--csv-locale vi]\n"
               "         [--number 'SỐ/BC-UBND'] [--date dd/mm/yyyy] [--place TEXT] [--to 'A;B;C'] [--signer 'A;B']\n"
               "       parctl report --ranking --index I --year Y [--parent U] [--format ...] [--csv-locale vi]",
     "the unit's analysis as the province writes it (seed 003), or the peer group's ranking",
     "--index= --year= --parent= --format= --ranking --csv-locale= --number= --date= --place= --to= --signer="},
    {"backup", "NAME|DIR", "a consistent hot copy of every store into a new folder (NAME: under backup_dir)", ""},
    {"tasks", "[--unit U] [--overdue] [--plan TEXT] [--index I] [--since DATE]",
     "tasks with their deadlines and states, the most days late first; --unit: U and every unit below it;\n"
     "      --plan: part of the plan's number or name; --since: deadlines on or after DATE (dd/mm/yyyy or YYYY-MM-DD)",
     "--unit= --overdue --plan= --index= --since="},
    {"alerts", "[--unit U]", "alerts sent and pending, each delivery's state and when it went out", "--unit="},
    {"ack", "ALERT", "stop the alerts of that task's deadline", ""},
    {"season", "INDEX YEAR --level L [--to self|appraisal|explanation|final|published [--until DATE]\n"
               "       [--decision TEXT --date DATE] [--reason TEXT]]",
     "the appraisal season: phase, deadlines and history; or move it", "--level= --to= --until= --decision= --date= --reason="},
    {"evidence", "list UNIT --index I --year Y [--criterion C] | evidence get SHA256 -o FILE",
     "evidence documents held for a unit, or one of them", "--index= --year= --criterion= -o="},
    {"history", "UNIT --index I --year Y [--criterion C]",
     "every value sent or given, with sender, time, phase and note", "--index= --year= --criterion="},
    {"appraise", "UNIT --index I --year Y",
     "the appraiser's view of a unit's self-assessment, the evidence gap first", "--index= --year="},
    {"users", "add NAME --role admin|appraiser|leader|unit [--unit U] --password-stdin\n"
              "       parctl users passwd NAME --password-stdin | users disable NAME | users list",
     "the officials' web accounts (par-web)", "--role= --unit= --password-stdin"},
    {"receipt", "verify FILE [--key server.pub]",
     "check a district's receipts file against the province's signature", "--key="},
    {"keys", "init | keys add [--admin|--appraiser|--leader] NAME [--out DIR] | keys revoke NAME",
     "CurveZMQ keys of the broker and of its clients", "--admin --appraiser --leader --out="},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: parctl [-c FILE] COMMAND [--json]\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  parctl %s%s%s\n      %s\n", commands[i].name, *commands[i].args ? " " : "", commands[i].args,
                commands[i].what);
    fprintf(f, "parctl COMMAND --help: that command's usage. Without -c: $PAR_CONF, else /etc/par/par.conf "
               "when it exists.\n");
}

static void command_usage(FILE *f, const command *c)
{
    fprintf(f, "usage: parctl %s%s%s [--json]\n  %s\n", c->name, *c->args ? " " : "", c->args, c->what);
}

/* Whether opt is one of c's options; *value: it takes a value. */
static int known_option(const command *c, const char *opt, int *value)
{
    size_t n = strlen(opt);
    for (const char *p = c->opts; (p = strstr(p, opt)) != NULL; p += n) {
        int starts = p == c->opts || p[-1] == ' ';
        if (starts && (p[n] == ' ' || p[n] == '\0' || p[n] == '=')) {
            *value = p[n] == '=';
            return 1;
        }
    }
    return 0;
}

/* --help anywhere after the command prints its usage (0); an option it does not take is
 * refused at once (2); -1 when the arguments may go to the command. */
static int check_args(const command *c, int argc, char **argv)
{
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            command_usage(stdout, c);
            return 0;
        }
    for (int i = 2; i < argc; i++) {
        int value = 0;
        if (argv[i][0] != '-' || !argv[i][1])
            continue;
        if (!known_option(c, argv[i], &value)) {
            fprintf(stderr, "parctl %s: unknown option '%s'\n", c->name, argv[i]);
            command_usage(stderr, c);
            return 2;
        }
        i += value;
    }
    return -1;
}

int main(int argc, char **argv)
{
    par_config conf;
    par_clock clk;
    fd_std_ensure();
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) { /* before the config: it needs none */
        usage(stdout);
        return 0;
    }
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
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(cmd, commands[i].name))
            continue;
        int rc = check_args(&commands[i], argc, argv);
        if (rc >= 0)
            return rc;
    }
    if (!strcmp(cmd, "import"))
        return cli_import(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "status"))
        return cli_status(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "export"))
        return cli_export(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "scores"))
        return cli_scores(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "gaps"))
        return cli_gaps(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "duties"))
        return cli_duties(&c, argc - 1, argv + 1);
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
    if (!strcmp(cmd, "season"))
        return cli_season(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "evidence"))
        return cli_evidence(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "history"))
        return cli_history(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "appraise"))
        return cli_appraise(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "users"))
        return cli_users(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "receipt"))
        return cli_receipt(&c, argc - 1, argv + 1);
    if (!strcmp(cmd, "keys"))
        return cli_keys(&c, argc - 1, argv + 1);
    fprintf(stderr, "parctl: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
