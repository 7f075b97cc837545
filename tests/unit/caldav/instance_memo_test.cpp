/// The instances kept per object and window (InstanceMemo, query.cpp): after
/// one month view of a calendar, the other months of that year are answered
/// without reading or parsing a body that did not change, with the answers
/// ical::matches gives; a changed object, another year, a time zone or a
/// filter that tests more than a time range go the long way.

#include <set>

#include "caldav_fixture.hpp"
#include "cosmo/dav/listing_cache.hpp"

namespace cosmo::test {
namespace {

class InstanceMemoTest : public CaldavTest {
protected:
    void SetUp() override {
        CaldavTest::SetUp();  // no listing cache: every query runs
        ASSERT_EQ(put_ics(kCal + "jan.ics", event("jan")).result_int(), 201u);
        ASSERT_EQ(put_ics(kCal + "feb.ics", event("feb", "20250210T100000Z", "20250210T110000Z"))
                      .result_int(),
                  201u);
        // Every Monday from 6 January to 24 March 2025, except 3 February.
        ASSERT_EQ(put_ics(kCal + "weekly.ics",
                          event("weekly", "20250106T090000Z", "20250106T100000Z",
                                "RRULE:FREQ=WEEKLY;UNTIL=20250324T090000Z\r\n"
                                "EXDATE:20250203T090000Z\r\n"))
                      .result_int(),
                  201u);
        // Floating: 23:30-00:30 on 31 March, read in the calendar's zone.
        ASSERT_EQ(put_ics(kCal + "floating.ics",
                          event("floating", "20250331T233000", "20250401T003000"))
                      .result_int(),
                  201u);
    }

    std::set<std::string> hrefs(const std::string& start, const std::string& end,
                                const std::string& inner = "") {
        return vevent_query(start, end, inner);
    }
};

TEST_F(InstanceMemoTest, OtherMonthsOfTheYearReadNoBody) {
    // A quarter and April: every object is a candidate once and is read.
    EXPECT_EQ(hrefs("20250101T000000Z", "20250401T000000Z"),
              in_cal({"jan.ics", "feb.ics", "weekly.ics", "floating.ics"}));
    EXPECT_EQ(hrefs("20250401T000000Z", "20250501T000000Z"), in_cal({"floating.ics"}));
    // Single events well inside a range are decided by their index without
    // a parse (index_verdict_test.cpp); an hour's view of each parses them.
    EXPECT_EQ(hrefs("20250110T100000Z", "20250110T110000Z"), in_cal({"jan.ics"}));
    EXPECT_EQ(hrefs("20250210T100000Z", "20250210T110000Z"), in_cal({"feb.ics"}));
    const int reads = shards.body_reads();
    EXPECT_EQ(hrefs("20250101T000000Z", "20250201T000000Z"), in_cal({"jan.ics", "weekly.ics"}));
    EXPECT_EQ(hrefs("20250201T000000Z", "20250301T000000Z"), in_cal({"feb.ics", "weekly.ics"}));
    // The excluded Monday alone; the week after it; a range between instances.
    EXPECT_EQ(hrefs("20250203T000000Z", "20250204T000000Z"), in_cal({}));
    EXPECT_EQ(hrefs("20250210T000000Z", "20250211T000000Z"), in_cal({"feb.ics", "weekly.ics"}));
    EXPECT_EQ(hrefs("20250325T000000Z", "20250331T000000Z"), in_cal({}));
    EXPECT_EQ(hrefs("20250331T000000Z", "20250401T000000Z"), in_cal({"floating.ics"}));
    EXPECT_EQ(hrefs("20250331T233000Z", "20250331T233001Z"), in_cal({"floating.ics"}));
    EXPECT_EQ(hrefs("20250401T003000Z", "20250402T000000Z"), in_cal({}));
    EXPECT_EQ(shards.body_reads(), reads);  // all from the kept instances
}

TEST_F(InstanceMemoTest, ChangesZonesYearsAndOtherTestsGoTheLongWay) {
    EXPECT_EQ(hrefs("20250101T000000Z", "20250201T000000Z"), in_cal({"jan.ics", "weekly.ics"}));
    int reads = shards.body_reads();
    // A changed object is read again (a new ETag); the others are not.
    ASSERT_EQ(put_ics(kCal + "feb.ics", event("feb", "20250310T100000Z", "20250310T110000Z"))
                  .result_int(),
              204u);
    reads = shards.body_reads();
    EXPECT_EQ(hrefs("20250310T100000Z", "20250310T110000Z"), in_cal({"feb.ics"}));
    EXPECT_EQ(shards.body_reads(), reads + 1);
    EXPECT_EQ(hrefs("20250301T000000Z", "20250401T000000Z"),
              in_cal({"feb.ics", "weekly.ics", "floating.ics"}));

    // Another year's window: read again.
    reads = shards.body_reads();
    EXPECT_EQ(hrefs("20260101T000000Z", "20260201T000000Z"), in_cal({}));
    // (nothing overlaps 2026, so no candidate needs its body)
    EXPECT_EQ(shards.body_reads(), reads);

    // The calendar's zone moves the floating event: 23:30-00:30 in Tokyo is
    // 14:30-15:30Z on 31 March, so April (UTC) no longer has it.
    ASSERT_EQ(send("PROPPATCH", kCal,
                   "<D:propertyupdate " + kNs + "><D:set><D:prop><C:calendar-timezone>"
                   "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VTIMEZONE\r\n"
                   "TZID:Asia/Tokyo\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
                   "TZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\nTZNAME:JST\r\nEND:STANDARD\r\n"
                   "END:VTIMEZONE\r\nEND:VCALENDAR\r\n"
                   "</C:calendar-timezone></D:prop></D:set></D:propertyupdate>",
                   {{"Content-Type", "application/xml"}})
                  .result_int(),
              207u);
    EXPECT_EQ(hrefs("20250401T000000Z", "20250501T000000Z"), in_cal({}));
    EXPECT_EQ(hrefs("20250331T000000Z", "20250401T000000Z"), in_cal({"floating.ics"}));

    // A filter that tests more than the time range is matched in full.
    EXPECT_EQ(hrefs("20250101T000000Z", "20250201T000000Z",
                    "<C:prop-filter name=\"SUMMARY\"><C:text-match>test jan</C:text-match>"
                    "</C:prop-filter>"),
              in_cal({"jan.ics"}));
}

}  // namespace
}  // namespace cosmo::test
