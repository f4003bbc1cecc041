#!/usr/bin/env bash
# Runs every integration test (it_*.sh) and ends with the line "N passed, N failed".
cd "$(dirname "$0")" || exit 2
pass=0 failed=0
for t in it_*.sh; do
    start=$(date +%s)
    # a hung test fails after 5 minutes instead of holding CI
    if timeout 300 bash "$t" >"/tmp/par-$t.out" 2>&1; then
        pass=$((pass + 1)); echo "ok   $t ($(( $(date +%s) - start )) s)"
    else
        failed=$((failed + 1)); echo "FAIL $t ($(( $(date +%s) - start )) s)"; sed 's/^/    /' "/tmp/par-$t.out"
    fi
    rm -f "/tmp/par-$t.out"
done
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
