/* config: the one INI file shared by every program (-c FILE or PAR_CONF);
 * with none, built-in defaults run everything on one machine. */
#ifndef PAR_CONFIG_H
#define PAR_CONFIG_H

#include "util.h"

#define CONF_STR 256
/* read when neither -c nor PAR_CONF names a file, if it exists */
#define CONFIG_SYSTEM_PATH "/etc/par/par.conf"
#define CONF_PATH 1024

typedef struct {
    /* [general] */
    char data_dir[CONF_PATH];
    char endpoint[CONF_STR];
    char key_file[CONF_PATH];
    char server_key[CONF_PATH];
    int log_level;
    /* [broker] */
    int broker_curve;
    char keys_dir[CONF_PATH];
    char backup_dir[CONF_PATH]; /* where parctl backup NAME goes; "" = DATA_DIR/backups */
    char services[CONF_STR]; /* services that must be up for the system to be healthy */
    int heartbeat_ms;
    int expiry_ms;
    /* [collector] */
    int max_batch; /* requests folded into one durable commit */
    /* [season] */
    int accept_late; /* a self-score after the deadline is stored and marked late, not refused */
    char evidence_types[CONF_STR]; /* file types taken as evidence, "pdf,png,..." */
    int evidence_max_mb; /* a document's size limit */
    /* [scorer] */
    int scorer_commit_ms; /* the scorer's replica is committed this long after its first waiting change */
    int bulk_behind; /* this many changes behind, the scorer loads in bulk and computes once */
    int merged_prev; /* a merged unit's year before, from its predecessors: CONF_MERGED_* */
    /* [notifier] */
    char smtp_url[CONF_STR];
    char mail_from[CONF_STR];
    char webhook_url[CONF_STR];
    char smtp_user[CONF_STR];
    char smtp_password[CONF_STR];
    char mail_dir[CONF_PATH];     /* messages as .eml files when no smtp_url is set */
    char holidays_dir[CONF_PATH]; /* one YYYY.csv per year */
    char remind_days[64];         /* working days before a deadline, "7,1" */
    int repeat_days;              /* working days between overdue alerts */
    int escalate_days;            /* working days overdue before the unit above is told */
    char send_at[16];             /* a day's alerts go out from this time, "08:00" */
    int report_day;               /* day of a period's last month its report is due */
    int report_day_month, report_day_quarter, report_day_half, report_day_year; /* 0: report_day */
    int eval_every_s;
    int retry_s;                  /* first wait before a failed delivery is retried */
    int record_chunk;             /* alerts a transaction when a day's are recorded */
    char report_url[CONF_STR];    /* where units' reports are published, {unit} replaced */
    char web_url[CONF_STR];       /* par-web's address as officials reach it: where they report done */
    char follow_up[64];           /* the unit that follows tasks up: copied on every escalation */
    /* [agent] */
    char spool_dir[CONF_PATH];
    int push_timeout_s;
    char receipts[CONF_PATH]; /* where par-agent keeps the province's receipts */
    char agent_unit[64];      /* the unit this agent speaks for, in heartbeats */
    int agent_heartbeat_s;
    char exporter[CONF_PATH]; /* a command whose CSV output is pushed on a schedule */
    int export_every_s;
    int agent_silence_s;      /* [broker] an agent silent longer is shown as such */
    int batch_lines;
    /* [web] */
    char web_listen[64];             /* ADDRESS:PORT */
    char web_tls_cert[CONF_PATH];    /* PEM files: HTTPS by libmicrohttpd itself */
    char web_tls_key[CONF_PATH];
    char web_metrics_token_file[CONF_PATH]; /* the bearer token /metrics wants; "": off */
    /* where the values came from, for messages */
    char path[CONF_PATH];
} par_config;

/* path NULL: PAR_CONF if set, else CONFIG_SYSTEM_PATH if it exists, else defaults only. */
int config_load(par_config *c, const char *path, par_err *e);
/* Paths of the broker's internal sockets, below data_dir/run. */
void config_ipc(const par_config *c, const char *name, char *out, size_t n);

/* [scorer] merged_prev: mean (default), sum or none (docs/scoring.md) */
enum { CONF_MERGED_MEAN, CONF_MERGED_SUM, CONF_MERGED_NONE };

#endif
