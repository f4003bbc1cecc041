# Operations, acceptance 1: make install lays out the programs, the config and the
# systemd units; systemd-analyze verify accepts the units where systemd is there.
. "$(dirname "$0")/lib.sh"
S=$T/stage
make -s -C "$ROOT" install DESTDIR="$S" PREFIX=/usr >"$T/install.log" 2>&1 || fail "make install: $(tail -3 "$T/install.log")"
for f in usr/bin/par-broker usr/bin/par-collector usr/bin/par-scorer usr/bin/par-agent usr/bin/parctl \
         etc/par/par.conf usr/lib/systemd/system/par-broker.service usr/lib/systemd/system/par-collector.service \
         usr/lib/systemd/system/par-scorer.service usr/lib/systemd/system/par-notifier.service usr/lib/systemd/system/par.target \
         usr/bin/par-notifier etc/par/holidays/2025.csv usr/share/doc/par/notifier.md \
         usr/lib/systemd/system/par-agent.service usr/share/doc/par/agent.md \
         usr/lib/sysusers.d/par.conf usr/share/doc/par/operations.md usr/share/doc/par/README.md; do
    check "installed $f" test -e "$S/$f"
done
# man pages, one per program and par.conf(5), that man reads without a complaint
for m in parctl.8 par-agent.8 par-broker.8 par-collector.8 par-scorer.8 par-notifier.8 par-web.8; do
    f=$S/usr/share/man/man8/$m
    check "man page $m installed" test -s "$f"
    check "man $m reads cleanly" sh -c "MANWIDTH=80 man --warnings -l '$f' 2>'$T/man.err' | grep -q '^NAME' && ! test -s '$T/man.err'"
done
check "par.conf(5) installed, from config.md" sh -c "MANWIDTH=120 man -l '$S/usr/share/man/man5/par.conf.5' 2>/dev/null | grep -q backup_dir"
# bash completion: the commands and a command's options
for c in parctl par-agent; do
    check "bash completion for $c installed" test -s "$S/usr/share/bash-completion/completions/$c"
done
check "parctl completes its commands" sh -c "test \"\$(bash -c '. $S/usr/share/bash-completion/completions/parctl; COMP_WORDS=(parctl ba); COMP_CWORD=1; _parctl; echo \${COMPREPLY[*]}')\" = backup"
check "parctl completes a command's options" sh -c "bash -c '. $S/usr/share/bash-completion/completions/parctl; COMP_WORDS=(parctl scores --le); COMP_CWORD=2; _parctl; echo \${COMPREPLY[*]}' | grep -qx -- --level"
check "par-agent completes its commands" sh -c "test \"\$(bash -c '. $S/usr/share/bash-completion/completions/par-agent; COMP_WORDS=(par-agent st); COMP_CWORD=1; _par_agent; echo \${COMPREPLY[*]}')\" = status"
check "units run the installed programs" grep -q '^ExecStart=/usr/bin/par-collector -c /etc/par/par.conf$' \
    "$S/usr/lib/systemd/system/par-collector.service"
check "the installed README links the installed docs" grep -q '](operations.md)' "$S/usr/share/doc/par/README.md"
check "and no repository path" sh -c "! grep -q '](docs/' '$S/usr/share/doc/par/README.md'"
# the docs link only files that are there (installed flat, beside each other)
for f in "$S"/usr/share/doc/par/*.md; do
    for l in $(grep -o '](\([^)#:]*\.md\)' "$f" | sed 's/^](//'); do
        check "$(basename "$f") links $l, which is installed" test -e "$S/usr/share/doc/par/$l"
    done
done
check "no doc cites a DOMAIN.md that is not there" sh -c "! grep -l 'DOMAIN.md' '$S'/usr/share/doc/par/*.md"
check "units are hardened" grep -q '^ProtectSystem=strict$' "$S/usr/lib/systemd/system/par-scorer.service"
check "units run as the par user" grep -q '^User=par$' "$S/usr/lib/systemd/system/par-broker.service"
check "the installed config is one the programs accept" \
    sh -c "PAR_CONF='$S/etc/par/par.conf' '$S/usr/bin/parctl' help >/dev/null"
# a bad config stops a daemon at start with the file, the line and why
printf '[general]\ndata_dir = %s/var\nlog_levl = debug\n' "$T" >"$T/bad.conf"
rc=0; "$BIN/par-collector" -c "$T/bad.conf" >"$T/bad.txt" 2>&1 || rc=$?
check "a bad config stops the daemon" test $rc -ne 0
check "and names file, line and key" grep -q "bad.conf:3: unknown key \[general\] log_levl" "$T/bad.txt"
# a second install keeps the operator's config
echo "; edited by the operator" >>"$S/etc/par/par.conf"
make -s -C "$ROOT" install DESTDIR="$S" PREFIX=/usr >/dev/null 2>&1
check "a reinstall keeps the config" grep -q "edited by the operator" "$S/etc/par/par.conf"
# installed for real (no DESTDIR) under a prefix of its own: as root, the config is the
# par user's to read and nobody else's, and the daemons, run as par, read it
V=$T/verify
make -s -C "$ROOT" install DESTDIR= PREFIX="$V" ETCDIR="$V/etc" UNITDIR="$V/units" >"$T/real.log" 2>&1 ||
    fail "make install (real): $(tail -3 "$T/real.log")"
if [ "$(id -u)" = 0 ]; then
    check "the par user exists after make install" sh -c "id par >/dev/null"
    check "par.conf is 0640 root:par" test "$(stat -c '%a %U:%G' "$V/etc/par.conf")" = "640 root:par"
    check "the config folder is 0750 root:par" test "$(stat -c '%a %U:%G' "$V/etc")" = "750 root:par"
    chmod 0755 "$T" "$V"
    sed -i "s#^data_dir = .*#data_dir = $T/pardata#" "$V/etc/par.conf"
    check "the user par reads the installed config" sh -c \
        "setpriv --reuid=par --regid=par --init-groups '$V/bin/parctl' -c '$V/etc/par.conf' help >/dev/null"
    rc=0; setpriv --reuid=nobody --regid=nogroup --clear-groups "$V/bin/parctl" -c "$V/etc/par.conf" help \
        >"$T/nobody.txt" 2>&1 || rc=$?
    check "another user does not" grep -q "cannot open config" "$T/nobody.txt"
else
    echo "not root: the par user and the config's group not checked"
fi
make -s -C "$ROOT" uninstall DESTDIR= PREFIX="$V" ETCDIR="$V/etc" UNITDIR="$V/units" >/dev/null 2>&1
check "make uninstall removes the programs" test ! -e "$V/bin/par-collector" -a ! -e "$V/units/par.target"
check "and keeps the operator's config" test -e "$V/etc/par.conf"
make -s -C "$ROOT" install DESTDIR= PREFIX="$V" ETCDIR="$V/etc" UNITDIR="$V/units" >/dev/null 2>&1
if command -v systemd-analyze >/dev/null; then
    # verified where every path they name exists: installed under a real prefix here
    systemd-analyze verify "$V"/units/par-*.service "$V/units/par.target" >"$T/verify.txt" 2>&1 ||
        fail "systemd-analyze verify: $(cat "$T/verify.txt")"
else
    echo "systemd-analyze is not here: units not verified"
fi
finish
