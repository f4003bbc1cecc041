#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int z85_ok(const char *s)
{
    if (strlen(s) != 40)
        return 0;
    for (; *s; s++)
        if (*s <= ' ' || *s > '}' || *s == '"' || *s == '\'' || *s == ',' || *s == ';' || *s == '\\' || *s == '_' ||
            *s == '`' || *s == '|' || *s == '~')
            return 0;
    return 1;
}

static int read_lines(const char *path, char a[KEY_Z85], char b[KEY_Z85], int want, par_err *e)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        err_set(e, "cannot read key file %s: %s", path, strerror(errno));
        return -1;
    }
    char line[256];
    int got = 0;
    char *out[2] = {a, b};
    while (got < want && fgets(line, sizeof line, f)) {
        char *w = strtok(line, " \t\r\n");
        if (!w || w[0] == '#')
            continue;
        if (!z85_ok(w)) {
            fclose(f);
            err_set(e, "%s: '%s' is not a Z85 key (40 characters)", path, w);
            return -1;
        }
        memcpy(out[got++], w, KEY_Z85);
    }
    fclose(f);
    if (got < want) {
        err_set(e, "%s: expected %s", path, want == 2 ? "a public and a secret key" : "a public key");
        return -1;
    }
    return 0;
}

int keys_read_pair(const char *path, char pub[KEY_Z85], char sec[KEY_Z85], par_err *e)
{
    struct stat st;
    if (stat(path, &st) == 0 && (st.st_mode & 077)) {
        err_set(e, "%s holds a secret key but others may read it (mode %o): chmod 600 %s", path,
                (unsigned)(st.st_mode & 0777), path);
        return -1;
    }
    return read_lines(path, pub, sec, 2, e);
}

int keys_read_public(const char *path, char pub[KEY_Z85], par_err *e)
{
    char unused[KEY_Z85];
    return read_lines(path, pub, unused, 1, e);
}

int keys_write_pair(const char *path, const char pub[KEY_Z85], const char sec[KEY_Z85], par_err *e)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        err_set(e, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    char buf[200];
    int n = snprintf(buf, sizeof buf, "%s\n%s\n", pub, sec);
    int ok = write(fd, buf, (size_t)n) == n && fsync(fd) == 0;
    close(fd);
    if (!ok) {
        err_set(e, "cannot write %s", path);
        return -1;
    }
    return 0;
}

void keys_dir(const char *configured, const char *data_dir, char *out, size_t n)
{
    if (configured && *configured)
        snprintf(out, n, "%s", configured);
    else
        snprintf(out, n, "%s/keys", data_dir);
}
