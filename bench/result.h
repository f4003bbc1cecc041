/* result: a benchmark's figures for bench/results.json. Each is appended as
 * "key value" to the file PAR_BENCH_RESULTS names (run.sh gathers them); without it,
 * nothing is written. */
#ifndef PAR_RESULT_H
#define PAR_RESULT_H

void result_put(const char *key, double value);

#endif
