// CALDAV:calendar-data rendering (RFC 4791 §9.6): byte-for-byte passthrough,
// comp/prop selection (§7.8.1 example), expand (§7.8.3), limit-recurrence-set
// (§7.8.2) and limit-freebusy-set (§7.8.4).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cosmo/ical/calendar_data.hpp"
#include "ical_test_util.hpp"
#include "rfc4791_examples.hpp"

namespace cosmo::ical {
namespace {

using test::at;
namespace ex = test::rfc4791;

// Unfolded content lines of a rendered object, CRLF stripped.
std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string::npos) {
            eol = text.size();
        }
        std::string line = text.substr(pos, eol - pos);
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !out.empty()) {
            out.back() += line.substr(1);
        } else if (!line.empty()) {
            out.push_back(line);
        }
        pos = eol + 1;
    }
    return out;
}

int count(const std::vector<std::string>& ls, const std::string& line) {
    int n = 0;
    for (const std::string& l : ls) {
        n += l == line ? 1 : 0;
    }
    return n;
}

bool has_prefix(const std::vector<std::string>& ls, const std::string& prefix) {
    for (const std::string& l : ls) {
        if (l.rfind(prefix, 0) == 0) {
            return true;
        }
    }
    return false;
}

TEST(CalendarData, NothingRequestedIsByteForByte) {
    // Odd but valid bytes: LF endings, lower-case names, trailing spaces, folding.
    const std::string stored =
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nuid:a\nDTSTAMP:20250101T000000Z\n"
        "DTSTART:20250101T100000Z\nSUMMARY:long\n  folded \nEND:VEVENT\nEND:VCALENDAR\n";
    EXPECT_EQ(render_calendar_data(stored, CalendarDataRequest{}), stored);
    EXPECT_TRUE(is_whole_object(CalendarDataRequest{}));
    CalendarDataRequest everything;
    everything.comp = CompSelector{};
    everything.comp->name = "VCALENDAR";
    EXPECT_TRUE(is_whole_object(everything));
    EXPECT_EQ(render_calendar_data(stored, everything), stored);
    // Unparsable stored text is never made worse.
    CalendarDataRequest expand;
    expand.expand = TimeRange{at(2025, 1, 1), at(2025, 2, 1)};
    EXPECT_EQ(render_calendar_data("garbage", expand), "garbage");
}

CompSelector selector(std::string name, std::vector<std::string> props,
                      std::vector<CompSelector> comps = {}, bool all_comps = false) {
    CompSelector s;
    s.name = std::move(name);
    s.all_props = false;
    s.props = std::move(props);
    s.all_comps = all_comps;
    s.comps = std::move(comps);
    return s;
}

// §7.8.1: VERSION of the VCALENDAR, selected VEVENT properties, whole VTIMEZONE.
TEST(CalendarData, B1PartialRetrieval) {
    CompSelector tz;
    tz.name = "VTIMEZONE";
    CompSelector ev = selector("VEVENT", {"SUMMARY", "UID", "DTSTART", "DTEND", "DURATION",
                                          "RRULE", "RDATE", "EXRULE", "EXDATE", "RECURRENCE-ID"},
                               {}, true);
    CalendarDataRequest r;
    r.comp = selector("VCALENDAR", {"VERSION"}, {ev, tz});
    const auto out = lines(render_calendar_data(ex::kAbcd2, r));
    EXPECT_EQ(count(out, "VERSION:2.0"), 1);
    EXPECT_FALSE(has_prefix(out, "PRODID"));
    EXPECT_FALSE(has_prefix(out, "DTSTAMP"));
    EXPECT_EQ(count(out, "SUMMARY:Event #2"), 1);
    EXPECT_EQ(count(out, "SUMMARY:Event #2 bis"), 1);
    EXPECT_EQ(count(out, "RRULE:FREQ=DAILY;COUNT=5"), 1);
    EXPECT_EQ(count(out, "RECURRENCE-ID;TZID=US/Eastern:20060104T120000"), 1);
    EXPECT_EQ(count(out, "BEGIN:VTIMEZONE"), 1);
    EXPECT_EQ(count(out, "TZNAME:EDT"), 1);  // allprop/allcomp inside VTIMEZONE

    // Dropping VTIMEZONE and keeping a property with novalue (§9.6.4).
    CompSelector ev2 = selector("VEVENT", {"UID"});
    ev2.novalue_props = {"DESCRIPTION"};
    CalendarDataRequest r2;
    r2.comp = selector("VCALENDAR", {}, {ev2});
    const auto out2 = lines(render_calendar_data(ex::kAbcd1, r2));
    EXPECT_EQ(count(out2, "BEGIN:VTIMEZONE"), 0);
    EXPECT_EQ(count(out2, "UID:74855313FA803DA593CD579A@example.com"), 1);
    EXPECT_FALSE(has_prefix(out2, "SUMMARY"));
    EXPECT_FALSE(has_prefix(out2, "VERSION"));
    EXPECT_EQ(count(out2, "DESCRIPTION:"), 1);
}

// §7.8.3: expand abcd2 over [2006-01-03, 2006-01-05): two instances in UTC.
TEST(CalendarData, B3Expand) {
    CalendarDataRequest r;
    r.expand = TimeRange{at(2006, 1, 3), at(2006, 1, 5)};
    const std::string text = render_calendar_data(ex::kAbcd2, r);
    const auto out = lines(text);
    EXPECT_EQ(count(out, "BEGIN:VEVENT"), 2);
    EXPECT_EQ(count(out, "BEGIN:VTIMEZONE"), 0);
    EXPECT_FALSE(has_prefix(out, "RRULE"));
    EXPECT_EQ(count(out, "DTSTART:20060103T170000Z"), 1);
    EXPECT_EQ(count(out, "RECURRENCE-ID:20060103T170000Z"), 1);
    EXPECT_EQ(count(out, "DTSTART:20060104T190000Z"), 1);
    EXPECT_EQ(count(out, "RECURRENCE-ID:20060104T170000Z"), 1);
    EXPECT_EQ(count(out, "SUMMARY:Event #2 bis"), 1);
    EXPECT_EQ(count(out, "DURATION:PT1H"), 2);
    EXPECT_FALSE(has_prefix(out, "DTSTART;TZID"));
    EXPECT_EQ(text.find("\r\n") != std::string::npos, true);
    EXPECT_TRUE(parse(text).ok()) << text;
}

TEST(CalendarData, ExpandDropsExdatesKeepsAllDayDatesAndNonRecurring) {
    const std::string ics = test::vevent(
        "DTSTART;VALUE=DATE:20250106\nDTEND;VALUE=DATE:20250107\nRRULE:FREQ=DAILY;COUNT=4\n"
        "EXDATE;VALUE=DATE:20250107\n");
    CalendarDataRequest r;
    r.expand = TimeRange{at(2025, 1, 6), at(2025, 1, 9)};
    const auto out = lines(render_calendar_data(ics, r));
    EXPECT_EQ(count(out, "BEGIN:VEVENT"), 2);  // 6th and 8th; the 7th is excluded
    EXPECT_EQ(count(out, "DTSTART;VALUE=DATE:20250108"), 1);
    EXPECT_EQ(count(out, "DTEND;VALUE=DATE:20250109"), 1);
    EXPECT_EQ(count(out, "RECURRENCE-ID;VALUE=DATE:20250108"), 1);
    EXPECT_FALSE(has_prefix(out, "EXDATE"));

    const std::string single = test::vevent(
        "DTSTART;TZID=Europe/Berlin:20250110T100000\nDTEND;TZID=Europe/Berlin:20250110T110000\n");
    const auto one = lines(render_calendar_data(single, r = {std::nullopt,
                                                             TimeRange{at(2025, 1, 10),
                                                                       at(2025, 1, 11)},
                                                             std::nullopt, std::nullopt}));
    EXPECT_EQ(count(one, "DTSTART:20250110T090000Z"), 1);
    EXPECT_EQ(count(one, "DTEND:20250110T100000Z"), 1);
    EXPECT_FALSE(has_prefix(one, "RECURRENCE-ID"));
    // Outside the range the instance is not returned.
    r.expand = TimeRange{at(2025, 2, 1), at(2025, 2, 2)};
    EXPECT_EQ(count(lines(render_calendar_data(single, r)), "BEGIN:VEVENT"), 0);
}

TEST(CalendarData, ExpandFloatingUsesDefaultZone) {
    const std::string ics =
        test::vevent("DTSTART:20250110T100000\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=2\n");
    CalendarDataRequest r;
    r.expand = TimeRange{at(2025, 1, 1), at(2025, 2, 1)};
    const auto out = lines(render_calendar_data(ics, r, "America/New_York"));
    EXPECT_EQ(count(out, "DTSTART:20250110T150000Z"), 1);
    EXPECT_EQ(count(out, "RECURRENCE-ID:20250111T150000Z"), 1);
}

// §7.8.2: limit-recurrence-set keeps the master and overlapping overrides.
TEST(CalendarData, B2LimitRecurrenceSet) {
    CalendarDataRequest r;
    r.limit_recurrence_set = TimeRange{at(2006, 1, 3), at(2006, 1, 5)};
    auto out = lines(render_calendar_data(ex::kAbcd2, r));
    EXPECT_EQ(count(out, "BEGIN:VEVENT"), 2);
    EXPECT_EQ(count(out, "RRULE:FREQ=DAILY;COUNT=5"), 1);
    EXPECT_EQ(count(out, "BEGIN:VTIMEZONE"), 1);

    r.limit_recurrence_set = TimeRange{at(2006, 1, 5), at(2006, 1, 6)};
    out = lines(render_calendar_data(ex::kAbcd2, r));
    EXPECT_EQ(count(out, "BEGIN:VEVENT"), 1);
    EXPECT_EQ(count(out, "SUMMARY:Event #2"), 1);
    EXPECT_EQ(count(out, "SUMMARY:Event #2 bis"), 0);
}

// §7.8.4: limit-freebusy-set keeps the FREEBUSY periods overlapping the range.
TEST(CalendarData, B4LimitFreebusySet) {
    CalendarDataRequest r;
    r.limit_freebusy_set = TimeRange{at(2006, 1, 4), at(2006, 1, 6)};
    const auto out = lines(render_calendar_data(ex::kAbcd8, r));
    EXPECT_EQ(count(out, "FREEBUSY:20060104T100000Z/20060104T120000Z"), 1);
    EXPECT_EQ(count(out, "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20060105T100000Z/20060105T120000Z"), 1);
    int periods = 0;
    for (const std::string& l : out) {
        periods += l.rfind("FREEBUSY", 0) == 0 ? 1 : 0;
    }
    EXPECT_EQ(periods, 2);
    EXPECT_EQ(count(out, "DTSTART:20060101T000000Z"), 1);
}

TEST(CalendarData, SelectionAfterExpand) {
    CalendarDataRequest r;
    r.expand = TimeRange{at(2006, 1, 3), at(2006, 1, 5)};
    r.comp = selector("VCALENDAR", {"VERSION"}, {selector("VEVENT", {"DTSTART"})});
    const auto out = lines(render_calendar_data(ex::kAbcd2, r));
    EXPECT_EQ(count(out, "BEGIN:VEVENT"), 2);
    EXPECT_FALSE(has_prefix(out, "RECURRENCE-ID"));
    EXPECT_FALSE(has_prefix(out, "SUMMARY"));
    EXPECT_EQ(count(out, "DTSTART:20060103T170000Z"), 1);
}

}  // namespace
}  // namespace cosmo::ical
