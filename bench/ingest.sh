#!/usr/bin/env bash
# The ingest benchmark: N agents (1, 4, 16 by default) each pushing LINES lines at once,
# acknowledged and durable; lines per second, beside the raw LMDB rate of this disk.
# Run by bench/run.sh with a fresh system; prints a table and the ratio.
#
# Each figure is held against the raw rate measured right before and right after it:
# on this virtual disk that rate moves twofold from one minute to the next (266,000 to
# 587,000 puts a second in one day), so one measurement at the start judged the last
# figure by another minute's disk. And the first large push the daemons take pays
# their one-time growth (heaps, buffers, hash tables, the scorer's replica pages:
# 0.43-0.45 s for 100,000 lines where the next pushes take 0.33-0.35): it is measured
# and printed on a line of its own, and the 1, 4 and 16 agents after it, all in the same
# warm state, as PostgreSQL is (pgbench runs PG_SECONDS on a warm server).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/bin
LINES=${LINES:-100000}
W=$(mktemp -d /tmp/par-ingest.XXXXXX)
record() { [ -n "${PAR_BENCH_RESULTS:-}" ] && echo "$1 $2" >>"$PAR_BENCH_RESULTS"; }
# Between two measurements: the daemons idle (the scorer has applied every line), then
# SETTLE seconds (5). A burst of durable commits slows the next on this disk for seconds
# after it: the raw rate measured 0.1 s after 16 agents' push was 270,757 puts/s, 353,508
# at 1.9 s, 393,135 at 3.6 s, 441,473 at 5.2 s. Without the pause each figure paid for the
# one before it: the raw rate after a push looked slower, a push after the raw rate too.
settle() {
    for _ in $(seq 1 100); do "$BIN/parctl" status 2>/dev/null | grep -qE '^scorer .*lag=0' && break; sleep 0.1; done
    sleep "${SETTLE:-5}"
}
raw_rate() { # 200,000 puts into a store of its own, removed after
    rm -rf "$W/raw" && mkdir -p "$W/raw" && "$ROOT/build/bench/lmdb_raw" "$W/raw" 200000
    rm -rf "$W/raw"
    settle
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
    settle
    [ $ok = 1 ] || { echo failed; return; }
    awk -v a="$start" -v b="$end" -v l="$LINES" -v n="$2" 'BEGIN { printf "%.0f", l * n / (b - a) }'
}
ratio() { awk -v r="$1" -v w="$2" 'BEGIN { printf "%.2f", r / w }'; }
mean() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (a + b) / 2 }'; }

printf '%-34s %12s %10s %14s\n' "ingest (acknowledged, durable)" "lines/s" "vs raw" "raw LMDB then"
settle
before=$(raw_rate)
record ingest.raw_lmdb_puts_per_s "$before"
for n in first ${AGENTS:-1 4 16}; do
    if [ "$n" = first ]; then
        what="first large push, 1 agent" rate=$(push first 1) name=first_push
    else
        what="$n agent(s) x $LINES lines" rate=$(push "$n" "$n") name=${n}_agents
    fi
    after=$(raw_rate)
    peer=$(mean "$before" "$after")
    if [ "$rate" = failed ]; then
        printf '%-34s %12s %10s %14s\n' "$what" "(a push failed)" "" "$peer"
    else
        printf '%-34s %12s %10s %14s\n' "$what" "$rate" "$(ratio "$rate" "$peer")" "$peer"
        record "ingest.${name}_lines_per_s" "$rate"
        record "ingest.${name}_vs_raw" "$(ratio "$rate" "$peer")"
        record "ingest.${name}_raw_lmdb_puts_per_s" "$peer"
    fi
    before=$after
done
echo "  (raw LMDB: 1,000 puts of submission-sized records a durable commit, 200,000 in all,"
echo "   measured before and after each figure, the disk idle; its peer is the mean of the two)"
rm -rf "$W"
