/* parctl users: the officials' web accounts (par-web). The password is read from
 * standard input (--password-stdin: never on the command line, where ps shows it) and
 * hashed here with Argon2id (libsodium); the collector keeps the hash. */
#include "cli.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define USERS_TIMEOUT_MS 10000
#define PASSWORD_MIN 10

/* One line from standard input, without its line break. 0, or -1 after saying why. */
static int read_password(char *out, size_t n)
{
    if (!fgets(out, (int)n, stdin)) {
        fprintf(stderr, "parctl users: no password on standard input\n");
        return -1;
    }
    out[strcspn(out, "\r\n")] = '\0';
    if (strlen(out) < PASSWORD_MIN) {
        fprintf(stderr, "parctl users: a password has at least %d characters / mật khẩu tối thiểu %d ký tự\n",
                PASSWORD_MIN, PASSWORD_MIN);
        sodium_memzero(out, n);
        return -1;
    }
    return 0;
}

static void show(const pv *list)
{
    if (list->t == PV_MAP) {
        printf("Tài khoản %s (%s%s%s)%s\n", pv_get_str(list, "name"), pv_get_str(list, "role"),
               *pv_get_str(list, "unit") ? ", đơn vị " : "", pv_get_str(list, "unit"),
               pv_get_bool(list, "disabled", 0) ? ": đã khóa" : "");
        return;
    }
    if (!list->u.a.n) {
        printf("Chưa có tài khoản nào\n");
        return;
    }
    printf("%-20s %-10s %-10s %-9s %s\n", "TÀI KHOẢN", "VAI TRÒ", "ĐƠN VỊ", "TRẠNG THÁI", "ĐỔI LẦN CUỐI");
    for (uint32_t i = 0; i < list->u.a.n; i++) {
        const pv *u = list->u.a.v[i];
        printf("%-20s %-10s %-10s %-9s %.16s\n", pv_get_str(u, "name"), pv_get_str(u, "role"),
               *pv_get_str(u, "unit") ? pv_get_str(u, "unit") : "-",
               pv_get_bool(u, "disabled", 0) ? "khóa" : "dùng", pv_get_str(u, "changed"));
    }
}

int cli_users(cli *c, int argc, char **argv)
{
    const char *usage = "usage: parctl users add NAME --role admin|appraiser|leader|unit [--unit U] --password-stdin\n"
                        "       parctl users passwd NAME --password-stdin | users disable NAME | users list [--json]\n";
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *mode = argv[1], *name = NULL, *role = NULL, *unit = NULL;
    int stdin_pw = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--role") && i + 1 < argc)
            role = argv[++i];
        else if (!strcmp(argv[i], "--unit") && i + 1 < argc)
            unit = argv[++i];
        else if (!strcmp(argv[i], "--password-stdin"))
            stdin_pw = 1;
        else if (!name && argv[i][0] != '-')
            name = argv[i];
        else {
            fputs(usage, stderr);
            return 2;
        }
    }
    int list = !strcmp(mode, "list"), add = !strcmp(mode, "add"), passwd = !strcmp(mode, "passwd");
    if ((!list && !name) || (!list && !add && !passwd && strcmp(mode, "disable")) || ((add || passwd) && !stdin_pw) ||
        (add && !role)) {
        fputs(usage, stderr);
        return 2;
    }
    pv *args = pv_map();
    if (!list) {
        pv_set_str(args, "name", name);
        pv_set_str(args, "mode", mode);
        if (role)
            pv_set_str(args, "role", role);
        if (unit)
            pv_set_str(args, "unit", unit);
    }
    if (add || passwd) {
        char pw[512], hash[crypto_pwhash_STRBYTES];
        if (sodium_init() < 0 || read_password(pw, sizeof pw) < 0) {
            pv_free(args);
            return 2;
        }
        /* Argon2id with libsodium's interactive limits: about 64 MiB and a fraction of a
         * second here, once per login at par-web */
        int bad = crypto_pwhash_str(hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
        sodium_memzero(pw, sizeof pw);
        if (bad) {
            fprintf(stderr, "parctl users: hashing the password ran out of memory\n");
            pv_free(args);
            return 1;
        }
        pv_set_str(args, "hash", hash);
    }
    return cli_query_show(c, "collector", list ? "users" : "users_change", args, USERS_TIMEOUT_MS, "parctl users",
                          show);
}
