// ical::expand and ical::overlaps: RFC 4791 §9.9 time-range matching over
// expanded instances (series.cpp does the expansion).

#include <algorithm>

#include "cosmo/ical/expand.hpp"
#include "detail.hpp"

namespace cosmo::ical {

bool overlaps(const Instance& instance, TimePoint range_start, TimePoint range_end) {
    // RFC 4791 §9.9 compares "start < END" or "start <= END" and "end > START"
    // or "end >= START" depending on the table row; the flags select which.
    const bool before_end =
        instance.end_closed ? range_start <= instance.end : range_start < instance.end;
    const bool after_start =
        instance.start_closed ? range_end >= instance.start : range_end > instance.start;
    return before_end && after_start;
}

Expansion expand(const Calendar& calendar, TimePoint range_start, TimePoint range_end,
                 std::size_t max_instances, std::string_view default_tzid) {
    detail::ensure_initialized();
    const detail::Resolver resolver(calendar.impl(), default_tzid);
    detail::SeriesResult found =
        detail::expand_all(calendar.impl(), resolver, range_start, range_end, max_instances);
    Expansion out;
    out.instances = std::move(found.instances);
    std::sort(out.instances.begin(), out.instances.end(), [](const Instance& a, const Instance& b) {
        if (a.start != b.start) {
            return a.start < b.start;
        }
        return a.recurrence_id < b.recurrence_id;
    });
    out.truncated = found.truncated;
    if (out.instances.size() > max_instances) {
        out.instances.resize(max_instances);
        out.truncated = true;
    }
    return out;
}

}  // namespace cosmo::ical
