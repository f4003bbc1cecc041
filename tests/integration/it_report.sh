# Reports: seed 003's district as the scorer test builds it (the sample data of data/):
# the HTML report holds 78,12, 72,07, rank 4/8, the 8 areas by their Vietnamese names,
# every deduction's reason and an SVG chart, and parses; the Markdown has the tables;
# the CSV (with BOM) a row per area; the ranking names every district's move; parctl
# scores prints the same figures in Vietnamese notation.
. "$(dirname "$0")/lib.sh"
export PAR_NOW=2025-01-10T08:00:00+07:00
start_all; import_sample
check "sample pushes" "$BIN/par-agent" push "$ROOT/data/submissions/districts-self-2022-2023.csv" \
    "$ROOT/data/submissions/snv-appraisal-survey-2022-2023.csv"
# a dated task done late, one overdue: the report lists both
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Q1,task,PL23-PAR-6-TDG,done,15/01/2025,\n' >"$T/late.csv"
check "task report" "$BIN/par-agent" push "$T/late.csv"
sleep 0.3
R="$BIN/parctl report TDG --index PAR --year 2023"
$R --format html >"$T/r.html" || fail "html report"
$R --format md >"$T/r.md" || fail "markdown report"
$R --format csv >"$T/r.csv" || fail "csv report"
check "HTML parses" xmllint --noout "$T/r.html"
for want in "78,12" "72,07" "4/8" "<svg" "tăng 6,05 điểm, giảm 1 bậc" "Điểm thẩm định: 55,82" \
            "điểm điều tra xã hội học: 22,30" "Hoàn thành trễ hạn (2025-01-15)"; do
    check "HTML holds '$want'" grep -qF "$want" "$T/r.html"
done
for area in "Công tác chỉ đạo điều hành cải cách hành chính" "Cải cách thể chế" "Cải cách thủ tục hành chính" \
            "Cải cách tổ chức bộ máy hành chính" "Cải cách chế độ công vụ" "Cải cách tài chính công" \
            "Xây dựng và phát triển chính quyền điện tử, chính quyền số" "Tác động của cải cách hành chính"; do
    check "HTML names the area '$area'" grep -qF "$area" "$T/r.html"
done
for reason in "Báo cáo sơ kết Nghị quyết 08-NQ/TU gửi ngày 26/5/2023; hạn 25/5/2023" \
              "Báo cáo tự chủ không đúng hạn theo Công văn 2451/STC-TCHCSN" "Hạn chế về hình thức tuyên truyền" \
              "Lãnh đạo cấp phòng bị kỷ luật" "Hồ sơ quá hạn trên hệ thống" "Tỷ lệ 10/46" "Đơn vị tự chấm 1,02/1,5"; do
    check "HTML gives the reason '$reason'" grep -qF "$reason" "$T/r.html"
done
check "every area is a row of the Markdown table" test "$(grep -cE '^\| [1-8] \| ' "$T/r.md")" -eq 8
check "Markdown has the deductions" grep -q '^## Các tiêu chí bị trừ điểm' "$T/r.md"
check "Markdown lists the overdue task" grep -q "Quá hạn, chưa hoàn thành" "$T/r.md"
check "CSV starts with a BOM" test "$(head -c 3 "$T/r.csv" | od -An -tx1 | tr -d ' ')" = "efbbbf"
check "CSV: a row per area and the total" test "$(grep -cE '^([1-8]|Tổng),' "$T/r.csv")" -eq 9
"$BIN/parctl" report --ranking --index PAR --year 2023 --format md >"$T/rank.md" || fail "ranking report"
check "ranking: Tam Đường 4th, down one place" grep -qE '^\| 4 \| Huyện Tam Đường \| 72,07 \(hạng 3\) \| 78,12 \| \+6,05 \| giảm 1 bậc \|$' "$T/rank.md"
"$BIN/parctl" report --ranking --index PAR --year 2023 --format csv >"$T/rank.csv" || fail "ranking CSV"
check "every ranking CSV row has the header's 8 columns (a decimal comma quoted)" python3 -c "
import csv, sys
rows = list(csv.reader(open('$T/rank.csv', encoding='utf-8-sig', newline='')))
sys.exit(0 if len(rows) > 1 and all(len(r) == 8 for r in rows) else 1)"
"$BIN/parctl" report --ranking --index PAR --year 2023 --format html >"$T/rank.html" && xmllint --noout "$T/rank.html" ||
    fail "ranking HTML"
# the ranking at a terminal, as an official reads it: Vietnamese headers, units by name,
# decimal commas, the areas as LV columns named beneath
COLUMNS=100 "$BIN/parctl" scores --index PAR --year 2023 >"$T/scores.txt" || fail "parctl scores"
check "parctl scores: the peer group named in Vietnamese" grep -q '^Chỉ số PAR năm 2023, cấp huyện thuộc LC$' "$T/scores.txt"
check "... Vietnamese headers" grep -qE '^Hạng +Mã +Đơn vị +Tổng điểm +Năm +Thay đổi +LV 1 .* LV 8$' "$T/scores.txt"
check "... Tam Đường by name, 4th, 78,12 against 72,07 the year before, +6,05" \
    grep -qE '^4/8 +TDG +Huyện Tam Đường +78,12/100 +72,07 +\+6,05 +70,5 ' "$T/scores.txt"
check "... no decimal point anywhere" sh -c "! grep -qE '[0-9]\.[0-9]' '$T/scores.txt'"
check "... the areas named beneath" grep -q 'LV 8: Tác động của cải cách hành chính\.$' "$T/scores.txt"
check "... no line wider than the terminal" python3 -c "
import sys
sys.exit(max(len(l.rstrip('\\n')) for l in open('$T/scores.txt', encoding='utf-8')) > 100)"
rc=0; "$BIN/parctl" report NOPE --index PAR --year 2023 >/dev/null 2>"$T/nope.txt" || rc=$?
check "a unit without a result is an error" test $rc -ne 0
check "and says so" grep -q "no PAR 2023 result for unit NOPE" "$T/nope.txt"
finish
