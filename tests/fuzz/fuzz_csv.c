/* libFuzzer target: the CSV reader and header mapping that every importer uses, the
 * deadline reader for the texts found in task files, the JSON Lines reader, the
 * notifier's holiday files, and the rows par-agent keeps in its outbox (a damaged one is
 * read back as refused, never past its bytes). */
#include <stdlib.h>
#include <string.h>

#include "../../common/csv.h"
#include "../../common/deadline.h"
#include "../../common/table.h"
#include "../../common/calendar.h"
#include "../../agent/outbox.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    csv_reader *r = csv_new((const char *)data, size);
    csv_set_sep(r, csv_sniff((const char *)data, size));
    csv_row row;
    par_err e;
    int idx[CSV_MAX_FIELDS], first = 1, rc;
    while ((rc = csv_next(r, &row, &e)) != 0) {
        if (rc < 0)
            continue;
        if (first) {
            for (int f = 0; f < 4; f++)
                csv_header(&row, table_cols((table_format)f), table_required((table_format)f), idx, &e);
            first = 0;
        }
        for (int i = 0; i < row.n; i++) {
            deadline d;
            char out[64];
            deadline_parse(row.f[i], &d);
            deadline_format(&d, out, sizeof out);
        }
    }
    csv_destroy(r);
    FILE *sink = fopen("/dev/null", "w");
    table t;
    par_err te;
    for (int f = 0; sink && f < 4; f++) /* every format's header, the rows kept in chunks, UTF-16 */
        if (table_parse_bytes("fuzz.csv", (const char *)data, size, table_cols((table_format)f),
                              table_required((table_format)f), &t, sink, &te) == 0)
            table_free(&t);
    if (sink && table_parse_jsonl("fuzz", (const char *)data, size, table_cols(TABLE_SUBMISSIONS),
                                  table_required(TABLE_SUBMISSIONS), &t, sink) == 0)
        table_free(&t);
    if (sink)
        fclose(sink);
    /* the outbox's records: the width the bytes say (0 too), capped, and the two the
     * agent uses; what is read back packs to the same bytes (the form is canonical) */
    uint32_t said = size >= 8 ? (uint32_t)data[4] | (uint32_t)data[5] << 8 : 1;
    uint32_t widths[] = {said > 64 ? 64 : said, 1, 8};
    for (int w = 0; w < 3; w++) {
        outbox_lines l;
        if (outbox_lines_read(&l, data, size, widths[w], &e) == 0) {
            sbuf b;
            sbuf_init(&b);
            outbox_lines_pack(&b, widths[w], l.n, l.line, l.text);
            if (b.len != size || memcmp(b.buf, data, size))
                abort();
            sbuf_free(&b);
            outbox_lines_free(&l);
        }
    }
    static calendar *cal;
    if (!cal && calendar_load(&cal, NULL, &e) < 0)
        abort();
    calendar_parse(cal, "fuzz", 2025, (const char *)data, size, &e);
    return 0;
}
