#pragma once
/// CalDAV (RFC 4791) on top of the WebDAV engine: registers calendar
/// collections, MKCALENDAR, PUT validation, the CalDAV / CalendarServer /
/// ACL (read side) properties and the REPORTs into dav's registries.

#include <cstddef>
#include <string>

#include "cosmo/dav/registry.hpp"

namespace cosmo::caldav {

/// Limits advertised as CALDAV properties (RFC 4791 §5.2.5-§5.2.9) and
/// enforced on PUT and in REPORTs.
struct Options {
    std::size_t max_resource_size = 10 * 1024 * 1024;  ///< bytes (§5.2.5)
    /// §5.2.6 / §5.2.7, iCalendar UTC form. Wide by default: Apple stores
    /// year-less birthdays in 1604, and far-future UNTILs exist.
    std::string min_date_time = "16000101T000000Z";
    std::string max_date_time = "99991231T235959Z";
    /// Instances expanded per object in a time-range match (§5.2.8);
    /// also the limit of ical::expand per request object.
    std::size_t max_instances = 10000;
    /// §5.2.9: ATTENDEEs per component (master or override), enforced on
    /// PUT, COPY and MOVE with 403 max-attendees-per-instance.
    std::size_t max_attendees_per_instance = 1000;
    /// Responses per REPORT before it is cut with a 507 (DESIGN.md, bad input).
    std::size_t max_results = 10000;
    /// calendar-query verdicts remembered per (ETag, filter, time zone), so
    /// repeated queries skip parsing unchanged objects; 0 disables.
    std::size_t query_memo_entries = 200000;
};

/// Adds CalDAV to the registries: call once at start-up, before the
/// Dispatcher is built. Also adds "calendar-access" to the DAV header.
void install(dav::Registries& registries, const Options& options);

/// dav::default_registries() with CalDAV installed.
dav::Registries registries(const Options& options);

}  // namespace cosmo::caldav
