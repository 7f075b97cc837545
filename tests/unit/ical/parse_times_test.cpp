// parse_times keeps what decides an object's instances: component_instances
// of its result equals that of a full parse, for the RFC 4791 examples and
// objects with what it leaves out (alarms, attendees, folded lines, X-
// properties, VTIMEZONEs seen before and not), over several windows.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "cosmo/ical/filter.hpp"
#include "ical_test_util.hpp"
#include "rfc4791_examples.hpp"

namespace cosmo::ical {
namespace {

using test::at;

const std::string kBerlin = test::berlin_vtimezone();

std::string calendar(const std::string& zones, const std::string& body) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nCALSCALE:GREGORIAN\r\n" +
           zones + body + "END:VCALENDAR\r\n";
}

std::vector<std::string> objects() {
    namespace r = test::rfc4791;
    std::vector<std::string> out = {r::kAbcd1, r::kAbcd2, r::kAbcd3, r::kAbcd4,
                                    r::kAbcd5, r::kAbcd6, r::kAbcd7, r::kAbcd8};
    // A weekly series with an override, an EXDATE, alarms and folded lines.
    out.push_back(calendar(
        kBerlin,
        "BEGIN:VEVENT\r\n"
        "UID:series-1\r\n"
        "DTSTAMP:20260101T000000Z\r\n"
        "DTSTART;TZID=Europe/Berlin:20260105T090000\r\n"
        "DTEND;TZID=Europe/Berlin:20260105T093000\r\n"
        "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20260401T000000Z\r\n"
        "EXDATE;TZID=Europe/Berlin:20260107T090000\r\n"
        "SUMMARY:Stand-up\r\n"
        "ATTENDEE;CN=Guest;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:ma\r\n"
        " ilto:guest@example.org\r\n"
        "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\r\n"
        "BEGIN:VALARM\r\n"
        "ACTION:DISPLAY\r\n"
        "DESCRIPTION:Reminder\r\n"
        "TRIGGER;RELATED=START:-PT15M\r\n"
        "END:VALARM\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\n"
        "UID:series-1\r\n"
        "RECURRENCE-ID;TZID=Europe/Berlin:20260112T090000\r\n"
        "DTSTAMP:20260101T000000Z\r\n"
        "DTSTART;TZID=Europe/Berlin:20260113T140000\r\n"
        "DURATION:PT2H\r\n"
        "SUMMARY:Moved\r\n"
        "END:VEVENT\r\n"));
    // Lower-case names, LF line ends, a folded DTSTART, an all-day series.
    out.push_back(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nbegin:vevent\nuid:allday\n"
        "dtstamp:20260101T000000Z\ndtstart;VALUE=DATE:2026\n 0301\nrrule:FREQ=MONTHLY;COUNT=5\n"
        "rdate;VALUE=DATE:20260715\nend:vevent\nEND:VCALENDAR\n");
    // A to-do with DUE and COMPLETED, and one with only CREATED.
    out.push_back(calendar("",
                           "BEGIN:VTODO\r\nUID:t1\r\nDTSTAMP:20260101T000000Z\r\n"
                           "DUE:20260310T120000Z\r\nCOMPLETED:20260309T100000Z\r\n"
                           "STATUS:COMPLETED\r\nEND:VTODO\r\n"
                           "BEGIN:VTODO\r\nUID:t2\r\nDTSTAMP:20260101T000000Z\r\n"
                           "CREATED:20260201T080000Z\r\nEND:VTODO\r\n"));
    return out;
}

std::optional<std::vector<Instance>> instances(const Calendar& c, const char* component,
                                               TimePoint from, TimePoint to) {
    return component_instances(c, component, "Europe/Berlin", from, to, 1000);
}

TEST(ParseTimes, SameInstancesAsAFullParse) {
    const std::vector<std::pair<TimePoint, TimePoint>> windows = {
        {at(2005, 12, 1), at(2007, 2, 1)}, {at(2025, 12, 1), at(2027, 2, 1)},
        {at(2026, 1, 12), at(2026, 1, 14)}};
    int with_instances = 0;
    // Twice: the second time the VTIMEZONEs are shared already, and left unparsed.
    for (int round = 0; round < 2; ++round) {
        for (const std::string& text : objects()) {
            const ParseResult full = parse(text);
            const ParseResult times = parse_times(text);
            ASSERT_TRUE(full.ok()) << text;
            ASSERT_TRUE(times.ok()) << text;
            for (const char* component : {"VEVENT", "VTODO"}) {
                for (const auto& [from, to] : windows) {
                    const auto expected = instances(*full.calendar, component, from, to);
                    EXPECT_EQ(instances(*times.calendar, component, from, to), expected)
                        << component << " in\n"
                        << text;
                    if (expected && !expected->empty()) ++with_instances;
                }
            }
        }
    }
    EXPECT_GT(with_instances, 20);
}

TEST(ParseTimes, RefusesWhatParseRefuses) {
    EXPECT_FALSE(parse_times("not a calendar").ok());
    EXPECT_FALSE(parse_times("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n"
                             "END:VCALENDAR\r\n")
                     .ok());  // no VERSION
    EXPECT_FALSE(parse_times(std::string("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\0", 32)).ok());
}

}  // namespace
}  // namespace cosmo::ical
