# Operations, acceptance 2: a backup taken while districts push restores into a new
# data_dir that runs as the original: its scores equal a rebuild from its own record,
# and after the same pushes they equal the original's, to the byte.
. "$(dirname "$0")/lib.sh"
start_all; import_sample
check "base data" "$BIN/par-agent" push "$ROOT/data/submissions/districts-self-2022-2023.csv" \
    "$ROOT/data/submissions/snv-appraisal-survey-2022-2023.csv"

# twenty rounds of appraisals that move totals and ranks
for i in $(seq 1 20); do
    awk -v i="$i" 'BEGIN { print "unit,year,period,kind,key,value,date,note";
        split("TDG TUY TNU TPLC MTE PTO SHO NNH", u, " ");
        for (k = 1; k <= 8; k++) printf "%s,2023,Y,appraisal,3.4,%.2f,,vòng %d\n", u[k], ((i * 7 + k * 3) % 40) / 10, i }' \
        >"$T/round$i.csv"
done
( for i in $(seq 1 20); do "$BIN/par-agent" push "$T/round$i.csv" 2>/dev/null || echo "round $i failed"; done ) \
    >"$T/load.out" &
load=$!
sleep 0.3
check "backup under load" "$BIN/parctl" backup "$T/backup"
wait $load
check "all rounds pushed" test ! -s "$T/load.out"
# one change after the backup, whatever the rounds' timing: the original's scorer is
# ahead of the backed-up record (used below); a task report moves no score
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Y,task,PL23-PAPI-4.3-TDG,done,2024-12-20,\n' >"$T/after.csv"
check "a push after the backup" "$BIN/par-agent" push "$T/after.csv"
sleep 0.3
"$BIN/parctl" scores --index PAR --year 2023 --json >"$T/original.json"
check "backup holds every store" test -s "$T/backup/collector/data.mdb" -a -s "$T/backup/scorer/data.mdb" \
    -a -s "$T/backup/notifier/data.mdb"
rc=0; "$BIN/parctl" backup "$T/backup" >/dev/null 2>"$T/again.txt" || rc=$?
check "a second backup into the same folder is refused" test $rc -ne 0
check "and says why" grep -q "already holds a store" "$T/again.txt"
for n in "${!PIDS[@]}"; do stop "$n"; done

# the restore: a new data_dir from the backup, on another port
R=$T/restored
mkdir -p "$R/var"
cp -r "$T/backup/collector" "$T/backup/scorer" "$T/backup/notifier" "$R/var/"
sed -e "s#$T/var#$R/var#" -e "s#:$PORT#:$((PORT + 1))#" "$PAR_CONF" >"$R/par.conf"
export PAR_CONF=$R/par.conf
start_all
"$BIN/parctl" scores --index PAR --year 2023 --json >"$T/restored.json"
check "the restored notifier keeps its alert log" sh -c "'$BIN/parctl' alerts | grep -q PL23-SIPAS-1-TDG"
# the restored scores are what a scorer rebuilt from the restored record computes
stop scorer
rm -rf "$R/var/scorer"
start scorer; wait_up scorer
sleep 0.3
"$BIN/parctl" scores --index PAR --year 2023 --json >"$T/rebuilt.json"
check "restored scores equal a rebuild from the restored record" cmp -s "$T/restored.json" "$T/rebuilt.json"
# the same pushes again: what the backup missed arrives, what it had stays as it was
for i in $(seq 1 20); do "$BIN/par-agent" push "$T/round$i.csv" 2>/dev/null || fail "replay of round $i"; done
sleep 0.3
"$BIN/parctl" scores --index PAR --year 2023 --json >"$T/replayed.json"
check "after the same pushes, the restored system's scores equal the original's" cmp -s "$T/original.json" "$T/replayed.json"
check "scores are not empty" grep -q '"rank": 8' "$T/replayed.json"

# only the collector restored, next to the original's newer scorer store: the scorer
# finds itself ahead of the record and rebuilds from it instead of diverging
for n in "${!PIDS[@]}"; do stop "$n"; done
A=$T/ahead
mkdir -p "$A/var"
cp -r "$T/backup/collector" "$T/var/scorer" "$A/var/"
sed -e "s#$R/var#$A/var#" -e "s#:$((PORT + 1))#:$((PORT + 2))#" "$R/par.conf" >"$A/par.conf"
export PAR_CONF=$A/par.conf
: >"$T/scorer.log"
start_all
sleep 0.3
"$BIN/parctl" scores --index PAR --year 2023 --json >"$T/ahead.json"
check "a scorer ahead of its record says so" grep -q "event=ahead_of_record" "$T/scorer.log"
check "and rebuilds the record's scores" cmp -s "$T/ahead.json" "$T/rebuilt.json"
finish
