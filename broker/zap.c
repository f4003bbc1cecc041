#include "zap.h"
#include "../common/clock.h"
#include "../common/log.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

typedef struct {
    char name[64], role[16], pub[41];
} client_key;

struct zap {
    void *sock;
    char dir[1100];
    client_key *keys;
    int n;
    struct timespec loaded; /* the clients folder's mtime when read */
};

static void load(zap *z)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/clients", z->dir);
    struct stat st;
    if (stat(path, &st) == 0 && st.st_mtim.tv_sec == z->loaded.tv_sec && st.st_mtim.tv_nsec == z->loaded.tv_nsec &&
        z->keys)
        return;
    free(z->keys);
    z->keys = NULL;
    z->n = 0;
    z->loaded = st.st_mtim;
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *de;
    int cap = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof z->keys[0].name)
            continue;
        char file[1500];
        snprintf(file, sizeof file, "%s/%s", path, de->d_name);
        FILE *f = fopen(file, "r");
        if (!f)
            continue;
        client_key k;
        memset(&k, 0, sizeof k);
        if (fscanf(f, "%40s %15s", k.pub, k.role) == 2 && strlen(k.pub) == 40) {
            snprintf(k.name, sizeof k.name, "%s", de->d_name);
            if (z->n == cap) {
                cap = cap ? cap * 2 : 16;
                z->keys = xrealloc(z->keys, (size_t)cap * sizeof *z->keys);
            }
            z->keys[z->n++] = k;
        }
        fclose(f);
    }
    closedir(d);
    log_info("event=keys_loaded clients=%d", z->n);
}

zap *zap_new(void *ctx, const char *keys_dir, par_err *e)
{
    zap *z = xcalloc(1, sizeof *z);
    snprintf(z->dir, sizeof z->dir, "%s", keys_dir);
    z->sock = zmq_socket(ctx, ZMQ_REP);
    int zero = 0;
    zmq_setsockopt(z->sock, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_bind(z->sock, "inproc://zeromq.zap.01") < 0) {
        err_set(e, "cannot bind the ZAP handler: %s", zmq_strerror(zmq_errno()));
        zap_destroy(z);
        return NULL;
    }
    load(z);
    return z;
}

void zap_destroy(zap *z)
{
    if (!z)
        return;
    if (z->sock)
        zmq_close(z->sock);
    free(z->keys);
    free(z);
}

void *zap_socket(zap *z)
{
    return z->sock;
}

void zap_handle(zap *z)
{
    zmq_msg_t f[8];
    int n = 0, more = 1;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, z->sock, n ? 0 : ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            break;
        }
        more = zmq_msg_more(&m);
        if (n < 8)
            f[n++] = m;
        else
            zmq_msg_close(&m);
    }
    if (n == 0)
        return;
    const char *status = "400", *text = "unknown key";
    char user[96] = "";
    if (n >= 7 && zmq_msg_size(&f[5]) == 5 && !memcmp(zmq_msg_data(&f[5]), "CURVE", 5) && zmq_msg_size(&f[6]) == 32) {
        char pub[41];
        zmq_z85_encode(pub, zmq_msg_data(&f[6]), 32);
        load(z);
        for (int i = 0; i < z->n; i++)
            if (!strcmp(z->keys[i].pub, pub)) {
                status = "200";
                text = "OK";
                snprintf(user, sizeof user, "%s:%s", z->keys[i].role, z->keys[i].name);
            }
        if (strcmp(status, "200"))
            log_warn("event=key_refused key=%s", pub);
    } else {
        text = "only CURVE is accepted";
    }
    /* version, request id, status code, status text, user id, metadata */
    zmq_send(z->sock, "1.0", 3, ZMQ_SNDMORE);
    zmq_send(z->sock, n > 1 ? zmq_msg_data(&f[1]) : "", n > 1 ? zmq_msg_size(&f[1]) : 0, ZMQ_SNDMORE);
    zmq_send(z->sock, status, 3, ZMQ_SNDMORE);
    zmq_send(z->sock, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(z->sock, user, strlen(user), ZMQ_SNDMORE);
    zmq_send(z->sock, "", 0, 0);
    for (int i = 0; i < n; i++)
        zmq_msg_close(&f[i]);
}

int zap_allowed(zap *z, const char *user_id)
{
    const char *colon = user_id ? strchr(user_id, ':') : NULL;
    if (!colon)
        return 0;
    load(z);
    for (int i = 0; i < z->n; i++)
        if (!strcmp(z->keys[i].name, colon + 1) && !strncmp(z->keys[i].role, user_id, (size_t)(colon - user_id)) &&
            z->keys[i].role[colon - user_id] == '\0')
            return 1;
    return 0;
}

int zap_selfcheck(zap *z, void *ctx, const char *endpoint, const char *server_pub, par_err *e)
{
    char ep[300], pub[41], sec[41];
    /* a wildcard address is reached on loopback */
    const char *star = strstr(endpoint, "://*:"), *any = strstr(endpoint, "://0.0.0.0:");
    if (star)
        snprintf(ep, sizeof ep, "tcp://127.0.0.1:%s", star + 5);
    else if (any)
        snprintf(ep, sizeof ep, "tcp://127.0.0.1:%s", any + 11);
    else
        snprintf(ep, sizeof ep, "%s", endpoint);
    zmq_curve_keypair(pub, sec);
    void *s = zmq_socket(ctx, ZMQ_DEALER), *mon = zmq_socket(ctx, ZMQ_PAIR);
    int zero = 0, rc = -1;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(mon, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server_pub, 40);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pub, 40);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sec, 40);
    zmq_socket_monitor(s, "inproc://par-zap-selfcheck", ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                                                              ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                                                              ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
    zmq_connect(mon, "inproc://par-zap-selfcheck");
    zmq_connect(s, ep);
    int64_t until = clock_mono_ms() + 3000;
    err_set(e, "the start-up check of the ZAP handler got no answer within 3 s");
    while (clock_mono_ms() < until && rc < 0) {
        zmq_pollitem_t items[] = {{z->sock, 0, ZMQ_POLLIN, 0}, {mon, 0, ZMQ_POLLIN, 0}};
        zmq_poll(items, 2, 100);
        if (items[0].revents & ZMQ_POLLIN)
            zap_handle(z);
        if (items[1].revents & ZMQ_POLLIN) {
            zmq_msg_t ev;
            zmq_msg_init(&ev);
            zmq_msg_recv(&ev, mon, 0);
            uint16_t event = 0;
            if (zmq_msg_size(&ev) >= 2)
                memcpy(&event, zmq_msg_data(&ev), 2);
            zmq_msg_close(&ev);
            zmq_msg_init(&ev);
            zmq_msg_recv(&ev, mon, 0); /* the endpoint */
            zmq_msg_close(&ev);
            if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
                err_set(e, "an unregistered key was let in: the broker will not run this way");
                break;
            }
            if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
                rc = 0;
                log_info("event=zap_selfcheck result=unregistered_key_refused");
            }
        }
    }
    zmq_socket_monitor(s, NULL, 0);
    zmq_close(s);
    zmq_close(mon);
    return rc;
}
