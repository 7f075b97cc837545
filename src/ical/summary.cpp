// ical::summarize: the columns the store indexes to prefilter time-range
// queries in SQL (DESIGN.md, storage principles).

#include <algorithm>

#include "cosmo/ical/summary.hpp"
#include "detail.hpp"

namespace cosmo::ical {
namespace {

// Bounded series with more instances than this are indexed as unbounded:
// the prefilter stays correct (a superset) and PUT stays cheap.
constexpr std::size_t kSummaryMaxInstances = 20000;

bool has_unbounded_rule(icalcomponent* root) {
    for (icalcomponent* c = icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT);
         c != nullptr; c = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT)) {
        if (!detail::is_calendar_component(icalcomponent_isa(c))) {
            continue;
        }
        icalproperty* p = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY);
        if (p != nullptr) {
            const icalrecurrencetype rule = icalproperty_get_rrule(p);
            if (rule.count == 0 && icaltime_is_null_time(rule.until)) {
                return true;
            }
        }
    }
    return false;
}

}  // namespace

Summary summarize(const Calendar& calendar, std::string_view default_tzid) {
    detail::ensure_initialized();
    Summary s;
    icalcomponent* root = calendar.impl().root.get();
    for (icalcomponent* c = icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT);
         c != nullptr; c = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT)) {
        const icalcomponent_kind kind = icalcomponent_isa(c);
        if (!detail::is_calendar_component(kind)) {
            continue;
        }
        const bool is_override =
            icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY) != nullptr;
        s.has_overrides = s.has_overrides || is_override;
        if (s.component.empty() || !is_override) {
            s.component = icalcomponent_kind_to_string(kind);
            s.uid = detail::text_of(c, ICAL_UID_PROPERTY);
        }
    }

    const bool unbounded = has_unbounded_rule(root);
    const detail::Resolver resolver(calendar.impl(), default_tzid);
    // An unbounded series only needs its first instances for first_start.
    const detail::SeriesResult found = detail::expand_all(
        calendar.impl(), resolver, kMinTime, kMaxTime, unbounded ? 1 : kSummaryMaxInstances);
    s.recurring = found.recurring || s.has_overrides;
    if (found.instances.empty()) {
        s.first_start = kMaxTime;  // matches no range (e.g. VJOURNAL without DTSTART)
        s.last_end = unbounded ? kMaxTime : kMinTime;
        return s;
    }
    s.first_start = kMaxTime;
    s.last_end = kMinTime;
    for (const Instance& i : found.instances) {
        s.first_start = std::min(s.first_start, i.start);
        s.last_end = std::max(s.last_end, i.end);
    }
    if (unbounded || found.truncated || found.unbounded) {
        s.last_end = kMaxTime;
    }
    return s;
}

}  // namespace cosmo::ical
