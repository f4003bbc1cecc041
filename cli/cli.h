/* parctl's commands; each returns the process exit status. */
#ifndef PAR_CLI_H
#define PAR_CLI_H

#include "../common/config.h"

typedef struct {
    const par_config *conf;
    int json; /* --json: print one JSON value */
} cli;

int cli_import(cli *c, int argc, char **argv);
int cli_status(cli *c, int argc, char **argv);
int cli_export(cli *c, int argc, char **argv);
int cli_scores(cli *c, int argc, char **argv);
int cli_backup(cli *c, int argc, char **argv);
int cli_report(cli *c, int argc, char **argv);

#endif
