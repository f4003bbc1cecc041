#!/usr/bin/env bash
# make demo: the provincial server on loopback in a temporary folder, the sample
# province of data/ imported, districts pushing their submissions with par-agent,
# then what the operator sees. Everything is stopped and removed at the end.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/bin
T=$(mktemp -d /tmp/par-demo.XXXXXX)
PORT=$((20000 + RANDOM % 20000))
export PAR_CONF=$T/par.conf
export PAR_NOW=${PAR_NOW:-2024-12-31T08:00:00+07:00}
cat >"$PAR_CONF" <<CONF
[general]
data_dir = $T/var
endpoint = tcp://127.0.0.1:$PORT
[notifier]
; no smtp_url: each digest is written as an e-mail file under mail_dir
holidays_dir = $ROOT/data/holidays
mail_dir = $T/mail
[web]
listen = 127.0.0.1:$((PORT + 1))
CONF
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "Starting the provincial server on 127.0.0.1:$PORT (data in $T/var, clock at $PAR_NOW)"
"$BIN/par-broker" 2>"$T/broker.log" & pids+=($!)
"$BIN/par-collector" 2>"$T/collector.log" & pids+=($!)
"$BIN/par-scorer" 2>"$T/scorer.log" & pids+=($!)
"$BIN/par-notifier" 2>"$T/notifier.log" & pids+=($!)
"$BIN/par-web" 2>"$T/web.log" & pids+=($!)
for _ in $(seq 1 50); do "$BIN/parctl" status >/dev/null 2>&1 && break; sleep 0.1; done
echo "par-broker, par-collector, par-scorer, par-notifier and par-web are running"
echo "the officials' pages: http://127.0.0.1:$((PORT + 1))/ (account quantri, password mat-khau-demo)"

step "Sở Nội vụ loads the reference data: units, the 2023 district PAR framework, plan 336/KH-UBND's tasks"
run "$BIN/parctl" import units "$ROOT/data/units.csv"
run "$BIN/parctl" import framework "$ROOT/data/framework-par-district.csv"
run "$BIN/parctl" import tasks "$ROOT/data/tasks.csv"

echo 'mat-khau-demo' | "$BIN/parctl" users add quantri --role admin --password-stdin

step "The eight districts push their 2022 and 2023 self-assessments and figures"
run "$BIN/par-agent" push "$ROOT/data/submissions/districts-self-2022-2023.csv"

step "Sở Nội vụ pushes its appraisals (each with its reason) and the survey points"
run "$BIN/par-agent" push "$ROOT/data/submissions/snv-appraisal-survey-2022-2023.csv"

step "A file with mistakes: the good lines are stored, each bad one is named with its reason"
cat >"$T/tanuyen-2023.csv" <<'CSV'
unit,year,period,kind,key,value,date,note
TNU,2023,Y,score,1.3,2,12/01/2024,
TNU,2023,Y,score,1.4,2.5,10/01/2024,điểm vượt tối đa
TNU,2023,Y,score,1.2,1,10/01/2024,tiêu chí cha
TNU,2023,Y,score,3.4,bốn,10/01/2024,
TNU,2023,Y,metric,dossiers_total,1950,31/12/2023,
CSV
run "$BIN/par-agent" push "$T/tanuyen-2023.csv"
echo "(exit status $?: non-zero because lines were refused)"

step "The same file pushed again (a lost acknowledgement): nothing is stored twice"
run "$BIN/par-agent" push "$ROOT/data/submissions/districts-self-2022-2023.csv"

step "What the operator sees"
run "$BIN/parctl" status

step "The 2023 PAR INDEX ranking of the districts, recomputed as the pushes arrived (seed 003: Tam Đường 78,12, 4th of 8, +6,05)"
run "$BIN/parctl" scores --index PAR --year 2023 --level district

step "Sở Nội vụ appraises Sìn Hồ's criterion 3.4 at 0: its total falls below Nậm Nhùn's, the ranking follows at once"
cat >"$T/appraisal.csv" <<'CSV'
unit,year,period,kind,key,value,date,note
SHO,2023,Y,appraisal,3.4,0,20/03/2024,"Không có hồ sơ minh chứng, hồ sơ quá hạn chưa xin lỗi"
CSV
run "$BIN/par-agent" push "$T/appraisal.csv"
sleep 0.2
run "$BIN/parctl" scores --index PAR --year 2023 --level district

step "Tam Đường's analysis, written by the system as seed 003 is (Markdown; --format docx, xlsx, pdf, html or csv)"
printf '$ %s\n' "$BIN/parctl report TDG --index PAR --year 2023 --number 167/BC-UBND --date 05/07/2024 | head -24"
"$BIN/parctl" report TDG --index PAR --year 2023 --number 167/BC-UBND --date 05/07/2024 | head -24

step "The stored record of Huyện Tân Uyên for 2023 (export in the submissions format; the first lines)"
printf '$ %s\n' "$BIN/parctl export submissions --unit TNU --year 2023 | head -8"
"$BIN/parctl" export submissions --unit TNU --year 2023 | head -8

step "The notifier at $PAR_NOW: one digest per official, overdue tasks first, escalated when far overdue"
sleep 1
run "$BIN/parctl" alerts
run "$BIN/parctl" tasks --overdue
echo "(no SMTP server is configured, so each digest is an e-mail file in $T/mail)"
run ls "$T/mail"
f=$(ls "$T"/mail/*-TDG.eml | head -1)
printf '$ sed 1,/^$/d %s   (the digest for Huyện Tam Đường)\n' "$f"
sed '1,/^\r$/d' "$f" | tr -d '\r'

step "Than Uyên acknowledges its overdue alert: that task is no longer chased"
n=$("$BIN/parctl" alerts --unit TUY --json | tr -d ' \n' | grep -o '"id":[0-9]*,"key":"[^"]*|overdue|' | head -1 | cut -d, -f1 | grep -o '[0-9]*')
run "$BIN/parctl" ack "$n"

step "An official opens the dashboard in a browser (here: curl, logged in as quantri)"
W=http://127.0.0.1:$((PORT + 1))
tok=$(curl -s -c "$T/jar" -b "$T/jar" "$W/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
curl -s -o /dev/null -c "$T/jar" -b "$T/jar" -d "user=quantri&password=mat-khau-demo&csrf=$tok" "$W/login"
printf '$ curl %s/?index=PAR&year=2023&level=district   (the ranking rows)\n' "$W"
curl -s -b "$T/jar" "$W/?index=PAR&year=2023&level=district" | grep -o '<tr data-unit="[^"]*"><td class="n">[0-9/]*</td><td><a [^>]*>[^<]*</a></td><td class="n">[0-9,]*</td>' |
    sed 's/<[^>]*>/ /g; s/  */ /g'

step "The collector stops: status says so, and a push fails clearly instead of hanging"
kill -TERM "${pids[1]}"; wait "${pids[1]}" 2>/dev/null
sleep 0.1
run "$BIN/parctl" status
run "$BIN/par-agent" push --timeout 3 "$ROOT/data/submissions/thanuyen-2023.csv"
echo
echo "Demo finished."
