#pragma once
// Internals shared by filter.cpp, calendar_data.cpp and freebusy.cpp: the
// instances of a series attributed back to the component (master or
// override) that produced them, plus small libical iteration helpers.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detail.hpp"

namespace cosmo::ical::detail {

/// One instance and the component it comes from (a master or an override).
struct Occurrence {
    icalcomponent* component;
    Instance instance;
};

/// The instances of the series with this UID overlapping [range_start,
/// range_end), each with its component, sorted by start. With truncated,
/// sets it when max_instances cut the series short (it is never cleared).
std::vector<Occurrence> series_occurrences(const CalendarImpl& calendar, const Resolver& resolver,
                                           const std::string& uid, TimePoint range_start,
                                           TimePoint range_end, std::size_t max_instances,
                                           bool* truncated = nullptr);

/// series_occurrences for every UID in the calendar, sorted by start.
std::vector<Occurrence> all_occurrences(const CalendarImpl& calendar, const Resolver& resolver,
                                        TimePoint range_start, TimePoint range_end,
                                        std::size_t max_instances, bool* truncated = nullptr);

/// An override's RECURRENCE-ID in UTC, or nullopt for a master.
std::optional<TimePoint> recurrence_id_of(icalcomponent* component, const Resolver& resolver);

/// All properties of a kind (ICAL_ANY_PROPERTY for all), collected first:
/// libical keeps one iteration cursor per component, so nested loops clash.
std::vector<icalproperty*> properties_of(icalcomponent* component, icalproperty_kind kind);
/// All direct children of a kind (ICAL_ANY_COMPONENT for all), collected first.
std::vector<icalcomponent*> children_of(icalcomponent* component, icalcomponent_kind kind);

/// ASCII case-insensitive equality (iCalendar names are case-insensitive).
bool iequals(std::string_view a, std::string_view b);
/// The name of a component as written ("VEVENT"); "" for unnamed X-components.
std::string component_name(icalcomponent* component);
/// The unescaped value of a property as text (TEXT values without backslashes).
std::string value_text(icalproperty* property);

}  // namespace cosmo::ical::detail
