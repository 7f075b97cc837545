// Instances attributed to components: expand_all yields instances per UID;
// an override's instance carries its RECURRENCE-ID, every other instance of
// the series belongs to the master (RFC 5545 §3.8.4.4).

#include <algorithm>
#include <cctype>
#include <map>

#include "occurrence.hpp"

namespace cosmo::ical::detail {

std::optional<TimePoint> recurrence_id_of(icalcomponent* component, const Resolver& resolver) {
    icalproperty* p = icalcomponent_get_first_property(component, ICAL_RECURRENCEID_PROPERTY);
    if (p == nullptr) {
        return std::nullopt;
    }
    const icaltimetype t = icalproperty_get_recurrenceid(p);
    if (icaltime_is_null_time(t)) {
        return std::nullopt;
    }
    return to_utc(t, resolver.zone_for(p, t));
}

std::vector<Occurrence> series_occurrences(const CalendarImpl& calendar, const Resolver& resolver,
                                           const std::string& uid, TimePoint range_start,
                                           TimePoint range_end, std::size_t max_instances,
                                           bool* truncated) {
    icalcomponent* master = nullptr;
    std::map<TimePoint, icalcomponent*> overrides;
    for (icalcomponent* c : children_of(calendar.root.get(), ICAL_ANY_COMPONENT)) {
        if (!is_calendar_component(icalcomponent_isa(c)) ||
            text_of(c, ICAL_UID_PROPERTY) != uid) {
            continue;
        }
        if (icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY) != nullptr) {
            if (const auto rid = recurrence_id_of(c, resolver)) {
                overrides.emplace(*rid, c);
            }
        } else if (master == nullptr) {
            master = c;
        }
    }
    const SeriesResult found =
        expand_all(calendar, resolver, range_start, range_end, max_instances, &uid);
    if (truncated != nullptr && found.truncated) {
        *truncated = true;
    }
    std::vector<Occurrence> out;
    for (const Instance& i : found.instances) {
        icalcomponent* owner = master;
        if (i.is_override) {
            const auto it = i.recurrence_id ? overrides.find(*i.recurrence_id) : overrides.end();
            owner = it != overrides.end() ? it->second : nullptr;
        }
        if (owner != nullptr) {
            out.push_back({owner, i});
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const Occurrence& a, const Occurrence& b) {
        return a.instance.start < b.instance.start;
    });
    return out;
}

std::vector<Occurrence> all_occurrences(const CalendarImpl& calendar, const Resolver& resolver,
                                        TimePoint range_start, TimePoint range_end,
                                        std::size_t max_instances, bool* truncated) {
    std::vector<std::string> uids;
    for (icalcomponent* c : children_of(calendar.root.get(), ICAL_ANY_COMPONENT)) {
        if (!is_calendar_component(icalcomponent_isa(c))) {
            continue;
        }
        std::string uid = text_of(c, ICAL_UID_PROPERTY);
        if (std::find(uids.begin(), uids.end(), uid) == uids.end()) {
            uids.push_back(std::move(uid));
        }
    }
    std::vector<Occurrence> out;
    for (const std::string& uid : uids) {
        std::vector<Occurrence> part =
            series_occurrences(calendar, resolver, uid, range_start, range_end, max_instances,
                               truncated);
        out.insert(out.end(), part.begin(), part.end());
    }
    std::stable_sort(out.begin(), out.end(), [](const Occurrence& a, const Occurrence& b) {
        return a.instance.start < b.instance.start;
    });
    return out;
}

std::vector<icalproperty*> properties_of(icalcomponent* component, icalproperty_kind kind) {
    std::vector<icalproperty*> out;
    for (icalproperty* p = icalcomponent_get_first_property(component, kind); p != nullptr;
         p = icalcomponent_get_next_property(component, kind)) {
        out.push_back(p);
    }
    return out;
}

std::vector<icalcomponent*> children_of(icalcomponent* component, icalcomponent_kind kind) {
    std::vector<icalcomponent*> out;
    for (icalcomponent* c = icalcomponent_get_first_component(component, kind); c != nullptr;
         c = icalcomponent_get_next_component(component, kind)) {
        out.push_back(c);
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

std::string component_name(icalcomponent* component) {
    const icalcomponent_kind kind = icalcomponent_isa(component);
    if (kind == ICAL_X_COMPONENT) {
        return {};  // libical 3.0 keeps no name we can read back
    }
    const char* name = icalcomponent_kind_to_string(kind);
    return name != nullptr ? std::string(name) : std::string();
}

std::string value_text(icalproperty* property) {
    const icalvalue* v = icalproperty_get_value(property);
    if (v == nullptr) {
        return {};
    }
    const char* s = nullptr;
    switch (icalvalue_isa(v)) {
        case ICAL_TEXT_VALUE: s = icalvalue_get_text(v); break;
        case ICAL_X_VALUE: s = icalvalue_get_x(v); break;
        default: s = icalvalue_as_ical_string(v); break;
    }
    return s != nullptr ? std::string(s) : std::string();
}

}  // namespace cosmo::ical::detail
