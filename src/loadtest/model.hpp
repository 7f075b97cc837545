#pragma once
// The seed model: every user's events are a pure function of (seed, user,
// index), so the load tester can say which events a month-query must return,
// which busy periods a free-busy report must list and which bodies a
// multiget must carry, without remembering anything it wrote.
//
// Placement rules keep the expected answers exact under any reasonable
// server interpretation: timed instances start 08:00-15:00 local and last at
// most two hours (overrides move one hour later), so every instance lies in
// one UTC day; all-day events (floating DATEs) sit on days 2..27 and never
// touch a month boundary, whatever zone the server floats them in.

#include "civil_time.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace cosmo::loadtest {

/// What kind of calendar object an event index is.
enum class Kind {
    kSingle,         ///< one timed VEVENT
    kAllDay,         ///< VEVENT with DATE values, 1-3 days, transparent
    kDaily,          ///< FREQ=DAILY with COUNT or UNTIL
    kWeekly,         ///< FREQ=WEEKLY with COUNT or UNTIL
    kWeeklyForever,  ///< FREQ=WEEKLY without end
    kTodo,           ///< VTODO (never matches a VEVENT query, never busy)
};

/// One seeded calendar object resource, before rendering.
struct EventSpec {
    int user = 0;             ///< user number
    int index = 0;            ///< event number within the user
    std::string name;         ///< resource name, e.g. "e0003-00042.ics"
    std::string uid;          ///< iCalendar UID
    Kind kind = Kind::kSingle;  ///< kind of object
    Zone zone = Zone::kUtc;   ///< zone of DTSTART (timed kinds)
    CivilDate date;           ///< local date of the first instance
    int start_minute = 0;     ///< local minutes after midnight (timed kinds)
    int duration_minutes = 60;  ///< timed duration
    int all_day_days = 1;     ///< days of an all-day event
    int count = 0;            ///< instances of a bounded series (COUNT or via UNTIL)
    bool use_until = false;   ///< bound the series with UNTIL instead of COUNT
    int exdate_index = -1;    ///< excluded instance, -1 for none
    int override_index = -1;  ///< overridden instance (RECURRENCE-ID), -1 for none
    int override_shift = 60;  ///< minutes the override moves later
    bool alarm = false;       ///< has a VALARM
    int attendees = 0;        ///< number of ATTENDEEs (with an ORGANIZER)
    bool has_due = true;      ///< VTODO has DUE
    std::string summary;      ///< SUMMARY text
};

/// A busy interval in UTC seconds, [start, end).
struct Interval {
    std::int64_t start = 0;  ///< inclusive
    std::int64_t end = 0;    ///< exclusive
    /// Field-wise equality.
    friend bool operator==(const Interval&, const Interval&) = default;
};

/// The deterministic seed model for a data set.
class SeedModel {
public:
    /// A model of `events_per_user` objects per user drawn from `seed`.
    SeedModel(std::uint64_t seed, int events_per_user);

    /// The object at (user, index); a pure function of the seed.
    EventSpec event(int user, int index) const;
    /// The iCalendar text of an object at an edit revision (0 = as seeded).
    /// Revisions change SUMMARY and SEQUENCE only, never times.
    std::string ical(const EventSpec& spec, int revision = 0) const;

    /// Timed and all-day instances of a VEVENT (none for a VTODO), in UTC;
    /// all-day dates count as UTC days. Unbounded series stop at `horizon`.
    std::vector<Interval> instances(const EventSpec& spec, std::int64_t horizon) const;
    /// True when some instance overlaps [from, to) (RFC 4791 §9.9).
    bool overlaps(const EventSpec& spec, std::int64_t from, std::int64_t to) const;
    /// Indexes of a user's VEVENTs overlapping [from, to), ascending.
    std::vector<int> events_in_range(int user, std::int64_t from, std::int64_t to) const;
    /// Merged busy time of a user in [from, to): opaque timed instances,
    /// clipped to the range (RFC 4791 §7.10; all-day events are transparent).
    std::vector<Interval> busy(int user, std::int64_t from, std::int64_t to) const;

    /// Objects per user.
    int events_per_user() const { return events_; }
    /// The seed.
    std::uint64_t seed() const { return seed_; }

    /// UID of a seeded object.
    std::string uid(int user, int index) const;
    /// Resource name of a seeded object, "e0003-00042.ics".
    static std::string event_name(int user, int index);
    /// "user0003".
    static std::string user_name(int user);
    /// "/calendars/users/user0003/".
    static std::string home_path(int user);
    /// "/calendars/users/user0003/calendar/".
    static std::string calendar_path(int user);
    /// The first year seeded events start in; queries look at its months.
    static constexpr int kYear = 2026;

private:
    std::uint64_t seed_;
    int events_;
};

/// Sorts and merges overlapping or touching intervals, clipped to [from, to).
std::vector<Interval> merge_intervals(std::vector<Interval> v, std::int64_t from,
                                      std::int64_t to);

/// SplitMix64: the model's hash and the tool's per-connection PRNG.
class SplitMix {
public:
    /// A generator seeded with `seed`.
    explicit SplitMix(std::uint64_t seed) : state_(seed) {}
    /// The next 64 random bits.
    std::uint64_t next();
    /// Uniform in [0, n).
    std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
    /// Uniform in [0, 1).
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

private:
    std::uint64_t state_;
};

}  // namespace cosmo::loadtest
