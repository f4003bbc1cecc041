# The notifier killed with SIGKILL in the middle of recording a day of thousands of
# alerts (here in transactions of 5, [notifier] record_chunk): until the transaction that
# writes the messages, nothing can go out; restarted, it takes back the alerts no message
# carries (and says so in its log), records the day again, and every overdue task is
# alerted once, each alert carried by a message that is delivered.
export PAR_NOW=2024-12-23T09:00:00+07:00 # a Monday
. "$(dirname "$0")/lib.sh"
cat >>"$PAR_CONF" <<CONF
mail_dir = $T/mail
record_chunk = 5
CONF
N=3000
start broker; start collector; wait_up collector
import_sample
{
    echo "plan,id,lead,support,index,criterion,target,task,deadline"
    for i in $(seq 1 $N); do
        echo "KH-THU,BULK-$i,$([ $((i % 2)) = 0 ] && echo TDG || echo TUY),,,,,Nhiệm vụ số $i,19/12/2024"
    done
} >"$T/bulk.csv"
"$BIN/parctl" import tasks "$T/bulk.csv" >/dev/null || fail "the tasks did not import"

# the state's "recording" is set from the first of a recording's transactions until the last
recording() {
    mdb_dump -s state "$T/var/notifier" 2>/dev/null |
        awk '$1 == "7265636f7264696e67" { getline; if ($1 !~ /^0*$/) found = 1 } END { exit !found }'
}
start notifier
caught=0
for _ in $(seq 1 3000); do
    if recording; then
        killnow notifier
        caught=1
        break
    fi
    sleep 0.01
done
[ $caught = 1 ] || { fail "the recording was never seen under way"; finish; }
check "the killed recording is still marked unfinished" recording
mails() { find "$T/mail" -name '*.eml' 2>/dev/null | wc -l; }
check "nothing went out from the recording cut short" test "$(mails)" = 0

start notifier # (the broker may show the killed one up a while yet: the log says when)
taken_back() { grep -qE 'event=recording_taken_back alerts=[1-9][0-9]*' "$T/notifier.log"; }
for _ in $(seq 1 100); do taken_back && break; sleep 0.1; done
check "the restart takes back the alerts no message carries, and says so" taken_back
alerts_json() { "$BIN/parctl" alerts --json >"$T/alerts.json" 2>/dev/null; }
bulk() { grep -c '"task": "BULK-' "$T/alerts.json"; }
for _ in $(seq 1 300); do
    alerts_json && [ "$(bulk)" -ge $N ] && ! grep -q '"pending"' "$T/alerts.json" && break
    sleep 0.2
done
check "every overdue task alerted once after the restart ($N)" test "$(bulk)" = $N
check "each task once: no alert twice" \
    test "$(grep -o '"key": "BULK-[0-9]*|' "$T/alerts.json" | sort | uniq -d | wc -l)" = 0
check "every delivery made" sh -c "! grep -q '\"pending\"' '$T/alerts.json'"
# the numbers given back were taken again: alerts 1..n without a hole
check "the alert numbers run from 1 without a hole" python3 - "$T/alerts.json" <<'PY'
import json, sys
ids = sorted(a["id"] for a in json.load(open(sys.argv[1])))
sys.exit(0 if ids == list(range(1, len(ids) + 1)) else 1)
PY
msgs=$(grep -o '"message": [0-9]*' "$T/alerts.json" | sort -u | wc -l)
check "one mail per message the alerts name ($msgs)" test "$(mails)" = "$msgs"
check "the recording is finished" sh -c "! mdb_dump -s state '$T/var/notifier' | awk '\$1 == \"7265636f7264696e67\" { getline; if (\$1 !~ /^0*\$/) f = 1 } END { exit !f }'"
finish
