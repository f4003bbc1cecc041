#include "evidence.h"
#include "../common/client.h"
#include "../common/reason.h"

#include <libgen.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define PIECE (4u << 20)  /* collector/evidence.h: EVIDENCE_PIECE */
#define PART (48u << 10)  /* a base64 string stays within the protocol's string limit */
#define FILE_MAX (1024u << 20)

/* One file; 0 acknowledged, 1 refused (or unreadable), -1 not answered or not stored:
 * worth sending again (said on out). */
static int send_one(client *cl, const evidence_for *w, const char *path, int timeout_s, FILE *out)
{
    char *buf = NULL, *b64 = NULL;
    size_t len = 0;
    par_err e = {{0}};
    int rc = -1;
    int got = file_read_max(path, FILE_MAX, &buf, &len, &e); /* refused before it is held */
    if (got < 0 || len == 0) {
        if (got == -2)
            fprintf(out, "%s: lớn hơn 1 GiB / larger than 1 GiB\n", path);
        else if (got < 0)
            fprintf(out, "%s: không đọc được tệp / %s\n", path, e.msg);
        else
            fprintf(out, "%s: tệp rỗng / the file is empty\n", path);
        rc = 1;
        goto done;
    }
    unsigned char h[32];
    char sha[65], size[24], copy[4096];
    crypto_hash_sha256(h, (const unsigned char *)buf, len);
    sodium_bin2hex(sha, sizeof sha, h, sizeof h);
    snprintf(size, sizeof size, "%zu", len);
    str_copy(copy, sizeof copy, path);
    const char *name = basename(copy);
    size_t b64cap = sodium_base64_ENCODED_LEN(PART, sodium_base64_VARIANT_ORIGINAL);
    b64 = xmalloc(b64cap);
    for (size_t at = 0; at < len;) {
        pv *msg = proto_msg(MSG_EVIDENCE), *meta = pv_map(), *parts = pv_arr();
        pv_set_str(meta, "unit", w->unit);
        pv_set_str(meta, "index", w->index);
        pv_set_str(meta, "year", w->year);
        pv_set_str(meta, "criterion", w->criterion);
        pv_set_str(meta, "name", name);
        pv_set_str(meta, "sha256", sha);
        pv_set_str(meta, "size", size);
        pv_set(msg, "meta", meta);
        pv_set_int(msg, "offset", (int64_t)at);
        size_t end = at + PIECE < len ? at + PIECE : len;
        for (size_t p = at; p < end; p += PART) {
            size_t n = end - p < PART ? end - p : PART;
            sodium_bin2base64(b64, b64cap, (const unsigned char *)buf + p, n, sodium_base64_VARIANT_ORIGINAL);
            pv_push(parts, pv_str(b64));
        }
        pv_set(msg, "parts", parts);
        pv *reply = NULL;
        int r = client_call(cl, "collector", msg, timeout_s * 1000, &reply, &e);
        pv_free(msg);
        if (r < 0) {
            char vi[1024];
            fprintf(out, "%s: %s\n  (%s)\n", path, reason_vi(e.msg, vi, sizeof vi), e.msg);
            rc = r == CLIENT_REFUSED ? 1 : -1;
            goto done;
        }
        const pv *d = pv_get(reply, "data");
        int64_t next = d ? pv_get_int(d, "next", -1) : -1;
        int stored = d && pv_get_str(d, "sha256");
        if (stored)
            fprintf(out, "%s: đã lưu (%zu byte, SHA-256 %.16s…, nhận lúc %s)\n", path, len, sha,
                    pv_get_str(d, "received"));
        pv_free(reply);
        if (stored) {
            rc = 0;
            goto done;
        }
        if (next <= (int64_t)at || next > (int64_t)len) {
            fprintf(out, "%s: the province answered offset %lld after %zu\n", path, (long long)next, at);
            goto done;
        }
        at = (size_t)next;
    }
done:
    free(buf);
    free(b64);
    return rc;
}

int evidence_send(const par_config *conf, const evidence_for *w, char **files, int n, int timeout_s, FILE *out)
{
    par_err e = {{0}};
    if (sodium_init() < 0) {
        fprintf(out, "par-agent: libsodium cannot start\n");
        return 1;
    }
    client *cl = client_new(conf, &e);
    if (!cl) {
        fprintf(out, "par-agent: %s\n", e.msg);
        return 1;
    }
    int refused = 0, unsent = 0;
    for (int i = 0; i < n; i++) {
        int r = send_one(cl, w, files[i], timeout_s, out);
        refused += r > 0;
        unsent += r < 0;
    }
    client_destroy(cl);
    /* refused: sending the same again is refused again; unsent: worth sending later */
    if (refused)
        fprintf(out, "par-agent: %d/%d tài liệu bị từ chối, lý do ở trên / %d of %d documents refused, why above\n",
                refused, n, refused, n);
    if (unsent)
        fprintf(out,
                "par-agent: %d/%d tài liệu chưa gửi được, hãy gửi lại sau / %d of %d documents not sent: send them "
                "again later\n",
                unsent, n, unsent, n);
    return unsent ? EVIDENCE_RETRY : refused ? 1 : 0;
}
