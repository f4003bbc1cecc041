# Shared by the integration tests: a temporary data_dir and config, the real
# daemons on a loopback port, and checks that say what a user would see.
set -u
BIN=${PAR_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/bin}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/par-it.XXXXXX)
# below 32768, where the kernel takes its ephemeral ports: a client connecting to the broker
# once took PORT + 1 just before par-web could listen there
PORT=$((20000 + RANDOM % 12000))
export PAR_CONF=$T/par.conf
export PAR_NOW=${PAR_NOW:-2024-12-31T08:00:00+07:00}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
cat >"$PAR_CONF" <<CONF
[general]
data_dir = $T/var
endpoint = tcp://127.0.0.1:$PORT
[notifier]
holidays_dir = $ROOT/data/holidays
CONF
declare -A PIDS=()
FAILED=0

fail() { echo "FAIL: $*" >&2; FAILED=1; }
check() { # check DESCRIPTION COMMAND...: the command must succeed
    local what=$1; shift
    "$@" || fail "$what"
}

start() { # start NAME [ARG...]: a daemon in the background, its log in $T/NAME.log
    "$BIN/par-$1" "${@:2}" >>"$T/$1.log" 2>&1 &
    PIDS[$1]=$!
}

stop() { # stop NAME: SIGTERM, and the exit status must be 0 (sanitizers report through it)
    local pid=${PIDS[$1]:-}
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null
    local rc=0
    wait "$pid" || rc=$?
    unset "PIDS[$1]"
    [ $rc -eq 0 ] || fail "par-$1 exited with $rc on SIGTERM (log: $T/$1.log)"
}

killnow() { # killnow NAME: SIGKILL, as a crash would
    local pid=${PIDS[$1]:-}
    [ -n "$pid" ] || return 0
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    unset "PIDS[$1]"
}

wait_up() { # wait_up SERVICE: until parctl status shows it up (10 s at most)
    for _ in $(seq 1 100); do
        "$BIN/parctl" status --json 2>/dev/null | grep -A1 "\"name\": \"$1\"" | grep -q '"up": true' && return 0
        sleep 0.1
    done
    fail "$1 did not come up"
    return 1
}

seq_of() { # seq_of SERVICE: the last sequence number it reported
    "$BIN/parctl" status | awk -v s="$1" '$1 == s { print $3 }'
}

total_of() { # total_of UNIT: its 2023 PAR total, as parctl scores --json prints it
    timeout 5 "$BIN/parctl" scores --index PAR --year 2023 --json 2>/dev/null |
        awk -v u="\"$1\"" '$1 == "\"unit\":" && $2 == u"," { f = 1 } f && $1 == "\"total\":" { sub(",", "", $2); print $2; exit }'
}
wait_total() { # wait_total UNIT VALUE: until the scorer shows it (10 s at most)
    local until=$((SECONDS + 10))
    while [ $SECONDS -lt $until ]; do
        [ "$(total_of "$1" | cut -c1-${#2})" = "$2" ] && return 0
        sleep 0.1
    done
    fail "$1's total is $(total_of "$1"), expected $2"
}

start_all() {
    start broker; start collector; start scorer; start notifier
    wait_up collector; wait_up scorer; wait_up notifier
}

import_sample() {
    "$BIN/parctl" import units "$ROOT/data/units.csv" >/dev/null &&
    "$BIN/parctl" import framework "$ROOT/data/framework-par-district.csv" >/dev/null &&
    "$BIN/parctl" import tasks "$ROOT/data/tasks.csv" >/dev/null || fail "sample data did not import"
}

finish() { # stops what runs, scans the logs for sanitizer reports, removes $T when all went well
    for n in "${!PIDS[@]}"; do stop "$n"; done
    if grep -lE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$T"/*.log 2>/dev/null; then
        fail "a sanitizer reported a problem (logs in $T)"
    fi
    if [ $FAILED -eq 0 ] && [ -z "${PAR_KEEP:-}" ]; then rm -rf "$T"; else echo "kept $T for inspection" >&2; fi
    exit $FAILED
}
trap 'for p in "${PIDS[@]}"; do kill -KILL $p 2>/dev/null; done' EXIT
