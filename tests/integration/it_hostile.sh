# Hostile clients (issue 14): a flood of large submit messages leaves the collector's
# memory bounded and a legitimate push quick; the broker's agent table and each heartbeat
# are bounded, an unknown argument is refused, and parctl status keeps working after a
# flood of them; NUL bytes refuse their lines.
. "$(dirname "$0")/lib.sh"
H=${PAR_HOSTILE:?the hostile client (make builds it)}
# under AddressSanitizer freed memory sits in a quarantine (256 MiB by default): kept small,
# so that what the daemons' memory shows is what they hold
export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=16"
rss() { awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$1/status"; } # MiB
start_all
import_sample
before=$(rss "${PIDS[broker]}")

# 2. 100 heartbeats with 60 kB unit ids, 60 with 7.5 MiB of an argument nobody knows
"$H" heartbeats 100 60000 0 >"$T/big.txt" 2>&1
check "heartbeats with 60 kB unit ids are refused: $(head -1 "$T/big.txt")" grep -q "^accepted 0 refused 100 " "$T/big.txt"
check "saying why" grep -q "unit is text of at most 63 bytes" "$T/big.txt"
"$H" heartbeats 5 8 100 >"$T/extra.txt" 2>&1
check "a heartbeat with an argument the broker does not know is refused: $(head -1 "$T/extra.txt")" \
    grep -q "^accepted 0 refused 5 " "$T/extra.txt"
check "naming it" grep -q "has no argument 'extra'" "$T/extra.txt"
# over the protocol's 64 KiB a string: not even read as a heartbeat (the answer is a
# malformed message, which the sender cannot match to its request)
"$H" heartbeats 8 8 7500000 >"$T/huge.txt" 2>&1
check "7.5 MiB heartbeats are not taken: $(head -1 "$T/huge.txt")" grep -q "^accepted 0 " "$T/huge.txt"
after=$(rss "${PIDS[broker]}")
check "the broker did not grow with them (${before} -> ${after} MiB)" test $((after - before)) -lt 50
rc=0; "$BIN/parctl" status --json >"$T/st.json" 2>&1 || rc=$?
check "parctl status still works (exit $rc)" test $rc -eq 0
check "and its reply stays small ($(stat -c %s "$T/st.json") bytes)" test "$(stat -c %s "$T/st.json")" -lt 100000
"$H" heartbeats 3 0 0 TDG >"$T/ok.txt" 2>&1
check "a heartbeat within bounds is taken: $(cat "$T/ok.txt")" grep -q "^accepted 3 refused 0" "$T/ok.txt"
check "and listed" grep -q '"unit": "TDG"' <("$BIN/parctl" status --json)
# 1. four connections each sending 16 submit messages of 7.3 MiB (100,000 refused rows
# each) while a district pushes: the district is served in turn, the collector's memory
# stays bounded, and the excess is refused "busy" at once
"$H" flood 4 16 100000 >"$T/flood.txt" 2>&1 &
fp=$!
sleep 2
worst=0
for i in 1 2 3 4 5; do
    t0=$(date +%s%N)
    "$BIN/par-agent" push "$ROOT/data/submissions/tamduong-2023.csv" >/dev/null 2>&1 || fail "the push during the flood"
    ms=$((($(date +%s%N) - t0) / 1000000))
    [ $ms -gt $worst ] && worst=$ms
    sleep 0.5
done
wait $fp
echo "flood: $(head -1 "$T/flood.txt"); a district's push took at most $worst ms" >&2
# served in turn, not starved (it waited 32 s before): the time itself is measured by make
# chaos on the release build (docs/chaos.md), not asserted here, where sanitizers run
check "a district's push is served in turn during the flood (at most $worst ms)" test $worst -lt 10000
peak=$(awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/${PIDS[collector]}/status")
echo "collector peak memory: $peak MiB; broker: $(awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/${PIDS[broker]}/status") MiB" >&2
check "the collector stays under 512 MiB ($peak MiB at its peak)" test "$peak" -lt 512
check "the excess is refused as busy, saying so" grep -q "first refusal: unavailable: service collector unavailable: busy" "$T/flood.txt"
check "the collector stayed up" sh -c "'$BIN/parctl' status | grep -q '^collector *up'"

# 4. embedded NUL bytes: the line is refused with its number and reason, never cut, and
# the message's other lines are stored
"$H" nul >"$T/nul.json" 2>&1
check "a value with a NUL is refused, not stored as '5'" python3 -c "
import json, sys
r = {x['line']: x for x in json.load(open('$T/nul.json'))}
ok = (not r[2]['ok'] and \"field 'value' holds a NUL\" in r[2]['reason'] and
      not r[3]['ok'] and \"field 'unit' holds a NUL\" in r[3]['reason'] and r[4]['ok'])
sys.exit(0 if ok else 1)"
check "nothing of them stored" sh -c "! '$BIN/parctl' export submissions --unit TDG | grep -q nul_bad"
check "the good line of the same message stored" sh -c "'$BIN/parctl' export submissions --unit TDG | grep -q nul_ok"
printf '{"unit":"TDG","year":2024,"period":"Y","kind":"metric","key":"jsonl_nul","value":"5\\u0000 9"}\n' >"$T/nul.jsonl"
rc=0; "$BIN/par-agent" push "$T/nul.jsonl" >"$T/nuljl.txt" 2>&1 || rc=$?
check "a JSON Lines value with \\u0000 is refused with its line (exit $rc)" grep -q "nul.jsonl: line 1: " "$T/nuljl.txt"
check "and not stored cut" sh -c "! '$BIN/parctl' export submissions --unit TDG | grep -q jsonl_nul"
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Y,metric,csv_nul,5\0 9,,\nTDG\0XYZ,2024,Y,metric,csv_nul2,1,,\nTDG,2024,Y,metric,csv_ok,1,,\n' >"$T/nul.csv"
rc=0; "$BIN/par-agent" push "$T/nul.csv" >"$T/nulcsv.txt" 2>&1 || rc=$?
check "a CSV value with a NUL byte is refused with its line (exit $rc)" grep -q "nul.csv: line 2: field 6 holds a NUL" "$T/nulcsv.txt"
check "so is a unit with one" grep -q "nul.csv: line 3: field 1 holds a NUL" "$T/nulcsv.txt"
check "neither stored cut short" sh -c "! '$BIN/parctl' export submissions | grep -q 'csv_nul'"
check "the good line stored" sh -c "'$BIN/parctl' export submissions --unit TDG | grep -q csv_ok"
finish
