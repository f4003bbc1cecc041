/* sink: the SMTP server and webhook receiver the notifier's integration test
 * talks to. Every message received is kept as a file in DIR (smtp-N.eml with an
 * X-Rcpt line of the envelope recipients, http-N.json), written whole before the
 * reply. It can refuse the first N mails (451) and kill a process (SIGKILL) when
 * the Nth mail has arrived but before it is acknowledged: "between send and record".
 *
 * usage: sink DIR SMTP_PORT HTTP_PORT [--fail N] [--kill PIDFILE --on N] */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static const char *dir;
static int fail_left, kill_on, mails, posts;
static const char *kill_file;

static int listen_on(int port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 16) < 0) {
        perror("sink: bind");
        exit(2);
    }
    return s;
}

/* Reads one line (CRLF or LF kept out) into buf; -1 at end of connection. */
static int read_line(int fd, char *buf, size_t n)
{
    size_t o = 0;
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r <= 0)
            return -1;
        if (c == '\n') {
            if (o && buf[o - 1] == '\r')
                o--;
            buf[o] = '\0';
            return (int)o;
        }
        if (o + 1 < n)
            buf[o++] = c;
    }
}

static void say(int fd, const char *s)
{
    if (write(fd, s, strlen(s)) < 0)
        return;
}

static void save(const char *name, const char *data, size_t len)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return;
    fwrite(data, 1, len, f);
    fclose(f);
    rename(tmp, path);
}

static void smtp_session(int fd)
{
    char line[8192], rcpt[8192] = "";
    say(fd, "220 sink ESMTP\r\n");
    while (read_line(fd, line, sizeof line) >= 0) {
        if (!strncasecmp(line, "EHLO", 4) || !strncasecmp(line, "HELO", 4)) {
            say(fd, "250-sink\r\n250 8BITMIME\r\n");
        } else if (!strncasecmp(line, "RCPT TO:", 8)) {
            if (strlen(rcpt) + strlen(line) + 2 < sizeof rcpt) {
                strcat(rcpt, *rcpt ? " " : "");
                strcat(rcpt, line + 8);
            }
            say(fd, "250 OK\r\n");
        } else if (!strncasecmp(line, "DATA", 4)) {
            say(fd, "354 go on\r\n");
            size_t cap = 65536, len = 0;
            char *msg = malloc(cap);
            len += (size_t)snprintf(msg, cap, "X-Rcpt: %s\r\n", rcpt);
            int n;
            while ((n = read_line(fd, line, sizeof line)) >= 0 && strcmp(line, ".")) {
                const char *p = line[0] == '.' ? line + 1 : line;
                size_t l = strlen(p);
                if (len + l + 3 > cap) {
                    char *bigger = realloc(msg, cap = (cap + l) * 2);
                    if (!bigger) {
                        free(msg);
                        return;
                    }
                    msg = bigger;
                }
                memcpy(msg + len, p, l);
                len += l;
                memcpy(msg + len, "\r\n", 2);
                len += 2;
            }
            if (fail_left > 0) {
                fail_left--;
                say(fd, "451 4.3.0 sink: try again later\r\n");
            } else {
                char name[64];
                snprintf(name, sizeof name, "smtp-%03d.eml", ++mails);
                save(name, msg, len);
                if (kill_file && mails == kill_on) {
                    FILE *f = fopen(kill_file, "r");
                    int pid = 0;
                    if (f && fscanf(f, "%d", &pid) == 1 && pid > 0)
                        kill(pid, SIGKILL);
                    if (f)
                        fclose(f);
                    fprintf(stderr, "sink: killed %d after mail %d\n", pid, mails);
                }
                say(fd, "250 OK kept\r\n");
            }
            free(msg);
            rcpt[0] = '\0';
        } else if (!strncasecmp(line, "QUIT", 4)) {
            say(fd, "221 bye\r\n");
            break;
        } else {
            if (!strncasecmp(line, "RSET", 4))
                rcpt[0] = '\0';
            say(fd, "250 OK\r\n");
        }
    }
}

static void http_request(int fd)
{
    char line[8192];
    long length = 0;
    while (read_line(fd, line, sizeof line) > 0)
        if (!strncasecmp(line, "Content-Length:", 15))
            length = atol(line + 15);
    if (length < 0 || length > 64L << 20)
        return;
    char *body = malloc((size_t)length + 1);
    size_t got = 0;
    while (got < (size_t)length) {
        ssize_t r = read(fd, body + got, (size_t)length - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    char name[64];
    snprintf(name, sizeof name, "http-%03d.json", ++posts);
    save(name, body, got);
    free(body);
    say(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: sink DIR SMTP_PORT HTTP_PORT [--fail N] [--kill PIDFILE --on N]\n");
        return 2;
    }
    dir = argv[1];
    for (int i = 4; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--fail"))
            fail_left = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--kill"))
            kill_file = argv[i + 1];
        else if (!strcmp(argv[i], "--on"))
            kill_on = atoi(argv[i + 1]);
    }
    signal(SIGPIPE, SIG_IGN);
    struct pollfd p[2] = {{listen_on(atoi(argv[2])), POLLIN, 0}, {listen_on(atoi(argv[3])), POLLIN, 0}};
    for (;;) {
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            return 1;
        for (int i = 0; i < 2; i++) {
            if (!(p[i].revents & POLLIN))
                continue;
            int c = accept(p[i].fd, NULL, NULL);
            if (c < 0)
                continue;
            struct timeval tv = {10, 0};
            setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            if (i == 0)
                smtp_session(c);
            else
                http_request(c);
            close(c);
        }
    }
}
