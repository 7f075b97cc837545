#!/usr/bin/env bash
# cosmo-loadtest against the real server (docs/performance.md): seeds a small
# data set through HTTP, runs every operation for a second, and checks that
# each one validated its answers (no errors, no invalid answers) and that
# put-update measures PUTs only: the ETags it needs are learned before the
# measured loop (the tool counts the GETs it sends inside it: none).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LOADTEST=${COSMO_LOADTEST:-$(dirname "$COSMO_BINARY")/cosmo-loadtest}
[[ -x "$LOADTEST" ]] || { log "no cosmo-loadtest at $LOADTEST"; exit 1; }

proto_init
proto_start main
users=4
events=60
password='load-Pw-1'
for i in $(seq 0 $((users - 1))); do
    printf '%s\n' "$password" | cosmo user add "$(printf 'user%04d' "$i")" --password-stdin >/dev/null
done
printf '%s\n' "$password" >"$proto_work/password"

common=(--url "$URL_main" --users "$users" --events "$events"
        --password-file "$proto_work/password" --quiet)
if "$LOADTEST" seed "${common[@]}" --concurrency 8 >"$proto_work/seed.json"; then
    pass "seed $users x $events"
else
    fail "seed failed: $(cat "$proto_work/seed.json")"
fi
"$LOADTEST" run "${common[@]}" --op all --connections 4 --duration 1 \
    --json "$proto_work/run.json" >"$proto_work/run.txt" || fail "run exited non-zero"
cat "$proto_work/run.txt" >&2

python3 - "$proto_work/run.json" <<'EOF' >"$proto_work/checks.txt"
import json, sys
results = json.load(open(sys.argv[1]))["results"]
for r in results:
    bad = r["errors"] or r["problems"]
    print(("ok" if r["ok"] > 0 and not bad else "FAIL"), r["op"], r["ok"], r["errors"], r["problems"])
update = next(r for r in results if r["op"] == "put-update")
# Every ETag an edit needs was learned before the measurement: a GET inside
# the measured loop would make put-update partly a GET benchmark. (Only a
# 412 from a concurrent edit makes a connection fetch one again; the
# connections edit their own events, so none is expected.)
fetches = update["etag_fetches"]
print(("ok" if fetches == 0 and update["ok"] > 0 else "FAIL"), "put-update-etag-fetches",
      f"{fetches}/{update['ok']}")
print("ops", len(results))
EOF
while read -r verdict op rest; do
    case "$verdict" in
        ok) pass "$op $rest" ;;
        FAIL) fail "$op $rest" ;;
        ops) expect_eq "operations run" 13 "$op" ;;
    esac
done <"$proto_work/checks.txt"
proto_finish
