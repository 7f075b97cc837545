/// Calendar export (GET), COPY/MOVE into calendars, max-attendees-per-
/// instance, calendar-query limits and Depth 0 on objects, the
/// supported-calendar-data precondition of REPORTs, principal properties.

#include "caldav_fixture.hpp"
#include "cosmo/ical/calendar.hpp"

namespace cosmo::test {
namespace {

const std::string kBerlin =
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
    "END:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
    "END:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

std::string berlin_event(const std::string& uid) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//a//EN\r\n" + kBerlin +
           "BEGIN:VEVENT\r\nUID:" + uid +
           "\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20250110T100000\r\n"
           "DTEND;TZID=Europe/Berlin:20250110T110000\r\nSUMMARY:a long summary that is folded\r\n"
           " across two lines\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\n"
           "DESCRIPTION:x\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
}

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

std::string query(const std::string& filter, const std::string& extra = "",
                  const std::string& prop = "<D:getetag/>") {
    return "<?xml version=\"1.0\"?><C:calendar-query " + kNs + "><D:prop>" + prop +
           "</D:prop><C:filter><C:comp-filter name=\"VCALENDAR\">" + filter +
           "</C:comp-filter></C:filter>" + extra + "</C:calendar-query>";
}

/// href -> status of each <response> (200 when it has propstats).
std::map<std::string, int> statuses(const std::string& body) {
    std::map<std::string, int> out;
    for (const xml::Element& r : xml::parse(body).children) {
        const xml::Element* href = r.child(xml::dav("href"));
        if (!href) continue;
        const xml::Element* st = r.child(xml::dav("status"));
        out[href->text] = st ? std::stoi(st->text.substr(9, 3)) : 200;
    }
    return out;
}

// Issue 3 part 7: GET on a calendar is the whole calendar, one VCALENDAR,
// VTIMEZONEs once, components as stored (folded lines and VALARMs kept).
TEST_F(CaldavTest, GetOnCalendarExportsOneVcalendar) {
    ASSERT_EQ(put_ics(kCal + "a.ics", berlin_event("a")).result_int(), 201u);
    ASSERT_EQ(put_ics(kCal + "b.ics", berlin_event("b")).result_int(), 201u);
    ASSERT_EQ(put_ics(kCal + "t.ics",
                      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:t\r\n"
                      "DTSTAMP:20250101T000000Z\r\nSUMMARY:task\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")
                  .result_int(),
              201u);
    ASSERT_EQ(status("PROPPATCH", kCal,
                     "<?xml version=\"1.0\"?><D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop>"
                     "<D:displayname>Work; home</D:displayname></D:prop></D:set>"
                     "</D:propertyupdate>"),
              207);
    const http::Response res = send("GET", kCal);
    ASSERT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res[http::Field::content_type].substr(0, 13), "text/calendar");
    const std::string& ics = res.body();
    EXPECT_EQ(count(ics, "BEGIN:VCALENDAR"), 1u);
    EXPECT_EQ(count(ics, "BEGIN:VTIMEZONE"), 1u);
    EXPECT_EQ(count(ics, "BEGIN:VEVENT"), 2u);
    EXPECT_EQ(count(ics, "BEGIN:VTODO"), 1u);
    EXPECT_EQ(count(ics, "BEGIN:VALARM"), 2u);
    EXPECT_EQ(count(ics, "VERSION:2.0"), 1u);
    EXPECT_EQ(count(ics, "\r\n across two lines\r\n"), 2u);
    EXPECT_NE(ics.find("X-WR-CALNAME:Work\\; home\r\n"), std::string::npos);
    EXPECT_TRUE(ical::parse(ics).ok()) << ics;
    // HEAD: the same headers, no body.
    const http::Response head = send("HEAD", kCal);
    EXPECT_EQ(head.result_int(), 200u);
    EXPECT_TRUE(head.body().empty());
    // Plain collections keep the HTML listing.
    const http::Response home = send("GET", kHome);
    EXPECT_EQ(home[http::Field::content_type].substr(0, 9), "text/html");
}

// RFC 4791 §5.3.2: COPY and MOVE into a calendar are checked like PUT and
// the object is indexed (its UID counts for no-uid-conflict afterwards).
TEST_F(CaldavTest, CopyIntoCalendarIsValidatedAndIndexed) {
    ASSERT_EQ(mkcol("files/"), 201);
    auto put_typed = [&](const std::string& rel, const std::string& body, const std::string& ct) {
        return status("PUT", kHome + rel, body, {{"Content-Type", ct}});
    };
    ASSERT_EQ(put_typed("files/bad.ics", "not a calendar", "text/calendar"), 201);
    ASSERT_EQ(put_typed("files/good.ics", event("copied"), "application/octet-stream"), 201);
    ASSERT_EQ(put_typed("files/todo.ics",
                        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VJOURNAL\r\n"
                        "UID:j\r\nDTSTAMP:20250101T000000Z\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n",
                        "text/calendar"),
              201);
    ASSERT_EQ(put("files/note.txt", "hello", {{"Content-Type", "text/plain"}}), 201);

    http::Response res =
        send("COPY", kHome + "files/bad.ics", "", {{"Destination", kCal + "bad.ics"}});
    EXPECT_EQ(res.result_int(), 403u);
    EXPECT_EQ(precondition(res), "valid-calendar-data");
    res = send("MOVE", kHome + "files/todo.ics", "", {{"Destination", kCal + "j.ics"}});
    EXPECT_EQ(res.result_int(), 403u);
    EXPECT_EQ(precondition(res), "supported-calendar-component");
    res = send("COPY", kHome + "files/note.txt", "", {{"Destination", kCal + "note.txt"}});
    EXPECT_EQ(res.result_int(), 403u);
    EXPECT_EQ(precondition(res), "supported-calendar-data");
    EXPECT_EQ(status("GET", kCal + "bad.ics"), 404);

    res = send("COPY", kHome + "files/good.ics", "", {{"Destination", kCal + "c.ics"}});
    ASSERT_EQ(res.result_int(), 201u) << res.body();
    EXPECT_EQ(send("GET", kCal + "c.ics")[http::Field::content_type].substr(0, 13),
              "text/calendar");
    // Indexed: a second resource with the UID is refused, naming c.ics.
    res = put_ics(kCal + "other.ics", event("copied"));
    EXPECT_EQ(res.result_int(), 409u);
    EXPECT_NE(res.body().find(kCal + "c.ics"), std::string::npos) << res.body();
    // And COPY of the same UID again is a no-uid-conflict too.
    res = send("COPY", kHome + "files/good.ics", "", {{"Destination", kCal + "d.ics"}});
    EXPECT_EQ(res.result_int(), 409u);
    EXPECT_EQ(precondition(res), "no-uid-conflict");
    EXPECT_NE(res.body().find(kCal + "c.ics"), std::string::npos);
}

// Apple moves events between calendars with MOVE (CLIENTS.md §1.6).
TEST_F(CaldavTest, MoveBetweenCalendarsKeepsTheIndex) {
    ASSERT_EQ(status("MKCALENDAR", kHome + "work/"), 201);
    const http::Response put = put_ics(kCal + "m.ics", event("moving"));
    ASSERT_EQ(put.result_int(), 201u);
    const std::string etag(put[http::Field::etag]);
    ASSERT_EQ(status("MOVE", kCal + "m.ics", "", {{"Destination", kHome + "work/m.ics"}}), 201);
    EXPECT_EQ(send("GET", kHome + "work/m.ics")[http::Field::etag], etag);  // same bytes
    // The UID moved with it: free in the old calendar, taken in the new one.
    EXPECT_EQ(put_ics(kCal + "again.ics", event("moving")).result_int(), 201u);
    EXPECT_EQ(put_ics(kHome + "work/dup.ics", event("moving")).result_int(), 409u);
    // Rename inside one calendar: the source holds the UID, that is fine.
    EXPECT_EQ(status("MOVE", kHome + "work/m.ics", "", {{"Destination", kHome + "work/n.ics"}}),
              201);
    // Time-range queries find it in the destination.
    const http::Response q = report(
        kHome + "work/", query("<C:comp-filter name=\"VEVENT\"><C:time-range "
                               "start=\"20250110T000000Z\" end=\"20250111T000000Z\"/>"
                               "</C:comp-filter>"));
    EXPECT_EQ(statuses(q.body()).size(), 1u) << q.body();
    // A calendar cannot be moved into a calendar (RFC 4791 §4.2).
    const http::Response nested =
        send("MOVE", kHome + "work/", "", {{"Destination", kCal + "work/"}});
    EXPECT_EQ(nested.result_int(), 403u);
    EXPECT_EQ(precondition(nested), "calendar-collection-location-ok");
}

// RFC 4791 §5.2.9: advertised and enforced per instance (VALARM ATTENDEEs
// are alarm recipients and do not count).
TEST_F(CaldavTest, MaxAttendeesPerInstanceIsEnforced) {
    caldav::Options o;
    o.max_attendees_per_instance = 2;
    make_caldav(o);
    const std::string two = "ATTENDEE:mailto:a@x\r\nATTENDEE;CN=B:mailto:b@x\r\n";
    EXPECT_EQ(put_ics(kCal + "ok.ics", event("ok", "20250110T100000Z", "20250110T110000Z", two))
                  .result_int(),
              201u);
    const http::Response res = put_ics(
        kCal + "big.ics", event("big", "20250110T100000Z", "20250110T110000Z",
                                two + "ATTENDEE:mailto:c@x\r\n"));
    EXPECT_EQ(res.result_int(), 403u);
    EXPECT_EQ(precondition(res), "max-attendees-per-instance");
    const std::string alarm =
        "BEGIN:VALARM\r\nACTION:EMAIL\r\nTRIGGER:-PT5M\r\nSUMMARY:s\r\nDESCRIPTION:d\r\n"
        "ATTENDEE:mailto:c@x\r\nEND:VALARM\r\n";
    EXPECT_EQ(put_ics(kCal + "alarm.ics",
                      event("alarm", "20250110T100000Z", "20250110T110000Z", two + alarm))
                  .result_int(),
              201u);
    const Multistatus ms = propfind(kCal, prop_body({{kC, "max-attendees-per-instance"}}));
    EXPECT_EQ(ms.at(kCal).at("{" + kC + "}max-attendees-per-instance").value.text, "2");
}

// DAV:limit/nresults in calendar-query: truncated with a 507 response for
// the request-URI (RFC 5323 §5.17, number-of-matches-within-limits).
TEST_F(CaldavTest, CalendarQueryLimitGives507) {
    for (const char* uid : {"q1", "q2", "q3"}) {
        ASSERT_EQ(put_ics(kCal + uid + ".ics", event(uid)).result_int(), 201u);
    }
    const http::Response res =
        report(kCal, query("<C:comp-filter name=\"VEVENT\"/>",
                           "<D:limit><D:nresults>2</D:nresults></D:limit>"));
    ASSERT_EQ(res.result_int(), 207u) << res.body();
    const auto st = statuses(res.body());
    EXPECT_EQ(st.size(), 3u);
    EXPECT_EQ(st.at(kCal), 507);
    EXPECT_NE(res.body().find("number-of-matches-within-limits"), std::string::npos);
    EXPECT_EQ(report(kCal, query("<C:comp-filter name=\"VEVENT\"/>",
                                 "<D:limit><D:nresults>0</D:nresults></D:limit>"))
                  .result_int(),
              400u);
}

// RFC 4791 §7.8: calendar-query with Depth 0 on a calendar object resource.
TEST_F(CaldavTest, CalendarQueryOnOneObject) {
    ASSERT_EQ(put_ics(kCal + "one.ics", event("one")).result_int(), 201u);
    http::Response res = report(kCal + "one.ics", query("<C:comp-filter name=\"VEVENT\"/>"), "0");
    ASSERT_EQ(res.result_int(), 207u) << res.body();
    EXPECT_EQ(statuses(res.body()), (std::map<std::string, int>{{kCal + "one.ics", 200}}));
    res = report(kCal + "one.ics", query("<C:comp-filter name=\"VTODO\"/>"), "0");
    ASSERT_EQ(res.result_int(), 207u) << res.body();
    EXPECT_TRUE(statuses(res.body()).empty());
}

// RFC 4791 §7.8/§7.9 preconditions: an unsupported calendar-data media
// type fails the whole REPORT with 403 supported-calendar-data, even
// when nothing matches.
TEST_F(CaldavTest, UnsupportedCalendarDataTypeFailsTheReport) {
    const std::string prop = "<C:calendar-data content-type=\"application/json\"/>";
    http::Response res = report(kCal, query("<C:comp-filter name=\"VEVENT\"/>", "", prop));
    EXPECT_EQ(res.result_int(), 403u);
    EXPECT_EQ(precondition(res), "supported-calendar-data");
    ASSERT_EQ(put_ics(kCal + "x.ics", event("x")).result_int(), 201u);
    res = report(kCal, "<?xml version=\"1.0\"?><C:calendar-multiget " + kNs + "><D:prop>" + prop +
                           "</D:prop><D:href>" + kCal + "x.ics</D:href></C:calendar-multiget>");
    EXPECT_EQ(res.result_int(), 403u);
    EXPECT_EQ(precondition(res), "supported-calendar-data");
    res = report(kCal, query("<C:comp-filter name=\"VEVENT\"/>", "",
                             "<C:calendar-data content-type=\"text/calendar\" version=\"2.0\"/>"));
    EXPECT_EQ(res.result_int(), 207u);
}

// CLIENTS.md §2: DAVx5 takes the first calendar-user-address-set entry
// (a mailto:) as the account name; Apple asks for email-address-set.
// Scheduling is not implemented, so nothing schedule-* is advertised.
TEST_F(CaldavTest, PrincipalAddressesAndNoScheduling) {
    const Multistatus ms = propfind(
        "/principals/users/alice/",
        prop_body({{kC, "calendar-user-address-set"},
                   {kC, "schedule-outbox-URL"},
                   {kC, "schedule-default-calendar-URL"},
                   {"DAV:", "principal-URL"},
                   {"DAV:", "displayname"}}));
    const auto& p = ms.at("/principals/users/alice/");
    const auto& addresses = p.at("{" + kC + "}calendar-user-address-set").value.children;
    ASSERT_EQ(addresses.size(), 2u);
    EXPECT_EQ(addresses.at(0).text, "mailto:alice@example.com");
    EXPECT_EQ(addresses.at(1).text, "/principals/users/alice/");
    EXPECT_EQ(p.at("{DAV:}principal-URL").value.children.at(0).text, "/principals/users/alice/");
    EXPECT_EQ(p.at("{" + kC + "}schedule-outbox-URL").status, 404);
    EXPECT_EQ(p.at("{" + kC + "}schedule-default-calendar-URL").status, 404);
    const http::Response options = send("OPTIONS", kCal);
    const std::string dav(options["DAV"]);
    EXPECT_NE(dav.find("calendar-access"), std::string::npos);
    EXPECT_EQ(dav.find("calendar-auto-schedule"), std::string::npos);
    EXPECT_EQ(dav.find("calendar-schedule"), std::string::npos);
    // Apple's collection probes: unknown properties are a 404 propstat.
    const Multistatus cal = propfind(
        kCal, prop_body({{"http://apple.com/ns/ical/", "calendar-color"},
                         {"http://calendarserver.org/ns/", "pushkey"},
                         {kC, "schedule-default-calendar-URL"},
                         {"DAV:", "sync-token"}}));
    EXPECT_EQ(cal.at(kCal).at("{http://calendarserver.org/ns/}pushkey").status, 404);
    EXPECT_EQ(cal.at(kCal).at("{" + kC + "}schedule-default-calendar-URL").status, 404);
    EXPECT_EQ(cal.at(kCal).at("{DAV:}sync-token").status, 200);
}

}  // namespace
}  // namespace cosmo::test
