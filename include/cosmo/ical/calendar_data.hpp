#pragma once
/// CALDAV:calendar-data in a REPORT (RFC 4791 §9.6): which parts of a stored
/// calendar object to return, and the rendering of that selection:
/// comp/prop selection (§9.6.1-§9.6.4), expand (§9.6.5),
/// limit-recurrence-set (§9.6.6) and limit-freebusy-set (§9.6.7).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cosmo/ical/filter.hpp"

namespace cosmo::ical {

/// CALDAV:comp (RFC 4791 §9.6.1): the properties and sub-components to keep
/// of every component with this name.
struct CompSelector {
    std::string name;                 ///< "VCALENDAR" at the top, then "VEVENT", ...
    bool all_props = true;            ///< CALDAV:allprop (or no prop element at all)
    std::vector<std::string> props;   ///< CALDAV:prop names kept, when !all_props
    /// CALDAV:prop names with novalue="yes" (§9.6.4): kept with an empty value.
    std::vector<std::string> novalue_props;
    bool all_comps = true;            ///< CALDAV:allcomp (or no comp element at all)
    std::vector<CompSelector> comps;  ///< sub-components kept, when !all_comps
};

/// The content of one CALDAV:calendar-data request element.
struct CalendarDataRequest {
    std::optional<CompSelector> comp;                 ///< §9.6.1, top-level VCALENDAR
    std::optional<TimeRange> expand;                  ///< §9.6.5
    std::optional<TimeRange> limit_recurrence_set;    ///< §9.6.6
    std::optional<TimeRange> limit_freebusy_set;      ///< §9.6.7
};

/// True when the request asks for nothing but the whole object (no element, or
/// a VCALENDAR selector with allprop and allcomp), which is then returned byte
/// for byte (clients compare it with what they PUT).
bool is_whole_object(const CalendarDataRequest& request);

/// Renders the requested view of a stored object. With nothing requested the
/// stored bytes come back unchanged. expand returns each instance overlapping
/// the range as its own component, times in UTC (DATE values stay dates, read
/// in default_tzid), with RECURRENCE-ID, without RRULE/RDATE/EXDATE/EXRULE and
/// without VTIMEZONE; at most max_instances instances per series.
/// limit-recurrence-set keeps the masters and the overrides overlapping the
/// range. A comp selector whose name is not VCALENDAR selects everything.
/// Stored text that no longer parses is returned unchanged. Never throws for
/// odd data.
std::string render_calendar_data(std::string_view stored_text,
                                 const CalendarDataRequest& request,
                                 std::string_view default_tzid = {},
                                 std::size_t max_instances = 10000);

}  // namespace cosmo::ical
