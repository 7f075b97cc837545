// expand: RRULE/RDATE/EXDATE, overrides, DST, bounded ranges on unbounded
// rules (CLIENTS.md §1.3), caps.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "cosmo/ical/expand.hpp"
#include "ical_test_util.hpp"

namespace cosmo::ical {
namespace {

using std::chrono::hours;
using test::at;
using test::must_parse;
using test::vcalendar;
using test::vevent;

std::vector<TimePoint> starts(const Expansion& e) {
    std::vector<TimePoint> out;
    for (const Instance& i : e.instances) {
        out.push_back(i.start);
    }
    return out;
}

Expansion all(const std::string& text, std::string_view tz = {}) {
    return expand(must_parse(text), kMinTime, kMaxTime, 100000, tz);
}

TEST(Expand, SingleEventHasNoRecurrenceId) {
    const Expansion e = all(vevent("DTSTART:20250101T100000Z\nDTEND:20250101T110000Z\n"));
    ASSERT_EQ(e.instances.size(), 1u);
    EXPECT_EQ(e.instances[0].start, at(2025, 1, 1, 10));
    EXPECT_EQ(e.instances[0].end, at(2025, 1, 1, 11));
    EXPECT_FALSE(e.instances[0].recurrence_id.has_value());
    EXPECT_FALSE(e.truncated);
}

TEST(Expand, CountBoundsTheSeries) {
    const Expansion e = all(vevent("DTSTART:20250101T100000Z\nRRULE:FREQ=DAILY;COUNT=5\n"));
    ASSERT_EQ(e.instances.size(), 5u);
    EXPECT_EQ(e.instances.back().start, at(2025, 1, 5, 10));
    EXPECT_EQ(e.instances.back().recurrence_id, at(2025, 1, 5, 10));
}

TEST(Expand, UntilIsInclusive) {
    const Expansion e =
        all(vevent("DTSTART:20250101T100000Z\nRRULE:FREQ=DAILY;UNTIL=20250105T100000Z\n"));
    EXPECT_EQ(e.instances.size(), 5u);
}

TEST(Expand, UtcUntilOnZonedSeries) {
    // 09:00 Berlin is 08:00Z in January: UNTIL 08:00Z keeps Jan 5.
    const Expansion e = all(vevent(
        "DTSTART;TZID=Europe/Berlin:20250101T090000\n"
        "RRULE:FREQ=DAILY;UNTIL=20250105T080000Z\n"));
    ASSERT_EQ(e.instances.size(), 5u);
    EXPECT_EQ(e.instances.back().start, at(2025, 1, 5, 8));
}

TEST(Expand, BerlinDailyStaysAtNineLocalAcrossSpringForward) {
    const Expansion e = all(vevent(
        "DTSTART;TZID=Europe/Berlin:20250328T090000\n"
        "DTEND;TZID=Europe/Berlin:20250328T100000\nRRULE:FREQ=DAILY;COUNT=4\n"));
    EXPECT_EQ(starts(e), (std::vector<TimePoint>{at(2025, 3, 28, 8), at(2025, 3, 29, 8),
                                                 at(2025, 3, 30, 7), at(2025, 3, 31, 7)}));
    for (const Instance& i : e.instances) {
        EXPECT_EQ(i.end - i.start, hours(1));
    }
}

TEST(Expand, BerlinDailyAcrossFallBack) {
    const Expansion e = all(vevent(
        "DTSTART;TZID=Europe/Berlin:20251025T090000\nRRULE:FREQ=DAILY;COUNT=3\n"));
    EXPECT_EQ(starts(e), (std::vector<TimePoint>{at(2025, 10, 25, 7), at(2025, 10, 26, 8),
                                                 at(2025, 10, 27, 8)}));
}

TEST(Expand, NewYorkWeeklyAcrossBothSwitches) {
    const Expansion e = all(vevent(
        "DTSTART;TZID=America/New_York:20250303T090000\nRRULE:FREQ=WEEKLY;COUNT=2\n"));
    EXPECT_EQ(starts(e), (std::vector<TimePoint>{at(2025, 3, 3, 14), at(2025, 3, 10, 13)}));
    const Expansion fall = all(vevent(
        "DTSTART;TZID=America/New_York:20251027T090000\nRRULE:FREQ=WEEKLY;COUNT=2\n"));
    EXPECT_EQ(starts(fall), (std::vector<TimePoint>{at(2025, 10, 27, 13), at(2025, 11, 3, 14)}));
}

TEST(Expand, ExdateDateOnDateTimeSeries) {
    const Expansion e = all(vevent(
        "DTSTART:20250101T100000Z\nRRULE:FREQ=DAILY;COUNT=5\nEXDATE;VALUE=DATE:20250103\n"));
    EXPECT_EQ(starts(e), (std::vector<TimePoint>{at(2025, 1, 1, 10), at(2025, 1, 2, 10),
                                                 at(2025, 1, 4, 10), at(2025, 1, 5, 10)}));
}

TEST(Expand, ExdateOnFirstInstanceHidesIt) {
    const Expansion e = all(vevent(
        "DTSTART:20250101T100000Z\nRRULE:FREQ=DAILY;COUNT=3\nEXDATE:20250101T100000Z\n"));
    EXPECT_EQ(starts(e), (std::vector<TimePoint>{at(2025, 1, 2, 10), at(2025, 1, 3, 10)}));
}

TEST(Expand, ExdateListAndZonedExdate) {
    const Expansion e = all(vevent(
        "DTSTART;TZID=Europe/Berlin:20250101T090000\nRRULE:FREQ=DAILY;COUNT=5\n"
        "EXDATE;TZID=Europe/Berlin:20250102T090000,20250104T090000\n"));
    EXPECT_EQ(starts(e), (std::vector<TimePoint>{at(2025, 1, 1, 8), at(2025, 1, 3, 8),
                                                 at(2025, 1, 5, 8)}));
}

TEST(Expand, RdateAddsInstancesIncludingPeriods) {
    const Expansion e = all(vevent(
        "DTSTART:20250101T100000Z\nDURATION:PT1H\nRDATE:20250110T100000Z\n"
        "RDATE;VALUE=PERIOD:20250120T100000Z/20250120T150000Z\n"));
    ASSERT_EQ(e.instances.size(), 3u);
    EXPECT_EQ(e.instances[1].start, at(2025, 1, 10, 10));
    EXPECT_EQ(e.instances[1].end, at(2025, 1, 10, 11));
    EXPECT_EQ(e.instances[2].end, at(2025, 1, 20, 15));
    EXPECT_EQ(e.instances[2].recurrence_id, at(2025, 1, 20, 10));
}

const std::string kDaily = "BEGIN:VEVENT\nUID:s\nDTSTART:20250101T100000Z\n"
                           "DTEND:20250101T110000Z\nRRULE:FREQ=DAILY;COUNT=10\nEND:VEVENT\n";

TEST(Expand, OverrideMovedOutOfRangeLeavesNothing) {
    const std::string text = vcalendar(
        kDaily + "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20250103T100000Z\n"
                 "DTSTART:20250120T100000Z\nDTEND:20250120T110000Z\nEND:VEVENT\n");
    const Calendar c = must_parse(text);
    EXPECT_TRUE(expand(c, at(2025, 1, 3), at(2025, 1, 4), 10).instances.empty());
    const Expansion moved = expand(c, at(2025, 1, 20), at(2025, 1, 21), 10);
    ASSERT_EQ(moved.instances.size(), 1u);
    EXPECT_TRUE(moved.instances[0].is_override);
    EXPECT_EQ(moved.instances[0].start, at(2025, 1, 20, 10));
    EXPECT_EQ(moved.instances[0].recurrence_id, at(2025, 1, 3, 10));
}

TEST(Expand, OverrideMovedIntoRange) {
    const std::string text = vcalendar(
        kDaily + "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20250108T100000Z\n"
                 "DTSTART:20250102T150000Z\nDTEND:20250102T160000Z\nEND:VEVENT\n");
    const Expansion e = expand(must_parse(text), at(2025, 1, 2), at(2025, 1, 3), 10);
    ASSERT_EQ(e.instances.size(), 2u);
    EXPECT_EQ(e.instances[0].start, at(2025, 1, 2, 10));
    EXPECT_FALSE(e.instances[0].is_override);
    EXPECT_EQ(e.instances[1].start, at(2025, 1, 2, 15));
    EXPECT_TRUE(e.instances[1].is_override);
    EXPECT_EQ(all(text).instances.size(), 10u);
}

TEST(Expand, OverrideOnlyObject) {
    const std::string text = vcalendar(
        "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20250108T100000Z\nDTSTART:20250108T120000Z\n"
        "DTEND:20250108T130000Z\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20250115T100000Z\nDTSTART:20250115T100000Z\n"
        "DTEND:20250115T110000Z\nEND:VEVENT\n");
    const Expansion e = all(text);
    ASSERT_EQ(e.instances.size(), 2u);
    EXPECT_TRUE(e.instances[0].is_override);
    EXPECT_EQ(e.instances[0].start, at(2025, 1, 8, 12));
    EXPECT_EQ(e.instances[1].recurrence_id, at(2025, 1, 15, 10));
}

TEST(Expand, ThisAndFutureShiftsLaterInstances) {
    const std::string text = vcalendar(
        kDaily + "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID;RANGE=THISANDFUTURE:20250105T100000Z\n"
                 "DTSTART:20250105T120000Z\nDTEND:20250105T140000Z\nEND:VEVENT\n");
    const Expansion e = all(text);
    ASSERT_EQ(e.instances.size(), 10u);
    EXPECT_EQ(e.instances[3].start, at(2025, 1, 4, 10));
    EXPECT_EQ(e.instances[4].start, at(2025, 1, 5, 12));
    EXPECT_EQ(e.instances[9].start, at(2025, 1, 10, 12));
    EXPECT_EQ(e.instances[9].end, at(2025, 1, 10, 14));
    EXPECT_EQ(e.instances[9].recurrence_id, at(2025, 1, 10, 10));
}

TEST(Expand, AllDayWeeklyInCalendarZone) {
    const std::string text =
        vevent("DTSTART;VALUE=DATE:20250106\nRRULE:FREQ=WEEKLY;COUNT=3\n");
    const Expansion e = all(text, "Europe/Berlin");
    ASSERT_EQ(e.instances.size(), 3u);
    EXPECT_EQ(e.instances[0].start, at(2025, 1, 5, 23));
    EXPECT_EQ(e.instances[0].end, at(2025, 1, 6, 23));
    EXPECT_EQ(e.instances[2].start, at(2025, 1, 19, 23));
}

TEST(Expand, AllDayOverrideMatchesDateRecurrenceId) {
    const std::string text = vcalendar(
        "BEGIN:VEVENT\nUID:s\nDTSTART;VALUE=DATE:20250106\nRRULE:FREQ=DAILY;COUNT=3\n"
        "END:VEVENT\nBEGIN:VEVENT\nUID:s\nRECURRENCE-ID;VALUE=DATE:20250107\n"
        "DTSTART;VALUE=DATE:20250110\nEND:VEVENT\n");
    const Expansion e = all(text, "America/New_York");
    EXPECT_EQ(starts(e), (std::vector<TimePoint>{at(2025, 1, 6, 5), at(2025, 1, 8, 5),
                                                 at(2025, 1, 10, 5)}));
}

// CLIENTS.md §1.3 (davx5-ose#920): a range starting 400 days back on a
// years-old unbounded series must return every instance inside it.
TEST(Expand, FourHundredDaysBackOnOldUnboundedSeries) {
    const Calendar c = must_parse(vevent(
        "DTSTART;TZID=Europe/Berlin:20150101T090000\nDURATION:PT1H\nRRULE:FREQ=DAILY\n"));
    const TimePoint from = at(2024, 5, 1);
    const TimePoint to = at(2025, 6, 5);  // 400 days later
    const auto t0 = std::chrono::steady_clock::now();
    const Expansion e = expand(c, from, to, 1000);
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_FALSE(e.truncated);
    ASSERT_EQ(e.instances.size(), 400u);
    EXPECT_EQ(e.instances.front().start, at(2024, 5, 1, 7));
    EXPECT_EQ(e.instances.back().start, at(2025, 6, 4, 7));
    EXPECT_LT(took, std::chrono::seconds(2));
}

struct RuleCase {
    const char* name;
    const char* rule;
};

class JumpMatchesFullIteration : public ::testing::TestWithParam<RuleCase> {};

// Expanding a late window directly (which may skip ahead) must give exactly
// what stepping from DTSTART gives.
TEST_P(JumpMatchesFullIteration, SameInstances) {
    const Calendar c = must_parse(vevent("DTSTART;TZID=America/New_York:20140310T093000\n"
                                         "DURATION:PT2H\nRRULE:" +
                                         std::string(GetParam().rule) + "\n"));
    const TimePoint from = at(2024, 5, 1, 14);
    const TimePoint to = at(2025, 6, 5);
    const Expansion full = expand(c, at(2014, 1, 1), to, 100000);
    std::vector<Instance> expected;
    for (const Instance& i : full.instances) {
        if (overlaps(i, from, to)) {
            expected.push_back(i);
        }
    }
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(expand(c, from, to, 100000).instances, expected);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, JumpMatchesFullIteration,
    ::testing::Values(RuleCase{"Daily", "FREQ=DAILY"},
                      RuleCase{"EveryThirdDay", "FREQ=DAILY;INTERVAL=3"},
                      RuleCase{"WeeklyMoWeFr", "FREQ=WEEKLY;BYDAY=MO,WE,FR"},
                      RuleCase{"BiweeklyTuTh", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"},
                      RuleCase{"MonthlyDay31", "FREQ=MONTHLY;BYMONTHDAY=31"},
                      RuleCase{"MonthlySecondTuesday", "FREQ=MONTHLY;BYDAY=2TU"},
                      RuleCase{"MonthlyLastWeekday", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"},
                      RuleCase{"YearlyFirstSundayOfJune", "FREQ=YEARLY;BYMONTH=6;BYDAY=1SU"},
                      RuleCase{"Yearly", "FREQ=YEARLY"},
                      RuleCase{"MonthlyEveryOther", "FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO"},
                      RuleCase{"MonthlyEveryThird", "FREQ=MONTHLY;INTERVAL=3"},
                      RuleCase{"Minutely", "FREQ=MINUTELY;INTERVAL=37;BYHOUR=9,10"},
                      RuleCase{"Hourly", "FREQ=HOURLY;INTERVAL=7"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Expand, MaxInstancesTruncates) {
    const Calendar c = must_parse(vevent("DTSTART:20250101T100000Z\nRRULE:FREQ=DAILY\n"));
    const Expansion e = expand(c, at(2025, 1, 1), at(2026, 1, 1), 10);
    EXPECT_TRUE(e.truncated);
    ASSERT_EQ(e.instances.size(), 10u);
    EXPECT_EQ(e.instances.back().start, at(2025, 1, 10, 10));
}

TEST(Expand, SecondlyRuleIsCapped) {
    const Calendar c = must_parse(vevent("DTSTART:20250101T000000Z\nRRULE:FREQ=SECONDLY\n"));
    const Expansion e = expand(c, at(2025, 1, 1), at(2026, 1, 1), 100);
    EXPECT_TRUE(e.truncated);
    EXPECT_EQ(e.instances.size(), 100u);
}

TEST(Expand, ImpossibleRuleTerminates) {
    const Calendar c = must_parse(
        vevent("DTSTART:20250101T000000Z\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\n"));
    const Expansion e = expand(c, at(2025, 1, 1), at(2030, 1, 1), 100);
    EXPECT_LE(e.instances.size(), 1u);  // at most DTSTART itself
}

TEST(Expand, RangeBeforeSeriesIsEmpty) {
    const Calendar c = must_parse(vevent("DTSTART:20250101T100000Z\nRRULE:FREQ=DAILY\n"));
    EXPECT_TRUE(expand(c, at(2020, 1, 1), at(2021, 1, 1), 10).instances.empty());
}

TEST(Expand, TodoRecursWithDue) {
    const std::string text = vcalendar(
        "BEGIN:VTODO\nUID:t\nDTSTART:20250101T100000Z\nDUE:20250101T120000Z\n"
        "RRULE:FREQ=WEEKLY;COUNT=3\nEND:VTODO\n");
    const Expansion e = all(text);
    ASSERT_EQ(e.instances.size(), 3u);
    EXPECT_EQ(e.instances[2].start, at(2025, 1, 15, 10));
    EXPECT_EQ(e.instances[2].end, at(2025, 1, 15, 12));
}

}  // namespace
}  // namespace cosmo::ical
