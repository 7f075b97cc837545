// ical::matches: the exact CALDAV:filter test of RFC 4791 §9.7 on one
// calendar object, with §9.9 time ranges over recurrence instances (via
// occurrence.hpp), VALARM triggers per instance of the parent, property time
// ranges, and the i;ascii-casemap / i;octet collations of RFC 4790 §9.

#include <algorithm>
#include <map>
#include <tuple>

#include "cosmo/ical/filter.hpp"
#include "detail.hpp"
#include "occurrence.hpp"

namespace cosmo::ical {
namespace {

using detail::iequals;

constexpr std::string_view kAsciiCasemap = "i;ascii-casemap";
constexpr std::string_view kOctet = "i;octet";
constexpr std::int64_t kDay = 86400;

std::int64_t seconds_of(TimePoint t) { return t.time_since_epoch().count(); }

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// RFC 4791 §9.7.5: "substring" match; RFC 4790 §9.2 folds only ASCII letters.
bool text_matches(std::string_view value, const TextMatch& m) {
    if (!supported_collation(m.collation)) {
        throw UnsupportedFilter(m.collation);
    }
    const bool octet = m.collation == kOctet;
    const auto found =
        octet ? std::search(value.begin(), value.end(), m.text.begin(), m.text.end())
              : std::search(value.begin(), value.end(), m.text.begin(), m.text.end(),
                            [](char a, char b) { return ascii_lower(a) == ascii_lower(b); });
    const bool contains = found != value.end() || m.text.empty();
    return contains != m.negate;
}

std::optional<std::string> first_bad_collation(const CompFilter& f);

std::optional<std::string> bad_text_match(const std::optional<TextMatch>& m) {
    if (m && !supported_collation(m->collation)) {
        return m->collation;
    }
    return std::nullopt;
}

std::optional<std::string> first_bad_collation(const CompFilter& f) {
    for (const PropFilter& p : f.prop_filters) {
        if (auto bad = bad_text_match(p.text_match)) {
            return bad;
        }
        for (const ParamFilter& pa : p.param_filters) {
            if (auto bad = bad_text_match(pa.text_match)) {
                return bad;
            }
        }
    }
    for (const CompFilter& c : f.comp_filters) {
        if (auto bad = first_bad_collation(c)) {
            return bad;
        }
    }
    return std::nullopt;
}

class Evaluator {
public:
    Evaluator(const detail::CalendarImpl& calendar, std::string_view default_tzid,
              std::size_t max_instances)
        : calendar_(calendar), resolver_(calendar, default_tzid), max_(max_instances) {}

    bool root_matches(const CompFilter& f) {
        if (!iequals(f.name, "VCALENDAR") || f.is_not_defined) {
            return false;  // the object is a VCALENDAR: it is always defined
        }
        return component_matches(calendar_.root.get(), f);
    }

private:
    // RFC 4791 §9.7.1: every test of the comp-filter holds for this component.
    bool component_matches(icalcomponent* c, const CompFilter& f) {
        if (f.time_range && !time_range_matches(c, *f.time_range)) {
            return false;
        }
        for (const PropFilter& pf : f.prop_filters) {
            if (!prop_filter_matches(c, pf)) {
                return false;
            }
        }
        for (const CompFilter& cf : f.comp_filters) {
            if (!comp_filter_matches(c, cf)) {
                return false;
            }
        }
        return true;
    }

    // A child comp-filter: is-not-defined holds when no child has the name;
    // otherwise ANY child of that name must match.
    bool comp_filter_matches(icalcomponent* parent, const CompFilter& f) {
        bool any_named = false;
        for (icalcomponent* child : detail::children_of(parent, ICAL_ANY_COMPONENT)) {
            if (!iequals(detail::component_name(child), f.name)) {
                continue;
            }
            any_named = true;
            if (f.is_not_defined) {
                return false;
            }
            if (component_matches(child, f)) {
                return true;
            }
        }
        return f.is_not_defined && !any_named;
    }

    // RFC 4791 §9.7.2: ANY instance of the property passes every test.
    bool prop_filter_matches(icalcomponent* c, const PropFilter& f) {
        bool any_named = false;
        for (icalproperty* p : detail::properties_of(c, ICAL_ANY_PROPERTY)) {
            const char* name = icalproperty_get_property_name(p);
            if (name == nullptr || !iequals(name, f.name)) {
                continue;
            }
            any_named = true;
            if (f.is_not_defined) {
                return false;
            }
            if (property_matches(p, f)) {
                return true;
            }
        }
        return f.is_not_defined && !any_named;
    }

    bool property_matches(icalproperty* p, const PropFilter& f) {
        if (f.time_range && !property_in_range(p, *f.time_range)) {
            return false;
        }
        if (f.text_match && !text_matches(detail::value_text(p), *f.text_match)) {
            return false;
        }
        for (const ParamFilter& pf : f.param_filters) {
            if (!param_matches(p, pf)) {
                return false;
            }
        }
        return true;
    }

    // RFC 4791 §9.7.3; libical looks parameters up case-insensitively, X- too.
    static bool param_matches(icalproperty* p, const ParamFilter& f) {
        const std::string name(f.name);
        const char* value = icalproperty_get_parameter_as_string(p, name.c_str());
        if (f.is_not_defined) {
            return value == nullptr;
        }
        if (value == nullptr) {
            return false;
        }
        return !f.text_match || text_matches(value, *f.text_match);
    }

    static TimePoint range_start(const TimeRange& r) { return r.start.value_or(kMinTime); }
    static TimePoint range_end(const TimeRange& r) { return r.end.value_or(kMaxTime); }

    // RFC 4791 §9.9, last paragraph: a DATE-TIME value matches when
    // start <= value < end; a DATE covers its day, a PERIOD its span.
    bool property_in_range(icalproperty* p, const TimeRange& range) const {
        const TimePoint rs = range_start(range);
        const TimePoint re = range_end(range);
        const icalvalue* v = icalproperty_get_value(p);
        if (v == nullptr) {
            return false;
        }
        icaltimetype t = icaltime_null_time();
        icalperiodtype period = icalperiodtype_null_period();
        switch (icalvalue_isa(v)) {
            case ICAL_DATETIME_VALUE: t = icalvalue_get_datetime(v); break;
            case ICAL_DATE_VALUE: t = icalvalue_get_date(v); break;
            case ICAL_PERIOD_VALUE: period = icalvalue_get_period(v); break;
            case ICAL_DATETIMEPERIOD_VALUE: {
                const icaldatetimeperiodtype dp = icalvalue_get_datetimeperiod(v);
                t = dp.time;
                period = dp.period;
                break;
            }
            case ICAL_TRIGGER_VALUE: t = icalvalue_get_trigger(v).time; break;
            default: return false;
        }
        if (!icaltime_is_null_time(t)) {
            const TimePoint at = detail::to_utc(t, resolver_.zone_for(p, t));
            if (t.is_date) {
                return rs < detail::saturating_add(at, kDay) && re > at;
            }
            return rs <= at && re > at;
        }
        if (icaltime_is_null_time(period.start)) {
            return false;
        }
        icaltimezone* zone = resolver_.zone_for(p, period.start);
        const TimePoint ps = detail::to_utc(period.start, zone);
        const TimePoint pe =
            icaltime_is_null_time(period.end)
                ? detail::saturating_add(ps, icaldurationtype_as_int(period.duration))
                : detail::to_utc(period.end, zone);
        return rs < pe && re > ps;
    }

    // RFC 4791 §9.9 per component kind.
    bool time_range_matches(icalcomponent* c, const TimeRange& range) {
        const TimePoint rs = range_start(range);
        const TimePoint re = range_end(range);
        switch (icalcomponent_isa(c)) {
            case ICAL_VEVENT_COMPONENT:
            case ICAL_VTODO_COMPONENT:
            case ICAL_VJOURNAL_COMPONENT: return !instances_of(c, rs, re).empty();
            case ICAL_VFREEBUSY_COMPONENT: return freebusy_matches(c, rs, re);
            case ICAL_VALARM_COMPONENT: return alarm_matches(c, rs, re);
            default: return false;  // §9.9 defines no time range for other components
        }
    }

    // With DTSTART and DTEND the extent decides; else any FREEBUSY period
    // (start < period end AND end > period start); else no match.
    bool freebusy_matches(icalcomponent* c, TimePoint rs, TimePoint re) {
        if (icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY) != nullptr &&
            icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY) != nullptr) {
            return !instances_of(c, rs, re).empty();
        }
        const TimeRange range{rs, re};
        for (icalproperty* p : detail::properties_of(c, ICAL_FREEBUSY_PROPERTY)) {
            if (property_in_range(p, range)) {
                return true;
            }
        }
        return false;
    }

    // RFC 4791 §9.9 VALARM: (start <= trigger-time) AND (end > trigger-time)
    // for any trigger time, repeats included, of the alarm relative to any
    // instance of its parent (RFC 5545 §3.8.6.3: RELATED=START or END).
    bool alarm_matches(icalcomponent* alarm, TimePoint rs, TimePoint re) {
        icalproperty* trigger = icalcomponent_get_first_property(alarm, ICAL_TRIGGER_PROPERTY);
        if (trigger == nullptr) {
            return false;
        }
        const icaltriggertype tt = icalproperty_get_trigger(trigger);
        const auto in_range = [&](TimePoint t) { return rs <= t && re > t; };

        std::int64_t repeat_every = 0;
        int repeats = 0;
        icalproperty* rp = icalcomponent_get_first_property(alarm, ICAL_REPEAT_PROPERTY);
        icalproperty* dp = icalcomponent_get_first_property(alarm, ICAL_DURATION_PROPERTY);
        if (rp != nullptr && dp != nullptr) {
            repeats = std::clamp(icalproperty_get_repeat(rp), 0, 1000);
            repeat_every = std::max(0, icaldurationtype_as_int(icalproperty_get_duration(dp)));
        }
        const auto any_trigger = [&](TimePoint first) {
            for (int k = 0; k <= repeats; ++k) {
                if (in_range(detail::saturating_add(first, k * repeat_every))) {
                    return true;
                }
            }
            return false;
        };
        if (!icaltime_is_null_time(tt.time)) {
            return any_trigger(detail::to_utc(tt.time, resolver_.zone_for(trigger, tt.time)));
        }
        icalcomponent* parent = icalcomponent_get_parent(alarm);
        const icalcomponent_kind pk = parent != nullptr ? icalcomponent_isa(parent)
                                                        : ICAL_NO_COMPONENT;
        if (pk != ICAL_VEVENT_COMPONENT && pk != ICAL_VTODO_COMPONENT) {
            return false;
        }
        bool related_end = false;
        if (icalparameter* rel = icalproperty_get_first_parameter(trigger, ICAL_RELATED_PARAMETER)) {
            related_end = icalparameter_get_related(rel) == ICAL_RELATED_END;
        }
        const std::int64_t offset = icaldurationtype_as_int(tt.duration);
        const std::int64_t reach = repeats * repeat_every;
        // Parent instances overlapping the span where an anchor can put a
        // trigger in range (spans overlap, so RELATED=END works for long
        // instances too; a day's margin covers the open/closed ends).
        const TimePoint from = detail::saturating_add(
            detail::saturating_add(detail::saturating_add(rs, -offset), -reach), -kDay);
        const TimePoint to = detail::saturating_add(detail::saturating_add(re, -offset), kDay);
        for (const Instance& i : instances_of(parent, from, to)) {
            const TimePoint anchor = related_end ? i.end : i.start;
            if (any_trigger(detail::saturating_add(anchor, offset))) {
                return true;
            }
        }
        return false;
    }

    // The instances component c contributes to [rs, re): a master's are the
    // series' instances without an override; an override has its own one.
    // Cached per series and range: a master and its overrides share one expansion.
    std::vector<Instance> instances_of(icalcomponent* c, TimePoint rs, TimePoint re) {
        const std::string uid = detail::text_of(c, ICAL_UID_PROPERTY);
        const auto key = std::make_tuple(uid, seconds_of(rs), seconds_of(re));
        auto it = cache_.find(key);
        if (it == cache_.end()) {
            it = cache_.emplace(key, detail::series_occurrences(calendar_, resolver_, uid, rs, re,
                                                                max_))
                     .first;
        }
        std::vector<Instance> out;
        for (const detail::Occurrence& o : it->second) {
            if (o.component == c) {
                out.push_back(o.instance);
            }
        }
        return out;
    }

    const detail::CalendarImpl& calendar_;
    detail::Resolver resolver_;
    std::size_t max_;
    std::map<std::tuple<std::string, std::int64_t, std::int64_t>, std::vector<detail::Occurrence>>
        cache_;
};

}  // namespace

bool supported_collation(std::string_view collation) {
    return collation.empty() || collation == kAsciiCasemap || collation == kOctet;
}

std::optional<std::string> find_unsupported_collation(const Filter& filter) {
    return first_bad_collation(filter.root);
}

bool matches(const Calendar& calendar, const Filter& filter, std::string_view default_tzid,
             std::size_t max_instances) {
    detail::ensure_initialized();
    if (auto bad = find_unsupported_collation(filter)) {
        throw UnsupportedFilter(*bad);
    }
    Evaluator evaluator(calendar.impl(), default_tzid, max_instances);
    return evaluator.root_matches(filter.root);
}

PrefilterHints prefilter_hints(const Filter& filter) {
    PrefilterHints hints;
    if (!iequals(filter.root.name, "VCALENDAR") || filter.root.is_not_defined) {
        return hints;
    }
    // The object's indexed type is its one calendar component (RFC 4791 §4.1);
    // a comp-filter on it (not negated) narrows the type, its time-range the
    // span the summary indexed (summary.hpp).
    for (const CompFilter& f : filter.root.comp_filters) {
        if (f.is_not_defined) {
            continue;
        }
        for (std::string_view kind : {"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"}) {
            if (iequals(f.name, kind)) {
                hints.component = std::string(kind);
                hints.range = f.time_range;
                return hints;
            }
        }
    }
    return hints;
}

std::optional<SimpleTimeRange> simple_time_range(const Filter& filter) {
    const CompFilter& root = filter.root;
    if (!iequals(root.name, "VCALENDAR") || root.is_not_defined || root.time_range ||
        !root.prop_filters.empty() || root.comp_filters.size() != 1) {
        return std::nullopt;
    }
    const CompFilter& f = root.comp_filters.front();
    if (f.is_not_defined || !f.time_range || !f.prop_filters.empty() ||
        !f.comp_filters.empty()) {
        return std::nullopt;
    }
    if (!iequals(f.name, "VEVENT") && !iequals(f.name, "VTODO") && !iequals(f.name, "VJOURNAL")) {
        return std::nullopt;
    }
    return SimpleTimeRange{f.name, f.time_range->start.value_or(kMinTime),
                           f.time_range->end.value_or(kMaxTime)};
}

// The Evaluator answers such a filter with instances_of() of every child
// named like the comp-filter: the occurrences of each child's series in the
// range, attributed to that child. When every calendar component is of that
// one kind, their union is all_occurrences() of the calendar; and when no
// series was cut short over the window, the occurrences over a range inside
// it are exactly those of the window that overlap the range.
std::optional<std::vector<Instance>> component_instances(const Calendar& calendar,
                                                         std::string_view component,
                                                         std::string_view default_tzid,
                                                         TimePoint window_start,
                                                         TimePoint window_end,
                                                         std::size_t max_instances) {
    detail::ensure_initialized();
    const icalcomponent_kind kind = iequals(component, "VEVENT")  ? ICAL_VEVENT_COMPONENT
                                    : iequals(component, "VTODO") ? ICAL_VTODO_COMPONENT
                                    : iequals(component, "VJOURNAL") ? ICAL_VJOURNAL_COMPONENT
                                                                     : ICAL_NO_COMPONENT;
    if (kind == ICAL_NO_COMPONENT) {
        return std::nullopt;
    }
    const detail::CalendarImpl& impl = calendar.impl();
    for (icalcomponent* c : detail::children_of(impl.root.get(), ICAL_ANY_COMPONENT)) {
        const icalcomponent_kind k = icalcomponent_isa(c);
        if (k == ICAL_VTIMEZONE_COMPONENT) {
            continue;
        }
        if (k != kind) {
            return std::nullopt;
        }
    }
    const detail::Resolver resolver(impl, default_tzid);
    bool truncated = false;
    const std::vector<detail::Occurrence> found = detail::all_occurrences(
        impl, resolver, window_start, window_end, max_instances, &truncated);
    if (truncated) {
        return std::nullopt;
    }
    std::vector<Instance> out;
    out.reserve(found.size());
    for (const detail::Occurrence& o : found) {
        out.push_back(o.instance);
    }
    return out;
}

}  // namespace cosmo::ical
