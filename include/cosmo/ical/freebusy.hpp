#pragma once
/// The CALDAV:free-busy-query REPORT's answer (RFC 4791 §7.10): busy time of
/// a set of stored calendar objects within a range, as one VFREEBUSY.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cosmo/ical/calendar.hpp"

namespace cosmo::ical {

/// One busy period, in UTC, [start, end).
struct BusyPeriod {
    TimePoint start;     ///< inclusive
    TimePoint end;       ///< exclusive
    std::string fbtype;  ///< "BUSY", "BUSY-TENTATIVE", "BUSY-UNAVAILABLE" or an x-name

    /// Memberwise equality.
    friend bool operator==(const BusyPeriod&, const BusyPeriod&) = default;
};

/// The busy periods of the objects within [start, end), clipped to it, merged
/// per FBTYPE (overlapping or touching periods become one) and sorted by
/// start, then type. Events count as BUSY, or BUSY-TENTATIVE with
/// STATUS:TENTATIVE; TRANSP:TRANSPARENT and STATUS:CANCELLED events (per
/// instance: overrides may differ) do not count. FREEBUSY periods of stored
/// VFREEBUSY components count with their FBTYPE (FREE ones do not). Floating
/// times are read in default_tzid. Unparsable objects are skipped.
std::vector<BusyPeriod> busy_periods(const std::vector<std::string_view>& stored_objects,
                                     TimePoint start, TimePoint end,
                                     std::string_view default_tzid = {},
                                     std::size_t max_instances = 10000);

/// Periods (of busy_periods() over parts of a calendar, say) merged and
/// sorted as busy_periods() does, clipped to [start, end): the busy time of
/// the parts together.
std::vector<BusyPeriod> merge_busy_periods(const std::vector<BusyPeriod>& periods,
                                           TimePoint start, TimePoint end);

/// The free-busy-query response body for merged periods (as below).
std::string free_busy_body(const std::vector<BusyPeriod>& periods, TimePoint start,
                           TimePoint end, std::optional<TimePoint> dtstamp = std::nullopt);

/// The free-busy-query response body (RFC 4791 §7.10): a VCALENDAR with one
/// VFREEBUSY holding DTSTAMP (dtstamp, default now), DTSTART, DTEND and one
/// FREEBUSY property per busy period (FBTYPE omitted for BUSY), all in UTC,
/// lines ending in CRLF. Never throws for odd data.
std::string free_busy_report(const std::vector<std::string_view>& stored_objects,
                             TimePoint start, TimePoint end, std::string_view default_tzid = {},
                             std::optional<TimePoint> dtstamp = std::nullopt);

}  // namespace cosmo::ical
