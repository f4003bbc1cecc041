/* base: what every module needs and proto/ owns, so that proto/ stands at the bottom
 * and imports nothing of ours: an error value with its human message, allocation that
 * aborts on exhaustion, and a growable byte buffer. */
#ifndef PAR_BASE_H
#define PAR_BASE_H

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
/* Advice for a large buffer about to be filled whole (a file read, the rows of a table):
 * transparent huge pages under its 2 MiB-aligned part, one page fault for 2 MiB instead
 * of 512 (a first touch costs ~12 us a page on the province's virtual machine). Nothing
 * where no aligned 2 MiB lies within, nor where the kernel has no huge pages. */
void xhuge(void *p, size_t n);

/* Growable byte buffer, always NUL-terminated. */
typedef struct {
    char *buf;
    size_t len, cap;
} sbuf;

void sbuf_init(sbuf *b);
void sbuf_free(sbuf *b);
/* Room for extra more bytes: what is added up to that grows nothing (a message whose size
 * is known before it is packed costs one allocation, no copy on the way). */
void sbuf_reserve(sbuf *b, size_t extra);
/* Inline: every packed value and every field read goes through it. */
static inline void sbuf_add(sbuf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap)
        sbuf_reserve(b, n);
    if (n)
        __builtin_memcpy(b->buf + b->len, p, n);
    b->len += n;
    b->buf[b->len] = '\0';
}
void sbuf_puts(sbuf *b, const char *s);
void sbuf_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* v in decimal, written to end there (no NUL; 20 bytes at most): where it starts. By
 * hand for what runs for every line, where snprintf cost a tenth of the time. */
char *dec_u64(char *end, uint64_t v);
/* The same with a '-' before a negative v (21 bytes at most). */
char *dec_i64(char *end, int64_t v);

/* Valid UTF-8 with no NUL and no control characters but tab and line breaks
 * (notes and the text of alert messages run over several lines). */
int str_utf8_ok(const char *s, size_t n);

#endif
