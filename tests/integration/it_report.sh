# Reports as the province writes them (issue 18): seed 003's district, Tam Đường, from the
# sample province: the report's every figure, rank, tie and deduction against a table typed
# from 003 (seed003.py); the layout (motto, number, date, the decision it rests on, the
# sections, tasks per responsible office, recipients); Word and Excel files that LibreOffice
# opens and prints; a PDF with its fonts embedded; CSV for Vietnamese Excel; the ranking.
. "$(dirname "$0")/lib.sh"
export PAR_NOW=2025-01-10T08:00:00+07:00
OUT="$ROOT/build/test-output/report"
rm -rf "$OUT"; mkdir -p "$OUT"
start_all; import_sample
check "sample pushes" "$BIN/par-agent" push "$ROOT/data/submissions/districts-self-2022-2023.csv" \
    "$ROOT/data/submissions/snv-appraisal-survey-2022-2023.csv"
check "the 2023 district season published by 684/QĐ-UBND of 15/5/2024" \
    "$BIN/parctl" season PAR 2023 --level district --to published --decision 684/QĐ-UBND --date 15/05/2024
# a dated task done late, one overdue: the report lists both
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Q1,task,PL23-PAR-6-TDG,done,15/01/2025,\n' >"$T/late.csv"
check "task report" "$BIN/par-agent" push "$T/late.csv"
wait_total TDG 78.1190
R="$BIN/parctl report TDG --index PAR --year 2023 --number 167/BC-UBND --date 05/07/2024"
$R --format md >"$T/r.md" || fail "markdown report"
cp "$T/r.md" "$OUT/tam-duong-2023.md"
check "every figure, rank, tie and deduction 003 states" python3 "$(dirname "$0")/seed003.py" "$T/r.md"
python3 "$(dirname "$0")/seed003.py" "$T/r.md" | head -20
for want in "| UBND HUYỆN TAM ĐƯỜNG | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |" "| Số: 167/BC-UBND | Độc lập - Tự do - Hạnh phúc |" \
            "Tam Đường, ngày 05 tháng 7 năm 2024" "# BÁO CÁO" \
            "nâng cao Chỉ số PAR INDEX năm 2024 của UBND huyện Tam Đường" \
            "do UBND tỉnh công bố tại Quyết định số 684/QĐ-UBND ngày 15/05/2024" \
            "xếp thứ 4/8 huyện, thành phố, sau huyện Than Uyên, huyện Tân Uyên, thành phố Lai Châu" \
            "## I. PHÂN TÍCH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH (PAR INDEX) NĂM 2023" \
            "được đánh giá qua 03 tiêu chí (4 tiêu chí thành phần)" "3.2. Nguyên nhân các chỉ số giảm điểm" \
            "## II. NHIỆM VỤ VÀ GIẢI PHÁP NÂNG CAO CHỈ SỐ PAR NĂM 2024" "### 5. Phòng Nội vụ huyện Tam Đường" \
            "(tiêu chí 5.5.2, năm 2023 bị trừ 2,00 điểm)" "Các tiêu chí bị trừ điểm chưa có nhiệm vụ khắc phục" \
            "đơn vị theo dõi: Sở Kế hoạch và Đầu tư" "| Nơi nhận: | TM. ỦY BAN NHÂN DÂN |" "| - Lưu: VT. |  |" \
            "Hoàn thành trễ hạn (2025-01-15)" "Quá hạn, chưa hoàn thành"; do
    check "the report holds '$want'" grep -qF -- "$want" "$T/r.md"
done
check "headings in Vietnamese only" sh -c "! grep -qiE 'district|commune|Cấp district' '$T/r.md'"
check "only the tasks of the report's index" sh -c "! grep -q 'PAPI\|SIPAS' '$T/r.md'"
check "every year held: 2022 and 2023 in the table of years" sh -c "grep -q '^| 2022 | 48,04 | 24,03 | 72,07 | 3/8 |$' '$T/r.md' && grep -q '^| 2023 | 55,81 | 22,30 | 78,12 | 4/8 |$' '$T/r.md'"

$R --format html >"$T/r.html" || fail "html report"
check "HTML parses" xmllint --noout "$T/r.html"
check "HTML has the chart" grep -q "<svg" "$T/r.html"

# Word and Excel: LibreOffice opens them and prints them to PDF
$R --format docx >"$OUT/tam-duong-2023.docx" || fail "docx report"
$R --format xlsx >"$OUT/tam-duong-2023.xlsx" || fail "xlsx report"
check ".docx is a Word package" sh -c "unzip -l '$OUT/tam-duong-2023.docx' | grep -q 'word/document.xml'"
export HOME="$T/home"  # LibreOffice's and Chromium's profiles, not the user's
for f in docx xlsx; do
    mkdir -p "$T/lo-$f"
    timeout 120 soffice --headless --convert-to pdf --outdir "$T/lo-$f" "$OUT/tam-duong-2023.$f" >"$T/lo-$f.txt" 2>&1
    check "LibreOffice opens the .$f and converts it to PDF" test -s "$T/lo-$f/tam-duong-2023.pdf"
    cp "$T/lo-$f/tam-duong-2023.pdf" "$OUT/tam-duong-2023-from-$f.pdf" 2>/dev/null
    pdftoppm -r 70 -png -f 1 -l 1 "$T/lo-$f/tam-duong-2023.pdf" "$OUT/page1-$f" 2>/dev/null
done
check "the Word file's text, printed, holds 78,12 and 003's reasons" sh -c "pdftotext '$OUT/tam-duong-2023-from-docx.pdf' - | tr '\n' ' ' | grep -q 'xếp thứ 4/8 huyện, thành phố' && pdftotext '$OUT/tam-duong-2023-from-docx.pdf' - | grep -q '35/38 chỉ tiêu'"
check "the Excel file's numbers are numbers" python3 -c "
import zipfile, sys
z = zipfile.ZipFile('$OUT/tam-duong-2023.xlsx')
sheet = z.read('xl/worksheets/sheet1.xml').decode()
sys.exit(0 if '<v>78.11907' in sheet and '<v>55.81477' in sheet else 1)"

# the PDF, through Chromium: Vietnamese fonts embedded
$R --format pdf >"$OUT/tam-duong-2023.pdf" 2>"$T/pdf.txt" || fail "pdf report: $(cat "$T/pdf.txt")"
check "the PDF is one" sh -c "head -c 4 '$OUT/tam-duong-2023.pdf' | grep -q '%PDF'"
pdffonts "$OUT/tam-duong-2023.pdf" >"$T/fonts.txt" 2>&1
check "... its fonts embedded (pdffonts: emb yes)" sh -c "awk 'NR > 2 { n++; if (\$(NF-4) != \"yes\") bad = 1 } END { exit (n > 0 && !bad) ? 0 : 1 }' '$T/fonts.txt'"
check "... its text in Vietnamese as written" sh -c "pdftotext '$OUT/tam-duong-2023.pdf' - | grep -q 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'"
pdftoppm -r 70 -png -f 1 -l 1 "$OUT/tam-duong-2023.pdf" "$OUT/page1-pdf" 2>/dev/null
check "a .docx to the terminal is refused" sh -c "script -qc '$R --format docx' /dev/null | grep -q 'not for the terminal'"

# CSV: for machines (',' and '.') and for Vietnamese Excel (';' and the decimal comma)
$R --format csv >"$T/r.csv" || fail "csv report"
check "CSV starts with a BOM" test "$(head -c 3 "$T/r.csv" | od -An -tx1 | tr -d ' ')" = "efbbbf"
check "CSV: a row per area and the total" test "$(grep -cE '^([1-8]|Tổng),' "$T/r.csv")" -eq 9
$R --format csv --csv-locale vi >"$T/r-vi.csv" || fail "csv report, vi"
check "CSV for Vietnamese Excel: ';' and decimal commas" grep -q '^1;Công tác chỉ đạo điều hành cải cách hành chính;9,5200;13,5000;70,52;8,1700;60,52;10,00;4;8' "$T/r-vi.csv"
check "... the total row's points in the points column" grep -q '^Tổng;Tổng điểm;78,1191;100,0000;78,12;72,0700;;6,0491;4;8' "$T/r-vi.csv"
check "... every row the header's columns" python3 -c "
import csv, sys
rows = list(csv.reader(open('$T/r-vi.csv', encoding='utf-8-sig', newline=''), delimiter=';'))
sys.exit(0 if len(rows) == 10 and all(len(r) == 10 for r in rows) else 1)"

# the ranking
"$BIN/parctl" report --ranking --index PAR --year 2023 --format md >"$T/rank.md" || fail "ranking report"
check "ranking: Tam Đường 4th, down one place" grep -qE '^\| 4 \| Huyện Tam Đường \| 72,07 \(hạng 3\) \| 78,12 \| \+6,05 \| giảm 1 bậc \|$' "$T/rank.md"
check "ranking headings in Vietnamese" grep -q '^## Cấp huyện thuộc LC$' "$T/rank.md"
"$BIN/parctl" report --ranking --index PAR --year 2023 --format csv >"$T/rank.csv" || fail "ranking CSV"
check "every ranking CSV row has the header's 8 columns (a decimal comma quoted)" python3 -c "
import csv, sys
rows = list(csv.reader(open('$T/rank.csv', encoding='utf-8-sig', newline='')))
sys.exit(0 if len(rows) > 1 and all(len(r) == 8 for r in rows) else 1)"
"$BIN/parctl" report --ranking --index PAR --year 2023 --format html >"$T/rank.html" && xmllint --noout "$T/rank.html" ||
    fail "ranking HTML"
"$BIN/parctl" report --ranking --index PAR --year 2023 --format xlsx >"$T/rank.xlsx" || fail "ranking xlsx"
check "the ranking as a workbook" sh -c "unzip -l '$T/rank.xlsx' | grep -q 'xl/worksheets/sheet1.xml'"
# the ranking at a terminal, as an official reads it: Vietnamese headers, units by name,
# decimal commas, the areas as LV columns named beneath
COLUMNS=100 "$BIN/parctl" scores --index PAR --year 2023 >"$T/scores.txt" || fail "parctl scores"
check "parctl scores: the peer group named in Vietnamese" grep -q '^Chỉ số PAR năm 2023, cấp huyện thuộc LC$' "$T/scores.txt"
check "... Vietnamese headers" grep -qE '^Hạng +Mã +Đơn vị +Tổng điểm +Năm( trước)? +Thay đổi +LV 1 .* LV 8$' "$T/scores.txt"
check "... Tam Đường by name, 4th, 78,12 against 72,07 the year before, +6,05" \
    grep -qE '^4/8 +TDG +Huyện Tam Đường +78,12/100 +72,07 +\+6,05 +70,5 ' "$T/scores.txt"
check "... no decimal point anywhere" sh -c "! grep -qE '[0-9]\.[0-9]' '$T/scores.txt'"
check "... the areas named beneath" grep -q 'LV 8: Tác động của cải cách hành chính' "$T/scores.txt"
check "... no line wider than the terminal" python3 -c "
import sys
sys.exit(max(len(l.rstrip('\\n')) for l in open('$T/scores.txt', encoding='utf-8')) > 100)"
rc=0; "$BIN/parctl" report NOPE --index PAR --year 2023 >/dev/null 2>"$T/nope.txt" || rc=$?
check "a unit without a result is an error" test $rc -ne 0
check "and says so" grep -q "no PAR 2023 result for unit NOPE" "$T/nope.txt"
finish
