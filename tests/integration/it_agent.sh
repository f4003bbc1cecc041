# The district agent (issue 5): a file dropped while the province is unreachable,
# the agent killed with SIGKILL and restarted, the province back: every line stored
# exactly once and the file under done/. A partly bad file: good lines stored, file
# under rejected/ with a readable .err. 10,000 files dropped at once by 4 processes:
# all delivered, none twice, the outbox empty at the end.
. "$(dirname "$0")/lib.sh"
SPOOL=$T/spool
printf '[agent]\nspool_dir = %s\nunit = TDG\nheartbeat = 1\n' "$SPOOL" >>"$PAR_CONF"
# the district's own software, exporting its figures (run at start, then daily)
printf '#!/bin/sh\nprintf "unit,year,period,kind,key,value\\nTDG,2024,Y,metric,exported_dossiers,2818\\n"\n' >"$T/export.sh"
chmod +x "$T/export.sh"
printf 'exporter = %s\n' "$T/export.sh" >>"$PAR_CONF"
start_all; import_sample
sleep 0.6
base=$(seq_of collector)

drop() { # drop FILE NAME: as a writer should, by rename into the spool folder
    cp "$1" "$SPOOL/.$2.tmp" && mv "$SPOOL/.$2.tmp" "$SPOOL/$2"
}
wait_for() { # wait_for SECONDS TEST...: until the test holds
    local until=$((SECONDS + $1)); shift
    while [ $SECONDS -lt $until ]; do "$@" && return 0; sleep 0.1; done
    return 1
}

# 1. the province unreachable; the agent dies with the file in its outbox
stop broker
start agent run
check "spool folder made" wait_for 10 test -d "$SPOOL/.outbox"
awk 'BEGIN { print "unit,year,period,kind,key,value,date,note";
    for (n = 0; n < 500; n++) printf "TDG,2024,M%02d,metric,offline_%d,%d,31/12/2024,\n", n % 12 + 1, n, n }' >"$T/offline.csv"
drop "$T/offline.csv" offline.csv
check "file accepted into the outbox" wait_for 10 sh -c "ls '$SPOOL/.outbox' | grep -q offline.csv"
killnow agent
start agent run
start broker
check "file delivered after the restarts" wait_for 30 test -e "$SPOOL/done/offline.csv"
n=$("$BIN/parctl" export submissions --unit TDG | grep -c ',metric,offline_')
check "500 lines stored, found $n" test "$n" -eq 500
sleep 0.6
# 500 lines and the exporter's one (its two runs, one per agent start, store it once)
check "each line stored once (seq $base -> $(seq_of collector))" test $(( $(seq_of collector) - base )) -eq 501
check "status lists the agent" sh -c "'$BIN/parctl' status | grep -qE '^TDG +heard'"

# 2. a partly bad file
printf 'unit,year,period,kind,key,value,date,note\nTDG,2023,Y,score,1.3,2,,\nXYZ,2023,Y,score,1.3,2,,\nTDG,2023,Y,score,1.4,nhiều,,\n' >"$T/mixed.csv"
drop "$T/mixed.csv" mixed.csv
# a line was stored: the file goes under done/ (not to be sent again whole), its refused
# lines alone to rejected/ as a CSV to fix and drop back, with the .err beside it
check "partly stored file under done/" wait_for 20 test -e "$SPOOL/done/mixed.csv"
check "not under rejected/" test ! -e "$SPOOL/rejected/mixed.csv"
check "its refused lines alone in rejected/mixed-refused.csv" test "$(cat "$SPOOL/rejected/mixed-refused.csv")" = \
    "$(printf 'unit,year,period,kind,key,value,date,note\nXYZ,2023,Y,score,1.3,2,,\nTDG,2023,Y,score,1.4,nhiều,,')"
E=$SPOOL/rejected/mixed-refused.csv.err
check ".err beside it" test -s "$E"
check ".err says the file was partly stored" grep -q "^File mixed.csv was partly stored and filed under done/" "$E"
check ".err in Vietnamese and English" grep -q "^dòng 3: .* | line 3: unknown unit XYZ$" "$E"
check ".err names line 4" grep -q "line 4: value 'nhiều' is not a number" "$E"
check "its Vietnamese half has the same facts" grep -q "^dòng 4: giá trị 'nhiều' không phải là số | line 4:" "$E"
check "and so for line 3" grep -q "^dòng 3: đơn vị XYZ không có trong danh mục | line 3: unknown unit XYZ$" "$E"
# fixed and dropped back: stored; a reused name keeps its .csv ending
sed -i '/^XYZ,/d; s/nhiều/1/' "$SPOOL/rejected/mixed-refused.csv"
drop "$SPOOL/rejected/mixed-refused.csv" mixed.csv
check "the fixed lines under done/ as mixed.1.csv" wait_for 20 test -e "$SPOOL/done/mixed.1.csv"
check "nothing refused the second time" test ! -e "$SPOOL/rejected/mixed-refused.1.csv"
check "the good line stored" sh -c "'$BIN/parctl' export submissions --unit TDG | grep -q ',score,PAR:1.3,2,'"

# the exporter's output and a JSON Lines file went the same way
check "exporter output delivered" wait_for 10 sh -c "ls '$SPOOL/done' | grep -q '^export-.*\.csv$'"
check "exported figure stored" sh -c "'$BIN/parctl' export submissions --unit TDG | grep -q ',metric,exported_dossiers,2818,'"
printf '{"unit":"TDG","year":2024,"period":"Y","kind":"metric","key":"jsonl_figure","value":46}\n' >"$T/f.jsonl"
drop "$T/f.jsonl" figures.jsonl
check "JSON Lines file delivered" wait_for 10 test -e "$SPOOL/done/figures.jsonl"
check "JSON Lines figure stored" sh -c "'$BIN/parctl' export submissions --unit TDG | grep -q ',metric,jsonl_figure,46,'"

# 3. 10,000 files at once from 4 processes
sleep 0.6
base=$(seq_of collector)
writers=()
for k in 1 2 3 4; do
    perl -e 'my ($d, $k) = @ARGV; for my $i (1 .. 2500) {
        open(my $f, ">", "$d/.p$k-$i.tmp") or die; print $f "unit,year,period,kind,key,value\nTDG-TT,2024,Y,metric,bulk_${k}_$i,$i\n";
        close($f); rename("$d/.p$k-$i.tmp", "$d/p$k-$i.csv") or die }' "$SPOOL" "$k" &
    writers+=($!)
done
wait "${writers[@]}" # not a bare wait: the daemons are children of this shell too
check "10,000 files under done/" wait_for 240 sh -c "[ \$(ls '$SPOOL/done' | grep -c '^p[1-4]-') -eq 10000 ]"
n=$("$BIN/parctl" export submissions --unit TDG-TT | grep -c ',metric,bulk_')
check "10,000 lines stored, found $n" test "$n" -eq 10000
sleep 0.6
check "none twice (seq $base -> $(seq_of collector))" test $(( $(seq_of collector) - base )) -eq 10000
check "outbox empty" wait_for 5 sh -c "'$BIN/parctl' status | grep -qE '^TDG +heard +[^ ]+ +0 '"
check "nothing left in the spool folder" test -z "$(ls "$SPOOL" | grep -v '^done$\|^rejected$')"
check "nothing held" test -z "$(ls "$SPOOL/.outbox")"
finish
