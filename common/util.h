/* util: error values, string buffers and small helpers shared by every program. */
#ifndef PAR_UTIL_H
#define PAR_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* An error carries a human message up to the user; functions return 0 or -1. */
typedef struct {
    char msg[512];
} par_err;

void err_set(par_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Allocation that aborts on exhaustion: a daemon that cannot allocate a few
 * bytes cannot do anything useful, and checking every call hides the logic. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Growable byte buffer, always NUL-terminated. */
typedef struct {
    char *buf;
    size_t len, cap;
} sbuf;

void sbuf_init(sbuf *b);
void sbuf_free(sbuf *b);
void sbuf_add(sbuf *b, const void *p, size_t n);
void sbuf_puts(sbuf *b, const char *s);
void sbuf_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copies src into dst (size n), always terminating; returns -1 if truncated. */
int str_copy(char *dst, size_t n, const char *src);
/* Trims ASCII white space in place and returns s. */
char *str_trim(char *s);
/* The next item of a list separated by ';' (supporting units, e-mail addresses), trimmed,
 * into item (cut to n - 1 bytes); empty places between two ';' are skipped. *p starts at
 * the list and moves on; 0 at its end. */
int str_list_next(const char **p, char *item, size_t n);
int str_has_prefix(const char *s, const char *prefix);
/* Parses a whole decimal integer; -1 on anything else. */
int str_to_i64(const char *s, int64_t *out);
/* Parses a decimal number written with '.' or the Vietnamese ',' decimal mark. */
int str_to_num(const char *s, double *out);
/* Valid UTF-8 with no NUL and no control characters but tab and line breaks
 * (notes and the text of alert messages run over several lines). */
int str_utf8_ok(const char *s, size_t n);

/* Copies s into out, cut or padded to width characters (UTF-8 code points, never
 * split), for aligned columns of Vietnamese text. */
void str_column(char *out, size_t n, const char *s, int width);
/* Reads a whole file; the caller frees *out. */
int file_read(const char *path, char **out, size_t *len, par_err *e);
/* Creates a directory and its parents (mode 0750). */
int dir_make(const char *path, par_err *e);
/* Makes sure fds 0-2 are open, so that a stray write never lands in a store. */
void fd_std_ensure(void);

#endif
