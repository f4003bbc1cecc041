#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int str_copy(char *dst, size_t n, const char *src)
{
    size_t l = strlen(src);
    if (l >= n) {
        memcpy(dst, src, n - 1);
        dst[n - 1] = '\0';
        return -1;
    }
    memcpy(dst, src, l + 1);
    return 0;
}

size_t str_join_bars(char *out, size_t n, const char *const parts[], int np)
{
    size_t at = 0;
    for (int i = 0; i < np && n; i++) {
        if (i && at + 1 < n)
            out[at++] = '|';
        size_t l = strlen(parts[i]);
        if (l > n - 1 - at)
            l = n - 1 - at;
        memcpy(out + at, parts[i], l);
        at += l;
    }
    if (n)
        out[at] = '\0';
    return at;
}

char *str_trim(char *s)
{
    char *p = s;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    size_t l = strlen(p);
    while (l && (p[l - 1] == ' ' || p[l - 1] == '\t' || p[l - 1] == '\r' || p[l - 1] == '\n'))
        l--;
    memmove(s, p, l);
    s[l] = '\0';
    return s;
}

int str_list_next(const char **p, char *item, size_t n)
{
    const char *s = *p;
    while (*s == ';')
        s++;
    if (!*s) {
        *p = s;
        return 0;
    }
    const char *end = strchr(s, ';');
    size_t l = end ? (size_t)(end - s) : strlen(s);
    *p = s + l;
    if (l >= n)
        l = n - 1;
    memcpy(item, s, l);
    item[l] = '\0';
    str_trim(item);
    return 1;
}

const char *str_level_vi(const char *level)
{
    static const char *const names[][2] = {{"province", "tỉnh"},     {"department", "sở, ngành"},
                                           {"district", "huyện"},    {"commune", "xã"},
                                           {"ward", "phường"},       {"town", "thị trấn"},
                                           {"office", "phòng, ban"}};
    for (size_t i = 0; level && i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(level, names[i][0]))
            return names[i][1];
    return level ? level : "";
}

int str_level_local(const char *level)
{
    static const char *const local[] = {"district", "commune", "ward", "town"};
    for (size_t i = 0; level && i < sizeof local / sizeof local[0]; i++)
        if (!strcmp(level, local[i]))
            return 1;
    return 0;
}

int str_name_mid(const char *name, char *out, size_t n)
{
    static const char *const words[] = {"Huyện ", "Xã ", "Phường ", "Thị trấn ", "Thành phố ", "Thị xã "};
    snprintf(out, n, "%s", name);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strncmp(name, words[i], strlen(words[i])) && out[0] >= 'A' && out[0] <= 'Z') {
            out[0] = (char)(out[0] - 'A' + 'a'); /* every level word starts with an ASCII capital */
            return 1;
        }
    return 0;
}

int str_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int str_to_i64(const char *s, int64_t *out)
{
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int str_to_num(const char *s, double *out)
{
    char tmp[64];
    size_t l = strlen(s);
    if (l == 0 || l >= sizeof tmp)
        return -1;
    int seen_mark = 0, digits = 0;
    for (size_t i = 0; i < l; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            digits++;
            tmp[i] = c;
        } else if ((c == '.' || c == ',') && !seen_mark) {
            seen_mark = 1;
            tmp[i] = '.';
        } else if ((c == '-' || c == '+') && i == 0) {
            tmp[i] = c;
        } else {
            return -1;
        }
    }
    tmp[l] = '\0';
    if (!digits)
        return -1;
    char *end;
    double v = strtod(tmp, &end);
    if (*end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}


void str_column(char *out, size_t n, const char *s, int width)
{
    size_t o = 0;
    int cols = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && cols < width) {
        size_t l = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;
        if (o + l + 1 > n)
            break;
        for (size_t k = 0; k < l && p[k]; k++)
            out[o++] = (char)p[k];
        p += l;
        cols++;
    }
    while (cols++ < width && o + 1 < n)
        out[o++] = ' ';
    out[o] = '\0';
}

int file_read_max(const char *path, size_t max, char **out, size_t *len, par_err *e)
{
    int rc = -1;
    sbuf b;
    sbuf_init(&b);
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_set(e, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    /* a regular file is refused before it is read when too large (evidence of 1 GiB and
     * more was read whole, then refused), and read once into a buffer of its size */
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
        if ((unsigned long long)st.st_size > max) {
            err_set(e, "%s: %lld bytes, more than %zu", path, (long long)st.st_size, max);
            *len = (size_t)st.st_size;
            rc = -2;
            goto fail;
        }
        sbuf_reserve(&b, (size_t)st.st_size);
        xhuge(b.buf, b.cap);
    }
    for (;;) {
        if (b.len + 1 >= b.cap) { /* full (the file grew), or not a regular file: more? */
            int c = fgetc(f);
            if (c == EOF)
                break;
            sbuf_reserve(&b, 65536);
            b.buf[b.len++] = (char)c;
        }
        size_t n = fread(b.buf + b.len, 1, b.cap - b.len - 1, f);
        b.len += n;
        if (b.len > max) {
            err_set(e, "%s: more than %zu bytes", path, max);
            *len = b.len;
            rc = -2;
            goto fail;
        }
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        err_set(e, "cannot read %s", path);
        goto fail;
    }
    sbuf_add(&b, "", 0); /* NUL-terminated, and a buffer even for nothing */
    *out = b.buf;
    *len = b.len;
    fclose(f);
    return 0;
fail:
    fclose(f);
    sbuf_free(&b);
    return rc;
}

int file_read(const char *path, char **out, size_t *len, par_err *e)
{
    return file_read_max(path, SIZE_MAX, out, len, e);
}

int dir_make(const char *path, par_err *e)
{
    char tmp[PATH_MAX];
    if (str_copy(tmp, sizeof tmp, path) < 0) {
        err_set(e, "path too long: %s", path);
        return -1;
    }
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0750) < 0 && errno != EEXIST) {
            err_set(e, "cannot create %s: %s", tmp, strerror(errno));
            return -1;
        }
        *p = '/';
    }
    if (mkdir(tmp, 0750) < 0 && errno != EEXIST) {
        err_set(e, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    return 0;
}

void fd_std_ensure(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (n >= 0 && n != fd) {
            dup2(n, fd);
            close(n);
        }
    }
}

char *str_clean_utf8(char *out, size_t n, const char *in)
{
    size_t o = 0;
    for (size_t i = 0; in[i] && o + 1 < n;) {
        unsigned c = (unsigned char)in[i];
        size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        size_t have = 0;
        while (have < len && in[i + have])
            have++;
        if (len && have == len && str_utf8_ok(in + i, len)) {
            if (o + len + 1 > n)
                break;
            memcpy(out + o, in + i, len);
            o += len;
            i += len;
        } else {
            out[o++] = '?';
            i++;
        }
    }
    if (n)
        out[o] = '\0';
    return out;
}
