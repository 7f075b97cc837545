// validate_calendar_object: RFC 4791 §4.1 (one component type, one UID, one
// master, no METHOD), §5.3.2 (supported-calendar-component), §5.2.6/§5.2.7
// (min/max-date-time), plus the RFC 5545 rules §9.9 relies on (DTSTART on a
// VEVENT, never both DTEND/DUE and DURATION).

#include <chrono>
#include <algorithm>
#include <set>
#include <string>

#include "cosmo/ical/validate.hpp"
#include "detail.hpp"

namespace cosmo::ical {
namespace {

using detail::Resolver;

void add(std::vector<Violation>& out, Precondition kind, std::string reason) {
    Violation v{kind, std::move(reason)};
    if (std::find(out.begin(), out.end(), v) == out.end()) {
        out.push_back(std::move(v));
    }
}

bool has(icalcomponent* c, icalproperty_kind kind) {
    return icalcomponent_get_first_property(c, kind) != nullptr;
}

// RFC 5545 rules that make §9.9 well defined for this component.
void check_properties(icalcomponent* c, std::vector<Violation>& out) {
    const icalcomponent_kind kind = icalcomponent_isa(c);
    const std::string name = icalcomponent_kind_to_string(kind);
    if (!has(c, ICAL_UID_PROPERTY)) {
        add(out, Precondition::kValidCalendarData, name + " without UID");
    }
    if (kind == ICAL_VEVENT_COMPONENT) {
        if (!has(c, ICAL_DTSTART_PROPERTY)) {
            // Required when the object has no METHOD (RFC 5545 §3.6.1).
            add(out, Precondition::kValidCalendarData, "VEVENT without DTSTART");
        }
        if (has(c, ICAL_DTEND_PROPERTY) && has(c, ICAL_DURATION_PROPERTY)) {
            add(out, Precondition::kValidCalendarData, "VEVENT with both DTEND and DURATION");
        }
    }
    if (kind == ICAL_VTODO_COMPONENT) {
        if (has(c, ICAL_DUE_PROPERTY) && has(c, ICAL_DURATION_PROPERTY)) {
            add(out, Precondition::kValidCalendarData, "VTODO with both DUE and DURATION");
        }
        if (has(c, ICAL_DURATION_PROPERTY) && !has(c, ICAL_DTSTART_PROPERTY)) {
            add(out, Precondition::kValidCalendarData, "VTODO with DURATION but no DTSTART");
        }
    }
}

// RFC 4791 §4.1 over the top-level components.
void check_object(icalcomponent* root, const ValidationOptions& options,
                  std::vector<Violation>& out) {
    if (has(root, ICAL_METHOD_PROPERTY)) {
        add(out, Precondition::kValidCalendarObjectResource,
            "METHOD is not allowed in a calendar object resource");
    }
    std::set<std::string> types;
    std::set<std::string> uids;
    std::set<std::string> recurrence_ids;
    int masters = 0;
    for (icalcomponent* c = icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT);
         c != nullptr; c = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT)) {
        const icalcomponent_kind kind = icalcomponent_isa(c);
        if (kind == ICAL_VTIMEZONE_COMPONENT || kind == ICAL_X_COMPONENT) {
            continue;  // X- components are allowed anywhere (RFC 5545 §3.6)
        }
        const char* kind_name = icalcomponent_kind_to_string(kind);
        types.insert(kind_name != nullptr ? kind_name : "unknown component");
        if (!detail::is_calendar_component(kind)) {
            continue;
        }
        check_properties(c, out);
        if (has(c, ICAL_UID_PROPERTY)) {
            uids.insert(detail::text_of(c, ICAL_UID_PROPERTY));
        }
        icalproperty* rid = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
        if (rid == nullptr) {
            ++masters;
        } else if (!recurrence_ids.insert(icalproperty_get_value_as_string(rid)).second) {
            add(out, Precondition::kValidCalendarObjectResource, "duplicate RECURRENCE-ID");
        }
    }
    if (types.empty()) {
        add(out, Precondition::kValidCalendarObjectResource, "no calendar component");
    }
    if (types.size() > 1) {
        add(out, Precondition::kValidCalendarObjectResource,
            "more than one component type in one resource");
    }
    if (uids.size() > 1) {
        add(out, Precondition::kValidCalendarObjectResource,
            "components with different UIDs in one resource");
    }
    if (masters > 1) {
        add(out, Precondition::kValidCalendarObjectResource,
            "more than one component without RECURRENCE-ID");
    }
    const auto& allowed = options.supported_components;
    for (const std::string& type : types) {
        const bool known = detail::is_calendar_component(icalcomponent_string_to_kind(type.c_str()));
        const bool listed = allowed.empty()
                                ? known
                                : std::find(allowed.begin(), allowed.end(), type) != allowed.end();
        if (!listed) {
            add(out, Precondition::kSupportedComponent, type + " is not supported here");
        }
    }
}

// The DATE or DATE-TIME values of one property, in UTC.
// The wall-clock reading of t taken as UTC: off from the real instant by at
// most the zone's UTC offset (under a day), and cheap, unlike a zone lookup.
TimePoint naive_utc(const icaltimetype& t) {
    using namespace std::chrono;
    const sys_days day{year{t.year} / month{static_cast<unsigned>(t.month)} /
                       std::chrono::day{static_cast<unsigned>(t.day)}};
    return time_point_cast<TimePoint::duration>(day + hours{t.hour} + minutes{t.minute} +
                                                seconds{t.second});
}

// Only values within this distance of a limit need their time zone resolved
// (zone conversion was a fifth of a PUT's cost in the profile).
constexpr std::chrono::hours kZoneMargin{48};

void property_times(icalproperty* p, const Resolver& r, const ValidationOptions& options,
                    std::vector<TimePoint>& out) {
    icalvalue* v = icalproperty_get_value(p);
    if (v == nullptr) {
        return;
    }
    icaltimetype t = icaltime_null_time();
    switch (icalvalue_isa(v)) {
        case ICAL_DATE_VALUE: t = icalvalue_get_date(v); break;
        case ICAL_DATETIME_VALUE: t = icalvalue_get_datetime(v); break;
        case ICAL_DATETIMEPERIOD_VALUE: {
            const icaldatetimeperiodtype dp = icalvalue_get_datetimeperiod(v);
            t = icaltime_is_null_time(dp.time) ? dp.period.start : dp.time;
            break;
        }
        case ICAL_PERIOD_VALUE: t = icalvalue_get_period(v).start; break;
        default: return;
    }
    if (icaltime_is_null_time(t)) {
        return;
    }
    const TimePoint naive = naive_utc(t);
    const bool near_min = options.min_date_time && naive - kZoneMargin < *options.min_date_time;
    const bool near_max = options.max_date_time && naive + kZoneMargin > *options.max_date_time;
    if (near_min || near_max) {
        out.push_back(detail::to_utc(t, r.zone_for(p, t)));
    }
}

void check_date_limits(icalcomponent* root, const ValidationOptions& options, const Resolver& r,
                       std::vector<Violation>& out) {
    if (!options.min_date_time && !options.max_date_time) {
        return;
    }
    std::vector<TimePoint> times;
    detail::for_each_component(root, [&](icalcomponent* c) {
        // VTIMEZONE onsets (DTSTART:16010101T...) are rules, not calendar data.
        icalcomponent* parent = icalcomponent_get_parent(c);
        if (icalcomponent_isa(c) == ICAL_VTIMEZONE_COMPONENT ||
            (parent != nullptr && icalcomponent_isa(parent) == ICAL_VTIMEZONE_COMPONENT)) {
            return;
        }
        for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY);
             p != nullptr; p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
            property_times(p, r, options, times);
        }
    });
    for (TimePoint t : times) {
        if (options.min_date_time && t < *options.min_date_time) {
            add(out, Precondition::kMinDateTime, "a date is earlier than min-date-time");
        }
        if (options.max_date_time && t > *options.max_date_time) {
            add(out, Precondition::kMaxDateTime, "a date is later than max-date-time");
        }
    }
}

}  // namespace

std::vector<Violation> validate_calendar_object(const Calendar& calendar,
                                                const ValidationOptions& options) {
    detail::ensure_initialized();
    std::vector<Violation> out;
    icalcomponent* root = calendar.impl().root.get();
    check_object(root, options, out);
    const Resolver resolver(calendar.impl(), options.default_tzid);
    check_date_limits(root, options, resolver, out);
    return out;
}

std::vector<Violation> validate_calendar_object(std::string_view text,
                                                const ValidationOptions& options) {
    ParseResult parsed = parse(text);
    if (!parsed.ok()) {
        return std::move(parsed.violations);
    }
    return validate_calendar_object(*parsed.calendar, options);
}

}  // namespace cosmo::ical
