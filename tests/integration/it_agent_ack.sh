# An answer from the province that does not add up (more lines stored than were sent):
# par-agent writes no receipt from it, says so in both languages, sends the batch again,
# and writes each line's receipt once, from the answer that adds up; par-agent push and
# par-agent run alike. The collector here is hostile's liar, whose first answer is wrong.
. "$(dirname "$0")/lib.sh"
H=${PAR_HOSTILE:?the hostile client (make builds it)}
SPOOL=$T/spool
printf '[agent]\nspool_dir = %s\n' "$SPOOL" >>"$PAR_CONF"
liar=
trap '[ -n "$liar" ] && kill $liar 2>/dev/null; for p in "${PIDS[@]}"; do kill -KILL $p 2>/dev/null; done' EXIT
liar_start() { "$H" liar 1 >"$T/liar$1.txt" 2>>"$T/liar.log" & liar=$!; wait_up collector; }
liar_stop() { # SIGTERM: it says goodbye to the broker and exits 0
    kill $liar 2>/dev/null
    local rc=0
    wait $liar || rc=$?
    [ $rc -eq 0 ] || fail "hostile liar exited with $rc on SIGTERM"
    liar=
}
wait_for() { # wait_for SECONDS TEST...
    local until=$((SECONDS + $1)); shift
    while [ $SECONDS -lt $until ]; do "$@" && return 0; sleep 0.1; done
    return 1
}
receipts() { # receipts NAME: the "seq,line" pairs of the receipts of the file so named, in order
    awk -F, -v f="$1" '$3 == f || substr($3, length($3) - length(f)) == "/" f { print $2 "," $4 }' \
        "$T/var/agent/receipts.csv"
}
start broker
liar_start 1
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Y,metric,a,1,,\nTDG,2024,Y,metric,b,2,,\nTDG,2024,Y,metric,c,3,,\n' >"$T/three.csv"
rc=0; "$BIN/par-agent" push "$T/three.csv" >"$T/push.out" 2>&1 || rc=$?
check "par-agent push ends well once an answer adds up (exit $rc)" test $rc -eq 0
check "the wrong answer was given, then a right one: $(tr '\n' ' ' <"$T/liar1.txt")" \
    grep -qz "wrong.*right" "$T/liar1.txt"
check "it says the answer did not match, in English" \
    grep -q "three.csv: lines 2-4: the province's answer does not match the lines sent; no receipt written, sent again" "$T/push.out"
check "and in Vietnamese" grep -q "(dòng 2-4: câu trả lời của tỉnh không khớp với các dòng đã gửi; chưa ghi biên nhận, gửi lại)" "$T/push.out"
check "each line receipted once, from the right answer: $(receipts three.csv | tr '\n' ' ')" \
    test "$(receipts three.csv | tr '\n' ' ')" = "1,2 2,3 3,4 "
liar_stop

liar_start 2
start agent run
check "the spool folder made" wait_for 10 test -d "$SPOOL/done"
cp "$T/three.csv" "$SPOOL/.t.tmp" && mv "$SPOOL/.t.tmp" "$SPOOL/spooled.csv"
check "par-agent run files it once an answer adds up" wait_for 30 test -e "$SPOOL/done/spooled.csv"
check "the wrong answer was given there too, then a right one" grep -qz "wrong.*right" "$T/liar2.txt"
check "having logged the answer that did not" grep -q 'event=ack_disagrees file="spooled.csv" first_line=2 last_line=4' "$T/agent.log"
check "and said it in Vietnamese" grep -q "(dòng 2-4: câu trả lời của tỉnh không khớp với các dòng đã gửi" "$T/agent.log"
check "each line receipted once: $(receipts spooled.csv | tr '\n' ' ')" \
    test "$(receipts spooled.csv | tr '\n' ' ')" = "1,2 2,3 3,4 "
check "nothing refused" test -z "$(ls "$SPOOL/rejected")"
liar_stop

# an outbox that cannot be opened is said, not shown as empty
mkdir -p "$T/other/agent" && : >"$T/other/agent/outbox"
sed "s#^data_dir = .*#data_dir = $T/other#" "$PAR_CONF" >"$T/other.conf"
rc=0; PAR_CONF=$T/other.conf "$BIN/par-agent" status >"$T/st.txt" 2>&1 || rc=$?
check "par-agent status exits 1 when its outbox cannot be opened (got $rc)" test $rc -eq 1
check "and says so: $(grep 'Hộp thư đi' "$T/st.txt")" grep -q "^Hộp thư đi: KHÔNG ĐỌC ĐƯỢC (" "$T/st.txt"
PAR_CONF=$T/other.conf "$BIN/par-agent" status --json >"$T/st.json" 2>/dev/null
check "--json says it too, without counts" sh -c "grep -q '\"outbox_error\"' '$T/st.json' && ! grep -q outbox_files '$T/st.json'"
finish
