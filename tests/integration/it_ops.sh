# Operations friction (issue 17): --help and unknown options everywhere, the system
# config found without -c, a service the broker has down answered at once and its lag
# unknown, the collector's line per stored batch in local time, log_level by name on
# reload, and the sent-mail archive outside the stores.
. "$(dirname "$0")/lib.sh"

# --help: usage on stdout, exit 0, no config needed, no waiting
for p in par-broker par-collector par-scorer par-notifier par-agent parctl; do
    rc=0; PAR_CONF=/nonexistent timeout 5 "$BIN/$p" --help >"$T/help.out" 2>"$T/help.err" || rc=$?
    check "$p --help exits 0 (got $rc)" test $rc -eq 0
    check "$p --help prints its usage on stdout" grep -q "^usage: $p" "$T/help.out"
    rc=0; timeout 5 "$BIN/$p" --no-such-option >/dev/null 2>"$T/bad.err" || rc=$?
    check "$p refuses an unknown option at once (got $rc)" test $rc -eq 2
    check "$p names the option" grep -q -- "--no-such-option" "$T/bad.err"
done
rc=0; timeout 5 "$BIN/parctl" backup --help >"$T/help.out" 2>&1 || rc=$?
check "parctl backup --help is help, not a folder (got $rc)" test $rc -eq 0
check "parctl backup --help prints the backup usage" grep -q "^usage: parctl backup NAME" "$T/help.out"
rc=0; timeout 5 "$BIN/parctl" scores --index PAR --year 2023 --levle district >/dev/null 2>"$T/bad.err" || rc=$?
check "a misspelt option of a command is refused at once (got $rc)" test $rc -eq 2
check "and named" grep -q "unknown option '--levle'" "$T/bad.err"
rc=0; timeout 5 "$BIN/par-agent" push --help >"$T/help.out" 2>&1 || rc=$?
check "par-agent push --help (got $rc)" test $rc -eq 0

# two config mistakes that used to start silently: named with file and line
printf '[general]\ndata_dir =\n' >"$T/empty.conf"
rc=0; "$BIN/par-collector" -c "$T/empty.conf" >"$T/empty.err" 2>&1 || rc=$?
check "an empty data_dir stops the daemon (exit $rc)" test $rc -ne 0
check "naming file and line" grep -q "empty.conf:2: \[general\] data_dir is empty" "$T/empty.err"
check "and nothing was made at /collector" test ! -e /collector
printf '[general]\ndata_dir = %s/a\nlog_level = info\ndata_dir = %s/b\n' "$T" "$T" >"$T/twice.conf"
rc=0; "$BIN/par-broker" -c "$T/twice.conf" >"$T/twice.err" 2>&1 || rc=$?
check "a key given twice stops the daemon (exit $rc)" test $rc -ne 0
check "naming file and line" grep -q "twice.conf:4: \[general\] data_dir is given twice" "$T/twice.err"

# a service the broker has down: parctl says so at once; the lag is unknown
start broker; start collector; start scorer
wait_up collector; wait_up scorer
import_sample
"$BIN/par-agent" push "$ROOT/data/submissions/tamduong-2023.csv" >/dev/null || fail "push"
stop scorer
for _ in $(seq 1 50); do
    "$BIN/parctl" status | grep -q "^scorer .*DOWN" && break
    sleep 0.1
done
t0=$(date +%s%N)
rc=0; "$BIN/parctl" scores --index PAR --year 2023 >/dev/null 2>"$T/down.err" || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "asking a stopped scorer fails" test $rc -ne 0
check "within 3 s, not the 10 s timeout (took ${ms} ms)" test $ms -lt 3000
check "saying the service is down: $(cat "$T/down.err")" grep -q "service scorer unavailable: the broker" "$T/down.err"
"$BIN/parctl" status >"$T/status.txt"
check "a stopped scorer's lag is unknown, not 0" grep -q "^scorer .*lag=unknown" "$T/status.txt"
"$BIN/parctl" status --json >"$T/status.json"
check "and null in JSON" python3 -c "
import json, sys
s = {x['name']: x for x in json.load(open('$T/status.json'))['services']}
sys.exit(0 if s['scorer'].get('lag', 0) is None else 1)"
start scorer; wait_up scorer
check "a running scorer has its lag" sh -c "'$BIN/parctl' status | grep -q '^scorer .*lag=[0-9]'"

# the collector's journal says who pushed what, in local time
grep "event=stored" "$T/collector.log" >"$T/stored.txt"
check "one info line per stored batch, with sender, unit, file and counts" \
    grep -q 'event=stored sender=[^ ]* unit=TDG file="tamduong-2023.csv" lines=46 stored=46 already=0 refused=0' \
    "$T/stored.txt"
check "log lines carry local time with its offset" grep -qE '^20[0-9-]{8}T[0-9:.]{12}\+07:00 level=' "$T/stored.txt"
kill -HUP "${PIDS[collector]}"
for _ in $(seq 1 30); do grep -q "event=reloaded" "$T/collector.log" && break; sleep 0.1; done
check "a reload names the log level" grep -q "event=reloaded log_level=info" "$T/collector.log"

# the sent-mail archive: outside the notifier's store, an older one moved there once
mkdir -p "$T/var/notifier/mail"
echo "an older message" >"$T/var/notifier/mail/000001-OLD.eml"
start notifier; wait_up notifier
check "an older archive is moved out of the store" test -s "$T/var/mail/000001-OLD.eml" -a ! -e "$T/var/notifier/mail"
check "and the move is logged" grep -q "event=mail_dir_moved" "$T/notifier.log"
for n in "${!PIDS[@]}"; do stop "$n"; done

# with neither -c nor PAR_CONF, /etc/par/par.conf is read when it exists (root only:
# the test lays it down and removes it; a machine that has one is left alone)
if [ "$(id -u)" = 0 ] && [ ! -e /etc/par ]; then
    mkdir -p /etc/par "$T/elsewhere"
    trap 'rm -rf /etc/par; for p in "${PIDS[@]}"; do kill -KILL $p 2>/dev/null; done' EXIT
    printf '[general]\ndata_dir = %s/sys\n' "$T" >/etc/par/par.conf
    (cd "$T/elsewhere" && env -u PAR_CONF "$BIN/parctl" keys init >"$T/keys.out" 2>&1) || fail "keys init: $(cat "$T/keys.out")"
    check "keys init on the server writes under the system config's data_dir" test -s "$T/sys/keys/server.pub"
    check "not into ./var of the current folder" test ! -e "$T/elsewhere/var"
    rm -rf /etc/par
    (cd "$T/elsewhere" && env -u PAR_CONF "$BIN/parctl" keys init >/dev/null 2>&1)
    check "without one, the built-in defaults (./var) as before" test -s "$T/elsewhere/var/keys/server.pub"
else
    echo "not root, or /etc/par exists here: the system config default not checked"
fi
finish
