#!/usr/bin/env bash
# CalDAV edge cases real clients hit (CLIENTS.md §1.2-§1.6, §1.14, §2), end
# to end over HTTP against the real binary with raw requests (python3
# requests): sync-collection (empty token, Depth 1, nresults + 507, invalid
# token, tombstones), lenient time zones (no VTIMEZONE, Windows TZID at the
# right UTC time), recurrence (DATE EXDATE on a DATE-TIME series, overrides
# moved into/out of a range, unbounded rules from 400 days back), ETags
# (same across GET/PROPFIND/REPORT, changed by a VALARM-only edit),
# If-None-Match: *, a stored unparsable object (written by SQL, bypassing
# validation) that must not break listings or reports, Apple's unknown
# properties, calendar export (GET) and MOVE between calendars.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

proto_init
proto_start main

if URL="$URL_main" PW="$ALICE_PW" PG="$PROTO_PG" SHARD_DBS="${proto_dbs[1]} ${proto_dbs[2]}" \
    /usr/bin/python3 - <<'PY'
import datetime, os, re, subprocess, sys
import xml.etree.ElementTree as ET
import requests

URL = os.environ["URL"]
S = requests.Session()
S.auth = ("alice", os.environ["PW"])
D, C, CS = "{DAV:}", "{urn:ietf:params:xml:ns:caldav}", "{http://calendarserver.org/ns/}"
NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"'
HOME = "/calendars/users/alice/"
CAL = HOME + "edge/"

failures = []
def check(what, cond, detail=""):
    print(("ok: " if cond else "FAIL: ") + what + ("" if cond else " " + str(detail)[:600]),
          file=sys.stderr)
    if not cond:
        failures.append(what)

def req(method, path, body=None, headers=None):
    h = {"Content-Type": "application/xml; charset=utf-8"} if body and method != "PUT" else {}
    h.update(headers or {})
    return S.request(method, URL + path, data=body.encode() if isinstance(body, str) else body,
                     headers=h)

def put(path, ics, headers=None):
    h = {"Content-Type": "text/calendar; charset=utf-8"}
    h.update(headers or {})
    return req("PUT", path, ics, h)

def responses(text):
    """href -> (status, {prop clark name: (status, element)})"""
    out = {}
    root = ET.fromstring(text)
    for r in root.findall(D + "response"):
        href = r.findtext(D + "href")
        status = r.findtext(D + "status")
        props = {}
        for ps in r.findall(D + "propstat"):
            code = int(ps.findtext(D + "status").split()[1])
            for p in ps.find(D + "prop"):
                props[p.tag] = (code, p)
        out[href] = (int(status.split()[1]) if status else 200, props)
    return out

def sync(token, depth=None, limit=None, path=CAL):
    body = (f'<?xml version="1.0"?><D:sync-collection {NS}>'
            + ("<D:sync-token/>" if token == "" else f"<D:sync-token>{token}</D:sync-token>")
            + "<D:sync-level>1</D:sync-level>"
            + (f"<D:limit><D:nresults>{limit}</D:nresults></D:limit>" if limit else "")
            + "<D:prop><D:getetag/></D:prop></D:sync-collection>")
    r = req("REPORT", path, body, {"Depth": depth} if depth else {})
    tok = None
    if r.status_code == 207:
        tok = ET.fromstring(r.text).findtext(D + "sync-token")
    return r, tok

def query(filt, path=CAL, prop="<D:getetag/>", depth="1"):
    body = (f'<?xml version="1.0"?><C:calendar-query {NS}><D:prop>{prop}</D:prop>'
            f'<C:filter><C:comp-filter name="VCALENDAR">{filt}</C:comp-filter></C:filter>'
            "</C:calendar-query>")
    return req("REPORT", path, body, {"Depth": depth})

def ev_range(start, end, comp="VEVENT"):
    e = f' end="{end}"' if end else ""
    return f'<C:comp-filter name="{comp}"><C:time-range start="{start}"{e}/></C:comp-filter>'

def found(r):
    return {h.rsplit("/", 1)[-1] for h, (st, _) in responses(r.text).items() if st == 200}

def vcal(body, tz=""):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//edge//EN\r\n" + tz + body
            + "END:VCALENDAR\r\n")

def vevent(uid, lines):
    return (f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20250101T000000Z\r\n" + lines
            + f"SUMMARY:{uid}\r\nEND:VEVENT\r\n")

check("MKCALENDAR edge", req("MKCALENDAR", CAL).status_code == 201)

# --- sync-collection ------------------------------------------------------
for i in range(5):
    put(CAL + f"s{i}.ics", vcal(vevent(f"s{i}", "DTSTART:20250105T100000Z\r\nDURATION:PT1H\r\n")))
req("DELETE", CAL + "s4.ics")
r, tok0 = sync("")
check("empty <sync-token/>: 207", r.status_code == 207, r.text)
got = responses(r.text) if r.status_code == 207 else {}
check("initial sync: members only, no tombstones",
      sorted(h.rsplit("/", 1)[-1] for h in got) == [f"s{i}.ics" for i in range(4)], got.keys())
r, tok_d1 = sync("", depth="1")
check("sync-collection with Depth: 1 tolerated", r.status_code == 207, r.status_code)
r, _ = sync("http://example.com/ns/sync/bogus")
check("invalid token: 403 valid-sync-token",
      r.status_code == 403 and "valid-sync-token" in r.text, (r.status_code, r.text))
put(CAL + "s5.ics", vcal(vevent("s5", "DTSTART:20250105T100000Z\r\n")))
put(CAL + "s6.ics", vcal(vevent("s6", "DTSTART:20250105T100000Z\r\n")))
req("DELETE", CAL + "s0.ics")
r, tok1 = sync(tok0)
got = responses(r.text)
check("delta: deleted item is a 404", got.get(CAL + "s0.ics", (0,))[0] == 404, got)
check("delta: new items 200", got.get(CAL + "s5.ics", (0,))[0] == 200
      and got.get(CAL + "s6.ics", (0,))[0] == 200, got)
r, tok_part = sync(tok0, limit=2)
got = responses(r.text) if r.status_code == 207 else {}
check("nresults: 507 for the collection",
      got.get(CAL, (0,))[0] == 507 and "number-of-matches-within-limits" in r.text, r.text)
check("nresults: at most 2 members", len([h for h in got if h != CAL]) == 2, got.keys())
check("nresults: a token for the partial state", tok_part and tok_part != tok0 and tok_part != tok1,
      tok_part)
r, tok_rest = sync(tok_part)
rest = responses(r.text)
check("continuing from the partial token gives the rest",
      r.status_code == 207 and len(rest) == 1 and tok_rest == tok1, (rest.keys(), tok_rest, tok1))

# --- lenient time zones ---------------------------------------------------
r = put(CAL + "notz.ics", vcal(vevent("notz", "DTSTART;TZID=America/New_York:20250601T090000\r\n"
                                              "DTEND;TZID=America/New_York:20250601T100000\r\n")))
check("TZID without VTIMEZONE accepted", r.status_code == 201, (r.status_code, r.text))
r = query(ev_range("20250601T130000Z", "20250601T133000Z"))
check("TZID without VTIMEZONE resolved (09:00 New York = 13:00Z)", "notz.ics" in found(r), r.text)
r = put(CAL + "win.ics", vcal(vevent("win", "DTSTART;TZID=W. Europe Standard Time:20250715T100000\r\n"
                                            "DTEND;TZID=W. Europe Standard Time:20250715T110000\r\n")))
check("Windows TZID accepted", r.status_code == 201, (r.status_code, r.text))
r = query(ev_range("20250715T081500Z", "20250715T084500Z"))
check("Windows TZID found at 08:00Z (10:00 CEST)", "win.ics" in found(r), r.text)
r = query(ev_range("20250715T093000Z", "20250715T103000Z"))
check("Windows TZID not found at 10:00Z", "win.ics" not in found(r), r.text)
r = put(CAL + "unknowntz.ics", vcal(vevent("unknowntz", "DTSTART;TZID=Mars/Olympus:20250601T090000\r\n")))
check("unknown TZID: no 500", r.status_code < 500, r.status_code)

# --- recurrence -----------------------------------------------------------
put(CAL + "exdate.ics", vcal(vevent("exdate", "DTSTART:20250301T100000Z\r\nDURATION:PT1H\r\n"
                                    "RRULE:FREQ=DAILY;COUNT=5\r\nEXDATE;VALUE=DATE:20250303\r\n")))
expand = ('<C:calendar-data><C:expand start="20250301T000000Z" end="20250306T000000Z"/>'
          "</C:calendar-data>")
r = query('<C:comp-filter name="VEVENT"><C:prop-filter name="UID"><C:text-match>exdate'
          "</C:text-match></C:prop-filter></C:comp-filter>", prop=expand)
data = "".join(p[1].text or "" for _, (st, ps) in responses(r.text).items()
               for k, p in ps.items() if k == C + "calendar-data")
ids = sorted(re.findall(r"RECURRENCE-ID:(\d{8})", data))
check("DATE EXDATE on a DATE-TIME series hides the instance in expand",
      ids == ["20250301", "20250302", "20250304", "20250305"], (ids, data))
r = query(ev_range("20250303T000000Z", "20250304T000000Z"))
check("DATE EXDATE: the excluded day does not match", "exdate.ics" not in found(r), r.text)

put(CAL + "moved.ics", vcal(
    vevent("moved", "DTSTART:20250303T100000Z\r\nDTEND:20250303T110000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n")
    + vevent("moved", "RECURRENCE-ID:20250310T100000Z\r\nDTSTART:20250314T100000Z\r\n"
                      "DTEND:20250314T110000Z\r\n")))
r = query(ev_range("20250310T000000Z", "20250311T000000Z"))
check("override moved out of the range: no match", "moved.ics" not in found(r), r.text)
r = query(ev_range("20250314T000000Z", "20250315T000000Z"))
check("override moved into the range: match", "moved.ics" in found(r), r.text)

now = datetime.datetime.now(datetime.timezone.utc)
f = "%Y%m%dT%H%M%SZ"
put(CAL + "forever.ics", vcal(vevent("forever", "DTSTART:20200106T090000Z\r\nDURATION:PT1H\r\n"
                                                "RRULE:FREQ=WEEKLY\r\n")))
future = now + datetime.timedelta(days=30)
put(CAL + "future.ics", vcal(vevent("future", f"DTSTART:{future.strftime(f)}\r\nDURATION:PT1H\r\n")))
r = query(ev_range((now - datetime.timedelta(days=400)).strftime(f), None))
got = found(r)
check("400 days back, open end: unbounded rule and future event found",
      {"forever.ics", "future.ics"} <= got, got)
r = query(ev_range((now - datetime.timedelta(days=400)).strftime(f),
                   (now + datetime.timedelta(days=400)).strftime(f)))
check("400 days back, 400 ahead: same", {"forever.ics", "future.ics"} <= found(r), r.text)

# --- ETags ----------------------------------------------------------------
alarm = ("BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT{}M\r\nDESCRIPTION:x\r\nEND:VALARM\r\n")
def with_alarm(minutes):
    return vcal(f"BEGIN:VEVENT\r\nUID:etag\r\nDTSTAMP:20250101T000000Z\r\n"
                f"DTSTART:20250110T100000Z\r\nSUMMARY:etag\r\n" + alarm.format(minutes)
                + "END:VEVENT\r\n")
r = put(CAL + "etag.ics", with_alarm(5))
e_put = r.headers.get("ETag")
e_get = req("GET", CAL + "etag.ics").headers.get("ETag")
pf = req("PROPFIND", CAL, '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/>'
         "</D:prop></D:propfind>", {"Depth": "1"})
e_pf = responses(pf.text)[CAL + "etag.ics"][1][D + "getetag"][1].text
mg = req("REPORT", CAL, f'<?xml version="1.0"?><C:calendar-multiget {NS}><D:prop><D:getetag/>'
         f"</D:prop><D:href>{CAL}etag.ics</D:href></C:calendar-multiget>", {"Depth": "1"})
e_mg = responses(mg.text)[CAL + "etag.ics"][1][D + "getetag"][1].text
r = query('<C:comp-filter name="VEVENT"><C:prop-filter name="UID"><C:text-match>etag'
          "</C:text-match></C:prop-filter></C:comp-filter>")
e_q = responses(r.text)[CAL + "etag.ics"][1][D + "getetag"][1].text
check("ETag identical across PUT/GET/PROPFIND/multiget/query",
      e_put and len({e_put, e_get, e_pf, e_mg, e_q}) == 1, (e_put, e_get, e_pf, e_mg, e_q))
mg = req("REPORT", CAL, f'<?xml version="1.0"?><C:calendar-multiget {NS}><D:prop><D:getetag/>'
         f"<C:calendar-data/></D:prop><D:href>{CAL}etag.ics</D:href><D:href>{CAL}etag.ics</D:href>"
         "</C:calendar-multiget>", {"Depth": "1"})
check("multiget naming one href twice: two responses, each with the body",
      mg.status_code == 207 and mg.text.count("UID:etag") == 2
      and mg.text.count("<D:response>") == 2, (mg.status_code, mg.text[:400]))
r = put(CAL + "etag.ics", with_alarm(15))
check("VALARM-only edit changes the ETag", r.headers.get("ETag") not in (None, e_put),
      (r.headers.get("ETag"), e_put))
r = put(CAL + "etag.ics", with_alarm(30), {"If-None-Match": "*"})
check("If-None-Match: * on an existing object: 412", r.status_code == 412, r.status_code)
r = put(CAL + "etag.ics", with_alarm(30), {"If-Match": e_put})
check("If-Match with a stale ETag: 412", r.status_code == 412, r.status_code)

# Lost update: many clients edit with the same If-Match at once; the store
# re-checks the ETag under the collection lock, so exactly one wins and
# the others get 412 (without it, several got 204 and all but the last
# edit were silently lost).
import concurrent.futures, threading
RACERS = 8
racers = []
for _ in range(RACERS):  # warm keep-alive connections: the PUTs then go out together
    s = requests.Session()
    s.auth = S.auth
    s.get(URL + CAL + "etag.ics")
    racers.append(s)
def race(round_no):
    base = req("GET", CAL + "etag.ics").headers.get("ETag")
    barrier = threading.Barrier(RACERS)
    def racer(n):
        barrier.wait()
        r = racers[n].put(URL + CAL + "etag.ics", data=with_alarm(40 + round_no * 10 + n).encode(),
                          headers={"Content-Type": "text/calendar; charset=utf-8",
                                   "If-Match": base})
        return r.status_code, r.headers.get("ETag")
    with concurrent.futures.ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(racer, range(RACERS)))
bad = []
for round_no in range(10):
    results = race(round_no)
    codes = sorted(c for c, _ in results)
    winners = [e for c, e in results if c == 204]
    stored = req("GET", CAL + "etag.ics").headers.get("ETag")
    if codes.count(204) != 1 or codes.count(412) != RACERS - 1 or stored != winners[0]:
        bad.append((round_no, codes, stored, winners))
check("10 rounds of 8 concurrent PUTs with one If-Match: exactly one 204 each, "
      "the rest 412, the winner's edit stored", not bad, bad)

# The same for DELETE against PUT: 4 edits and 4 deletes with one If-Match.
bad = []
for round_no in range(10):
    put(CAL + "etag.ics", with_alarm(200 + round_no))
    base = req("GET", CAL + "etag.ics").headers.get("ETag")
    barrier = threading.Barrier(RACERS)
    def racer(n):
        barrier.wait()
        h = {"If-Match": base}
        if n % 2:
            return "DELETE", racers[n].delete(URL + CAL + "etag.ics", headers=h).status_code
        h["Content-Type"] = "text/calendar; charset=utf-8"
        return "PUT", racers[n].put(URL + CAL + "etag.ics", headers=h,
                                    data=with_alarm(300 + round_no * 10 + n).encode()).status_code
    with concurrent.futures.ThreadPoolExecutor(RACERS) as pool:
        results = list(pool.map(racer, range(RACERS)))
    wins = [m for m, c in results if c == 204]
    gone = req("GET", CAL + "etag.ics").status_code == 404
    # A DELETE judged after another one landed finds nothing: 404 is a loss too.
    losses = sum(c == 412 or (m == "DELETE" and c == 404) for m, c in results)
    if len(wins) != 1 or losses != RACERS - 1 or gone != (wins == ["DELETE"]):
        bad.append((round_no, results, gone))
check("10 rounds of 4 PUTs and 4 DELETEs with one If-Match: exactly one wins", not bad, bad)
put(CAL + "etag.ics", with_alarm(5))

# --- bytes XML cannot carry are refused at PUT -----------------------------
r = put(CAL + "latin1.ics", vcal(vevent("latin1", "DTSTART:20250105T100000Z\r\n"))
        .replace("SUMMARY:", "SUMMARY:caf\xe9 ").encode("latin-1"))
check("PUT of ISO-8859-1 bytes: 403 valid-calendar-data",
      r.status_code == 403 and "valid-calendar-data" in r.text, (r.status_code, r.text))
mg = req("REPORT", CAL, f'<?xml version="1.0"?><C:calendar-multiget {NS}><D:prop><D:getetag/>'
         f"<C:calendar-data/></D:prop><D:href>{CAL}latin1.ics</D:href>"
         f"<D:href>{CAL}etag.ics</D:href></C:calendar-multiget>", {"Depth": "1"})
try:
    ET.fromstring(mg.content)
    well_formed = True
except ET.ParseError as e:
    well_formed = str(e)
check("multiget after it is still well-formed XML", mg.status_code == 207 and well_formed is True,
      (mg.status_code, well_formed))

# --- an unparsable stored object ------------------------------------------
put(CAL + "broken.ics", vcal(vevent("broken", "DTSTART:20250105T100000Z\r\n")))
updated = 0
for db in os.environ["SHARD_DBS"].split():
    out = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
                          os.environ["PG"] + " dbname=" + db, "-c",
                          "WITH u AS (UPDATE object SET body = convert_to("
                          "'BEGIN:VCALENDAR' || chr(13) || chr(10) || 'this is not iCalendar',"
                          " 'UTF8') WHERE name = 'broken.ics' RETURNING 1) SELECT count(*) FROM u"],
                         capture_output=True, text=True)
    updated += int(out.stdout.strip() or 0) if out.returncode == 0 else 0
check("corrupted the stored object by SQL", updated == 1, updated)
pf = req("PROPFIND", CAL, f'<?xml version="1.0"?><D:propfind {NS}><D:prop><D:getetag/>'
         "<C:calendar-data/></D:prop></D:propfind>", {"Depth": "1"})
check("PROPFIND Depth 1 still lists the collection", pf.status_code == 207
      and CAL + "s1.ics" in responses(pf.text), (pf.status_code, pf.text[:300]))
r = query('<C:comp-filter name="VEVENT"/>')
check("calendar-query still answers for the rest", r.status_code == 207
      and "s1.ics" in found(r) and "broken.ics" not in found(r), (r.status_code, r.text[:300]))
r = query(ev_range("20250101T000000Z", "20250201T000000Z"),
          prop="<D:getetag/><C:calendar-data/>")
check("calendar-query with calendar-data too", r.status_code == 207 and "s1.ics" in found(r),
      (r.status_code, r.text[:300]))
mg = req("REPORT", CAL, f'<?xml version="1.0"?><C:calendar-multiget {NS}><D:prop><D:getetag/>'
         f"<C:calendar-data/></D:prop><D:href>{CAL}broken.ics</D:href><D:href>{CAL}s1.ics</D:href>"
         "</C:calendar-multiget>", {"Depth": "1"})
check("multiget with the broken object: 207, others served", mg.status_code == 207
      and responses(mg.text).get(CAL + "s1.ics", (0,))[0] == 200, (mg.status_code, mg.text[:300]))
r, _ = sync("")
check("sync-collection with the broken object: 207", r.status_code == 207, r.status_code)
r = req("GET", CAL)
check("calendar export with the broken object: 200 text/calendar",
      r.status_code == 200 and r.headers.get("Content-Type", "").startswith("text/calendar")
      and "UID:s1" in r.text and "not iCalendar" not in r.text, (r.status_code, r.text[:200]))
check("calendar export: one VCALENDAR", r.text.count("BEGIN:VCALENDAR") == 1, r.text[:200])

# --- Apple's property probes ----------------------------------------------
apple = ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"'
         ' xmlns:CS="http://calendarserver.org/ns/" xmlns:A="http://apple.com/ns/ical/"><D:prop>'
         "<CS:pushkey/><CS:push-transports/><D:quota-available-bytes/><A:refreshrate/>"
         "<D:resource-id/><C:schedule-calendar-transp/><C:schedule-default-calendar-URL/>"
         "<CS:source/><CS:subscribed-strip-alarms/><C:supported-calendar-component-sets/>"
         "<C:supported-calendar-component-set/><D:supported-report-set/><D:sync-token/>"
         "<CS:getctag/><A:calendar-color/></D:prop></D:propfind>")
r = req("PROPFIND", CAL, apple, {"Depth": "0", "Brief": "t"})
props = responses(r.text).get(CAL, (0, {}))[1] if r.status_code == 207 else {}
check("Apple probe with Brief: t answers 207", r.status_code == 207, r.status_code)
r = req("PROPFIND", CAL, apple, {"Depth": "0"})
props = responses(r.text).get(CAL, (0, {}))[1] if r.status_code == 207 else {}
check("Apple's unknown properties: 404 propstat",
      props.get(CS + "pushkey", (0,))[0] == 404
      and props.get(C + "schedule-default-calendar-URL", (0,))[0] == 404
      and props.get("{http://apple.com/ns/ical/}refreshrate", (0,))[0] == 404, props.keys())
check("Apple's known properties: 200", props.get(D + "sync-token", (0,))[0] == 200
      and props.get(CS + "getctag", (0,))[0] == 200
      and props.get(C + "supported-calendar-component-set", (0,))[0] == 200, props.keys())

# --- MOVE between calendars (Apple) ---------------------------------------
check("MKCALENDAR other", req("MKCALENDAR", HOME + "other/").status_code == 201)
r = req("MOVE", CAL + "s1.ics", headers={"Destination": URL + HOME + "other/s1.ics"})
check("MOVE between calendars: 201", r.status_code == 201, (r.status_code, r.text))
r = query(ev_range("20250105T000000Z", "20250106T000000Z"), path=HOME + "other/")
check("moved event found by a time-range in its new calendar", "s1.ics" in found(r), r.text)
r = put(HOME + "other/dup.ics", vcal(vevent("s1", "DTSTART:20250105T100000Z\r\n")))
check("moved UID is indexed in the new calendar: 409 no-uid-conflict",
      r.status_code == 409 and "no-uid-conflict" in r.text and "other/s1.ics" in r.text,
      (r.status_code, r.text))

sys.exit(1 if failures else 0)
PY
then
    pass "CalDAV edge cases"
else
    fail "CalDAV edge cases"
fi

proto_finish
