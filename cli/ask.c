#include "cli.h"

#include <stdio.h>

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
