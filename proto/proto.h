/* proto: the message schema and the one msgpack codec every program uses.
 *
 * A message is a msgpack map {"v": PROTO_VERSION, "t": type, ...}. Programs build
 * and read messages as pv trees; only this module sees msgpack. Decoding untrusted
 * bytes is strict and bounded: total size, nesting depth, string length, element
 * counts (checked against the bytes left before anything is allocated), key types,
 * duplicate keys, and then each message type's schema (see proto/README.md). */
#ifndef PAR_PROTO_H
#define PAR_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include "base.h"
#include "row.h"

#define PROTO_VERSION 1
#define PROTO_MAX_MSG (16u << 20)   /* also ZMQ_MAXMSGSIZE on every socket */
#define PROTO_MAX_DEPTH 8
#define PROTO_MAX_STR 65536
#define PROTO_MAX_ITEMS 200000      /* elements of one array or map */
#define PROTO_MAX_ROWS 100000       /* rows of one submit or import */

/* PV_RAW: bytes already encoded (u.s), written as they are by proto_encode: a change
 * is encoded once for the log and sent from the same bytes. Never decoded into. */
typedef enum { PV_NIL, PV_BOOL, PV_INT, PV_FLOAT, PV_STR, PV_ARR, PV_MAP, PV_RAW } pv_type;

typedef struct pv pv;
typedef struct {
    char *k;
    pv *v;
} pv_kv;

struct pv {
    pv_type t;
    union {
        int b;
        int64_t i;
        double f;
        struct {
            char *p; /* NUL-terminated copy */
            uint32_t n;
        } s;
        struct {
            pv **v;
            uint32_t n, cap;
        } a;
        struct {
            pv_kv *kv;
            uint32_t n, cap;
        } m;
    } u;
};

pv *pv_nil(void);
pv *pv_bool(int b);
pv *pv_int(int64_t i);
pv *pv_float(double f);
pv *pv_str(const char *s);
pv *pv_strn(const char *s, size_t n);
pv *pv_arr(void);
pv *pv_map(void);
/* Takes ownership of buf (malloc'd msgpack bytes of one value). */
pv *pv_raw(char *buf, size_t len);
void pv_free(pv *v);
pv *pv_copy(const pv *v);

/* Containers take ownership of what is added. */
void pv_push(pv *arr, pv *item);
void pv_set(pv *map, const char *key, pv *val);
void pv_set_str(pv *map, const char *key, const char *s);
void pv_set_int(pv *map, const char *key, int64_t i);

const pv *pv_get(const pv *map, const char *key);
/* NULL when absent or not a string. */
const char *pv_get_str(const pv *map, const char *key);
/* def when absent or not an integer. */
int64_t pv_get_int(const pv *map, const char *key, int64_t def);
int pv_get_bool(const pv *map, const char *key, int def);
/* What pages, tables and replicas read of a map they did not build (map may be NULL):
 * its text, "" when absent or not a string; its number, float or integer, else 0. */
const char *pv_get_text(const pv *map, const char *key);
double pv_get_num(const pv *map, const char *key);

/* Message types. */
#define MSG_SUBMIT "submit"   /* id, cols[str], rows[[line, str...]]: submission lines */
#define MSG_ACK "ack"         /* id, results[{line, ok, seq, received, reason}]; or compact (below) */
#define MSG_IMPORT "import"   /* id, what, cols, rows: reference data */
#define MSG_QUERY "query"     /* id, q, args{str: str} */
#define MSG_REPLY "reply"     /* id, ok, error?, data? */
#define MSG_EVENT "event"     /* seq, what, row{str: str}, received, sender */
#define MSG_EVENTS "events"   /* events[event]: the change events of one commit, on the bus */
#define MSG_HB "hb"           /* service, seq?, info? */
#define MSG_ERROR "error"     /* id, code, message */
#define MSG_EVIDENCE "evidence" /* id, meta{str: str}, offset, parts[base64 str]: a piece of a document */

pv *proto_msg(const char *type);
/* The message's type, after proto_decode has checked it against the schema. */
const char *proto_type(const pv *msg);

/* Encodes v; the caller frees *out. */
void proto_encode(const pv *v, char **out, size_t *len);
/* Decodes one whole message (no bytes left over) and checks its schema. */
int proto_decode(const void *buf, size_t len, pv **out, par_err *e);
/* Decodes any bounded value without a schema check (stored records). */
int proto_decode_value(const void *buf, size_t len, pv **out, par_err *e);
/* Moves *pos past one value of buf, checking every length and count against the bytes
 * left and the limits above, without allocating. 0, or -1. */
int proto_skip(const void *buf, size_t len, size_t *pos);
/* Reads the type and id of a message without building it (the broker's routing). */
int proto_peek(const void *buf, size_t len, char type[16], int64_t *id);
/* The same without checking the message to its end: the keys are read, bounded, until
 * "t" and "id" are found. For the broker, which routes and leaves the checking to the
 * service: a 16 MiB message costs it no walk over its rows. */
int proto_peek_head(const void *buf, size_t len, char type[16], int64_t *id);
/* Only the type, read until "t" (first after "v" in every message we pack): a bus
 * message has no id, and looking for one walked the whole batch of events. */
int proto_peek_type(const void *buf, size_t len, char type[16]);

/* An ack's answer for each line, in the order of lines (the request's line numbers): the
 * per-line results as they came, or expanded from a compact ack (asked for with
 * "ack": "compact" in the submit): {received, seq, stored, refused [[line, reason]],
 * duplicates [[line, seq, received]]}, where the lines neither refused nor duplicate were
 * stored with the sequence numbers seq, seq + 1, ... in their order, all received then. */
pv *proto_ack_results(const pv *ack, const int64_t *lines, uint32_t n);

/* The same one line at a time, without building anything: what the agent reads a
 * 100,000-line batch's answer with. Views into the ack, valid while it is. */
typedef struct {
    int64_t line;
    int ok, duplicate;
    int64_t seq;          /* ok: its place in the change log */
    const char *received; /* ok: when the province received it; else "" */
    const char *reason;   /* refused: why; else "" */
} ack_line;
typedef struct {
    const pv *results, *refused, *dups;
    const char *received;
    int64_t seq, first, stored; /* stored: as the ack says it, -1 when it does not */
    uint32_t i, ri, di;
} ack_cursor;
void ack_cursor_init(ack_cursor *c, const pv *ack);
/* The answer for the request's next line, whose number is line (lines in the request's
 * order). */
void ack_cursor_next(ack_cursor *c, int64_t line, ack_line *out);
/* After every line of the request: 0 when the answer adds up (each result, refusal and
 * duplicate given to a line; as many lines stored as it says), -1 when it does not: its
 * sequence numbers would then be given to the wrong lines. */
int ack_cursor_done(const ack_cursor *c);

/* A row view as a map of strings, for code that keeps rows as value trees (rare
 * changes: units, criteria, tasks). */
pv *proto_row_pv(const row_view *r);

/* Builders for the common replies. */
pv *proto_error(int64_t id, const char *code, const char *message);
pv *proto_reply(int64_t id, pv *data);

#endif
