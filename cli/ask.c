#include "cli.h"
#include "../common/json.h"

#include <stdio.h>
#include <string.h>

client *cli_client(cli *c)
{
    par_err e = {{0}};
    client *cl = client_new(c->conf, &e);
    if (!cl)
        fprintf(stderr, "parctl: %s\n", e.msg);
    else /* an operator is waiting: a service down is said at once, after a restart's gap */
        client_set_patience(cl, CLI_UNAVAILABLE_MS);
    return cl;
}

pv *cli_ask(client *cl, const char *service, const char *q, pv *args, int timeout_ms, par_err *e)
{
    pv *m = proto_msg(MSG_QUERY), *reply = NULL, *data = NULL;
    pv_set_str(m, "q", q);
    pv_set(m, "args", args ? args : pv_map());
    if (client_call(cl, service, m, timeout_ms, &reply, e) == 0) {
        const pv *d = pv_get(reply, "data");
        data = d ? pv_copy(d) : pv_nil();
        pv_free(reply);
    }
    pv_free(m);
    return data;
}

pv *cli_query(cli *c, const char *service, const char *q, pv *args, int timeout_ms, const char *who, int *rc)
{
    client *cl = cli_client(c);
    if (!cl) {
        pv_free(args);
        if (rc)
            *rc = 2;
        return NULL;
    }
    par_err e = {{0}};
    pv *data = cli_ask(cl, service, q, args, timeout_ms, &e);
    client_destroy(cl);
    if (!data) {
        fprintf(stderr, "%s: %s\n", who, e.msg);
        if (rc)
            *rc = 1;
    }
    return data;
}

int cli_query_show(cli *c, const char *service, const char *q, pv *args, int timeout_ms, const char *who,
                   void (*show)(const pv *data))
{
    int rc = 0;
    pv *data = cli_query(c, service, q, args, timeout_ms, who, &rc);
    if (!data)
        return rc;
    if (c->json)
        json_print(stdout, data);
    else
        show(data);
    pv_free(data);
    return 0;
}

int cli_options(int argc, char **argv, const char *const names[], const char *values[], int n)
{
    for (int i = 1; i < argc; i++) {
        int k = 0;
        while (k < n && strcmp(argv[i], names[k]))
            k++;
        if (k == n || i + 1 >= argc)
            return -1;
        values[k] = argv[++i];
    }
    return 0;
}

pv *cli_option_args(const char *const names[], const char *const values[], int n)
{
    pv *args = pv_map();
    for (int k = 0; k < n; k++)
        if (values[k])
            pv_set_str(args, names[k] + 2, values[k]);
    return args;
}
