#!/usr/bin/env bash
# The ingest benchmark: N agents (1, 4, 16 by default) each pushing LINES lines at once,
# acknowledged and durable; lines per second, beside the raw LMDB rate of this disk.
# Run by bench/run.sh with a fresh system; prints a table and the ratio.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/bin
LINES=${LINES:-100000}
W=$(mktemp -d /tmp/par-ingest.XXXXXX)
mkdir -p "$W/raw"
raw=$("$ROOT/build/bench/lmdb_raw" "$W/raw" 200000)
printf '%-34s %12s %10s\n' "ingest (acknowledged, durable)" "lines/s" "vs raw"
printf '%-34s %12s %10s\n' "raw LMDB, 1,000 puts per commit" "$raw" "1.00"
record() { [ -n "${PAR_BENCH_RESULTS:-}" ] && echo "$1 $2" >>"$PAR_BENCH_RESULTS"; }
record ingest.raw_lmdb_puts_per_s "$raw"
for n in ${AGENTS:-1 4 16}; do
    for i in $(seq 1 "$n"); do
        awk -v u="BENCH$n-$i" -v l="$LINES" 'BEGIN { print "unit,year,period,kind,key,value";
            for (k = 0; k < l; k++) printf "TDG,2024,M%02d,metric,%s_%d,%d\n", k % 12 + 1, u, k, k }' >"$W/a$n-$i.csv"
    done
    start=$(date +%s.%N)
    pids=()
    for i in $(seq 1 "$n"); do "$BIN/par-agent" push --timeout 600 "$W/a$n-$i.csv" 2>/dev/null & pids+=($!); done
    ok=1
    for p in "${pids[@]}"; do wait "$p" || ok=0; done
    end=$(date +%s.%N)
    rate=$(awk -v a="$start" -v b="$end" -v l="$LINES" -v n="$n" 'BEGIN { printf "%.0f", l * n / (b - a) }')
    ratio=$(awk -v r="$rate" -v w="$raw" 'BEGIN { printf "%.2f", r / w }')
    printf '%-34s %12s %10s%s\n' "$n agent(s) x $LINES lines" "$rate" "$ratio" "$([ $ok = 1 ] || echo '  (some push failed)')"
    if [ $ok = 1 ]; then
        record "ingest.${n}_agents_lines_per_s" "$rate"
        record "ingest.${n}_agents_vs_raw" "$ratio"
    fi
    rm -f "$W"/a$n-*.csv
done
rm -rf "$W"
