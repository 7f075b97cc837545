#pragma once
/// The CALDAV:filter of a calendar-query REPORT (RFC 4791 §9.7) as plain
/// values, its exact evaluation against one calendar object, and the coarse
/// hints the store can prefilter on in SQL (DESIGN.md: prefilter + exact check).

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cosmo/ical/calendar.hpp"
#include "cosmo/ical/expand.hpp"

namespace cosmo::ical {

/// CALDAV:text-match (RFC 4791 §9.7.5): a substring test under a collation.
struct TextMatch {
    std::string text;                              ///< the substring looked for
    std::string collation = "i;ascii-casemap";     ///< or "i;octet" (RFC 4790 §9)
    bool negate = false;                           ///< negate-condition="yes"
};

/// CALDAV:time-range (RFC 4791 §9.9): [start, end) in UTC; a missing end is open.
struct TimeRange {
    std::optional<TimePoint> start;  ///< nullopt: since forever
    std::optional<TimePoint> end;    ///< nullopt: until forever
};

/// CALDAV:param-filter (RFC 4791 §9.7.3).
struct ParamFilter {
    std::string name;                     ///< e.g. "PARTSTAT"
    bool is_not_defined = false;          ///< CALDAV:is-not-defined
    std::optional<TextMatch> text_match;  ///< test on the parameter value
};

/// CALDAV:prop-filter (RFC 4791 §9.7.2).
struct PropFilter {
    std::string name;                      ///< e.g. "ATTENDEE", "X-FOO"
    bool is_not_defined = false;           ///< CALDAV:is-not-defined
    std::optional<TimeRange> time_range;   ///< on DATE/DATE-TIME/PERIOD values (§9.9)
    std::optional<TextMatch> text_match;   ///< test on the value
    std::vector<ParamFilter> param_filters;  ///< all must match
};

/// CALDAV:comp-filter (RFC 4791 §9.7.1).
struct CompFilter {
    std::string name;                      ///< e.g. "VCALENDAR", "VEVENT", "VALARM"
    bool is_not_defined = false;           ///< CALDAV:is-not-defined
    std::optional<TimeRange> time_range;   ///< instance overlap (§9.9)
    std::vector<PropFilter> prop_filters;  ///< all must match
    std::vector<CompFilter> comp_filters;  ///< all must match
};

/// CALDAV:filter (RFC 4791 §9.7): exactly one comp-filter, named VCALENDAR.
struct Filter {
    /// The VCALENDAR comp-filter.
    CompFilter root = [] {
        CompFilter f;
        f.name = "VCALENDAR";
        return f;
    }();
};

/// A text-match names a collation this server does not offer; the caller
/// answers 403 with CALDAV:supported-collation (RFC 4791 §7.5.1).
class UnsupportedFilter : public std::invalid_argument {
public:
    /// The offending collation, for the client's error text.
    explicit UnsupportedFilter(std::string collation)
        : std::invalid_argument("unsupported collation: " + collation),
          collation_(std::move(collation)) {}
    /// The collation name as the client sent it.
    const std::string& collation() const { return collation_; }

private:
    std::string collation_;
};

/// True for the collations we evaluate: "i;ascii-casemap" and "i;octet"
/// (RFC 4791 §7.5.1 requires both); "" means the default, i;ascii-casemap.
bool supported_collation(std::string_view collation);

/// The first text-match collation in the filter that is not supported, if
/// any; lets the caller refuse the request before touching the store.
std::optional<std::string> find_unsupported_collation(const Filter& filter);

/// Evaluates the filter on one calendar object, exactly per RFC 4791 §9.7 and
/// §9.9: a comp-filter matches when ANY component of that name matches all its
/// tests, a prop-filter when ANY instance of the property does. Time ranges
/// look at recurrence instances (overrides on their own DTSTART, EXDATE,
/// RDATE), VALARM triggers per instance of the parent, and floating times in
/// default_tzid. At most max_instances instances are expanded per series.
/// Throws UnsupportedFilter for an unknown collation; never for odd data.
bool matches(const Calendar& calendar, const Filter& filter, std::string_view default_tzid = {},
             std::size_t max_instances = 10000);

/// What the store may prefilter on (a superset of the matches).
struct PrefilterHints {
    std::string component;           ///< "VEVENT", "VTODO", ... or "" for any
    std::optional<TimeRange> range;  ///< that component's time-range, if any
};

/// The component type required under VCALENDAR and its time-range, when the
/// filter states them plainly (not under is-not-defined).
PrefilterHints prefilter_hints(const Filter& filter);

/// The filter of most calendar-queries (a client's day, week or month view):
/// VCALENDAR > one VEVENT, VTODO or VJOURNAL comp-filter with a time-range
/// and no other test. Its verdict on an object depends on the range only
/// through the object's instances, so one expansion over a wider window
/// answers every range inside it (component_instances).
struct SimpleTimeRange {
    std::string component;  ///< "VEVENT", "VTODO" or "VJOURNAL", as written
    TimePoint start;        ///< range start (kMinTime when open)
    TimePoint end;          ///< range end (kMaxTime when open)
};
/// The filter's SimpleTimeRange, or nullopt when it tests anything else.
std::optional<SimpleTimeRange> simple_time_range(const Filter& filter);

/// For a SimpleTimeRange filter on `component`: the instances of the
/// object's components overlapping [window_start, window_end), read in
/// default_tzid with max_instances per series (as matches() reads them).
/// For any range inside the window, matches() of the filter is true exactly
/// when one of them overlaps() the range. nullopt when that does not hold:
/// the object has another kind of component besides VTIMEZONE, or the
/// limit cut a series short within the window.
std::optional<std::vector<Instance>> component_instances(const Calendar& calendar,
                                                         std::string_view component,
                                                         std::string_view default_tzid,
                                                         TimePoint window_start,
                                                         TimePoint window_end,
                                                         std::size_t max_instances);

}  // namespace cosmo::ical
