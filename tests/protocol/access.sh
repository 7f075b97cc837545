#!/usr/bin/env bash
# Access control over real HTTP (DESIGN.md, "Bad input": another user's data
# is a 403 or 404, never a 200; here always 404, so nothing leaks existence):
# anonymous -> 401 with a Basic challenge (RFC 7617 §2); alice on bob's home
# -> 404 for every method, and bob's data unchanged; alice's own -> success.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

proto_init
proto_start main
alice="$URL_main/calendars/users/alice"
bob="$URL_main/calendars/users/bob"
xml=(-H 'Content-Type: application/xml; charset=utf-8')
propfind='<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>'
proppatch='<?xml version="1.0"?>
<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:x-test">
<D:set><D:prop><Z:p>v</Z:p></D:prop></D:set></D:propertyupdate>'
lockinfo='<?xml version="1.0"?>
<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>
<D:locktype><D:write/></D:locktype></D:lockinfo>'

# bob's data that alice will try to reach.
expect_eq "bob PUT secret.txt" 201 "$(http PUT "$bob/secret.txt" bob --data-binary 'bob only')"
expect_eq "bob MKCOL private/" 201 "$(http MKCOL "$bob/private/" bob)"

# Anonymous: 401 + WWW-Authenticate: Basic realm=... on every method.
for method in PROPFIND GET PUT DELETE MKCOL PROPPATCH; do
    headers=$(curl -s -o /dev/null -D - -X "$method" "$alice/" | tr -d '\r')
    status=$(head -n 1 <<<"$headers" | awk '{ print $2 }')
    expect_eq "anonymous $method" 401 "$status"
    grep -qiE '^www-authenticate: *basic +realm=' <<<"$headers" \
        && pass "anonymous $method: Basic challenge" \
        || fail "anonymous $method: no 'WWW-Authenticate: Basic realm=' header"
done
# RFC 6764: the well-known redirect is answered before any login (clients
# probe it first); it reveals nothing but the context path.
wk=$(curl -s -o /dev/null -D - -X PROPFIND "$URL_main/.well-known/caldav" | tr -d '\r')
expect_eq "anonymous PROPFIND /.well-known/caldav" 301 "$(head -n 1 <<<"$wk" | awk '{ print $2 }')"
expect_eq "well-known Location" "Location: /" "$(grep -i '^Location:' <<<"$wk")"
expect_eq "wrong password" 401 "$(http PROPFIND "$alice/" 'alice:wrong' -H 'Depth: 0')"
expect_eq "unknown user" 401 "$(http PROPFIND "$alice/" 'mallory:x' -H 'Depth: 0')"
expect_eq "bob's password for alice" 401 "$(http PROPFIND "$alice/" "alice:$BOB_PW" -H 'Depth: 0')"

# alice on bob's resources: 404, whatever the method.
for target in "$bob/" "$bob/secret.txt" "$bob/private/" "$bob/calendar/" "$bob/nothing.txt"; do
    t=${target#"$URL_main"}
    expect_eq "alice PROPFIND $t" 404 "$(http PROPFIND "$target" alice -H 'Depth: 0' "${xml[@]}" \
        --data-binary "$propfind")"
    expect_eq "alice GET $t" 404 "$(http GET "$target" alice)"
    expect_eq "alice HEAD $t" 404 "$(curl -s -o /dev/null -w '%{http_code}' -I \
        -u "alice:$ALICE_PW" "$target")"
    expect_eq "alice PUT $t" 404 "$(http PUT "$target" alice --data-binary 'from alice')"
    expect_eq "alice PROPPATCH $t" 404 "$(http PROPPATCH "$target" alice "${xml[@]}" \
        --data-binary "$proppatch")"
    expect_eq "alice LOCK $t" 404 "$(http LOCK "$target" alice "${xml[@]}" \
        --data-binary "$lockinfo")"
    expect_eq "alice COPY $t" 404 "$(http COPY "$target" alice -H "Destination: $alice/stolen")"
    expect_eq "alice MOVE $t" 404 "$(http MOVE "$target" alice -H "Destination: $alice/stolen")"
    expect_eq "alice DELETE $t" 404 "$(http DELETE "$target" alice)"
done
expect_eq "alice MKCOL in bob's home" 404 "$(http MKCOL "$bob/newcol/" alice)"
expect_eq "alice MKCOL in bob's private/" 404 "$(http MKCOL "$bob/private/sub/" alice)"
expect_eq "alice REPORT on bob's calendar" 404 "$(http REPORT "$bob/calendar/" alice \
    -H 'Depth: 1' "${xml[@]}" --data-binary '<?xml version="1.0"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/></D:prop>
<C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>')"
# Destinations into bob's home from alice's own resource: refused too.
expect_eq "alice PUT own mine.txt" 201 "$(http PUT "$alice/mine.txt" alice --data-binary 'mine')"
code=$(http COPY "$alice/mine.txt" alice -H "Destination: $bob/planted.txt")
[[ "$code" == 403 || "$code" == 404 || "$code" == 502 ]] \
    && pass "alice COPY into bob's home refused ($code)" \
    || fail "alice COPY into bob's home: got $code"
code=$(http MOVE "$alice/mine.txt" alice -H "Destination: $bob/planted.txt")
[[ "$code" == 403 || "$code" == 404 || "$code" == 502 ]] \
    && pass "alice MOVE into bob's home refused ($code)" \
    || fail "alice MOVE into bob's home: got $code"

# bob's data is untouched.
expect_eq "bob GET secret.txt" 200 "$(http GET "$bob/secret.txt" bob)"
expect_eq "bob secret.txt body" "bob only" "$(curl -s -u "bob:$BOB_PW" "$bob/secret.txt")"
expect_eq "bob planted.txt absent" 404 "$(http GET "$bob/planted.txt" bob)"
expect_eq "bob nothing.txt absent" 404 "$(http GET "$bob/nothing.txt" bob)"
expect_eq "bob newcol absent" 404 "$(http PROPFIND "$bob/newcol/" bob -H 'Depth: 0')"
expect_eq "bob private/ present" 207 "$(http PROPFIND "$bob/private/" bob -H 'Depth: 0')"
expect_eq "bob PUT secret.txt unlocked" 204 \
    "$(http PUT "$bob/secret.txt" bob --data-binary 'bob only')"
expect_eq "alice's home has no stolen copy" 404 "$(http GET "$alice/stolen" alice)"

# alice on her own home: the expected successes.
expect_eq "alice PROPFIND home" 207 "$(http PROPFIND "$alice/" alice -H 'Depth: 1')"
expect_eq "alice PROPFIND calendar" 207 "$(http PROPFIND "$alice/calendar/" alice -H 'Depth: 0')"
expect_eq "alice OPTIONS home" 200 "$(http OPTIONS "$alice/" alice)"
expect_eq "alice MKCOL col/" 201 "$(http MKCOL "$alice/col/" alice)"
expect_eq "alice PUT col/a.txt" 201 "$(http PUT "$alice/col/a.txt" alice --data-binary 'a')"
expect_eq "alice PUT col/a.txt again" 204 "$(http PUT "$alice/col/a.txt" alice --data-binary 'b')"
expect_eq "alice GET col/a.txt" 200 "$(http GET "$alice/col/a.txt" alice)"
expect_eq "alice PROPPATCH col/a.txt" 207 "$(http PROPPATCH "$alice/col/a.txt" alice "${xml[@]}" \
    --data-binary "$proppatch")"
expect_eq "alice COPY col/a.txt" 201 "$(http COPY "$alice/col/a.txt" alice \
    -H "Destination: $alice/col/b.txt")"
expect_eq "alice MOVE col/b.txt" 201 "$(http MOVE "$alice/col/b.txt" alice \
    -H "Destination: $alice/col/c.txt")"
lock_code=$(curl -s -D "$WORK/lock.h" -o /dev/null -w '%{http_code}' -X LOCK \
    -u "alice:$ALICE_PW" "${xml[@]}" --data-binary "$lockinfo" "$alice/col/c.txt")
expect_eq "alice LOCK col/c.txt" 200 "$lock_code"
token=$(tr -d '\r' <"$WORK/lock.h" | awk 'tolower($1) == "lock-token:" { print $2 }')
expect_eq "alice UNLOCK col/c.txt" 204 \
    "$(http UNLOCK "$alice/col/c.txt" alice -H "Lock-Token: $token")"
expect_eq "alice DELETE col/c.txt" 204 "$(http DELETE "$alice/col/c.txt" alice)"
expect_eq "alice DELETE col/" 204 "$(http DELETE "$alice/col/" alice)"
# bob cannot see alice's either (the rule is symmetric).
expect_eq "bob GET alice's mine.txt" 404 "$(http GET "$alice/mine.txt" bob)"
expect_eq "bob PROPFIND alice's home" 404 "$(http PROPFIND "$alice/" bob -H 'Depth: 0')"
proto_finish
