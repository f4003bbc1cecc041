# Backups as the installed units run (issue 17): the services may write only below their
# data_dir and backup_dir (ProtectSystem=strict with ReadWritePaths). Without systemd as
# PID 1 here, the same confinement is made with a mount namespace per daemon: the file
# system holding the test's folder read-only, the two folders bound writable on top.
# `parctl backup NAME` then works (it goes under backup_dir); a folder elsewhere is
# refused with why and what to do.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
    echo "not root or no unshare: the confinement cannot be made here; skipped"
    finish
fi
BK=$T/backups
mkdir -p "$BK" "$T/var" "$T/elsewhere"
sed -i "s#^\[general\]#[general]\nbackup_dir = $BK#" "$PAR_CONF"
MNT=$(findmnt -n -o TARGET -T "$T")
confined() { # confined NAME: the daemon as its unit would run it
    unshare -m --propagation private sh -c "mount --bind '$T/var' '$T/var' && mount --bind '$BK' '$BK' &&
        mount -o remount,bind,ro '$MNT' && exec '$BIN/par-$1'" >>"$T/$1.log" 2>&1 &
    PIDS[$1]=$!
}
confined broker; confined collector; confined scorer; confined notifier
wait_up collector; wait_up scorer; wait_up notifier
import_sample
"$BIN/par-agent" push "$ROOT/data/submissions/tamduong-2023.csv" >/dev/null || fail "push"
# the confinement holds: a daemon cannot write beside its folders
check "the confinement is real" sh -c "! nsenter -t ${PIDS[collector]} -m touch '$T/elsewhere/probe' 2>/dev/null"

rc=0; "$BIN/parctl" backup par-2024-12-31 >"$T/bk.out" 2>&1 || rc=$?
check "parctl backup NAME works as the units run (exit $rc: $(tail -1 "$T/bk.out"))" test $rc -eq 0
for s in collector scorer notifier; do
    check "the $s's copy is in backup_dir" test -s "$BK/par-2024-12-31/$s/data.mdb"
done
rc=0; "$BIN/parctl" backup "$T/elsewhere/x" >"$T/bk2.out" 2>&1 || rc=$?
check "a folder the services may not write is refused (exit $rc)" test $rc -ne 0
check "saying where they may: $(tail -1 "$T/bk2.out")" grep -q "may write only under their data_dir and backup_dir ($BK)" "$T/bk2.out"
finish
