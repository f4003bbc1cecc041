#include "deliver.h"
#include "../common/log.h"
#include <sys/stat.h>
#include "alertlog.h"
#include "../common/clock.h"
#include "../common/json.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

typedef struct {
    CURL *h;
    uint64_t msg;
    int ch;
    char *data;     /* what is sent */
    size_t len, off;
    struct curl_slist *rcpt, *headers;
    char error[CURL_ERROR_SIZE];
} transfer;

struct deliver {
    CURLM *multi;
    transfer t[DELIVER_MAX_ITEMS];
    int n;
    char smtp_url[CONF_STR], smtp_user[CONF_STR], smtp_password[CONF_STR];
    char mail_from[CONF_STR], webhook_url[CONF_STR];
    char mail_dir[CONF_PATH + 32];
};

deliver *deliver_new(const par_config *conf, par_err *e)
{
    deliver *d = xcalloc(1, sizeof *d);
    if (!(d->multi = curl_multi_init())) {
        err_set(e, "cannot start libcurl");
        free(d);
        return NULL;
    }
    str_copy(d->smtp_url, sizeof d->smtp_url, conf->smtp_url);
    str_copy(d->smtp_user, sizeof d->smtp_user, conf->smtp_user);
    str_copy(d->smtp_password, sizeof d->smtp_password, conf->smtp_password);
    str_copy(d->mail_from, sizeof d->mail_from, conf->mail_from);
    str_copy(d->webhook_url, sizeof d->webhook_url, conf->webhook_url);
    if (*conf->mail_dir) {
        str_copy(d->mail_dir, sizeof d->mail_dir, conf->mail_dir);
    } else {
        /* the sent mail is kept beside the stores, not inside one: restoring the notifier's
         * store (moving notifier/ away) must not take the archive with it. An earlier
         * version kept it in notifier/mail: moved once, on the same file system. */
        char old[CONF_PATH + 32];
        snprintf(d->mail_dir, sizeof d->mail_dir, "%s/mail", conf->data_dir);
        snprintf(old, sizeof old, "%s/notifier/mail", conf->data_dir);
        struct stat st;
        if (stat(old, &st) == 0 && S_ISDIR(st.st_mode) && stat(d->mail_dir, &st) != 0) {
            if (rename(old, d->mail_dir) == 0)
                log_info("event=mail_dir_moved from=%s to=%s", old, d->mail_dir);
            else
                log_warn("event=mail_dir_not_moved from=%s to=%s error=\"%s\"", old, d->mail_dir, strerror(errno));
        }
    }
    return d;
}

static void transfer_free(transfer *t)
{
    if (t->h)
        curl_easy_cleanup(t->h);
    curl_slist_free_all(t->rcpt);
    curl_slist_free_all(t->headers);
    free(t->data);
    memset(t, 0, sizeof *t);
}

void deliver_destroy(deliver *d)
{
    if (!d)
        return;
    for (int i = 0; i < DELIVER_MAX_ITEMS; i++) {
        if (!d->t[i].h)
            continue;
        curl_multi_remove_handle(d->multi, d->t[i].h);
        transfer_free(&d->t[i]);
    }
    curl_multi_cleanup(d->multi);
    free(d);
}

int deliver_channel_busy(const deliver *d, int ch)
{
    for (int i = 0; i < DELIVER_MAX_ITEMS; i++)
        if (d->t[i].h && d->t[i].ch == ch)
            return 1;
    return 0;
}

int deliver_count(const deliver *d)
{
    return d->n;
}

/* ---------- the e-mail ---------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64(sbuf *out, const unsigned char *p, size_t n, int wrap)
{
    size_t col = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63], i + 1 < n ? b64[v >> 6 & 63] : '=',
                     i + 2 < n ? b64[v & 63] : '='};
        sbuf_add(out, q, 4);
        col += 4;
        if (wrap && col >= 76) {
            sbuf_puts(out, "\r\n");
            col = 0;
        }
    }
    if (wrap && col)
        sbuf_puts(out, "\r\n");
}

/* RFC 2047 encoded words of at most 39 bytes of text each (64 characters encoded,
 * so that "Subject: " and one word stay within 78), never cutting a character. */
static void encoded_words(sbuf *out, const char *s)
{
    size_t n = strlen(s), i = 0;
    int first = 1;
    while (i < n) {
        size_t take = n - i > 39 ? 39 : n - i;
        while (take < n - i && ((unsigned char)s[i + take] & 0xC0) == 0x80)
            take--;
        if (!first)
            sbuf_puts(out, "\r\n ");
        sbuf_puts(out, "=?UTF-8?B?");
        base64(out, (const unsigned char *)s + i, take, 0);
        sbuf_puts(out, "?=");
        i += take;
        first = 0;
    }
}

char *deliver_mime(const pv *m, const char *from, int64_t now_ms, int eightbit, size_t *len)
{
    static const char *const wday[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    sbuf b;
    sbuf_init(&b);
    int64_t day;
    int sec, y, mo, d;
    clock_local(now_ms, &day, &sec);
    clock_civil_from_days(day, &y, &mo, &d);
    sbuf_printf(&b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0700\r\n", wday[((day % 7) + 7) % 7], d, mon[mo - 1], y,
                sec / 3600, sec / 60 % 60, sec % 60);
    sbuf_puts(&b, "From: ");
    encoded_words(&b, "Hệ thống theo dõi CCHC");
    sbuf_printf(&b, " <%s>\r\nTo: ", from);
    const pv *emails = pv_get(m, "emails");
    for (uint32_t i = 0; emails && i < emails->u.a.n; i++)
        sbuf_printf(&b, "%s%.*s", i ? ", " : "", (int)emails->u.a.v[i]->u.s.n, emails->u.a.v[i]->u.s.p);
    sbuf_puts(&b, "\r\nSubject: ");
    encoded_words(&b, pv_get_str(m, "subject") ? pv_get_str(m, "subject") : "");
    const char *at = strchr(from, '@');
    /* the same Message-ID on a repeat after a crash lets mail readers fold the two */
    sbuf_printf(&b, "\r\nMessage-ID: <par-alert-%lld@%s>\r\n", (long long)pv_get_int(m, "id", 0),
                at ? at + 1 : "localhost");
    sbuf_printf(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                    "Content-Transfer-Encoding: %s\r\n\r\n", eightbit ? "8bit" : "base64");
    const char *text = pv_get_str(m, "text") ? pv_get_str(m, "text") : "";
    /* lines end in CRLF in mail */
    sbuf crlf;
    sbuf_init(&crlf);
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            sbuf_add(&crlf, "\r", 1);
        sbuf_add(&crlf, p, 1);
    }
    if (eightbit)
        sbuf_add(&b, crlf.buf, crlf.len);
    else
        base64(&b, (const unsigned char *)(crlf.buf ? crlf.buf : ""), crlf.len, 1);
    sbuf_free(&crlf);
    *len = b.len;
    return b.buf;
}

/* ---------- transfers ---------- */

static size_t read_cb(char *buf, size_t size, size_t nitems, void *user)
{
    transfer *t = user;
    size_t room = size * nitems, left = t->len - t->off;
    size_t n = left < room ? left : room;
    memcpy(buf, t->data + t->off, n);
    t->off += n;
    return n;
}

static size_t discard_cb(char *buf, size_t size, size_t nitems, void *user)
{
    (void)buf;
    (void)user;
    return size * nitems;
}

static int write_file(deliver *d, uint64_t msg, const pv *m, int64_t now_ms, par_err *e)
{
    if (dir_make(d->mail_dir, e) < 0)
        return -1;
    size_t len;
    char *mime = deliver_mime(m, *d->mail_from ? d->mail_from : "cchc@localhost", now_ms, 1, &len);
    char path[CONF_PATH + 128], tmp[CONF_PATH + 160];
    snprintf(path, sizeof path, "%s/%06llu-%s.eml", d->mail_dir, (unsigned long long)msg,
             pv_get_str(m, "unit") ? pv_get_str(m, "unit") : "unit");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(mime, 1, len, f) == len;
    ok = f && fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
    if (f)
        fclose(f);
    free(mime);
    if (!ok || rename(tmp, path) < 0) {
        err_set(e, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int deliver_start(deliver *d, uint64_t msg, int ch, const pv *m, int64_t now_ms, par_err *e)
{
    if (ch == CH_FILE)
        return write_file(d, msg, m, now_ms, e) < 0 ? -1 : 1;
    transfer *t = NULL;
    for (int i = 0; i < DELIVER_MAX_ITEMS && !t; i++)
        if (!d->t[i].h)
            t = &d->t[i];
    if (!t) {
        err_set(e, "too many deliveries at once");
        return -1;
    }
    memset(t, 0, sizeof *t);
    t->msg = msg;
    t->ch = ch;
    if (!(t->h = curl_easy_init())) {
        err_set(e, "cannot start libcurl");
        return -1;
    }
    curl_easy_setopt(t->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(t->h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(t->h, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(t->h, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(t->h, CURLOPT_PRIVATE, t);
    if (ch == CH_SMTP) {
        const char *from = *d->mail_from ? d->mail_from : "cchc@localhost";
        t->data = deliver_mime(m, from, now_ms, 0, &t->len);
        const pv *emails = pv_get(m, "emails");
        for (uint32_t i = 0; emails && i < emails->u.a.n; i++) {
            char addr[320];
            snprintf(addr, sizeof addr, "<%.*s>", (int)emails->u.a.v[i]->u.s.n, emails->u.a.v[i]->u.s.p);
            t->rcpt = curl_slist_append(t->rcpt, addr);
        }
        char envelope[CONF_STR + 2];
        snprintf(envelope, sizeof envelope, "<%s>", from);
        curl_easy_setopt(t->h, CURLOPT_URL, d->smtp_url);
        curl_easy_setopt(t->h, CURLOPT_MAIL_FROM, envelope);
        curl_easy_setopt(t->h, CURLOPT_MAIL_RCPT, t->rcpt);
        curl_easy_setopt(t->h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(t->h, CURLOPT_READFUNCTION, read_cb);
        curl_easy_setopt(t->h, CURLOPT_READDATA, t);
        curl_easy_setopt(t->h, CURLOPT_INFILESIZE, (long)t->len);
        /* STARTTLS when the server offers it */
        curl_easy_setopt(t->h, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
        /* one session per digest, closed with QUIT: servers drop idle connections anyway */
        curl_easy_setopt(t->h, CURLOPT_FORBID_REUSE, 1L);
        if (*d->smtp_user) {
            curl_easy_setopt(t->h, CURLOPT_USERNAME, d->smtp_user);
            curl_easy_setopt(t->h, CURLOPT_PASSWORD, d->smtp_password);
        }
    } else {
        t->data = json_compact(pv_get(m, "body"));
        t->len = strlen(t->data);
        t->headers = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
        char idh[64];
        snprintf(idh, sizeof idh, "X-PAR-Message: %llu", (unsigned long long)msg);
        t->headers = curl_slist_append(t->headers, idh);
        curl_easy_setopt(t->h, CURLOPT_URL, d->webhook_url);
        curl_easy_setopt(t->h, CURLOPT_HTTPHEADER, t->headers);
        curl_easy_setopt(t->h, CURLOPT_POSTFIELDS, t->data);
        curl_easy_setopt(t->h, CURLOPT_POSTFIELDSIZE, (long)t->len);
        curl_easy_setopt(t->h, CURLOPT_WRITEFUNCTION, discard_cb);
    }
    if (curl_multi_add_handle(d->multi, t->h) != CURLM_OK) {
        err_set(e, "cannot start the transfer");
        transfer_free(t);
        return -1;
    }
    d->n++;
    return 0;
}

int deliver_prepare(deliver *d, zmq_pollitem_t *items, int max, int *wait)
{
    if (!d->n)
        return 0;
    fd_set r, w, x;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&x);
    int maxfd = -1, n = 0;
    curl_multi_fdset(d->multi, &r, &w, &x, &maxfd);
    for (int fd = 0; fd <= maxfd && fd < FD_SETSIZE && n < max; fd++) {
        short ev = (FD_ISSET(fd, &r) ? ZMQ_POLLIN : 0) | (FD_ISSET(fd, &w) ? ZMQ_POLLOUT : 0) |
                   (FD_ISSET(fd, &x) ? ZMQ_POLLERR : 0);
        if (ev)
            items[n++] = (zmq_pollitem_t){NULL, fd, ev, 0};
    }
    long ms = -1;
    curl_multi_timeout(d->multi, &ms);
    /* while curl has no socket to wait on (resolving, connecting) it is polled often */
    if (ms < 0 || (maxfd < 0 && ms > 50))
        ms = maxfd < 0 ? 50 : ms < 0 ? 1000 : ms;
    if (ms < *wait)
        *wait = (int)ms;
    return n;
}

void deliver_perform(deliver *d, void (*done)(void *ctx, uint64_t msg, int ch, int ok, const char *why), void *ctx)
{
    int running;
    if (!d->n)
        return;
    curl_multi_perform(d->multi, &running);
    CURLMsg *cm;
    int left;
    while ((cm = curl_multi_info_read(d->multi, &left))) {
        if (cm->msg != CURLMSG_DONE)
            continue;
        transfer *t = NULL;
        curl_easy_getinfo(cm->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        char why[CURL_ERROR_SIZE + 64] = "";
        int ok = cm->data.result == CURLE_OK;
        if (ok && t->ch == CH_WEBHOOK) {
            long code = 0;
            curl_easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &code);
            if (code < 200 || code > 299) {
                ok = 0;
                snprintf(why, sizeof why, "the webhook answered HTTP %ld", code);
            }
        } else if (!ok) {
            long code = 0;
            curl_easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &code);
            if (code)
                snprintf(why, sizeof why, "%s (the server answered %ld)",
                         *t->error ? t->error : curl_easy_strerror(cm->data.result), code);
            else
                snprintf(why, sizeof why, "%s", *t->error ? t->error : curl_easy_strerror(cm->data.result));
        }
        uint64_t msg = t->msg;
        int ch = t->ch;
        curl_multi_remove_handle(d->multi, t->h);
        transfer_free(t); /* the slot is free again */
        d->n--;
        done(ctx, msg, ch, ok, why);
    }
}
