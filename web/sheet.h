/* sheet: downloads as .xlsx (libxlsxwriter): numbers as numbers, formatted with two
 * decimals (Excel shows them with the reader's decimal mark), a bold header, the
 * columns sized for Vietnamese names. libxlsxwriter writes a file: it is made in tmpdir
 * and read back. */
#ifndef PAR_WEB_SHEET_H
#define PAR_WEB_SHEET_H

#include "../proto/proto.h"

/* The ranking (the scorer's scores) as a workbook in *out. 0, or -1 with e. */
int sheet_ranking(const pv *ranking, const char *title, const char *tmpdir, sbuf *out, par_err *e);

#endif
