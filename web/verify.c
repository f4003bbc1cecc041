#include "verify.h"
#include "../common/util.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

typedef struct job job;
struct job {
    job *next;
    uint64_t tag;
    int ok;
    char hash[crypto_pwhash_STRBYTES];
    char password[512];
};

struct verifier {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job *todo, *done; /* each a queue: oldest first */
    int stop, efd;
};

static void push(job **q, job *j)
{
    j->next = NULL;
    while (*q)
        q = &(*q)->next;
    *q = j;
}

static job *pop(job **q)
{
    job *j = *q;
    if (j)
        *q = j->next;
    return j;
}

static void *work(void *arg)
{
    verifier *v = arg;
    pthread_mutex_lock(&v->mu);
    for (;;) {
        while (!v->stop && !v->todo)
            pthread_cond_wait(&v->cv, &v->mu);
        if (v->stop)
            break;
        job *j = pop(&v->todo);
        pthread_mutex_unlock(&v->mu);
        j->ok = crypto_pwhash_str_verify(j->hash, j->password, strlen(j->password)) == 0;
        sodium_memzero(j->password, sizeof j->password);
        pthread_mutex_lock(&v->mu);
        push(&v->done, j);
        uint64_t one = 1;
        if (write(v->efd, &one, sizeof one) < 0) { /* the counter is full: the loop is reading */
        }
    }
    pthread_mutex_unlock(&v->mu);
    return NULL;
}

verifier *verifier_new(par_err *e)
{
    verifier *v = xcalloc(1, sizeof *v);
    v->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    pthread_mutex_init(&v->mu, NULL);
    pthread_cond_init(&v->cv, NULL);
    if (v->efd < 0 || pthread_create(&v->th, NULL, work, v) != 0) {
        err_set(e, "cannot start the password checker");
        if (v->efd >= 0)
            close(v->efd);
        pthread_mutex_destroy(&v->mu);
        pthread_cond_destroy(&v->cv);
        free(v);
        return NULL;
    }
    return v;
}

static void drop(job **q)
{
    job *j;
    while ((j = pop(q))) {
        sodium_memzero(j, sizeof *j);
        free(j);
    }
}

void verifier_destroy(verifier *v)
{
    if (!v)
        return;
    pthread_mutex_lock(&v->mu);
    v->stop = 1;
    pthread_cond_signal(&v->cv);
    pthread_mutex_unlock(&v->mu);
    pthread_join(v->th, NULL);
    drop(&v->todo);
    drop(&v->done);
    close(v->efd);
    pthread_mutex_destroy(&v->mu);
    pthread_cond_destroy(&v->cv);
    free(v);
}

int verifier_fd(const verifier *v)
{
    return v->efd;
}

void verifier_submit(verifier *v, uint64_t tag, const char *hash, const char *password)
{
    job *j = xcalloc(1, sizeof *j);
    j->tag = tag;
    str_copy(j->hash, sizeof j->hash, hash);
    str_copy(j->password, sizeof j->password, password);
    pthread_mutex_lock(&v->mu);
    push(&v->todo, j);
    pthread_cond_signal(&v->cv);
    pthread_mutex_unlock(&v->mu);
}

int verifier_take(verifier *v, uint64_t *tag, int *ok)
{
    uint64_t n;
    if (read(v->efd, &n, sizeof n) < 0) { /* nothing counted: there may still be a result */
    }
    pthread_mutex_lock(&v->mu);
    job *j = pop(&v->done);
    pthread_mutex_unlock(&v->mu);
    if (!j)
        return 0;
    *tag = j->tag;
    *ok = j->ok;
    sodium_memzero(j, sizeof *j);
    free(j);
    return 1;
}
