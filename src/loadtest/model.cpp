#include "model.hpp"

#include <algorithm>
#include <cstdio>

namespace cosmo::loadtest {

std::uint64_t SplitMix::next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

SeedModel::SeedModel(std::uint64_t seed, int events_per_user) : seed_(seed), events_(events_per_user) {}

std::string SeedModel::user_name(int user) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "user%04d", user);
    return buf;
}

std::string SeedModel::event_name(int user, int index) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "e%04d-%05d.ics", user, index);
    return buf;
}

std::string SeedModel::uid(int user, int index) const {
    char buf[80];
    std::snprintf(buf, sizeof buf, "%016llx-%d-%d@loadtest.cosmo",
                  static_cast<unsigned long long>(seed_), user, index);
    return buf;
}

std::string SeedModel::home_path(int user) { return "/calendars/users/" + user_name(user) + "/"; }

std::string SeedModel::calendar_path(int user) { return home_path(user) + "calendar/"; }

namespace {

constexpr const char* kSubjects[] = {
    "Team sync",       "1:1",          "Dentist",        "Lunch with Ana",  "Sprint planning",
    "Yoga",            "Board review", "Call with vendor", "Code review",   "Parents' evening",
    "Flight to Lisbon", "Gym",         "Standup",        "Budget meeting",  "Piano lesson",
};
constexpr const char* kTodos[] = {"Pay invoice", "Renew passport", "Buy groceries",
                                  "Write report", "Call plumber"};

}  // namespace

EventSpec SeedModel::event(int user, int index) const {
    SplitMix rng(seed_ ^ (static_cast<std::uint64_t>(user) * 0x9E3779B97F4A7C15ULL) ^
                 (static_cast<std::uint64_t>(index) * 0xD1B54A32D192ED03ULL + 1));
    rng.next();
    EventSpec e;
    e.user = user;
    e.index = index;
    e.name = event_name(user, index);
    e.uid = uid(user, index);

    const int k = static_cast<int>(rng.below(100));
    if (k < 52) {
        e.kind = Kind::kSingle;
    } else if (k < 62) {
        e.kind = Kind::kAllDay;
    } else if (k < 74) {
        e.kind = Kind::kDaily;
    } else if (k < 88) {
        e.kind = Kind::kWeekly;
    } else if (k < 90) {
        e.kind = Kind::kWeeklyForever;
    } else {
        e.kind = Kind::kTodo;
    }
    const int z = static_cast<int>(rng.below(100));
    e.zone = z < 40 ? Zone::kBerlin : z < 75 ? Zone::kNewYork : Zone::kUtc;
    e.date = {kYear, 1 + static_cast<int>(rng.below(12)), 2 + static_cast<int>(rng.below(24))};
    e.start_minute = 8 * 60 + 15 * static_cast<int>(rng.below(29));  // 08:00 .. 15:00
    constexpr int kDurations[] = {30, 45, 60, 90, 120};
    e.duration_minutes = kDurations[rng.below(5)];
    e.all_day_days = 1 + static_cast<int>(rng.below(3));
    if (e.kind == Kind::kDaily) {
        e.count = 3 + static_cast<int>(rng.below(8));
    } else if (e.kind == Kind::kWeekly) {
        e.count = 4 + static_cast<int>(rng.below(9));
    }
    if (e.kind == Kind::kDaily || e.kind == Kind::kWeekly) {
        e.use_until = rng.below(2) == 0;
        if (rng.below(100) < 30) {
            e.exdate_index = 1 + static_cast<int>(rng.below(static_cast<std::uint64_t>(e.count - 2)));
        }
        if (rng.below(100) < 25) {
            int o = 1 + static_cast<int>(rng.below(static_cast<std::uint64_t>(e.count - 1)));
            if (o == e.exdate_index) {
                o = o + 1 < e.count ? o + 1 : o - 1;
            }
            e.override_index = o == e.exdate_index ? -1 : o;
        }
    } else if (e.kind == Kind::kWeeklyForever && rng.below(2) == 0) {
        e.exdate_index = 2;
    }
    e.alarm = rng.below(100) < 35;
    e.attendees = rng.below(100) < 20 ? 1 + static_cast<int>(rng.below(4)) : 0;
    e.has_due = rng.below(100) < 70;
    e.summary = e.kind == Kind::kTodo ? kTodos[rng.below(std::size(kTodos))]
                                      : kSubjects[rng.below(std::size(kSubjects))];
    return e;
}

std::vector<Interval> SeedModel::instances(const EventSpec& e, std::int64_t horizon) const {
    std::vector<Interval> out;
    auto timed = [&](CivilDate d, int minute) {
        const std::int64_t s = local_to_utc(e.zone, d, minute);
        out.push_back({s, s + e.duration_minutes * 60});
    };
    switch (e.kind) {
        case Kind::kTodo:
            break;
        case Kind::kSingle:
            timed(e.date, e.start_minute);
            break;
        case Kind::kAllDay: {
            const std::int64_t s = days_from_civil(e.date) * 86400;
            out.push_back({s, s + e.all_day_days * 86400});
            break;
        }
        case Kind::kDaily:
        case Kind::kWeekly:
        case Kind::kWeeklyForever: {
            const int step = e.kind == Kind::kDaily ? 1 : 7;
            for (int i = 0;; ++i) {
                if (e.kind != Kind::kWeeklyForever && i >= e.count) {
                    break;
                }
                const CivilDate d = add_days(e.date, i * step);
                if (days_from_civil(d) * 86400 >= horizon) {
                    break;
                }
                if (i == e.exdate_index) {
                    continue;
                }
                timed(d, e.start_minute + (i == e.override_index ? e.override_shift : 0));
            }
            break;
        }
    }
    return out;
}

bool SeedModel::overlaps(const EventSpec& e, std::int64_t from, std::int64_t to) const {
    for (const Interval& i : instances(e, to + 86400)) {
        if (i.start < to && i.end > from) {
            return true;
        }
    }
    return false;
}

std::vector<int> SeedModel::events_in_range(int user, std::int64_t from, std::int64_t to) const {
    std::vector<int> out;
    for (int i = 0; i < events_; ++i) {
        if (overlaps(event(user, i), from, to)) {
            out.push_back(i);
        }
    }
    return out;
}

std::vector<Interval> SeedModel::busy(int user, std::int64_t from, std::int64_t to) const {
    std::vector<Interval> all;
    for (int i = 0; i < events_; ++i) {
        const EventSpec e = event(user, i);
        if (e.kind == Kind::kAllDay || e.kind == Kind::kTodo) {
            continue;  // all-day events are TRANSP:TRANSPARENT
        }
        for (const Interval& in : instances(e, to + 86400)) {
            all.push_back(in);
        }
    }
    return merge_intervals(std::move(all), from, to);
}

std::vector<Interval> merge_intervals(std::vector<Interval> v, std::int64_t from,
                                      std::int64_t to) {
    std::vector<Interval> out;
    for (Interval& i : v) {
        i.start = std::max(i.start, from);
        i.end = std::min(i.end, to);
    }
    std::erase_if(v, [](const Interval& i) { return i.start >= i.end; });
    std::sort(v.begin(), v.end(),
              [](const Interval& a, const Interval& b) { return a.start < b.start; });
    for (const Interval& i : v) {
        if (!out.empty() && i.start <= out.back().end) {
            out.back().end = std::max(out.back().end, i.end);
        } else {
            out.push_back(i);
        }
    }
    return out;
}

}  // namespace cosmo::loadtest
