/// A multistatus reads what its members need in one query, whatever the
/// request names: DAV:displayname is live on the virtual collections but a
/// dead property on stored events, and calendar-data in a PROPFIND comes
/// from the bodies. Read per member, a 7,000-event calendar cost 7,000
/// queries (200-250 ms instead of 20-60).

#include "caldav_fixture.hpp"

namespace cosmo::test {
namespace {

const std::string kDisplayname = "{DAV:}displayname";

class BatchReadsTest : public CaldavTest {
protected:
    void SetUp() override {
        CaldavTest::SetUp();
        for (const char* uid : {"a", "b", "c"}) {
            ASSERT_EQ(put_ics(kCal + uid + ".ics", event(uid)).result_int(), 201u);
        }
        // Evolution and Apple Calendar name events this way.
        ASSERT_EQ(status("PROPPATCH", kCal + "b.ics",
                         "<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop><D:displayname>"
                         "Bee</D:displayname></D:prop></D:set></D:propertyupdate>"),
                  207);
    }

    /// Checks the displayname of the three events in a multistatus.
    static void expect_displaynames(const Multistatus& ms) {
        EXPECT_EQ(ms.at(kCal + "b.ics").at(kDisplayname).value.text, "Bee");
        EXPECT_EQ(ms.at(kCal + "b.ics").at(kDisplayname).status, 200);
        EXPECT_EQ(ms.at(kCal + "a.ics").at(kDisplayname).status, 404);
        EXPECT_EQ(ms.at(kCal + "c.ics").at(kDisplayname).status, 404);
    }

    static std::string props() {
        return "<D:prop><D:getetag/><D:displayname/></D:prop>";
    }
};

TEST_F(BatchReadsTest, PropfindDepth1ReadsTheMembersDisplaynamesOnce) {
    const int before = shards.dead_property_reads();
    const Multistatus ms =
        propfind(kCal, "<D:propfind " + kNs + ">" + props() + "</D:propfind>", "1");
    // The calendar's own response reads once, its members once together.
    EXPECT_EQ(shards.dead_property_reads(), before + 2);
    expect_displaynames(ms);
}

TEST_F(BatchReadsTest, MultigetReadsTheDisplaynamesOnce) {
    const int before = shards.dead_property_reads();
    const http::Response res =
        report(kCal, "<C:calendar-multiget " + kNs + ">" + props() + "<D:href>" + kCal +
                         "a.ics</D:href><D:href>" + kCal + "b.ics</D:href><D:href>" + kCal +
                         "c.ics</D:href></C:calendar-multiget>");
    ASSERT_EQ(res.result_int(), 207u) << res.body();
    EXPECT_EQ(shards.dead_property_reads(), before + 1);
    expect_displaynames(parse_multistatus(res.body()));
}

TEST_F(BatchReadsTest, SyncCollectionReadsTheDisplaynamesOnce) {
    const int before = shards.dead_property_reads();
    const http::Response res =
        report(kCal, "<D:sync-collection " + kNs +
                         "><D:sync-token/><D:sync-level>1</D:sync-level>" + props() +
                         "</D:sync-collection>");
    ASSERT_EQ(res.result_int(), 207u) << res.body();
    EXPECT_EQ(shards.dead_property_reads(), before + 1);
    expect_displaynames(parse_multistatus(res.body()));
}

TEST_F(BatchReadsTest, CalendarQueryReadsTheDisplaynamesOnce) {
    const int before = shards.dead_property_reads();
    const http::Response res =
        report(kCal, "<C:calendar-query " + kNs + ">" + props() +
                         "<C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter "
                         "name=\"VEVENT\"/></C:comp-filter></C:filter></C:calendar-query>");
    ASSERT_EQ(res.result_int(), 207u) << res.body();
    EXPECT_EQ(shards.dead_property_reads(), before + 1);
    expect_displaynames(parse_multistatus(res.body()));
}

TEST_F(BatchReadsTest, LiveOnlyReportsReadNoDeadProperties) {
    const int before = shards.dead_property_reads();
    const http::Response res =
        report(kCal, "<C:calendar-multiget " + kNs + "><D:prop><D:getetag/></D:prop><D:href>" +
                         kCal + "a.ics</D:href></C:calendar-multiget>");
    ASSERT_EQ(res.result_int(), 207u) << res.body();
    EXPECT_EQ(shards.dead_property_reads(), before);
}

TEST_F(BatchReadsTest, PropfindDepth1ReadsTheBodiesOnceForCalendarData) {
    const int before = shards.body_reads();
    const Multistatus ms = propfind(
        kCal, "<D:propfind " + kNs + "><D:prop><D:getetag/><C:calendar-data/></D:prop></D:propfind>",
        "1");
    EXPECT_EQ(shards.body_reads(), before + 1);
    for (const char* uid : {"a", "b", "c"}) {
        EXPECT_EQ(ms.at(kCal + uid + ".ics").at("{" + kC + "}calendar-data").value.text,
                  event(uid));
    }
}

}  // namespace
}  // namespace cosmo::test
