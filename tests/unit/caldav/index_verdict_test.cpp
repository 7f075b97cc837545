/// Day, week and month views decided from the index (query.cpp,
/// index_says_inside): a single event whose indexed span lies well inside
/// the range matches without its body being read or parsed; events near
/// the range's edges, floating times a query reads in another zone, and
/// recurring events are still decided from their bodies.

#include <set>

#include "caldav_fixture.hpp"

namespace cosmo::test {
namespace {

class IndexVerdictTest : public CaldavTest {
protected:
    /// PUT of an event into the calendar; the status.
    unsigned put_event(const std::string& name, const std::string& ics) {
        return put_ics(kCal + name, ics).result_int();
    }

    std::set<std::string> june(const std::string& timezone_id = "") {
        return month("20250601T000000Z", "20250701T000000Z", timezone_id);
    }

    std::set<std::string> month(const std::string& start, const std::string& end,
                                const std::string& timezone_id = "") {
        return vevent_query(start, end, "",
                            timezone_id.empty()
                                ? ""
                                : "<C:timezone-id>" + timezone_id + "</C:timezone-id>");
    }
};

TEST_F(IndexVerdictTest, SingleEventsWellInsideTheMonthNeedNoBody) {
    ASSERT_EQ(put_event("mid.ics", event("mid", "20250610T100000Z", "20250610T110000Z")), 201u);
    ASSERT_EQ(put_event("late.ics", event("late", "20250628T080000Z", "20250629T080000Z")), 201u);
    ASSERT_EQ(put_event("july.ics", event("july", "20250710T100000Z", "20250710T110000Z")), 201u);
    const int reads = shards.body_reads();
    EXPECT_EQ(june(), in_cal({"mid.ics", "late.ics"}));
    EXPECT_EQ(shards.body_reads(), reads);
}

TEST_F(IndexVerdictTest, EdgesFloatingTimesAndSeriesAreReadFromTheBody) {
    // Ends exactly where June begins: no overlap (RFC 4791 §9.9).
    ASSERT_EQ(put_event("before.ics", event("before", "20250531T220000Z", "20250601T000000Z")),
              201u);
    // Floating 10:00-11:00 on 1 June: the index reads it in UTC (the
    // calendar has no time zone); read at UTC+14 it is still 31 May.
    ASSERT_EQ(put_event("floating.ics", event("floating", "20250601T100000", "20250601T110000")),
              201u);
    // Every day from 25 June, three times: a series is never decided by the
    // index.
    ASSERT_EQ(put_event("daily.ics", event("daily", "20250625T090000Z", "20250625T100000Z",
                                           "RRULE:FREQ=DAILY;COUNT=3\r\n")),
              201u);
    ASSERT_EQ(put_event("mid.ics", event("mid", "20250610T100000Z", "20250610T110000Z")), 201u);
    int reads = shards.body_reads();
    EXPECT_EQ(june(), in_cal({"floating.ics", "daily.ics", "mid.ics"}));
    EXPECT_GT(shards.body_reads(), reads);  // the edge, the floating event and the series
    reads = shards.body_reads();
    EXPECT_EQ(june("Pacific/Kiritimati"), in_cal({"daily.ics", "mid.ics"}));
    EXPECT_GT(shards.body_reads(), reads);
    // ... and there it belongs to May, where the prefilter finds it only with
    // the same margin (its index, read in UTC, says 1 June).
    EXPECT_EQ(month("20250501T000000Z", "20250601T000000Z", "Pacific/Kiritimati"),
              in_cal({"before.ics", "floating.ics"}));
}

}  // namespace
}  // namespace cosmo::test
