#pragma once
// Internals of cosmo_ical: RAII over libical, the calendar's own time zones,
// time conversion and the RFC 4791 §9.9 extent of one component. Only
// src/ical includes this file; libical types never leave the module.

#include <libical/ical.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cosmo/ical/calendar.hpp"
#include "cosmo/ical/expand.hpp"

namespace cosmo::ical::detail {

struct ComponentDeleter {
    void operator()(icalcomponent* c) const noexcept { icalcomponent_free(c); }
};
/// Owns a libical tree.
using ComponentPtr = std::unique_ptr<icalcomponent, ComponentDeleter>;

struct ZoneDeleter {
    void operator()(icaltimezone* z) const noexcept { icaltimezone_free(z, 1); }
};
/// Owns an icaltimezone and its VTIMEZONE component.
using ZonePtr = std::unique_ptr<icaltimezone, ZoneDeleter>;

struct RecurDeleter {
    void operator()(icalrecur_iterator* r) const noexcept { icalrecur_iterator_free(r); }
};
/// Owns a recurrence iterator.
using RecurPtr = std::unique_ptr<icalrecur_iterator, RecurDeleter>;

/// A zone that may be shared by many parsed calendars (see shared_zone).
using SharedZone = std::shared_ptr<icaltimezone>;

/// The parsed tree and one icaltimezone per VTIMEZONE in it, keyed by TZID.
struct CalendarImpl {
    ComponentPtr root;
    std::map<std::string, SharedZone, std::less<>> zones;
};

/// The icaltimezone for a VTIMEZONE component, shared by every calendar that
/// carries the same VTIMEZONE text (timezone.cpp). libical expands a zone's
/// transitions on its first conversion, through ICU, from the zone's first
/// DTSTART on: about 1 ms per zone, which a fresh zone per parsed object paid
/// on every read. Sharing keeps the expansion once per distinct definition,
/// and keying by the exact text keeps the object's own rules (RFC 5545
/// §3.2.19). nullptr when the component is not a usable VTIMEZONE. With
/// source, the component's own lines as parsed (BEGIN to END), the key is
/// that text; without, libical writes the component out to make the key,
/// which costs about as much as parsing a small event.
SharedZone shared_zone(icalcomponent* vtimezone, std::string_view source = {});
/// The zone shared_zone keeps for this exact VTIMEZONE text, if it has one:
/// such a component need not be parsed again (parse_times).
SharedZone cached_shared_zone(std::string_view source);

/// libical set-up, once per process (timezone.cpp).
void ensure_initialized();
/// libical's UTC zone.
icaltimezone* utc_zone();
/// A TZID resolved without the object's VTIMEZONEs (IANA, alias, Windows), or nullptr.
icaltimezone* system_zone(std::string_view tzid);

/// How times are read in one calendar: its zones plus the zone for floating times.
class Resolver {
public:
    /// default_tzid resolves like a TZID; empty or unknown means UTC.
    Resolver(const CalendarImpl& calendar, std::string_view default_tzid);

    /// The zone a TZID names: the object's VTIMEZONE first, then the system's
    /// zones; an unknown TZID reads like a floating time (never fails).
    icaltimezone* zone_for_tzid(std::string_view tzid) const;
    /// The zone of a DATE or DATE-TIME value of a property: UTC for "Z", the
    /// TZID parameter if any, else the floating zone (RFC 4791 §9.9).
    icaltimezone* zone_for(icalproperty* property, const icaltimetype& value) const;
    /// Zone used for floating times and dates.
    icaltimezone* floating() const { return floating_; }

private:
    const CalendarImpl& calendar_;
    icaltimezone* floating_;
};

/// Wall-clock time in a zone (is_date: midnight) as a UTC point.
TimePoint to_utc(icaltimetype local, icaltimezone* zone);
/// A UTC point as wall-clock time in a zone.
icaltimetype from_utc(TimePoint t, bool is_date, icaltimezone* zone);
/// a + b without overflow past kMinTime/kMaxTime.
TimePoint saturating_add(TimePoint a, std::int64_t seconds);
/// Days since the epoch of a calendar date (for DATE comparisons).
std::int64_t day_number(const icaltimetype& t);

/// How an instance's end follows from its start: nominal days in the start's
/// zone (RFC 5545 §3.3.6 dur-day/dur-week), then exact seconds.
struct Length {
    int days = 0;
    std::int64_t seconds = 0;
    bool is_zero() const { return days == 0 && seconds == 0; }
};

/// The RFC 4791 §9.9 span of one component as written.
struct Extent {
    bool matches_nothing = false;  ///< e.g. VJOURNAL without DTSTART
    /// Has a DTSTART that instances follow; else start/end are fixed.
    bool anchored = false;
    icaltimetype local_start{};    ///< DTSTART as written (anchored only)
    icaltimezone* zone = nullptr;  ///< DTSTART's zone (anchored only)
    Length length;                 ///< end = start + length (anchored only)
    TimePoint start = kMinTime;
    TimePoint end = kMaxTime;
    bool start_closed = false;
    bool end_closed = false;
};

/// The extent of a VEVENT, VTODO, VJOURNAL or VFREEBUSY (RFC 4791 §9.9 tables).
Extent extent_of(icalcomponent* component, const Resolver& resolver);
/// The end of an instance starting at local wall-clock time `local` in `zone`.
TimePoint end_of(const icaltimetype& local, icaltimezone* zone, const Length& length);

/// Calls f for every component in the tree, root included.
void for_each_component(icalcomponent* root, const std::function<void(icalcomponent*)>& f);
/// True for the four calendar component kinds of RFC 4791 §4.1.
bool is_calendar_component(icalcomponent_kind kind);
/// The value of a text property, or "" if absent.
std::string text_of(icalcomponent* component, icalproperty_kind kind);

/// Instances of every series in a calendar (series.cpp).
struct SeriesResult {
    std::vector<Instance> instances;  ///< unsorted; may exceed the cap by the overrides
    bool truncated = false;           ///< a cap stopped some master's iteration
    bool unbounded = false;           ///< some RRULE has neither COUNT nor UNTIL
    bool recurring = false;           ///< some master has RRULE or RDATE
};
/// Expands every calendar component overlapping [range_start, range_end);
/// per master, iteration stops after more than max_instances matches. With
/// only_uid, just the series of that UID (so instances map back to components).
SeriesResult expand_all(const CalendarImpl& calendar, const Resolver& resolver,
                        TimePoint range_start, TimePoint range_end, std::size_t max_instances,
                        const std::string* only_uid = nullptr);

}  // namespace cosmo::ical::detail
