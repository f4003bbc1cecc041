/* daemon: what every program does at start (options, config, clock, logging),
 * signals as a pollable fd, and the socket options libzmq gets wrong by default. */
#ifndef PAR_DAEMON_H
#define PAR_DAEMON_H

#include <stddef.h>
#include "clock.h"
#include "config.h"

/* Consumes "-c FILE" from argv (shifting the rest), loads the config, starts the
 * clock and the log. On failure prints "PROG: reason" and returns -1. "--version"
 * prints the release and exits. */
int daemon_setup(const char *prog, int *argc, char **argv, par_config *conf, par_clock *clk);

/* The start of every daemon: fds 0-2 made valid, daemon_setup, no argument but
 * "-c FILE" (else the usage line), and the signalfd. 0, or the exit status to return
 * (the reason printed). */
int daemon_start(const char *prog, int argc, char **argv, par_config *conf, par_clock *clk, int *sfd);

/* Blocks SIGTERM, SIGINT and SIGHUP and returns a signalfd for zmq_poll (-1 on error);
 * SIGPIPE is ignored. */
int daemon_signalfd(void);
/* The signal waiting on fd, or 0. */
int daemon_signal_read(int fd);
/* After zmq_poll: 1 when the signalfd item says SIGTERM or SIGINT came (logged).
 * SIGHUP reloads what can change while running (today the log level) from the same
 * config file; a config that no longer reads is logged and the old one kept. */
struct zmq_pollitem_t;
int daemon_stopping(const struct zmq_pollitem_t *item, int fd, par_config *conf);

/* LINGER, MAXMSGSIZE, high-water marks: the defaults hang or allow anything. */
void sock_defaults(void *sock, int linger_ms);
/* Sends frames: n parts, the last without SNDMORE. flags: e.g. ZMQ_DONTWAIT. */
int sock_send_parts(void *sock, const void *const parts[], const size_t lens[], int n, int flags);

#endif
