/* textpool: NUL-terminated strings copied into chunks that never move, so that what was
 * handed out stays good while more is added; one allocation a chunk, not a string. The
 * owner frees them all at once. Shared by the tables read from files and the string
 * sets (common/strset.h). */
#ifndef PAR_TEXTPOOL_H
#define PAR_TEXTPOOL_H

#include <stddef.h>

typedef struct textpool_chunk textpool_chunk;
typedef struct {
    textpool_chunk *head;
} textpool;

/* Zeroed is empty. A chunk of room bytes at once, when the whole size is known (a file's
 * table: its fields are never longer than the file). */
void textpool_reserve(textpool *p, size_t room);
/* A copy of s. Chunks after the first grow from 512 bytes to 64 KiB (or a string's size). */
const char *textpool_put(textpool *p, const char *s);
void textpool_free(textpool *p);

#endif
