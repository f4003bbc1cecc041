#include "result.h"

#include <stdio.h>
#include <stdlib.h>

void result_put(const char *key, double value)
{
    const char *path = getenv("PAR_BENCH_RESULTS");
    FILE *f = path && *path ? fopen(path, "a") : NULL;
    if (!f)
        return;
    fprintf(f, "%s %.10g\n", key, value);
    fclose(f);
}
