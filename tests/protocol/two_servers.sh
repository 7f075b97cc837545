#!/usr/bin/env bash
# Two `cosmo serve` processes over the same databases behave as one server
# (DESIGN.md: stateless app servers; locks live in PostgreSQL):
# a LOCK taken through one is enforced by the other (RFC 4918 §7, 423
# Locked), and a PUT through one is visible through the other at once.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

proto_init
proto_start a
proto_start b
home_a="$URL_a/calendars/users/alice"
home_b="$URL_b/calendars/users/alice"

# Write through A, read through B, immediately.
printf 'written through A\n' >"$WORK/a.txt"
expect_eq "PUT via A" 201 "$(http PUT "$home_a/shared.txt" alice --data-binary "@$WORK/a.txt")"
code=$(curl -s -o "$WORK/b.txt" -w '%{http_code}' -u "alice:$ALICE_PW" "$home_b/shared.txt" || true)
expect_eq "GET via B" 200 "$code"
cmp -s "$WORK/a.txt" "$WORK/b.txt" && pass "B returns A's bytes" || fail "B returned other bytes"
etag_a=$(curl -sI -u "alice:$ALICE_PW" "$home_a/shared.txt" | tr -d '\r' |
    awk 'tolower($1) == "etag:" { print $2 }')
etag_b=$(curl -sI -u "alice:$ALICE_PW" "$home_b/shared.txt" | tr -d '\r' |
    awk 'tolower($1) == "etag:" { print $2 }')
[[ -n "$etag_a" ]] && expect_eq "same ETag through A and B" "$etag_a" "$etag_b" \
    || fail "no ETag on HEAD"

# Overwrite through B; A sees the new bytes.
printf 'rewritten through B\n' >"$WORK/b2.txt"
expect_eq "PUT via B" 204 "$(http PUT "$home_b/shared.txt" alice --data-binary "@$WORK/b2.txt")"
curl -s -u "alice:$ALICE_PW" -o "$WORK/a2.txt" "$home_a/shared.txt"
cmp -s "$WORK/b2.txt" "$WORK/a2.txt" && pass "A returns B's bytes" || fail "A returned stale bytes"

# A calendar-multiget through B answers from B's object cache while the
# calendar is unchanged; an edit through A moves the calendar's revision, so
# B's next multiget has A's bytes (dav/object_cache.hpp).
cal_a="$home_a/calendar"
cal_b="$home_b/calendar"
ics() {
    printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//two-servers//EN\r\nBEGIN:VEVENT\r\n'
    printf 'UID:two-servers-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260110T100000Z\r\n'
    printf 'DTEND:20260110T110000Z\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' "$1"
}
multiget_b() {
    curl -s -X REPORT -u "alice:$ALICE_PW" -H 'Depth: 1' -H 'Content-Type: application/xml' \
        --data-binary '<?xml version="1.0"?>
<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/><C:calendar-data/></D:prop>
<D:href>/calendars/users/alice/calendar/two.ics</D:href></C:calendar-multiget>' "$cal_b/"
}
ics first >"$WORK/two1.ics"
expect_eq "PUT event via A" 201 "$(http PUT "$cal_a/two.ics" alice \
    -H 'Content-Type: text/calendar' --data-binary "@$WORK/two1.ics")"
for round in 1 2; do
    multiget_b | grep -q 'SUMMARY:first' && pass "multiget via B, round $round" \
        || fail "multiget via B lacks the event (round $round)"
done
for summary in second third; do
    ics "$summary" >"$WORK/two2.ics"
    expect_eq "PUT edit via A" 204 "$(http PUT "$cal_a/two.ics" alice \
        -H 'Content-Type: text/calendar' --data-binary "@$WORK/two2.ics")"
    got=$(multiget_b)
    grep -q "SUMMARY:$summary" <<<"$got" && pass "B's multiget has A's edit ($summary)" \
        || fail "B's multiget is stale after A's edit: $(head -c 600 <<<"$got")"
done
expect_eq "DELETE via A" 204 "$(http DELETE "$cal_a/two.ics" alice)"
multiget_b | grep -q 'HTTP/1.1 404' && pass "B's multiget sees A's DELETE" \
    || fail "B's multiget still has the deleted event"

# LOCK through A (RFC 4918 §9.10); enforced through B.
lockinfo='<?xml version="1.0" encoding="utf-8"?>
<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>
<D:locktype><D:write/></D:locktype><D:owner>two-servers test</D:owner></D:lockinfo>'
curl -s -D "$WORK/lock.h" -o "$WORK/lock.xml" -X LOCK -u "alice:$ALICE_PW" \
    -H 'Content-Type: application/xml' -H 'Depth: 0' -H 'Timeout: Second-600' \
    --data-binary "$lockinfo" "$home_a/shared.txt"
lock_status=$(head -n 1 "$WORK/lock.h" | awk '{ print $2 }')
expect_eq "LOCK via A" 200 "$lock_status"
token=$(tr -d '\r' <"$WORK/lock.h" | awk 'tolower($1) == "lock-token:" { print $2 }')
token=${token#<}
token=${token%>}
[[ -n "$token" ]] && pass "Lock-Token $token" || fail "no Lock-Token header"

# B remembered the home from its PUT above, so this PUT goes in one round
# trip (a guessed session): the write finds A's lock, nothing is written,
# and B runs the request again the long way, which answers 423.
expect_eq "PUT via B without the token" 423 \
    "$(http PUT "$home_b/shared.txt" alice --data-binary 'sneaky')"
expect_eq "DELETE via B without the token" 423 "$(http DELETE "$home_b/shared.txt" alice)"
expect_eq "PROPPATCH via B without the token" 423 "$(http PROPPATCH "$home_b/shared.txt" alice \
    -H 'Content-Type: application/xml' --data-binary '<?xml version="1.0"?>
<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:x-test">
<D:set><D:prop><Z:p>v</Z:p></D:prop></D:set></D:propertyupdate>')"
curl -s -u "alice:$ALICE_PW" -o "$WORK/a3.txt" "$home_a/shared.txt"
cmp -s "$WORK/b2.txt" "$WORK/a3.txt" && pass "locked resource unchanged" \
    || fail "a refused write changed the resource"

# LOCK discovery through B shows A's lock (RFC 4918 §15.8).
curl -s -o "$WORK/disc.xml" -X PROPFIND -u "alice:$ALICE_PW" -H 'Depth: 0' \
    -H 'Content-Type: application/xml' --data-binary '<?xml version="1.0"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/></D:prop></D:propfind>' "$home_b/shared.txt"
grep -qF "$token" "$WORK/disc.xml" && pass "B's lockdiscovery shows A's token" \
    || fail "B's lockdiscovery lacks the token: $(head -c 400 "$WORK/disc.xml")"

# With the token (If header, RFC 4918 §10.4) B accepts the write.
expect_eq "PUT via B with the token" 204 "$(http PUT "$home_b/shared.txt" alice \
    -H "If: (<$token>)" --data-binary 'with token')"
# A second exclusive LOCK through B conflicts.
expect_eq "second exclusive LOCK via B" 423 "$(http LOCK "$home_b/shared.txt" alice \
    -H 'Content-Type: application/xml' -H 'Depth: 0' --data-binary "$lockinfo")"
# UNLOCK through B releases A's lock; then A writes without a token.
expect_eq "UNLOCK via B" 204 "$(http UNLOCK "$home_b/shared.txt" alice -H "Lock-Token: <$token>")"
expect_eq "PUT via A after UNLOCK" 204 "$(http PUT "$home_a/shared.txt" alice --data-binary 'free')"

# Killing one server leaves the other serving.
proto_kill a KILL
expect_eq "GET via B after A died" 200 "$(http GET "$home_b/shared.txt" alice)"
proto_finish
