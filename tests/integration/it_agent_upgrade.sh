# par-agent run after an upgrade, and with what an outbox cannot hold as values: files
# an agent of 0.3.0 accepted (rows kept inside the outbox entry) are still sent, their
# refusals kept; an entry whose rows are missing is refused whole, saying to drop the
# file again, never left waiting unseen; a file of more lines than a message may carry
# (210,000: over the protocol's 200,000 items an array) goes through the spool folder.
. "$(dirname "$0")/lib.sh"
OLDBOX=${PAR_OLDBOX:?the old-outbox writer (make builds it)}
SPOOL=$T/spool
printf '[agent]\nspool_dir = %s\n' "$SPOOL" >>"$PAR_CONF"
wait_for() { # wait_for SECONDS TEST...
    local until=$((SECONDS + $1)); shift
    while [ $SECONDS -lt $until ]; do "$@" && return 0; sleep 0.1; done
    return 1
}
start_all; import_sample
mkdir -p "$T/in"
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Y,metric,old_a,1,,\nTDG,2024,Y,metric,old_b,2,,\nTDG,2024,Y,metric,old_c,3,,\nTDG,2024,Y,metric\n' >"$T/in/old.csv"
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Y,metric,damaged_a,1,,\n' >"$T/in/damaged.csv"
check "an entry as 0.3.0 wrote it" "$OLDBOX" old "$T/var/agent/outbox" "$SPOOL" "$T/in/old.csv" >/dev/null
check "an entry whose rows are missing" "$OLDBOX" damaged "$T/var/agent/outbox" "$SPOOL" "$T/in/damaged.csv" >/dev/null
start agent run

check "the older entry is sent: old.csv filed under done/" wait_for 20 test -e "$SPOOL/done/old.csv"
n=$("$BIN/parctl" export submissions --unit TDG | grep -c ',metric,old_')
check "its 3 lines stored (found $n)" test "$n" -eq 3
check "the line refused when 0.3.0 took it is still reported" \
    grep -q "^dòng 5: .* | line 5: 4 fields where the header has 8" "$SPOOL/rejected/old-refused.csv.err"
check "the damaged entry is refused whole, not lost" wait_for 20 test -s "$SPOOL/rejected/damaged.csv.err"
check "saying to drop the file again, in Vietnamese: $(grep -m1 'hộp thư đi' "$SPOOL/rejected/damaged.csv.err")" \
    grep -q "đặt lại tệp vào thư mục gửi" "$SPOOL/rejected/damaged.csv.err"
check "and in English" grep -q "drop the file into the spool folder again" "$SPOOL/rejected/damaged.csv.err"
check "its line not stored" sh -c "! '$BIN/parctl' export submissions --unit TDG | grep -q damaged_a"
check "logged with why" grep -q "event=outbox_unreadable name=damaged.csv error=\"the entry's rows are missing\"" \
    "$T/agent.log"
check "the file itself kept beside it" test -e "$SPOOL/rejected/damaged.csv"

# 210,000 lines: one entry, sent in batches
awk 'BEGIN { print "unit,year,period,kind,key,value"; for (k = 0; k < 210000; k++) printf "TDG,2024,M%02d,metric,big_%d,%d\n", k % 12 + 1, k, k }' >"$T/in/big.csv"
cp "$T/in/big.csv" "$SPOOL/.big.tmp" && mv "$SPOOL/.big.tmp" "$SPOOL/big.csv"
check "a 210,000-line file is delivered" wait_for 120 test -e "$SPOOL/done/big.csv"
n=$("$BIN/parctl" export submissions --unit TDG | grep -c ',metric,big_')
check "all 210,000 lines stored (found $n)" test "$n" -eq 210000
r=$(grep -c ',big.csv,' "$T/var/agent/receipts.csv")
check "each with its receipt (found $r)" test "$r" -eq 210000
check "par-agent status: the outbox empty" sh -c "'$BIN/par-agent' status | grep -q 'Hộp thư đi: 0 tệp'"
finish
