/// PUT into calendar collections: RFC 4791 §5.3.2 preconditions.

#include "caldav_fixture.hpp"

namespace cosmo::test {
namespace {

TEST_F(CaldavTest, PutValidEventStoresBytesAndReturnsEtag) {
    const std::string body = event("u1");
    const http::Response res = put_ics(kCal + "a.ics", body);
    ASSERT_EQ(res.result_int(), 201u) << res.body();
    ASSERT_NE(res.find(http::Field::etag), res.end());
    const http::Response get = send("GET", kCal + "a.ics");
    EXPECT_EQ(get.body(), body);
    EXPECT_EQ(get[http::Field::etag], res[http::Field::etag]);
}

TEST_F(CaldavTest, PutInvalidDataIsValidCalendarData) {
    const http::Response res = put_ics(kCal + "a.ics", "not a calendar");
    EXPECT_EQ(res.result_int(), 403u);
    EXPECT_EQ(precondition(res), "valid-calendar-data");
    EXPECT_EQ(status("GET", kCal + "a.ics"), 404);
}

TEST_F(CaldavTest, PutWrongContentTypeIsSupportedCalendarData) {
    const http::Response res =
        send("PUT", kCal + "a.ics", event("u1"), {{"Content-Type", "text/plain"}});
    EXPECT_EQ(res.result_int(), 403u);
    EXPECT_EQ(precondition(res), "supported-calendar-data");
}

TEST_F(CaldavTest, PutTooLargeIsMaxResourceSize) {
    caldav::Options o;
    o.max_resource_size = 100;
    make_caldav(o);
    const http::Response res = put_ics(kCal + "a.ics", event("u1"));
    EXPECT_EQ(res.result_int(), 403u);
    EXPECT_EQ(precondition(res), "max-resource-size");
}

TEST_F(CaldavTest, PutTwoUidsIsValidCalendarObjectResource) {
    std::string two = event("u1");
    const std::string second = event("u2");
    two.insert(two.find("END:VCALENDAR"),
               second.substr(second.find("BEGIN:VEVENT"),
                             second.find("END:VCALENDAR") - second.find("BEGIN:VEVENT")));
    const http::Response res = put_ics(kCal + "a.ics", two);
    EXPECT_EQ(res.result_int(), 403u);
    EXPECT_EQ(precondition(res), "valid-calendar-object-resource");
}

// Stored bytes are served inside XML (calendar-data): bytes that are not
// UTF-8, or C0 controls XML cannot hold, are refused at the door instead of
// making every later REPORT of the calendar malformed.
TEST_F(CaldavTest, PutRefusesWhatXmlCannotCarry) {
    for (const std::string& bad : {std::string("DESCRIPTION:caf\xe9\r\n"),
                                   std::string("DESCRIPTION:\xff\xfe\r\n"),
                                   std::string("DESCRIPTION:bell\x07\r\n"),
                                   std::string("DESCRIPTION:nul\0x\r\n", 19)}) {
        const http::Response res = put_ics(kCal + "bad.ics", event("bad", "20250110T100000Z",
                                                                   "20250110T110000Z", bad));
        EXPECT_EQ(res.result_int(), 403u) << bad;
        EXPECT_EQ(precondition(res), "valid-calendar-data") << bad;
    }
    // UTF-8 beyond ASCII and tabs are fine.
    EXPECT_EQ(put_ics(kCal + "ok.ics", event("ok", "20250110T100000Z", "20250110T110000Z",
                                             "DESCRIPTION:caf\xc3\xa9\tt\xe2\x82\xac\r\n"))
                  .result_int(),
              201u);
}

TEST_F(CaldavTest, PutUnsupportedComponent) {
    const std::string body =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VJOURNAL\r\nUID:j1\r\n"
        "DTSTAMP:20250101T000000Z\r\nDTSTART:20250101T000000Z\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n";
    const http::Response res = put_ics(kCal + "j.ics", body);
    EXPECT_EQ(res.result_int(), 403u);
    EXPECT_EQ(precondition(res), "supported-calendar-component");
}

TEST_F(CaldavTest, DuplicateUidIsConflictWithHref) {
    ASSERT_EQ(put_ics(kCal + "a.ics", event("same")).result_int(), 201u);
    const http::Response res = put_ics(kCal + "b.ics", event("same"));
    EXPECT_EQ(res.result_int(), 409u);
    EXPECT_EQ(precondition(res), "no-uid-conflict");
    const xml::Element root = xml::parse(res.body());
    EXPECT_EQ(root.children.at(0).children.at(0).text, kCal + "a.ics");
    // Replacing the holder itself is fine.
    EXPECT_EQ(put_ics(kCal + "a.ics", event("same", "20250111T100000Z", "20250111T110000Z"))
                  .result_int(),
              204u);
}

TEST_F(CaldavTest, SameUidInAnotherCalendarIsFine) {
    ASSERT_EQ(status("MKCALENDAR", kHome + "work/"), 201);
    ASSERT_EQ(put_ics(kCal + "a.ics", event("same")).result_int(), 201u);
    EXPECT_EQ(put_ics(kHome + "work/a.ics", event("same")).result_int(), 201u);
}

TEST_F(CaldavTest, PlainCollectionsTakeAnyBytes) {
    ASSERT_EQ(mkcol("files/"), 201);
    EXPECT_EQ(put("files/x.txt", "not a calendar"), 201);
}

TEST_F(CaldavTest, MissingVtimezoneIsTolerated) {
    const std::string body =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:tz1\r\n"
        "DTSTAMP:20250101T000000Z\r\nDTSTART;TZID=W. Europe Standard Time:20250110T100000\r\n"
        "DTEND;TZID=Europe/Berlin:20250110T110000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    EXPECT_EQ(put_ics(kCal + "tz.ics", body).result_int(), 201u);
}

}  // namespace
}  // namespace cosmo::test
