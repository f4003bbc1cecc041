# The provincial reporting system. `make` builds bin/, `make test` runs every test
# (release and ASan+UBSan builds), `make demo` runs the system on sample data.
# Every entry point first makes sure the Debian packages are there (`make deps`).

MODE ?= rel
B := build/$(MODE)
ifeq ($(MODE),san)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
BIN := $(B)/bin
else
SAN :=
BIN := bin
endif

PKGS := libzmq msgpack lmdb inih jansson libsodium nettle
DEBS := pkg-config libsodium-dev nettle-dev libmicrohttpd-dev libxlsxwriter-dev libzip-dev libzmq3-dev libmsgpack-dev liblmdb-dev libinih-dev libjansson-dev libcmocka-dev \
        lmdb-utils clang libclang-rt-14-dev libxml2-utils libcurl4-openssl-dev pandoc debhelper fakeroot \
        curl openssl chromium chromium-driver python3-selenium libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils
CC ?= cc
CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g $(SAN) \
          $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
CURL_LIBS := $(shell pkg-config --libs libcurl 2>/dev/null)
WEB_LIBS := $(shell pkg-config --libs libmicrohttpd xlsxwriter 2>/dev/null)
DOC_LIBS := $(shell pkg-config --libs libzip xlsxwriter 2>/dev/null)
TEST_LDLIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

COMMON := common/calendar.c common/reason.c common/util.c common/log.c common/clock.c common/config.c common/csv.c common/store.c \
          common/vnfold.c common/deadline.c common/client.c common/daemon.c common/service.c common/table.c common/validity.c common/strset.c common/textpool.c common/keys.c common/json.c common/follow.c common/sign.c proto/base.c proto/proto.c proto/pack.c proto/alert.c proto/reader.c proto/row.c proto/event.c proto/submit.c proto/season.c
COLLECTOR := collector/record.c collector/round.c collector/validate.c collector/authz.c collector/season.c collector/evidence.c collector/appraise.c collector/users.c collector/ingest.c collector/query.c
SCORER := scorer/engine.c scorer/replica.c scorer/model.c scorer/compute.c scorer/gaps.c scorer/formula.c
NOTIFIER := notifier/book.c notifier/due.c notifier/digest.c notifier/alertlog.c notifier/deliver.c notifier/query.c notifier/marks.c
PROGRAMS := par-broker par-collector par-scorer par-notifier par-agent parctl par-web
UNIT_TESTS := test_proto test_csv test_clock test_deadline test_validate test_record test_scorer test_notifier test_web test_cli test_agent

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

.PHONY: all programs deps test unit integration demo fuzz bench chaos install uninstall man deb clean
all: deps
	@$(MAKE) --no-print-directory programs

programs: $(addprefix $(BIN)/,$(PROGRAMS))

# Installs what is missing; a second run finds everything and does nothing.
deps:
	@if ! pkg-config --exists $(PKGS) libcurl cmocka libmicrohttpd xlsxwriter || ! command -v clang >/dev/null || \
	    ! dpkg -s libclang-rt-14-dev lmdb-utils libxml2-utils pandoc debhelper fakeroot curl chromium chromium-driver \
	      python3-selenium >/dev/null 2>&1; then \
	  echo "make deps: installing $(DEBS)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(DEBS) >/dev/null; \
	fi

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BIN)/par-broker: $(call obj,broker/main.c broker/broker.c broker/fair.c broker/zap.c $(COMMON))
$(BIN)/par-collector: $(call obj,collector/main.c $(COLLECTOR) $(COMMON))
$(BIN)/par-scorer: $(call obj,scorer/main.c $(SCORER) $(COMMON))
$(BIN)/par-notifier: $(call obj,notifier/main.c $(NOTIFIER) $(COMMON))
$(BIN)/par-notifier: LDLIBS += $(CURL_LIBS)
$(BIN)/par-web: LDLIBS += $(WEB_LIBS) -lpthread
$(BIN)/par-agent: $(call obj,agent/main.c agent/push.c agent/batch.c agent/receipts.c agent/outbox.c agent/run.c agent/status.c agent/evidence.c agent/evspool.c $(COMMON))
$(BIN)/parctl: $(call obj,cli/main.c cli/ask.c cli/import.c cli/status.c cli/export.c cli/scores.c cli/gaps.c cli/duties.c cli/backup.c cli/report.c cli/keys.c cli/alerts.c cli/season.c cli/receipt.c cli/evidence.c cli/users.c cli/vn.c cli/grid.c cli/doc.c $(COMMON))
$(BIN)/parctl: LDLIBS += $(DOC_LIBS)
$(BIN)/par-web: $(call obj,web/main.c web/html.c web/pages.c web/session.c web/sheet.c web/verify.c $(COMMON))

$(addprefix $(BIN)/,$(PROGRAMS)):
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(B)/tests/test_proto: $(call obj,tests/unit/test_proto.c $(COMMON))
$(B)/tests/test_csv: $(call obj,tests/unit/test_csv.c $(COMMON))
$(B)/tests/test_cli: $(call obj,tests/unit/test_cli.c cli/vn.c cli/grid.c cli/doc.c $(COMMON))
$(B)/tests/test_cli: LDLIBS += $(DOC_LIBS)
$(B)/tests/test_clock: $(call obj,tests/unit/test_clock.c $(COMMON))
$(B)/tests/test_agent: $(call obj,tests/unit/test_agent.c agent/batch.c agent/receipts.c agent/outbox.c $(COMMON))
$(B)/tests/test_deadline: $(call obj,tests/unit/test_deadline.c $(COMMON))
$(B)/tests/test_validate: $(call obj,tests/unit/test_validate.c tests/unit/fixture.c $(COLLECTOR) $(COMMON))
$(B)/tests/test_record: $(call obj,tests/unit/test_record.c tests/unit/fixture.c $(COLLECTOR) $(COMMON))
$(B)/tests/test_scorer: $(call obj,tests/unit/test_scorer.c tests/unit/fixture.c $(SCORER) $(COLLECTOR) $(COMMON))

$(B)/tests/test_notifier: $(call obj,tests/unit/test_notifier.c $(NOTIFIER) $(COMMON))
$(B)/tests/test_notifier: LDLIBS += $(CURL_LIBS)
$(B)/tests/test_web: $(call obj,tests/unit/test_web.c web/pages.c web/html.c web/sheet.c web/session.c $(COMMON))
$(B)/tests/test_web: LDLIBS += $(WEB_LIBS)
$(B)/obj/tests/unit/test_notifier.o: CFLAGS += -DSRC_DIR='"$(CURDIR)"'

$(addprefix $(B)/tests/,$(UNIT_TESTS)):
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS) $(TEST_LDLIBS)

unit-tests: $(addprefix $(B)/tests/,$(UNIT_TESTS))

# Runs the unit tests of this MODE; each cmocka binary prints its own summary.
unit: unit-tests
	@fail=0; for t in $(UNIT_TESTS); do \
	  ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=1 $(B)/tests/$$t || fail=1; done; exit $$fail

# A mail and webhook receiver for the notifier's test.
$(B)/tests/sink: tests/integration/sink.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< -o $@

# A client that misbehaves on purpose (floods, oversized heartbeats) for issue 14's tests.
$(B)/tests/hostile: $(call obj,tests/integration/hostile.c $(COMMON))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

# An outbox entry as an older agent left it, for the upgrade test.
$(B)/tests/oldbox: $(call obj,tests/integration/oldbox.c agent/outbox.c $(COMMON))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

integration: programs $(B)/tests/sink $(B)/tests/hostile $(B)/tests/oldbox
	@PAR_BIN=$(abspath $(BIN)) PAR_SINK=$(abspath $(B)/tests/sink) PAR_HOSTILE=$(abspath $(B)/tests/hostile) \
	  PAR_OLDBOX=$(abspath $(B)/tests/oldbox) \
	  bash tests/integration/run.sh

# The whole suite: unit tests in both builds, integration tests against the
# sanitized daemons (so leaks and undefined behaviour in real runs fail the build).
test: deps
	@$(MAKE) --no-print-directory MODE=rel programs unit
	@$(MAKE) --no-print-directory MODE=san programs unit integration

demo: deps
	@$(MAKE) --no-print-directory programs
	@bash deploy/demo.sh

# Benchmarks print tables; speed is measured here, never asserted by a test.
build/bench/web_load: $(call obj,bench/web_load.c bench/result.c $(COMMON))
	@mkdir -p build/bench
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS) $(CURL_LIBS)

build/bench/score_latency: $(call obj,bench/score_latency.c bench/result.c $(COMMON))
	@mkdir -p build/bench
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

build/bench/national: $(call obj,bench/national.c bench/result.c $(SCORER) $(COLLECTOR) $(COMMON))
	@mkdir -p build/bench
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

build/bench/notify_eval: $(call obj,bench/notify_eval.c bench/result.c $(NOTIFIER) $(COMMON))
	@mkdir -p build/bench
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS) $(CURL_LIBS)

build/bench/lmdb_raw: bench/lmdb_raw.c
	@mkdir -p build/bench
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

build/bench/commit_latency: $(call obj,bench/commit_latency.c bench/result.c)
	@mkdir -p build/bench
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

# PostgreSQL is the benchmark's point of comparison: installed here, not by make deps.
bench: deps
	@command -v pgbench >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "make bench: installing postgresql"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; }
	@$(MAKE) --no-print-directory programs build/bench/score_latency build/bench/commit_latency build/bench/web_load build/bench/lmdb_raw build/bench/notify_eval build/bench/national
	@ROUNDS=$(ROUNDS) ONLY="$(ONLY)" bash bench/run.sh

ROUNDS ?= 200

# libFuzzer targets: make fuzz FUZZ_TIME=600 (seconds per target).
FUZZ_TIME ?= 60
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
               $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_TARGETS := fuzz_proto fuzz_csv
build/fuzz/fuzz_proto: tests/fuzz/fuzz_proto.c $(COMMON)
build/fuzz/fuzz_csv: tests/fuzz/fuzz_csv.c agent/outbox.c $(COMMON)
$(addprefix build/fuzz/,$(FUZZ_TARGETS)):
	@mkdir -p build/fuzz
	clang $(FUZZ_CFLAGS) $^ -o $@ $(LDLIBS)

fuzz: deps
	@$(MAKE) --no-print-directory $(addprefix build/fuzz/,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/corpus-$$t; \
	  echo "fuzz: $$t for $(FUZZ_TIME) s"; \
	  ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=1 build/fuzz/$$t -max_total_time=$(FUZZ_TIME) \
	    -rss_limit_mb=2048 -print_final_stats=1 build/fuzz/corpus-$$t tests/fuzz/corpus/$${t#fuzz_} || exit 1; \
	done

# make install PREFIX=/usr DESTDIR=/tmp/stage: programs, the example config and the
# holiday calendar (kept if there: operators edit them), systemd units and the system user, the operator's documentation.
PREFIX ?= /usr/local
DESTDIR ?=
UNITDIR ?= $(PREFIX)/lib/systemd/system
ETCDIR ?= /etc/par
BACKUPDIR ?= /var/backups/par
install: all man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(ETCDIR) $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(PREFIX)/lib/sysusers.d $(DESTDIR)$(PREFIX)/share/doc/par \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 build/man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 build/man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 0644 deploy/bash-completion/* $(DESTDIR)$(PREFIX)/share/bash-completion/completions/
	install -m 0755 $(addprefix bin/,$(PROGRAMS)) $(DESTDIR)$(PREFIX)/bin/
	test -e $(DESTDIR)$(ETCDIR)/par.conf || install -m 0640 deploy/par.conf $(DESTDIR)$(ETCDIR)/par.conf
	for u in deploy/systemd/*; do \
	  sed -e 's#@BINDIR@#$(PREFIX)/bin#g' -e 's#@ETCDIR@#$(ETCDIR)#g' $$u >$(DESTDIR)$(UNITDIR)/$${u##*/}; \
	  chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/}; done
	install -m 0644 deploy/par.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/par.conf
	install -m 0644 docs/*.md $(DESTDIR)$(PREFIX)/share/doc/par/
	@# the project's README beside them, its links to docs/ pointing at the installed copies
	sed 's#](docs/#](#g' README.md >$(DESTDIR)$(PREFIX)/share/doc/par/README.md
	chmod 0644 $(DESTDIR)$(PREFIX)/share/doc/par/README.md
	install -d $(DESTDIR)$(ETCDIR)/holidays
	for f in data/holidays/*; do \
	  test -e $(DESTDIR)$(ETCDIR)/holidays/$${f##*/} || install -m 0644 $$f $(DESTDIR)$(ETCDIR)/holidays/; done
	@# the daemons run as par: it reads the config (0640 root:par), nobody else does. In a
	@# staging folder (DESTDIR) there is no such group yet: the package's postinst does it.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
	  getent group par >/dev/null || systemd-sysusers $(PREFIX)/lib/sysusers.d/par.conf >/dev/null 2>&1 || \
	    useradd --system --user-group --home-dir /var/lib/par --no-create-home --shell /usr/sbin/nologin par; \
	  chgrp par $(ETCDIR) $(ETCDIR)/par.conf && chmod 0750 $(ETCDIR) && chmod 0640 $(ETCDIR)/par.conf; \
	  install -d -o par -g par -m 0750 $(BACKUPDIR); \
	  echo "install: $(ETCDIR)/par.conf is 0640 root:par, read by the daemons' user par"; \
	fi

# Man pages, one source each: docs/man/*.md for the programs, docs/config.md for par.conf(5)
# (pandoc, from Debian).
MANPAGES := $(patsubst docs/man/%.md,build/man/%,$(wildcard docs/man/*.md)) build/man/par.conf.5
build/man/%: docs/man/%.md
	@mkdir -p build/man
	pandoc -s -f markdown -t man $< -o $@
build/man/par.conf.5: docs/config.md
	@mkdir -p build/man
	{ printf '%% PAR.CONF(5) PAR reporting system | File Formats Manual\n\n# NAME\n\npar.conf - %s\n\n# DESCRIPTION\n\n' \
	    'the configuration of the PAR reporting system'; sed -e 1d -e 's/^## /# /' $<; } | pandoc -s -f markdown -t man -o $@
man: $(MANPAGES)

# make deb: the Debian package (debian/), built in a copy of the source under build/deb
# so that the package's own clean leaves this checkout alone; the .deb lands in build/deb.
DEB_VERSION := $(shell sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)
deb:
	rm -rf build/deb && mkdir -p build/deb/par-$(DEB_VERSION)
	tar --exclude=./build --exclude=./bin --exclude=./.git -cf - . | tar -xf - -C build/deb/par-$(DEB_VERSION)
	@# the package's make starts afresh: not with this make's MODE or flags (make test's MODE=san)
	cd build/deb/par-$(DEB_VERSION) && env -u MAKEFLAGS -u MFLAGS -u MAKEOVERRIDES -u MAKELEVEL -u MODE \
	  dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
	  { tail -30 ../build.log; exit 1; }
	@ls build/deb/*.deb

# make chaos: kill -9 under load, then hostile clients (minutes; CHAOS_SECONDS, default 120).
chaos: programs $(B)/tests/hostile
	@PAR_BIN=$(abspath $(BIN)) PAR_HOSTILE=$(abspath $(B)/tests/hostile) bash tests/chaos/chaos.sh

# make uninstall (same PREFIX, DESTDIR, ETCDIR): what make install laid down, except the
# operator's config and calendars in ETCDIR and the data in /var/lib/par, kept.
uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(PROGRAMS))
	rm -f $(DESTDIR)$(UNITDIR)/par-*.service $(DESTDIR)$(UNITDIR)/par.target
	rm -f $(DESTDIR)$(PREFIX)/lib/sysusers.d/par.conf
	rm -rf $(DESTDIR)$(PREFIX)/share/doc/par
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man8/,$(addsuffix .8,$(PROGRAMS))) \
	    $(DESTDIR)$(PREFIX)/share/man/man5/par.conf.5
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/bash-completion/completions/,parctl par-agent)
	@echo "uninstall: kept $(DESTDIR)$(ETCDIR) (the config, keys and calendars) and /var/lib/par (the data)"

clean:
	rm -rf build bin

-include $(shell find build -path build/deb -prune -o -name '*.d' -type f -print 2>/dev/null)
