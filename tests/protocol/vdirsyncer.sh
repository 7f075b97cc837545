#!/usr/bin/env bash
# Two-way sync with a real client: vdirsyncer (Debian, 0.19) against the
# real binary. Discovery from the server root (RFC 6764 / current-user-
# principal, calendar-home-set), a collection created by the client (from
# the local side), then 1,000 events (some recurring with overrides) synced
# down, a local edit synced up, a server-side edit (If-Match) synced down, a
# delete each way, and a final sync with nothing to do and identical UIDs
# and contents on both sides. conflict_resolution is left unset, so any
# conflict (e.g. an unstable ETag, vdirsyncer#262) fails the sync.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if ! command -v vdirsyncer >/dev/null; then
    log "vdirsyncer not installed (scripts/install-deps)"
    exit 1
fi

N_EVENTS=${VDS_EVENTS:-1000}

proto_init
proto_start main

export HOME="$WORK/home"
mkdir -p "$HOME" "$WORK/vds/local/mine"
CONF="$WORK/vds/config"
LOCAL="$WORK/vds/local"
CAL_PATH="/calendars/users/alice/calendar/"
CAL_URL="$URL_main$CAL_PATH"
# Never let the client's output language change what we grep for.
export LC_ALL=C.UTF-8 LANG=C.UTF-8

cat >"$CONF" <<CONF
[general]
status_path = "$WORK/vds/status/"

[pair cal]
a = "cal_local"
b = "cal_remote"
collections = ["from a", "from b"]

[storage cal_local]
type = "filesystem"
path = "$LOCAL/"
fileext = ".ics"

[storage cal_remote]
type = "caldav"
url = "$URL_main/"
username = "alice"
password = "$ALICE_PW"
CONF

# Server-side helper: create events, dump the collection (PROPFIND + GET).
cat >"$WORK/vds/server.py" <<'PY'
import concurrent.futures, json, os, sys, urllib.parse
import xml.etree.ElementTree as ET
import requests

base = os.environ["URL"]
auth = ("alice", os.environ["PW"])
session = requests.Session()
session.auth = auth
adapter = requests.adapters.HTTPAdapter(pool_connections=8, pool_maxsize=8)
session.mount("http://", adapter)

def event(i):
    uid = f"vds-{i:04d}@cosmo.test"
    day = 1 + i % 28
    month = 1 + (i // 28) % 12
    start = f"2025{month:02d}{day:02d}T{8 + i % 10:02d}0000Z"
    end = f"2025{month:02d}{day:02d}T{9 + i % 10:02d}0000Z"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//cosmo vdirsyncer test//EN",
             "BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20250101T000000Z",
             f"DTSTART:{start}", f"DTEND:{end}", f"SUMMARY:event {i}"]
    if i % 10 == 0:
        # Recurring, with one moved instance (an override sharing the UID).
        lines += ["RRULE:FREQ=WEEKLY;COUNT=5", "END:VEVENT", "BEGIN:VEVENT",
                  f"UID:{uid}", "DTSTAMP:20250101T000000Z", f"RECURRENCE-ID:{start}",
                  f"DTSTART:{start[:9]}200000Z", f"DTEND:{start[:9]}210000Z",
                  f"SUMMARY:event {i} (moved)"]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return uid, "\r\n".join(lines) + "\r\n"

def put(i):
    uid, body = event(i)
    r = session.put(base + f"{i:04d}-{uid.split('@')[0]}.ics", data=body.encode(),
                    headers={"Content-Type": "text/calendar; charset=utf-8",
                             "If-None-Match": "*"})
    return uid, r.status_code

def create(n):
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        bad = [(u, s) for u, s in pool.map(put, range(n)) if s != 201]
    if bad:
        print(f"PUT failed for {len(bad)} events, e.g. {bad[:3]}", file=sys.stderr)
        sys.exit(1)

def get(href):
    r = session.get(urllib.parse.urljoin(base, href))
    return href, r.status_code, r.headers.get("ETag"), r.content

def dump(out):
    body = ('<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/>'
            '</d:prop></d:propfind>')
    r = session.request("PROPFIND", base, data=body,
                        headers={"Depth": "1", "Content-Type": "application/xml"})
    if r.status_code != 207:
        print(f"PROPFIND {base}: {r.status_code} {r.text[:300]}", file=sys.stderr)
        sys.exit(1)
    path = urllib.parse.urlsplit(base).path
    hrefs = [h.text for h in ET.fromstring(r.content).iter("{DAV:}href")
             if urllib.parse.unquote(h.text).rstrip("/") != path.rstrip("/")]
    result = {}
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for href, status, etag, data in pool.map(get, hrefs):
            if status != 200:
                print(f"GET {href}: {status}", file=sys.stderr)
                sys.exit(1)
            text = data.decode()
            uid = next(l[4:] for l in text.splitlines() if l.startswith("UID:"))
            result[uid] = {"href": href, "etag": etag, "data": text}
    json.dump(result, open(out, "w"))

if sys.argv[1] == "create":
    create(int(sys.argv[2]))
else:
    dump(sys.argv[2])
PY

server_py() { URL="${CAL_URL}" PW="$ALICE_PW" /usr/bin/python3 "$WORK/vds/server.py" "$@"; }

# Runs vdirsyncer, keeps its output in $WORK/vds/last.log; 0 on success.
# stdin answers "yes" to discover's "create this collection?" prompts.
vds() {
    local rc=0
    { yes || true; } | vdirsyncer -c "$CONF" "$@" >"$WORK/vds/last.log" 2>&1 || rc=$?
    if ((rc != 0)); then
        log "----- vdirsyncer $* (exit $rc) -----"
        tail -n 60 "$WORK/vds/last.log" >&2
    fi
    return "$rc"
}

# Timed sync; label for the log.
sync_step() {
    local what=$1 t0 t1
    t0=$(date +%s.%N)
    if vds sync; then
        t1=$(date +%s.%N)
        pass "$what: vdirsyncer sync ($(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s)"
        # vdirsyncer 0.19 logs "Deleting an item with no etag." exactly when
        # it HAS an etag and sends If-Match (inverted test in storage/dav.py).
        local problems
        problems=$(grep -i 'conflict\|error\|warning' "$WORK/vds/last.log" \
            | grep -v 'Deleting an item with no etag' || true)
        [[ -z "$problems" ]] || fail "$what: sync reported problems: $(head -5 <<<"$problems")"
    else
        fail "$what: vdirsyncer sync failed"
        proto_finish
    fi
}

# Compares the server's collection with the local folder: same UIDs, and
# the same bytes (line endings aside) for every UID. Prints differences.
compare_sides() {
    local what=$1 expected=$2
    server_py dump "$WORK/vds/server.json" || { fail "$what: dump of the server failed"; return; }
    if LOCALDIR="$LOCAL/calendar" EXPECTED="$expected" \
        /usr/bin/python3 - "$WORK/vds/server.json" <<'PY'
import glob, json, os, sys
server = json.load(open(sys.argv[1]))
local = {}
for f in glob.glob(os.path.join(os.environ["LOCALDIR"], "*.ics")):
    text = open(f, encoding="utf-8", newline="").read()
    uid = next(l[4:] for l in text.splitlines() if l.startswith("UID:"))
    if uid in local:
        print(f"duplicate UID {uid} in local files", file=sys.stderr)
    local[uid] = text
norm = lambda s: s.replace("\r\n", "\n").strip()
ok = True
exp = int(os.environ["EXPECTED"])
if len(server) != exp or len(local) != exp:
    print(f"expected {exp} items: server has {len(server)}, local has {len(local)}",
          file=sys.stderr)
    ok = False
only_s, only_l = sorted(set(server) - set(local)), sorted(set(local) - set(server))
if only_s or only_l:
    print(f"only on server: {only_s[:5]} ({len(only_s)}); only local: {only_l[:5]} ({len(only_l)})",
          file=sys.stderr)
    ok = False
diff = [u for u in set(server) & set(local) if norm(server[u]["data"]) != norm(local[u])]
if diff:
    u = sorted(diff)[0]
    print(f"{len(diff)} items differ, e.g. {u}:\n--- server\n{server[u]['data']}\n--- local\n"
          f"{local[u]}", file=sys.stderr)
    ok = False
# A few byte-exact comparisons against GET (vdirsyncer writes what it got).
exact = [u for u in sorted(set(server) & set(local))[:5] if server[u]["data"] != local[u]]
if exact:
    print(f"not byte-identical to GET: {exact}", file=sys.stderr)
    ok = False
sys.exit(0 if ok else 1)
PY
    then
        pass "$what: server and local identical ($expected items)"
    else
        fail "$what: server and local differ"
    fi
}

# Local file of a UID (vdirsyncer names downloaded files after the UID,
# but find it by content so the test does not depend on that).
# A missing file ends the test (the later steps need it).
local_file() {
    local f
    f=$(grep -l -F "UID:$1" "$LOCAL"/calendar/*.ics | head -1 || true)
    if [[ -z "$f" ]]; then
        fail "no local file holds UID:$1"
        proto_finish
    fi
    printf '%s\n' "$f"
}

# --- discover: the server's default calendar comes down, the local-only
# collection "mine" goes up (extended MKCOL / MKCALENDAR by the client).
t_start=$(date +%s)
if vds discover; then
    pass "vdirsyncer discover"
else
    fail "vdirsyncer discover failed"
    proto_finish
fi
[[ -d "$LOCAL/calendar" ]] && pass "local folder for the server's calendar" \
    || fail "discover did not create $LOCAL/calendar (found: $(ls "$LOCAL"))"
expect_eq "collection created on the server by discover" 207 \
    "$(http PROPFIND "$URL_main/calendars/users/alice/mine/" alice -H 'Depth: 0')"

# --- 1,000 events on the server, synced down.
t0=$(date +%s)
if server_py create "$N_EVENTS"; then
    pass "$N_EVENTS events PUT on the server ($(($(date +%s) - t0)) s)"
else
    fail "creating the events on the server"
    proto_finish
fi
sync_step "initial"
count=$(find "$LOCAL/calendar" -name '*.ics' | wc -l)
expect_eq "local .ics files after the first sync" "$N_EVENTS" "$count"
compare_sides "after the first sync" "$N_EVENTS"

# An event made locally in the client-created collection goes up.
cat >"$LOCAL/mine/local-1.ics" <<'ICS'
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//cosmo vdirsyncer test local//EN
BEGIN:VEVENT
UID:local-1@cosmo.test
DTSTAMP:20250101T000000Z
DTSTART:20250301T100000Z
DTEND:20250301T110000Z
SUMMARY:made locally
END:VEVENT
END:VCALENDAR
ICS
sync_step "local create"
if CAL_URL="$URL_main/calendars/users/alice/mine/" server_py dump "$WORK/vds/mine.json"; then
    n_mine=$(/usr/bin/python3 -c 'import json, sys; print(list(json.load(open(sys.argv[1]))))' \
        "$WORK/vds/mine.json")
else
    n_mine="(dump failed)"
fi
expect_eq "local event uploaded to the client-created collection" "['local-1@cosmo.test']" \
    "$n_mine"

# --- local edit → server.
f=$(local_file "vds-0007@cosmo.test")
sed -i 's/^SUMMARY:event 7\(\r\?\)$/SUMMARY:edited locally\1/' "$f"
grep -q '^SUMMARY:edited locally' "$f" || fail "test bug: local edit did not apply to $f"
sync_step "local edit"
body=$(curl -s -u "alice:$ALICE_PW" "${CAL_URL}0007-vds-0007.ics")
[[ "$body" == *"SUMMARY:edited locally"* ]] && pass "local edit visible in the server's GET" \
    || fail "local edit not on the server; GET ${CAL_PATH}0007-vds-0007.ics: $body"

# Same for a recurring event: edit the override's SUMMARY locally.
f=$(local_file "vds-0020@cosmo.test")
sed -i 's/^SUMMARY:event 20 (moved)\(\r\?\)$/SUMMARY:override edited locally\1/' "$f"
sync_step "local override edit"
body=$(curl -s -u "alice:$ALICE_PW" "${CAL_URL}0020-vds-0020.ics")
[[ "$body" == *"SUMMARY:override edited locally"* && "$body" == *"RRULE:FREQ=WEEKLY"* ]] \
    && pass "local override edit visible in the server's GET" \
    || fail "local override edit not on the server; GET: $body"

# --- server-side edit (If-Match) → local.
href="${CAL_URL}0011-vds-0011.ics"
etag=$(curl -s -D - -o "$WORK/vds/ev11.ics" -u "alice:$ALICE_PW" "$href" | tr -d '\r' \
    | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p')
[[ -n "$etag" ]] || fail "GET $href has no ETag"
sed -i 's/^SUMMARY:event 11\r$/SUMMARY:edited on the server\r/' "$WORK/vds/ev11.ics"
expect_eq "server-side PUT with If-Match" 204 "$(http PUT "$href" alice -H "If-Match: $etag" \
    -H 'Content-Type: text/calendar' --data-binary @"$WORK/vds/ev11.ics")"
sync_step "server edit"
f=$(local_file "vds-0011@cosmo.test")
grep -q '^SUMMARY:edited on the server' "$f" && pass "server edit visible in the local file" \
    || fail "server edit not in $f: $(grep SUMMARY "$f")"

# --- delete each way.
f=$(local_file "vds-0033@cosmo.test")
rm -f "$f"
expect_eq "server-side DELETE" 204 "$(http DELETE "${CAL_URL}0044-vds-0044.ics" alice)"
sync_step "deletes"
expect_eq "locally deleted event gone from the server" 404 \
    "$(http GET "${CAL_URL}0033-vds-0033.ics" alice)"
if grep -q -F 'UID:vds-0044@cosmo.test' "$LOCAL"/calendar/*.ics; then
    fail "server-deleted event still local: $(grep -l -F 'UID:vds-0044@cosmo.test' \
        "$LOCAL"/calendar/*.ics)"
else
    pass "server-deleted event gone locally"
fi

# --- a final sync has nothing to do; both sides identical.
sync_step "final"
if grep -v '^Syncing ' "$WORK/vds/last.log" | grep -q .; then
    fail "final sync was not a no-op: $(grep -v '^Syncing ' "$WORK/vds/last.log" | head -5)"
else
    pass "final sync had nothing to do"
fi
compare_sides "at the end" "$((N_EVENTS - 2))"
log "vdirsyncer scenario: $(($(date +%s) - t_start)) s"

proto_finish
