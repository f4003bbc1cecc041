# par-agent run after an upgrade, and with what an outbox could not hold as values:
# files an agent of 0.3.0 accepted (its outbox of schema 1, rows kept inside each entry)
# are still sent, their refusals kept, and the outbox is marked so that 0.3.0 refuses it
# rather than misread it; an entry 0.3.0 could never read back (210,000 rows: over the
# protocol's 200,000 items an array) is taken again from the copy held and sent; an
# entry whose rows are missing is refused whole, even with the link down, saying to drop
# the file again; a 210,000-line file goes through the spool folder, shown by
# par-agent status while it waits.
. "$(dirname "$0")/lib.sh"
OLDBOX=${PAR_OLDBOX:?the old-outbox writer (make builds it)}
SPOOL=$T/spool
printf '[agent]\nspool_dir = %s\n' "$SPOOL" >>"$PAR_CONF"
wait_for() { # wait_for SECONDS TEST...
    local until=$((SECONDS + $1)); shift
    while [ $SECONDS -lt $until ]; do "$@" && return 0; sleep 0.1; done
    return 1
}
count() { # count PATTERN: lines of TDG's stored submissions matching it (fails when export does)
    local out
    out=$("$BIN/parctl" export submissions --unit TDG) || return 1
    grep -c -- "$1" <<<"$out"
}
mkdir -p "$T/in"
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Y,metric,old_a,1,,\nTDG,2024,Y,metric,old_b,2,,\nTDG,2024,Y,metric,old_c,3,,\nTDG,2024,Y,metric\n' >"$T/in/old.csv"
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Y,metric,damaged_a,1,,\n' >"$T/in/damaged.csv"
awk 'BEGIN { print "unit,year,period,kind,key,value"; for (k = 0; k < 210000; k++) printf "TDG,2024,M%02d,metric,stuck_%d,%d\n", k % 12 + 1, k, k }' >"$T/in/stuck.csv"
check "an entry as 0.3.0 wrote it" "$OLDBOX" old "$T/var/agent/outbox" "$SPOOL" "$T/in/old.csv" >/dev/null
check "one 0.3.0 could not read back" "$OLDBOX" old "$T/var/agent/outbox" "$SPOOL" "$T/in/stuck.csv" >/dev/null
check "an entry whose rows are missing" "$OLDBOX" damaged "$T/var/agent/outbox" "$SPOOL" "$T/in/damaged.csv" >/dev/null
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Y,metric,garbled_a,1,,\n' >"$T/in/garbled.csv"
check "an entry that cannot be read back" "$OLDBOX" garbled "$T/var/agent/outbox" "$SPOOL" "$T/in/garbled.csv" >/dev/null
echo "TDG,2024,Y,metric,garbled_b,2,," >>"$SPOOL"/.outbox/*-garbled.csv # and its held copy not the file taken

# the link down: the damaged entry is filed at once all the same
start_all; import_sample
stop broker
# par-agent status before the agent has started: it reads 0.3.0's outbox as it is (the
# agent marks it when it starts: checked below)
"$BIN/par-agent" status >"$T/st0.txt" 2>&1
check "par-agent status reads 0.3.0's outbox: $(grep 'Hộp thư đi' "$T/st0.txt")" \
    grep -q "^Hộp thư đi: 4 tệp, 5 dòng chờ" "$T/st0.txt"
start agent run
check "the damaged entry is refused whole, with the link down" wait_for 20 test -s "$SPOOL/rejected/damaged.csv.err"
check "saying to drop the file again, in Vietnamese" grep -q "đặt lại tệp vào thư mục gửi" "$SPOOL/rejected/damaged.csv.err"
check "and in English" grep -q "drop the file into the spool folder again" "$SPOOL/rejected/damaged.csv.err"
check "logged with why" grep -q "event=outbox_unreadable name=damaged.csv error=\"the entry's rows are missing\"" \
    "$T/agent.log"
check "the file itself beside it" test -e "$SPOOL/rejected/damaged.csv"
check "one whose held copy is not the file taken is refused whole" wait_for 20 \
    grep -q "drop the file into the spool folder again" "$SPOOL/rejected/garbled.csv.err"
check "logged with why" grep -q "name=garbled.csv error=\"the copy held is not the file the outbox took\"" "$T/agent.log"
check "the outbox marked as this version's" grep -q "event=store_upgraded store=.*/agent/outbox from=1 to=2" "$T/agent.log"
check "the entry 0.3.0 could not read is taken again from its copy" wait_for 60 grep -q \
    "event=outbox_recovered name=stuck.csv lines=210000" "$T/agent.log"
check "par-agent status shows both waiting: $("$BIN/par-agent" status | grep 'Hộp thư đi')" \
    sh -c "'$BIN/par-agent' status | grep -q 'Hộp thư đi: 2 tệp, 210004 dòng chờ'"

start broker
check "the older entry is sent: old.csv filed under done/" wait_for 30 test -e "$SPOOL/done/old.csv"
check "its 3 lines stored" test "$(count ',metric,old_')" = 3
check "the line refused when 0.3.0 took it is still reported" wait_for 10 \
    grep -q "^dòng 5: .* | line 5: 4 fields where the header has 8" "$SPOOL/rejected/old-refused.csv.err"
check "the one 0.3.0 held for good is delivered" wait_for 120 test -e "$SPOOL/done/stuck.csv"
check "all its 210,000 lines stored" test "$(count ',metric,stuck_')" = 210000
check "the damaged entry's line not stored" test "$(count damaged_a)" = 0
# dropped again, as the .err says: taken (its entry was let go), and sent
cp "$T/in/garbled.csv" "$SPOOL/.g.tmp" && mv "$SPOOL/.g.tmp" "$SPOOL/garbled.csv"
check "the refused file dropped again is delivered" wait_for 30 test -e "$SPOOL/done/garbled.csv"
check "its line stored" test "$(count garbled_a)" = 1

# 210,000 lines through the spool folder: one entry, sent in batches, each line receipted
awk 'BEGIN { print "unit,year,period,kind,key,value"; for (k = 0; k < 210000; k++) printf "TDG,2024,M%02d,metric,big_%d,%d\n", k % 12 + 1, k, k }' >"$T/in/big.csv"
cp "$T/in/big.csv" "$SPOOL/.big.tmp" && mv "$SPOOL/.big.tmp" "$SPOOL/big.csv"
check "a 210,000-line file is delivered" wait_for 120 test -e "$SPOOL/done/big.csv"
check "all 210,000 lines stored" test "$(count ',metric,big_')" = 210000
r=$(grep -c ',big.csv,' "$T/var/agent/receipts.csv")
check "each with its receipt (found $r)" test "$r" -eq 210000
check "par-agent status: the outbox empty" sh -c "'$BIN/par-agent' status | grep -q 'Hộp thư đi: 0 tệp'"
finish
