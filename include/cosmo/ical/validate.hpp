#pragma once
/// RFC 4791 §4.1 (calendar object resources) and the CALDAV preconditions a PUT
/// must check (§5.3.2): valid data, one component type, one UID, supported
/// component, min/max date-time.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cosmo/ical/calendar.hpp"

namespace cosmo::ical {

/// What the target collection allows.
struct ValidationOptions {
    /// CALDAV:supported-calendar-component-set names ("VEVENT", ...); empty = all.
    std::vector<std::string> supported_components;
    /// CALDAV:min-date-time: no DATE or DATE-TIME value may be earlier (§5.2.6).
    std::optional<TimePoint> min_date_time;
    /// CALDAV:max-date-time: no DATE or DATE-TIME value may be later (§5.2.7).
    std::optional<TimePoint> max_date_time;
    /// Zone for floating times and dates in the min/max checks (calendar-timezone).
    std::string default_tzid;
};

/// Checks an already parsed calendar; an empty result means valid. Never throws
/// for bad input.
std::vector<Violation> validate_calendar_object(const Calendar& calendar,
                                                const ValidationOptions& options = {});

/// Parses and checks text; parse failures come back as kValidCalendarData.
std::vector<Violation> validate_calendar_object(std::string_view text,
                                                const ValidationOptions& options = {});

}  // namespace cosmo::ical
