#!/usr/bin/env bash
# The ingest benchmark: N agents (1, 4, 16 by default) each pushing LINES lines at once,
# acknowledged and durable; lines per second, beside the raw LMDB rate of this disk.
# Run by bench/run.sh with a fresh system; prints a table and the ratio.
#
# Each figure is held against the raw rate measured right before and right after it:
# on this virtual disk that rate moves twofold from one minute to the next (266,000 to
# 587,000 puts a second in one day), so one measurement at the start judged the last
# figure by another minute's disk. And the first large push the daemons take
# pays their one-time growth (heaps, buffers, hash tables, the scorer's replica pages:
# 0.43-0.45 s for 100,000 lines where the next pushes take 0.33-0.35): it is measured
# and printed on its own line, and the 1, 4 and 16 agents are measured after it, all in
# the same warm state, as PostgreSQL is (pgbench runs PG_SECONDS on a warm server).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/bin
LINES=${LINES:-100000}
W=$(mktemp -d /tmp/par-ingest.XXXXXX)
record() { [ -n "${PAR_BENCH_RESULTS:-}" ] && echo "$1 $2" >>"$PAR_BENCH_RESULTS"; }
raw_rate() { # 200,000 puts into a store of its own, removed after
    rm -rf "$W/raw" && mkdir -p "$W/raw" && "$ROOT/build/bench/lmdb_raw" "$W/raw" 200000
    rm -rf "$W/raw"
}
# push NAME N: N agents pushing LINES new lines each at once; prints lines/s, or
# "failed" when a push did not end acknowledged
push() {
    for i in $(seq 1 "$2"); do
        awk -v u="BENCH$1-$i" -v l="$LINES" 'BEGIN { print "unit,year,period,kind,key,value";
            for (k = 0; k < l; k++) printf "TDG,2024,M%02d,metric,%s_%d,%d\n", k % 12 + 1, u, k, k }' >"$W/a$1-$i.csv"
    done
    local start end ok=1 pids=()
    start=$(date +%s.%N)
    for i in $(seq 1 "$2"); do "$BIN/par-agent" push --timeout 600 "$W/a$1-$i.csv" 2>/dev/null & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p" || ok=0; done
    end=$(date +%s.%N)
    rm -f "$W"/a$1-*.csv
    [ $ok = 1 ] || { echo failed; return; }
    awk -v a="$start" -v b="$end" -v l="$LINES" -v n="$2" 'BEGIN { printf "%.0f", l * n / (b - a) }'
}
ratio() { awk -v r="$1" -v w="$2" 'BEGIN { printf "%.2f", r / w }'; }
mean() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (a + b) / 2 }'; }

printf '%-34s %12s %10s %14s\n' "ingest (acknowledged, durable)" "lines/s" "vs raw" "raw LMDB then"
first=$(push first 1)
raw=$(raw_rate)
record ingest.raw_lmdb_puts_per_s "$raw"
if [ "$first" != failed ]; then
    printf '%-34s %12s %10s %14s\n' "first large push, 1 agent" "$first" "$(ratio "$first" "$raw")" "$raw"
    record ingest.first_push_lines_per_s "$first"
    record ingest.first_push_vs_raw "$(ratio "$first" "$raw")"
else
    printf '%-34s %12s\n' "first large push, 1 agent" "failed"
fi
before=$raw
for n in ${AGENTS:-1 4 16}; do
    rate=$(push "$n" "$n")
    after=$(raw_rate)
    peer=$(mean "$before" "$after")
    if [ "$rate" = failed ]; then
        printf '%-34s %12s %10s %14s\n' "$n agent(s) x $LINES lines" "(a push failed)" "" "$peer"
    else
        printf '%-34s %12s %10s %14s\n' "$n agent(s) x $LINES lines" "$rate" "$(ratio "$rate" "$peer")" "$peer"
        record "ingest.${n}_agents_lines_per_s" "$rate"
        record "ingest.${n}_agents_vs_raw" "$(ratio "$rate" "$peer")"
        record "ingest.${n}_agents_raw_lmdb_puts_per_s" "$peer"
    fi
    before=$after
done
echo "  (raw LMDB: 1,000 puts of submission-sized records a durable commit, 200,000 in all,"
echo "   measured before and after each figure; its peer is the mean of the two)"
rm -rf "$W"
