/* libFuzzer target: the message decoder, the broker's peek, and the typed readers of
 * stored rows, change events and "changes" replies, on untrusted bytes. Whatever
 * decodes must encode and decode again to the same value; a row the typed reader
 * accepts must read the same through the value tree; an alert record read back packs
 * to the same bytes; so does a season record. */
#include <stdlib.h>
#include <string.h>

#include "../../proto/alert.h"
#include "../../proto/event.h"
#include "../../proto/season.h"
#include "../../proto/submit.h"
#include "../../proto/proto.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    pv *m = NULL;
    par_err e;
    char type[16];
    int64_t id;
    proto_peek(data, size, type, &id);
    proto_peek_head(data, size, type, &id);
    if (proto_decode_value(data, size, &m, &e) == 0) {
        char *buf;
        size_t len;
        proto_encode(m, &buf, &len);
        pv *again = NULL;
        if (proto_decode_value(buf, len, &again, &e) != 0)
            abort();
        char *buf2;
        size_t len2;
        proto_encode(again, &buf2, &len2);
        if (len != len2 || memcmp(buf, buf2, len))
            abort();
        free(buf);
        free(buf2);
        pv_free(again);
        pv_free(m);
    }
    if (proto_decode(data, size, &m, &e) == 0)
        pv_free(m);

    row_view r;
    row_init(&r);
    if (row_decode(&r, data, size, &e) == 0) {
        /* every field the view gives is the tree's string for it */
        pv *t = NULL;
        if (proto_decode_value(data, size, &t, &e) == 0)
            for (uint32_t i = 0; i < r.n; i++) {
                const char *s = pv_get_str(t, r.k[i]);
                if (s && strcmp(s, r.v[i]))
                    abort();
            }
        pv_free(t);
    }
    row_free(&r);
    event_batch b;
    event_batch_init(&b);
    uint64_t last;
    event_batch_add(&b, data, size, &e);
    event_batch_add_bus(&b, data, size, &e);
    event_batch_add_changes(&b, data, size, &last, &e);
    for (uint32_t i = 0; i < b.n; i++)
        row_str(&b.v[i].row, "unit");
    event_batch_free(&b);
    /* the collector's reader of submissions: never accepts what the decoder refuses, but
     * for fields it cannot hold, which it marks so that their lines are refused alone */
    submit_view sv;
    submit_init(&sv);
    int typed = submit_decode(&sv, data, size, &e);
    for (uint32_t i = 0; typed == 0 && i < sv.nrows; i++)
        if (sv.bad[i])
            typed = 1;
    submit_free(&sv);
    if (typed == 0) {
        pv *t = NULL;
        if (proto_decode(data, size, &t, &e) != 0)
            abort();
        pv_free(t);
    }
    /* the notifier's alert record: what it reads packs back to a record that reads the same */
    alert_view av, av2;
    alert_view_init(&av);
    alert_view_init(&av2);
    if (proto_alert_unpack(&av, data, size, &e) == 0) {
        sbuf again;
        sbuf_init(&again);
        proto_alert_pack(&av.rec, &again);
        const alert_rec *x = &av.rec, *y = &av2.rec;
        if (proto_alert_unpack(&av2, again.buf, again.len, &e) != 0 || x->id != y->id || strcmp(x->task, y->task) ||
            strcmp(x->instance, y->instance) || strcmp(x->kind, y->kind) || x->deadline != y->deadline ||
            x->slot != y->slot || x->days != y->days || x->working_days != y->working_days ||
            x->level != y->level || x->created_ms != y->created_ms || x->nto != y->nto)
            abort();
        for (uint32_t i = 0; i < x->nto; i++)
            if (strcmp(x->to[i].unit, y->to[i].unit) || strcmp(x->to[i].role, y->to[i].role) ||
                x->to[i].message != y->to[i].message)
                abort();
        sbuf_free(&again);
    }
    alert_view_free(&av2);
    /* a season record: what reads packs back to the same bytes (the moves included) */
    static season_move moves[SEASON_MAX_MOVES];
    season se = {.moves = moves};
    if (proto_season_unpack(&se, data, size, &e) == 0) {
        sbuf again;
        sbuf_init(&again);
        proto_season_pack(&se, &again);
        season se2 = {.moves = NULL};
        if (proto_season_unpack(&se2, again.buf, again.len, &e) != 0 || se2.phase != se.phase ||
            se2.nmoves != se.nmoves || strcmp(se2.decision, se.decision))
            abort();
        sbuf_free(&again);
    }
    alert_view_free(&av);
    return 0;
}
