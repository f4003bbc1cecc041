# A full disk (issue 14, item 10): the collector refuses saying the disk is full, the
# scorer waits instead of spinning, and both recover when space returns. Root only: the
# data lives on a small tmpfs of its own.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then
    echo "not root: no tmpfs to fill here; skipped"
    finish
fi
mkdir -p "$T/var"
mount -t tmpfs -o size=48m tmpfs "$T/var" || { fail "mount a tmpfs"; finish; }
trap 'for p in "${PIDS[@]}"; do kill -KILL $p 2>/dev/null; done; umount -l "$T/var" 2>/dev/null' EXIT
start broker; start collector; start scorer; start notifier
wait_up collector; wait_up scorer
import_sample
check "a push before the disk fills" "$BIN/par-agent" push "$ROOT/data/submissions/tamduong-2023.csv"
# the scorer is away while a push is stored; then the disk fills: coming back, it has
# changes to apply and no room to apply them
stop scorer
check "a push the scorer has not seen" "$BIN/par-agent" push "$ROOT/data/submissions/districts-self-2022-2023.csv"
dd if=/dev/zero of="$T/var/filler" bs=1M 2>/dev/null # the stores' files are sparse: no room left
start scorer
sleep 4
fails=$(grep -c "event=apply_failed" "$T/scorer.log")
check "the scorer cannot apply them, and says the disk is full" grep -q "event=apply_failed error=\"disk full" "$T/scorer.log"
cpu=$(awk '{ print $14 + $15 }' "/proc/${PIDS[scorer]}/stat")
sleep 3
cpu2=$(awk '{ print $14 + $15 }' "/proc/${PIDS[scorer]}/stat")
check "it does not spin: $((cpu2 - cpu)) ticks of CPU in 3 s" test $((cpu2 - cpu)) -lt 60
check "nor fill its log ($fails apply_failed lines)" test "$fails" -le 3
printf 'unit,year,period,kind,key,value,date,note\nTDG,2024,Y,metric,on_full_disk,1,,\n' >"$T/more.csv"
rc=0; "$BIN/par-agent" push --timeout 5 "$T/more.csv" >"$T/full.txt" 2>&1 || rc=$?
check "a push on a full disk is not acknowledged (exit $rc)" test $rc -ne 0
check "and the reason says the disk is full: $(grep -m1 -o 'disk full[^)]*' "$T/full.txt")" grep -q "disk full" "$T/full.txt"
rm -f "$T/var/filler"
check "space back: the push goes through" "$BIN/par-agent" push --timeout 30 "$T/more.csv"
check "and the scorer catches up" sh -c "for i in \$(seq 1 100); do '$BIN/parctl' scores --index PAR --year 2022 2>/dev/null | grep -q TUY && exit 0; sleep 0.2; done; exit 1"
check "saying so" grep -q "event=apply_recovered" "$T/scorer.log"
for n in "${!PIDS[@]}"; do stop "$n"; done
umount "$T/var"
finish
