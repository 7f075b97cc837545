// validate_calendar_object: RFC 4791 §4.1 rules, supported components,
// min/max-date-time, each mapped to its precondition.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cosmo/ical/validate.hpp"
#include "ical_test_util.hpp"

namespace cosmo::ical {
namespace {

using test::at;
using test::vcalendar;

const char* const kEvent = "BEGIN:VEVENT\nUID:a\nDTSTART:20250101T100000Z\nEND:VEVENT\n";

bool has_kind(const std::vector<Violation>& v, Precondition kind) {
    for (const Violation& x : v) {
        if (x.kind == kind) {
            return true;
        }
    }
    return false;
}

TEST(Validate, PlainEventIsValid) {
    EXPECT_TRUE(validate_calendar_object(vcalendar(kEvent)).empty());
}

TEST(Validate, MasterWithOverridesIsValid) {
    const std::string text = vcalendar(
        "BEGIN:VEVENT\nUID:a\nDTSTART:20250101T100000Z\nRRULE:FREQ=DAILY\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:a\nRECURRENCE-ID:20250102T100000Z\nDTSTART:20250102T120000Z\n"
        "END:VEVENT\n"
        "BEGIN:VEVENT\nUID:a\nRECURRENCE-ID:20250103T100000Z\nDTSTART:20250103T120000Z\n"
        "END:VEVENT\n");
    EXPECT_TRUE(validate_calendar_object(text).empty());
}

TEST(Validate, OverridesWithoutMasterAreValid) {
    // RFC 4791 §4.1: an object may hold only overridden instances (invitations).
    const std::string text = vcalendar(
        "BEGIN:VEVENT\nUID:a\nRECURRENCE-ID:20250102T100000Z\nDTSTART:20250102T120000Z\n"
        "END:VEVENT\n");
    EXPECT_TRUE(validate_calendar_object(text).empty());
}

TEST(Validate, TimezonesAndXComponentsDoNotCount) {
    const std::string text = vcalendar(
        "BEGIN:VTIMEZONE\nTZID:Fixed\nBEGIN:STANDARD\nDTSTART:19700101T000000\n"
        "TZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n"
        "BEGIN:X-THING\nX-A:1\nEND:X-THING\n" +
        std::string(kEvent));
    EXPECT_TRUE(validate_calendar_object(text).empty());
}

struct Case {
    const char* name;
    std::string text;
    Precondition kind;
};

class ValidateRejects : public ::testing::TestWithParam<Case> {};

TEST_P(ValidateRejects, WithPrecondition) {
    const auto v = validate_calendar_object(GetParam().text);
    ASSERT_FALSE(v.empty());
    EXPECT_TRUE(has_kind(v, GetParam().kind)) << v[0].reason;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc4791Section4_1, ValidateRejects,
    ::testing::Values(
        Case{"Unparsable", "nonsense", Precondition::kValidCalendarData},
        Case{"Method", "BEGIN:VCALENDAR\nVERSION:2.0\nMETHOD:REQUEST\n" + std::string(kEvent) +
                           "END:VCALENDAR\n",
             Precondition::kValidCalendarObjectResource},
        Case{"TwoComponentTypes",
             vcalendar(std::string(kEvent) +
                       "BEGIN:VTODO\nUID:a\nDTSTART:20250101T100000Z\nEND:VTODO\n"),
             Precondition::kValidCalendarObjectResource},
        Case{"DifferentUids",
             vcalendar(std::string(kEvent) +
                       "BEGIN:VEVENT\nUID:b\nRECURRENCE-ID:20250102T100000Z\n"
                       "DTSTART:20250102T100000Z\nEND:VEVENT\n"),
             Precondition::kValidCalendarObjectResource},
        Case{"TwoMasters",
             vcalendar(std::string(kEvent) +
                       "BEGIN:VEVENT\nUID:a\nDTSTART:20250105T100000Z\nEND:VEVENT\n"),
             Precondition::kValidCalendarObjectResource},
        Case{"DuplicateRecurrenceId",
             vcalendar("BEGIN:VEVENT\nUID:a\nRECURRENCE-ID:20250102T100000Z\n"
                       "DTSTART:20250102T100000Z\nEND:VEVENT\n"
                       "BEGIN:VEVENT\nUID:a\nRECURRENCE-ID:20250102T100000Z\n"
                       "DTSTART:20250102T110000Z\nEND:VEVENT\n"),
             Precondition::kValidCalendarObjectResource},
        Case{"NoComponent", vcalendar(""), Precondition::kValidCalendarObjectResource},
        Case{"OnlyTimezone",
             vcalendar("BEGIN:VTIMEZONE\nTZID:Fixed\nBEGIN:STANDARD\n"
                       "DTSTART:19700101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\n"
                       "END:STANDARD\nEND:VTIMEZONE\n"),
             Precondition::kValidCalendarObjectResource},
        Case{"MissingUid", vcalendar("BEGIN:VEVENT\nDTSTART:20250101T100000Z\nEND:VEVENT\n"),
             Precondition::kValidCalendarData},
        Case{"EventWithoutDtstart", vcalendar("BEGIN:VEVENT\nUID:a\nEND:VEVENT\n"),
             Precondition::kValidCalendarData},
        Case{"DtendAndDuration",
             vcalendar("BEGIN:VEVENT\nUID:a\nDTSTART:20250101T100000Z\n"
                       "DTEND:20250101T110000Z\nDURATION:PT1H\nEND:VEVENT\n"),
             Precondition::kValidCalendarData},
        Case{"TodoDueAndDuration",
             vcalendar("BEGIN:VTODO\nUID:a\nDTSTART:20250101T100000Z\n"
                       "DUE:20250101T110000Z\nDURATION:PT1H\nEND:VTODO\n"),
             Precondition::kValidCalendarData},
        Case{"UnknownComponentOnly",
             vcalendar("BEGIN:VAVAILABILITY\nUID:a\nEND:VAVAILABILITY\n"),
             Precondition::kSupportedComponent}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Validate, SupportedComponentSet) {
    ValidationOptions only_todo;
    only_todo.supported_components = {"VTODO"};
    const auto v = validate_calendar_object(vcalendar(kEvent), only_todo);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].kind, Precondition::kSupportedComponent);

    ValidationOptions events;
    events.supported_components = {"VEVENT", "VTODO"};
    EXPECT_TRUE(validate_calendar_object(vcalendar(kEvent), events).empty());
}

TEST(Validate, MinAndMaxDateTime) {
    ValidationOptions o;
    o.min_date_time = at(2025, 1, 1, 11);
    o.max_date_time = at(2025, 1, 1, 9);
    const auto v = validate_calendar_object(vcalendar(kEvent), o);
    EXPECT_TRUE(has_kind(v, Precondition::kMinDateTime));
    EXPECT_TRUE(has_kind(v, Precondition::kMaxDateTime));

    ValidationOptions ok;
    ok.min_date_time = at(2000, 1, 1);
    ok.max_date_time = at(2030, 1, 1);
    EXPECT_TRUE(validate_calendar_object(vcalendar(kEvent), ok).empty());
}

TEST(Validate, MaxDateTimeSeesExdateAndIgnoresTimezoneRules) {
    ValidationOptions o;
    o.min_date_time = at(2000, 1, 1);  // the VTIMEZONE's 1970 onset must not count
    o.max_date_time = at(2026, 1, 1);
    const std::string base =
        "BEGIN:VTIMEZONE\nTZID:Fixed\nBEGIN:STANDARD\nDTSTART:19700101T000000\n"
        "TZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n"
        "BEGIN:VEVENT\nUID:a\nDTSTART;TZID=Fixed:20250101T100000\nRRULE:FREQ=YEARLY\n";
    EXPECT_TRUE(validate_calendar_object(vcalendar(base + "END:VEVENT\n"), o).empty());
    const auto v = validate_calendar_object(
        vcalendar(base + "EXDATE;TZID=Fixed:20270101T100000\nEND:VEVENT\n"), o);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].kind, Precondition::kMaxDateTime);
}

TEST(Validate, ParsedOverloadMatchesTextOverload) {
    const Calendar c = test::must_parse(vcalendar(kEvent));
    EXPECT_TRUE(validate_calendar_object(c).empty());
}


// Near a limit the zone decides: the check must resolve TZIDs there, even
// though values far from the limits are compared without a zone lookup.
TEST(Validate, DateLimitsResolveTimeZonesNearTheLimit) {
    ValidationOptions o;
    o.min_date_time = at(2000, 1, 1);
    o.max_date_time = at(2030, 1, 1);
    auto event = [](const std::string& dtstart) {
        return vcalendar("BEGIN:VEVENT\nUID:z\nDTSTAMP:20250101T000000Z\nDTSTART;" + dtstart +
                         "\nEND:VEVENT\n");
    };
    // 1999-12-31 23:30 in New York is 2000-01-01 04:30 UTC: inside.
    EXPECT_TRUE(validate_calendar_object(event("TZID=America/New_York:19991231T233000"), o)
                    .empty());
    // 2000-01-01 01:00 in Tokyo is 1999-12-31 16:00 UTC: before min-date-time.
    auto v = validate_calendar_object(event("TZID=Asia/Tokyo:20000101T010000"), o);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].kind, Precondition::kMinDateTime);
    // 2029-12-31 20:00 in New York is 2030-01-01 01:00 UTC: after max-date-time.
    v = validate_calendar_object(event("TZID=America/New_York:20291231T200000"), o);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].kind, Precondition::kMaxDateTime);
}

}  // namespace
}  // namespace cosmo::ical
