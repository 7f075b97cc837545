// free-busy-query (RFC 4791 §7.10): typing (BUSY, BUSY-TENTATIVE, carried
// FBTYPEs), exclusions (TRANSPARENT, CANCELLED, per instance), clipping,
// merging per type, stored VFREEBUSY periods and the response text.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cosmo/ical/freebusy.hpp"
#include "ical_test_util.hpp"
#include "rfc4791_examples.hpp"

namespace cosmo::ical {
namespace {

using test::at;
namespace ex = test::rfc4791;

std::string event(const std::string& uid, const std::string& props) {
    return test::vcalendar("BEGIN:VEVENT\nUID:" + uid + "\nDTSTAMP:20250101T000000Z\n" + props +
                           "END:VEVENT\n");
}

using Periods = std::vector<BusyPeriod>;

TEST(FreeBusy, TypesAndExclusions) {
    const std::string busy = event("a", "DTSTART:20250110T090000Z\nDTEND:20250110T100000Z\n");
    const std::string confirmed =
        event("b", "DTSTART:20250110T120000Z\nDTEND:20250110T130000Z\nSTATUS:CONFIRMED\n");
    const std::string tentative =
        event("c", "DTSTART:20250110T140000Z\nDTEND:20250110T150000Z\nSTATUS:TENTATIVE\n");
    const std::string transparent =
        event("d", "DTSTART:20250110T160000Z\nDTEND:20250110T170000Z\nTRANSP:TRANSPARENT\n");
    const std::string cancelled =
        event("e", "DTSTART:20250110T180000Z\nDTEND:20250110T190000Z\nSTATUS:CANCELLED\n");
    const std::string todo = test::vcalendar(
        "BEGIN:VTODO\nUID:t\nDTSTAMP:20250101T000000Z\nDTSTART:20250110T200000Z\n"
        "DURATION:PT1H\nEND:VTODO\n");
    const Periods got =
        busy_periods({busy, confirmed, tentative, transparent, cancelled, todo, "not ical"},
                     at(2025, 1, 10), at(2025, 1, 11));
    EXPECT_EQ(got, (Periods{{at(2025, 1, 10, 9), at(2025, 1, 10, 10), "BUSY"},
                            {at(2025, 1, 10, 12), at(2025, 1, 10, 13), "BUSY"},
                            {at(2025, 1, 10, 14), at(2025, 1, 10, 15), "BUSY-TENTATIVE"}}));
}

TEST(FreeBusy, MergesPerTypeAndClips) {
    const std::string a = event("a", "DTSTART:20250110T090000Z\nDTEND:20250110T100000Z\n");
    const std::string b = event("b", "DTSTART:20250110T093000Z\nDTEND:20250110T110000Z\n");
    const std::string c = event("c", "DTSTART:20250110T110000Z\nDTEND:20250110T113000Z\n");
    const std::string d = event(
        "d", "DTSTART:20250110T100000Z\nDTEND:20250110T103000Z\nSTATUS:TENTATIVE\n");
    const std::string spans_start =
        event("e", "DTSTART:20250109T220000Z\nDTEND:20250110T010000Z\n");
    const Periods got = busy_periods({a, b, c, d, spans_start}, at(2025, 1, 10), at(2025, 1, 11));
    EXPECT_EQ(got, (Periods{{at(2025, 1, 10), at(2025, 1, 10, 1), "BUSY"},
                            {at(2025, 1, 10, 9), at(2025, 1, 10, 11, 30), "BUSY"},
                            {at(2025, 1, 10, 10), at(2025, 1, 10, 10, 30), "BUSY-TENTATIVE"}}));
}

// The busy time of a calendar read in parts (caldav reads bodies a batch
// at a time) is that of the whole: each split of the objects above, merged.
TEST(FreeBusy, PartsMergedAreTheWhole) {
    const std::vector<std::string> objects = {
        event("a", "DTSTART:20250110T090000Z\nDTEND:20250110T100000Z\n"),
        event("b", "DTSTART:20250110T093000Z\nDTEND:20250110T110000Z\n"),
        event("c", "DTSTART:20250110T110000Z\nDTEND:20250110T113000Z\n"),
        event("d", "DTSTART:20250110T100000Z\nDTEND:20250110T103000Z\nSTATUS:TENTATIVE\n"),
        event("e", "DTSTART:20250109T220000Z\nDTEND:20250110T010000Z\n"),
        event("f", "DTSTART:20250110T102000Z\nDTEND:20250110T104000Z\nSTATUS:TENTATIVE\n")};
    const TimePoint start = at(2025, 1, 10), end = at(2025, 1, 11);
    const std::vector<std::string_view> all(objects.begin(), objects.end());
    const Periods whole = busy_periods(all, start, end);
    for (std::size_t split = 0; split <= objects.size(); ++split) {
        Periods parts = busy_periods({all.begin(), all.begin() + split}, start, end);
        for (BusyPeriod& p : busy_periods({all.begin() + split, all.end()}, start, end)) {
            parts.push_back(p);
        }
        EXPECT_EQ(merge_busy_periods(parts, start, end), whole) << split;
    }
    EXPECT_EQ(free_busy_body(whole, start, end, at(2025, 1, 1)),
              free_busy_report(all, start, end, {}, at(2025, 1, 1)));
}

TEST(FreeBusy, RecurrencesOverridesAndFloating) {
    // Daily at 09:00 floating; the 2nd instance is cancelled, the 3rd moved.
    const std::string ics = test::vcalendar(
        "BEGIN:VEVENT\nUID:r\nDTSTAMP:20250101T000000Z\nDTSTART:20250110T090000\n"
        "DURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=4\nEXDATE:20250113T090000\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:r\nDTSTAMP:20250101T000000Z\nRECURRENCE-ID:20250111T090000\n"
        "DTSTART:20250111T090000\nDURATION:PT1H\nSTATUS:CANCELLED\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:r\nDTSTAMP:20250101T000000Z\nRECURRENCE-ID:20250112T090000\n"
        "DTSTART:20250112T150000\nDURATION:PT1H\nTRANSP:OPAQUE\nEND:VEVENT\n");
    const Periods got = busy_periods({ics}, at(2025, 1, 1), at(2025, 2, 1), "Europe/Berlin");
    EXPECT_EQ(got, (Periods{{at(2025, 1, 10, 8), at(2025, 1, 10, 9), "BUSY"},
                            {at(2025, 1, 12, 14), at(2025, 1, 12, 15), "BUSY"}}));
}

TEST(FreeBusy, StoredVfreebusyCarriesFbtype) {
    const Periods got = busy_periods({ex::kAbcd8}, at(2006, 1, 2), at(2006, 1, 5, 11));
    EXPECT_EQ(got,
              (Periods{{at(2006, 1, 2, 10), at(2006, 1, 2, 12), "BUSY-TENTATIVE"},
                       {at(2006, 1, 3, 10), at(2006, 1, 3, 12), "BUSY"},
                       {at(2006, 1, 4, 10), at(2006, 1, 4, 12), "BUSY"},
                       {at(2006, 1, 5, 10), at(2006, 1, 5, 11), "BUSY-UNAVAILABLE"}}));
    const std::string free = test::vcalendar(
        "BEGIN:VFREEBUSY\nUID:f\nDTSTAMP:20250101T000000Z\n"
        "FREEBUSY;FBTYPE=FREE:20250110T090000Z/PT1H\n"
        "FREEBUSY;FBTYPE=X-OUT-OF-OFFICE:20250110T100000Z/PT2H\nEND:VFREEBUSY\n");
    EXPECT_EQ(busy_periods({free}, at(2025, 1, 10), at(2025, 1, 11)),
              (Periods{{at(2025, 1, 10, 10), at(2025, 1, 10, 12), "X-OUT-OF-OFFICE"}}));
}

TEST(FreeBusy, Rfc4791ExampleObjects) {
    const std::vector<std::string_view> all = {ex::kAbcd1, ex::kAbcd2, ex::kAbcd3, ex::kAbcd4,
                                               ex::kAbcd5, ex::kAbcd6, ex::kAbcd7};
    // 2006-01-04: abcd3 (tentative, 15:00Z) and abcd2's moved instance (19:00Z).
    EXPECT_EQ(busy_periods(all, at(2006, 1, 4, 14), at(2006, 1, 5, 22)),
              (Periods{{at(2006, 1, 4, 15), at(2006, 1, 4, 16), "BUSY-TENTATIVE"},
                       {at(2006, 1, 4, 19), at(2006, 1, 4, 20), "BUSY"},
                       {at(2006, 1, 5, 17), at(2006, 1, 5, 18), "BUSY"}}));
}

TEST(FreeBusy, ReportText) {
    const std::string a = event("a", "DTSTART:20250110T090000Z\nDTEND:20250110T100000Z\n");
    const std::string b = event(
        "b", "DTSTART:20250110T140000Z\nDTEND:20250110T150000Z\nSTATUS:TENTATIVE\n");
    const std::string text =
        free_busy_report({a, b}, at(2025, 1, 10), at(2025, 1, 11), {}, at(2025, 1, 9, 12));
    EXPECT_EQ(text,
              "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Cosmo//CalDAV Server//EN\r\n"
              "BEGIN:VFREEBUSY\r\nDTSTAMP:20250109T120000Z\r\nDTSTART:20250110T000000Z\r\n"
              "DTEND:20250111T000000Z\r\n"
              "FREEBUSY:20250110T090000Z/20250110T100000Z\r\n"
              "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20250110T140000Z/20250110T150000Z\r\n"
              "END:VFREEBUSY\r\nEND:VCALENDAR\r\n");
    EXPECT_TRUE(parse(text).ok());
    // No objects: an empty VFREEBUSY, still valid.
    const std::string empty = free_busy_report({}, at(2025, 1, 10), at(2025, 1, 11));
    EXPECT_TRUE(parse(empty).ok());
    EXPECT_EQ(empty.find("FREEBUSY:"), std::string::npos);
}

}  // namespace
}  // namespace cosmo::ical
