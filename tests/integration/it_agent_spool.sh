# The district technician's agent (issue 17): a file copied into the spool folder (written
# in place, as cp, Samba and WinSCP do) is sent once complete and never half-written; the
# link going down and coming back is logged and shown by par-agent status with the outbox,
# the last success and error and the next retry; the heartbeat after a delivery shows the
# outbox as it is; lines of units outside the agent's own are refused.
. "$(dirname "$0")/lib.sh"
SPOOL=$T/spool
# a long heartbeat: what the province sees after a delivery must not wait for it
printf '[agent]\nspool_dir = %s\nunit = TDG\nheartbeat = 60\n' "$SPOOL" >>"$PAR_CONF"
start_all; import_sample
wait_for() { # wait_for SECONDS TEST...
    local until=$((SECONDS + $1)); shift
    while [ $SECONDS -lt $until ]; do "$@" && return 0; sleep 0.1; done
    return 1
}
start agent run
check "spool folder made" wait_for 10 test -d "$SPOOL/done"
check "par-agent status: running, linked" wait_for 10 "$BIN/par-agent" status

# 11. copied in place: a writer that takes its time is not sent half-written
awk 'BEGIN { print "unit,year,period,kind,key,value,date,note";
    for (n = 0; n < 300; n++) printf "TDG,2024,Y,metric,copied_%d,%d,,\n", n, n }' >"$T/copied.csv"
head -c 5000 "$T/copied.csv" >"$SPOOL/copied.csv" # open, write, close: IN_CLOSE_WRITE
sleep 1
tail -c +5001 "$T/copied.csv" >>"$SPOOL/copied.csv" # the rest, a second later
check "a file written in place is delivered" wait_for 15 test -e "$SPOOL/done/copied.csv"
n=$("$BIN/parctl" export submissions --unit TDG | grep -c ',metric,copied_')
check "all 300 lines, none half-written (found $n)" test "$n" -eq 300
check "nothing refused" test -z "$(ls "$SPOOL/rejected")"
cp "$T/copied.csv" "$SPOOL/copy2.csv"
check "cp into the spool folder is delivered" wait_for 15 test -e "$SPOOL/done/copy2.csv"

# 17. the heartbeat after the outbox changes (not 60 s later)
check "the province sees the outbox emptied" wait_for 5 sh -c "'$BIN/parctl' status | grep -qE '^TDG +heard +[^ ]+ +0 '"

# 16. an agent of TDG does not send Than Uyên's lines, whatever the server's mode
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Y,metric,mine,1,,\nTUY,2024,Y,metric,not_mine,1,,\n' >"$T/scope.csv"
rc=0; "$BIN/par-agent" push "$T/scope.csv" >"$T/scope.out" 2>&1 || rc=$?
check "a line of another district is refused (exit $rc)" test $rc -eq 1
check "and says why: $(grep line "$T/scope.out")" grep -q "line 3: unit TUY is neither TDG nor below it: the agent of TDG" "$T/scope.out"
check "TDG's own line stored" sh -c "'$BIN/parctl' export submissions --unit TDG | grep -q ',metric,mine,1,'"
check "TUY's not" sh -c "! '$BIN/parctl' export submissions --unit TUY | grep -q not_mine"

# 15. a whole file refused (its header unreadable): the counts agree, in both languages
printf 'unit|year|period|kind|key|value\nTDG|2024|Y|metric|a|1\nTDG|2024|Y|metric|b|2\n' >"$SPOOL/.pipes.tmp"
mv "$SPOOL/.pipes.tmp" "$SPOOL/pipes.csv"
check "a file whose header cannot be read is refused whole" wait_for 10 test -s "$SPOOL/rejected/pipes.csv.err"
check "its counts agree: $(sed -n 2p "$SPOOL/rejected/pipes.csv.err")" \
    grep -q "^Số dòng: 2; đã lưu: 0; bị từ chối: 2 (cả tệp) / Lines: 2; stored: 0; refused: 2 (the whole file)$" \
    "$SPOOL/rejected/pipes.csv.err"
check "the Vietnamese half says how the header was read" grep -q "^toàn tệp: dòng 1: .*dòng tiêu đề được đọc với ','" \
    "$SPOOL/rejected/pipes.csv.err"

# 12. the link: down is logged and shown, with the outbox and the next retry; back is logged
stop broker
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Y,metric,while_down,7,,\n' >"$T/down.csv"
cp "$T/down.csv" "$SPOOL/.down.tmp" && mv "$SPOOL/.down.tmp" "$SPOOL/down.csv"
check "the link going down is logged" wait_for 20 grep -q "event=link_down" "$T/agent.log"
rc=0; "$BIN/par-agent" status >"$T/st.txt" 2>&1 || rc=$?
check "status exits 1 while the link is down (got $rc)" test $rc -eq 1
check "status shows the outbox: $(grep 'Hộp thư' "$T/st.txt")" grep -q "^Hộp thư đi: 1 tệp, 1 dòng" "$T/st.txt"
check "status says the link is down" grep -q "MẤT KẾT NỐI từ" "$T/st.txt"
check "status gives the last error in words" grep -qE "^Lỗi gần nhất: (no answer from|cannot connect to) the provincial server" "$T/st.txt"
check "status gives the last success" grep -qE "^Lần gửi thành công gần nhất: [0-9]{2}:[0-9]{2}:[0-9]{2} ngày" "$T/st.txt"
check "status gives the next retry" grep -q "^Lần thử gửi lại tiếp theo: " "$T/st.txt"
"$BIN/par-agent" status --json >"$T/st.json" || true
check "status --json" python3 -c "
import json, sys
s = json.load(open('$T/st.json'))
sys.exit(0 if s['running'] and s['link'] == 'down' and s['outbox_files'] == 1 and s['outbox_lines'] == 1 else 1)"
start broker
check "the file goes once the link is back" wait_for 60 test -e "$SPOOL/done/down.csv"
check "the link coming back is logged" grep -q "event=link_up .*down_s=" "$T/agent.log"
check "status: linked again, outbox empty" sh -c "'$BIN/par-agent' status >'$T/st2.txt' && grep -q '^Hộp thư đi: 0 tệp, 0 dòng' '$T/st2.txt'"
# issue 15: evidence documents dropped under evidence/UNIT/INDEX/YEAR/CRITERION/
EV=$SPOOL/evidence/TDG/PAR/2023/1.4
mkdir -p "$EV"
printf '%%PDF-1.4\n%% Kế hoạch tuyên truyền\n' >"$T/kh.pdf"
cp "$T/kh.pdf" "$EV/ke-hoach.pdf"
printf 'not a pdf' >"$EV/gia.pdf"
check "a document in the spool's evidence folder is sent" wait_for 30 test -e "$SPOOL/done/evidence/TDG/PAR/2023/1.4/ke-hoach.pdf"
check "... and held at the province" sh -c "'$BIN/parctl' evidence list TDG --index PAR --year 2023 | grep -q ke-hoach.pdf"
check "a refused document is filed under rejected/ with why" wait_for 30 test -e "$SPOOL/rejected/evidence/TDG/PAR/2023/1.4/gia.pdf.err"
check "... in Vietnamese and English" grep -q "does not hold what a .pdf file holds" "$SPOOL/rejected/evidence/TDG/PAR/2023/1.4/gia.pdf.err"
# a file over 64 MiB is refused by its size, before it is read (sparse: no disk used)
truncate -s 70M "$T/huge.csv" && mv "$T/huge.csv" "$SPOOL/huge.csv"
check "a file over 64 MiB is refused whole" wait_for 20 test -s "$SPOOL/rejected/huge.csv.err"
check "saying its size: $(grep -m1 'MiB' "$SPOOL/rejected/huge.csv.err")" \
    grep -q "73400320 bytes, more than the 64 MiB a file may have: split it" "$SPOOL/rejected/huge.csv.err"
stop agent
rc=0; "$BIN/par-agent" status >"$T/st3.txt" 2>&1 || rc=$?
check "status of a stopped agent says so (exit $rc)" sh -c "test $rc -eq 1 && grep -q 'không chạy' '$T/st3.txt'"
finish
