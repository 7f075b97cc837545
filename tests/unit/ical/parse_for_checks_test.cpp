// parse_for_checks() leaves a VTIMEZONE this process already parsed out of
// the tree and takes its zone from the shared cache. What the PUT checks
// read of its result must equal what they read of parse(): whether it
// parsed and why not, validate_calendar_object()'s violations (with
// min/max-date-time, which convert through the zones) and summarize().
// Objects: the RFC 4791 examples, zoned series, zones seen before and not,
// a VTIMEZONE in the wrong place, two of one TZID, and refused objects.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../../../src/ical/detail.hpp"
#include "cosmo/ical/calendar.hpp"
#include "cosmo/ical/summary.hpp"
#include "cosmo/ical/validate.hpp"
#include "ical_test_util.hpp"
#include "rfc4791_examples.hpp"

namespace cosmo::ical {
namespace {

using test::at;

// A zone no other test shares (a made-up TZID), so that whether it is in
// the cache is decided by this file alone.
const std::string kZone = test::berlin_vtimezone("Test/Checks-Berlin");

std::string calendar(const std::string& before, const std::string& body) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" + before + body +
           "END:VCALENDAR\r\n";
}

std::string event(const std::string& uid, const std::string& lines) {
    return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20260101T000000Z\r\n" + lines +
           "END:VEVENT\r\n";
}

std::vector<std::string> objects() {
    namespace r = test::rfc4791;
    std::vector<std::string> out = {r::kAbcd1, r::kAbcd2, r::kAbcd3, r::kAbcd4,
                                    r::kAbcd5, r::kAbcd6, r::kAbcd7, r::kAbcd8};
    const std::string zoned =
        "DTSTART;TZID=Test/Checks-Berlin:20260105T090000\r\n"
        "DTEND;TZID=Test/Checks-Berlin:20260105T093000\r\n";
    // A weekly series with an override, in the zone.
    out.push_back(calendar(
        kZone, event("s1", zoned + "RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10\r\n"
                                   "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:R\r\n"
                                   "TRIGGER:-PT15M\r\nEND:VALARM\r\n") +
                   event("s1", "RECURRENCE-ID;TZID=Test/Checks-Berlin:20260112T090000\r\n"
                               "DTSTART;TZID=Test/Checks-Berlin:20260113T140000\r\n"
                               "DURATION:PT2H\r\n")));
    // The zone after the event, LF line ends, lower-case names.
    out.push_back(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nbegin:vevent\nuid:lf\n"
        "dtstamp:20260101T000000Z\ndtstart;tzid=Test/Checks-Berlin:20260301T100000\n"
        "duration:PT1H\nend:vevent\n" +
        [] {
            std::string lf;
            for (char c : kZone) {
                if (c != '\r') lf += c;
            }
            return lf;
        }() +
        "END:VCALENDAR\n");
    // The zone twice under one TZID (both parsed: which one wins is libical's).
    out.push_back(calendar(kZone + kZone, event("twice", zoned)));
    // A VTIMEZONE inside the event: not a zone of the object.
    out.push_back(calendar("", event("nested", "DTSTART:20260105T090000Z\r\n" + kZone)));
    // Dates outside min/max-date-time, in the zone.
    out.push_back(calendar(
        kZone, event("old", "DTSTART;TZID=Test/Checks-Berlin:18000101T090000\r\n")));
    // Refused: a bad value in the event, METHOD, two UIDs, no VERSION.
    out.push_back(calendar(kZone, event("bad", "DTSTART;TZID=Test/Checks-Berlin:2026XX05\r\n")));
    out.push_back(calendar("METHOD:REQUEST\r\n" + kZone, event("method", zoned)));
    out.push_back(calendar(kZone, event("u1", zoned) + event("u2", zoned)));
    out.push_back("BEGIN:VCALENDAR\r\nPRODID:x\r\n" + kZone + event("nov", zoned) +
                  "END:VCALENDAR\r\n");
    return out;
}

std::vector<std::string> reasons(const std::vector<Violation>& violations) {
    std::vector<std::string> out;
    for (const Violation& v : violations) {
        out.push_back(std::to_string(static_cast<int>(v.kind)) + " " + v.reason);
    }
    return out;
}

ValidationOptions checks() {
    ValidationOptions vo;
    vo.min_date_time = at(1900, 1, 1, 0, 0);
    vo.max_date_time = at(2100, 1, 1, 0, 0);
    return vo;
}

int top_level_zones(const Calendar& calendar) {
    int n = 0;
    icalcomponent* root = calendar.impl().root.get();
    for (icalcomponent* c = icalcomponent_get_first_component(root, ICAL_VTIMEZONE_COMPONENT);
         c != nullptr; c = icalcomponent_get_next_component(root, ICAL_VTIMEZONE_COMPONENT)) {
        ++n;
    }
    return n;
}

TEST(ParseForChecks, AnswersAsParseDoes) {
    // Twice: first with the test zone not yet shared (in the first object
    // that has it parse_for_checks parses it), then with it shared.
    for (int round = 0; round < 2; ++round) {
        for (const std::string& text : objects()) {
            const ParseResult lean = parse_for_checks(text);
            const ParseResult full = parse(text);
            ASSERT_EQ(lean.ok(), full.ok()) << text;
            EXPECT_EQ(reasons(lean.violations), reasons(full.violations)) << text;
            if (!full.ok()) continue;
            EXPECT_EQ(reasons(validate_calendar_object(*lean.calendar, checks())),
                      reasons(validate_calendar_object(*full.calendar, checks())))
                << text;
            EXPECT_EQ(summarize(*lean.calendar), summarize(*full.calendar)) << text;
            EXPECT_EQ(summarize(*lean.calendar, "Test/Checks-Berlin"),
                      summarize(*full.calendar, "Test/Checks-Berlin"))
                << text;
        }
    }
}

TEST(ParseForChecks, LeavesOutOnlyAZoneAlreadyShared) {
    const std::string text = calendar(
        kZone, event("once", "DTSTART;TZID=Test/Checks-Berlin:20260601T090000\r\n"
                             "DURATION:PT1H\r\n"));
    ASSERT_TRUE(parse(text).ok());  // the zone is shared from here on
    const ParseResult lean = parse_for_checks(text);
    ASSERT_TRUE(lean.ok());
    EXPECT_EQ(top_level_zones(*lean.calendar), 0);
    EXPECT_EQ(top_level_zones(*parse(text).calendar), 1);
    // 09:00 CEST is 07:00Z: the zone came from the cache.
    EXPECT_EQ(summarize(*lean.calendar).first_start, at(2026, 6, 1, 7, 0));

    // A zone of the same TZID with other rules is another text: parsed.
    std::string other = kZone;
    other.replace(other.find("TZOFFSETTO:+0200"), 16, "TZOFFSETTO:+0300");
    const ParseResult changed = parse_for_checks(calendar(
        other, event("other", "DTSTART;TZID=Test/Checks-Berlin:20260601T090000\r\n")));
    ASSERT_TRUE(changed.ok());
    EXPECT_EQ(top_level_zones(*changed.calendar), 1);
    EXPECT_EQ(summarize(*changed.calendar).first_start, at(2026, 6, 1, 6, 0));
}

}  // namespace
}  // namespace cosmo::ical
