# The collector's store after an upgrade from 0.3.1, which kept each submission line whole
# (schema 1) where 0.3.2 keeps the number of its change: read as it is and marked 2,
# nothing lost. The same export with the same receipts; a line sent again keeps its first
# receipt; a changed line names the change it replaces, so its history holds both; lines
# kept whole and new ones sit side by side.
. "$(dirname "$0")/lib.sh"
OLDBOX=${PAR_OLDBOX:?the old-store writer (make builds it)}
F=$ROOT/data/submissions/tamduong-2023.csv
lines=$(($(wc -l <"$F") - 1))
start broker; start collector; wait_up collector
import_sample
check "a district's $lines lines are stored" "$BIN/par-agent" push "$F"
"$BIN/parctl" export submissions >"$T/before.csv" || fail "export before the upgrade"
stop collector
check "the store put back as 0.3.1 kept it" "$OLDBOX" record "$T/var/collector" >"$T/oldbox.txt" 2>"$T/oldbox.log"
check "every line of it" grep -qx "$lines lines stored whole, schema 1" "$T/oldbox.txt"

start collector
# up: the new process's start logged (status could still show the old one's last beat)
for _ in $(seq 1 100); do [ "$(grep -c 'event=started' "$T/collector.log")" -ge 2 ] && break; sleep 0.1; done
wait_up collector
check "0.3.2 opens it and marks it schema 2" grep -qF "event=store_upgraded store=$T/var/collector from=1 to=2" "$T/collector.log"
"$BIN/parctl" export submissions >"$T/after.csv" || fail "export after the upgrade"
check "the same lines with the same receipts" cmp "$T/before.csv" "$T/after.csv"
"$BIN/par-agent" push "$F" 2>"$T/again.txt"
check "sent again: every line already there" grep -q "$lines stored ($lines already there), 0 refused" "$T/again.txt"
# receipts.csv: received,seq,file,line,...: each line's second receipt is its first
check "each with its first receipt (time received and number)" awk -F, -v f="$F" -v n="$lines" '
    $3 == f { if ($4 in seq) { twice++; bad += seq[$4] != $2 || at[$4] != $1 } else { seq[$4] = $2; at[$4] = $1 } }
    END { exit !(twice == n && !bad) }' "$T/var/agent/receipts.csv"
# a changed value of 1.2.2 (a line kept whole) and a new line beside it
printf 'unit,year,period,kind,key,value,date,note\nTDG,2023,Y,score,1.2.2,0.75,31/12/2023,sửa lại\nTDG,2023,Y,metric,after_upgrade,7,,\n' >"$T/change.csv"
check "a changed line and a new one are stored" "$BIN/par-agent" push "$T/change.csv"
"$BIN/parctl" history TDG --index PAR --year 2023 --criterion 1.2.2 --json >"$T/hist.json" || fail "history"
check "1.2.2's history: the value kept whole, then the new one" awk '
    /"value": "1"/ && !old { old = NR } /"value": "0.75"/ && !new { new = NR } END { exit !(old && new > old) }' "$T/hist.json"
"$BIN/parctl" export submissions --unit TDG >"$T/tdg.csv" || fail "export TDG"
check "export: the new value" grep -q "^TDG,2023,Y,score,PAR:1.2.2,0.75,2023-12-31,sửa lại$" "$T/tdg.csv"
check "export: the new line" grep -q "^TDG,2023,Y,metric,after_upgrade,7," "$T/tdg.csv"
kept() { grep '^TDG,2023,Y,score,' "$1" | grep -v ',PAR:1.2.2,'; }
check "export: the lines kept whole, as they were" diff <(kept "$T/before.csv") <(kept "$T/tdg.csv")
finish
