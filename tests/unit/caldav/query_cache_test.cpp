/// calendar-query with the listing cache on: a repeated query on an
/// unchanged calendar is answered from the cache (no candidate or body read),
/// and every change that can change the answer is seen: member writes and
/// deletions (the revision), the calendar's time zone (in the key), and
/// properties the revision does not cover (never cached).

#include "cosmo/dav/listing_cache.hpp"

#include "caldav_fixture.hpp"

namespace cosmo::test {
namespace {

class QueryCacheTest : public CaldavTest {
protected:
    void SetUp() override {
        CaldavTest::SetUp();
        cache = std::make_shared<dav::ListingCache>(1 << 20);
        dav::Options dav_options;
        dav_options.listing_cache = cache;
        make_caldav({}, dav_options);
        ASSERT_EQ(put_ics(kCal + "a.ics", event("a")).result_int(), 201u);
        ASSERT_EQ(put_ics(kCal + "b.ics", event("b")).result_int(), 201u);
        ASSERT_EQ(put_ics(kCal + "feb.ics", event("feb", "20250210T100000Z", "20250210T110000Z"))
                      .result_int(),
                  201u);
    }

    /// href -> calendar-data of a January 2025 query.
    std::map<std::string, std::string> january(const std::string& props =
                                                   "<D:getetag/><C:calendar-data/>",
                                               const std::string& start = "20250101T000000Z",
                                               const std::string& end = "20250201T000000Z") {
        const http::Response res = report(
            kCal, "<C:calendar-query " + kNs + "><D:prop>" + props +
                      "</D:prop><C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter "
                      "name=\"VEVENT\"><C:time-range start=\"" + start + "\" end=\"" + end +
                      "\"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>");
        EXPECT_EQ(res.result_int(), 207u) << res.body();
        std::map<std::string, std::string> out;
        for (const auto& [href, props_of] : parse_multistatus(res.body())) {
            const auto it = props_of.find("{" + kC + "}calendar-data");
            out[href] = it == props_of.end() ? props_of.begin()->second.value.text
                                             : it->second.value.text;
        }
        return out;
    }

    std::shared_ptr<dav::ListingCache> cache;
};

TEST_F(QueryCacheTest, RepeatedQueryIsCachedAndFollowsEveryMemberChange) {
    const auto first = january();
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first.at(kCal + "a.ics"), event("a"));
    EXPECT_GT(cache->bytes(), 0u);
    const int reads = shards.body_reads();
    EXPECT_EQ(january(), first);
    EXPECT_EQ(shards.body_reads(), reads);  // from the cache: no body read

    const std::string moved = event("a", "20250111T100000Z", "20250111T110000Z");
    ASSERT_EQ(put_ics(kCal + "a.ics", moved).result_int(), 204u);
    EXPECT_EQ(january().at(kCal + "a.ics"), moved);
    ASSERT_EQ(put_ics(kCal + "c.ics", event("c")).result_int(), 201u);
    EXPECT_EQ(january().size(), 3u);
    ASSERT_EQ(status("DELETE", kCal + "b.ics"), 204);
    const auto last = january();
    EXPECT_EQ(last.size(), 2u);
    EXPECT_FALSE(last.contains(kCal + "b.ics"));
    // Moved out of the month: no longer an answer.
    ASSERT_EQ(put_ics(kCal + "c.ics", event("c", "20250310T100000Z", "20250310T110000Z"))
                  .result_int(),
              204u);
    EXPECT_EQ(january().size(), 1u);
}

TEST_F(QueryCacheTest, CalendarTimeZoneChangeIsSeen) {
    // Floating 00:30-01:00: in UTC (no calendar time zone) it overlaps
    // 00:00-01:00Z; in Berlin (UTC+1 in January) it ends at 00:00Z.
    ASSERT_EQ(put_ics(kCal + "floating.ics",
                      event("floating", "20250110T003000", "20250110T010000"))
                  .result_int(),
              201u);
    const auto in_range = [&] {
        return january("<D:getetag/>", "20250110T000000Z", "20250110T010000Z")
            .contains(kCal + "floating.ics");
    };
    EXPECT_TRUE(in_range());
    EXPECT_TRUE(in_range());  // cached
    const std::string tz =
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VTIMEZONE\nTZID:Europe/Berlin\n"
        "BEGIN:STANDARD\nDTSTART:19701025T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n"
        "END:STANDARD\nEND:VTIMEZONE\nEND:VCALENDAR\n";
    const http::Response res = send(
        "PROPPATCH", kCal,
        "<?xml version=\"1.0\"?><D:propertyupdate " + kNs +
            "><D:set><D:prop><C:calendar-timezone><![CDATA[" + tz +
            "]]></C:calendar-timezone></D:prop></D:set></D:propertyupdate>");
    ASSERT_EQ(res.result_int(), 207u);
    ASSERT_NE(res.body().find("200 OK"), std::string::npos) << res.body();
    EXPECT_FALSE(in_range());
}

TEST_F(QueryCacheTest, DeadPropertiesOfMembersAreNeverServedFromTheCache) {
    const auto set_name = [&](const std::string& name) {
        ASSERT_EQ(status("PROPPATCH", kCal + "a.ics",
                         "<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop><D:displayname>" +
                             name + "</D:displayname></D:prop></D:set></D:propertyupdate>"),
                  207);
    };
    set_name("first");
    EXPECT_EQ(january("<D:displayname/>").at(kCal + "a.ics"), "first");
    set_name("second");
    EXPECT_EQ(january("<D:displayname/>").at(kCal + "a.ics"), "second");
}

}  // namespace
}  // namespace cosmo::test
