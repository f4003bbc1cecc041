# Acceptance of the notifier issue. At a fixed PAR_NOW, with a local SMTP server
# and webhook receiver (sink.c): the right officials get one digest each, with
# exactly the overdue and due-soon tasks; done, ongoing and undated tasks are not
# alerted; a task far overdue goes up to the units above; a restart the same day
# sends nothing again; an acknowledged or done task stops; a failed delivery is
# retried and shown; SIGKILL between send and record repeats at most that message.
# parctl tasks and alerts read as officials read them: Vietnamese headers and states,
# units by name, the most days late first, every text wrapped whole, the filters, and
# when each delivery actually went out.
export PAR_NOW=2024-12-23T09:00:00+07:00 # a Monday
. "$(dirname "$0")/lib.sh"
SINK=${PAR_SINK:?the sink program (make builds it)}
SMTP=$((PORT + 1)) HTTP=$((PORT + 2))
mkdir -p "$T/sink"
cat >>"$PAR_CONF" <<CONF
smtp_url = smtp://127.0.0.1:$SMTP
mail_from = cchc@snv.laichau.gov.vn
webhook_url = http://127.0.0.1:$HTTP/hook
retry = 2
CONF
"$SINK" "$T/sink" $SMTP $HTTP --fail 1 --kill "$T/notifier.pid" --on 11 2>>"$T/sink.log" &
SINK_PID=$!
trap 'kill -KILL $SINK_PID 2>/dev/null; for p in "${PIDS[@]}"; do kill -KILL $p 2>/dev/null; done' EXIT

start broker; start collector; start scorer; wait_up collector
import_sample
# Thành phố Lai Châu reports its task done before the notifier ever runs
printf 'unit,year,period,kind,key,value,date,note\nTPLC,2024,Y,task,PL23-PAR-12-TPLC,done,2024-12-20,\n' >"$T/done.csv"
"$BIN/par-agent" push "$T/done.csv" >/dev/null || fail "the done report was not accepted"

start_notifier() { start notifier; echo "${PIDS[notifier]}" >"$T/notifier.pid"; wait_up notifier; }
mails() { ls "$T/sink" | grep -c '^smtp-.*\.eml$'; }
posts() { ls "$T/sink" | grep -c '^http-.*\.json$'; }
wait_for() { # wait_for SECONDS COMMAND...
    local end=$(($(date +%s) + $1)); shift
    until "$@"; do [ "$(date +%s)" -lt $end ] || return 1; sleep 0.2; done
}
body() { sed '1,/^\r$/d' "$1" | tr -d '\r\n' | base64 -d; }     # a mail's text
subject() { grep '^Subject:\|^ =?' "$1" | sed 's/^Subject: //; s/^ //; s/=?UTF-8?B?\(.*\)?=/\1/' | tr -d '\r' |
            while read -r w; do printf '%s' "$w" | base64 -d; done; }
mail_to() { grep -l "^X-Rcpt: .*$1" "$T/sink"/smtp-*.eml; }         # the mails to an address

start_notifier
check "a first delivery refused by the server is shown as retrying" \
    wait_for 5 sh -c "'$BIN/parctl' alerts --json | grep -q '\"state\": \"retrying\"'"
check "the refusal's reason is shown, in Vietnamese" sh -c "COLUMNS=1000 '$BIN/parctl' alerts | grep -q '^    Lỗi: thư điện tử tới .* không gửi được 1 lần, thử lại lúc [0-9/]* [0-9:]*: .*answered 451'"
check "7 digests by e-mail (the refused one retried)" wait_for 20 sh -c "[ \$(ls '$T/sink' | grep -c '^smtp-') -eq 7 ]"
check "7 digests by webhook" wait_for 10 sh -c "[ \$(ls '$T/sink' | grep -c '^http-') -eq 7 ]"
check "the failed attempt is in the log" grep -q 'event=delivery_failed.*451' "$T/notifier.log"

# who got what
declare -A WANT=([vpubnd@laichau.gov.vn]="PL23-SIPAS-1-TDG PL23-SIPAS-2-TUY PL24-PAR-4-TDG-BGI"
    [ubnd.tamduong@laichau.gov.vn]="PL23-SIPAS-1-TDG PL24-PAR-4-TDG-BGI PL23-PAR-6-TDG PL23-PAR-14-TDG"
    [ubnd.thanuyen@laichau.gov.vn]="PL23-SIPAS-2-TUY PL23-PAR-10-TUY"
    [tt.tamduong@laichau.gov.vn]="PL23-SIPAS-1-TDG"
    [tt.thanuyen@laichau.gov.vn]="PL23-SIPAS-2-TUY"
    [xa.bangiang@laichau.gov.vn]="PL24-PAR-4-TDG-BGI"
    [xa.banbo@laichau.gov.vn]="PL24-PAR-10-TDG-BBO")
ALL="PL23-PAPI-1.1-TDG PL23-PAPI-4.3-TDG PL23-PAPI-4.4-TDG PL23-SIPAS-1-TDG PL23-SIPAS-2-TUY PL23-PAR-1-TDG
     PL23-PAR-6-TDG PL23-PAR-10-TUY PL23-PAR-12-TPLC PL23-PAR-14-TDG PL23-BC-TDG PL23-BC-TUY PL24-PAR-2-TDG-TT
     PL24-PAR-4-TDG-BGI PL24-PAR-10-TDG-BBO PL24-BC-TPLC-DKE"
for addr in "${!WANT[@]}"; do
    files=$(mail_to "$addr")
    check "$addr gets exactly one digest" test "$(echo "$files" | grep -c .)" -eq 1
    [ -n "$files" ] || continue
    text=$(body $files)
    for id in $ALL; do
        if [[ " ${WANT[$addr]} " == *" $id "* ]]; then
            check "$addr is told about $id" grep -q "Mã nhiệm vụ: $id;" <<<"$text"
        else
            check "$addr is not told about $id" sh -c "! grep -q 'Mã nhiệm vụ: $id;' <<'X'
$text
X"
        fi
    done
done
check "both Tam Đường addresses are on its digest" grep -q "^X-Rcpt: <ubnd.tamduong@laichau.gov.vn> <cchc.tamduong@laichau.gov.vn>" $(mail_to ubnd.tamduong)
check "Thành phố Lai Châu, whose task is done, gets nothing" test -z "$(mail_to ubnd.tplaichau || true)"
td=$(mail_to ubnd.tamduong)
check "the subject counts overdue and due-soon tasks" test "$(subject $td)" = "[CCHC] 2 nhiệm vụ quá hạn, 2 sắp đến hạn"
text=$(body $td)
check "the digest is Vietnamese with the deadline, days overdue and the units (due Saturday 30/11, so Monday 02/12: Civil Code art. 148)" grep -q "Đã quá hạn 21 ngày (15 ngày làm việc)" <<<"$text"
check "days left are counted in working days" grep -q "Còn 8 ngày (6 ngày làm việc)" <<<"$text"
check "the lead and supporting units are named" grep -q "Chủ trì: Huyện Tam Đường (TDG); phối hợp: Thị trấn Tam Đường (TDG-TT)" <<<"$text"
a=$(grep -n 'NHIỆM VỤ QUÁ HẠN (2)' <<<"$text" | cut -d: -f1) b=$(grep -n 'NHIỆM VỤ SẮP ĐẾN HẠN (2)' <<<"$text" | cut -d: -f1)
check "overdue tasks come before the reminders" test "${a:-99}" -lt "${b:-0}"
check "Tam Đường is told about its commune's task as the unit above" grep -q "cấp trên của đơn vị chủ trì" <<<"$text"
check "addressed as officials address each other" grep -q "^Kính gửi: UBND huyện Tam Đường" <<<"$text"
check "each task shows the criterion it serves and the points at stake" \
    grep -q "Điểm có nguy cơ bị trừ: 3,00 điểm ở tiêu chí 4.1 - Sắp xếp, kiện toàn tổ chức bộ máy" <<<"$text"
check "... and says how this unit reports done (no web page configured: its agent)" \
    grep -q "qua phần mềm gửi số liệu của đơn vị" <<<"$text"
check "the province is told about far-overdue tasks" grep -q "PL24-PAR-4-TDG-BGI" <<<"$(body $(mail_to vpubnd))"
check "webhook bodies are JSON with the alerts" grep -q '"unit":"TDG".*"task":"PL23-SIPAS-1-TDG"' "$T"/sink/http-*.json
check "every alert is recorded as sent" sh -c "! '$BIN/parctl' alerts --json | grep '\"state\"' | grep -v '\"sent\"'"
"$BIN/parctl" tasks --unit TDG --overdue --json >"$T/overdue.json"
check "parctl tasks --overdue lists Tam Đường's overdue task" grep -q '"id": "PL23-SIPAS-1-TDG"' "$T/overdue.json"
check "and not the ones still open" sh -c "! grep -q 'PL23-PAR-6-TDG' '$T/overdue.json'"
COLUMNS=100 "$BIN/parctl" tasks --unit TDG >"$T/tasks-tdg.txt"
check "parctl tasks shows the ongoing task as such, in Vietnamese" grep -qE '^PL23-PAPI-1\.1-TDG +Huyện Tam Đường .* thường xuyên$' "$T/tasks-tdg.txt"
check "--unit TDG holds its commune's task (the notifier's under)" grep -qE '^PL24-PAR-4-TDG-BGI +Xã Bản Giang ' "$T/tasks-tdg.txt"
check "... and not another district's" sh -c "! grep -q '^PL23-SIPAS-2-TUY ' '$T/tasks-tdg.txt'"
check "... in --json too" grep -q '"id": "PL24-PAR-4-TDG-BGI"' "$T/overdue.json"

# the whole list: Vietnamese headers and states, units by name, the most days late first
COLUMNS=100 "$BIN/parctl" tasks >"$T/tasks.txt"
"$BIN/parctl" tasks --json >"$T/tasks.json"
check "parctl tasks: Vietnamese headers" grep -qE '^Mã nhiệm vụ +Chủ trì +Phối hợp +Hạn +Tình trạng$' "$T/tasks.txt"
for st in "quá hạn 175 ngày" "đang thực hiện, còn" "đã hoàn thành" "thường xuyên" "chưa có hạn"; do
    check "parctl tasks: a state reads '$st'" grep -qF "$st" "$T/tasks.txt"
done
check "... no English state left" sh -c "! grep -qwE 'overdue|open|done|ongoing|no_date|unreadable' '$T/tasks.txt'"
check "... lead and supporting units by name, the deadline as dd/mm/yyyy" \
    grep -qE '^PL23-SIPAS-1-TDG +Huyện Tam Đường +Thị trấn Tam Đường +02/12/2024 +quá hạn 21 ngày$' "$T/tasks.txt"
ids() { grep -oE '^[A-Z][^ ]+ ' "$1" | grep -v '^Mã \|^Tổng ' | tr -d ' '; }
ids "$T/tasks.txt" >"$T/tasks.ids"
check "... sorted: overdue the most days late first, then open by days left, done, undated last" python3 -c "
import json, sys
rows = {r['id']: r for r in json.load(open('$T/tasks.json'))}
ids = open('$T/tasks.ids').read().split()
group = {'overdue': 0, 'open': 1, 'done': 2}
keys = [(group.get(rows[i]['state'], 3), rows[i].get('days', 0) if rows[i]['state'] in group else 0) for i in ids]
sys.exit(0 if ids[0] == 'PL24-PAR-4-TDG-BGI' and len(ids) == len(rows) and keys == sorted(keys)
         and keys[0][0] == 0 and keys[-1][0] == 3 and any(k[0] == 2 for k in keys) else 1)"
check "... the plan's words for a deadline whole, wrapped in its column" python3 -c "
import sys
lines = open('$T/tasks.txt', encoding='utf-8').read().split('\n')
a, b = lines[0].index('Hạn'), lines[0].index('Tình trạng')
i = next(k for k, l in enumerate(lines) if l.startswith('PL23-BC-TDG '))
cell = []
for l in lines[i:]:
    if l.startswith('    Nội dung:'):
        break
    cell.append(l[a:b].strip())
cell = ' '.join(x for x in cell if x)
sys.exit(0 if cell == '20/03/2025 (kỳ quý I năm 2025) Quý I, 6 tháng, Quý III và báo cáo năm' else 1)"
COLUMNS=60 "$BIN/parctl" tasks >"$T/tasks60.txt"
check "at 60 columns no line is wider, and every task's text is there whole" python3 -c "
import json, re, sys
text = open('$T/tasks60.txt', encoding='utf-8').read()
lines = text.split('\n')
para = ' '.join(l[4:] for l in lines if re.match(r'^ {4}\S', l))
whole = all('Nội dung: ' + ' '.join(r['task'].split()) in para for r in json.load(open('$T/tasks.json')))
sys.exit(0 if whole and max(len(l) for l in lines) <= 60 else 1)"

# the filters
check "--index SIPAS: that index's tasks only" test "$("$BIN/parctl" tasks --index sipas >"$T/sipas.txt"; ids "$T/sipas.txt" | sort | tr '\n' ' ')" = "PL23-SIPAS-1-TDG PL23-SIPAS-2-TUY "
"$BIN/parctl" tasks --since 31/12/2024 --json >"$T/since.json"
check "--since 31/12/2024: deadlines on or after it, none undated" python3 -c "
import json, sys
rows = json.load(open('$T/since.json'))
sys.exit(0 if rows and all(r['deadline'] >= '2024-12-31' for r in rows) else 1)"
check "... the same written YYYY-MM-DD" sh -c "'$BIN/parctl' tasks --since 2024-12-31 --json | cmp -s - '$T/since.json'"
check "... and at the terminal" sh -c "'$BIN/parctl' tasks --since 31/12/2024 >'$T/since.txt' && grep -q '^PL23-PAR-6-TDG ' '$T/since.txt' && ! grep -q '^PL23-SIPAS-1-TDG ' '$T/since.txt' && ! grep -q '^PL23-PAPI-1.1-TDG ' '$T/since.txt'"
rc=0; "$BIN/parctl" tasks --since 31/02/2024 >/dev/null 2>"$T/since-bad.txt" || rc=$?
check "--since with no such date is a usage error" sh -c "[ $rc -eq 2 ] && grep -q 'not a date' '$T/since-bad.txt'"

# alerts: Vietnamese headers and kinds, and when each delivery actually went out
COLUMNS=1000 "$BIN/parctl" alerts >"$T/alerts.txt"
"$BIN/parctl" alerts --json >"$T/alerts.json"
check "parctl alerts: Vietnamese headers" grep -qE '^Số +Loại +Mã nhiệm vụ +Hạn +Cảnh báo ngày +Tình trạng$' "$T/alerts.txt"
check "... an overdue alert reads quá hạn, its dates dd/mm/yyyy" grep -qE '^ *[0-9]+ +quá hạn +PL23-SIPAS-1-TDG +02/12/2024 +23/12/2024 +đã gửi$' "$T/alerts.txt"
check "... a reminder reads nhắc hạn" grep -qE '^ *[0-9]+ +nhắc hạn +PL23-PAR-6-TDG +31/12/2024 ' "$T/alerts.txt"
check "... each recipient's deliveries with the time they went out" \
    grep -qE '^    Gửi TDG \(chủ trì\): thư điện tử đã gửi lúc 23/12/2024 09:0[0-9]; webhook đã gửi lúc 23/12/2024 09:0[0-9]$' "$T/alerts.txt"
check "the alerts' JSON gives every sent delivery its time (sent_at); the refused one went out after its retry" python3 -c "
import json, sys
from datetime import datetime
late = 0
for a in json.load(open('$T/alerts.json')):
    made = datetime.fromisoformat(a['created'])
    for r in a['to']:
        for ch, st in r['deliveries'].items():
            if st != 'sent' or ch not in r['sent_at']:
                sys.exit(1)
            gap = (datetime.fromisoformat(r['sent_at'][ch]) - made).total_seconds()
            if gap < 0:
                sys.exit(1)
            late += gap >= 2
sys.exit(0 if late >= 1 else 1)"

# a restart the same day sends nothing again
stop notifier
start_notifier
sleep 2
check "a restart the same day sends no mail" test "$(mails)" -eq 7
check "and no webhook" test "$(posts)" -eq 7

# the next day: an acknowledged task and a task reported done stop; the rest repeat
tuy=$("$BIN/parctl" alerts --unit TUY --json | grep -B4 '"task": "PL23-SIPAS-2-TUY"' | grep -o '"id": [0-9]*' | head -1 | grep -o '[0-9]*')
check "Than Uyên acknowledges its overdue alert" sh -c "'$BIN/parctl' ack '$tuy' >'$T/ack.txt'"
check "... told in Vietnamese: $(cat "$T/ack.txt")" \
    grep -qx "Đã xác nhận cảnh báo số $tuy: ngừng cảnh báo nhiệm vụ PL23-SIPAS-2-TUY, hạn 30/11/2024." "$T/ack.txt"
check "an unknown alert cannot be acknowledged" sh -c "! '$BIN/parctl' ack 9999 2>/dev/null"
rc=0; "$BIN/parctl" alerts --unit TUYY >"$T/tuyy.txt" 2>&1 || rc=$?
check "a mistyped unit's alerts are refused, not shown as none (exit $rc): $(head -1 "$T/tuyy.txt")" \
    sh -c "[ $rc -ne 0 ] && grep -q 'TUYY' '$T/tuyy.txt' && ! grep -q 'Chưa có cảnh báo nào' '$T/tuyy.txt'"
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Y,task,PL23-SIPAS-1-TDG,done,2024-12-23,\n' >"$T/done2.csv"
"$BIN/par-agent" push "$T/done2.csv" >/dev/null || fail "the second done report was not accepted"
stop notifier
export PAR_NOW=2024-12-24T09:00:00+07:00
start_notifier
check "day 2: the still-overdue commune task is chased again, up to the province" wait_for 10 sh -c "[ \$(ls '$T/sink' | grep -c '^smtp-') -eq 10 ]"
sleep 1
check "day 2: three digests and no more" test "$(mails)" -eq 10
for f in $(ls "$T"/sink/smtp-*.eml | tail -3); do
    check "day 2 mails are about PL24-PAR-4-TDG-BGI only" sh -c "body() { sed '1,/^\r\$/d' \"\$1\" | tr -d '\r\n' | base64 -d; }; t=\$(body '$f'); echo \"\$t\" | grep -q PL24-PAR-4-TDG-BGI && ! echo \"\$t\" | grep -q 'PL23-SIPAS'"
done

# day 3: the sink kills the notifier once the 11th mail has arrived, before the
# notifier records it; after a restart, that one mail is repeated and no other
stop notifier
export PAR_NOW=2024-12-25T09:00:00+07:00
start_notifier
wait_for 10 grep -q "killed" "$T/sink.log"
check "the sink killed the notifier between send and record" grep -q "after mail 11" "$T/sink.log"
sleep 0.5
unset "PIDS[notifier]"
start_notifier
check "day 3 completes after the crash" wait_for 10 sh -c "[ \$(grep -l 'Date: Wed, 25 Dec' '$T'/sink/smtp-*.eml | xargs grep -h '^Message-ID' | sort -u | wc -l) -eq 3 ]"
sleep 1
total=$(grep -l 'Date: Wed, 25 Dec' "$T"/sink/smtp-*.eml | wc -l)
check "at most the one message in flight was repeated ($total mails for 3 digests)" test "$total" -le 4
check "the repeat carries the same Message-ID" test "$(grep -h '^Message-ID' "$T"/sink/smtp-*.eml | sort | uniq -d | wc -l)" -le 1

# a second plan: --plan finds it by part of its number or name, case and diacritics
# ignored; a deadline the notifier cannot read is said so (neither task is alerted today)
printf '%s\n' 'plan,id,lead,support,index,criterion,task,deadline' \
    'Kế hoạch 1234/KH-UBND,PL25-PCI-1-TDG-BGI,TDG-BGI,,PCI,2,Rà soát các thủ tục hành chính của xã,khi nào rảnh' \
    'Kế hoạch 1234/KH-UBND,PL25-PCI-2-TUY,TUY,,PCI,3,Công khai kết quả giải quyết hồ sơ,31/12/2025' >"$T/plan2.csv"
"$BIN/parctl" import tasks "$T/plan2.csv" >/dev/null 2>&1 || fail "the second plan did not import"
sleep 0.5
check "--plan 1234/kh: that plan's tasks only" test "$("$BIN/parctl" tasks --plan 1234/kh >"$T/plan.txt"; ids "$T/plan.txt" | sort | tr '\n' ' ')" = "PL25-PCI-1-TDG-BGI PL25-PCI-2-TUY "
check "--plan 'ke hoach 1234', written without diacritics, finds it too" \
    test "$("$BIN/parctl" tasks --plan 'ke hoach 1234' | grep -c '^PL25-')" -eq 2
check "--plan 336: the first plan's tasks, not the second's" sh -c "'$BIN/parctl' tasks --plan 336 >'$T/plan336.txt' && grep -q '^PL23-SIPAS-2-TUY ' '$T/plan336.txt' && ! grep -q '^PL25-' '$T/plan336.txt'"
check "--plan and --unit together: the commune's task under TDG" test "$("$BIN/parctl" tasks --unit TDG --plan 1234 | grep -c '^PL25-')" -eq 1
check "--index PCI: the new index's two tasks" test "$("$BIN/parctl" tasks --index PCI | grep -c '^PL25-PCI-')" -eq 2
check "an unreadable deadline reads không đọc được hạn, with the plan's words" \
    grep -qE '^PL25-PCI-1-TDG-BGI +Xã Bản Giang +— +khi nào rảnh +không đọc được hạn$' "$T/plan.txt"
check "--plan with nothing to find says so" sh -c "'$BIN/parctl' tasks --plan 'không có' | grep -qx 'Không có nhiệm vụ nào.'"

stop notifier
kill -TERM $SINK_PID 2>/dev/null
finish
