#pragma once
/// Recurrence expansion for time-range matching (RFC 4791 §9.9) and
/// CALDAV:expand (§9.6.5): RRULE, RDATE, EXDATE, overrides (RECURRENCE-ID,
/// including RANGE=THISANDFUTURE), time zones and floating times.

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "cosmo/ical/calendar.hpp"

namespace cosmo::ical {

/// One instance of a component, in UTC.
///
/// RFC 4791 §9.9 matches a range [range_start, range_end) against an instance
/// with open or closed ends depending on the component and its properties
/// (e.g. a VEVENT with no duration matches when range_start <= DTSTART); the
/// two flags carry that so overlaps() can apply the table exactly.
struct Instance {
    TimePoint start;  ///< DTSTART (or DUE/COMPLETED/CREATED for VTODO rows without it)
    TimePoint end;    ///< end of the §9.9 span; == start for an instant
    /// The instance's RECURRENCE-ID (its original start), nullopt if not recurring.
    std::optional<TimePoint> recurrence_id;
    bool is_override = false;  ///< comes from a component with RECURRENCE-ID
    bool start_closed = false; ///< matches when range_end == start
    bool end_closed = false;   ///< matches when range_start == end

    /// Memberwise equality.
    friend bool operator==(const Instance&, const Instance&) = default;
};

/// True when the instance matches [range_start, range_end) per RFC 4791 §9.9.
bool overlaps(const Instance& instance, TimePoint range_start, TimePoint range_end);

/// The instances of a calendar that overlap a range, sorted by start.
struct Expansion {
    std::vector<Instance> instances;  ///< sorted by start, at most max_instances
    /// More instances existed than allowed (max_instances, or the internal
    /// iteration cap for pathological rules); `instances` holds the first ones.
    bool truncated = false;
};

/// Expands every component (except VTIMEZONE) of the calendar and returns the
/// instances overlapping [range_start, range_end). Overrides replace the
/// instance whose RECURRENCE-ID they carry and are matched on their own
/// DTSTART/DTEND. Floating times and dates are read in default_tzid, else UTC.
/// Never throws for odd input; an unknown TZID is read like a floating time.
Expansion expand(const Calendar& calendar, TimePoint range_start, TimePoint range_end,
                 std::size_t max_instances, std::string_view default_tzid = {});

}  // namespace cosmo::ical
