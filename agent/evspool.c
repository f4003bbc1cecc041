#include "evspool.h"
#include "evidence.h"
#include "../common/log.h"
#include "../common/clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EVSPOOL_SCAN_MS 3000
#define EVSPOOL_RETRY_MS 30000
#define EVSPOOL_SETTLE_S 2

void evspool_init(evspool *q, const par_config *conf)
{
    memset(q, 0, sizeof *q);
    q->conf = conf;
    snprintf(q->root, sizeof q->root, "%s/evidence", conf->spool_dir);
    snprintf(q->done, sizeof q->done, "%s/done/evidence", conf->spool_dir);
    snprintf(q->rejected, sizeof q->rejected, "%s/rejected/evidence", conf->spool_dir);
    snprintf(q->out, sizeof q->out, "%s/.outbox/evidence.out", conf->spool_dir);
    /* evidence/ is made by whoever drops documents (docs/agent.md): a spool folder that
     * only ever sees submissions keeps just done/ and rejected/ */
}

static int plain(const char *name)
{
    size_t l = strlen(name);
    return name[0] != '.' && !(l > 4 && !strcmp(name + l - 4, ".err"));
}

/* The first settled file of the layout, its path relative to root in q->rel. */
static int find(evspool *q)
{
    char parts[5][256];
    char path[CONF_PATH + 1400];
    DIR *d[5] = {NULL};
    int depth = 0, found = 0;
    d[0] = opendir(q->root);
    while (depth >= 0 && !found) {
        struct dirent *ent = d[depth] ? readdir(d[depth]) : NULL;
        if (!ent) {
            if (d[depth])
                closedir(d[depth]);
            d[depth--] = NULL;
            continue;
        }
        if (!plain(ent->d_name) || strlen(ent->d_name) >= sizeof parts[0])
            continue;
        str_copy(parts[depth], sizeof parts[depth], ent->d_name);
        int o = snprintf(path, sizeof path, "%s", q->root);
        for (int i = 0; i <= depth; i++)
            o += snprintf(path + o, sizeof path - (size_t)o, "/%s", parts[i]);
        struct stat st;
        if (lstat(path, &st) < 0)
            continue;
        if (depth < 4 && S_ISDIR(st.st_mode)) {
            d[++depth] = opendir(path);
            continue;
        }
        if (depth == 4 && S_ISREG(st.st_mode) && time(NULL) - st.st_mtime >= EVSPOOL_SETTLE_S) {
            snprintf(q->rel, sizeof q->rel, "%s/%s/%s/%s/%s", parts[0], parts[1], parts[2], parts[3], parts[4]);
            found = 1;
        }
    }
    for (int i = 0; i < 5; i++)
        if (i <= depth && d[i])
            closedir(d[i]);
    return found;
}

static void start(evspool *q)
{
    if (!find(q))
        return;
    char unit[256], index[256], year[256], crit[256];
    if (sscanf(q->rel, "%255[^/]/%255[^/]/%255[^/]/%255[^/]/", unit, index, year, crit) != 4)
        return;
    snprintf(q->file, sizeof q->file, "%s/%s", q->root, q->rel);
    char timeout[16];
    snprintf(timeout, sizeof timeout, "%d", q->conf->push_timeout_s);
    const char *argv[20];
    int n = 0;
    argv[n++] = "par-agent";
    if (q->conf->path[0]) {
        argv[n++] = "-c";
        argv[n++] = q->conf->path;
    }
    const char *rest[] = {"evidence", "--unit", unit, "--index", index, "--year", year, "--criterion", crit,
                          "--timeout", timeout, q->file};
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
        argv[n++] = rest[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(q->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        for (int i = 3; i < 1024; i++) /* the daemon's sockets, inotify and outbox stay its own */
            close(i);
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL); /* the daemon's signal mask is for its signalfd */
        execv("/proc/self/exe", (char *const *)argv);
        _exit(127);
    }
    if (pid < 0) {
        log_warn("event=evidence_not_started file=\"%s\" error=\"%s\"", q->rel, strerror(errno));
        return;
    }
    q->child = pid;
    log_info("event=evidence_sending file=\"%s\" pid=%d", q->rel, (int)pid);
}

/* Moves the file under dir (same relative path); 0, or -1. */
static int file_under(evspool *q, const char *dir, char *to, size_t n)
{
    snprintf(to, n, "%s/%s", dir, q->rel);
    char parent[CONF_PATH + 32 + sizeof q->rel];
    str_copy(parent, sizeof parent, to);
    char *slash = strrchr(parent, '/');
    par_err e;
    if (slash)
        *slash = '\0';
    if (dir_make(parent, &e) < 0 || rename(q->file, to) < 0) {
        log_warn("event=evidence_not_filed file=\"%s\" to=%s error=\"%s\"", q->rel, to, strerror(errno));
        return -1;
    }
    return 0;
}

static void finished(evspool *q, int status, int64_t now)
{
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    char to[CONF_PATH + 32 + sizeof q->rel];
    q->child = 0;
    if (code == 0) {
        if (file_under(q, q->done, to, sizeof to) == 0)
            log_info("event=evidence_acknowledged file=\"%s\"", q->rel);
    } else if (code == 1) {
        if (file_under(q, q->rejected, to, sizeof to) == 0) {
            char err[CONF_PATH + 40 + sizeof q->rel];
            snprintf(err, sizeof err, "%s.err", to);
            rename(q->out, err); /* what par-agent evidence said, in Vietnamese and English */
            log_warn("event=evidence_refused file=\"%s\" err=%s", q->rel, err);
        }
    } else {
        log_warn("event=evidence_unsent file=\"%s\" exit=%d retry_s=%d", q->rel, code, EVSPOOL_RETRY_MS / 1000);
        q->next_scan = now + EVSPOOL_RETRY_MS;
    }
}

int64_t evspool_tick(evspool *q, int64_t now)
{
    if (q->child) {
        int status;
        pid_t r = waitpid(q->child, &status, WNOHANG);
        if (r == q->child)
            finished(q, status, now);
        else
            return now + 200;
    }
    if (now >= q->next_scan) {
        q->next_scan = now + EVSPOOL_SCAN_MS;
        start(q);
    }
    return q->child ? now + 200 : q->next_scan;
}

void evspool_stop(evspool *q)
{
    if (!q->child)
        return;
    kill(q->child, SIGTERM);
    waitpid(q->child, NULL, 0);
    q->child = 0;
}
