# The scorer: scores follow pushes; `parctl scores --json` keeps its contract; a
# scorer killed with SIGKILL catches up with what it missed; a scorer that is down
# is reported, and parctl says so instead of hanging.
. "$(dirname "$0")/lib.sh"
start_all; import_sample
check "sample pushes" "$BIN/par-agent" push "$ROOT/data/submissions/tamduong-2023.csv" "$ROOT/data/submissions/thanuyen-2023.csv"

wait_total TDG 64.5594
"$BIN/parctl" scores --index PAR --year 2023 --json >"$T/scores.json"
for field in '"unit": "TDG"' '"index": "PAR"' '"year": 2023' '"max": 100' '"rank": 1' '"of": 2' '"components"' '"pct"'; do
    check "scores JSON has $field" grep -q "$field" "$T/scores.json"
done
"$BIN/parctl" scores --index PAR --year 2023 >"$T/scores.txt"
check "ranking table names Tam Đường first" grep -qE '^1/2 +TDG +Huyện Tam Đường' "$T/scores.txt"

# an appraisal lowers a self-score: the total follows, with its reason kept
printf 'unit,year,period,kind,key,value,date,note\nTDG,2023,Y,appraisal,1.3,0.5,20/03/2024,Chưa kiểm tra đủ 100%% cơ quan\n' >"$T/appr.csv"
check "appraisal accepted" "$BIN/par-agent" push "$T/appr.csv"
wait_total TDG 63.0594

# the scorer dies; changes go on; it comes back and catches up
killnow scorer
printf 'unit,year,period,kind,key,value,date,note\nTUY,2023,Y,score,4.1,3,15/01/2024,\nTUY,2023,Y,score,4.2,3,15/01/2024,\n' >"$T/more.csv"
check "push while the scorer is down" "$BIN/par-agent" push "$T/more.csv"
rc=0; timeout 20 "$BIN/parctl" scores --index PAR --year 2023 >"$T/down.txt" 2>&1 || rc=$?
check "scores without a scorer fails" test $rc -eq 1
check "scores without a scorer says why" grep -q "service scorer unavailable" "$T/down.txt"
rc=0; "$BIN/parctl" status >"$T/status.txt" || rc=$?
check "status unhealthy without the scorer" test $rc -eq 1
check "status shows the stopped scorer's lag unknown (its last figure says nothing now)" \
    grep -qE '^scorer +DOWN .*lag=unknown' "$T/status.txt"
start scorer; wait_up scorer
wait_total TUY 57.9644
sleep 0.3
"$BIN/parctl" status >"$T/status2.txt"
check "scorer caught up: lag 0" grep -qE '^scorer +up .*lag=0' "$T/status2.txt"
check "the restart caught up from its sequence number" grep -q "event=caught_up" "$T/scorer.log"

# a scorer rebuilt from the change log, page by page and then in bulk (its store removed,
# bulk_behind lowered), holds the same results as the one that followed every change, for
# every year: a year with no line of a unit's gets no result for it either way
scores_all() { # scores_all FILE: the rankings of both years
    for y in 2022 2023; do "$BIN/parctl" scores --index PAR --year $y --json || return 1; done >"$1" 2>/dev/null
}
scores_all "$T/before.json"
check "the live scorer has no 2022 result (no 2022 line was sent)" grep -q '^\[\]' "$T/before.json"
stop scorer
rm -rf "$T/var/scorer"
start scorer; wait_up scorer
for _ in $(seq 1 50); do scores_all "$T/paged.json" && break; sleep 0.1; done
check "a scorer rebuilt page by page equals the live one" cmp -s "$T/before.json" "$T/paged.json"
stop scorer
rm -rf "$T/var/scorer"
printf '[scorer]\nbulk_behind = 50\n' >>"$PAR_CONF"
start scorer; wait_up scorer
for _ in $(seq 1 50); do scores_all "$T/after.json" && break; sleep 0.1; done
check "the rebuilt scorer loaded in bulk" grep -q "event=bulk_catch_up seq=0" "$T/scorer.log"
check "and computed everything once" grep -q "event=recomputed" "$T/scorer.log"
check "its scores equal those computed change by change" cmp -s "$T/before.json" "$T/after.json"
finish
