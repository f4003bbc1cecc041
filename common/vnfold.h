/* vnfold: folds Vietnamese text to lower-case ASCII (dấu removed, đ -> d), so that
 * OCR text without diacritics and typed text with them compare equal. */
#ifndef PAR_VNFOLD_H
#define PAR_VNFOLD_H

#include <stddef.h>

/* Writes the folded text into out (size n), runs of white space made one space,
 * ends trimmed; characters that are neither ASCII nor Vietnamese become '?'. */
void vnfold(const char *in, char *out, size_t n);

#endif
