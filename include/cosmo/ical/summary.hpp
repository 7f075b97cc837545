#pragma once
/// What the store indexes for one calendar object (DESIGN.md, storage
/// principles): UID, component type and the span used to prefilter
/// time-range queries in SQL before the exact check (expand.hpp).

#include <string>
#include <string_view>

#include "cosmo/ical/calendar.hpp"

namespace cosmo::ical {

/// The index columns of one calendar object resource.
struct Summary {
    std::string uid;             ///< the shared UID (RFC 4791 §4.1), "" if none
    std::string component;       ///< "VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY" or ""
    /// Earliest instance start; kMinTime when an instance matches every range.
    TimePoint first_start = kMinTime;
    /// Latest instance end; kMaxTime for unbounded recurrences (or too many to count).
    TimePoint last_end = kMaxTime;
    bool recurring = false;      ///< RRULE or RDATE on the master, or overrides
    bool has_overrides = false;  ///< any component with RECURRENCE-ID

    /// Memberwise equality.
    friend bool operator==(const Summary&, const Summary&) = default;
};

/// Summarises a calendar. [first_start, last_end] covers every instance's
/// RFC 4791 §9.9 span, so `first_start <= range_end && last_end >= range_start`
/// is a safe SQL prefilter. Floating times and dates are read in default_tzid
/// (the collection's calendar-timezone), else UTC. A VJOURNAL without DTSTART
/// matches no range: first_start = kMaxTime, last_end = kMinTime.
Summary summarize(const Calendar& calendar, std::string_view default_tzid = {});

}  // namespace cosmo::ical
