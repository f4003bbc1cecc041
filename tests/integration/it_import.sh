# Reference data: the sample province imports; bad files are refused whole with
# every bad line named; deadline texts that are no deadline are flagged, not refused;
# a restart of either daemon keeps everything.
. "$(dirname "$0")/lib.sh"
start_all
check "units import" "$BIN/parctl" import units "$ROOT/data/units.csv"
check "framework import" "$BIN/parctl" import framework "$ROOT/data/framework-par-district.csv"
"$BIN/parctl" import tasks "$ROOT/data/tasks.csv" >"$T/tasks.txt" || fail "tasks import"
check "import reports its counts" grep -q "29 rows, 29 changed" "$T/tasks.txt"
"$BIN/parctl" import tasks "$ROOT/data/tasks.csv" >"$T/tasks2.txt"
check "re-import changes nothing" grep -q "29 rows, 0 changed, 29 unchanged" "$T/tasks2.txt"

cat >"$T/bad-units.csv" <<'CSV'
id,parent,level,name,email
X1,LC,district,Huyện X,x@example.vn
X2,NOWHERE,district,Huyện Y,
X3,LC,district,,z@example.vn
X4,LC,district,Huyện Z,not-an-address
CSV
rc=0; "$BIN/parctl" import units "$T/bad-units.csv" >"$T/bad.txt" 2>&1 || rc=$?
check "bad units file refused" test $rc -eq 1
check "line 3 named" grep -q "line 3: parent NOWHERE" "$T/bad.txt"
check "line 4 named" grep -q "line 4: unit X3 needs a level and a name" "$T/bad.txt"
check "line 5 named" grep -q "line 5: email 'not-an-address'" "$T/bad.txt"
check "nothing imported" grep -q "nothing imported" "$T/bad.txt"
"$BIN/parctl" export submissions >/dev/null
printf 'id,parent,colour\nA,,red\n' >"$T/cols.csv"
rc=0; "$BIN/parctl" import units "$T/cols.csv" >"$T/cols.txt" 2>&1 || rc=$?
check "unknown column refused" test $rc -ne 0
check "unknown column named" grep -q "unknown column 'colour'" "$T/cols.txt"

printf 'plan,id,lead,task,deadline\nP,T-X,TDG,Việc gì đó,khi nào rảnh\nP,T-Y,TDG,Báo cáo,Quy IV nam 2024\n' >"$T/t.csv"
"$BIN/parctl" import tasks "$T/t.csv" >"$T/t.txt" 2>&1 || fail "task with an unreadable deadline must import"
check "unreadable deadline flagged" grep -q "line 2: warning: task T-X: deadline 'khi nào rảnh'" "$T/t.txt"
printf 'plan,id,lead,task,deadline\nP,T-Q,TDG,Báo cáo,"Quý I, Quý V và báo cáo năm"\n' >"$T/tq.csv"
"$BIN/parctl" import tasks "$T/tq.csv" >"$T/tq.txt" 2>&1 || fail "a deadline read in part must import"
check "a deadline read in part says what was left out" \
    grep -q "line 2: warning: task T-Q: deadline 'Quý I, Quý V và báo cáo năm' read as recurring:Q1,Y; not read: 'quy v'" "$T/tq.txt"

printf 'plan,id,lead,task,deadline\nP,T-D,TDG,Một,31/12/2024\nP,T-D,TDG,Hai,31/12/2024\n' >"$T/dup.csv"
rc=0; "$BIN/parctl" import tasks "$T/dup.csv" >"$T/dup.txt" 2>&1 || rc=$?
check "a task id twice in a file is refused" test $rc -eq 1
check "and the second line named" grep -q "line 3: task T-D appears twice" "$T/dup.txt"
# a parent may come after its child in the same file; a cycle may not
printf 'id,parent,level,name\nC1,D1,commune,Xã một\nD1,LC,district,Huyện một\n' >"$T/order.csv"
check "a child before its parent imports" "$BIN/parctl" import units "$T/order.csv"
printf 'id,parent,level,name\nK1,K2,commune,Một\nK2,K1,commune,Hai\n' >"$T/cycle.csv"
rc=0; "$BIN/parctl" import units "$T/cycle.csv" >"$T/cycle.txt" 2>&1 || rc=$?
check "a cycle of parents is refused" sh -c "[ $rc -eq 1 ] && grep -q 'unit K1 is its own ancestor' '$T/cycle.txt'"
# a cycle through the stored tree too: TNU is below LC; LC under TNU would let TNU's key
# write for every unit of the province
printf 'id,parent,level,name\nLC,TNU,province,Tỉnh Lai Châu\n' >"$T/cycle2.csv"
rc=0; "$BIN/parctl" import units "$T/cycle2.csv" >"$T/cycle2.txt" 2>&1 || rc=$?
check "a cycle with the stored tree is refused (exit $rc)" test $rc -eq 1
check "and says so" grep -q "unit LC is its own ancestor (through its parent TNU)" "$T/cycle2.txt"

# the record survives restarts of both daemons
stop collector; stop broker
start broker; start collector; wait_up collector
"$BIN/parctl" status --json >"$T/st.json"
check "units kept across restarts" grep -q '"units": 33' "$T/st.json"
check "tasks kept across restarts" grep -q '"tasks": 32' "$T/st.json"
finish
