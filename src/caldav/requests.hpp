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

/// CALDAV:calendar-query (§9.5).
struct CalendarQuery {
    dav::PropRequest props;
    ical::Filter filter;
    std::string timezone_id;  ///< C:timezone's TZID or RFC 7809 timezone-id, "" = none
};

/// CALDAV:free-busy-query (§9.11).
struct FreeBusyQuery {
    ical::TimeRange range;
};

/// "19970714T170000Z" -> time; nullopt when not a UTC date-time (§9.9).
std::optional<ical::TimePoint> parse_utc_time(std::string_view s);

/// Throws DavError 400 (malformed) or 403 valid-filter / supported-collation.
CalendarQuery parse_calendar_query(const xml::Element& root);
/// Throws DavError 400 without a time-range, 403 valid-filter for a bad one.
FreeBusyQuery parse_free_busy_query(const xml::Element& root);
/// The content of a requested CALDAV:calendar-data element (§9.6); throws
/// DavError 403 supported-calendar-data for another media type or version.
ical::CalendarDataRequest parse_calendar_data(const xml::Element& element);

}  // namespace cosmo::caldav::detail
