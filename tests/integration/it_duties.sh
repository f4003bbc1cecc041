# Reporting duties (issue 19, item 2) on the sample province: seed 003's case, Tam Đường's
# review of resolution 08-NQ/TU due 25/5/2023 and received 26/5/2023, one report late,
# 0,5 of criterion 1.2.1 lost by the province's rule (framework data: deduct(reports, 0.5,
# 1)); its quarterly, six-month and year reports due on the report day of the period's last
# month; the scorer's record per unit and period (parctl duties) and the notifier's (parctl
# tasks) agree on every due day and every day received.
. "$(dirname "$0")/lib.sh"
export PAR_NOW=2024-01-10T08:00:00+07:00
# the province's year report falls due earlier than the others: 18 December
echo "report_day_year = 18" >>"$PAR_CONF"
start_all; import_sample
printf '%s\n' 'plan,id,lead,index,criterion,task,deadline' \
    'Công văn của UBND tỉnh,BC-08NQ-TDG,TDG,PAR,1.2.1,Báo cáo sơ kết Nghị quyết số 08-NQ/TU,25/05/2023' >"$T/tasks.csv"
check "an ad-hoc report imports" "$BIN/parctl" import tasks "$T/tasks.csv"
# recorded by Sở Nội vụ's operator with the day each report was received; the periodic ones
# are the sample's PL23-BC-TDG (Quý I, 6 tháng, Quý III và báo cáo năm)
printf '%s\n' 'unit,year,period,kind,key,value,date,note' \
    'TDG,2023,Y,task,BC-08NQ-TDG,done,26/05/2023,Báo cáo số 120/BC-UBND ngày 24/5/2023' \
    'TDG,2023,Q1,task,PL23-BC-TDG,done,15/03/2023,' 'TDG,2023,H1,task,PL23-BC-TDG,done,19/06/2023,' \
    'TDG,2023,Q3,task,PL23-BC-TDG,done,20/09/2023,' 'TDG,2023,Y,task,PL23-BC-TDG,done,18/12/2023,' >"$T/sent.csv"
check "the reports received" "$BIN/par-agent" push "$T/sent.csv"
for _ in $(seq 1 50); do
    "$BIN/parctl" duties --year 2023 --unit TDG --json 2>/dev/null | grep -q '"late": 1' && break; sleep 0.1
done
COLUMNS=120 "$BIN/parctl" duties --year 2023 --unit TDG >"$T/duties.txt" || fail "parctl duties"
cat "$T/duties.txt"
for want in "Hạn báo cáo định kỳ, ngày của tháng cuối kỳ: báo cáo tháng ngày 20, quý ngày 20, 6 tháng ngày 20, năm ngày 18" \
            "Huyện Tam Đường (TDG) — năm 2023, tiêu chí PAR:1.2.1: 5 báo cáo, 4 đúng hạn, 1 muộn, 0 chưa gửi; theo quy định: 0,50/1,00 điểm"; do
    check "parctl duties says '$want'" grep -qF -- "$want" "$T/duties.txt"
done
check "the review: due 25/05/2023, received 26/05/2023, a day late" \
    grep -qE '^Báo cáo sơ kết Nghị quyết số 08-NQ/TU +đột xuất +25/05/2023 +26/05/2023 +muộn 1 ngày$' "$T/duties.txt"
check "the Q3 report due on the 20th, not the 30th" grep -qE 'quý III +20/09/2023 +20/09/2023 +đúng hạn$' "$T/duties.txt"
"$BIN/parctl" duties --year 2023 --json >"$T/all.json" || fail "parctl duties --json"
check "--json: every due day and day received; Than Uyên's four periodic reports missing" python3 -c "
import json; d={u['unit']:u for u in json.load(open('$T/all.json'))}; assert sorted(d)==['TDG','TUY'], sorted(d)
c=d['TDG']['criteria'][0]; got={(x['task'],x['period']):(x['due'],x['sent'],x['state']) for x in c['duties']}
assert got[('BC-08NQ-TDG','')]==('2023-05-25','2023-05-26','late'), got
assert got[('PL23-BC-TDG','H1')]==('2023-06-20','2023-06-19','on_time'), got
assert got[('PL23-BC-TDG','Y')]==('2023-12-18','2023-12-18','on_time'), got
assert abs(c['points']-0.5)<1e-9
t=d['TUY']['criteria'][0]; assert t['missing']==4 and t['points']==0, t"
# the notifier judges the same reports on the same days
"$BIN/parctl" tasks --unit TDG --json >"$T/tasks.json" || fail "parctl tasks"
check "the notifier: the review done on 26/05/2023, late" python3 -c "
import json; t={x['id']:x for x in json.load(open('$T/tasks.json'))}
x=t['BC-08NQ-TDG']; assert x.get('done_on')=='2023-05-26' and x.get('on_time') is False, x"
# in December the notifier's next deadline of the periodic report is the year report, on the 18th
stop notifier
PAR_NOW=2024-12-02T08:00:00+07:00 start notifier; wait_up notifier
"$BIN/parctl" tasks --unit TDG --json >"$T/dec.json" || fail "parctl tasks in December"
check "the notifier's year report falls due on 18/12/2024, as the scorer's" python3 -c "
import json; d=[x for x in json.load(open('$T/dec.json')) if x['id']=='PL23-BC-TDG' and x.get('period')=='Y']
assert d and d[0]['deadline']=='2024-12-18', d"
finish
