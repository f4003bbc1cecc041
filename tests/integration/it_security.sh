# Security (issue 6), the part that exists: CurveZMQ with a ZAP handler. The broker
# checks at start that an unregistered key is refused; registered keys get in; a
# keyless, unknown or revoked key is refused and the client says so within seconds,
# without a broker restart; secret key files are 0600; the scorer keeps working
# through the broker's internal socket.
. "$(dirname "$0")/lib.sh"
K=$T/keys
mkdir -p "$K"
( cd "$K" && "$BIN/parctl" keys init >/dev/null && "$BIN/parctl" keys add --admin ops >/dev/null &&
  "$BIN/parctl" keys add TDG >/dev/null && "$BIN/parctl" keys add TUY >/dev/null ) || fail "keys"
check "server secret key is 0600" test "$(stat -c %a "$T/var/keys/server.key")" = 600
check "client secret key is 0600" test "$(stat -c %a "$K/TDG.key")" = 600
printf '[broker]\ncurve = on\n' >>"$PAR_CONF"
conf_for() { # conf_for NAME: a client config with NAME's key
    sed "s#^\[general\]\$#[general]\nkey_file = $K/$1.key\nserver_key = $T/var/keys/server.pub#" "$PAR_CONF" >"$T/$1.conf"
}
conf_for ops; conf_for TDG; conf_for TUY
start broker; start collector; start scorer
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

# no key at all
PAR_CONF=$PAR_CONF_BROKER
start=$SECONDS
rc=0; timeout 20 "$BIN/par-agent" push "$ROOT/data/submissions/thanuyen-2023.csv" >"$T/nokey.txt" 2>&1 || rc=$?
check "a keyless client is refused (exit $rc)" test $rc -eq 1
check "within 10 s ($((SECONDS - start)) s)" test $((SECONDS - start)) -le 10
check "and says why" grep -q "refused this client's key" "$T/nokey.txt"

# a key that was never registered
( cd "$T" && "$BIN/parctl" keys add --out "$T" ghost >/dev/null && "$BIN/parctl" keys revoke ghost >/dev/null ) 2>/dev/null
PAR_CONF=$PAR_CONF_BROKER; conf_for ghost 2>/dev/null
sed -i "s#key_file = $K/ghost.key#key_file = $T/ghost.key#" "$T/ghost.conf"
PAR_CONF=$T/ghost.conf
rc=0; timeout 20 "$BIN/parctl" status >"$T/ghost.txt" 2>&1 || rc=$?
check "an unknown key is refused" test $rc -ne 0
check "and the client says so" grep -q "refused this client's key" "$T/ghost.txt"

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
