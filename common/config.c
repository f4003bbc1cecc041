#include "config.h"
#include "log.h"

#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum kind { K_STR, K_INT, K_BOOL, K_LEVEL, K_MERGED };

static const struct key {
    const char *section, *name;
    enum kind kind;
    size_t off, size;
    int min, max;
} keys[] = {
#define S(sec, k, f) {sec, k, K_STR, offsetof(par_config, f), sizeof(((par_config *)0)->f), 0, 0}
/* a text that may not be left empty (a folder, an address): min 1 */
#define SN(sec, k, f) {sec, k, K_STR, offsetof(par_config, f), sizeof(((par_config *)0)->f), 1, 0}
#define I(sec, k, f, lo, hi) {sec, k, K_INT, offsetof(par_config, f), sizeof(int), lo, hi}
    SN("general", "data_dir", data_dir),
    SN("general", "backup_dir", backup_dir),
    SN("general", "endpoint", endpoint),
    S("general", "key_file", key_file),
    S("general", "server_key", server_key),
    {"general", "log_level", K_LEVEL, offsetof(par_config, log_level), sizeof(int), 0, 0},
    {"broker", "curve", K_BOOL, offsetof(par_config, broker_curve), sizeof(int), 0, 0},
    S("broker", "keys_dir", keys_dir),
    SN("broker", "services", services),
    I("broker", "heartbeat_ms", heartbeat_ms, 100, 60000),
    I("broker", "expiry_ms", expiry_ms, 300, 600000),
    I("collector", "max_batch", max_batch, 1, 100000),
    SN("web", "listen", web_listen),
    S("web", "tls_cert", web_tls_cert),
    S("web", "tls_key", web_tls_key),
    S("web", "metrics_token_file", web_metrics_token_file),
    {"season", "accept_late", K_BOOL, offsetof(par_config, accept_late), sizeof(int), 0, 0},
    SN("season", "evidence_types", evidence_types),
    I("season", "evidence_max_mb", evidence_max_mb, 1, 1024),
    I("scorer", "bulk_behind", bulk_behind, 1, 2000000000),
    I("scorer", "commit_ms", scorer_commit_ms, 0, 60000),
    {"scorer", "merged_prev", K_MERGED, offsetof(par_config, merged_prev), sizeof(int), 0, 0},
    S("notifier", "smtp_url", smtp_url),
    S("notifier", "mail_from", mail_from),
    S("notifier", "webhook_url", webhook_url),
    S("notifier", "smtp_user", smtp_user),
    S("notifier", "smtp_password", smtp_password),
    S("notifier", "mail_dir", mail_dir),
    SN("notifier", "holidays_dir", holidays_dir),
    S("notifier", "remind_days", remind_days),
    I("notifier", "repeat_days", repeat_days, 1, 60),
    I("notifier", "escalate_days", escalate_days, 1, 366),
    S("notifier", "send_at", send_at),
    I("notifier", "report_day", report_day, 1, 31),
    I("notifier", "report_day_month", report_day_month, 1, 31),
    I("notifier", "report_day_quarter", report_day_quarter, 1, 31),
    I("notifier", "report_day_half", report_day_half, 1, 31),
    I("notifier", "report_day_year", report_day_year, 1, 31),
    I("notifier", "eval_every", eval_every_s, 1, 86400),
    I("notifier", "retry", retry_s, 1, 3600),
    I("notifier", "record_chunk", record_chunk, 1, 10000000),
    S("notifier", "report_url", report_url),
    S("notifier", "web_url", web_url),
    S("notifier", "follow_up", follow_up),
    SN("agent", "spool_dir", spool_dir),
    I("agent", "push_timeout", push_timeout_s, 1, 86400),
    S("agent", "receipts", receipts),
    S("agent", "unit", agent_unit),
    I("agent", "heartbeat", agent_heartbeat_s, 1, 86400),
    S("agent", "exporter", exporter),
    I("agent", "export_every", export_every_s, 60, 31 * 86400),
    I("broker", "agent_silence", agent_silence_s, 10, 31 * 86400),
    I("agent", "batch_lines", batch_lines, 1, 10000),
#undef S
#undef SN
#undef I
};

static void defaults(par_config *c)
{
    memset(c, 0, sizeof *c);
    strcpy(c->data_dir, "./var");
    strcpy(c->endpoint, "tcp://127.0.0.1:7700");
    c->log_level = LOG_INFO;
    strcpy(c->services, "collector,scorer,notifier");
    c->heartbeat_ms = 500;
    c->expiry_ms = 2000;
    c->max_batch = 256;
    str_copy(c->evidence_types, sizeof c->evidence_types, "pdf,png,jpg,jpeg,docx,xlsx,odt");
    c->evidence_max_mb = 20;
    str_copy(c->web_listen, sizeof c->web_listen, "127.0.0.1:8080");
    c->bulk_behind = 100000;
    c->scorer_commit_ms = 1000;
    strcpy(c->spool_dir, "./spool");
    c->push_timeout_s = 60;
    c->batch_lines = 1000;
    c->agent_heartbeat_s = 30;
    c->export_every_s = 86400;
    c->agent_silence_s = 26 * 3600;
    strcpy(c->holidays_dir, "data/holidays");
    strcpy(c->remind_days, "7,1");
    c->repeat_days = 1;
    c->escalate_days = 14;
    strcpy(c->send_at, "08:00");
    c->report_day = 20;
    c->eval_every_s = 60;
    c->retry_s = 60;
    c->record_chunk = 100000; /* ALERTLOG_CHUNK */
}

#define NKEYS (sizeof keys / sizeof keys[0])

struct parse_state {
    par_config *c;
    par_err *e;
    unsigned char seen[NKEYS]; /* a key given twice is a mistake, not "the last wins" */
};

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    struct parse_state *st = user;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const struct key *k = &keys[i];
        if (strcmp(k->section, section) || strcmp(k->name, name))
            continue;
        char *field = (char *)st->c + k->off;
        if (st->seen[i]++) {
            err_set(st->e, "[%s] %s is given twice: keep one", section, name);
            return 0;
        }
        switch (k->kind) {
        case K_STR:
            if (k->min && !*value) {
                err_set(st->e, "[%s] %s is empty: give it a value, or leave the line out for the default", section,
                        name);
                return 0;
            }
            if (str_copy(field, k->size, value) < 0) {
                err_set(st->e, "[%s] %s is longer than %zu bytes", section, name, k->size - 1);
                return 0;
            }
            return 1;
        case K_INT: {
            int64_t v;
            if (str_to_i64(value, &v) < 0 || v < k->min || v > k->max) {
                err_set(st->e, "[%s] %s = %s: expected a whole number from %d to %d", section, name, value,
                        k->min, k->max);
                return 0;
            }
            *(int *)field = (int)v;
            return 1;
        }
        case K_BOOL:
            if (!strcasecmp(value, "on") || !strcasecmp(value, "yes") || !strcasecmp(value, "true") ||
                !strcmp(value, "1"))
                *(int *)field = 1;
            else if (!strcasecmp(value, "off") || !strcasecmp(value, "no") || !strcasecmp(value, "false") ||
                     !strcmp(value, "0"))
                *(int *)field = 0;
            else {
                err_set(st->e, "[%s] %s = %s: expected on or off", section, name, value);
                return 0;
            }
            return 1;
        case K_MERGED: {
            static const char *const rules[] = {"mean", "sum", "none"};
            for (int r = 0; r < 3; r++)
                if (!strcmp(value, rules[r])) {
                    *(int *)field = r;
                    return 1;
                }
            err_set(st->e, "[%s] %s = %s: expected mean, sum or none", section, name, value);
            return 0;
        }
        case K_LEVEL: {
            int l = log_level_parse(value);
            if (l < 0) {
                err_set(st->e, "[%s] %s = %s: expected error, warn, info or debug", section, name, value);
                return 0;
            }
            *(int *)field = l;
            return 1;
        }
        }
    }
    err_set(st->e, "unknown key [%s] %s", section, name);
    return 0;
}

int config_load(par_config *c, const char *path, par_err *e)
{
    defaults(c);
    if (!path || !*path)
        path = getenv("PAR_CONF");
    /* an installed server's programs find its config without being told (the units pass
     * -c too); a machine without one runs on the built-in defaults */
    if ((!path || !*path) && access(CONFIG_SYSTEM_PATH, F_OK) == 0)
        path = CONFIG_SYSTEM_PATH;
    if (!path || !*path)
        return 0;
    str_copy(c->path, sizeof c->path, path);
    FILE *f = fopen(path, "r");
    if (!f) {
        err_set(e, "cannot open config %s", path);
        return -1;
    }
    par_err inner = {{0}};
    struct parse_state st = {c, &inner, {0}};
    int rc = ini_parse_file(f, on_key, &st);
    fclose(f);
    if (rc != 0) {
        if (rc > 0)
            err_set(e, "%s:%d: %s", path, rc, inner.msg[0] ? inner.msg : "not an INI line");
        else
            err_set(e, "cannot read config %s", path);
        return -1;
    }
    return 0;
}

void config_ipc(const par_config *c, const char *name, char *out, size_t n)
{
    snprintf(out, n, "ipc://%s/run/%s.sock", c->data_dir, name);
}
