/* parctl's commands; each returns the process exit status. */
#ifndef PAR_CLI_H
#define PAR_CLI_H

#include "../common/client.h"
#include "../common/config.h"

typedef struct {
    const par_config *conf;
    int json; /* --json: print one JSON value */
} cli;

/* How long parctl retries a service the broker has down: a restarting service is back
 * within it (its first heartbeat), a stopped one is reported at once after it. */
#define CLI_UNAVAILABLE_MS 1500

/* A connection to the broker, or NULL after saying why on stderr. */
client *cli_client(cli *c);
/* Asks service the query q (args taken, may be NULL); its reply's data, or NULL with e. */
pv *cli_ask(client *cl, const char *service, const char *q, pv *args, int timeout_ms, par_err *e);

/* One question in a connection of its own: the reply's data, or NULL after saying why on
 * stderr as "WHO: reason" (*rc, when given: 2 the broker cannot be reached, 1 refused). */
pv *cli_query(cli *c, const char *service, const char *q, pv *args, int timeout_ms, const char *who, int *rc);
/* The same, the data printed as JSON with --json, else through show: the exit status. */
int cli_query_show(cli *c, const char *service, const char *q, pv *args, int timeout_ms, const char *who,
                   void (*show)(const pv *data));

/* Options that each take a value ("--index PAR"): value[k] set for name[k] ("--index");
 * 0, or -1 for an option not in names or without its value (the caller prints usage). */
int cli_options(int argc, char **argv, const char *const names[], const char *values[], int n);
/* The options given, as a query's arguments: "--index" PAR as index = PAR. */
pv *cli_option_args(const char *const names[], const char *const values[], int n);

int cli_import(cli *c, int argc, char **argv);
int cli_status(cli *c, int argc, char **argv);
int cli_export(cli *c, int argc, char **argv);
int cli_scores(cli *c, int argc, char **argv);
int cli_gaps(cli *c, int argc, char **argv);
int cli_duties(cli *c, int argc, char **argv);
int cli_backup(cli *c, int argc, char **argv);
int cli_report(cli *c, int argc, char **argv);
int cli_keys(cli *c, int argc, char **argv);
int cli_tasks(cli *c, int argc, char **argv);
int cli_alerts(cli *c, int argc, char **argv);
int cli_ack(cli *c, int argc, char **argv);
int cli_season(cli *c, int argc, char **argv);
int cli_receipt(cli *c, int argc, char **argv);
int cli_evidence(cli *c, int argc, char **argv);
int cli_history(cli *c, int argc, char **argv);
int cli_appraise(cli *c, int argc, char **argv);
int cli_users(cli *c, int argc, char **argv);

#endif
