#pragma once
/// Time zone resolution, leniently (CLIENTS.md §1.4): a TZID is looked up in
/// the object's own VTIMEZONEs, then in the system's IANA database, then as a
/// Windows zone name (Outlook, Exchange); an unknown TZID never fails.

#include <optional>
#include <string>
#include <string_view>

namespace cosmo::ical {

/// Prepares libical once: errors are made non-fatal and the built-in time
/// zone cache (read from /usr/share/zoneinfo) is loaded. libical fills that
/// cache lazily and not thread-safely, so call this from main before any
/// thread starts. Every other function here also calls it (std::call_once),
/// so single-threaded users and tests need not. Idempotent.
void initialize();

/// The IANA name for a Windows zone name ("W. Europe Standard Time" ->
/// "Europe/Berlin"), per CLDR windowsZones (territory 001); case-insensitive.
std::optional<std::string_view> windows_to_iana(std::string_view windows_name);

/// The IANA name a TZID resolves to without a VTIMEZONE (an IANA name or
/// alias known to the system, a libical-prefixed TZID, a Windows name), or
/// nullopt when unknown. Useful to check CALDAV:calendar-timezone-id (RFC 7809).
std::optional<std::string> iana_name(std::string_view tzid);

}  // namespace cosmo::ical
