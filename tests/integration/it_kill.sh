# Acceptance 3 of the ingest issue: four agents push 5,000 lines each while the
# collector is killed with SIGKILL twice; every agent ends with exit 0 and every
# line is stored exactly once (in the record and in the change log).
. "$(dirname "$0")/lib.sh"
# small batches: many commits to interrupt; debug logs show each commit
printf '[agent]\nbatch_lines = 50\n' >>"$PAR_CONF"
sed -i 's/^\[general\]$/[general]\nlog_level = debug/' "$PAR_CONF"
start_all; import_sample
sleep 0.6 # a heartbeat carries the new sequence number
base=$(seq_of collector)

# the kills come after a share of the lines, not after a number of commits: when the
# collector is slow (the sanitized build on a busy machine) every agent's window waits
# and a round holds 32 batches, and 20 commits could store all 20,000 lines before the
# second kill, leaving the third life nothing to do
changes() { sed -n 's/.*event=commit .* changes=\([0-9]*\).*/\1/p' "$T/collector.log" | awk '{ s += $1 } END { print s + 0 }'; }
wait_changes() { # until the commits logged stored $1 changes (10 s at most)
    for _ in $(seq 1 1000); do [ "$(changes)" -ge "$1" ] && return 0; sleep 0.01; done
    fail "only $(changes) changes committed, waited for $1"
}

units=(TDG TUY TNU TPLC)
agents_done() { # agents_done NAME: the four agents pushing exited 0 (output in $T/NAME$i.out)
    for i in 0 1 2 3; do
        rc=0; wait "${apids[$i]}" || rc=$?
        [ $rc -eq 0 ] || fail "agent $i exited $rc: $(tail -3 "$T/$1$i.out")"
    done
}
stored_once() { # stored_once KEY LINES: each unit holds its LINES lines (keys KEY*), each logged once
    for i in 0 1 2 3; do
        n=$("$BIN/parctl" export submissions --unit "${units[$i]}" | grep -c ",metric,$1")
        check "unit ${units[$i]}: $2 lines stored, found $n" test "$n" -eq "$2"
    done
    seq=$(seq_of collector)
    check "$((4 * $2)) changes logged (seq $base -> $seq)" test $((seq - base)) -eq $((4 * $2))
}
for i in 0 1 2 3; do
    awk -v u="${units[$i]}" 'BEGIN { print "unit,year,period,kind,key,value,date,note";
        for (n = 0; n < 5000; n++) printf "%s,2024,M%02d,metric,m%d,%d,31/12/2024,line %d\n", u, n % 12 + 1, n, n, n }' \
        >"$T/agent$i.csv"
done
c0=$(changes)
for i in 0 1 2 3; do
    "$BIN/par-agent" push --timeout 120 "$T/agent$i.csv" >"$T/agent$i.out" 2>&1 &
    apids[$i]=$!
done
for round in 1 2; do
    wait_changes $((c0 + round * 6000)) # 6,000 then 12,000 of the 20,000 lines
    killnow collector
    sleep 0.3
    start collector
done
agents_done agent
wait_up collector
sleep 0.6
# the change log holds each line once: 20,000 changes after the reference data
stored_once m 5000
check "the collector was really interrupted" test "$(grep -c 'event=started' "$T/collector.log")" -eq 3
# each of the three collector lives stored part of the pushes: the kills came mid-work
lives=$(awk '/event=started/ { life++ } /event=commit/ && /changes=[1-9]/ { c[life]++ } END { n = 0; for (l in c) n++; print n }' "$T/collector.log")
check "every collector life committed pushes (lives with commits: $lives)" test "$lives" -eq 3
# a round (one commit, then its answers) stops at 8,192 lines of one agent or 32,768 in
# all (collector/round.h; its arithmetic: test_round_bound): four agents with 16 batches
# of 1,000 lines each in flight do not make one round of 64,000 lines that holds every
# answer until its end; one agent's rounds leave it batches in flight; nothing is lost
# or doubled by the bound
sed 's/^batch_lines = 50$/batch_lines = 1000/' "$PAR_CONF" >"$T/big.conf"
grep -qx 'batch_lines = 1000' "$T/big.conf" || fail "the agents' batches of 1,000 lines were not set"
from=$(wc -l <"$T/collector.log")
base=$(seq_of collector)
for i in 0 1 2 3; do
    awk -v u="${units[$i]}" 'BEGIN { print "unit,year,period,kind,key,value";
        for (n = 0; n < 20000; n++) printf "%s,2024,M%02d,metric,big%d,%d\n", u, n % 12 + 1, n, n }' >"$T/big$i.csv"
done
for i in 0 1 2 3; do
    PAR_CONF=$T/big.conf "$BIN/par-agent" push --timeout 120 "$T/big$i.csv" >"$T/big$i.out" 2>&1 &
    apids[$i]=$!
done
agents_done big
sleep 0.6
stored_once big 20000
largest() { tail -n +$((from + 1)) "$T/collector.log" | sed -n 's/.*event=commit requests=\([0-9]*\) changes=[1-9].*/\1/p' | sort -n | tail -1; }
l=$(largest)
check "four agents: no round of more than 33 batches of 1,000 lines (largest: $l)" test "${l:-99}" -le 33
from=$(wc -l <"$T/collector.log")
awk -v u="${units[0]}" 'BEGIN { print "unit,year,period,kind,key,value";
    for (n = 0; n < 20000; n++) printf "%s,2024,M%02d,metric,alone%d,%d\n", u, n % 12 + 1, n, n }' >"$T/alone.csv"
PAR_CONF=$T/big.conf "$BIN/par-agent" push --timeout 120 "$T/alone.csv" >"$T/alone.out" 2>&1 || fail "the push alone: $(tail -3 "$T/alone.out")"
n=$("$BIN/parctl" export submissions --unit "${units[0]}" | grep -c ",metric,alone")
check "one agent alone: 20000 lines stored, found $n" test "$n" -eq 20000
seq=$(seq_of collector)
check "four agents' pushes and this one: 100000 changes logged, each line once (seq $base -> $seq)" test $((seq - base)) -eq 100000
l=$(largest)
check "one agent alone: no round of more than 9 batches of 1,000 lines (largest: $l)" test "${l:-99}" -le 9
finish
