#!/usr/bin/env bash
# make bench: starts the system on loopback with the sample province in a temporary
# folder, runs each benchmark, prints its table and the machine, and stops everything.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/bin
T=$(mktemp -d /tmp/par-bench.XXXXXX)
export PAR_CONF=$T/par.conf
printf '[general]\ndata_dir = %s/var\nendpoint = tcp://127.0.0.1:%d\nlog_level = %s\n' "$T" $((20000 + RANDOM % 20000)) "${LOG_LEVEL:-warn}" >"$PAR_CONF"
pids=()
trap 'for p in "${pids[@]}"; do kill -TERM $p 2>/dev/null; done; wait 2>/dev/null; [ -n "${KEEP:-}" ] && echo "logs kept in $T" || rm -rf "$T"' EXIT
for d in broker collector scorer; do "$BIN/par-$d" 2>>"$T/$d.log" & pids+=($!); done
for _ in $(seq 1 50); do "$BIN/parctl" status >/dev/null 2>&1 && break; sleep 0.1; done
"$BIN/parctl" import units "$ROOT/data/units.csv" >/dev/null
"$BIN/parctl" import framework "$ROOT/data/framework-par-district.csv" >/dev/null
"$BIN/parctl" import tasks "$ROOT/data/tasks.csv" >/dev/null
"$BIN/par-agent" push "$ROOT/data/submissions/districts-self-2022-2023.csv" \
    "$ROOT/data/submissions/snv-appraisal-survey-2022-2023.csv" 2>/dev/null
# measure the steady state: the scorer caught up with everything pushed above
for _ in $(seq 1 100); do
    "$BIN/parctl" status --json | grep -q '"caught_up": true' && "$BIN/parctl" status | grep -qE '^scorer .*lag=0' && break
    sleep 0.1
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(df -h "$T" | awk 'NR==2 { print $1 }')"
"$ROOT/build/bench/score_latency" "${ROUNDS:-200}"
"$ROOT/bench/ingest.sh"
# the notifier's evaluation runs on its own store, without the daemons
(cd "$ROOT" && "$ROOT/build/bench/notify_eval" "${TASKS:-1000000}" "${UNITS:-11000}")
