#pragma once
/// Typed request bodies of the CalDAV REPORTs (RFC 4791 §9.7 filters,
/// §9.9 time-range, §7.10 free-busy-query); handlers never walk a DOM.

#include <optional>
#include <string>
#include <vector>

#include "cosmo/dav/call.hpp"
#include "cosmo/ical/calendar.hpp"
#include "cosmo/ical/calendar_data.hpp"
#include "cosmo/ical/filter.hpp"

namespace cosmo::caldav::detail {

/// DAV:limit with a positive DAV:nresults among root's children (RFC 5323
/// §5.17); nullopt when absent; throws DavError 400 when malformed.
std::optional<std::size_t> parse_limit(const xml::Element& root);

/// CALDAV:calendar-query (§9.5).
struct CalendarQuery {
    dav::PropRequest props;
    ical::Filter filter;
    std::string timezone_id;  ///< C:timezone's TZID or RFC 7809 timezone-id, "" = none
    /// DAV:limit/DAV:nresults (RFC 5323 §5.17, as RFC 6578 §3.7 uses it).
    std::optional<std::size_t> limit;
};

/// CALDAV:free-busy-query (§9.11).
struct FreeBusyQuery {
    ical::TimeRange range;
};

/// "19970714T170000Z" -> time; nullopt when not a UTC date-time (§9.9).
std::optional<ical::TimePoint> parse_utc_time(std::string_view s);

/// Throws DavError 400 (malformed) or 403 valid-filter / supported-collation
/// / supported-calendar-data.
CalendarQuery parse_calendar_query(const xml::Element& root);
/// Throws DavError 400 without a time-range, 403 valid-filter for a bad one.
FreeBusyQuery parse_free_busy_query(const xml::Element& root);
/// The content of a requested CALDAV:calendar-data element (§9.6); throws
/// DavError 403 supported-calendar-data for another media type or version.
ical::CalendarDataRequest parse_calendar_data(const xml::Element& element);

}  // namespace cosmo::caldav::detail
