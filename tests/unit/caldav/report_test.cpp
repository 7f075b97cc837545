/// calendar-multiget, sync-collection, calendar-query, free-busy-query.

#include "caldav_fixture.hpp"

namespace cosmo::test {
namespace {

std::string multiget(const std::vector<std::string>& hrefs) {
    std::string b = "<?xml version=\"1.0\"?><C:calendar-multiget " + kNs +
                    "><D:prop><D:getetag/><C:calendar-data/></D:prop>";
    for (const auto& h : hrefs) b += "<D:href>" + h + "</D:href>";
    return b + "</C:calendar-multiget>";
}

std::string sync_body(const std::string& token, int limit = 0) {
    std::string b = "<?xml version=\"1.0\"?><D:sync-collection " + kNs + "><D:sync-token>" +
                    token + "</D:sync-token><D:sync-level>1</D:sync-level>";
    if (limit > 0) b += "<D:limit><D:nresults>" + std::to_string(limit) + "</D:nresults></D:limit>";
    return b + "<D:prop><D:getetag/></D:prop></D:sync-collection>";
}

/// href -> status of each <response> (200 when it has propstats).
std::map<std::string, int> statuses(const std::string& body, std::string* token = nullptr) {
    std::map<std::string, int> out;
    const xml::Element root = xml::parse(body);
    for (const xml::Element& r : root.children) {
        if (r.name == xml::dav("sync-token") && token) *token = r.text;
        const xml::Element* href = r.child(xml::dav("href"));
        if (!href) continue;
        const xml::Element* st = r.child(xml::dav("status"));
        out[href->text] = st ? std::stoi(st->text.substr(9, 3)) : 200;
    }
    return out;
}

TEST_F(CaldavTest, MultigetReturnsDataAnd404sInside) {
    const std::string body = event("m1");
    ASSERT_EQ(put_ics(kCal + "m1.ics", body).result_int(), 201u);
    const http::Response res = report(
        kCal, multiget({kCal + "m1.ics", kCal + "missing.ics", "/calendars/users/bob/calendar/x.ics",
                        "/elsewhere/x.ics"}));
    ASSERT_EQ(res.result_int(), 207u) << res.body();
    const auto st = statuses(res.body());
    EXPECT_EQ(st.at(kCal + "m1.ics"), 200);
    EXPECT_EQ(st.at(kCal + "missing.ics"), 404);
    EXPECT_EQ(st.at("/calendars/users/bob/calendar/x.ics"), 404);
    EXPECT_EQ(st.at("/elsewhere/x.ics"), 404);
    const Multistatus ms = parse_multistatus(res.body());
    EXPECT_EQ(ms.at(kCal + "m1.ics").at("{" + kC + "}calendar-data").value.text, body);
}

TEST_F(CaldavTest, SyncInitialDeltaAndDeletions) {
    ASSERT_EQ(put_ics(kCal + "a.ics", event("a")).result_int(), 201u);
    ASSERT_EQ(put_ics(kCal + "b.ics", event("b")).result_int(), 201u);
    ASSERT_EQ(status("DELETE", kCal + "b.ics"), 204);
    std::string token;
    http::Response res = report(kCal, sync_body(""));
    ASSERT_EQ(res.result_int(), 207u) << res.body();
    auto st = statuses(res.body(), &token);
    EXPECT_EQ(st.size(), 1u);  // initial: current members only, no tombstones
    EXPECT_EQ(st.at(kCal + "a.ics"), 200);
    ASSERT_FALSE(token.empty());

    res = report(kCal, sync_body(token));
    std::string token2;
    EXPECT_TRUE(statuses(res.body(), &token2).empty());
    EXPECT_EQ(token2, token);

    ASSERT_EQ(put_ics(kCal + "c.ics", event("c")).result_int(), 201u);
    ASSERT_EQ(status("DELETE", kCal + "a.ics"), 204);
    res = report(kCal, sync_body(token));
    st = statuses(res.body(), &token2);
    EXPECT_EQ(st.size(), 2u);
    EXPECT_EQ(st.at(kCal + "c.ics"), 200);
    EXPECT_EQ(st.at(kCal + "a.ics"), 404);
    EXPECT_NE(token2, token);
}

TEST_F(CaldavTest, SyncBadTokensAre403ValidSyncToken) {
    for (const std::string t : {"garbage", "http://cosmo.invalid/ns/sync/999/1",
                                "http://cosmo.invalid/ns/sync/1/99999"}) {
        const http::Response res = report(kCal, sync_body(t));
        EXPECT_EQ(res.result_int(), 403u) << t;
        EXPECT_EQ(precondition(res), "valid-sync-token") << t;
    }
}

TEST_F(CaldavTest, SyncToleratesDepth1AndDepth0) {
    EXPECT_EQ(report(kCal, sync_body(""), "1").result_int(), 207u);
    EXPECT_EQ(report(kCal, sync_body(""), "0").result_int(), 207u);
}

TEST_F(CaldavTest, SyncLimitGives507AndAPartialToken) {
    for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(put_ics(kCal + "e" + std::to_string(i) + ".ics", event("e" + std::to_string(i)))
                      .result_int(),
                  201u);
    }
    std::string token;
    http::Response res = report(kCal, sync_body("", 2));
    auto st = statuses(res.body(), &token);
    EXPECT_EQ(st.at(kCal), 507);
    EXPECT_EQ(st.size(), 3u);
    std::set<std::string> seen;
    for (const auto& [h, s] : st) {
        if (h != kCal) seen.insert(h);
    }
    // Follow the partial tokens until complete: every member exactly once.
    for (int round = 0; round < 5; ++round) {
        res = report(kCal, sync_body(token, 2));
        st = statuses(res.body(), &token);
        const bool more = st.count(kCal) > 0;
        for (const auto& [h, s] : st) {
            if (h != kCal) {
                EXPECT_TRUE(seen.insert(h).second) << h;
            }
        }
        if (!more) break;
    }
    EXPECT_EQ(seen.size(), 5u);
}

TEST_F(CaldavTest, SyncPurgedLogInvalidatesOldTokens) {
    std::string old;
    statuses(report(kCal, sync_body("")).body(), &old);
    ASSERT_EQ(put_ics(kCal + "a.ics", event("a")).result_int(), 201u);
    shards.age_change_log(1, std::chrono::hours(24 * 61));
    EXPECT_GT(shards.purge_change_log(std::chrono::hours(24 * 60)), 0);
    const http::Response res = report(kCal, sync_body(old));
    EXPECT_EQ(res.result_int(), 403u);
    // A fresh initial sync still works and its token is valid.
    std::string fresh;
    statuses(report(kCal, sync_body("")).body(), &fresh);
    EXPECT_EQ(report(kCal, sync_body(fresh)).result_int(), 207u);
}

std::string query(const std::string& filter) {
    return "<?xml version=\"1.0\"?><C:calendar-query " + kNs +
           "><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name=\"VCALENDAR\">" + filter +
           "</C:comp-filter></C:filter></C:calendar-query>";
}

TEST_F(CaldavTest, CalendarQueryTimeRange) {
    ASSERT_EQ(put_ics(kCal + "jan.ics", event("jan")).result_int(), 201u);
    ASSERT_EQ(put_ics(kCal + "mar.ics", event("mar", "20250310T100000Z", "20250310T110000Z"))
                  .result_int(),
              201u);
    ASSERT_EQ(put_ics(kCal + "weekly.ics",
                      event("weekly", "20240101T090000Z", "20240101T100000Z",
                            "RRULE:FREQ=WEEKLY\r\n"))
                  .result_int(),
              201u);
    const http::Response res = report(
        kCal, query("<C:comp-filter name=\"VEVENT\"><C:time-range start=\"20250301T000000Z\" "
                    "end=\"20250401T000000Z\"/></C:comp-filter>"));
    ASSERT_EQ(res.result_int(), 207u) << res.body();
    const auto st = statuses(res.body());
    EXPECT_EQ(st.size(), 2u);
    EXPECT_TRUE(st.count(kCal + "mar.ics"));
    EXPECT_TRUE(st.count(kCal + "weekly.ics"));
    // Without a time-range: every VEVENT.
    EXPECT_EQ(statuses(report(kCal, query("<C:comp-filter name=\"VEVENT\"/>")).body()).size(), 3u);
    EXPECT_TRUE(statuses(report(kCal, query("<C:comp-filter name=\"VTODO\"/>")).body()).empty());
}

TEST_F(CaldavTest, RepeatedQueriesFollowEditsAndRanges) {
    // Verdicts are remembered per (ETag, filter, zone): a repeated query
    // must still see an edit, and another range must get its own verdicts.
    const auto in_range = [&](const std::string& start, const std::string& end) {
        return statuses(report(kCal, query("<C:comp-filter name=\"VEVENT\"><C:time-range start=\"" +
                                           start + "\" end=\"" + end + "\"/></C:comp-filter>"))
                            .body());
    };
    ASSERT_EQ(put_ics(kCal + "a.ics", event("a", "20250310T100000Z", "20250310T110000Z"))
                  .result_int(),
              201u);
    for (int round = 0; round < 2; ++round) {
        EXPECT_EQ(in_range("20250301T000000Z", "20250401T000000Z").size(), 1u);
        EXPECT_TRUE(in_range("20250101T000000Z", "20250201T000000Z").empty());
    }
    // Moved to January: both months change their answer.
    ASSERT_EQ(put_ics(kCal + "a.ics", event("a", "20250110T100000Z", "20250110T110000Z"))
                  .result_int(),
              204u);
    EXPECT_TRUE(in_range("20250301T000000Z", "20250401T000000Z").empty());
    EXPECT_EQ(in_range("20250101T000000Z", "20250201T000000Z").size(), 1u);
}

TEST_F(CaldavTest, CalendarQueryPropFilterTextMatch) {
    ASSERT_EQ(put_ics(kCal + "a.ics", event("a")).result_int(), 201u);
    ASSERT_EQ(put_ics(kCal + "b.ics", event("b")).result_int(), 201u);
    const auto st = statuses(
        report(kCal, query("<C:comp-filter name=\"VEVENT\"><C:prop-filter name=\"UID\">"
                           "<C:text-match>A</C:text-match></C:prop-filter></C:comp-filter>"))
            .body());
    EXPECT_EQ(st.size(), 1u);
    EXPECT_TRUE(st.count(kCal + "a.ics"));
}

TEST_F(CaldavTest, CalendarQueryBadFilters) {
    const http::Response bad = report(
        kCal, query("<C:comp-filter name=\"VEVENT\"><C:time-range start=\"yesterday\"/>"
                    "</C:comp-filter>"));
    EXPECT_EQ(bad.result_int(), 403u);
    EXPECT_EQ(precondition(bad), "valid-filter");
    const http::Response coll = report(
        kCal, query("<C:comp-filter name=\"VEVENT\"><C:prop-filter name=\"UID\">"
                    "<C:text-match collation=\"i;unicode-casemap\">a</C:text-match>"
                    "</C:prop-filter></C:comp-filter>"));
    EXPECT_EQ(coll.result_int(), 403u);
    EXPECT_EQ(precondition(coll), "supported-collation");
}

TEST_F(CaldavTest, UnparsableStoredObjectDoesNotBreakReports) {
    ASSERT_EQ(put_ics(kCal + "good.ics", event("good")).result_int(), 201u);
    // Bytes that bypassed validation (e.g. an older version's data).
    {
        const auto user = *directory.find_user("alice");
        auto s = shards.open(user);
        s->put_object("calendar/bad.ics", "text/calendar", "BEGIN:VCALENDAR\r\nbroken", nullptr);
        s->commit();
    }
    const auto st = statuses(report(kCal, query("<C:comp-filter name=\"VEVENT\"/>")).body());
    EXPECT_EQ(st.size(), 1u);
    EXPECT_TRUE(st.count(kCal + "good.ics"));
    EXPECT_EQ(status("PROPFIND", kCal, prop_body({{"DAV:", "getetag"}}), {{"Depth", "1"}}), 207);
}

TEST_F(CaldavTest, FreeBusyQuery) {
    ASSERT_EQ(put_ics(kCal + "a.ics", event("a")).result_int(), 201u);
    const http::Response res = report(
        kCal, "<?xml version=\"1.0\"?><C:free-busy-query " + kNs +
                  "><C:time-range start=\"20250101T000000Z\" end=\"20250201T000000Z\"/>"
                  "</C:free-busy-query>");
    ASSERT_EQ(res.result_int(), 200u) << res.body();
    EXPECT_NE(res.body().find("BEGIN:VFREEBUSY"), std::string::npos);
    EXPECT_NE(res.body().find("20250110T100000Z/20250110T110000Z"), std::string::npos)
        << res.body();
}

TEST_F(CaldavTest, CalendarDataExpand) {
    ASSERT_EQ(put_ics(kCal + "w.ics", event("w", "20250106T090000Z", "20250106T100000Z",
                                            "RRULE:FREQ=DAILY;COUNT=5\r\n"))
                  .result_int(),
              201u);
    const std::string body =
        "<?xml version=\"1.0\"?><C:calendar-query " + kNs +
        "><D:prop><C:calendar-data><C:expand start=\"20250107T000000Z\" "
        "end=\"20250109T000000Z\"/></C:calendar-data></D:prop><C:filter>"
        "<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:time-range "
        "start=\"20250107T000000Z\" end=\"20250109T000000Z\"/></C:comp-filter></C:comp-filter>"
        "</C:filter></C:calendar-query>";
    const http::Response res = report(kCal, body);
    ASSERT_EQ(res.result_int(), 207u) << res.body();
    const Multistatus ms = parse_multistatus(res.body());
    const std::string data = ms.at(kCal + "w.ics").at("{" + kC + "}calendar-data").value.text;
    EXPECT_NE(data.find("RECURRENCE-ID"), std::string::npos) << data;
    EXPECT_EQ(data.find("RRULE"), std::string::npos) << data;
}

}  // namespace
}  // namespace cosmo::test
