# The dated unit tree (issue 19, item 1): the sample province reorganised from 01/07/2025
# as Lai Châu was (the district level dissolved, communes merged, communes moved under the
# province) leaves the 2022-2024 results byte for byte as they were, live and rebuilt;
# 2025 ranks the new tree; a merged commune's year before is its predecessors' by the
# [scorer] merged_prev rule; a dissolved district's key and web account work until its
# valid_to and are refused after it, in Vietnamese for people; a reorganisation file that
# would leave the tree broken is refused line by line.
export PAR_NOW=2025-06-30T08:00:00+07:00
. "$(dirname "$0")/lib.sh"
K=$T/keys
mkdir -p "$K"
( cd "$K" && "$BIN/parctl" keys init >/dev/null && "$BIN/parctl" keys add --admin ops >/dev/null &&
  "$BIN/parctl" keys add TDG >/dev/null ) || fail "keys"
printf '[broker]\ncurve = on\n' >>"$PAR_CONF"
WPORT=$((PORT + 1))
printf '[web]\nlisten = 127.0.0.1:%d\n' "$WPORT" >>"$PAR_CONF"
conf_for() { # conf_for NAME: a client config with NAME's key
    sed "s#^\[general\]\$#[general]\nkey_file = $K/$1.key\nserver_key = $T/var/keys/server.pub#" "$PAR_CONF" >"$T/$1.conf"
}
conf_for ops; conf_for TDG
start broker; start collector; start scorer; start notifier; start web
export PAR_CONF_BROKER=$PAR_CONF PAR_CONF=$T/ops.conf
for _ in $(seq 1 50); do "$BIN/parctl" status >/dev/null 2>&1 && break; sleep 0.1; done
import_sample
check "the sample's units re-imported: nothing changes (undated units as before)" \
    sh -c "'$BIN/parctl' import units '$ROOT/data/units.csv' | grep -q ' 0 changed'"

# a commune framework and commune self-scores, 2023 to 2025 (the sample has districts only)
{ echo "index,year,level,id,name,max,method,formula"
  for y in 2023 2024 2025; do
      echo "PAR,$y,commune,1,Công tác chỉ đạo điều hành,50,,"
      echo "PAR,$y,commune,1.1,Thực hiện kế hoạch CCHC,50,self,"
      echo "PAR,$y,commune,2,Tác động của CCHC,50,,"
      echo "PAR,$y,commune,2.1,Sự hài lòng của người dân,50,self,"
  done; } >"$T/fw-commune.csv"
check "commune framework" "$BIN/parctl" import framework "$T/fw-commune.csv"
{ echo "unit,year,period,kind,key,value,date,note"
  # unit 2023(1.1 2.1) 2024(1.1 2.1): Bản Giang first of Tam Đường's communes in 2023
  for r in "TDG-TT 30 35 40 40" "TDG-BGI 45 44 41 42" "TDG-BBO 30 30 30 30" "TDG-SBI 33 31 35 36" \
           "TDG-KHA 29 28 27 26" "TDG-NTA 38 37 36 39" "TUY-TT 40 41 42 43" "TUY-MKI 35 36 37 38" \
           "TPLC-DKE 44 43 42 41" "TPLC-TPH 39 40 41 40"; do
      set -- $r
      echo "$1,2023,Y,score,1.1,$2,,"; echo "$1,2023,Y,score,2.1,$3,,"
      echo "$1,2024,Y,score,1.1,$4,,"; echo "$1,2024,Y,score,2.1,$5,,"
  done; } >"$T/communes-2023-2024.csv"
check "sample and commune pushes" "$BIN/par-agent" push "$ROOT/data/submissions/districts-self-2022-2023.csv" \
    "$ROOT/data/submissions/snv-appraisal-survey-2022-2023.csv" "$T/communes-2023-2024.csv"
wait_total TDG 78.1190
scores_of() { # scores_of FILE: the rankings that must not move, in full JSON
    { "$BIN/parctl" scores --index PAR --year 2022 --json && "$BIN/parctl" scores --index PAR --year 2023 --json &&
      "$BIN/parctl" scores --index PAR --year 2024 --json &&
      "$BIN/parctl" scores --index PAR --year 2023 --level commune --parent TDG --json; } >"$1" 2>&1
}
for _ in $(seq 1 50); do scores_of "$T/before.json"; grep -q '"unit": "TPLC-TPH"' "$T/before.json" && break; sleep 0.1; done
check "2023: Bản Giang 1st of Tam Đường's 6 communes" python3 - "$T/before.json" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
docs, dec, i = [], json.JSONDecoder(), 0
while i < len(text):
    while i < len(text) and text[i].isspace(): i += 1
    if i >= len(text): break
    v, i = dec.raw_decode(text, i); docs.append(v)
bgi = [r for r in docs[3] if r["unit"] == "TDG-BGI"][0]
assert (bgi["rank"], bgi["of"]) == (1, 6), bgi
assert [r["unit"] for r in docs[1] if r["level"] == "district"][3] == "TDG"
PY

# the reorganisation, imported the day before it takes effect (01/07/2025); a file that
# would break the tree is refused whole, each line with its reason: first what a line
# says on its own, then what it does to the tree
cat >"$T/reorg-bad.csv" <<'CSV'
id,parent,level,name,email,valid_from,valid_to,successor
TDG-BBO,TDG,commune,Xã Bản Bo,xa.banbo@laichau.gov.vn,,,LC-TDU
LC-TDU,LC,commune,Xã Tam Đường,xa.tamduong@laichau.gov.vn,01/07/2025,2025-01-01,
TDG-SBI,LC,commune,Xã Sơn Bình,xa.sonbinh@laichau.gov.vn,01/07/2025,,
TDG-SBI,TDG,commune,Xã Sơn Bình,xa.sonbinh@laichau.gov.vn,,01/07/2025,
LC-X,LC,commune,Xã X,,31/02/2025,,
CSV
cat >"$T/reorg-tree.csv" <<'CSV'
id,parent,level,name,email,valid_from,valid_to,successor
TDG,LC,district,Huyện Tam Đường,ubnd.tamduong@laichau.gov.vn,,30/06/2025,
TDG-TT,TDG,commune,Thị trấn Tam Đường,tt.tamduong@laichau.gov.vn,,30/06/2025,LC-TDX
TDG-BGI,TDG,commune,Xã Bản Giang,xa.bangiang@laichau.gov.vn,01/07/2025,,
CSV
for f in bad tree; do
    rc=0; "$BIN/parctl" import units "$T/reorg-$f.csv" >"$T/$f.txt" 2>&1 || rc=$?
    check "a broken reorganisation ($f) is refused whole" test $rc -eq 1
done
for want in "bad.txt:line 2: unit TDG-BBO names successor LC-TDU without valid_to" \
            "bad.txt:line 3: unit LC-TDU: valid_from 01/07/2025 is after valid_to 2025-01-01" \
            "bad.txt:line 4: unit TDG-SBI: its period from 01/07/2025 overlaps line 5's (until 01/07/2025)" \
            "bad.txt:line 6: valid_from '31/02/2025' is not a date" \
            "tree.txt:line 3: successor LC-TDX of unit TDG-TT is not a known unit" \
            "tree.txt:line 4: parent TDG of unit TDG-BGI is not valid all through its period from 01/07/2025 (the parent: until 30/06/2025)" \
            "tree.txt:line 2: unit TDG-PNV (stored, not in this file) stays under TDG at every date, but TDG is valid only until 30/06/2025"; do
    check "refused: $want" grep -qF -- "${want#*:}" "$T/${want%%:*}"
done
scores_of "$T/after-bad.json"
check "a refused file changes nothing" cmp -s "$T/before.json" "$T/after-bad.json"

"$BIN/parctl" import units "$ROOT/data/units-2025.csv" >"$T/reorg.txt" 2>&1 ||
    fail "the 2025 reorganisation (data/units-2025.csv): $(cat "$T/reorg.txt")"
check "imported again, it changes nothing" sh -c "'$BIN/parctl' import units '$ROOT/data/units-2025.csv' | grep -q ' 0 changed'"
check "... and warns of nothing" sh -c "! grep -q warning '$T/reorg.txt'"
{ echo "unit,year,period,kind,key,value,date,note"
  for r in "LC-TDU 45 45" "LC-TUY 40 40" "TDG-BGI 44 45" "TDG-SBI 30 30" "TDG-KHA 35 35" "TDG-NTA 20 20" \
           "TPLC-DKE 41 41" "TPLC-TPH 42 42"; do
      set -- $r; echo "$1,2025,Y,score,1.1,$2,,"; echo "$1,2025,Y,score,2.1,$3,,"
  done; } >"$T/communes-2025.csv"
check "2025 commune pushes" "$BIN/par-agent" push "$T/communes-2025.csv"
for _ in $(seq 1 50); do
    "$BIN/parctl" scores --index PAR --year 2025 --level commune --json >"$T/2025.json" 2>&1
    grep -q '"unit": "TPLC-TPH"' "$T/2025.json" && break; sleep 0.1
done
scores_of "$T/after.json"
check "2022-2024 results byte for byte unchanged by the reorganisation" cmp "$T/before.json" "$T/after.json"
cat >"$T/check2025.py" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
assert sorted(r["unit"] for r in rows) == sorted(["LC-TDU", "LC-TUY", "TDG-BGI", "TDG-SBI", "TDG-KHA", "TDG-NTA",
                                                  "TPLC-DKE", "TPLC-TPH"]), rows
assert all(r["parent"] == "LC" and r["of"] == 8 for r in rows), rows
tdu = [r for r in rows if r["unit"] == "LC-TDU"][0]
assert tdu["rank"] == 1 and tdu["total"] == 90, tdu
# its predecessors in 2024: TDG-TT 80, TDG-BBO 60
want = {"mean": 70, "sum": 140}.get(sys.argv[2])
if want is None:
    assert "prev_total" not in tdu, tdu
else:
    assert abs(tdu["prev_total"] - want) < 1e-9 and tdu["prev_units"] == ["TDG-BBO", "TDG-TT"], tdu
    assert tdu["prev_rule"] == sys.argv[2] and "prev_rank" not in tdu, tdu
    assert abs(tdu["components"][0]["prev_score"] - want / 2) < 1e-9, tdu
# a commune that only moved compares with its own 2024, rank included
bgi = [r for r in rows if r["unit"] == "TDG-BGI"][0]
assert bgi["prev_total"] == 83 and (bgi["prev_rank"], bgi["prev_of"]) == (1, 6), bgi
PY
check "2025 ranks the new tree: 8 communes under the province, merged Tam Đường first at 90, 70 the year before (mean)" \
    python3 "$T/check2025.py" "$T/2025.json" mean
"$BIN/parctl" report LC-TDU --index PAR --year 2025 --format md >"$T/tdu.md" 2>&1
check "its report compares with its predecessors' mean, without a rank of last year" \
    grep -q "tăng 20,00 điểm so với điểm bình quân của các đơn vị hợp nhất (TDG-BBO, TDG-TT) năm 2024" "$T/tdu.md"
"$BIN/parctl" report TDG-BGI --index PAR --year 2023 --format md >"$T/bgi.md" 2>&1
check "Bản Giang's 2023 report still ranks it among Tam Đường's communes ($(grep -m1 'Năm 2023' "$T/bgi.md"))" \
    grep -q "Năm 2023, Chỉ số PAR của xã Bản Giang đạt 89,00 điểm, xếp thứ 1/6 xã" "$T/bgi.md"
check "no 2025 district ranking: the districts ended on 30/06/2025" \
    sh -c "'$BIN/parctl' scores --index PAR --year 2025 --level district --json | grep -q '^\[\]'"

# Tam Đường's key, and its web account, work until 30/06/2025
printf 'unit,year,period,kind,key,value,date,note\nTDG,2025,Q2,metric,so_tthc_truc_tuyen,12,,\n' >"$T/tdg-q2.csv"
check "on 30/06/2025 Tam Đường's key still pushes" env PAR_CONF="$T/TDG.conf" "$BIN/par-agent" push "$T/tdg-q2.csv"
echo 'mat-khau-tam-duong' | "$BIN/parctl" users add tamduong --role unit --unit TDG --password-stdin >/dev/null ||
    fail "unit account"
U="http://127.0.0.1:$WPORT"
login() { # login JAR USER PASSWORD: the session's cookie in JAR; prints the HTTP status
    curl -s -c "$1" -b "$1" "$U/login" >"$T/form.html"
    local tok
    tok=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/form.html" | head -1)
    curl -s -o "$T/login-answer.html" -w '%{http_code}' -c "$1" -b "$1" --data-urlencode "user=$2" \
        --data-urlencode "password=$3" --data-urlencode "csrf=$tok" "$U/login"
}
for _ in $(seq 1 50); do curl -s -o /dev/null "$U/login" && break; sleep 0.1; done
check "on 30/06/2025 its official logs in" test "$(login "$T/a.jar" tamduong mat-khau-tam-duong)" = 303

# from 01/07/2025 they stop; the province's keys go on; a scorer rebuilt from the change log agrees
for d in web scorer collector; do stop $d; done
rm -rf "$T/var/scorer"
export PAR_NOW=2025-07-02T08:00:00+07:00
PAR_CONF=$PAR_CONF_BROKER; start collector; start scorer; start web; PAR_CONF=$T/ops.conf
wait_up collector; wait_up scorer
rc=0; PAR_CONF=$T/TDG.conf "$BIN/par-agent" push "$T/tdg-q2.csv" >"$T/ended.txt" 2>&1 || rc=$?
check "on 02/07/2025 Tam Đường's key is refused" test $rc -ne 0
check "... saying why ($(cat "$T/ended.txt"))" \
    grep -q "unit TDG ended on 30/06/2025 (valid_to): its keys and accounts stopped then" "$T/ended.txt"
rc=0; PAR_CONF=$T/TDG.conf "$BIN/parctl" scores --index PAR --year 2023 --json >"$T/ended2.txt" 2>&1 || rc=$?
check "... by the scorer too" sh -c "test $rc -ne 0 && grep -q 'unit TDG ended on 30/06/2025' '$T/ended2.txt'"
rc=0; PAR_CONF=$T/TDG.conf "$BIN/parctl" export submissions --unit TDG >"$T/ended3.txt" 2>&1 || rc=$?
check "... and by the collector's queries" sh -c "test $rc -ne 0 && grep -q 'unit TDG ended on 30/06/2025' '$T/ended3.txt'"
check "the collector logs it in English" grep -q 'event=refused sender=unit:TDG reason="unit TDG ended on 30/06/2025' "$T/collector.log"
for _ in $(seq 1 50); do curl -s -o /dev/null "$U/login" && break; sleep 0.1; done
check "its official's login is refused" test "$(login "$T/b.jar" tamduong mat-khau-tam-duong)" = 403
check "... in Vietnamese, naming the day" grep -q "Đơn vị TDG đã kết thúc hoạt động từ sau ngày 30/06/2025" "$T/login-answer.html"
for _ in $(seq 1 50); do scores_of "$T/rebuilt.json"; grep -q '"unit": "TPLC-TPH"' "$T/rebuilt.json" && break; sleep 0.1; done
check "a scorer rebuilt from the change log gives 2022-2024 as before" cmp -s "$T/before.json" "$T/rebuilt.json"
"$BIN/parctl" scores --index PAR --year 2025 --level commune --json >"$T/2025-rebuilt.json"
check "... and 2025 as the live one did" cmp -s "$T/2025.json" "$T/2025-rebuilt.json"

# the province's choice: a merged commune's year before as the sum of its predecessors', or none
stop scorer
PAR_CONF=$PAR_CONF_BROKER
printf '[scorer]\nmerged_prev = sum\n' >>"$PAR_CONF"
start scorer; PAR_CONF=$T/ops.conf; wait_up scorer
sleep 0.5
"$BIN/parctl" scores --index PAR --year 2025 --level commune --json >"$T/2025-sum.json"
check "merged_prev = sum: 140 the year before" python3 "$T/check2025.py" "$T/2025-sum.json" sum
finish
