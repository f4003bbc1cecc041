#include "evidence.h"
#include "authz.h"
#include "season.h"
#include "validate.h"
#include "../proto/row.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *meta(const pv *m, const char *k)
{
    const char *s = pv_get_str(m, k);
    return s ? s : "";
}

static int is_sha(const char *s)
{
    if (strlen(s) != 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

/* The name's extension, lower case ("" when none). */
static void ext_of(const char *name, char out[8])
{
    const char *dot = strrchr(name, '.');
    size_t i = 0;
    out[0] = '\0';
    if (!dot || strlen(dot + 1) >= 8)
        return;
    for (dot++; *dot; dot++)
        out[i++] = (char)(*dot >= 'A' && *dot <= 'Z' ? *dot + 32 : *dot);
    out[i] = '\0';
}

/* Whether item is one of a list separated by ',' or ';' ([season] evidence_types). */
static int in_list(const char *list, const char *item)
{
    char copy[CONF_STR], *save = NULL;
    str_copy(copy, sizeof copy, list);
    for (char *one = strtok_r(copy, ",; ", &save); one; one = strtok_r(NULL, ",; ", &save))
        if (*item && !strcasecmp(one, item))
            return 1;
    return 0;
}

/* The document starts as its type does: a PDF is not a renamed executable. */
static int magic_ok(const char *ext, const unsigned char *p, size_t n)
{
    if (!strcmp(ext, "pdf"))
        return n >= 5 && !memcmp(p, "%PDF-", 5);
    if (!strcmp(ext, "png"))
        return n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8);
    if (!strcmp(ext, "jpg") || !strcmp(ext, "jpeg"))
        return n >= 3 && !memcmp(p, "\xff\xd8\xff", 3);
    if (!strcmp(ext, "docx") || !strcmp(ext, "xlsx") || !strcmp(ext, "odt") || !strcmp(ext, "ods") ||
        !strcmp(ext, "pptx"))
        return n >= 4 && !memcmp(p, "PK\x03\x04", 4);
    return 1; /* a type the province added itself: its name is all we check */
}

static const char *mime_of(const char *ext)
{
    static const char *const map[][2] = {
        {"pdf", "application/pdf"}, {"png", "image/png"}, {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"},
        {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {"odt", "application/vnd.oasis.opendocument.text"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(ext, map[i][0]))
            return map[i][1];
    return "application/octet-stream";
}

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int sha_of_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    unsigned char buf[65536], out[32];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_hash_sha256_update(&h, buf, n);
    int bad = ferror(f);
    fclose(f);
    crypto_hash_sha256_final(&h, out);
    sodium_bin2hex(hex, 65, out, sizeof out);
    return bad ? -1 : 0;
}

typedef struct {
    const par_config *conf;
    const pv *meta;
    const char *sender, *received;
    char key[400], crit[160], phase[16];
    int refused;
} put_ctx;

/* Who may send, for what, and when: checked in a read transaction before a byte is kept. */
static int admissible(record *r, put_ctx *x, int64_t year, par_err *why)
{
    record_txn t;
    if (record_begin(r, &t, why) < 0)
        return -1;
    int rc = -1;
    const char *unit = meta(x->meta, "unit");
    const pv *u = record_unit(&t, unit);
    const char *level = u ? pv_get_str(u, "level") : NULL;
    char key[160];
    snprintf(key, sizeof key, "%s:%s", meta(x->meta, "index"), meta(x->meta, "criterion"));
    sub_line s;
    memset(&s, 0, sizeof s);
    str_copy(s.unit, sizeof s.unit, unit);
    s.year = (int)year;
    str_copy(s.kind, sizeof s.kind, "score");
    char today[11];
    snprintf(today, sizeof today, "%.10s", x->received);
    if (!u) {
        err_set(why, "unknown unit %s", unit);
        goto done;
    }
    if (validate_criterion(&t, key, (int)year, level ? level : "", x->crit, sizeof x->crit, why) < 0 ||
        authz_line(&t, x->sender, &s, today, why) < 0)
        goto done;
    str_copy(s.key, sizeof s.key, x->crit);
    /* documents back a self-assessment or an explanation: in those phases, on time */
    season_cache c;
    memset(&c, 0, sizeof c);
    int late, phase;
    par_err self_why;
    if (season_check_line(&t, &c, &s, level ? level : "", x->received, x->conf->accept_late, &late, &phase,
                          &self_why) < 0) {
        str_copy(s.kind, sizeof s.kind, "explanation");
        if (phase != PHASE_EXPLANATION ||
            season_check_line(&t, &c, &s, level ? level : "", x->received, 0, &late, &phase, why) < 0) {
            if (phase != PHASE_EXPLANATION)
                err_set(why, "%s", self_why.msg);
            goto done;
        }
    }
    str_copy(x->phase, sizeof x->phase, season_phase_name(phase));
    rc = 0;
done:
    record_abort(&t);
    return rc;
}

static int put_record(record_txn *t, void *ctx, par_err *e)
{
    put_ctx *x = ctx;
    const pv *m = x->meta;
    char ext[8];
    ext_of(meta(m, "name"), ext);
    const char *names[] = {"unit", "year", "index", "criterion", "name", "type", "size", "sha256",
                           "sender", "received", "phase"};
    const char *vals[] = {meta(m, "unit"), meta(m, "year"), meta(m, "index"), x->crit, meta(m, "name"),
                          mime_of(ext), meta(m, "size"), meta(m, "sha256"), x->sender, x->received, x->phase};
    pv *row = pv_map();
    for (int i = 0; i < 11; i++)
        pv_set_str(row, names[i], vals[i]);
    char *buf;
    size_t len;
    proto_encode(row, &buf, &len);
    int rc = record_put_raw(t, DB_EVIDENCE, x->key, buf, len, e);
    free(buf);
    if (rc == 0)
        rc = record_log(t, "evidence", row, x->received, x->sender, NULL, e);
    pv_free(row);
    return rc;
}

int evidence_piece(const par_config *conf, record *r, const pv *msg, const char *sender, const char *received,
                   pv **data, record_events *events, par_err *why)
{
    *data = NULL;
    memset(events, 0, sizeof *events);
    put_ctx x = {.conf = conf, .meta = pv_get(msg, "meta"), .sender = sender, .received = received};
    const pv *m = x.meta, *parts = pv_get(msg, "parts");
    const char *name = meta(m, "name"), *sha = meta(m, "sha256");
    int64_t year, size, offset = pv_get_int(msg, "offset", -1);
    char ext[8], dir[CONF_PATH + 64], part[CONF_PATH + 160], obj[CONF_PATH + 160];
    unsigned char *bytes = NULL;
    size_t n = 0;
    int fd = -1, rc = 1;
    ext_of(name, ext);
    if (!validate_id(meta(m, "unit")) || !validate_id(meta(m, "index")) || str_to_i64(meta(m, "year"), &year) < 0 ||
        year < 2000 || year > 2100 || !validate_crit_id(meta(m, "criterion"))) {
        err_set(why, "a document names its unit, index, year (2000-2100) and criterion");
        goto done;
    }
    if (!*name || strlen(name) > EVIDENCE_NAME || strchr(name, '/') || name[0] == '.') {
        err_set(why, "a document's name is 1-%d bytes without '/' and not starting with '.'", EVIDENCE_NAME);
        goto done;
    }
    if (!in_list(conf->evidence_types, ext)) {
        err_set(why, "%s: documents of type '%s' are not taken (taken: %s)", name, ext, conf->evidence_types);
        goto done;
    }
    if (!is_sha(sha) || str_to_i64(meta(m, "size"), &size) < 0 || size < 1) {
        err_set(why, "%s: a document gives its SHA-256 (64 hex digits) and its size", name);
        goto done;
    }
    if (size > (int64_t)conf->evidence_max_mb << 20) {
        err_set(why, "%s is %lld bytes: a document may hold at most %d MiB", name, (long long)size,
                conf->evidence_max_mb);
        goto done;
    }
    if (offset < 0 || offset >= size) {
        err_set(why, "%s: piece at offset %lld of a document of %lld bytes", name, (long long)offset,
                (long long)size);
        goto done;
    }
    if (admissible(r, &x, year, why) < 0)
        goto done;
    /* the bytes of this piece */
    bytes = xmalloc(EVIDENCE_PIECE + 4);
    for (uint32_t i = 0; i < parts->u.a.n; i++) {
        size_t got = 0;
        const pv *p = parts->u.a.v[i];
        if (sodium_base642bin(bytes + n, EVIDENCE_PIECE - n, p->u.s.p, p->u.s.n, NULL, &got, NULL,
                              sodium_base64_VARIANT_ORIGINAL) < 0) {
            err_set(why, "%s: a piece is not base64 or holds more than %u bytes", name, EVIDENCE_PIECE);
            goto done;
        }
        n += got;
    }
    if (!n || offset + (int64_t)n > size) {
        err_set(why, "%s: %zu bytes at offset %lld go past its size %lld", name, n, (long long)offset,
                (long long)size);
        goto done;
    }
    if (offset == 0 && !magic_ok(ext, bytes, n)) {
        err_set(why, "%s does not hold what a .%s file holds", name, ext);
        goto done;
    }
    snprintf(dir, sizeof dir, "%s/evidence/tmp", conf->data_dir);
    snprintf(part, sizeof part, "%s/%s.part", dir, sha);
    rc = -1;
    if (dir_make(dir, why) < 0)
        goto done;
    fd = open(part, O_WRONLY | O_CREAT | (offset == 0 ? O_TRUNC : 0), 0640);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        err_set(why, "cannot write %s: %s", part, strerror(errno));
        goto done;
    }
    if (st.st_size != offset) {
        err_set(why, "%s: %lld bytes are held; send the piece at that offset", name, (long long)st.st_size);
        rc = 1;
        goto done;
    }
    if (lseek(fd, 0, SEEK_END) < 0 || write(fd, bytes, n) != (ssize_t)n) {
        err_set(why, "cannot write %s: %s", part, strerror(errno));
        goto done;
    }
    if (offset + (int64_t)n < size) {
        *data = pv_map();
        pv_set_int(*data, "next", offset + (int64_t)n);
        rc = 0;
        goto done;
    }
    /* the last piece: the whole document, checked, made durable, then recorded */
    if (fsync(fd) < 0) {
        err_set(why, "cannot sync %s: %s", part, strerror(errno));
        goto done;
    }
    close(fd);
    fd = -1;
    char have[65];
    if (sha_of_file(part, have) < 0 || strcmp(have, sha)) {
        unlink(part);
        err_set(why, "%s arrived with SHA-256 %s, not %s: send it again", name, have, sha);
        rc = 1;
        goto done;
    }
    snprintf(dir, sizeof dir, "%s/evidence/objects/%.2s", conf->data_dir, sha);
    snprintf(obj, sizeof obj, "%s/%s", dir, sha);
    if (dir_make(dir, why) < 0)
        goto done;
    if (rename(part, obj) < 0 || fsync_path(dir) < 0) {
        err_set(why, "cannot keep %s: %s", obj, strerror(errno));
        goto done;
    }
    snprintf(x.key, sizeof x.key, "%s|%lld|%s|%s", meta(m, "unit"), (long long)year, x.crit, sha);
    if (record_write(r, put_record, &x, events, why) != 0)
        goto done;
    *data = pv_map();
    pv_set_str(*data, "sha256", sha);
    pv_set_str(*data, "received", received);
    pv_set_int(*data, "size", size);
    rc = 0;
done:
    if (fd >= 0)
        close(fd);
    free(bytes);
    return rc;
}

int evidence_list(record_txn *t, const pv *args, pv **data, par_err *e)
{
    const char *unit = pv_get_str(args, "unit"), *index = pv_get_str(args, "index"),
               *year = pv_get_str(args, "year"), *crit = pv_get_str(args, "criterion");
    if (!unit || !index || !year) {
        err_set(e, "evidence is listed for a unit, an index and a year");
        return -1;
    }
    char prefix[256];
    if (crit)
        snprintf(prefix, sizeof prefix, "%s|%s|%s:%s|", unit, year, index, crit);
    else
        snprintf(prefix, sizeof prefix, "%s|%s|%s:", unit, year, index);
    size_t pl = strlen(prefix);
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, store_dbi(record_store(t->r), DB_EVIDENCE), &cur);
    if (rc) {
        err_set(e, "cursor: %s", mdb_strerror(rc));
        return -1;
    }
    MDB_val k = {pl, prefix}, v;
    pv *list = pv_arr();
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && k.mv_size >= pl && !memcmp(k.mv_data, prefix, pl);
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        pv *rec = NULL;
        par_err ig;
        if (proto_decode_value(v.mv_data, v.mv_size, &rec, &ig) == 0)
            pv_push(list, rec);
    }
    mdb_cursor_close(cur);
    *data = list;
    return 0;
}

int evidence_read(const par_config *conf, const pv *args, pv **data, par_err *e)
{
    const char *sha = pv_get_str(args, "sha256"), *off = pv_get_str(args, "offset");
    int64_t offset = 0;
    if (!sha || !is_sha(sha) || (off && (str_to_i64(off, &offset) < 0 || offset < 0))) {
        err_set(e, "a document is named by its SHA-256 (64 hex digits)");
        return -1;
    }
    char path[CONF_PATH + 160];
    snprintf(path, sizeof path, "%s/evidence/objects/%.2s/%s", conf->data_dir, sha, sha);
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0)
            close(fd);
        err_set(e, "no document with SHA-256 %s is held", sha);
        return -1;
    }
    /* pieces as 48 KiB base64 strings: within the protocol's string limit */
    enum { RAW = 48 * 1024 };
    unsigned char *buf = xmalloc(RAW);
    char *b64 = xmalloc(sodium_base64_ENCODED_LEN(RAW, sodium_base64_VARIANT_ORIGINAL));
    pv *parts = pv_arr();
    int64_t at = offset;
    while (at < st.st_size && at - offset < (int64_t)EVIDENCE_PIECE) {
        ssize_t got = pread(fd, buf, RAW, at);
        if (got <= 0)
            break;
        sodium_bin2base64(b64, sodium_base64_ENCODED_LEN(RAW, sodium_base64_VARIANT_ORIGINAL), buf, (size_t)got,
                          sodium_base64_VARIANT_ORIGINAL);
        pv_push(parts, pv_str(b64));
        at += got;
    }
    close(fd);
    free(buf);
    free(b64);
    pv *d = pv_map();
    pv_set_int(d, "size", st.st_size);
    pv_set_int(d, "offset", offset);
    pv_set(d, "parts", parts);
    *data = d;
    return 0;
}

/* Copies one file, synced, unless the copy is there. */
static int copy_file(const char *from, const char *to, par_err *e)
{
    if (access(to, F_OK) == 0)
        return 0;
    char tmp[CONF_PATH + 240];
    snprintf(tmp, sizeof tmp, "%s.tmp", to);
    int in = open(from, O_RDONLY), out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0640);
    char buf[65536];
    ssize_t n = 0;
    while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n) {
            n = -1;
            break;
        }
    int ok = in >= 0 && out >= 0 && n == 0 && fsync(out) == 0;
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (!ok || rename(tmp, to) < 0) {
        unlink(tmp);
        err_set(e, "cannot copy %s to %s: %s", from, to, strerror(errno));
        return -1;
    }
    return 1;
}

int evidence_backup(const par_config *conf, const char *dir, int64_t *copied, par_err *e)
{
    char src[CONF_PATH + 64];
    snprintf(src, sizeof src, "%s/evidence/objects", conf->data_dir);
    *copied = 0;
    DIR *top = opendir(src);
    if (!top)
        return 0; /* no document yet */
    struct dirent *d1;
    int rc = 0;
    while (rc == 0 && (d1 = readdir(top))) {
        if (d1->d_name[0] == '.' || strlen(d1->d_name) != 2)
            continue;
        char sub[CONF_PATH + 80], out[CONF_PATH + 80];
        snprintf(sub, sizeof sub, "%s/%s", src, d1->d_name);
        snprintf(out, sizeof out, "%s/evidence/objects/%s", dir, d1->d_name);
        if (dir_make(out, e) < 0) {
            rc = -1;
            break;
        }
        DIR *in = opendir(sub);
        struct dirent *d2;
        while (in && rc == 0 && (d2 = readdir(in))) {
            if (!is_sha(d2->d_name))
                continue;
            char from[CONF_PATH + 160], to[CONF_PATH + 160];
            snprintf(from, sizeof from, "%s/%.64s", sub, d2->d_name);
            snprintf(to, sizeof to, "%s/%.64s", out, d2->d_name);
            int c = copy_file(from, to, e);
            if (c < 0)
                rc = -1;
            *copied += c > 0;
        }
        if (in)
            closedir(in);
        if (rc == 0 && fsync_path(out) < 0) {
            err_set(e, "cannot sync %s: %s", out, strerror(errno));
            rc = -1;
        }
    }
    closedir(top);
    return rc;
}
