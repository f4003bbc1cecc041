#include "daemon.h"
#include "log.h"
#include "version.h"
#include "../proto/proto.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <zmq.h>

int daemon_setup(const char *prog, int *argc, char **argv, par_config *conf, par_clock *clk)
{
    const char *path = NULL;
    int o = 1;
    for (int i = 1; i < *argc; i++) {
        if (!strcmp(argv[i], "--version")) {
            printf("%s %s\n", prog, PAR_VERSION);
            exit(0);
        }
        if (!strcmp(argv[i], "-c") && i + 1 < *argc) {
            path = argv[++i];
            continue;
        }
        argv[o++] = argv[i];
    }
    *argc = o;
    argv[o] = NULL;
    par_err e = {{0}};
    if (config_load(conf, path, &e) < 0 || clock_init(clk, &e) < 0) {
        fprintf(stderr, "%s: %s\n", prog, e.msg);
        return -1;
    }
    log_init(prog, conf->log_level);
    return 0;
}

int daemon_signalfd(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    signal(SIGPIPE, SIG_IGN);
    /* libzmq's threads start after this and inherit the mask, so only the fd sees them */
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
        return -1;
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int daemon_signal_read(int fd)
{
    struct signalfd_siginfo si;
    ssize_t n = read(fd, &si, sizeof si);
    return n == (ssize_t)sizeof si ? (int)si.ssi_signo : 0;
}

int daemon_stopping(const zmq_pollitem_t *item, int fd, par_config *conf)
{
    if (!(item->revents & ZMQ_POLLIN))
        return 0;
    int sig = daemon_signal_read(fd);
    if (sig == 0)
        return 0;
    if (sig == SIGHUP) {
        par_config fresh;
        par_err e = {{0}};
        if (config_load(&fresh, conf->path[0] ? conf->path : NULL, &e) < 0) {
            log_error("event=reload_failed error=\"%s\" action=kept_running_config", e.msg);
            return 0;
        }
        conf->log_level = fresh.log_level;
        log_set_level(fresh.log_level);
        log_info("event=reloaded log_level=%s note=\"other keys take effect at restart\"", log_level_name(fresh.log_level));
        return 0;
    }
    log_info("event=stopping signal=%d", sig);
    return 1;
}

void sock_defaults(void *sock, int linger_ms)
{
    int64_t max = PROTO_MAX_MSG;
    int hwm = 100000;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger_ms, sizeof linger_ms);
    zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max, sizeof max);
    zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
}

int sock_send_parts(void *sock, const void *const parts[], const size_t lens[], int n, int flags)
{
    for (int i = 0; i < n; i++) {
        int f = flags | (i < n - 1 ? ZMQ_SNDMORE : 0);
        if (zmq_send(sock, parts[i], lens[i], f) < 0)
            return -1;
    }
    return 0;
}

/* What each daemon is, for --help. */
static const char *daemon_what(const char *prog)
{
    static const char *const what[][2] = {
        {"par-broker", "joins the services and the clients; checks every client's key (CurveZMQ)"},
        {"par-collector", "validates and stores submissions and reference data durably; the change log"},
        {"par-scorer", "recomputes every index, area and ranking as the record changes"},
        {"par-notifier", "reminds units before deadlines, chases overdue tasks, delivers the digests"},
    };
    for (size_t i = 0; i < sizeof what / sizeof what[0]; i++)
        if (!strcmp(prog, what[i][0]))
            return what[i][1];
    return "";
}

int daemon_start(const char *prog, int argc, char **argv, par_config *conf, par_clock *clk, int *sfd)
{
    *sfd = -1;
    fd_std_ensure();
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: %s [-c FILE] [--version]\n  %s\n"
                   "  -c FILE    the configuration (default: $PAR_CONF, else /etc/par/par.conf when it exists)\n"
                   "  --version  print the version\n"
                   "Runs in the foreground until SIGTERM; SIGHUP reloads log_level. See par.conf(5) and "
                   "docs/operations.md.\n", prog, daemon_what(prog));
            exit(0);
        }
    if (daemon_setup(prog, &argc, argv, conf, clk) < 0)
        return 2;
    if (argc > 1) {
        fprintf(stderr, "%s: unknown %s '%s'\nusage: %s [-c FILE] [--version] [--help]\n", prog,
                argv[1][0] == '-' ? "option" : "argument", argv[1], prog);
        return 2;
    }
    if ((*sfd = daemon_signalfd()) < 0) {
        fprintf(stderr, "%s: cannot set up signals\n", prog);
        return 1;
    }
    return 0;
}
