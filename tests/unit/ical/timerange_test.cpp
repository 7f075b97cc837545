// RFC 4791 §9.9 time-range tables for VEVENT, VTODO and VJOURNAL, one row
// per property combination, each checked just inside and just outside.

#include <gtest/gtest.h>

#include <string>

#include "cosmo/ical/expand.hpp"
#include "ical_test_util.hpp"

namespace cosmo::ical {
namespace {

using test::at;

struct Row {
    const char* name;
    const char* component;
    std::string props;
    TimePoint range_start;
    TimePoint range_end;
    bool matches;
    const char* default_tzid = "";
};

std::string object(const Row& r) {
    return test::vcalendar(std::string("BEGIN:") + r.component + "\nUID:x\n" + r.props +
                           "END:" + r.component + "\n");
}

class TimeRange : public ::testing::TestWithParam<Row> {};

TEST_P(TimeRange, MatchesPerTable) {
    const Row& r = GetParam();
    const Calendar c = test::must_parse(object(r));
    const Expansion e = expand(c, r.range_start, r.range_end, 10, r.default_tzid);
    EXPECT_EQ(!e.instances.empty(), r.matches);
}

const std::string kStart = "DTSTART:20250110T100000Z\n";
const TimePoint h8 = at(2025, 1, 10, 8), h9 = at(2025, 1, 10, 9), h10 = at(2025, 1, 10, 10),
                h11 = at(2025, 1, 10, 11), h12 = at(2025, 1, 10, 12), h13 = at(2025, 1, 10, 13);

INSTANTIATE_TEST_SUITE_P(
    VEvent, TimeRange,
    ::testing::Values(
        // (start < DTEND AND end > DTSTART)
        Row{"DtendInside", "VEVENT", kStart + "DTEND:20250110T110000Z\n", h10, h11, true},
        Row{"DtendRangeAtEnd", "VEVENT", kStart + "DTEND:20250110T110000Z\n", h11, h12, false},
        Row{"DtendRangeBefore", "VEVENT", kStart + "DTEND:20250110T110000Z\n", h9, h10, false},
        // (start < DTSTART+DURATION AND end > DTSTART)
        Row{"DurationInside", "VEVENT", kStart + "DURATION:PT1H\n", h10 + std::chrono::minutes(59),
            h12, true},
        Row{"DurationRangeAtEnd", "VEVENT", kStart + "DURATION:PT1H\n", h11, h12, false},
        // DURATION = 0: (start <= DTSTART AND end > DTSTART)
        Row{"ZeroDurationAtStart", "VEVENT", kStart + "DURATION:PT0S\n", h10, h11, true},
        Row{"ZeroDurationRangeEndsAtStart", "VEVENT", kStart + "DURATION:PT0S\n", h9, h10, false},
        // DATE-TIME, no DTEND/DURATION: same as zero duration
        Row{"NoEndAtStart", "VEVENT", kStart, h10, h11, true},
        Row{"NoEndRangeEndsAtStart", "VEVENT", kStart, h9, h10, false},
        Row{"NoEndRangeAfter", "VEVENT", kStart, h10 + std::chrono::seconds(1), h11, false},
        // DATE, no DTEND: (start < DTSTART+P1D AND end > DTSTART)
        Row{"AllDayLastHour", "VEVENT", "DTSTART;VALUE=DATE:20250110\n", at(2025, 1, 10, 23),
            at(2025, 1, 11), true},
        Row{"AllDayNextDay", "VEVENT", "DTSTART;VALUE=DATE:20250110\n", at(2025, 1, 11),
            at(2025, 1, 12), false},
        Row{"AllDayDayBefore", "VEVENT", "DTSTART;VALUE=DATE:20250110\n", at(2025, 1, 9),
            at(2025, 1, 10), false},
        Row{"AllDayMultiDayDtend", "VEVENT",
            "DTSTART;VALUE=DATE:20250110\nDTEND;VALUE=DATE:20250113\n", at(2025, 1, 12, 12),
            at(2025, 1, 12, 13), true},
        // Floating dates read in the calendar's time zone (RFC 4791 §9.9).
        Row{"AllDayInNewYork", "VEVENT", "DTSTART;VALUE=DATE:20250110\n", at(2025, 1, 11, 4),
            at(2025, 1, 11, 4, 30), true, "America/New_York"},
        Row{"AllDayInNewYorkBefore", "VEVENT", "DTSTART;VALUE=DATE:20250110\n", at(2025, 1, 10, 4),
            at(2025, 1, 10, 4, 30), false, "America/New_York"},
        Row{"FloatingInBerlin", "VEVENT", "DTSTART:20250110T100000\n", at(2025, 1, 10, 9),
            at(2025, 1, 10, 9, 1), true, "Europe/Berlin"},
        Row{"FloatingDefaultsToUtc", "VEVENT", "DTSTART:20250110T100000\n", h10, h11, true}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    VTodo, TimeRange,
    ::testing::Values(
        // (start <= DTSTART+DURATION) AND ((end > DTSTART) OR (end >= DTSTART+DURATION))
        Row{"StartDurationRangeAtEnd", "VTODO", kStart + "DURATION:PT1H\n", h11, h12, true},
        Row{"StartDurationRangeBefore", "VTODO", kStart + "DURATION:PT1H\n", h9, h10, false},
        Row{"StartDurationRangeAfter", "VTODO", kStart + "DURATION:PT1H\n",
            h11 + std::chrono::seconds(1), h12, false},
        // ((start < DUE) OR (start <= DTSTART)) AND ((end > DTSTART) OR (end >= DUE))
        Row{"StartDueInside", "VTODO", kStart + "DUE:20250110T110000Z\n",
            h11 - std::chrono::minutes(1), h11, true},
        Row{"StartDueRangeAtDue", "VTODO", kStart + "DUE:20250110T110000Z\n", h11, h12, false},
        Row{"StartDueRangeBefore", "VTODO", kStart + "DUE:20250110T110000Z\n", h9, h10, false},
        // (start <= DTSTART) AND (end > DTSTART)
        Row{"StartOnlyAtStart", "VTODO", kStart, h10, h11, true},
        Row{"StartOnlyBefore", "VTODO", kStart, h9, h10, false},
        // (start < DUE) AND (end >= DUE)
        Row{"DueOnlyRangeEndsAtDue", "VTODO", "DUE:20250110T110000Z\n", h10, h11, true},
        Row{"DueOnlyRangeStartsAtDue", "VTODO", "DUE:20250110T110000Z\n", h11, h12, false},
        // ((start <= CREATED) OR (start <= COMPLETED)) AND ((end >= CREATED) OR (end >= COMPLETED))
        Row{"CompletedCreatedAtCompleted", "VTODO",
            "CREATED:20250110T080000Z\nCOMPLETED:20250110T120000Z\n", h12, h13, true},
        Row{"CompletedCreatedEndsAtCreated", "VTODO",
            "CREATED:20250110T080000Z\nCOMPLETED:20250110T120000Z\n", at(2025, 1, 10, 7), h8,
            true},
        Row{"CompletedCreatedAfter", "VTODO",
            "CREATED:20250110T080000Z\nCOMPLETED:20250110T120000Z\n",
            h12 + std::chrono::seconds(1), h13, false},
        // (start <= COMPLETED) AND (end >= COMPLETED)
        Row{"CompletedOnlyEndsAt", "VTODO", "COMPLETED:20250110T120000Z\n", h11, h12, true},
        Row{"CompletedOnlyAfter", "VTODO", "COMPLETED:20250110T120000Z\n",
            h12 + std::chrono::seconds(1), h13, false},
        // (end > CREATED)
        Row{"CreatedOnlyEndsAt", "VTODO", "CREATED:20250110T080000Z\n", at(2025, 1, 10, 7), h8,
            false},
        Row{"CreatedOnlyLater", "VTODO", "CREATED:20250110T080000Z\n", at(2030, 1, 1),
            at(2030, 1, 2), true},
        // No date properties: matches every range.
        Row{"NothingMatchesAll", "VTODO", "SUMMARY:x\n", at(1990, 1, 1), at(1990, 1, 2), true}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    VJournal, TimeRange,
    ::testing::Values(Row{"DateTimeAtStart", "VJOURNAL", kStart, h10, h11, true},
                      Row{"DateTimeBefore", "VJOURNAL", kStart, h9, h10, false},
                      Row{"DateWholeDay", "VJOURNAL", "DTSTART;VALUE=DATE:20250110\n",
                          at(2025, 1, 10, 23), at(2025, 1, 11), true},
                      Row{"NoStartNeverMatches", "VJOURNAL", "SUMMARY:x\n", at(1900, 1, 1),
                          at(2100, 1, 1), false}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Overlaps, ClosedAndOpenEnds) {
    Instance point{at(2025, 1, 1), at(2025, 1, 1), std::nullopt, false, false, true};
    EXPECT_TRUE(overlaps(point, at(2025, 1, 1), at(2025, 1, 2)));
    EXPECT_FALSE(overlaps(point, at(2024, 12, 31), at(2025, 1, 1)));
    Instance span{at(2025, 1, 1), at(2025, 1, 2), std::nullopt, false, false, false};
    EXPECT_FALSE(overlaps(span, at(2025, 1, 2), at(2025, 1, 3)));
    EXPECT_TRUE(overlaps(span, kMinTime, kMaxTime));
}

}  // namespace
}  // namespace cosmo::ical
