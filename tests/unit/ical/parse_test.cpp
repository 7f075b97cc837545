// ical::parse: VCALENDAR/VERSION checks and X-LIC-ERROR rejection.

#include <gtest/gtest.h>

#include <string>

#include "cosmo/ical/calendar.hpp"
#include "ical_test_util.hpp"

namespace cosmo::ical {
namespace {

using test::vcalendar;
using test::vevent;

TEST(Parse, AcceptsMinimalEvent) {
    const ParseResult r = parse(vevent("DTSTART:20250101T100000Z\n"));
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.violations.empty());
}

TEST(Parse, AcceptsMissingProdid) {
    const std::string text =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n"
        "DTSTART:20250101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    EXPECT_TRUE(parse(text).ok());
}

TEST(Parse, ToleratesUnknownIanaAndLowercaseXProperties) {
    // RFC 5545 §3.8.8 allows both; libical flags them but the bytes are kept.
    EXPECT_TRUE(parse(vevent("DTSTART:20250101T100000Z\nFOO-BAR:baz\nx-custom:1\n")).ok());
}

struct BadInput {
    const char* name;
    std::string text;
};

class ParseRejects : public ::testing::TestWithParam<BadInput> {};

TEST_P(ParseRejects, WithValidCalendarData) {
    const ParseResult r = parse(GetParam().text);
    EXPECT_FALSE(r.ok());
    ASSERT_FALSE(r.violations.empty());
    for (const Violation& v : r.violations) {
        EXPECT_EQ(v.kind, Precondition::kValidCalendarData);
        EXPECT_FALSE(v.reason.empty());
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseRejects,
    ::testing::Values(
        BadInput{"Empty", ""},
        BadInput{"Garbage", "hello world"},
        BadInput{"Truncated", "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:1\n"},
        BadInput{"NotVcalendar", "BEGIN:VEVENT\nUID:1\nDTSTART:20250101T000000Z\nEND:VEVENT\n"},
        BadInput{"TwoCalendars", vcalendar("") + vcalendar("")},
        BadInput{"MissingVersion",
                 "BEGIN:VCALENDAR\nPRODID:x\nBEGIN:VEVENT\nUID:1\nDTSTART:20250101T000000Z\n"
                 "END:VEVENT\nEND:VCALENDAR\n"},
        BadInput{"Version1",
                 "BEGIN:VCALENDAR\nVERSION:1.0\nBEGIN:VEVENT\nUID:1\n"
                 "DTSTART:20250101T000000Z\nEND:VEVENT\nEND:VCALENDAR\n"},
        BadInput{"BadDateTime", vevent("DTSTART:2025BAD\n")},
        BadInput{"BadRrule", vevent("DTSTART:20250101T000000Z\nRRULE:FREQ=SOMETIMES\n")},
        BadInput{"LineWithoutColon", vevent("DTSTART:20250101T000000Z\nthis is not a line\n")},
        BadInput{"BadValueParameter", vevent("DTSTART;VALUE=FOO:20250101\n")},
        BadInput{"BadPropertyNameChars", vevent("DTSTART:20250101T000000Z\nFO?O:bar\n")},
        BadInput{"NulByte", std::string("BEGIN:VCALENDAR\nVERSION:2.0\n") + std::string(1, '\0') +
                                "END:VCALENDAR\n"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Parse, ReportsLibicalErrorText) {
    const ParseResult r = parse(vevent("DTSTART:2025BAD\n"));
    ASSERT_FALSE(r.violations.empty());
    EXPECT_NE(r.violations[0].reason.find("DTSTART"), std::string::npos);
}

TEST(Parse, ErrorInsideNestedAlarmIsFound) {
    const ParseResult r = parse(vevent(
        "DTSTART:20250101T000000Z\nBEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:not-a-duration\n"
        "END:VALARM\n"));
    EXPECT_FALSE(r.ok());
}

TEST(Parse, CalendarIsMovable) {
    ParseResult r = parse(vevent("DTSTART:20250101T100000Z\n"));
    ASSERT_TRUE(r.ok());
    Calendar moved = std::move(*r.calendar);
    Calendar other = std::move(*parse(vevent("DTSTART:20250102T100000Z\n")).calendar);
    other = std::move(moved);
    SUCCEED();
}

}  // namespace
}  // namespace cosmo::ical
