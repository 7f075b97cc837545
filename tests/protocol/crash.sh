#!/usr/bin/env bash
# Durability under a crash (DESIGN.md: "A write is acknowledged only after its
# transaction commits"; "killing one loses nothing that was acknowledged").
# A burst of parallel PUTs; SIGKILL the server in the middle of it; restart;
# every PUT that was answered 201 or 204 must be there, byte for byte.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

count=${CRASH_PUTS:-300}
proto_init
proto_start main
port=$PORT_main
admin=$APORT_main

collection="$URL_main/calendars/users/alice/crash/"
expect_eq "MKCOL crash collection" 201 "$(http MKCOL "$collection" alice)"

mkdir -p "$WORK/bodies" "$WORK/status"
for ((i = 0; i < count; i++)); do
    # Distinct bodies of varying size, so a mix-up or truncation shows.
    { printf 'resource %d\n' "$i"; head -c $((512 + i * 37 % 4096)) /dev/urandom | base64; } \
        >"$WORK/bodies/$i.txt"
done

# One PUT: writes "<status>" to status/<i> once answered (000 = no answer).
cat >"$WORK/put-one" <<'SH'
#!/usr/bin/env bash
i=$1
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -X PUT -u "$AUTH" \
    -H 'Content-Type: text/plain' --data-binary "@$WORK/bodies/$i.txt" "$COLLECTION$i.txt")
echo "$code" >"$WORK/status/$i"
SH
chmod +x "$WORK/put-one"
export WORK COLLECTION="$collection" AUTH="alice:$ALICE_PW"

seq 0 $((count - 1)) | xargs -P 16 -n 1 "$WORK/put-one" &
burst=$!

# Kill once about a third of the PUTs have been answered.
for ((t = 0; t < 3000; t++)); do
    done_now=$(find "$WORK/status" -type f | wc -l)
    ((done_now >= count / 3)) && break
    sleep 0.01
done
log "SIGKILL after $done_now answered PUTs"
proto_kill main KILL
wait "$burst" || true

acked=0 lost=0 unanswered=0 other=0
declare -a acked_ids=()
for ((i = 0; i < count; i++)); do
    code=$(cat "$WORK/status/$i" 2>/dev/null || echo missing)
    case "$code" in
        201 | 204) acked=$((acked + 1)); acked_ids+=("$i") ;;
        000 | missing) unanswered=$((unanswered + 1)) ;;
        *) other=$((other + 1)) ;;
    esac
done
log "before the crash: $acked acknowledged, $unanswered unanswered, $other other statuses"
((acked > 0)) || fail "no PUT was acknowledged before the kill"
((unanswered + other > 0)) || log "note: the burst finished before the kill landed"
if ((other > 0)); then
    log "other statuses: $(cat "$WORK"/status/* | sort | uniq -c | tr '\n' ' ')"
fi

# Restart on the same ports (a new process, same databases).
proto_start main "$port" "$admin"
for i in "${acked_ids[@]}"; do
    code=$(curl -s -o "$WORK/got.txt" -w '%{http_code}' -u "alice:$ALICE_PW" "$collection$i.txt" \
        || true)
    if [[ "$code" != 200 ]] || ! cmp -s "$WORK/got.txt" "$WORK/bodies/$i.txt"; then
        lost=$((lost + 1))
        ((lost <= 10)) && fail "acknowledged PUT $i.txt: GET gave $code or different bytes"
    fi
done
expect_eq "acknowledged PUTs lost after SIGKILL" 0 "$lost"

# The server still works normally after the crash.
expect_eq "PUT after restart" 201 \
    "$(http PUT "${collection}after.txt" alice --data-binary 'after the crash')"
proto_finish
