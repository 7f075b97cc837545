#include "model.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace cosmo::loadtest {
namespace {

TEST(SeedModel, SameSeedSameData) {
    const SeedModel a(42, 100), b(42, 1000), c(43, 100);
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(a.ical(a.event(3, i)), b.ical(b.event(3, i)));
    }
    int differing = 0;
    for (int i = 0; i < 50; ++i) {
        differing += a.ical(a.event(3, i)) != c.ical(c.event(3, i)) ? 1 : 0;
    }
    EXPECT_EQ(differing, 50);  // the UID carries the seed
    EXPECT_NE(a.ical(a.event(3, 0)), a.ical(a.event(4, 0)));
}

TEST(SeedModel, RealisticMix) {
    const SeedModel m(7, 1000);
    std::map<Kind, int> kinds;
    int tz[3] = {0, 0, 0}, exdates = 0, overrides = 0, alarms = 0, attendees = 0, untils = 0;
    for (int i = 0; i < 1000; ++i) {
        const EventSpec e = m.event(0, i);
        ++kinds[e.kind];
        ++tz[static_cast<int>(e.zone)];
        exdates += e.exdate_index >= 0;
        overrides += e.override_index >= 0;
        alarms += e.alarm;
        attendees += e.attendees > 0;
        untils += e.use_until;
    }
    EXPECT_EQ(kinds.size(), 6u);
    EXPECT_GT(kinds[Kind::kSingle], 400);
    EXPECT_GT(kinds[Kind::kTodo], 50);
    EXPECT_GT(kinds[Kind::kWeeklyForever], 5);
    for (int z : tz) {
        EXPECT_GT(z, 150);
    }
    EXPECT_GT(exdates, 30);
    EXPECT_GT(overrides, 30);
    EXPECT_GT(alarms, 250);
    EXPECT_GT(attendees, 100);
    EXPECT_GT(untils, 50);
}

TEST(SeedModel, ICalendarIsWellFormed) {
    const SeedModel m(1, 300);
    for (int i = 0; i < 300; ++i) {
        const EventSpec e = m.event(1, i);
        const std::string text = m.ical(e, i % 3);
        int depth = 0;
        std::size_t pos = 0;
        while (pos < text.size()) {
            const std::size_t eol = text.find("\r\n", pos);
            ASSERT_NE(eol, std::string::npos) << "every line ends in CRLF";
            const std::string line = text.substr(pos, eol - pos);
            EXPECT_LE(line.size(), 75u) << line;
            EXPECT_EQ(line.find('\n'), std::string::npos);
            depth += line.starts_with("BEGIN:") ? 1 : line.starts_with("END:") ? -1 : 0;
            EXPECT_GE(depth, 0);
            pos = eol + 2;
        }
        EXPECT_EQ(depth, 0);
        EXPECT_NE(text.find("UID:" + e.uid + "\r\n"), std::string::npos);
        if (e.zone != Zone::kUtc && e.kind != Kind::kAllDay) {
            EXPECT_NE(text.find(std::string("TZID:") + zone_name(e.zone)), std::string::npos);
        }
    }
}

TEST(SeedModel, RevisionsChangeTextButNotTimes) {
    const SeedModel m(1, 100);
    for (int i = 0; i < 100; ++i) {
        const EventSpec e = m.event(2, i);
        EXPECT_NE(m.ical(e, 0), m.ical(e, 1));
        EXPECT_EQ(m.instances(e, month_start_utc(2028, 1)), m.instances(e, month_start_utc(2028, 1)));
        EXPECT_NE(m.ical(e, 5).find("SEQUENCE:5"), std::string::npos);
    }
}

TEST(SeedModel, WeeklySeriesWithExdateAndOverride) {
    const SeedModel m(1, 1);
    EventSpec e;
    e.kind = Kind::kWeekly;
    e.zone = Zone::kBerlin;
    e.date = {2026, 3, 17};  // CET; from 2026-03-29 CEST
    e.start_minute = 9 * 60;
    e.duration_minutes = 60;
    e.count = 4;
    e.exdate_index = 1;     // 2026-03-24 excluded
    e.override_index = 2;   // 2026-03-31 moved to 10:00
    const auto in = m.instances(e, month_start_utc(2027, 1));
    ASSERT_EQ(in.size(), 3u);
    EXPECT_EQ(format_utc(in[0].start), "20260317T080000Z");
    EXPECT_EQ(format_utc(in[1].start), "20260331T080000Z");  // 10:00 CEST
    EXPECT_EQ(format_utc(in[2].start), "20260407T070000Z");  // 09:00 CEST
    EXPECT_EQ(in[2].end - in[2].start, 3600);
    const std::string text = m.ical(e);
    EXPECT_NE(text.find("RRULE:FREQ=WEEKLY;COUNT=4\r\n"), std::string::npos);
    EXPECT_NE(text.find("EXDATE;TZID=Europe/Berlin:20260324T090000\r\n"), std::string::npos);
    EXPECT_NE(text.find("RECURRENCE-ID;TZID=Europe/Berlin:20260331T090000\r\n"), std::string::npos);
    EXPECT_NE(text.find("DTSTART;TZID=Europe/Berlin:20260331T100000\r\n"), std::string::npos);

    e.use_until = true;
    EXPECT_NE(m.ical(e).find("RRULE:FREQ=WEEKLY;UNTIL=20260407T235959Z\r\n"), std::string::npos);
}

TEST(SeedModel, InstancesStayInsideOneUtcDayAndMonthEdgesAreClear) {
    const SeedModel m(99, 2000);
    for (int i = 0; i < 2000; ++i) {
        const EventSpec e = m.event(5, i);
        for (const Interval& in : m.instances(e, month_start_utc(2028, 1))) {
            if (e.kind == Kind::kAllDay) {
                const CivilDate first = civil_from_days(in.start / 86400);
                const CivilDate last = civil_from_days((in.end - 1) / 86400);
                EXPECT_GE(first.day, 2);
                EXPECT_EQ(first.month, last.month);
                EXPECT_LE(last.day, 27);
            } else {
                // Whatever the zone, the instance neither crosses nor touches UTC midnight,
                // so its month is the same under any reading of the boundary.
                EXPECT_EQ(in.start / 86400, (in.end - 1) / 86400) << e.name;
                EXPECT_GT(in.start % 86400, 0);
            }
        }
    }
}

TEST(SeedModel, MonthMembershipMatchesInstances) {
    const SeedModel m(3, 400);
    std::set<int> in_some_month;
    for (int month = 1; month <= 12; ++month) {
        const std::int64_t from = month_start_utc(SeedModel::kYear, month);
        const std::int64_t to = month_start_utc(SeedModel::kYear, month + 1);
        const std::vector<int> hits = m.events_in_range(0, from, to);
        for (int i : hits) {
            in_some_month.insert(i);
            const EventSpec e = m.event(0, i);
            ASSERT_NE(e.kind, Kind::kTodo);
            bool any = false;
            for (const Interval& in : m.instances(e, to)) {
                any = any || (in.start < to && in.end > from);
            }
            EXPECT_TRUE(any);
        }
        // The first instance of every event starting this month counts.
        for (int i = 0; i < 400; ++i) {
            const EventSpec e = m.event(0, i);
            if (e.kind != Kind::kTodo && e.date.month == month && e.exdate_index != 0) {
                EXPECT_TRUE(std::binary_search(hits.begin(), hits.end(), i)) << e.name;
            }
        }
    }
    int events = 0;
    for (int i = 0; i < 400; ++i) {
        events += m.event(0, i).kind != Kind::kTodo;
    }
    EXPECT_EQ(static_cast<int>(in_some_month.size()), events);
    // A series that never ends is in every month after it starts.
    for (int i = 0; i < 400; ++i) {
        const EventSpec e = m.event(0, i);
        if (e.kind == Kind::kWeeklyForever && e.date.month < 12) {
            const auto dec = m.events_in_range(0, month_start_utc(SeedModel::kYear, 12),
                                               month_start_utc(SeedModel::kYear, 13));
            EXPECT_TRUE(std::binary_search(dec.begin(), dec.end(), i)) << e.name;
        }
    }
}

TEST(SeedModel, BusyTimeIsMergedOpaqueTime) {
    EXPECT_EQ(merge_intervals({{10, 20}, {15, 30}, {30, 40}, {50, 60}, {0, 5}}, 3, 55),
              (std::vector<Interval>{{3, 5}, {10, 40}, {50, 55}}));
    const SeedModel m(5, 300);
    const std::int64_t from = month_start_utc(SeedModel::kYear, 6);
    const std::int64_t to = month_start_utc(SeedModel::kYear, 7);
    const auto busy = m.busy(1, from, to);
    ASSERT_FALSE(busy.empty());
    for (std::size_t i = 0; i < busy.size(); ++i) {
        EXPECT_LT(busy[i].start, busy[i].end);
        EXPECT_GE(busy[i].start, from);
        EXPECT_LE(busy[i].end, to);
        if (i > 0) {
            EXPECT_GT(busy[i].start, busy[i - 1].end);
        }
    }
    // Every timed event of the month is inside the busy time; all-day ones are not needed.
    for (int i : m.events_in_range(1, from, to)) {
        const EventSpec e = m.event(1, i);
        if (e.kind == Kind::kAllDay) {
            continue;
        }
        for (const Interval& in : m.instances(e, to)) {
            if (in.start >= to || in.end <= from) {
                continue;
            }
            bool covered = false;
            for (const Interval& b : busy) {
                covered = covered || (b.start <= in.start && b.end >= in.end);
            }
            EXPECT_TRUE(covered) << e.name;
        }
    }
}

}  // namespace
}  // namespace cosmo::loadtest
