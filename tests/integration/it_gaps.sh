# PAPI, PCI and SIPAS as published (issue 19, item 5), on seed 002's own figures (Đồng Nai,
# plan 336/KH-UBND: 2023's results against the targets for 2025; data/seed002/): official
# aggregates stand for their parts (PAPI 39,92, not the 39,91 its sub-dimensions add up to),
# national places and place targets, `parctl gaps` per sub-index with the tasks linked to
# each, the same in the report; what is refused says why.
. "$(dirname "$0")/lib.sh"
export PAR_NOW=2024-11-01T08:00:00+07:00
D="$ROOT/data/seed002"
start_all
check "seed 002's units" "$BIN/parctl" import units "$D/units.csv"
check "PAPI, PCI and SIPAS frameworks of 2023" "$BIN/parctl" import framework "$D/framework-survey-2023.csv"
check "the plan's tasks" "$BIN/parctl" import tasks "$D/tasks.csv"
check "2023 as published, and the targets for 2025" "$BIN/par-agent" push "$D/survey-2023.csv" "$D/targets-2025.csv"
for _ in $(seq 1 50); do
    "$BIN/parctl" scores --index PCI --year 2023 --json 2>/dev/null | grep -q '"total": 66.28' && break; sleep 0.1
done

"$BIN/parctl" scores --index PAPI --year 2023 --json >"$T/papi.json"
check "PAPI 2023: 39,92 as published, out of 80" python3 -c "
import json,sys; d=json.load(open('$T/papi.json'))[0]
assert abs(d['total']-39.92)<1e-9 and d['max']==80, d['total']
assert [round(c['score'],2) for c in d['components']]==[4.34,4.59,4.14,6.48,7.03,7.0,2.99,3.35]"
"$BIN/parctl" scores --index SIPAS --year 2023 --json >"$T/sipas.json"
check "SIPAS 2023: 80,74 %, a percent index" python3 -c "
import json; d=json.load(open('$T/sipas.json'))[0]; assert abs(d['total']-80.74)<1e-9 and d['max']==100, d"

COLUMNS=160 "$BIN/parctl" gaps --index PAPI --year 2023 >"$T/papi.txt" || fail "parctl gaps PAPI"
cat "$T/papi.txt" | head -12
for want in "Chỉ số PAPI năm 2023 — Tỉnh Đồng Nai (DNI)" "Tổng: 39,92/80 (kết quả công bố)" \
            "Chỉ tiêu đến năm 2025: 55,15 điểm (còn thiếu 15,23)" "Chỉ số thành phần chưa đạt chỉ tiêu: 35" \
            "Nhiệm vụ gắn với từng chỉ số thành phần:" \
            "4.3 Công bằng trong tuyển dụng vào nhà nước — còn thiếu 0,67 so với chỉ tiêu:" \
            "- KH336-PL1-PAPI-4.3 — chủ trì: Sở Nội vụ — thời hạn: Theo Kế hoạch tuyển dụng"; do
    check "parctl gaps shows '$want'" grep -qF -- "$want" "$T/papi.txt"
done
check "4.4 (1,92 against 1,20) is on track" grep -qE '^4\.4 +Quyết tâm chống tham nhũng +1,92/2,5 +— +1,20 +đạt ' "$T/papi.txt"
check "7.3, water quality: 0,39 of 3,33 against 1,50" grep -qE '^7\.3 +Chất lượng nước +0,39/3,33 +— +1,50 +1,11 ' "$T/papi.txt"
"$BIN/parctl" gaps --index PAPI --year 2023 --json >"$T/gaps.json" || fail "parctl gaps --json"
check "--json: the total's gap, its target year, and the tasks of 1.1" python3 -c "
import json; g=json.load(open('$T/gaps.json'))[0]; rows={r['id']:r for r in g['rows']}
assert abs(rows['total']['gap']-15.23)<1e-9 and rows['total']['target_year']==2025
assert [t['id'] for t in rows['1.1']['tasks']]==['KH336-PL1-PAPI-1.1'], rows['1.1']['tasks']
assert rows['4.4']['on_track'] and not rows['4']['on_track'] and rows['4']['official']"

COLUMNS=160 "$BIN/parctl" gaps --index SIPAS --year 2023 >"$T/sipas.txt" || fail "parctl gaps SIPAS"
for want in "Tổng: 80,74 % (kết quả công bố), xếp thứ 44/63" "Chỉ tiêu đến năm 2025: 89,50 % (còn thiếu 8,76); xếp thứ 20–30/63"; do
    check "SIPAS: '$want'" grep -qF -- "$want" "$T/sipas.txt"
done
check "SIPAS area 1 at 45/63 against 20–30/63" grep -qE '^1 +Mức độ hài lòng .* 80,23 % +45/63 +83,25 +3,02 +20–30/63' "$T/sipas.txt"
COLUMNS=160 "$BIN/parctl" gaps --index PCI --year 2023 >"$T/pci.txt" || fail "parctl gaps PCI"
check "PCI: 66,28 against 72,15, the top 20" grep -qF "Chỉ tiêu đến năm 2025: 72,15 điểm (còn thiếu 5,87); xếp thứ 1–20/63" "$T/pci.txt"

"$BIN/parctl" report DNI --index PAPI --year 2023 >"$T/r.md" || fail "report"
for want in "Năm 2023, Chỉ số PAPI của Tỉnh Đồng Nai đạt 39,92 điểm" "### 4. Kết quả so với chỉ tiêu đến năm 2025" \
            "chỉ tiêu đến năm 2025 là 55,15 điểm, còn thiếu 15,23" "| 7.3 | Chất lượng nước | 0,39/3,33 | – | 1,50 | 1,11 | – |" \
            "**4.3 Công bằng trong tuyển dụng vào nhà nước (còn thiếu 0,67):**"; do
    check "the report holds '$want'" grep -qF -- "$want" "$T/r.md"
done
"$BIN/parctl" report DNI --index SIPAS --year 2023 >"$T/s.md" || fail "SIPAS report"
check "the SIPAS report gives the national place" grep -qF "đạt 80,74 %, xếp thứ 44/63 tỉnh, thành phố cả nước" "$T/s.md"
check "... each area's too, not 1/1" grep -qF "Năm 2023 đạt 80,23/100,00 điểm (bằng 80,23%); xếp thứ 45/63." "$T/s.md"
check "... and its elements as figures, not as points deducted" sh -c "grep -qF '**Tiêu chí 2.5. Mức độ hài lòng của người dân đối với việc cơ quan tiếp nhận, xử lý phản ánh, kiến nghị:** 79,54 %' '$T/s.md' && ! grep -q 'bị trừ' '$T/s.md'"

# refused, and why (the Vietnamese of these reasons: test_scorer)
printf 'unit,year,period,kind,key,value,date,note\nDNI,2023,Y,rank,SIPAS:total,64/63,,\nDNI,2023,Y,survey,PAPI:total,81,,\n' >"$T/bad.csv"
"$BIN/par-agent" push "$T/bad.csv" >"$T/bad.txt" 2>&1 && fail "bad lines accepted"
check "a place beyond its count is refused, and why" grep -qF "rank '64/63' is not a place out of a number, like 44/63" "$T/bad.txt"
check "a total above the index's maximum (80) is refused" grep -qF "value 81 is above the maximum 80 of PAPI:total" "$T/bad.txt"
finish
