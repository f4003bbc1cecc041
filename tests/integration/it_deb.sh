# The Debian package (issue 17): make deb builds it; dpkg -i creates the par user, gives
# it the config (0640 root:par) and the data folders, installs and enables the units;
# the server then runs from the installed programs and config as the units run it (as
# par: there is no systemd PID 1 here to start par.target); a purge removes the
# package's files and keeps the data unless asked. Root only: it installs for real.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v dpkg-buildpackage >/dev/null; then
    echo "not root or no dpkg-buildpackage (make deps): the package is not built and installed here; skipped"
    finish
fi
if dpkg -s par >/dev/null 2>&1 || [ -e /var/lib/par ]; then
    echo "a par package or /var/lib/par is already on this machine: left alone; skipped"
    finish
fi
if ! make -s -C "$ROOT" deb >"$T/deb.log" 2>&1; then
    fail "make deb: $(tail -5 "$T/deb.log")"
    finish
fi
DEB=$(ls "$ROOT"/build/deb/par_*.deb 2>/dev/null | head -1)
check "make deb builds a .deb" test -s "$DEB"
unset PAR_CONF # the installed programs find /etc/par/par.conf themselves
cleanup() {
    for p in "${PIDS[@]}"; do kill -KILL $p 2>/dev/null; done
    PAR_PURGE_DATA=yes dpkg --purge par >/dev/null 2>&1
    rm -rf /var/lib/par /var/backups/par
}
trap cleanup EXIT
dpkg -i "$DEB" >"$T/dpkg.log" 2>&1 || fail "dpkg -i: $(tail -5 "$T/dpkg.log")"
check "the par user exists" sh -c "id par >/dev/null"
check "the config is 0640 root:par" test "$(stat -c '%a %U:%G' /etc/par/par.conf)" = "640 root:par"
check "the data folder is par's" test "$(stat -c '%a %U:%G' /var/lib/par)" = "750 par:par"
check "the backup folder is par's" test "$(stat -c '%a %U:%G' /var/backups/par)" = "750 par:par"
check "the units are installed" test -s /lib/systemd/system/par-collector.service -a -s /lib/systemd/system/par.target
check "par.target is enabled" test -L /etc/systemd/system/multi-user.target.wants/par.target
check "its services are enabled" test -L /etc/systemd/system/par.target.wants/par-collector.service
check "the man pages are there" test -s /usr/share/man/man8/parctl.8.gz

# the server, as its units run it: ExecStart as the user par
for d in broker collector scorer notifier; do
    exe=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/par-$d.service)
    envs=$(sed -n 's/^Environment=//p' /lib/systemd/system/par-$d.service)
    (cd /var/lib/par && exec env $envs setpriv --reuid=par --regid=par --init-groups $exe) >>"$T/$d.log" 2>&1 &
    PIDS[$d]=$!
done
check "the installed server comes up" sh -c 'for i in $(seq 1 100); do parctl status >/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1'
parctl import units "$ROOT/data/units.csv" >/dev/null && parctl import framework "$ROOT/data/framework-par-district.csv" >/dev/null &&
    parctl import tasks "$ROOT/data/tasks.csv" >/dev/null ||
    fail "import into the installed server"
check "a push is stored" par-agent push "$ROOT/data/submissions/tamduong-2023.csv"
check "and scored" sh -c "sleep 0.5; parctl scores --index PAR --year 2023 | grep -q TDG"
check "parctl backup NAME as documented" sh -c "parctl backup first >/dev/null && test -s /var/backups/par/first/collector/data.mdb"
for n in "${!PIDS[@]}"; do stop "$n"; done

# purge: the package's files go, the data stays unless asked
dpkg --purge par >"$T/purge.log" 2>&1 || fail "dpkg --purge: $(tail -3 "$T/purge.log")"
check "the programs are gone" test ! -e /usr/bin/parctl -a ! -e /lib/systemd/system/par.target
check "the config is gone" test ! -e /etc/par/par.conf
check "the data is kept" test -s /var/lib/par/collector/data.mdb
check "and the purge says so" grep -q "kept (PAR_PURGE_DATA=yes removes it)" "$T/purge.log"
dpkg -i "$DEB" >/dev/null 2>&1 && PAR_PURGE_DATA=yes dpkg --purge par >/dev/null 2>&1
check "PAR_PURGE_DATA=yes removes it" test ! -e /var/lib/par
finish
