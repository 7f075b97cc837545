// ical::busy_periods and ical::free_busy_report: the free-busy-query REPORT
// (RFC 4791 §7.10) over stored objects, typed per RFC 5545 §3.2.9 (FBTYPE)
// and merged per type (RFC 5545 §3.8.2.6: periods SHOULD be coalesced).

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>
#include <utility>

#include "cosmo/ical/freebusy.hpp"
#include "detail.hpp"
#include "occurrence.hpp"

namespace cosmo::ical {
namespace {

using detail::iequals;
using Span = std::pair<TimePoint, TimePoint>;

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

// RFC 5545 §3.2.9: BUSY-* or an x-name/iana-token; anything else is not
// copied into the response line.
bool is_fbtype_name(std::string_view name) {
    return !name.empty() && name.size() <= 64 &&
           std::all_of(name.begin(), name.end(), [](unsigned char c) {
               return std::isalnum(c) || c == '-';
           });
}

// RFC 4791 §7.10: opaque, not cancelled events are busy; TENTATIVE ones
// tentatively so. TRANSP and STATUS are read per instance's own component.
std::optional<std::string> event_fbtype(icalcomponent* c) {
    if (iequals(detail::text_of(c, ICAL_TRANSP_PROPERTY), "TRANSPARENT") ||
        iequals(detail::text_of(c, ICAL_STATUS_PROPERTY), "CANCELLED")) {
        return std::nullopt;
    }
    if (iequals(detail::text_of(c, ICAL_STATUS_PROPERTY), "TENTATIVE")) {
        return std::string("BUSY-TENTATIVE");
    }
    return std::string("BUSY");
}

class Collector {
public:
    Collector(TimePoint start, TimePoint end) : start_(start), end_(end) {}

    void add(const std::string& fbtype, TimePoint s, TimePoint e) {
        s = std::max(s, start_);
        e = std::min(e, end_);
        if (s < e) {
            by_type_[fbtype].emplace_back(s, e);
        }
    }

    void add_object(std::string_view text, std::string_view default_tzid,
                    std::size_t max_instances) {
        // Busy time needs only the time lines (parse_times): about a third
        // of a typical object's, and no alarms or attendees.
        const ParseResult parsed = parse_times(text);
        if (!parsed.ok()) {
            return;  // a stored object that no longer parses never fails the report
        }
        const detail::CalendarImpl& calendar = parsed.calendar->impl();
        const detail::Resolver resolver(calendar, default_tzid);
        for (const detail::Occurrence& o :
             detail::all_occurrences(calendar, resolver, start_, end_, max_instances)) {
            if (icalcomponent_isa(o.component) != ICAL_VEVENT_COMPONENT) {
                continue;
            }
            if (const auto fbtype = event_fbtype(o.component)) {
                add(*fbtype, o.instance.start, o.instance.end);
            }
        }
        for (icalcomponent* fb :
             detail::children_of(calendar.root.get(), ICAL_VFREEBUSY_COMPONENT)) {
            add_freebusy(fb, resolver);
        }
    }

    // Per type: sorted, overlapping or touching periods merged; then all
    // types together sorted by start.
    std::vector<BusyPeriod> merged() {
        std::vector<BusyPeriod> out;
        for (auto& [fbtype, spans] : by_type_) {
            std::sort(spans.begin(), spans.end());
            Span current = spans.front();
            for (std::size_t i = 1; i < spans.size(); ++i) {
                if (spans[i].first <= current.second) {
                    current.second = std::max(current.second, spans[i].second);
                } else {
                    out.push_back({current.first, current.second, fbtype});
                    current = spans[i];
                }
            }
            out.push_back({current.first, current.second, fbtype});
        }
        std::sort(out.begin(), out.end(), [](const BusyPeriod& a, const BusyPeriod& b) {
            return std::tie(a.start, a.end, a.fbtype) < std::tie(b.start, b.end, b.fbtype);
        });
        return out;
    }

private:
    // RFC 5545 §3.8.2.6: FBTYPE defaults to BUSY; FREE time is not busy.
    void add_freebusy(icalcomponent* fb, const detail::Resolver& resolver) {
        for (icalproperty* p : detail::properties_of(fb, ICAL_FREEBUSY_PROPERTY)) {
            const char* type = icalproperty_get_parameter_as_string(p, "FBTYPE");
            const std::string fbtype = type != nullptr ? upper(type) : std::string("BUSY");
            if (fbtype == "FREE" || !is_fbtype_name(fbtype)) {
                continue;
            }
            const icalperiodtype period = icalproperty_get_freebusy(p);
            if (icaltime_is_null_time(period.start)) {
                continue;
            }
            icaltimezone* zone = resolver.zone_for(p, period.start);
            const TimePoint s = detail::to_utc(period.start, zone);
            const TimePoint e =
                icaltime_is_null_time(period.end)
                    ? detail::saturating_add(s, icaldurationtype_as_int(period.duration))
                    : detail::to_utc(period.end, zone);
            add(fbtype, s, e);
        }
    }

    TimePoint start_;
    TimePoint end_;
    std::map<std::string, std::vector<Span>> by_type_;
};

std::string utc_text(TimePoint t) {
    const icaltimetype v = detail::from_utc(t, false, detail::utc_zone());
    char* s = icaltime_as_ical_string_r(v);
    std::string out = s != nullptr ? s : "";
    icalmemory_free_buffer(s);
    return out;
}

}  // namespace

std::vector<BusyPeriod> busy_periods(const std::vector<std::string_view>& stored_objects,
                                     TimePoint start, TimePoint end,
                                     std::string_view default_tzid, std::size_t max_instances) {
    detail::ensure_initialized();
    Collector collector(start, end);
    for (std::string_view text : stored_objects) {
        collector.add_object(text, default_tzid, max_instances);
    }
    return collector.merged();
}

std::vector<BusyPeriod> merge_busy_periods(const std::vector<BusyPeriod>& periods,
                                           TimePoint start, TimePoint end) {
    Collector collector(start, end);
    for (const BusyPeriod& p : periods) collector.add(p.fbtype, p.start, p.end);
    return collector.merged();
}

std::string free_busy_body(const std::vector<BusyPeriod>& periods, TimePoint start,
                           TimePoint end, std::optional<TimePoint> dtstamp) {
    const TimePoint stamp =
        dtstamp.value_or(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    std::string out =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Cosmo//CalDAV Server//EN\r\n"
        "BEGIN:VFREEBUSY\r\n";
    out += "DTSTAMP:" + utc_text(stamp) + "\r\n";
    out += "DTSTART:" + utc_text(start) + "\r\n";
    out += "DTEND:" + utc_text(end) + "\r\n";
    for (const BusyPeriod& b : periods) {
        out += "FREEBUSY";
        if (b.fbtype != "BUSY") {
            out += ";FBTYPE=" + b.fbtype;
        }
        out += ":" + utc_text(b.start) + "/" + utc_text(b.end) + "\r\n";
    }
    out += "END:VFREEBUSY\r\nEND:VCALENDAR\r\n";
    return out;
}

std::string free_busy_report(const std::vector<std::string_view>& stored_objects,
                             TimePoint start, TimePoint end, std::string_view default_tzid,
                             std::optional<TimePoint> dtstamp) {
    return free_busy_body(busy_periods(stored_objects, start, end, default_tzid), start, end,
                          dtstamp);
}

}  // namespace cosmo::ical
