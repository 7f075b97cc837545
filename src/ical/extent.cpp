// Time conversion and the RFC 4791 §9.9 extent of one component: which
// properties bound it (DTEND, DURATION, DUE, COMPLETED, CREATED, or none)
// and whether each end of the span is open or closed.

#include <algorithm>
#include <limits>
#include <optional>

#include "detail.hpp"

namespace cosmo::ical::detail {
namespace {

// time_t limits libical handles: 0001-01-01 .. 9999-12-31T23:59:59Z.
constexpr std::int64_t kEarliest = -62135596800;
constexpr std::int64_t kLatest = 253402300799;

struct TimeProp {
    icalproperty* property;
    icaltimetype value;
};

std::optional<TimeProp> time_prop(icalcomponent* c, icalproperty_kind kind) {
    icalproperty* p = icalcomponent_get_first_property(c, kind);
    if (p == nullptr) {
        return std::nullopt;
    }
    icaltimetype t = icaltime_null_time();
    switch (kind) {
        case ICAL_DTSTART_PROPERTY: t = icalproperty_get_dtstart(p); break;
        case ICAL_DTEND_PROPERTY: t = icalproperty_get_dtend(p); break;
        case ICAL_DUE_PROPERTY: t = icalproperty_get_due(p); break;
        case ICAL_COMPLETED_PROPERTY: t = icalproperty_get_completed(p); break;
        case ICAL_CREATED_PROPERTY: t = icalproperty_get_created(p); break;
        default: return std::nullopt;
    }
    if (icaltime_is_null_time(t) || !icaltime_is_valid_time(t)) {
        return std::nullopt;
    }
    return TimeProp{p, t};
}

TimePoint utc_of(const TimeProp& tp, const Resolver& r) {
    return to_utc(tp.value, r.zone_for(tp.property, tp.value));
}

// DTEND/DUE minus DTSTART: whole days for two dates (an all-day event keeps
// its day count across DST), exact seconds otherwise. Never negative.
Length length_between(const TimeProp& start, const TimeProp& end, const Resolver& r) {
    Length len;
    if (start.value.is_date && end.value.is_date) {
        len.days = static_cast<int>(std::max<std::int64_t>(
            0, day_number(end.value) - day_number(start.value)));
    } else {
        len.seconds = std::max<std::int64_t>(0, (utc_of(end, r) - utc_of(start, r)).count());
    }
    return len;
}

// RFC 5545 §3.3.6: days and weeks are nominal, hours/minutes/seconds exact.
std::optional<Length> duration_of(icalcomponent* c) {
    icalproperty* p = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
    if (p == nullptr) {
        return std::nullopt;
    }
    const icaldurationtype d = icalproperty_get_duration(p);
    Length len;
    if (d.is_neg == 0) {
        len.days = static_cast<int>(d.days + 7 * d.weeks);
        len.seconds = static_cast<std::int64_t>(d.hours) * 3600 + d.minutes * 60 + d.seconds;
    }
    return len;
}

Extent anchored(const TimeProp& start, const Resolver& r, Length length) {
    Extent e;
    e.anchored = true;
    e.local_start = start.value;
    e.zone = r.zone_for(start.property, start.value);
    e.length = length;
    e.start = to_utc(start.value, e.zone);
    e.end = end_of(start.value, e.zone, length);
    return e;
}

Extent fixed(TimePoint start, TimePoint end, bool start_closed, bool end_closed) {
    Extent e;
    e.start = start;
    e.end = end;
    e.start_closed = start_closed;
    e.end_closed = end_closed;
    return e;
}

Extent nothing() {
    Extent e;
    e.matches_nothing = true;
    return e;
}

// RFC 4791 §9.9, VEVENT table.
Extent event_extent(icalcomponent* c, const Resolver& r) {
    const auto start = time_prop(c, ICAL_DTSTART_PROPERTY);
    if (!start) {
        return nothing();  // invalid without METHOD (RFC 5545 §3.6.1); validate refuses it
    }
    Length len;
    if (const auto end = time_prop(c, ICAL_DTEND_PROPERTY)) {
        len = length_between(*start, *end, r);
    } else if (const auto dur = duration_of(c)) {
        len = *dur;
    } else if (start->value.is_date) {
        len.days = 1;  // an all-day event with no DTEND lasts one day
    }
    Extent e = anchored(*start, r, len);
    // Zero length: (start <= DTSTART AND end > DTSTART).
    e.end_closed = len.is_zero();
    return e;
}

// RFC 4791 §9.9, VTODO table, row by row.
Extent todo_extent(icalcomponent* c, const Resolver& r) {
    const auto start = time_prop(c, ICAL_DTSTART_PROPERTY);
    const auto due = time_prop(c, ICAL_DUE_PROPERTY);
    const auto dur = duration_of(c);
    if (start) {
        if (dur) {
            // (start <= DTSTART+DURATION) AND ((end > DTSTART) OR (end >= DTSTART+DURATION))
            Extent e = anchored(*start, r, *dur);
            e.end_closed = true;
            e.start_closed = dur->is_zero();
            return e;
        }
        if (due) {
            // ((start < DUE) OR (start <= DTSTART)) AND ((end > DTSTART) OR (end >= DUE))
            Extent e = anchored(*start, r, length_between(*start, *due, r));
            e.start_closed = e.end_closed = e.length.is_zero();
            return e;
        }
        // (start <= DTSTART) AND (end > DTSTART)
        Extent e = anchored(*start, r, {});
        e.end_closed = true;
        return e;
    }
    if (due) {
        // (start < DUE) AND (end >= DUE)
        const TimePoint t = utc_of(*due, r);
        return fixed(t, t, true, false);
    }
    const auto completed = time_prop(c, ICAL_COMPLETED_PROPERTY);
    const auto created = time_prop(c, ICAL_CREATED_PROPERTY);
    if (completed && created) {
        // ((start <= CREATED) OR (start <= COMPLETED)) AND ((end >= CREATED) OR (end >= COMPLETED))
        const TimePoint a = utc_of(*created, r);
        const TimePoint b = utc_of(*completed, r);
        return fixed(std::min(a, b), std::max(a, b), true, true);
    }
    if (completed) {
        // (start <= COMPLETED) AND (end >= COMPLETED)
        const TimePoint t = utc_of(*completed, r);
        return fixed(t, t, true, true);
    }
    if (created) {
        // (end > CREATED)
        return fixed(utc_of(*created, r), kMaxTime, false, true);
    }
    return fixed(kMinTime, kMaxTime, true, true);  // matches every range
}

// RFC 4791 §9.9, VJOURNAL: a DATE-TIME is an instant, a DATE one day, none nothing.
Extent journal_extent(icalcomponent* c, const Resolver& r) {
    const auto start = time_prop(c, ICAL_DTSTART_PROPERTY);
    if (!start) {
        return nothing();
    }
    Length len;
    len.days = start->value.is_date ? 1 : 0;
    Extent e = anchored(*start, r, len);
    e.end_closed = len.is_zero();
    return e;
}

// RFC 4791 §9.9, VFREEBUSY with DTSTART and DTEND: (start <= DTEND) AND (end > DTSTART).
// FREEBUSY periods without DTSTART/DTEND are not used (they match nothing here).
Extent freebusy_extent(icalcomponent* c, const Resolver& r) {
    const auto start = time_prop(c, ICAL_DTSTART_PROPERTY);
    const auto end = time_prop(c, ICAL_DTEND_PROPERTY);
    if (!start || !end) {
        return nothing();
    }
    return fixed(utc_of(*start, r), std::max(utc_of(*start, r), utc_of(*end, r)), false, true);
}

}  // namespace

TimePoint to_utc(icaltimetype local, icaltimezone* zone) {
    if (local.is_date) {
        local.hour = local.minute = local.second = 0;
    }
    local.is_date = 0;
    const auto t = static_cast<std::int64_t>(icaltime_as_timet_with_zone(local, zone));
    return TimePoint(std::chrono::seconds(t));
}

icaltimetype from_utc(TimePoint t, bool is_date, icaltimezone* zone) {
    const std::int64_t s = std::clamp<std::int64_t>(t.time_since_epoch().count(), kEarliest,
                                                    kLatest);
    return icaltime_from_timet_with_zone(static_cast<time_t>(s), is_date ? 1 : 0, zone);
}

TimePoint saturating_add(TimePoint a, std::int64_t seconds) {
    const std::int64_t v = a.time_since_epoch().count();
    std::int64_t out = 0;
    if (__builtin_add_overflow(v, seconds, &out)) {
        return seconds > 0 ? kMaxTime : kMinTime;
    }
    return TimePoint(std::chrono::seconds(out));
}

std::int64_t day_number(const icaltimetype& t) {
    // Days from civil (H. Hinnant's algorithm), proleptic Gregorian.
    const std::int64_t y = t.year - (t.month <= 2 ? 1 : 0);
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t m = t.month;
    const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + t.day - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

TimePoint end_of(const icaltimetype& local, icaltimezone* zone, const Length& length) {
    icaltimetype t = local;
    if (length.days != 0) {
        icaltime_adjust(&t, length.days, 0, 0, 0);
    }
    return saturating_add(to_utc(t, zone), length.seconds);
}

Extent extent_of(icalcomponent* component, const Resolver& resolver) {
    switch (icalcomponent_isa(component)) {
        case ICAL_VEVENT_COMPONENT: return event_extent(component, resolver);
        case ICAL_VTODO_COMPONENT: return todo_extent(component, resolver);
        case ICAL_VJOURNAL_COMPONENT: return journal_extent(component, resolver);
        case ICAL_VFREEBUSY_COMPONENT: return freebusy_extent(component, resolver);
        default: return nothing();
    }
}

}  // namespace cosmo::ical::detail
