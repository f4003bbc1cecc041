# Security (issue 6), the part that exists: CurveZMQ with a ZAP handler. The broker
# checks at start that an unregistered key is refused; registered keys get in; a
# keyless, unknown or revoked key is refused and the client says so within seconds,
# without a broker restart; secret key files are 0600; the scorer keeps working
# through the broker's internal socket.
. "$(dirname "$0")/lib.sh"
K=$T/keys
mkdir -p "$K"
( cd "$K" && "$BIN/parctl" keys init >/dev/null && "$BIN/parctl" keys add --admin ops >/dev/null &&
  "$BIN/parctl" keys add TDG >/dev/null && "$BIN/parctl" keys add TUY >/dev/null &&
  "$BIN/parctl" keys add TDG-TT >/dev/null && "$BIN/parctl" keys add --appraiser snv >/dev/null ) || fail "keys"
check "server secret key is 0600" test "$(stat -c %a "$T/var/keys/server.key")" = 600
check "client secret key is 0600" test "$(stat -c %a "$K/TDG.key")" = 600
printf '[broker]\ncurve = on\n' >>"$PAR_CONF"
conf_for() { # conf_for NAME: a client config with NAME's key
    sed "s#^\[general\]\$#[general]\nkey_file = $K/$1.key\nserver_key = $T/var/keys/server.pub#" "$PAR_CONF" >"$T/$1.conf"
}
conf_for ops; conf_for TDG; conf_for TUY; conf_for TDG-TT; conf_for snv
start broker; start collector; start scorer; start notifier
sleep 1
check "the broker checked that an unregistered key is refused" grep -q "zap_selfcheck result=unregistered_key_refused" "$T/broker.log"
export PAR_CONF_BROKER=$PAR_CONF
PAR_CONF=$T/ops.conf
for _ in $(seq 1 50); do "$BIN/parctl" status >/dev/null 2>&1 && break; sleep 0.1; done
check "an admin key gets in" "$BIN/parctl" status
import_sample
PAR_CONF=$T/TDG.conf
check "a registered unit key pushes" "$BIN/par-agent" push "$ROOT/data/submissions/tamduong-2023.csv"
check "the collector knows who sent it" sh -c "PAR_CONF=$T/ops.conf '$BIN/parctl' export submissions --unit TDG --json | grep -q '\"sender\": \"unit:TDG\"'"
check "the scorer scores through the internal socket" sh -c "sleep 0.5; PAR_CONF=$T/ops.conf '$BIN/parctl' scores --index PAR --year 2023 | grep -q TDG"

# a unit key's heartbeat speaks for that unit only (issue 14, item 2)
if [ -n "${PAR_HOSTILE:-}" ]; then
    "$PAR_HOSTILE" heartbeats 1 0 0 TUY >"$T/hb.txt" 2>&1
    check "TDG's key may not report TUY's agent: $(tail -1 "$T/hb.txt")" \
        grep -q "the key of unit TDG may not report the agent of TUY" "$T/hb.txt"
    "$PAR_HOSTILE" heartbeats 1 0 0 TDG >"$T/hb2.txt" 2>&1
    check "but its own" grep -q "^accepted 1 " "$T/hb2.txt"
    # a unit key reads its own unit's alerts, however it asks: "under" alone once listed
    # the whole province's
    PAR_CONF=$T/ops.conf "$BIN/parctl" alerts --json >"$T/alerts-all.json" 2>&1
    "$PAR_HOSTILE" query notifier alerts '{"under":"TDG"}' >"$T/alerts-under.json" 2>&1
    check "a unit key asking for the alerts 'under' its unit gets its unit's only" python3 -c "
import json
every = json.load(open('$T/alerts-all.json'))
got = json.load(open('$T/alerts-under.json'))
assert [a for a in every if all(t['unit'] != 'TDG' for t in a['to'])], 'no alert to another unit: nothing to tell'
assert got and all(any(t['unit'] == 'TDG' for t in a['to']) for a in got), got
"
fi
# an agent configured for another unit than its key's: its log and status say the province
# refuses its heartbeats (nothing else would tell the technician)
{ cat "$T/TDG.conf"; printf '[agent]\nspool_dir = %s/spool-hb\nunit = TUY\n' "$T"; } >"$T/hb.conf"
start agent -c "$T/hb.conf" run
for _ in $(seq 1 50); do grep -q "event=heartbeat_refused" "$T/agent.log" && break; sleep 0.1; done
check "a refused heartbeat is logged" grep -q 'event=heartbeat_refused reason="the key of unit TDG may not report the agent of TUY"' "$T/agent.log"
check "and par-agent status shows it" sh -c "'$BIN/par-agent' -c '$T/hb.conf' status | grep -q 'refused this agent.s heartbeat'"
stop agent

# authorization, from the key and not from anything the client writes
printf 'unit,year,period,kind,key,value,date,note\nTDG,2023,Y,score,1.5,1,,own unit\nTDG-TT,2024,Q1,task,PL24-PAR-2-TDG-TT,done,,a commune below\nTUY,2023,Y,score,1.5,1,,another district\nTDG,2023,Y,appraisal,1.5,0,,self-appraisal\n' >"$T/mixed.csv"
rc=0; "$BIN/par-agent" push "$T/mixed.csv" >"$T/authz.txt" 2>&1 || rc=$?
check "a unit key's push with foreign lines fails" test $rc -eq 1
check "own unit and the units below accepted" grep -q "4 lines, 2 stored" "$T/authz.txt"
check "another district refused with a reason" grep -q "line 4: unit TUY is neither TDG nor below it" "$T/authz.txt"
check "appraisal refused for a unit key" grep -q "line 5: only the province's appraiser keys may send appraisal lines" "$T/authz.txt"
check "nothing stored for the other district" sh -c "! PAR_CONF=$T/ops.conf '$BIN/parctl' export submissions --unit TUY | grep -q 'another district'"
rc=0; "$BIN/parctl" import units "$ROOT/data/units.csv" >"$T/import.txt" 2>&1 || rc=$?
check "a unit key may not import reference data" test $rc -eq 1
check "and is told so" grep -q "only admin keys may import reference data" "$T/import.txt"
rc=0; "$BIN/parctl" backup "$T/bk" >"$T/bk.txt" 2>&1 || rc=$?
check "a unit key may not take backups" test $rc -ne 0
check "and is told so" grep -q "only admin keys may take backups" "$T/bk.txt"
check "an admin key may" sh -c "PAR_CONF=$T/ops.conf '$BIN/parctl' backup '$T/bk2' >/dev/null"

# a commune's key may not appraise, even itself; the province's appraiser key may
printf 'unit,year,period,kind,key,value,date,note\nTDG-TT,2024,Q1,task,PL24-PAR-2-TDG-TT,50,,\nTDG,2023,Y,appraisal,1.5,0.5,,\n' >"$T/commune.csv"
rc=0; PAR_CONF=$T/TDG-TT.conf "$BIN/par-agent" push "$T/commune.csv" >"$T/commune.txt" 2>&1 || rc=$?
check "a commune key's appraisal is refused" grep -q "line 3: only the province's appraiser keys may send appraisal lines" "$T/commune.txt"
check "its own task progress is accepted" grep -q "2 lines, 1 stored" "$T/commune.txt"
printf 'unit,year,period,kind,key,value,date,note\nTDG,2023,Y,appraisal,1.5,0.5,,Sáng kiến chưa được công nhận\n' >"$T/snv.csv"
check "the appraiser key appraises any unit" env PAR_CONF="$T/snv.conf" "$BIN/par-agent" push "$T/snv.csv"

# no key at all
PAR_CONF=$PAR_CONF_BROKER
start=$SECONDS
rc=0; timeout 20 "$BIN/par-agent" push "$ROOT/data/submissions/thanuyen-2023.csv" >"$T/nokey.txt" 2>&1 || rc=$?
check "a keyless client is refused (exit $rc)" test $rc -eq 1
check "within 10 s ($((SECONDS - start)) s)" test $((SECONDS - start)) -le 10
check "and says why" grep -q "refused this client's key" "$T/nokey.txt"

# a key that was never registered
( cd "$T" && "$BIN/parctl" keys add --out "$T" ghost >/dev/null && "$BIN/parctl" keys revoke ghost >/dev/null ) 2>/dev/null
# rotation as documented: revoke, then add again (the old key file is moved aside), and a
# registration is 0640 whatever the umask
( cd "$T" && umask 000 && "$BIN/parctl" keys add --out "$T" rot >/dev/null && "$BIN/parctl" keys revoke rot >/dev/null &&
  "$BIN/parctl" keys add --out "$T" rot >"$T/rot.txt" 2>&1 ) || fail "key rotation: $(cat "$T/rot.txt" 2>/dev/null)"
check "rotation keeps the revoked key's file aside" sh -c "ls '$T' | grep -q '^rot.key.revoked-'"
check "the new key file is 0600" test "$(stat -c %a "$T/rot.key")" = 600
REG=$(ls -d "$T"/var/keys/clients/rot 2>/dev/null || ls -d "$K"/var/keys/clients/rot 2>/dev/null)
check "the registration is 0640 under umask 000 ($REG)" test "$(stat -c %a "$REG")" = 640
PAR_CONF=$PAR_CONF_BROKER; conf_for ghost 2>/dev/null
sed -i "s#key_file = $K/ghost.key#key_file = $T/ghost.key#" "$T/ghost.conf"
PAR_CONF=$T/ghost.conf
rc=0; timeout 20 "$BIN/parctl" status >"$T/ghost.txt" 2>&1 || rc=$?
check "an unknown key is refused" test $rc -ne 0
check "and the client says so" grep -q "refused this client's key" "$T/ghost.txt"

# issue 15: who sees what. Before publication a district key reads its own figures only;
# a leader key reads the whole province and writes nothing; after publication everyone
# reads the published ranking.
PAR_CONF=$PAR_CONF_BROKER "$BIN/parctl" keys add --leader lanhdao --out "$K" >/dev/null || fail "leader key"
PAR_CONF=$PAR_CONF_BROKER conf_for lanhdao
PAR_CONF=$T/ops.conf
check "the admin opens the season" "$BIN/parctl" season PAR 2023 --level district --to self
printf '%%PDF-1.4\n%% TDG\n' >"$T/tdg.pdf"
check "TDG's evidence" sh -c "PAR_CONF=$T/TDG.conf $BIN/par-agent evidence --unit TDG --index PAR --year 2023 --criterion 1.4 $T/tdg.pdf >/dev/null"
PAR_CONF=$T/TUY.conf
"$BIN/parctl" scores --index PAR --year 2023 --json >"$T/tuy-scores.json" 2>&1
check "before publication TUY's key does not see TDG in the ranking" sh -c "! grep -q '\"unit\": \"TDG\"' $T/tuy-scores.json"
for what in "report TDG --index PAR --year 2023" "evidence list TDG --index PAR --year 2023" \
            "history TDG --index PAR --year 2023"; do
    rc=0; $BIN/parctl $what >"$T/tuy-read.txt" 2>&1 || rc=$?
    check "TUY's key may not read: parctl $what" test $rc -ne 0
    check "... and is told why" grep -q "unit TDG is neither TUY nor below it, and its PAR 2023 results are not published" "$T/tuy-read.txt"
done
TDGSHA=$(sha256sum "$T/tdg.pdf" | cut -c1-64)
rc=0; "$BIN/parctl" evidence get "$TDGSHA" -o "$T/stolen.pdf" >"$T/tuy-get.txt" 2>&1 || rc=$?
check "TUY's key may not fetch TDG's document by its SHA-256" test $rc -ne 0 -a ! -e "$T/stolen.pdf"
check "... and is told why" grep -q "unit TDG is neither TUY nor below it" "$T/tuy-get.txt"
for what in "tasks --unit TDG" "alerts --unit TDG"; do
    rc=0; $BIN/parctl $what >"$T/tuy-read.txt" 2>&1 || rc=$?
    check "TUY's key may not read: parctl $what" test $rc -ne 0
    check "... and is told why" grep -q "unit TDG is neither TUY nor below it" "$T/tuy-read.txt"
done
"$BIN/parctl" tasks --json >"$T/tuy-tasks.json"
check "TUY's key reads its own tasks" grep -q '"lead": "TUY"' "$T/tuy-tasks.json"
check "... and no other district's" sh -c "! grep -q '\"lead\": \"TDG\"' $T/tuy-tasks.json"
PAR_CONF=$T/TDG.conf
check "TDG reads its own report" sh -c "$BIN/parctl report TDG --index PAR --year 2023 >/dev/null"
PAR_CONF=$T/lanhdao.conf
check "a leader key reads the provisional ranking" sh -c "$BIN/parctl scores --index PAR --year 2023 --json | grep -q '\"unit\": \"TDG\"'"
check "a leader key reads TDG's history" sh -c "$BIN/parctl history TDG --index PAR --year 2023 >/dev/null"
printf 'unit,year,period,kind,key,value,date,note\nTDG,2023,Y,appraisal,1.4,1,,x\n' >"$T/leader.csv"
rc=0; "$BIN/par-agent" push "$T/leader.csv" >"$T/leader.txt" 2>&1 || rc=$?
check "a leader key writes nothing" test $rc -ne 0
check "... and is told so" grep -q "a leader key reads the whole province and writes nothing" "$T/leader.txt"
check "a leader key does not move the season" sh -c "! $BIN/parctl season PAR 2023 --level district --to appraisal 2>/dev/null"
PAR_CONF=$T/ops.conf
check "published" "$BIN/parctl" season PAR 2023 --level district --to published --decision 99/QĐ-UBND --date 20/06/2024
sleep 0.5
PAR_CONF=$T/TUY.conf
check "after publication TUY's key sees TDG in the ranking" sh -c "$BIN/parctl scores --index PAR --year 2023 --json | grep -q '\"unit\": \"TDG\"'"
check "... reads TDG's report" sh -c "$BIN/parctl report TDG --index PAR --year 2023 >/dev/null"
check "... and its evidence" sh -c "$BIN/parctl evidence list TDG --index PAR --year 2023 | grep -q tdg.pdf"
check "... and fetches it" sh -c "$BIN/parctl evidence get $TDGSHA -o $T/published.pdf >/dev/null && cmp -s $T/tdg.pdf $T/published.pdf"

# a revoked key, without restarting the broker
PAR_CONF=$PAR_CONF_BROKER "$BIN/parctl" keys revoke TUY >/dev/null
PAR_CONF=$T/TUY.conf
rc=0; timeout 20 "$BIN/par-agent" push "$ROOT/data/submissions/thanuyen-2023.csv" >"$T/revoked.txt" 2>&1 || rc=$?
check "a revoked key is refused without a broker restart" test $rc -eq 1
check "and the client says so" grep -q "refused this client's key" "$T/revoked.txt"
check "the broker was not restarted" test "$(grep -c 'event=started' "$T/broker.log")" -eq 1

# a public address needs CURVE
printf '[general]\ndata_dir = %s/v2\nendpoint = tcp://0.0.0.0:%d\n' "$T" $((PORT + 3)) >"$T/open.conf"
rc=0; PAR_CONF=$T/open.conf timeout 10 "$BIN/par-broker" >"$T/open.txt" 2>&1 || rc=$?
check "the broker refuses a public endpoint without CURVE" test $rc -eq 2
check "and says so" grep -q "refusing to serve tcp://0.0.0.0" "$T/open.txt"
PAR_CONF=$PAR_CONF_BROKER
finish
