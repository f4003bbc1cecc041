# par-web in a real browser (issue 16): tests/browser/web.py drives Debian's chromium
# through chromium-driver and python3-selenium over the sample province; screenshots of
# each page are written under build/test-output/browser/. Skipped, saying so, where
# chromium is not installed (make deps installs it).
. "$(dirname "$0")/lib.sh"
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! /usr/bin/python3 -c 'import selenium' 2>/dev/null; then
    echo "it_browser: chromium, chromium-driver or python3-selenium missing (make deps installs them)" >&2
    fail "no browser to test with"
    finish
fi
export PAR_NOW=2025-01-10T08:00:00+07:00
WPORT=$((PORT + 1))
printf '[web]\nlisten = 127.0.0.1:%d\n' "$WPORT" >>"$PAR_CONF"
start_all; import_sample
start web
check "sample pushes" "$BIN/par-agent" push "$ROOT/data/submissions/districts-self-2022-2023.csv" \
    "$ROOT/data/submissions/snv-appraisal-survey-2022-2023.csv"
account() { echo "$3" | "$BIN/parctl" users add "$1" $2 --password-stdin >/dev/null || fail "account $1"; }
account quantri "--role admin" mat-khau-quan-tri
account thamdinh "--role appraiser" mat-khau-tham-dinh
account tamduong "--role unit --unit TDG" mat-khau-tam-duong
account bangiang "--role unit --unit TDG-BGI" mat-khau-ban-giang
OUT=${PAR_TEST_OUT:-$ROOT/build/test-output}/browser
rm -rf "$OUT"; mkdir -p "$OUT"
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$WPORT/login" && break; sleep 0.1; done
check "the browser test passes" timeout 300 /usr/bin/python3 "$ROOT/tests/browser/web.py" "http://127.0.0.1:$WPORT" "$OUT"
check "a screenshot of each page" test "$(ls "$OUT"/*.png | wc -l)" -ge 12
check "the commune's task is done for the notifier too: no more alerts for it" sh -c \
    "$BIN/parctl tasks --unit TDG-BGI --json | python3 -c \"import json,sys; t=[x for x in json.load(sys.stdin) if x['id']=='PL24-PAR-4-TDG-BGI']; sys.exit(0 if t and all(x['state']=='done' for x in t) else 1)\""
n1=$("$BIN/parctl" alerts --unit TDG-BGI --json | grep -c '"task": "PL24-PAR-4-TDG-BGI"')
stop notifier; PAR_NOW=2025-02-10T09:00:00+07:00 start notifier; wait_up notifier; sleep 1.5
n2=$("$BIN/parctl" alerts --unit TDG-BGI --json | grep -c '"task": "PL24-PAR-4-TDG-BGI"')
check "a month later, no new alert for it ($n1 then $n2)" test "$n1" -ge 1 -a "$n2" -eq "$n1"
finish
