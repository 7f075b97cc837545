// ical::render_calendar_data: the CALDAV:calendar-data view of a stored
// object (RFC 4791 §9.6). Works on a private parse of the stored text, so the
// tree may be edited in place before it is serialised again.

#include <algorithm>
#include <set>

#include "cosmo/ical/calendar_data.hpp"
#include "detail.hpp"
#include "occurrence.hpp"

namespace cosmo::ical {
namespace {

using detail::iequals;


bool has_name(const std::vector<std::string>& names, std::string_view name) {
    return std::any_of(names.begin(), names.end(),
                       [&](const std::string& n) { return iequals(n, name); });
}

void remove_properties(icalcomponent* c, icalproperty_kind kind) {
    for (icalproperty* p : detail::properties_of(c, kind)) {
        icalcomponent_remove_property(c, p);
        icalproperty_free(p);
    }
}

void remove_component(icalcomponent* parent, icalcomponent* child) {
    icalcomponent_remove_component(parent, child);
    icalcomponent_free(child);
}

// Sets a DATE-TIME property to a UTC value, or a DATE property to the date
// that `t` falls on in the floating zone; drops TZID (RFC 4791 §9.6.5).
void set_time(icalcomponent* c, icalproperty_kind kind, TimePoint t, bool is_date,
              const detail::Resolver& resolver) {
    icalproperty* p = icalcomponent_get_first_property(c, kind);
    if (p == nullptr) {
        p = icalproperty_new(kind);
        icalcomponent_add_property(c, p);
    }
    icalproperty_remove_parameter_by_kind(p, ICAL_TZID_PARAMETER);
    if (is_date) {
        const icaltimetype v = detail::from_utc(t, true, resolver.floating());
        icalproperty_set_value(p, icalvalue_new_date(v));
        icalproperty_set_parameter(p, icalparameter_new_value(ICAL_VALUE_DATE));
    } else {
        icalproperty_remove_parameter_by_kind(p, ICAL_VALUE_PARAMETER);
        icalproperty_set_value(p, icalvalue_new_datetime(
                                      detail::from_utc(t, false, detail::utc_zone())));
    }
}

std::optional<icaltimetype> time_value(icalcomponent* c, icalproperty_kind kind) {
    icalproperty* p = icalcomponent_get_first_property(c, kind);
    if (p == nullptr) {
        return std::nullopt;
    }
    const icalvalue* v = icalproperty_get_value(p);
    if (v == nullptr) {
        return std::nullopt;
    }
    const icalvalue_kind vk = icalvalue_isa(v);
    if (vk != ICAL_DATETIME_VALUE && vk != ICAL_DATE_VALUE) {
        return std::nullopt;
    }
    const icaltimetype t = vk == ICAL_DATE_VALUE ? icalvalue_get_date(v)
                                                 : icalvalue_get_datetime(v);
    if (icaltime_is_null_time(t)) {
        return std::nullopt;
    }
    return t;
}

// Rewrites a time property in UTC where it is a local or floating DATE-TIME.
void property_to_utc(icalcomponent* c, icalproperty_kind kind, const detail::Resolver& resolver) {
    icalproperty* p = icalcomponent_get_first_property(c, kind);
    const auto t = time_value(c, kind);
    if (!t || t->is_date) {
        return;
    }
    set_time(c, kind, detail::to_utc(*t, resolver.zone_for(p, *t)), false, resolver);
}

// One instance as a stand-alone component (RFC 4791 §9.6.5): the producing
// component's properties with the instance's own times and RECURRENCE-ID.
icalcomponent* instance_component(const detail::Occurrence& o,
                                  const detail::Resolver& resolver) {
    icalcomponent* c = icalcomponent_new_clone(o.component);
    for (icalproperty_kind kind :
         {ICAL_RRULE_PROPERTY, ICAL_RDATE_PROPERTY, ICAL_EXDATE_PROPERTY, ICAL_EXRULE_PROPERTY}) {
        remove_properties(c, kind);
    }
    const Instance& i = o.instance;
    const auto dtstart = time_value(c, ICAL_DTSTART_PROPERTY);
    const bool all_day = dtstart && dtstart->is_date;
    if (dtstart || !i.is_override) {
        if (dtstart) {
            set_time(c, ICAL_DTSTART_PROPERTY, i.start, all_day, resolver);
        }
        if (const auto dtend = time_value(c, ICAL_DTEND_PROPERTY)) {
            set_time(c, ICAL_DTEND_PROPERTY, i.end, dtend->is_date, resolver);
        }
        if (const auto due = time_value(c, ICAL_DUE_PROPERTY)) {
            if (dtstart) {
                set_time(c, ICAL_DUE_PROPERTY, i.end, due->is_date, resolver);
            } else {
                property_to_utc(c, ICAL_DUE_PROPERTY, resolver);
            }
        }
    } else {
        // An override without DTSTART keeps the original start and length.
        set_time(c, ICAL_DTSTART_PROPERTY, i.start, false, resolver);
        property_to_utc(c, ICAL_DTEND_PROPERTY, resolver);
        property_to_utc(c, ICAL_DUE_PROPERTY, resolver);
    }
    if (i.recurrence_id) {
        const auto rid = time_value(c, ICAL_RECURRENCEID_PROPERTY);
        const bool rid_is_date = rid ? rid->is_date : all_day;
        set_time(c, ICAL_RECURRENCEID_PROPERTY, *i.recurrence_id, rid_is_date, resolver);
        if (icalproperty* p = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY)) {
            icalproperty_remove_parameter_by_kind(p, ICAL_RANGE_PARAMETER);
        }
    }
    return c;
}

// RFC 4791 §9.6.5: a new VCALENDAR with the calendar properties, every
// instance overlapping the range, no VTIMEZONE.
detail::ComponentPtr expanded(const detail::CalendarImpl& calendar,
                              const detail::Resolver& resolver, const TimeRange& range,
                              std::size_t max_instances) {
    icalcomponent* root = calendar.root.get();
    detail::ComponentPtr out(icalcomponent_new(ICAL_VCALENDAR_COMPONENT));
    for (icalproperty* p : detail::properties_of(root, ICAL_ANY_PROPERTY)) {
        icalcomponent_add_property(out.get(), icalproperty_new_clone(p));
    }
    const std::vector<detail::Occurrence> found = detail::all_occurrences(
        calendar, resolver, range.start.value_or(kMinTime), range.end.value_or(kMaxTime),
        max_instances);
    for (const detail::Occurrence& o : found) {
        icalcomponent_add_component(out.get(), instance_component(o, resolver));
    }
    for (icalcomponent* c : detail::children_of(root, ICAL_ANY_COMPONENT)) {
        const icalcomponent_kind kind = icalcomponent_isa(c);
        if (kind != ICAL_VTIMEZONE_COMPONENT && !detail::is_calendar_component(kind)) {
            icalcomponent_add_component(out.get(), icalcomponent_new_clone(c));
        }
    }
    return out;
}

// RFC 4791 §9.6.6: masters stay; an override stays when its own instance
// overlaps the range, or when it is THISANDFUTURE from before the range end
// (it then shapes instances that may overlap).
void limit_recurrence_set(const detail::CalendarImpl& calendar,
                          const detail::Resolver& resolver, const TimeRange& range,
                          std::size_t max_instances) {
    const TimePoint rs = range.start.value_or(kMinTime);
    const TimePoint re = range.end.value_or(kMaxTime);
    std::set<icalcomponent*> keep;
    for (const detail::Occurrence& o :
         detail::all_occurrences(calendar, resolver, rs, re, max_instances)) {
        keep.insert(o.component);
    }
    icalcomponent* root = calendar.root.get();
    for (icalcomponent* c : detail::children_of(root, ICAL_ANY_COMPONENT)) {
        if (!detail::is_calendar_component(icalcomponent_isa(c)) || keep.count(c) != 0) {
            continue;
        }
        icalproperty* rid = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
        if (rid == nullptr) {
            continue;
        }
        icalparameter* p = icalproperty_get_first_parameter(rid, ICAL_RANGE_PARAMETER);
        const bool future = p != nullptr && icalparameter_get_range(p) == ICAL_RANGE_THISANDFUTURE;
        const auto when = detail::recurrence_id_of(c, resolver);
        if (future && when && *when < re) {
            continue;
        }
        remove_component(root, c);
    }
}

// RFC 4791 §9.6.7: only FREEBUSY periods overlapping the range remain.
void limit_freebusy_set(icalcomponent* root, const TimeRange& range) {
    const TimePoint rs = range.start.value_or(kMinTime);
    const TimePoint re = range.end.value_or(kMaxTime);
    for (icalcomponent* fb : detail::children_of(root, ICAL_VFREEBUSY_COMPONENT)) {
        for (icalproperty* p : detail::properties_of(fb, ICAL_FREEBUSY_PROPERTY)) {
            const icalperiodtype period = icalproperty_get_freebusy(p);
            const TimePoint ps = detail::to_utc(period.start, detail::utc_zone());
            const TimePoint pe =
                icaltime_is_null_time(period.end)
                    ? detail::saturating_add(ps, icaldurationtype_as_int(period.duration))
                    : detail::to_utc(period.end, detail::utc_zone());
            if (!(rs < pe && re > ps)) {
                icalcomponent_remove_property(fb, p);
                icalproperty_free(p);
            }
        }
    }
}

// RFC 4791 §9.6.4 novalue="yes": the property with its parameters, no value.
void clear_value(icalcomponent* c, icalproperty* p) {
    const char* name = icalproperty_get_property_name(p);
    icalproperty* bare = icalproperty_new_x("");
    icalproperty_set_x_name(bare, name != nullptr ? name : "X-UNKNOWN");
    for (icalparameter* a = icalproperty_get_first_parameter(p, ICAL_ANY_PARAMETER);
         a != nullptr; a = icalproperty_get_next_parameter(p, ICAL_ANY_PARAMETER)) {
        icalproperty_add_parameter(bare, icalparameter_new_clone(a));
    }
    icalcomponent_add_property(c, bare);
    icalcomponent_remove_property(c, p);
    icalproperty_free(p);
}

// RFC 4791 §9.6.1-§9.6.4, applied to a component the selector names.
void select(icalcomponent* c, const CompSelector& s) {
    if (!s.all_props) {
        for (icalproperty* p : detail::properties_of(c, ICAL_ANY_PROPERTY)) {
            const char* raw = icalproperty_get_property_name(p);
            const std::string name = raw != nullptr ? raw : "";
            if (has_name(s.novalue_props, name)) {
                clear_value(c, p);
            } else if (!has_name(s.props, name)) {
                icalcomponent_remove_property(c, p);
                icalproperty_free(p);
            }
        }
    }
    if (!s.all_comps) {
        for (icalcomponent* child : detail::children_of(c, ICAL_ANY_COMPONENT)) {
            const std::string name = detail::component_name(child);
            const auto sub = std::find_if(s.comps.begin(), s.comps.end(),
                                          [&](const CompSelector& x) {
                                              return !name.empty() && iequals(x.name, name);
                                          });
            if (sub == s.comps.end()) {
                remove_component(c, child);
            } else {
                select(child, *sub);
            }
        }
    }
}

std::string serialize(icalcomponent* root) {
    char* text = icalcomponent_as_ical_string_r(root);
    if (text == nullptr) {
        return {};
    }
    std::string out(text);
    icalmemory_free_buffer(text);
    return out;
}

}  // namespace

bool is_whole_object(const CalendarDataRequest& request) {
    // <C:comp name="VCALENDAR"><C:allprop/><C:allcomp/></C:comp> is everything too.
    const bool selects_all = !request.comp || !iequals(request.comp->name, "VCALENDAR") ||
                             (request.comp->all_props && request.comp->all_comps);
    return selects_all && !request.expand && !request.limit_recurrence_set &&
           !request.limit_freebusy_set;
}

std::string render_calendar_data(std::string_view stored_text,
                                 const CalendarDataRequest& request,
                                 std::string_view default_tzid, std::size_t max_instances) {
    if (is_whole_object(request)) {
        return std::string(stored_text);
    }
    ParseResult parsed = parse(stored_text);
    if (!parsed.ok()) {
        return std::string(stored_text);
    }
    const detail::CalendarImpl& calendar = parsed.calendar->impl();
    const detail::Resolver resolver(calendar, default_tzid);
    detail::ComponentPtr expanded_root;
    icalcomponent* root = calendar.root.get();
    if (request.expand) {
        expanded_root = expanded(calendar, resolver, *request.expand, max_instances);
        root = expanded_root.get();
    } else if (request.limit_recurrence_set) {
        limit_recurrence_set(calendar, resolver, *request.limit_recurrence_set, max_instances);
    }
    if (request.limit_freebusy_set) {
        limit_freebusy_set(root, *request.limit_freebusy_set);
    }
    if (request.comp && iequals(request.comp->name, "VCALENDAR")) {  // else: everything
        select(root, *request.comp);
    }
    return serialize(root);
}

}  // namespace cosmo::ical
