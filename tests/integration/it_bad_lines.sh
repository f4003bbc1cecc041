# Acceptance 2 of the ingest issue: a file with 7 bad lines of 7 kinds and some
# good ones; the push names each bad line and fails, the good lines are stored;
# the same good file pushed twice is stored once.
. "$(dirname "$0")/lib.sh"
start_all; import_sample

cat >"$T/mixed.csv" <<'CSV'
unit,year,period,kind,key,value,date,note
TDG,2023,Y,score,1.3,2,15/01/2024,good
XYZ,2023,Y,score,1.3,2,15/01/2024,unknown unit
TDG,2023,Y,score,9.9,1,15/01/2024,unknown criterion
TDG,2023,Y,score,1.4,1.5,15/01/2024,good
TDG,2023,Y,score,1.2,1,15/01/2024,not a leaf
TDG,2023,Y,score,1.5,nhiều,15/01/2024,not a number
TDG,2023,Y,score,1.6,5,15/01/2024,above max
TDG,2023,Q7,score,1.7,1,15/01/2024,bad period
TDG,2023,Y,score,2.1,1,15/01/2024
TDG,2023,Y,score,2.2.1,1,15/01/2024,good
CSV
rc=0
"$BIN/par-agent" push "$T/mixed.csv" >"$T/out.txt" 2>"$T/err.txt" || rc=$?
check "push of a partly bad file exits non-zero" test $rc -ne 0
for want in "line 3: unknown unit XYZ" "line 4: unknown criterion 9.9" "line 6: criterion PAR:1.2 is not a leaf" \
            "line 7: value 'nhiều' is not a number" "line 8: value 5 is above the maximum 2" \
            "line 9: period 'Q7'" "line 10: 7 fields where the header has 8"; do
    grep -qF "$want" "$T/out.txt" || fail "push output lacks '$want': $(cat "$T/out.txt")"
done
check "exactly 7 refusals" test "$(grep -c ': line [0-9]*: ' "$T/out.txt")" -eq 7
check "each said in Vietnamese too" grep -qF "(dòng 3: đơn vị XYZ không có trong danh mục)" "$T/out.txt"
check "... with the same facts" grep -qF "(dòng 8: giá trị 5 vượt quá điểm tối đa 2 của" "$T/out.txt"
"$BIN/parctl" export submissions --unit TDG >"$T/export.csv"
for key in PAR:1.3 PAR:1.4 PAR:2.2.1; do
    check "good line $key stored" grep -q ",$key," "$T/export.csv"
done
check "no bad line stored" test "$(grep -c ',score,' "$T/export.csv")" -eq 3

grep -E '^(unit|TDG,2023,Y,score,1\.[34],|TDG,2023,Y,score,2\.2,)' "$T/mixed.csv" >"$T/good.csv"
check "good file accepted" "$BIN/par-agent" push "$T/good.csv"
check "good file accepted again" "$BIN/par-agent" push "$T/good.csv"
"$BIN/parctl" export submissions --unit TDG >"$T/export2.csv"
check "each good line stored once" test "$(grep -c ',score,' "$T/export2.csv")" -eq 3
# the JSON export carries the receipt: sequence number, received time (PAR_NOW), sender
"$BIN/parctl" export submissions --unit TDG --json >"$T/export.json"
check "receipt in export" grep -q '"received": "2024-12-31T08:0' "$T/export.json"
# the district keeps the same receipts: sequence number and received time per line
check "agent keeps receipts" test -s "$T/var/agent/receipts.csv"
seq13=$(awk -F, '$9 == "1.3" { print $2; exit }' "$T/var/agent/receipts.csv")
check "receipt of line 2 kept by the agent" test -n "$seq13"
check "both sides hold the same receipt" grep -q "\"seq\": $seq13," "$T/export.json"

# issue 14, item 5: 5 good lines and 300 with 60 kB notes (18 MB, over a message's
# 16 MiB): batches cut by bytes, every line answered, the good ones stored
{ echo "unit,year,period,kind,key,value,date,note"
  for i in 1 2 3 4 5; do echo "TDG,2024,Y,metric,good_$i,$i,,"; done
  note=$(head -c 60000 /dev/zero | tr '\0' n)
  for i in $(seq 1 300); do echo "TDG,2024,Y,metric,big_$i,1,,$note"; done; } >"$T/big.csv"
rc=0; timeout 60 "$BIN/par-agent" push "$T/big.csv" >"$T/big.txt" 2>"$T/big.err" || rc=$?
check "an 18 MB file is answered line by line (exit $rc: $(grep 'lines,' "$T/big.err"))" \
    grep -q "305 lines, 5 stored (0 already there), 300 refused" "$T/big.err"
check "each long note refused with its reason" test "$(grep -c 'note longer than' "$T/big.txt")" -eq 300
check "the good lines stored" test "$("$BIN/parctl" export submissions --unit TDG | grep -c ',metric,good_')" -eq 5

# issue 14, item 6: a quote opened on line 3 and never closed refuses line 3 only; a
# quoted note over two lines is stored and named as spanning them; then a quote that
# nothing closes, at the end
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Y,metric,q_a,1,,\nTDG,2024,Y,metric,q_b,1,,"open\nTDG,2024,Y,metric,q_c,1,,\nTDG,2024,Y,metric,q_d,1,,"two\nlines"\nTDG,2024,Y,metric,q_e,1,,\n' >"$T/quote.csv"
rc=0; "$BIN/par-agent" push "$T/quote.csv" >"$T/quote.txt" 2>"$T/quote.err" || rc=$?
check "every line accounted for: $(cat "$T/quote.err")" grep -q "5 lines, 4 stored (0 already there), 1 refused" "$T/quote.err"
check "the line with the open quote named" grep -q "quote.csv: line 3: a quote opened here is not closed where its field ends (it runs to line 5)" "$T/quote.txt"
check "the field over two lines named as spanning them" grep -q "quote.csv: warning: line 5: a quoted field spans lines 5-6" "$T/quote.txt"
check "the lines after the open quote stored" test "$("$BIN/parctl" export submissions --unit TDG | grep -c ',metric,q_[acde],')" -eq 4
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Y,metric,r_a,1,,\nTDG,2024,Y,metric,r_b,1,,"open\nTDG,2024,Y,metric,r_c,1,,\nTDG,2024,Y,metric,r_d,1,,\n' >"$T/open.csv"
rc=0; "$BIN/par-agent" push "$T/open.csv" >"$T/open.txt" 2>"$T/open.err" || rc=$?
check "a quote never closed refuses its line only: $(cat "$T/open.err")" grep -q "4 lines, 3 stored (0 already there), 1 refused" "$T/open.err"
check "named" grep -q "open.csv: line 3: a quote opened here is never closed" "$T/open.txt"

# issue 14, item 8: a note that a spreadsheet would run as a formula is exported with a '
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Y,metric,formula,1,,"=cmd|%s /C calc%s!A0"\n' "'" "'" >"$T/formula.csv"
check "a formula-like note is stored as written" "$BIN/par-agent" push "$T/formula.csv"
"$BIN/parctl" export submissions --unit TDG >"$T/export.csv"
check "and exported neutralised: $(grep ',formula,' "$T/export.csv")" grep -q ",formula,1,.*,\"'=cmd|' /C calc'!A0\"" "$T/export.csv"

# issue 14, item 9: a receipt row torn by a kill is cut before the next rows are appended
R=$T/var/agent/receipts.csv
printf '2024-12-31T08:00:00.000+07:00,999,/x.csv,3,TD' >>"$R"
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Y,metric,after_tear,1,,\n' >"$T/after.csv"
check "a push after a torn receipt" "$BIN/par-agent" push "$T/after.csv"
check "every receipt row is whole (13 fields)" python3 -c "
import csv, sys
rows = list(csv.reader(open('$R', newline='')))
sys.exit(0 if rows and all(len(r) == 13 for r in rows) and any('after_tear' in r for r in rows) else 1)"
check "the torn row is gone" sh -c "! grep -q ',999,/x.csv' '$R'"
# a whole last row without its line break (the file saved so by an editor) is ended, not cut
printf '2024-12-31T08:00:00.000+07:00,998,/y.csv,2,TDG,2024,Y,metric,whole_row,1,,,' >>"$R"
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Y,metric,after_whole,1,,\n' >"$T/after2.csv"
check "a push after a whole row without a line break" "$BIN/par-agent" push "$T/after2.csv"
check "that row is kept, and ended" sh -c "grep -q ',998,/y.csv,2,TDG,2024,Y,metric,whole_row,1,,,\$' '$R' && grep -q after_whole '$R'"

# a file of 20,000 lines is sent while its end is still read (its first 8 batches go
# first): bad lines before and after that point are named and counted alike
awk 'BEGIN { print "unit,year,period,kind,key,value";
    for (i = 1; i <= 20000; i++)
        if (i == 5 || i == 15000) print "TDG,2024,M01,metric";
        else if (i == 12000) print "TDG,20x4,M01,metric,far_" i ",1";
        else printf "TDG,2024,M%02d,metric,far_%d,%d\n", i % 12 + 1, i, i }' >"$T/far.csv"
rc=0; "$BIN/par-agent" push "$T/far.csv" >"$T/far.txt" 2>"$T/far.err" || rc=$?
check "a long file: every line accounted for ($(cat "$T/far.err"))" grep -q "20000 lines, 19997 stored (0 already there), 3 refused" "$T/far.err"
check "... its bad lines named, first part and rest" sh -c "grep -q 'far.csv: line 6: 4 fields' '$T/far.txt' && grep -q 'far.csv: line 15001: 4 fields' '$T/far.txt' && grep -q 'line 12001: year .20x4.' '$T/far.txt'"
check "... its last line stored" sh -c "'$BIN/parctl' export submissions --unit TDG | grep -q ',metric,far_20000,20000'"
# files pushed together are stored in their order: a correction in the second file
# outlasts the line of the first's end it corrects
printf 'unit,year,period,kind,key,value\nTDG,2024,M08,metric,far_19999,7\n' >"$T/fix.csv"
"$BIN/par-agent" push "$T/far.csv" "$T/fix.csv" >/dev/null 2>&1
check "a correction pushed with the file it corrects wins" sh -c "'$BIN/parctl' export submissions --unit TDG | grep -q ',metric,far_19999,7'"
finish
