#!/usr/bin/env bash
# The obvious alternative: PostgreSQL from Debian on loopback, one INSERT per line with
# synchronous commit (each line durable before the next, as our acknowledgements are),
# the same N clients (1, 4, 16) as the ingest benchmark, for PG_SECONDS each.
# Prints lines per second; appends "postgres.N_lines_per_s" to PAR_BENCH_RESULTS.
set -u
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$PGBIN" ]; then
    echo "postgres: not installed (make bench installs it)"; exit 0
fi
# PostgreSQL will not run as root: its cluster belongs to the postgres user
RUN=()
[ "$(id -u)" = 0 ] && RUN=(runuser -u postgres --)
W=$(mktemp -d /tmp/par-pg.XXXXXX)
chmod 755 "$W"
[ "$(id -u)" = 0 ] && chown postgres "$W"
PGPORT=$((40000 + RANDOM % 20000))
"${RUN[@]}" "$PGBIN/initdb" -D "$W/data" -A trust -U postgres >"$W/initdb.log" 2>&1 || { cat "$W/initdb.log"; exit 1; }
"${RUN[@]}" "$PGBIN/pg_ctl" -D "$W/data" -l "$W/server.log" -w \
    -o "-p $PGPORT -k $W -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=64" \
    start >/dev/null || { cat "$W/server.log"; exit 1; }
trap '"${RUN[@]}" "$PGBIN/pg_ctl" -D "$W/data" -m fast stop >/dev/null 2>&1; rm -rf "$W"' EXIT
PSQL=("${RUN[@]}" "$PGBIN/psql" -q -h 127.0.0.1 -p "$PGPORT" -U postgres)
"${PSQL[@]}" -c "CREATE DATABASE bench" >/dev/null
# the same record as the collector's latest value per key, received time kept
"${PSQL[@]}" -d bench -c "CREATE TABLE submissions (unit text, year int, period text, kind text, key text,
    value text, received timestamptz, PRIMARY KEY (unit, year, period, kind, key))" >/dev/null
cat >"$W/insert.sql" <<'SQL'
\set k random(1, 2000000000)
INSERT INTO submissions VALUES ('TDG', 2024, 'M01', 'metric', 'bench_' || :client_id || '_' || :k, :k, now()) ON CONFLICT DO NOTHING;
SQL
# and, for a fair second row, 1,000 lines a transaction as our agents batch them
cat >"$W/batch.sql" <<'SQL'
\set k random(1, 2000000)
INSERT INTO submissions SELECT 'TDG', 2024, 'M01', 'metric', 'batch_' || :client_id || '_' || :k || '_' || g, g, now() FROM generate_series(1, 1000) g ON CONFLICT DO NOTHING;
SQL
chmod 644 "$W/insert.sql" "$W/batch.sql"
rate_of() { # rate_of SCRIPT CLIENTS LINES_PER_TRANSACTION: lines per second
    "${RUN[@]}" "$PGBIN/pgbench" -n -h 127.0.0.1 -p "$PGPORT" -U postgres -c "$2" -j "$2" \
        -T "${PG_SECONDS:-20}" -f "$W/$1" bench 2>/dev/null | awk -v l="$3" '/^tps =/ { printf "%.0f", $3 * l }'
}
printf '%-44s %12s %14s\n' "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'), synchronous commit" \
    "lines/s" "1,000/commit"
for n in ${AGENTS:-1 4 16}; do
    one=$(rate_of insert.sql "$n" 1)
    batch=$(rate_of batch.sql "$n" 1000)
    printf '%-44s %12s %14s\n' "$n client(s), one INSERT per line, ${PG_SECONDS:-20} s" "${one:-failed}" "${batch:-failed}"
    if [ -n "${PAR_BENCH_RESULTS:-}" ]; then
        [ -n "$one" ] && echo "postgres.${n}_lines_per_s $one" >>"$PAR_BENCH_RESULTS"
        [ -n "$batch" ] && echo "postgres.${n}_batched_lines_per_s $batch" >>"$PAR_BENCH_RESULTS"
    fi
done
