// Time zones: Windows names, missing VTIMEZONE, unknown TZIDs, the
// object's own VTIMEZONE, prefixed TZIDs (CLIENTS.md §1.4).

#include <gtest/gtest.h>

#include <string>

#include "cosmo/ical/expand.hpp"
#include "cosmo/ical/timezone.hpp"
#include "ical_test_util.hpp"

namespace cosmo::ical {
namespace {

using test::at;
using test::must_parse;
using test::vcalendar;
using test::vevent;

TimePoint first_start(const std::string& text, std::string_view tz = {}) {
    const Expansion e = expand(must_parse(text), kMinTime, kMaxTime, 10, tz);
    EXPECT_FALSE(e.instances.empty());
    return e.instances.empty() ? kMinTime : e.instances[0].start;
}

TEST(Timezone, InitializeIsIdempotent) {
    initialize();
    initialize();
    SUCCEED();
}

struct WindowsCase {
    const char* windows;
    const char* iana;
    TimePoint nine_am_july_2025;  // 09:00 local on 2025-07-01 in UTC
};

class WindowsZones : public ::testing::TestWithParam<WindowsCase> {};

TEST_P(WindowsZones, MapAndConvert) {
    const WindowsCase& c = GetParam();
    EXPECT_EQ(windows_to_iana(c.windows), std::string_view(c.iana));
    const std::string text =
        vevent(std::string("DTSTART;TZID=") + c.windows + ":20250701T090000\n");
    EXPECT_EQ(first_start(text), c.nine_am_july_2025);
}

INSTANTIATE_TEST_SUITE_P(
    Outlook, WindowsZones,
    ::testing::Values(
        WindowsCase{"W. Europe Standard Time", "Europe/Berlin", at(2025, 7, 1, 7)},
        WindowsCase{"Romance Standard Time", "Europe/Paris", at(2025, 7, 1, 7)},
        WindowsCase{"Central Europe Standard Time", "Europe/Budapest", at(2025, 7, 1, 7)},
        WindowsCase{"GMT Standard Time", "Europe/London", at(2025, 7, 1, 8)},
        WindowsCase{"Eastern Standard Time", "America/New_York", at(2025, 7, 1, 13)},
        WindowsCase{"Pacific Standard Time", "America/Los_Angeles", at(2025, 7, 1, 16)},
        WindowsCase{"China Standard Time", "Asia/Shanghai", at(2025, 7, 1, 1)},
        WindowsCase{"Tokyo Standard Time", "Asia/Tokyo", at(2025, 7, 1, 0)},
        WindowsCase{"AUS Eastern Standard Time", "Australia/Sydney", at(2025, 6, 30, 23)},
        WindowsCase{"India Standard Time", "Asia/Kolkata", at(2025, 7, 1, 3, 30)}),
    [](const auto& info) {
        std::string n = info.param.iana;
        for (char& ch : n) {
            if (ch == '/') {
                ch = '_';
            }
        }
        return n;
    });

TEST(Timezone, WindowsNamesAreCaseInsensitive) {
    EXPECT_EQ(windows_to_iana("w. europe standard time"), "Europe/Berlin");
    EXPECT_FALSE(windows_to_iana("Middle Earth Standard Time").has_value());
}

TEST(Timezone, EveryWindowsTargetExistsOnThisSystem) {
    // Each table entry must resolve to a real zone, or the mapping is dead.
    for (const char* name :
         {"Dateline Standard Time", "UTC-11", "Hawaiian Standard Time", "Alaskan Standard Time",
          "Mountain Standard Time", "Central Standard Time", "Atlantic Standard Time",
          "E. South America Standard Time", "Argentina Standard Time", "Greenland Standard Time",
          "Azores Standard Time", "UTC", "Greenwich Standard Time", "Morocco Standard Time",
          "Central European Standard Time", "W. Central Africa Standard Time", "GTB Standard Time",
          "Egypt Standard Time", "FLE Standard Time", "Israel Standard Time",
          "Turkey Standard Time", "Russian Standard Time", "Iran Standard Time",
          "Arabian Standard Time", "Pakistan Standard Time", "Nepal Standard Time",
          "SE Asia Standard Time", "Singapore Standard Time", "Korea Standard Time",
          "Cen. Australia Standard Time", "New Zealand Standard Time", "UTC+12",
          "Fiji Standard Time", "Samoa Standard Time", "Line Islands Standard Time",
          "Myanmar Standard Time", "US Eastern Standard Time", "Yukon Standard Time"}) {
        EXPECT_TRUE(iana_name(name).has_value()) << name;
    }
}

TEST(Timezone, IanaNamesAliasesAndPrefixes) {
    EXPECT_EQ(iana_name("Europe/Berlin"), "Europe/Berlin");
    EXPECT_EQ(iana_name("US/Eastern"), "US/Eastern");  // alias, from zoneinfo
    EXPECT_EQ(iana_name("Etc/UTC"), "UTC");
    EXPECT_EQ(iana_name("/mozilla.org/20050126_1/Europe/Berlin"), "Europe/Berlin");
    EXPECT_EQ(iana_name("/freeassociation.sourceforge.net/Tzfile/America/New_York"),
              "America/New_York");
    EXPECT_EQ(iana_name("Romance Standard Time"), "Europe/Paris");
}

TEST(Timezone, UnknownAndHostileNamesResolveToNothing) {
    EXPECT_FALSE(iana_name("Mars/Olympus_Mons").has_value());
    EXPECT_FALSE(iana_name("../../../etc/passwd").has_value());
    EXPECT_FALSE(iana_name("/etc/passwd").has_value());
    EXPECT_FALSE(iana_name("zone.tab").has_value());
    EXPECT_FALSE(iana_name("").has_value());
}

TEST(Timezone, MissingVtimezoneUsesSystemZone) {
    // jtxBoard and others send TZIDs without VTIMEZONE (CLIENTS.md §1.4).
    EXPECT_EQ(first_start(vevent("DTSTART;TZID=Europe/Berlin:20250101T090000\n")),
              at(2025, 1, 1, 8));
    EXPECT_EQ(first_start(vevent("DTSTART;TZID=US/Eastern:20250101T090000\n")),
              at(2025, 1, 1, 14));
}

TEST(Timezone, UnknownTzidReadsAsFloating) {
    const std::string text = vevent("DTSTART;TZID=Nowhere/Special:20250101T090000\n");
    EXPECT_EQ(first_start(text), at(2025, 1, 1, 9));                    // UTC by default
    EXPECT_EQ(first_start(text, "Europe/Berlin"), at(2025, 1, 1, 8));  // calendar zone
}

TEST(Timezone, UnknownDefaultZoneMeansUtc) {
    EXPECT_EQ(first_start(vevent("DTSTART:20250101T090000\n"), "Not/AZone"), at(2025, 1, 1, 9));
}

TEST(Timezone, ObjectVtimezoneWinsOverSystemData) {
    // A VTIMEZONE named like an IANA zone but with other rules: the object's
    // definition is what the client meant (RFC 5545 §3.2.19).
    const std::string text = vcalendar(
        "BEGIN:VTIMEZONE\nTZID:Europe/Berlin\nBEGIN:STANDARD\nDTSTART:19700101T000000\n"
        "TZOFFSETFROM:+0500\nTZOFFSETTO:+0500\nEND:STANDARD\nEND:VTIMEZONE\n"
        "BEGIN:VEVENT\nUID:x\nDTSTART;TZID=Europe/Berlin:20250701T090000\nEND:VEVENT\n");
    EXPECT_EQ(first_start(text), at(2025, 7, 1, 4));
}

TEST(Timezone, SameTzidWithOtherRulesIsNotConfusedAcrossObjects) {
    // Zones are shared between parsed objects by their VTIMEZONE text: two
    // objects with one TZID but different rules, read alternately, keep
    // their own offsets (a cache keyed by TZID alone would mix them up).
    const auto fixed_zone = [](const char* offset) {
        return vcalendar(std::string("BEGIN:VTIMEZONE\nTZID:Custom/Zone\nBEGIN:STANDARD\n"
                                     "DTSTART:19700101T000000\nTZOFFSETFROM:") +
                         offset + "\nTZOFFSETTO:" + offset +
                         "\nEND:STANDARD\nEND:VTIMEZONE\nBEGIN:VEVENT\nUID:x\n"
                         "DTSTART;TZID=Custom/Zone:20250701T090000\nEND:VEVENT\n");
    };
    for (int round = 0; round < 2; ++round) {
        EXPECT_EQ(first_start(fixed_zone("+0300")), at(2025, 7, 1, 6));
        EXPECT_EQ(first_start(fixed_zone("-0200")), at(2025, 7, 1, 11));
    }
}

TEST(Timezone, SeveralVtimezonesEachKeepTheirOwnRules) {
    // Shared zones are found by each VTIMEZONE's own text (calendar.cpp,
    // load_zones): with two in one object, in either order and however the
    // lines are cased or ended, each TZID gets its own definition.
    const auto zone = [](const char* tzid, const char* offset, const char* begin,
                         const char* end) {
        return std::string(begin) + "\nTZID:" + tzid +
               "\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:" + offset +
               "\nTZOFFSETTO:" + offset + "\nEND:STANDARD\n" + end + "\n";
    };
    const std::string a = zone("Test/A", "+0300", "BEGIN:VTIMEZONE", "END:VTIMEZONE");
    const std::string b = zone("Test/B", "-0200", "begin:vtimezone", "End:VTimezone");
    const std::string a_crlf = zone("Test/A", "+0300", "BEGIN:VTIMEZONE\r", "END:VTIMEZONE\r");
    const auto object = [](const std::string& zones, const char* tzid) {
        return vcalendar(zones + "BEGIN:VEVENT\nUID:x\nDTSTART;TZID=" + tzid +
                         ":20250701T090000\nEND:VEVENT\n");
    };
    EXPECT_EQ(first_start(object(a, "Test/A")), at(2025, 7, 1, 6));  // A's text is known now
    for (const std::string& zones : {a + b, b + a, b + a_crlf}) {
        EXPECT_EQ(first_start(object(zones, "Test/A")), at(2025, 7, 1, 6)) << zones;
        EXPECT_EQ(first_start(object(zones, "Test/B")), at(2025, 7, 1, 11)) << zones;
    }
}

TEST(Timezone, OutlookVtimezoneWithWindowsName) {
    const std::string text = vcalendar(
        "BEGIN:VTIMEZONE\nTZID:W. Europe Standard Time\n"
        "BEGIN:STANDARD\nDTSTART:16010101T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n"
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\nEND:STANDARD\n"
        "BEGIN:DAYLIGHT\nDTSTART:16010101T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n"
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\nEND:DAYLIGHT\nEND:VTIMEZONE\n"
        "BEGIN:VEVENT\nUID:x\nDTSTART;TZID=W. Europe Standard Time:20250701T090000\n"
        "RRULE:FREQ=MONTHLY;COUNT=6\nEND:VEVENT\n");
    const Expansion e = expand(must_parse(text), kMinTime, kMaxTime, 10);
    ASSERT_EQ(e.instances.size(), 6u);
    EXPECT_EQ(e.instances[0].start, at(2025, 7, 1, 7));
    EXPECT_EQ(e.instances[5].start, at(2025, 12, 1, 8));
}

}  // namespace
}  // namespace cosmo::ical
