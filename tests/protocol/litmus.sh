#!/usr/bin/env bash
# litmus (the WebDAV conformance suite, a Debian package) against a
# collection in alice's home: every suite (basic copymove props locks http).
# Fails if any litmus test fails; warnings are reported, not failures.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

proto_init
proto_start main

collection="$URL_main/calendars/users/alice/litmus/"
expect_eq "MKCOL litmus collection" 201 "$(http MKCOL "$collection" alice)"

suites=${LITMUS_SUITES:-basic copymove props locks http}
cd "$WORK"
set +e
TESTS="$suites" litmus -k "$collection" alice "$ALICE_PW" 2>&1 | tee "$WORK/litmus.out"
set -e

# Each suite's block runs from "-> running `basic':" to the next one; it holds
# "<- summary for `basic': of 16 tests run: 15 passed, 1 failed. 93.8%",
# "-> 2 tests were skipped." and "-> 1 warning was issued.".
total_failed=0
for suite in $suites; do
    block=$(awk -v s="-> running \`$suite'" '
        index($0, s) == 1 { on = 1; print; next }
        on && /^-> running/ { on = 0 }
        on { print }' "$WORK/litmus.out")
    line=$(grep -F "<- summary for \`$suite'" <<<"$block" || true)
    if [[ -z "$line" ]]; then
        fail "litmus $suite: no summary (suite aborted)"
        continue
    fi
    run=$(sed -E 's/.*of ([0-9]+) tests run.*/\1/' <<<"$line")
    ok=$(sed -E 's/.*run: ([0-9]+) passed.*/\1/' <<<"$line")
    bad=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
    warn=$(grep -oE '[0-9]+ warnings? (was|were) issued' <<<"$block" | grep -oE '^[0-9]+' || true)
    skip=$(grep -oE '[0-9]+ tests? (was|were) skipped' <<<"$block" | grep -oE '^[0-9]+' || true)
    log "litmus $suite: $run run, $ok passed, $bad failed, ${warn:-0} warnings, ${skip:-0} skipped"
    total_failed=$((total_failed + bad))
    ((bad == 0)) || fail "litmus $suite: $bad failed"
    # Test by test, what failed or warned. litmus separates its progress
    # output with carriage returns: "\r 4. copy_overwrite.... FAIL (...)".
    tr '\r' '\n' <<<"$block" | awk -v suite="$suite" '
        {
            line = $0
            while (match(line, /^ *[.]* *[0-9]+\. [A-Za-z_0-9]+\.+ */)) {
                name = substr(line, RSTART, RLENGTH)
                sub(/^ *[.]* *[0-9]+\. /, "", name)
                sub(/\.+ *$/, "", name)
                line = substr(line, RSTART + RLENGTH)
            }
            sub(/^ *\.+ */, "", line)
            if (line ~ /^(FAIL|WARNING)/) print "    " suite "/" name ": " line
        }' >&2
done
if ((total_failed > 0)) && [[ -f "$WORK/debug.log" ]]; then
    log "----- litmus debug.log (last 150 lines) -----"
    tail -n 150 "$WORK/debug.log" >&2
fi
proto_finish
