/* web_load: SESSIONS officials browsing par-web at once (issue 16): each logs in, then
 * asks the dashboard and a unit's page in turn, a second apart (libcurl multi, one
 * thread). Prints page latency p50/p99/max and pages a second; run.sh measures the push
 * rate beside it.
 *
 * usage: web_load BASE_URL USER PASSWORD SESSIONS SECONDS [WAIT_MS]
 * Once every session is logged in it prints "logged in", waits WAIT_MS (run.sh starts
 * the districts' sending meanwhile), then browses for SECONDS. */
#include "result.h"
#include "../common/clock.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define THINK_MS 1000

typedef struct {
    CURL *h;
    char *body;
    size_t len;
    int64_t start, next;
    int turn, busy;
} sess;

static size_t keep(char *p, size_t size, size_t n, void *ctx)
{
    sess *s = ctx;
    size_t add = size * n;
    s->body = xrealloc(s->body, s->len + add + 1);
    memcpy(s->body + s->len, p, add);
    s->len += add;
    s->body[s->len] = '\0';
    return add;
}

static int login(sess *s, const char *base, const char *user, const char *pw)
{
    char url[512], form[512], tok[80] = "";
    s->h = curl_easy_init();
    curl_easy_setopt(s->h, CURLOPT_COOKIEFILE, "");
    curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(s->h, CURLOPT_WRITEDATA, s);
    snprintf(url, sizeof url, "%s/login", base);
    curl_easy_setopt(s->h, CURLOPT_URL, url);
    s->len = 0;
    if (curl_easy_perform(s->h) != CURLE_OK || !s->body)
        return -1;
    const char *t = strstr(s->body, "name=\"csrf\" value=\"");
    if (!t || sscanf(t + 19, "%64[0-9a-f]", tok) != 1)
        return -1;
    snprintf(form, sizeof form, "user=%s&password=%s&csrf=%s", user, pw, tok);
    curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, form);
    s->len = 0;
    long code = 0;
    if (curl_easy_perform(s->h) != CURLE_OK)
        return -1;
    curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_setopt(s->h, CURLOPT_HTTPGET, 1L);
    return code == 303 ? 0 : -1;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: web_load BASE_URL USER PASSWORD SESSIONS SECONDS [WAIT_MS]\n");
        return 2;
    }
    const char *base = argv[1];
    int n = atoi(argv[4]), secs = atoi(argv[5]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sess *ss = xcalloc((size_t)n, sizeof *ss);
    int64_t t0 = clock_mono_ms();
    for (int i = 0; i < n; i++)
        if (login(&ss[i], base, argv[2], argv[3]) < 0) {
            fprintf(stderr, "web_load: session %d could not log in\n", i);
            return 1;
        }
    int64_t logged = clock_mono_ms() - t0;
    printf("logged in\n"); /* run.sh starts the districts' sending now */
    fflush(stdout);
    long wait_ms = argc == 7 ? atol(argv[6]) : 0;
    struct timespec nap = {wait_ms / 1000, wait_ms % 1000 * 1000000L};
    if (wait_ms > 0)
        nanosleep(&nap, NULL);
    char pages[2][512];
    snprintf(pages[0], sizeof pages[0], "%s/?index=PAR&year=2023&level=district", base);
    snprintf(pages[1], sizeof pages[1], "%s/units/TDG?index=PAR&year=2023", base);
    CURLM *m = curl_multi_init();
    size_t cap = 1 << 16, got = 0, errors = 0;
    double *lat = xmalloc(cap * sizeof *lat);
    int64_t begin = clock_mono_ms(), end = begin + (int64_t)secs * 1000;
    for (int i = 0; i < n; i++)
        ss[i].next = begin + (int64_t)i * THINK_MS / n; /* spread over the first second */
    while (clock_mono_ms() < end) {
        int64_t now = clock_mono_ms();
        for (int i = 0; i < n; i++) {
            sess *s = &ss[i];
            if (s->busy || now < s->next)
                continue;
            curl_easy_setopt(s->h, CURLOPT_URL, pages[s->turn++ % 2]);
            s->len = 0;
            s->start = now;
            s->busy = 1;
            curl_multi_add_handle(m, s->h);
        }
        int running;
        curl_multi_perform(m, &running);
        curl_multi_poll(m, NULL, 0, 10, NULL);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            for (int i = 0; i < n; i++) {
                if (ss[i].h != msg->easy_handle)
                    continue;
                long code = 0;
                curl_easy_getinfo(ss[i].h, CURLINFO_RESPONSE_CODE, &code);
                if (msg->data.result != CURLE_OK || code != 200)
                    errors++;
                else {
                    if (got == cap)
                        lat = xrealloc(lat, (cap *= 2) * sizeof *lat); /* aborts rather than lose them */
                    lat[got++] = (double)(clock_mono_ms() - ss[i].start);
                }
                curl_multi_remove_handle(m, ss[i].h);
                ss[i].busy = 0;
                ss[i].next = clock_mono_ms() + THINK_MS;
            }
        }
    }
    double took = (double)(clock_mono_ms() - begin) / 1000;
    qsort(lat, got, sizeof *lat, cmp);
    double p50 = got ? lat[got / 2] : 0, p99 = got ? lat[(size_t)(got * 0.99)] : 0, mx = got ? lat[got - 1] : 0;
    printf("web pages, %d sessions logged in (%.1f s: Argon2id at each login), a page a second each\n", n,
           (double)logged / 1000);
    printf("  page latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; %.0f pages/s, %zu errors\n", p50, p99, mx,
           (double)got / took, errors);
    result_put("web.sessions", n);
    result_put("web.page_p50_ms", p50);
    result_put("web.page_p99_ms", p99);
    result_put("web.page_max_ms", mx);
    result_put("web.pages_per_s", (double)got / took);
    result_put("web.errors", (double)errors);
    for (int i = 0; i < n; i++) {
        curl_multi_remove_handle(m, ss[i].h);
        curl_easy_cleanup(ss[i].h);
        free(ss[i].body);
    }
    curl_multi_cleanup(m);
    curl_global_cleanup();
    free(lat);
    free(ss);
    return errors ? 1 : 0;
}
