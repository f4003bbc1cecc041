# A whole appraisal season of the sample province, the clock moved by PAR_NOW: the
# season opened for self-assessment with a deadline, a late line refused, appraisal
# with reasons, an explanation that changes one appraisal, the final appraisal, the
# survey, publication by decision; Tam Đường's published total is seed 003's 78.12 and
# stays so after a later change is refused.
. "$(dirname "$0")/lib.sh"
export PAR_NOW=2024-01-10T08:00:00+07:00
start_all; import_sample

at() { # at TIME: the collector restarted on a clock set to TIME (what a line's receipt says)
    stop collector
    PAR_NOW=$1 start collector
    wait_up collector
}
S="$BIN/parctl season PAR 2023 --level district"
line() { printf 'unit,year,period,kind,key,value,date,note\n%s\n' "$1" >"$T/$2.csv"; }

# the framework again, with the department answering for each criterion of area 1
# (the owner is the file's last column: Sở Nội vụ for area 1, nobody for the rest)
sed -E '1!{/^PAR,[0-9]+,district,1\./!s/,[^,]*$/,/;/^PAR,[0-9]+,district,1\./s/,[^,]*$/,LC-SNV/}' \
    "$ROOT/data/framework-par-district.csv" >"$T/fw-owners.csv"
check "a framework with owners" "$BIN/parctl" import framework "$T/fw-owners.csv"
sed -E '1!s/,[^,]*$/,NOBODY/' "$ROOT/data/framework-par-district.csv" >"$T/fw-bad.csv"
check "an owner not in the registry is refused" sh -c "! $BIN/parctl import framework $T/fw-bad.csv >$T/fw-bad.txt 2>&1"
check "... naming it" grep -q "owner NOBODY of criterion" "$T/fw-bad.txt"

check "a season without a framework is refused" sh -c "! $BIN/parctl season PAR 2031 --level district --to self 2>$T/nofw.txt"
check "... saying what is missing" grep -q "no PAR framework for 2031" "$T/nofw.txt"
check "open the self-assessment until 31/01/2024" $S --to self --until 31/01/2024
$S >"$T/s1.txt"
check "the season shows its phase and deadline" grep -q "giai đoạn tự đánh giá" "$T/s1.txt"
check "... with the deadline as officials write it" grep -q "Hạn tự đánh giá: 31/01/2024" "$T/s1.txt"

# self-assessment: the districts' files, Nậm Nhùn's 2023 lines held back; an appraisal is
# not taken yet
grep -v '^NNH,2023,' "$ROOT/data/submissions/districts-self-2022-2023.csv" >"$T/self-but-nnh.csv"
grep -E '^(unit,|NNH,2023,)' "$ROOT/data/submissions/districts-self-2022-2023.csv" >"$T/self-nnh.csv"
check "self-assessment pushed" "$BIN/par-agent" push "$T/self-but-nnh.csv"
# the day before the deadline the notifier reminds the district that has not sent, and no other
stop notifier
PAR_NOW=2024-01-30T09:00:00+07:00 start notifier
wait_up notifier
sleep 1.5
"$BIN/parctl" alerts --json >"$T/season-alerts.json"
check "Nậm Nhùn is reminded of the self-assessment deadline" grep -q '"task": "S.PAR.2023.self.NNH"' "$T/season-alerts.json"
check "... and nobody who has sent" sh -c "! grep -q '\"task\": \"S.PAR.2023.self.TDG\"' $T/season-alerts.json"
check "... by mail, in Vietnamese" grep -rlq "Tự đánh giá, chấm điểm Chỉ số PAR năm 2023" "$T/var/mail"
check "Nậm Nhùn sends before the deadline" "$BIN/par-agent" push "$T/self-nnh.csv"
sleep 0.5
"$BIN/parctl" tasks --json >"$T/season-tasks.json"
check "... and its season task is done" python3 -c "
import json, sys
t = [x for x in json.load(open('$T/season-tasks.json')) if x['id'] == 'S.PAR.2023.self.NNH']
sys.exit(0 if t and t[0]['state'] == 'done' else 1)"
# evidence documents for 1.4: a PDF taken, kept through a kill -9, restored from a backup
printf '%%PDF-1.4\n%% Kế hoạch tuyên truyền CCHC 2023\n' >"$T/kehoach.pdf"
head -c 300000 /dev/urandom >>"$T/kehoach.pdf"
printf 'MZ\x90\x00 not a pdf' >"$T/virus.pdf"
printf 'x' >"$T/tool.exe"
E="$BIN/par-agent evidence --unit TDG --index PAR --year 2023 --criterion 1.4"
check "a PDF sent as evidence" $E "$T/kehoach.pdf"
check "a file that is not what its name says is refused" sh -c "! $E $T/virus.pdf >$T/virus.txt 2>&1"
check "... saying so" grep -q "does not hold what a .pdf file holds" "$T/virus.txt"
check "a type not taken is refused" sh -c "! $E $T/tool.exe >$T/exe.txt 2>&1"
check "... naming the types taken" grep -q "pdf,png,jpg,jpeg,docx,xlsx,odt" "$T/exe.txt"
SHA=$(sha256sum "$T/kehoach.pdf" | cut -c1-64)
killnow collector; start collector; wait_up collector
"$BIN/parctl" evidence list TDG --index PAR --year 2023 --json >"$T/ev.json"
check "the document is listed after a kill -9" grep -q "\"sha256\": \"$SHA\"" "$T/ev.json"
check "... with its name and criterion" sh -c "grep -q '\"name\": \"kehoach.pdf\"' $T/ev.json && grep -q '\"criterion\": \"PAR:1.4\"' $T/ev.json"
check "the document comes back whole" "$BIN/parctl" evidence get "$SHA" -o "$T/back.pdf"
check "... byte for byte" cmp -s "$T/kehoach.pdf" "$T/back.pdf"
check "a backup" "$BIN/parctl" backup "$T/bk" >/dev/null
check "the backup holds the document" cmp -s "$T/kehoach.pdf" "$T/bk/evidence/objects/${SHA:0:2}/$SHA"

line "TDG,2023,Y,appraisal,1.4,1,,early" early
check "an appraisal during self-assessment is refused" sh -c "! $BIN/par-agent push $T/early.csv >$T/early.txt 2>&1"
check "... naming the phase" grep -q "is in phase self since 2024-01-10" "$T/early.txt"

# the deadline passes: a late self-score is refused with the date
at 2024-02-02T09:00:00+07:00
line "TDG,2023,Y,score,1.4,1.5,,late" late
check "a self-score after the deadline is refused" sh -c "! $BIN/par-agent push $T/late.csv >$T/late.txt 2>&1"
check "... naming the deadline and the day it came" grep -q "until 2024-01-31; this line came on 2024-02-02" "$T/late.txt"
check "a line sent again is no late line: its first receipt stands" "$BIN/par-agent" push "$T/self-but-nnh.csv"

# appraisal with reasons: the province's file, and 1.4 appraised lower at first
check "to appraisal" $S --to appraisal
sleep 0.5
"$BIN/parctl" tasks --json >"$T/season-tasks2.json"
check "the self-assessment over, its tasks read as answered or without a deadline, none as unreadable" python3 -c "
import json, sys
ts = [x for x in json.load(open('$T/season-tasks2.json')) if x['id'].startswith('S.PAR.2023.self.')]
nnh = [x for x in ts if x['id'] == 'S.PAR.2023.self.NNH']
sys.exit(0 if nnh and nnh[0]['state'] == 'done' and all(x['state'] in ('done', 'no_date') for x in ts) else 1)"
# the appraiser's view: the evidence gap first
"$BIN/parctl" appraise TDG --index PAR --year 2023 --json >"$T/appraise.json"
"$BIN/parctl" appraise TDG --index PAR --year 2023 >"$T/appraise.txt"
check "the appraiser's view counts the gaps" grep -qE '"gaps": [1-9]' "$T/appraise.json"
check "... flags a self-score with neither document nor explanation" grep -q '"code": "no_evidence"' "$T/appraise.json"
check "... lists the flagged criteria first" python3 -c "
import json, sys
d = json.load(open('$T/appraise.json'))
gap = [any(f['code'] != 'not_self_scored' for f in c['flags']) for c in d['criteria']]
sys.exit(0 if gap == sorted(gap, reverse=True) and sum(gap) == d['gaps'] else 1)"
check "... 1.4, backed by a document, is not flagged for it" python3 -c "
import json, sys
d = json.load(open('$T/appraise.json'))
c = [x for x in d['criteria'] if x['criterion'] == 'PAR:1.4'][0]
sys.exit(0 if c['evidence'] == 1 and not [f for f in c['flags'] if f['code'] == 'no_evidence'] else 1)"
check "... in Vietnamese" grep -q "không có tài liệu kiểm chứng hay giải trình" "$T/appraise.txt"
"$BIN/parctl" report TDG --index PAR --year 2023 --format md >"$T/report-before.md"
check "before publication the report lists the evidence gap" grep -q "^## Cần xem trước khi thẩm định" "$T/report-before.md"
check "appraisals and survey pushed" "$BIN/par-agent" push "$ROOT/data/submissions/snv-appraisal-survey-2022-2023.csv"
line "TDG,2023,Y,appraisal,1.4,0.5,,Chưa có kế hoạch tuyên truyền riêng" appr
check "1.4 appraised at 0.5" "$BIN/par-agent" push "$T/appr.csv"
wait_total TDG 77.6

# the explanation round: Tam Đường explains 1.4; a self-score is not taken now
check "to explanation until 09/06/2024" $S --to explanation --until 09/06/2024
line "TDG,2023,Y,explanation,1.4,1,,Kế hoạch tuyên truyền số 12/KH-UBND ngày 10/02/2023 đã ban hành" expl
check "Tam Đường's explanation taken" "$BIN/par-agent" push "$T/expl.csv"
check "a self-score in the explanation round is refused" sh -c "! $BIN/par-agent push $T/late.csv >/dev/null 2>&1"
printf '%%PDF-1.4\n%% Kế hoạch 12/KH-UBND\n' >"$T/kh12.pdf"
check "a document backing the explanation" $E "$T/kh12.pdf"

# final appraisal: the team accepts the explanation
check "to final" $S --to final
line "TDG,2023,Y,appraisal,1.4,1,,Hạn chế về hình thức tuyên truyền" final
check "final appraisal of 1.4" "$BIN/par-agent" push "$T/final.csv"
wait_total TDG 78.1190

# the points lost on the criteria the Department of Home Affairs answers for
"$BIN/parctl" scores --index PAR --year 2023 --owner LC-SNV --json >"$T/owner.json"
check "the owner's losses name Tam Đường's 1.7 and its reason" python3 -c "
import json, sys
d = json.load(open('$T/owner.json'))
l = [x for x in d['losses'] if x['unit'] == 'TDG' and x['id'] == '1.7']
sys.exit(0 if l and l[0]['reason'].startswith('Năm 2023, đơn vị có lãnh đạo tương đương lãnh đạo cấp phòng') and d['lost'] > 0 and
         all(x['id'].startswith('1.') for x in d['losses']) else 1)"
"$BIN/parctl" scores --index PAR --year 2023 --owner LC-SNV >"$T/owner.txt"
check "... in Vietnamese, the department by name" grep -q "^Điểm bị trừ ở các tiêu chí do Sở Nội vụ (LC-SNV) phụ trách, Chỉ số PAR năm 2023: [0-9]*,[0-9][0-9] điểm$" "$T/owner.txt"
check "... each loss with its unit by name, a decimal comma and its reason" \
    grep -qE '^TDG +Huyện Tam Đường +1\.7 +-[0-9]+,[0-9]{2} +Năm 2023, đơn vị' "$T/owner.txt"

# publication
check "publication needs a decision" sh -c "! $S --to published 2>$T/nodec.txt"
check "... and says so" grep -q "needs the decision" "$T/nodec.txt"
check "published by decision" $S --to published --decision "1234/QĐ-UBND" --date 20/06/2024
at 2024-07-01T08:00:00+07:00
line "TDG,2023,Y,appraisal,1.4,1.5,,later" after
check "a change after publication is refused" sh -c "! $BIN/par-agent push $T/after.csv >$T/after.txt 2>&1"
check "... naming the decision" grep -q "published by decision 1234/QĐ-UBND of 2024-06-20" "$T/after.txt"
check "the published season's framework is not replaced" sh -c "! $BIN/parctl import framework $T/fw-owners.csv >$T/fw-pub.txt 2>&1"
check "... saying why" grep -q "its framework no longer changes" "$T/fw-pub.txt"
line "TDG,2023,Q4,task,PL23-PAR-1-TDG,done,,xong" task23
check "a 2023 task report no longer changes the published figures" sh -c "! $BIN/par-agent push $T/task23.csv >$T/task23.txt 2>&1"
check "... and is told so" grep -q "its figures no longer change" "$T/task23.txt"
check "going back needs a reason" sh -c "! $S --to appraisal --reason x 2>/dev/null"
wait_total TDG 78.1190
"$BIN/parctl" scores --index PAR --year 2023 >"$T/ranking.txt"
check "the published ranking: Tam Đường 78,12, 4/8" grep -qE '^4/8 +TDG +Huyện Tam Đường +78,12/100 ' "$T/ranking.txt"
$S --json >"$T/season.json"
check "the season's history holds every move" test "$(grep -c '"phase":' "$T/season.json")" -eq 6
"$BIN/parctl" report TDG --index PAR --year 2023 --format md >"$T/report-after.md"
check "the published report has no such list" sh -c "! grep -q 'Cần xem trước khi thẩm định' $T/report-after.md"
$S >"$T/s2.txt"
check "the season shows its decision" grep -q "Công bố theo quyết định 1234/QĐ-UBND ngày 20/06/2024" "$T/s2.txt"
"$BIN/parctl" history TDG --index PAR --year 2023 --criterion 1.4 --json >"$T/hist.json"
check "history: the self-score, the three appraisals and the explanation of 1.4" \
    test "$(grep -c '"kind": ' "$T/hist.json")" -eq 5
check "... each with its phase" sh -c "grep -q '\"phase\": \"explanation\"' $T/hist.json && grep -q '\"phase\": \"final\"' $T/hist.json"
"$BIN/parctl" history TDG --index PAR --year 2023 --criterion 1.4 >"$T/hist.txt"
check "history shows the explanation's text" grep -q "Kế hoạch tuyên truyền số 12/KH-UBND" "$T/hist.txt"

# signed receipts: the district's file proves what it sent; one byte changed, it does not
R=$T/var/agent/receipts.csv
check "the receipts file verifies against the province's key" "$BIN/parctl" receipt verify "$R"
"$BIN/parctl" receipt verify "$R" --json >"$T/verify.json"
check "... every batch signed" grep -q '"failed": \[\]' "$T/verify.json"
sed '3s/,0\.5,/,0.6,/' "$R" >"$T/altered.csv"
check "one byte altered" sh -c "! cmp -s $R $T/altered.csv"
rc=0; "$BIN/parctl" receipt verify "$T/altered.csv" >"$T/altered.txt" || rc=$?
check "an altered receipts file fails verification" test $rc -eq 1
check "... saying which lines" grep -q "KHÔNG hợp lệ" "$T/altered.txt"
sed '4d' "$R" >"$T/cut.csv"
check "a file with a row taken out fails too" sh -c "! $BIN/parctl receipt verify $T/cut.csv >/dev/null"
check "verifying against server.pub made by keys init" "$BIN/parctl" keys init
check "... which now carries the receipt key" grep -q '^ed25519 ' "$T/var/keys/server.pub"
check "the receipts verify against server.pub" "$BIN/parctl" receipt verify "$R" --key "$T/var/keys/server.pub"
finish
