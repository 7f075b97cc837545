// simple_time_range and component_instances: one expansion over a window
// answers a day, week or month view's filter for every range inside it
// exactly as matches() does (caldav/query.cpp keeps these per ETag).

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cosmo/ical/filter.hpp"
#include "ical_test_util.hpp"
#include "rfc4791_examples.hpp"

namespace cosmo::ical {
namespace {

using test::at;

Filter range_filter(const std::string& component, TimePoint start, TimePoint end) {
    Filter f;
    CompFilter c;
    c.name = component;
    c.time_range = TimeRange{start, end};
    f.root.comp_filters.push_back(c);
    return f;
}

bool any_overlaps(const std::vector<Instance>& instances, TimePoint start, TimePoint end) {
    return std::any_of(instances.begin(), instances.end(),
                       [&](const Instance& i) { return overlaps(i, start, end); });
}

// Every range of one hour, one day, one week and one month that starts at a
// whole hour of the window (stepped so the test stays fast), plus ranges
// whose ends touch instance boundaries exactly.
void expect_same_verdicts(const std::string& text, const std::string& component,
                          const std::string& tzid, TimePoint ws, TimePoint we) {
    const Calendar calendar = test::must_parse(text);
    const auto instances = component_instances(calendar, component, tzid, ws, we, 1000);
    ASSERT_TRUE(instances.has_value()) << text;
    int matched = 0;
    const std::vector<std::chrono::seconds> lengths = {
        std::chrono::hours(1), std::chrono::hours(24), std::chrono::hours(24 * 7),
        std::chrono::hours(24 * 31)};
    for (TimePoint rs = ws; rs < we; rs += std::chrono::hours(7)) {
        for (const auto length : lengths) {
            const TimePoint re = std::min(we, rs + length);
            const bool expected = matches(calendar, range_filter(component, rs, re), tzid, 1000);
            ASSERT_EQ(any_overlaps(*instances, rs, re), expected)
                << component << " in " << tzid << " from " << rs.time_since_epoch().count()
                << " to " << re.time_since_epoch().count() << "\n"
                << text;
            matched += expected ? 1 : 0;
        }
    }
    for (const Instance& i : *instances) {  // ranges ending or starting on an instance
        for (const auto& [rs, re] : {std::pair{i.start - std::chrono::hours(1), i.start},
                                     std::pair{i.end, i.end + std::chrono::hours(1)},
                                     std::pair{i.start, i.start}, std::pair{i.end, i.end}}) {
            if (rs < ws || re > we) continue;
            EXPECT_EQ(any_overlaps(*instances, rs, re),
                      matches(calendar, range_filter(component, rs, re), tzid, 1000))
                << text;
        }
    }
    EXPECT_GT(matched, 0) << "no range matched: the case tests nothing\n" << text;
}

TEST(ComponentInstances, AnswerEveryRangeInTheWindowAsMatchesDoes) {
    namespace ex = test::rfc4791;
    const TimePoint ws = at(2005, 12, 1), we = at(2006, 3, 1);
    // Timed, with a zone, recurring with an override, attendees, all-day.
    for (const std::string* text : {&ex::kAbcd1, &ex::kAbcd2, &ex::kAbcd3}) {
        expect_same_verdicts(*text, "VEVENT", "", ws, we);
        expect_same_verdicts(*text, "VEVENT", "Europe/Berlin", ws, we);
    }
    // To-dos with DUE only, DTSTART and DUE, completed ones.
    for (const std::string* text : {&ex::kAbcd4, &ex::kAbcd5, &ex::kAbcd6, &ex::kAbcd7}) {
        expect_same_verdicts(*text, "VTODO", "", ws, we);
    }
    const std::string daily = test::vcalendar(
        "BEGIN:VEVENT\nUID:d\nDTSTART;TZID=Europe/Berlin:20260301T090000\nDURATION:PT30M\n"
        "RRULE:FREQ=DAILY;UNTIL=20260601T000000Z\nEXDATE;TZID=Europe/Berlin:20260329T090000\n"
        "END:VEVENT\n"
        "BEGIN:VEVENT\nUID:d\nRECURRENCE-ID;TZID=Europe/Berlin:20260402T090000\n"
        "DTSTART;TZID=Europe/Berlin:20260402T150000\nDURATION:PT2H\nEND:VEVENT\n");
    expect_same_verdicts(daily, "VEVENT", "", at(2026, 2, 1), at(2026, 7, 1));
    const std::string floating_all_day = test::vcalendar(
        "BEGIN:VEVENT\nUID:f\nDTSTART;VALUE=DATE:20260310\nRRULE:FREQ=WEEKLY;COUNT=6\n"
        "END:VEVENT\n");
    for (const char* tz : {"", "America/New_York", "Asia/Tokyo"}) {
        expect_same_verdicts(floating_all_day, "VEVENT", tz, at(2026, 2, 1), at(2026, 6, 1));
    }
    const std::string todo = test::vcalendar(
        "BEGIN:VTODO\nUID:t\nDTSTART:20260310T090000Z\nDUE:20260312T170000Z\n"
        "RRULE:FREQ=MONTHLY;COUNT=3\nEND:VTODO\n");
    expect_same_verdicts(todo, "VTODO", "", at(2026, 2, 1), at(2026, 7, 1));
}

TEST(ComponentInstances, RefuseWhatOneExpansionCannotAnswer) {
    const TimePoint ws = at(2026, 1, 1), we = at(2027, 1, 1);
    const Calendar mixed = test::must_parse(test::vcalendar(
        "BEGIN:VEVENT\nUID:a\nDTSTART:20260310T090000Z\nEND:VEVENT\n"
        "BEGIN:VTODO\nUID:b\nDUE:20260310T090000Z\nEND:VTODO\n"));
    EXPECT_FALSE(component_instances(mixed, "VEVENT", "", ws, we, 1000));
    const Calendar every_hour = test::must_parse(test::vcalendar(
        "BEGIN:VEVENT\nUID:h\nDTSTART:20260101T000000Z\nRRULE:FREQ=HOURLY\nEND:VEVENT\n"));
    EXPECT_FALSE(component_instances(every_hour, "VEVENT", "", ws, we, 1000));  // cut short
    EXPECT_TRUE(component_instances(every_hour, "VEVENT", "", ws, at(2026, 1, 2), 1000));
    const Calendar event = test::must_parse(test::vcalendar(
        "BEGIN:VEVENT\nUID:e\nDTSTART:20260310T090000Z\nEND:VEVENT\n"));
    const auto todos = component_instances(event, "VTODO", "", ws, we, 1000);
    EXPECT_FALSE(todos);  // another kind than asked: matches() decides
}

TEST(SimpleTimeRange, OnlyOneComponentWithARangeAndNothingElse) {
    const TimePoint s = at(2026, 3, 1), e = at(2026, 4, 1);
    const auto simple = simple_time_range(range_filter("VEVENT", s, e));
    ASSERT_TRUE(simple);
    EXPECT_EQ(simple->component, "VEVENT");
    EXPECT_EQ(simple->start, s);
    EXPECT_EQ(simple->end, e);

    Filter no_range = range_filter("VEVENT", s, e);
    no_range.root.comp_filters[0].time_range.reset();
    PropFilter summary;
    summary.name = "SUMMARY";
    CompFilter alarm;
    alarm.name = "VALARM";
    CompFilter todo;
    todo.name = "VTODO";
    Filter with_prop = range_filter("VEVENT", s, e);
    with_prop.root.comp_filters[0].prop_filters.push_back(summary);
    Filter with_alarm = range_filter("VEVENT", s, e);
    with_alarm.root.comp_filters[0].comp_filters.push_back(alarm);
    Filter negated = range_filter("VEVENT", s, e);
    negated.root.comp_filters[0].is_not_defined = true;
    Filter two = range_filter("VEVENT", s, e);
    two.root.comp_filters.push_back(todo);
    Filter free_busy = range_filter("VFREEBUSY", s, e);
    for (const Filter* f : {&no_range, &with_prop, &with_alarm, &negated, &two, &free_busy}) {
        EXPECT_FALSE(simple_time_range(*f));
    }
}

}  // namespace
}  // namespace cosmo::ical
