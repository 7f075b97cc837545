// summarize: the index columns (UID, type, first start, last end, flags).

#include <gtest/gtest.h>

#include <string>

#include "cosmo/ical/summary.hpp"
#include "ical_test_util.hpp"

namespace cosmo::ical {
namespace {

using test::at;
using test::must_parse;
using test::vcalendar;
using test::vevent;

Summary of(const std::string& text, std::string_view tz = {}) {
    return summarize(must_parse(text), tz);
}

TEST(Summary, SingleEventWithDtend) {
    const Summary s = of(vevent("DTSTART:20250101T100000Z\nDTEND:20250101T113000Z\n"));
    EXPECT_EQ(s.uid, "e1");
    EXPECT_EQ(s.component, "VEVENT");
    EXPECT_EQ(s.first_start, at(2025, 1, 1, 10));
    EXPECT_EQ(s.last_end, at(2025, 1, 1, 11, 30));
    EXPECT_FALSE(s.recurring);
    EXPECT_FALSE(s.has_overrides);
}

TEST(Summary, DurationAndNoEnd) {
    EXPECT_EQ(of(vevent("DTSTART:20250101T100000Z\nDURATION:P1DT2H\n")).last_end,
              at(2025, 1, 2, 12));
    const Summary instant = of(vevent("DTSTART:20250101T100000Z\n"));
    EXPECT_EQ(instant.first_start, instant.last_end);
}

TEST(Summary, AllDayUsesCalendarZone) {
    const Summary s = of(vevent("DTSTART;VALUE=DATE:20250110\n"), "Europe/Berlin");
    EXPECT_EQ(s.first_start, at(2025, 1, 9, 23));
    EXPECT_EQ(s.last_end, at(2025, 1, 10, 23));
}

TEST(Summary, UnboundedRuleEndsAtMax) {
    const Summary s = of(vevent("DTSTART:20250101T100000Z\nRRULE:FREQ=WEEKLY\n"));
    EXPECT_TRUE(s.recurring);
    EXPECT_EQ(s.first_start, at(2025, 1, 1, 10));
    EXPECT_EQ(s.last_end, kMaxTime);
}

TEST(Summary, CountAndUntilBoundTheSeries) {
    EXPECT_EQ(of(vevent("DTSTART:20250101T100000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=10\n"))
                  .last_end,
              at(2025, 1, 10, 11));
    EXPECT_EQ(of(vevent("DTSTART:20250101T100000Z\nDURATION:PT1H\n"
                        "RRULE:FREQ=WEEKLY;UNTIL=20250301T000000Z\n"))
                  .last_end,
              at(2025, 2, 26, 11));
}

TEST(Summary, ExdateOnFirstAndRdateLater) {
    const Summary s = of(vevent(
        "DTSTART:20250101T100000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=3\n"
        "EXDATE:20250101T100000Z\nRDATE:20250301T100000Z\n"));
    EXPECT_EQ(s.first_start, at(2025, 1, 2, 10));
    EXPECT_EQ(s.last_end, at(2025, 3, 1, 11));
}

TEST(Summary, OverrideMovedLaterExtendsLastEnd) {
    const Summary s = of(vcalendar(
        "BEGIN:VEVENT\nUID:s\nDTSTART:20250101T100000Z\nDURATION:PT1H\n"
        "RRULE:FREQ=DAILY;COUNT=3\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20250103T100000Z\nDTSTART:20250110T100000Z\n"
        "DTEND:20250110T120000Z\nEND:VEVENT\n"));
    EXPECT_EQ(s.uid, "s");
    EXPECT_TRUE(s.has_overrides);
    EXPECT_TRUE(s.recurring);
    EXPECT_EQ(s.last_end, at(2025, 1, 10, 12));
}

TEST(Summary, OverrideOnly) {
    const Summary s = of(vcalendar(
        "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20250103T100000Z\nDTSTART:20250104T100000Z\n"
        "DTEND:20250104T120000Z\nEND:VEVENT\n"));
    EXPECT_EQ(s.component, "VEVENT");
    EXPECT_TRUE(s.has_overrides);
    EXPECT_EQ(s.first_start, at(2025, 1, 4, 10));
    EXPECT_EQ(s.last_end, at(2025, 1, 4, 12));
}

TEST(Summary, TodoCases) {
    const auto todo = [](const std::string& props) {
        return of(vcalendar("BEGIN:VTODO\nUID:t\n" + props + "END:VTODO\n"));
    };
    const Summary due = todo("DUE:20250105T100000Z\n");
    EXPECT_EQ(due.component, "VTODO");
    EXPECT_EQ(due.first_start, at(2025, 1, 5, 10));
    EXPECT_EQ(due.last_end, at(2025, 1, 5, 10));
    const Summary none = todo("SUMMARY:x\n");
    EXPECT_EQ(none.first_start, kMinTime);
    EXPECT_EQ(none.last_end, kMaxTime);
    EXPECT_EQ(todo("CREATED:20250101T000000Z\n").last_end, kMaxTime);
    const Summary done = todo("CREATED:20250101T000000Z\nCOMPLETED:20250103T000000Z\n");
    EXPECT_EQ(done.first_start, at(2025, 1, 1));
    EXPECT_EQ(done.last_end, at(2025, 1, 3));
    EXPECT_EQ(todo("DTSTART:20250101T100000Z\nDURATION:PT2H\n").last_end, at(2025, 1, 1, 12));
}

TEST(Summary, JournalWithoutStartMatchesNothing) {
    const Summary s = of(vcalendar("BEGIN:VJOURNAL\nUID:j\nSUMMARY:x\nEND:VJOURNAL\n"));
    EXPECT_EQ(s.component, "VJOURNAL");
    EXPECT_GT(s.first_start, s.last_end);
}

TEST(Summary, HugeCountIsIndexedAsUnbounded) {
    const Summary s = of(vevent("DTSTART:20250101T100000Z\nRRULE:FREQ=MINUTELY;COUNT=1000000\n"));
    EXPECT_EQ(s.first_start, at(2025, 1, 1, 10));
    EXPECT_EQ(s.last_end, kMaxTime);
}

}  // namespace
}  // namespace cosmo::ical
