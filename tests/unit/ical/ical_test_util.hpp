#pragma once
// Shared helpers for the ical unit tests: building objects and UTC times.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>

#include "cosmo/ical/calendar.hpp"

namespace cosmo::ical::test {

/// A UTC time point from calendar fields.
inline TimePoint at(int y, unsigned m, unsigned d, int h = 0, int mi = 0, int s = 0) {
    using namespace std::chrono;
    return TimePoint(sys_days(year(y) / month(m) / day(d)).time_since_epoch() + hours(h) +
                     minutes(mi) + seconds(s));
}

/// Central European time (CET/CEST since 1970) as a VTIMEZONE with CR LF
/// line ends, under the TZID given.
inline std::string berlin_vtimezone(std::string_view tzid = "Europe/Berlin") {
    return "BEGIN:VTIMEZONE\r\nTZID:" + std::string(tzid) +
           "\r\n"
           "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
           "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
           "END:DAYLIGHT\r\n"
           "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"
           "DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
           "END:STANDARD\r\n"
           "END:VTIMEZONE\r\n";
}

/// Wraps component text in a VCALENDAR with VERSION and PRODID.
inline std::string vcalendar(std::string_view body) {
    return "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//cosmo//test//EN\n" + std::string(body) +
           "END:VCALENDAR\n";
}

/// A VEVENT with UID "e1" and the given property lines.
inline std::string vevent(std::string_view props) {
    return vcalendar("BEGIN:VEVENT\nUID:e1\nDTSTAMP:20250101T000000Z\n" + std::string(props) +
                     "END:VEVENT\n");
}

/// Parses text that must be valid, failing the test otherwise.
inline Calendar must_parse(std::string_view text) {
    ParseResult r = parse(text);
    if (!r.ok()) {
        ADD_FAILURE() << "parse failed: "
                      << (r.violations.empty() ? std::string("?") : r.violations[0].reason);
        return std::move(*parse(vevent("DTSTART:20250101T000000Z\n")).calendar);
    }
    return std::move(*r.calendar);
}

}  // namespace cosmo::ical::test
