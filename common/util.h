/* util: small helpers shared by every program (strings, files); errors, allocation and
 * string buffers are proto/base.h's, which every program has through this header. */
#ifndef PAR_UTIL_H
#define PAR_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include "../proto/base.h"

/* Copies src into dst (size n), always terminating; returns -1 if truncated. */
int str_copy(char *dst, size_t n, const char *src);
/* parts[0]|parts[1]|... into out (size n), cut like snprintf; its length. By hand for
 * the keys made for every stored line, where snprintf cost a tenth of the time. */
size_t str_join_bars(char *out, size_t n, const char *const parts[], int np);
/* Trims ASCII white space in place and returns s. */
char *str_trim(char *s);
/* The next item of a list separated by ';' (supporting units, e-mail addresses), trimmed,
 * into item (cut to n - 1 bytes); empty places between two ';' are skipped. *p starts at
 * the list and moves on; 0 at its end. */
int str_list_next(const char **p, char *item, size_t n);
/* A unit level's Vietnamese name ("district" -> "huyện"); the id itself when not a known one. */
const char *str_level_vi(const char *level);
/* Whether a level is a local government's (district, commune, ward, town): its body is
 * "UBND ...". */
int str_level_local(const char *level);
/* A unit's name inside a sentence, as officials write it: "huyện Tam Đường", "thành phố
 * Lai Châu" (its level word in lower case), into out. 1 when it began with a level word. */
int str_name_mid(const char *name, char *out, size_t n);
/* in as text the protocol carries, into out (n bytes): valid UTF-8 kept, each byte that
 * is not (or a control character) as '?', cut at a character boundary. Returns out. */
char *str_clean_utf8(char *out, size_t n, const char *in);
int str_has_prefix(const char *s, const char *prefix);
/* Parses a whole decimal integer; -1 on anything else. */
int str_to_i64(const char *s, int64_t *out);
/* Parses a decimal number written with '.' or the Vietnamese ',' decimal mark. */
int str_to_num(const char *s, double *out);

/* Copies s into out, cut or padded to width characters (UTF-8 code points, never
 * split), for aligned columns of Vietnamese text. */
void str_column(char *out, size_t n, const char *s, int width);
/* Reads a whole file; the caller frees *out. */
int file_read(const char *path, char **out, size_t *len, par_err *e);
/* The same for at most max bytes: a larger file is refused (-2, e says so, *len the
 * bytes it was seen to hold) before it is held, and one that grows past max while read. */
int file_read_max(const char *path, size_t max, char **out, size_t *len, par_err *e);
/* Creates a directory and its parents (mode 0750). */
int dir_make(const char *path, par_err *e);
/* Makes sure fds 0-2 are open, so that a stray write never lands in a store. */
void fd_std_ensure(void);

#endif
