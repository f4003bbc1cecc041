# par-web (issue 16), through curl: every page and download leads to /login without a
# session; a login (Argon2id, throttled) opens one; the dashboard shows Tam Đường 78,12 and
# 4/8 on the sample province; a district's account is refused another district's page
# before publication; a commune's task reported done from its page; a form without its
# CSRF token refused; downloads as CSV for Vietnamese Excel; /metrics behind its token.
. "$(dirname "$0")/lib.sh"
export PAR_NOW=2025-01-10T08:00:00+07:00
WPORT=$((PORT + 1))
printf 'metrics-secret-%s\n' "$RANDOM" >"$T/metrics.token"
printf '[web]\nlisten = 127.0.0.1:%d\nmetrics_token_file = %s\n[season]\nevidence_max_mb = 6\n' "$WPORT" "$T/metrics.token" >>"$PAR_CONF"
start_all; import_sample
start web
check "sample pushes" "$BIN/par-agent" push "$ROOT/data/submissions/districts-self-2022-2023.csv" \
    "$ROOT/data/submissions/snv-appraisal-survey-2022-2023.csv"
echo 'mat-khau-quan-tri' | "$BIN/parctl" users add quantri --role admin --password-stdin >/dev/null || fail "admin account"
echo 'mat-khau-tam-duong' | "$BIN/parctl" users add tamduong --role unit --unit TDG --password-stdin >/dev/null ||
    fail "unit account"
check "a short password is refused" sh -c "echo ngan | $BIN/parctl users add x --role leader --password-stdin 2>/dev/null; test \$? -eq 2"
"$BIN/parctl" users list >"$T/users.txt"
check "accounts listed without their hashes" sh -c "grep -q tamduong $T/users.txt && ! grep -q argon2 $T/users.txt"
U="http://127.0.0.1:$WPORT"
for _ in $(seq 1 50); do curl -s -o /dev/null "$U/login" && break; sleep 0.1; done

check "parctl status shows par-web up, following no change log (no lag)" sh -c "sleep 0.5; $BIN/parctl status | grep -E '^web +up +- ' | grep -qv 'lag='"
code() { curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$@"; }
for page in / /units/TDG /tasks /alerts /reporting /season /download/ranking.csv /download/tasks.xlsx \
    /download/alerts.csv /download/reporting.csv /events; do
    check "logged out, $page leads to /login" test "$(code "$U$page")" = "303 $U/login"
done
check "a form posted logged out leads to /login too" test "$(code -X POST -d 'task=x' "$U/tasks/done")" = "303 $U/login"
# a body is judged before it is read: logged out, or larger than what its page takes, it is
# read and dropped, never held (par-web held any multipart document up to the evidence
# limit, for anyone, before looking at the session)
head -c 30000000 /dev/zero >"$T/zeros.bin"
hwm0=$(awk '/^VmHWM/ { print $2 }' "/proc/${PIDS[web]}/status")
check "a 30 MB document posted logged out is turned to /login" \
    test "$(code -F "file=@$T/zeros.bin" "$U/season/evidence" 2>/dev/null)" = "303 $U/login"
check "... and to the login form too (no document is taken there)" \
    test "$(code -F "file=@$T/zeros.bin" -F user=x "$U/login" 2>/dev/null | cut -c1-3)" = 413
hwm1=$(awk '/^VmHWM/ { print $2 }' "/proc/${PIDS[web]}/status")
check "... neither held in memory (peak $hwm0 -> $hwm1 KiB)" test $((hwm1 - hwm0)) -lt 4096
rm -f "$T/zeros.bin"

login() { # login JAR USER PASSWORD [CURL_ARG...]: the session's cookie in JAR; prints the HTTP status
    local jar=$1 user=$2 password=$3 tok
    shift 3
    curl -s -c "$jar" -b "$jar" "$U/login" >"$jar.form" # one a jar: logins may run at once
    tok=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$jar.form" | head -1)
    curl -s -o "$T/login-answer.html" -w '%{http_code}' -c "$jar" -b "$jar" "$@" --data-urlencode "user=$user" \
        --data-urlencode "password=$password" --data-urlencode "csrf=$tok" "$U/login"
}
check "a wrong password is refused" test "$(login "$T/bad.jar" tamduong sai-mat-khau)" = 401
check "... in Vietnamese" grep -q "Tài khoản hoặc mật khẩu không đúng" "$T/login-answer.html"
# behind a proxy the throttle counts the address the proxy saw, the last of X-Forwarded-For:
# the first is the client's to write, a new one at each try
xff_try() { # xff_try USER FIRST: a failed login whose X-Forwarded-For starts with FIRST
    login "$T/xff.jar" "$1" x -H "X-Forwarded-For: $2, 192.0.2.7"
}
login "$T/p.jar" tamduong mat-khau-tam-duong -D "$T/proxy-headers.txt" -H "X-Forwarded-Proto: https" >/dev/null
check "behind a TLS proxy on this server the session cookie is Secure" \
    grep -qi '^Set-Cookie: par_session=.*; Secure' "$T/proxy-headers.txt"
check "... and HSTS is sent" grep -qi '^Strict-Transport-Security: max-age=' "$T/proxy-headers.txt"
for i in 1 2 3 4 5; do xff_try "khong-co-$i" "10.9.0.$i" >/dev/null; done
check "an address is throttled as the proxy saw it, whatever the client wrote first" \
    test "$(xff_try khong-co-6 10.9.0.6)" = 429
# twenty guesses at once at one account: the throttle counts those still being checked,
# so five are checked and the rest refused (once, all twenty queued for the password
# worker and every one was answered)
echo 'mat-khau-thu-nghiem' | "$BIN/parctl" users add thunghiem --role leader --password-stdin >/dev/null ||
    fail "a test account"
gp=()
for i in $(seq 10 29); do
    { login "$T/g$i.jar" thunghiem "sai-$i" -H "X-Forwarded-For: 192.0.2.$i"; echo; } >"$T/guess-$i.txt" & gp+=($!)
done
wait "${gp[@]}"
checked=$(cat "$T"/guess-*.txt | grep -c '^401$')
check "twenty guesses at once: $checked checked, the rest refused" test "$checked" -le 5 -a "$checked" -ge 1
check "the login form's token is needed" test "$(curl -s -o /dev/null -w '%{http_code}' -d 'user=tamduong&password=x' "$U/login")" = 403
check "the district's official logs in" test "$(login "$T/tdg.jar" tamduong mat-khau-tam-duong)" = 303
check "the session cookie is HttpOnly and SameSite=Strict" grep -q '#HttpOnly_127.0.0.1.*par_session' "$T/tdg.jar"
G() { curl -s -b "$T/tdg.jar" "$@"; }
G -D "$T/headers.txt" "$U/?index=PAR&year=2023&level=district" >"$T/dash.html"
check "the dashboard shows Tam Đường 78,12" grep -q '78,12' "$T/dash.html"
check "... at 4/8" grep -q '<td class="n">4/8</td><td><a href="/units/TDG' "$T/dash.html"
check "... and, before publication, no other district" test "$(grep -c 'data-unit=' "$T/dash.html")" -eq 1
check "the province's admin logs in" test "$(login "$T/admin.jar" quantri mat-khau-quan-tri)" = 303
curl -s -b "$T/admin.jar" "$U/?index=PAR&year=2023&level=district" >"$T/dash-admin.html"
check "the admin's dashboard ranks all eight districts" test "$(grep -c 'data-unit=' "$T/dash-admin.html")" -eq 8
check "... Tam Đường 4/8 among them" grep -q '<td class="n">4/8</td><td><a href="/units/TDG' "$T/dash-admin.html"
check "... with a chart of the years" grep -q '<svg role="img"' "$T/dash.html"
check "pages carry a Content-Security-Policy" grep -qi "^Content-Security-Policy: default-src 'self'" "$T/headers.txt"
check "the page parses as XML-ish HTML" sh -c "xmllint --html --noout $T/dash.html 2>&1 | grep -qv 'error' || true"
G "$U/units/TDG?index=PAR&year=2023" >"$T/tdg.html"
check "the unit page gives its deductions and reasons" grep -q "(Trưởng Ban quản lý rừng phòng hộ) bị kỷ luật" "$T/tdg.html"
rc=$(curl -s -o "$T/tuy.html" -w '%{http_code}' -b "$T/tdg.jar" "$U/units/TUY?index=PAR&year=2023")
check "before publication another district's page is refused ($rc)" test "$rc" = 403
check "... saying why in Vietnamese" grep -q "không được xem kết quả của đơn vị khác trước khi công bố" "$T/tuy.html"
G "$U/download/ranking.csv?index=PAR&year=2023&level=district" >"$T/rank.csv"
check "the ranking downloads as CSV with a BOM" test "$(head -c 3 "$T/rank.csv" | od -An -tx1 | tr -d ' ')" = "efbbbf"
check "... with ';' and decimal commas (only TDG before publication)" grep -q '^4;8;TDG;Huyện Tam Đường;78,12;100;72,07;+6,05' "$T/rank.csv"
check "... its rank and the units ranked in two columns (4/8 opens as a date)" \
    sh -c "head -1 '$T/rank.csv' | grep -q 'Hạng;Số đơn vị;Mã đơn vị;'"

curl -s -b "$T/admin.jar" -o "$T/rank.xlsx" "$U/download/ranking.xlsx?index=PAR&year=2023&level=district"
check "the ranking downloads as .xlsx, numbers as numbers" /usr/bin/python3 -c "
import zipfile, sys
z = zipfile.ZipFile('$T/rank.xlsx')
sheet, strings = z.read('xl/worksheets/sheet1.xml').decode(), z.read('xl/sharedStrings.xml').decode()
sys.exit(0 if 'Huyện Tam Đường' in strings and '<v>78.11907' in sheet and 'Lĩnh vực 8' in strings else 1)"

curl -s -b "$T/admin.jar" "$U/tasks?under=TDG&state=overdue" >"$T/tasks-under.html"
check "tasks of a unit's subtree: a commune's under its district" grep -q 'data-task="PL24-PAR-4-TDG-BGI"' "$T/tasks-under.html"
check "... not another district's" sh -c "! grep -q 'data-task=\"PL23-PAR-10-TUY\"' $T/tasks-under.html"
check "... leads named as officials call them" grep -q '<td>Xã Bản Giang</td>' "$T/tasks-under.html"
curl -s -b "$T/admin.jar" "$U/tasks?plan=336&late=30" >"$T/tasks-late.html"
check "tasks by plan and lateness: overdue ones only" sh -c "grep -q 'data-task=' $T/tasks-late.html && ! grep -q '<td class=\"\">đang thực hiện' $T/tasks-late.html && ! grep -q '>thường xuyên<' $T/tasks-late.html"

curl -s -b "$T/admin.jar" "$U/reporting" >"$T/reporting.html"
check "/reporting: each period's recurring reports, sent or not" grep -q '<table id="reports">' "$T/reporting.html"
check "... and each unit's rate" grep -q '<table id="rate">' "$T/reporting.html"
curl -s -b "$T/admin.jar" "$U/download/alerts.csv" >"$T/alerts.csv"
check "alerts download as CSV: what was sent to whom and when" sh -c "head -1 $T/alerts.csv | grep -q 'Số;Loại;Nhiệm vụ;Hạn;Ngày gửi;Gửi tới;Đã xác nhận' && grep -q ';quá hạn;PL23-PAR-6-TDG;' $T/alerts.csv"
check "... an unknown download is a 404" test "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/admin.jar" "$U/download/users.csv")" = 404
check "the dashboard charts every year held" sh -c "grep -q 'data-year=\"2022\"' $T/dash-admin.html && grep -q 'data-year=\"2023\"' $T/dash-admin.html"

# a task reported done from the page; without its token the form is refused
G "$U/tasks" >"$T/tasks.html"
check "the tasks page offers TDG's own task a done form" grep -q 'name="task" value="PL23-PAR-6-TDG"' "$T/tasks.html"
csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/tasks.html" | head -1)
period=$(grep -o 'name="task" value="PL23-PAR-6-TDG"><input type="hidden" name="year" value="[0-9]*"><input type="hidden" name="period" value="[A-Z0-9]*"' "$T/tasks.html" | head -1)
year=$(echo "$period" | sed 's/.*name="year" value="\([0-9]*\)".*/\1/')
per=$(echo "$period" | sed 's/.*name="period" value="\([A-Z0-9]*\)".*/\1/')
rc=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/tdg.jar" -d "task=PL23-PAR-6-TDG&year=$year&period=$per" "$U/tasks/done")
check "a form without its CSRF token is refused ($rc)" test "$rc" = 403
G -d "task=PL23-PAR-6-TDG&year=$year&period=$per&note=Đã ban hành quyết định&csrf=$csrf" "$U/tasks/done" >"$T/done.html"
check "the task reported done from the page" grep -q "Đã ghi nhận báo cáo hoàn thành nhiệm vụ" "$T/done.html"
check "... stored as TDG's line, sent for its official" sh -c "$BIN/parctl export submissions --unit TDG --json | grep -q '\"key\": \"PL23-PAR-6-TDG\"'"
check "... and the task is done" sh -c "sleep 0.5; $BIN/parctl tasks --unit TDG --json | python3 -c \"import json,sys; t=[x for x in json.load(sys.stdin) if x['id']=='PL23-PAR-6-TDG']; sys.exit(0 if t and t[0]['state']=='done' else 1)\""
check "... recorded as sent by the official, by name" sh -c "$BIN/parctl export submissions --unit TDG --json | grep -q '\"sender\": \"unit:TDG/tamduong\"'"
G "$U/download/tasks.csv?under=TDG" >"$T/tasks.csv"
check "tasks download as CSV for Vietnamese Excel, with the report's day" grep -q '^PL23-PAR-6-TDG;336/KH-UBND;.*;đã hoàn thành;.*;10/01/2025' "$T/tasks.csv"
check "... the header in Vietnamese" sh -c "head -1 $T/tasks.csv | grep -q 'Mã;Kế hoạch;Nhiệm vụ;Chủ trì;Phối hợp'"
check "... only what the filter shows" sh -c "! grep -q 'TUY' $T/tasks.csv"
# TDG's first-quarter report for 2025, sent before its day
csrf=$(G "$U/tasks" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
G -o /dev/null -d "task=PL23-BC-TDG&year=2025&period=Q1&note=Báo cáo quý I&csrf=$csrf" "$U/tasks/done"
sleep 0.5
G "$U/download/reporting.csv" >"$T/reporting.csv"
check "/reporting's download: a report on time, with the day received" grep -q '^báo cáo định kỳ;TDG;Huyện Tam Đường;.*;2025 Q1;20/03/2025;10/01/2025;đúng hạn, 10/01/2025' "$T/reporting.csv"
G "$U/reporting" >"$T/reporting2.html"
check "/reporting says on time" grep -q '>đúng hạn, 10/01/2025<' "$T/reporting2.html"
check "... and each unit's on-time rate" grep -q '<th>Tỷ lệ đúng hạn</th>' "$T/reporting2.html"
G -o "$T/tasks.xlsx" "$U/download/tasks.xlsx?under=TDG&state=done"
check "tasks download as .xlsx: dates as dates, the done ones only" /usr/bin/python3 -c "
import zipfile, sys
z = zipfile.ZipFile('$T/tasks.xlsx')
sheet, strings, styles = (z.read(n).decode() for n in ('xl/worksheets/sheet1.xml', 'xl/sharedStrings.xml', 'xl/styles.xml'))
ok = 'PL23-PAR-6-TDG' in strings and 'đang thực hiện' not in strings and 'dd/mm/yyyy' in styles and 'autoFilter' in sheet
sys.exit(0 if ok else 1)"

# the self-assessment form and an evidence document from the season page
G "$U/season?index=PAR&year=2023&level=district" >"$T/season.html"
check "the season page offers TDG its self-assessment form" grep -q 'name="v_1.4"' "$T/season.html"
check "... with the evidence gap first" grep -q 'không có tài liệu kiểm chứng hay giải trình' "$T/season.html"
csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/season.html" | head -1)
rc=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -b "$T/tdg.jar" --data-urlencode "v_1.4=1,5" \
    --data-urlencode "n_1.4=Kế hoạch tuyên truyền 12/KH-UBND" -d "index=PAR&year=2023&level=district&csrf=$csrf" \
    "$U/season/self")
check "self-scores sent from the form ($rc)" sh -c "echo '$rc' | grep -q '^303 .*/season?.*msg='"
check "... stored as TDG's line for its official" sh -c "$BIN/parctl export submissions --unit TDG --json | grep -B3 -A8 '\"PAR:1.4\"' | grep -q 'Kế hoạch tuyên truyền 12/KH-UBND'"
printf '%%PDF-1.4\n%% kế hoạch\n' >"$T/kh.pdf"; head -c 200000 /dev/urandom >>"$T/kh.pdf"
rc=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/tdg.jar" -F "file=@$T/kh.pdf" -F criterion=1.4 -F unit=TDG \
    -F index=PAR -F year=2023 -F level=district -F "csrf=$csrf" "$U/season/evidence")
check "an evidence document uploaded from the page ($rc)" test "$rc" = 303
check "... held at the province, whole" sh -c "$BIN/parctl evidence list TDG --index PAR --year 2023 --json | grep -q \"\$(sha256sum $T/kh.pdf | cut -c1-64)\""
SHA=$(sha256sum "$T/kh.pdf" | cut -c1-64)
G "$U/units/TDG?index=PAR&year=2023" | grep -q "href=\"/evidence/$SHA?name=kh.pdf\"" || fail "the unit page links its document"
G -o "$T/kh-back.pdf" "$U/evidence/$SHA?name=kh.pdf"
check "the document downloads whole from the page" cmp -s "$T/kh.pdf" "$T/kh-back.pdf"
# a document over the 4 MiB piece size comes back whole too
printf '%%PDF-1.4\n%% hồ sơ\n' >"$T/large.pdf"; head -c 5500000 /dev/urandom >>"$T/large.pdf"
rc=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/tdg.jar" -F "file=@$T/large.pdf" -F criterion=1.4 -F unit=TDG \
    -F index=PAR -F year=2023 -F level=district -F "csrf=$csrf" "$U/season/evidence")
check "a 5,5 MB document uploaded from the page ($rc)" test "$rc" = 303
LSHA=$(sha256sum "$T/large.pdf" | cut -c1-64)
G -o "$T/large-back.pdf" "$U/evidence/$LSHA?name=large.pdf"
check "... and downloaded whole, in pieces" cmp -s "$T/large.pdf" "$T/large-back.pdf"
head -c 6400000 /dev/urandom >"$T/big.pdf"
rc=$(curl -s -o "$T/big.html" -w '%{http_code}' -b "$T/tdg.jar" -F "file=@$T/big.pdf" -F criterion=1.4 -F unit=TDG \
    -F index=PAR -F year=2023 -F "csrf=$csrf" "$U/season/evidence")
check "a document over the limit is refused ($rc)" test "$rc" = 413
check "... saying so" grep -q "quá lớn" "$T/big.html"
# eight documents at a time: a ninth is told to come back, and is taken once one has ended
head -c 3000000 /dev/urandom >"$T/slow.pdf"
slow=()
for i in 1 2 3 4 5 6 7 8; do
    curl -s -o /dev/null --limit-rate 20k -b "$T/tdg.jar" -F "file=@$T/slow.pdf" -F criterion=1.4 -F unit=TDG \
        -F index=PAR -F year=2023 -F "csrf=$csrf" "$U/season/evidence" & slow+=($!)
done
sleep 2
rc=$(curl -s -o "$T/busy.html" -w '%{http_code}' -b "$T/tdg.jar" -F "file=@$T/kh.pdf" -F criterion=1.4 -F unit=TDG \
    -F index=PAR -F year=2023 -F "csrf=$csrf" "$U/season/evidence")
check "a ninth document while eight are coming in is told to wait ($rc)" test "$rc" = 503
check "... in Vietnamese" grep -q "nhiều tệp khác cùng lúc" "$T/busy.html"
kill "${slow[@]}" 2>/dev/null; wait "${slow[@]}" 2>/dev/null
sleep 0.5
rc=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/tdg.jar" -F "file=@$T/kh.pdf" -F criterion=1.4 -F unit=TDG \
    -F index=PAR -F year=2023 -F level=district -F "csrf=$csrf" "$U/season/evidence")
check "... and taken once they have ended ($rc)" test "$rc" = 303

# an admin silences a task's alerts until a date: none is sent for it before, they resume after
n0=$("$BIN/parctl" alerts --json | grep -c '"task": "PL23-SIPAS-1-TDG"')
csrf=$(curl -s -b "$T/admin.jar" "$U/alerts" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
curl -s -b "$T/admin.jar" -d "task=PL23-SIPAS-1-TDG&until=28/02/2025&csrf=$csrf" "$U/alerts/silence" >"$T/silence.html"
check "a task's alerts silenced until 28/02/2025" grep -q "Đã tạm dừng nhắc nhiệm vụ PL23-SIPAS-1-TDG đến hết ngày 28/02/2025" "$T/silence.html"
stop notifier; PAR_NOW=2025-02-10T09:00:00+07:00 start notifier; wait_up notifier; sleep 1.5
n1=$("$BIN/parctl" alerts --json | grep -c '"task": "PL23-SIPAS-1-TDG"')
stop notifier; PAR_NOW=2025-03-10T09:00:00+07:00 start notifier; wait_up notifier; sleep 1.5
n2=$("$BIN/parctl" alerts --json | grep -c '"task": "PL23-SIPAS-1-TDG"')
check "silenced (through a restart): no alert for it meanwhile ($n0 then $n1), resumed after ($n2)" \
    test "$n0" -ge 1 -a "$n1" -eq "$n0" -a "$n2" -gt "$n1"

# the appraisers' form: every criterion of a unit with its flags, a value and a reason each
curl -s -b "$T/admin.jar" "$U/season?index=PAR&year=2023&level=district&unit=TDG" >"$T/appr-form.html"
check "the appraisal form lists TDG's criteria with value and reason inputs" grep -q 'name="a_1.5"' "$T/appr-form.html"
check "... the documents one click away" grep -q 'href="/units/TDG?index=PAR&amp;year=2023">Tài liệu kiểm chứng' "$T/appr-form.html"
csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/appr-form.html" | head -1)
rc=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/admin.jar" --data-urlencode "a_1.5=1,2" \
    --data-urlencode "r_1.5=Có 1 sáng kiến được công nhận" -d "unit=TDG&index=PAR&year=2023&level=district&csrf=$csrf" \
    "$U/season/appraise")
check "appraisals sent from the form ($rc)" test "$rc" = 303
check "... stored as the appraiser's line with its reason" sh -c "$BIN/parctl history TDG --index PAR --year 2023 --criterion 1.5 --json | grep -q 'Có 1 sáng kiến được công nhận'"

# months later, the half-year's report comes late: said so, with the day the province received it
stop notifier; stop collector
PAR_NOW=2025-07-25T09:00:00+07:00 start collector; PAR_NOW=2025-07-25T09:00:00+07:00 start notifier
wait_up collector; wait_up notifier
G -o /dev/null -d "task=PL23-BC-TDG&year=2025&period=H1&note=Báo cáo 6 tháng&csrf=$(G "$U/tasks" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)" "$U/tasks/done"
for _ in $(seq 1 50); do # the notifier catches up after the restart
    G "$U/download/reporting.csv" >"$T/reporting3.csv"
    grep -q ';2025 H1;.*;25/07/2025;' "$T/reporting3.csv" && break
    sleep 0.2
done
check "a late report said late, with the day received" grep -q '^báo cáo định kỳ;TDG;.*;2025 H1;20/06/2025;25/07/2025;muộn, 25/07/2025' "$T/reporting3.csv"
check "... the earlier one still on time" grep -q ';2025 Q1;20/03/2025;10/01/2025;đúng hạn, 10/01/2025' "$T/reporting3.csv"
G "$U/reporting" >"$T/reporting3.html"
check "... and TDG's rate: 2 due, 2 sent, 1 on time, 1 late" grep -q 'Huyện Tam Đường</td><td class="n">[0-9]*</td><td class="n">2</td><td class="n">1</td><td class="n">1</td>' "$T/reporting3.html"

# /metrics behind its token
check "/metrics without the token: 401" test "$(code "$U/metrics")" = "401 "
curl -s -H "Authorization: Bearer $(cat "$T/metrics.token")" "$U/metrics" >"$T/metrics.txt"
check "/metrics with it: each service's state" grep -q '^par_service_up{service="collector"} 1' "$T/metrics.txt"

# logout; throttled logins
csrf=$(G "$U/" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
check "logout" test "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/tdg.jar" -d "csrf=$csrf" "$U/logout")" = 303
check "the old session no longer opens a page" test "$(code -b "$T/tdg.jar" "$U/")" = "303 $U/login"
for i in 1 2 3 4 5; do login "$T/x.jar" quantri sai >/dev/null; done
check "after five wrong passwords the account waits" test "$(login "$T/x.jar" quantri mat-khau-quan-tri)" = 429
check "... and is told how long" grep -q "Đăng nhập sai quá nhiều lần" "$T/login-answer.html"
# under TLS (libmicrohttpd's, [web] tls_cert and tls_key): the cookie is Secure, HSTS sent
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -days 2 -keyout "$T/web.key" -out "$T/web.crt" 2>/dev/null ||
    fail "a test certificate"
stop web
printf '[web]\ntls_cert = %s\ntls_key = %s\n' "$T/web.crt" "$T/web.key" >>"$PAR_CONF"
start web
S="https://127.0.0.1:$WPORT"
for _ in $(seq 1 50); do curl -ks -o /dev/null "$S/login" && break; sleep 0.1; done
curl -ks -c "$T/tls.jar" "$S/login" >"$T/form.html"
tok=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/form.html" | head -1)
curl -ks -D "$T/tls-headers.txt" -o /dev/null -c "$T/tls.jar" -b "$T/tls.jar" --data-urlencode "user=tamduong" \
    --data-urlencode "password=mat-khau-tam-duong" --data-urlencode "csrf=$tok" "$S/login"
check "under TLS the session cookie is Secure" grep -qi '^Set-Cookie: par_session=.*; Secure' "$T/tls-headers.txt"
check "... and HSTS is sent" grep -qi '^Strict-Transport-Security: max-age=' "$T/tls-headers.txt"
check "... the dashboard served over https" sh -c "curl -ks -b $T/tls.jar '$S/?index=PAR&year=2023&level=district' | grep -q 'data-unit=\"TDG\"'"
check "... plain http is not answered as a page" sh -c "! curl -s -m 3 -o /dev/null -w '%{http_code}' http://127.0.0.1:$WPORT/login | grep -q 200"
# the scorer away: a unit's page says the system did not answer (503), not that the unit
# has no result (404)
stop scorer
rc=$(curl -ks -m 30 -o "$T/down.html" -w '%{http_code}' -b "$T/tls.jar" "$S/units/TDG?index=PAR&year=2023")
check "with the scorer stopped a unit's page is 503 ($rc)" test "$rc" = 503
check "... saying the system did not answer, in Vietnamese" grep -q "hệ thống chưa trả lời" "$T/down.html"
finish
