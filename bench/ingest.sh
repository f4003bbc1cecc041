#!/usr/bin/env bash
# The ingest benchmark: N agents (1, 4, 16 by default) each pushing LINES lines at once,
# acknowledged and durable; lines per second, beside the raw LMDB rate of this disk.
# Run by bench/run.sh with a fresh system; prints a table and the ratio.
#
# The raw rate is measured before the first figure and after each, and every ratio is
# taken against the fastest of those measurements: on this virtual disk the rate moves
# twofold from one minute to the next (266,000 to 587,000 puts a second in one day), and
# the strictest yardstick of the run cannot flatter a figure. The ratio against the
# measurements right before and after the figure (their mean) is printed beside it.
# The first large push the daemons take pays their one-time growth (heaps, LMDB's pool of
# dirty pages, the scorer's replica: 0.43-0.53 s for 100,000 lines where the next pushes
# take 0.33-0.37): it is measured and printed on a line of its own, then 1, 4 and 16 agents.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/bin
LINES=${LINES:-100000}
W=$(mktemp -d /tmp/par-ingest.XXXXXX)
record() { [ -n "${PAR_BENCH_RESULTS:-}" ] && echo "$1 $2" >>"$PAR_BENCH_RESULTS"; }
is_num() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }
# Before each measurement: the daemons idle (the scorer caught up, twice in a row: the
# collector's last number reaches the broker a moment after its answer), the disk's
# dirty pages written, then SETTLE seconds (5). A burst of durable commits slows this disk
# for seconds after it: the raw rate 0.1 s after 16 agents' push was 270,757 puts/s,
# 353,508 at 1.9 s, 393,135 at 3.6 s, 441,473 at 5.2 s; without the pause the 1-agent push
# ran right after the raw measurement's 200 commits.
settle() {
    local seen=0
    for _ in $(seq 1 200); do
        if "$BIN/parctl" status 2>/dev/null | grep -qE '^scorer .*lag=0'; then
            seen=$((seen + 1))
            [ $seen = 2 ] && break
        else
            seen=0
        fi
        sleep 0.1
    done
    [ $seen = 2 ] || echo "  (the scorer had not caught up after 20 s: measured anyway)" >&2
    sync
    sleep "${SETTLE:-5}"
}
raw_rate() { # 200,000 puts into a store of its own, removed after; empty when it failed
    # (no settle after it: what follows it, a push, settles first)
    local r
    rm -rf "$W/raw" && mkdir -p "$W/raw" && r=$("$ROOT/build/bench/lmdb_raw" "$W/raw" 200000)
    rm -rf "$W/raw"
    is_num "${r:-}" && echo "$r"
}
# make NAME N: N files of LINES new lines; push NAME N: N agents pushing them at once,
# lines/s, or "failed" when a push did not end acknowledged
make_files() {
    for i in $(seq 1 "$2"); do
        awk -v u="BENCH$1-$i" -v l="$LINES" 'BEGIN { print "unit,year,period,kind,key,value";
            for (k = 0; k < l; k++) printf "TDG,2024,M%02d,metric,%s_%d,%d\n", k % 12 + 1, u, k, k }' >"$W/a$1-$i.csv"
    done
}
# What each process spent during a push, to tell what bounds it: the daemons' CPU from
# /proc (PAR_BENCH_DAEMONS, "name:pid ..." from bench/run.sh), the agents' from the shell's
# children's times, the bytes the collector wrote (LMDB's pages, in write calls).
daemons_now() {
    local d
    for d in ${PAR_BENCH_DAEMONS:-}; do
        awk -v n="${d%%:*}" '{ printf "%s %d ", n, $14 + $15 }' "/proc/${d##*:}/stat" 2>/dev/null
        [ "${d%%:*}" = collector ] && awk '/^wchar/ { printf "wchar %d ", $2 }' "/proc/${d##*:}/io" 2>/dev/null
    done
    echo
}
push() {
    local start end ok=1 pids=() before after
    before=$(daemons_now)
    start=$(date +%s.%N)
    # the agents in a shell of their own, whose children they alone are: its times are
    # theirs (the second line; written to a file, not piped: a pipe's fork counts from zero)
    (
        for i in $(seq 1 "$2"); do
            "$BIN/par-agent" push --timeout 600 "$W/a$1-$i.csv" >>"$W/push.log" 2>&1 & pids+=($!)
        done
        for p in "${pids[@]}"; do wait "$p" || ok=0; done
        times >"$W/times-$1"
        [ $ok = 1 ]
    ) || ok=0
    end=$(date +%s.%N)
    after=$(daemons_now)
    awk -v b="$before" -v a="$after" -v s="$start" -v e="$end" -v lines=$((LINES * $2)) \
        -v hz="$(getconf CLK_TCK)" 'NR == 2 {
            gsub(/,/, "."); gsub(/[ms]/, " "); agents = $1 * 60 + $2 + $3 * 60 + $4 # a decimal comma under vi_VN
            nb = split(b, x, " "); for (i = 1; i < nb; i += 2) was[x[i]] = x[i + 1]
            na = split(a, y, " "); for (i = 1; i < na; i += 2) now[y[i]] = y[i + 1]
            printf "%.2f %.2f", e - s, agents
            split("collector scorer broker", ds, " ")
            for (i = 1; i <= 3; i++) printf " %s", (ds[i] in now) ? sprintf("%.2f", (now[ds[i]] - was[ds[i]]) / hz) : "-"
            printf " %s\n", ("wchar" in now) ? sprintf("%.0f", (now["wchar"] - was["wchar"]) / lines) : "-" }' \
        "$W/times-$1" >"$W/cpu-$1"
    rm -f "$W"/a$1-*.csv
    settle
    [ $ok = 1 ] || { echo failed; return; }
    awk -v a="$start" -v b="$end" -v l="$LINES" -v n="$2" 'BEGIN { printf "%.0f", l * n / (b - a) }'
}
ratio() { awk -v r="$1" -v w="$2" 'BEGIN { printf "%.2f", r / w }'; }
# the mean of the valid rates given (empty when none is)
mean() { awk 'BEGIN { for (i = 1; i < ARGC; i++) if (ARGV[i] ~ /^[0-9]+$/) { s += ARGV[i]; n++ }
                      if (n) printf "%.0f", s / n }' "$@"; }

printf '%-34s %12s %10s %14s %10s\n' "ingest (acknowledged, durable)" "lines/s" "vs raw" "raw around it" "vs that"
settle
before=$(raw_rate)
raws=($before)
rows=() cpus=()
for n in first ${AGENTS:-1 4 16}; do
    if [ "$n" = first ]; then
        what="first large push, 1 agent" name=first_push agents=1
    else
        what="$n agent(s) x $LINES lines" name=${n}_agents agents=$n
    fi
    make_files "$n" "$agents"
    settle
    rate=$(push "$n" "$agents")
    after=$(raw_rate)
    raws+=($after)
    rows+=("$name|$what|$rate|$(mean "$before" "$after")")
    cpus+=("$name|$what|$(cat "$W/cpu-$n" 2>/dev/null)")
    before=$after
done
# the yardstick: the fastest raw rate of the run
best=$(printf '%s\n' "${raws[@]}" | sort -n | tail -1)
if ! is_num "${best:-}"; then
    echo "  raw LMDB could not be measured (build/bench/lmdb_raw failed): no ratio"
    best=
fi
for row in "${rows[@]}"; do
    IFS='|' read -r name what rate peer <<<"$row"
    if [ "$rate" = failed ] || ! is_num "$rate"; then
        printf '%-34s %12s\n' "$what" "(a push failed: below)"
        continue
    fi
    r=- p=-
    [ -n "$best" ] && r=$(ratio "$rate" "$best")
    [ -n "$peer" ] && p=$(ratio "$rate" "$peer")
    printf '%-34s %12s %10s %14s %10s\n' "$what" "$rate" "$r" "${peer:--}" "$p"
    record "ingest.${name}_lines_per_s" "$rate"
    [ -n "$best" ] && record "ingest.${name}_vs_raw" "$r"
    [ -n "$peer" ] && record "ingest.${name}_vs_raw_around" "$p" && record "ingest.${name}_raw_around_puts_per_s" "$peer"
done
[ -n "$best" ] && record ingest.raw_lmdb_puts_per_s "$best"
echo "  raw LMDB (1,000 puts of submission-sized records a durable commit, 200,000 in all),"
echo "  measured before the first figure and after each, the disk idle: ${raws[*]:-none} puts/s;"
echo "  \"vs raw\" against the fastest, ${best:--}; \"vs that\" against the mean of the two around the figure"
# what bounds each figure: the CPU there was (wall x cores) against what each part took
echo
printf '%-34s %7s %8s %8s %9s %8s %7s %11s\n' "CPU seconds during the push" "wall" "agents" "collector" "scorer" \
    "broker" "of" "bytes/line"
for c in "${cpus[@]}"; do
    IFS='|' read -r name what fig <<<"$c"
    read -r wall agents coll scorer broker wb <<<"$fig"
    [ -n "${wall:-}" ] || continue
    printf '%-34s %7s %8s %8s %9s %8s %7s %11s\n' "$what" "$wall" "$agents" "$coll" "$scorer" "$broker" \
        "$(awk -v w="$wall" -v c="$(nproc)" 'BEGIN { printf "%.2f", w * c }')" "$wb"
    for pair in agents:$agents collector:$coll scorer:$scorer broker:$broker; do
        [[ "${pair#*:}" =~ ^[0-9]+(\.[0-9]+)?$ ]] && record "ingest.${name}_cpu_${pair%%:*}_s" "${pair#*:}"
    done
    [[ "$wb" =~ ^[0-9]+$ ]] && record "ingest.${name}_collector_bytes_written_per_line" "$wb"
done
echo "  (\"of\": the CPU there was, wall x $(nproc) cores; bytes/line: what the collector wrote, LMDB's pages)"
if [[ " ${rows[*]} " == *"|failed|"* ]]; then
    echo "  what the agents said:"
    grep -v ' 0 refused$' "$W/push.log" | sed 's/^/    /' | head -20
fi
rm -rf "$W"
