/* parctl keys: the broker's key pair and the registered clients' keys, managed as files
 * on the provincial server (no broker needed; the broker sees changes at once). */
#include "cli.h"
#include "../common/keys.h"
#include "../common/sign.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

static int valid_name(const char *s)
{
    size_t l = strlen(s);
    if (!l || l > 63)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
              *s == '_' || *s == '.'))
            return 0;
    return 1;
}

int cli_keys(cli *c, int argc, char **argv)
{
    char dir[CONF_PATH + 16], path[CONF_PATH + 128];
    keys_dir(c->conf->keys_dir, c->conf->data_dir, dir, sizeof dir);
    par_err e = {{0}};
    char pub[KEY_Z85], sec[KEY_Z85];
    if (argc == 2 && !strcmp(argv[1], "init")) {
        if (dir_make(dir, &e) < 0) {
            fprintf(stderr, "parctl: %s\n", e.msg);
            return 1;
        }
        chmod(dir, 0750);
        snprintf(path, sizeof path, "%s/server.key", dir);
        if (zmq_curve_keypair(pub, sec) != 0 || keys_write_pair(path, pub, sec, &e) < 0) {
            fprintf(stderr, "parctl: %s\n", e.msg[0] ? e.msg : "CURVE is not available in this libzmq");
            return 1;
        }
        snprintf(path, sizeof path, "%s/server.pub", dir);
        FILE *f = fopen(path, "w");
        if (!f || fprintf(f, "%s\n", pub) < 0 || fclose(f) != 0) {
            fprintf(stderr, "parctl: cannot write %s\n", path);
            return 1;
        }
        sign_key rk;
        if (sign_key_load(c->conf, &rk, &e) < 0) {
            fprintf(stderr, "parctl: receipt key: %s\n", e.msg);
            return 1;
        }
        sodium_memzero(&rk, sizeof rk);
        printf("the broker's keys are in %s (server.key, mode 0600; server.pub for the clients, with the key\n"
               "that signs receipts: receipt.key)\n"
               "set [broker] curve = on and restart the broker\n", dir);
        return 0;
    }
    if (argc >= 3 && !strcmp(argv[1], "add")) {
        const char *role = "unit", *name = NULL, *out = ".";
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "--admin"))
                role = "admin";
            else if (!strcmp(argv[i], "--appraiser"))
                role = "appraiser";
            else if (!strcmp(argv[i], "--leader"))
                role = "leader";
            else if (!strcmp(argv[i], "--out") && i + 1 < argc)
                out = argv[++i];
            else
                name = argv[i];
        }
        if (!name || !valid_name(name)) {
            fprintf(stderr, "parctl: a key's name is 1-63 of letters, digits, '-', '_', '.' (a unit's id for unit keys)\n");
            return 2;
        }
        char reg[CONF_PATH + 200];
        snprintf(reg, sizeof reg, "%s/clients", dir);
        if (dir_make(reg, &e) < 0) {
            fprintf(stderr, "parctl: %s\n", e.msg);
            return 1;
        }
        snprintf(reg, sizeof reg, "%s/clients/%s", dir, name);
        if (access(reg, F_OK) == 0) {
            fprintf(stderr, "parctl: %s is already registered; revoke it first to issue a new key\n", name);
            return 1;
        }
        snprintf(path, sizeof path, "%s/%s.key", out, name);
        /* a rotation (revoke, then add): the revoked key's file is kept beside, renamed */
        char old[CONF_PATH + 200] = "";
        if (access(path, F_OK) == 0) {
            snprintf(old, sizeof old, "%s.revoked-%lld", path, (long long)time(NULL));
            if (rename(path, old) < 0) {
                fprintf(stderr, "parctl: %s exists and cannot be moved aside: %s\n", path, strerror(errno));
                return 1;
            }
        }
        if (zmq_curve_keypair(pub, sec) != 0 || keys_write_pair(path, pub, sec, &e) < 0) {
            fprintf(stderr, "parctl: %s\n", e.msg);
            return 1;
        }
        /* the registration: readable by the broker's group, never by others, whatever the umask */
        int fd = open(reg, O_WRONLY | O_CREAT | O_EXCL, 0640);
        FILE *f = fd >= 0 && fchmod(fd, 0640) == 0 ? fdopen(fd, "w") : NULL;
        if (!f || fprintf(f, "%s %s\n", pub, role) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0) {
            fprintf(stderr, "parctl: cannot register %s: %s\n", reg, strerror(errno));
            if (!f && fd >= 0)
                close(fd);
            return 1;
        }
        if (*old)
            printf("the previous key file of %s was moved to %s\n", name, old);
        printf("%s key for %s: %s (mode 0600, keep it secret)\n"
               "hand it to %s with %s/server.pub; in its par.conf:\n"
               "  [general]\n  key_file = /etc/par/%s.key\n  server_key = /etc/par/server.pub\n",
               role, name, path, name, dir, name);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "revoke")) {
        char from[CONF_PATH + 200], to[CONF_PATH + 200];
        snprintf(from, sizeof from, "%s/clients/%s", dir, argv[2]);
        snprintf(to, sizeof to, "%s/revoked", dir);
        if (dir_make(to, &e) < 0) {
            fprintf(stderr, "parctl: %s\n", e.msg);
            return 1;
        }
        /* each revocation kept: a name revoked twice (two rotations) keeps both */
        snprintf(to, sizeof to, "%s/revoked/%s.%lld", dir, argv[2], (long long)time(NULL));
        if (rename(from, to) < 0) {
            fprintf(stderr, "parctl: %s is not a registered key (%s)\n", argv[2], strerror(errno));
            return 1;
        }
        printf("%s revoked: the broker refuses it from its next message on\n", argv[2]);
        return 0;
    }
    fprintf(stderr, "usage: parctl keys init | keys add [--admin|--appraiser|--leader] NAME [--out DIR] | keys revoke NAME\n");
    return 2;
}
