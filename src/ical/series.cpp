// The recurrence engine behind expand() and summarize(): one master
// (RRULE, RDATE, EXDATE) plus its overrides (RECURRENCE-ID), per UID.
// RFC 5545 §3.8.5 (recurrence), RFC 4791 §9.9 (matching) and CLIENTS.md
// §1.3 (override matching on DTSTART, DATE EXDATEs, the 400-days-back case).

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "detail.hpp"
#include "simple_recurrence.hpp"

namespace cosmo::ical::detail {
namespace {

// Iterator steps per series per call: a guard against rules like
// FREQ=SECONDLY that would otherwise keep one request busy for long.
constexpr std::size_t kMaxSteps = 200000;
constexpr std::int64_t kDay = 86400;

std::int64_t seconds_of(TimePoint t) { return t.time_since_epoch().count(); }

// b - a in seconds, saturating (spans may reach kMinTime/kMaxTime).
std::int64_t span(TimePoint a, TimePoint b) {
    std::int64_t out = 0;
    if (__builtin_sub_overflow(seconds_of(b), seconds_of(a), &out)) {
        return seconds_of(b) > seconds_of(a) ? INT64_MAX : INT64_MIN;
    }
    return out;
}

// All properties of a kind, collected first: libical keeps one iteration
// cursor per component, so nested loops over the same component clash.
std::vector<icalproperty*> properties(icalcomponent* c, icalproperty_kind kind) {
    std::vector<icalproperty*> out;
    for (icalproperty* p = icalcomponent_get_first_property(c, kind); p != nullptr;
         p = icalcomponent_get_next_property(c, kind)) {
        out.push_back(p);
    }
    return out;
}

struct Override {
    icalcomponent* component;
    TimePoint recurrence_id;
    bool this_and_future;
    Extent extent;
};

struct Series {
    icalcomponent* master = nullptr;
    std::vector<icalcomponent*> extra_masters;  // invalid, but expanded on their own
    std::vector<icalcomponent*> overrides;
};

class SeriesExpander {
public:
    SeriesExpander(const Resolver& r, TimePoint rs, TimePoint re, std::size_t max,
                   SeriesResult& out)
        : r_(r), rs_(rs), re_(re), max_(max), out_(out) {}

    void run(const Series& series) {
        load_overrides(series.overrides);
        if (series.master != nullptr) {
            expand_master(series.master);
        }
        emit_overrides();
    }

private:
    void load_overrides(const std::vector<icalcomponent*>& components) {
        for (icalcomponent* c : components) {
            icalproperty* p = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
            const icaltimetype t = icalproperty_get_recurrenceid(p);
            if (icaltime_is_null_time(t)) {
                continue;
            }
            Override o{c, to_utc(t, r_.zone_for(p, t)), false, extent_of(c, r_)};
            if (icalparameter* range = icalproperty_get_first_parameter(p, ICAL_RANGE_PARAMETER)) {
                o.this_and_future = icalparameter_get_range(range) == ICAL_RANGE_THISANDFUTURE;
            }
            overridden_.insert(seconds_of(o.recurrence_id));
            overrides_.push_back(std::move(o));
        }
        std::sort(overrides_.begin(), overrides_.end(),
                  [](const Override& a, const Override& b) {
                      return a.recurrence_id < b.recurrence_id;
                  });
    }

    void emit_overrides() {
        for (const Override& o : overrides_) {
            Instance i;
            i.recurrence_id = o.recurrence_id;
            i.is_override = true;
            if (o.extent.matches_nothing && has_master_) {
                // An override without DTSTART keeps the original time and length.
                i.start = o.recurrence_id;
                i.end = saturating_add(o.recurrence_id, master_seconds_);
                i.start_closed = master_.start_closed;
                i.end_closed = master_.end_closed;
            } else if (o.extent.matches_nothing) {
                continue;
            } else {
                i.start = o.extent.start;
                i.end = o.extent.end;
                i.start_closed = o.extent.start_closed;
                i.end_closed = o.extent.end_closed;
            }
            // Matched on its own DTSTART/DTEND, not its RECURRENCE-ID (CLIENTS.md §1.3).
            if (overlaps(i, rs_, re_)) {
                out_.instances.push_back(i);
            }
        }
    }

    void load_exdates(icalcomponent* master) {
        for (icalproperty* p : properties(master, ICAL_EXDATE_PROPERTY)) {
            const icaltimetype t = icalproperty_get_exdate(p);
            if (icaltime_is_null_time(t)) {
                continue;
            }
            // A DATE EXDATE on a DATE-TIME series removes that day's instance
            // (nextcloud/server#44600); so does any EXDATE on an all-day series.
            if (t.is_date || master_.local_start.is_date) {
                exdate_days_.insert(day_number(t));
            }
            if (!t.is_date) {
                exdate_points_.insert(seconds_of(to_utc(t, r_.zone_for(p, t))));
            }
        }
    }

    bool excluded(TimePoint start, const icaltimetype& local) const {
        return exdate_points_.count(seconds_of(start)) != 0 ||
               exdate_days_.count(day_number(local)) != 0;
    }

    // The latest THISANDFUTURE override before recid, if any (RFC 5545 §3.2.13).
    const Override* future_override(TimePoint recid) const {
        const Override* found = nullptr;
        for (const Override& o : overrides_) {
            if (o.recurrence_id >= recid) {
                break;
            }
            if (o.this_and_future && !o.extent.matches_nothing && o.extent.anchored) {
                found = &o;
            }
        }
        return found;
    }

    // One candidate instance of the master at local time `local` in `zone`.
    // Returns false once the cap is reached.
    bool consider(const icaltimetype& local, icaltimezone* zone, TimePoint start,
                  std::optional<TimePoint> period_end) {
        if (excluded(start, local) || overridden_.count(seconds_of(start)) != 0) {
            return true;
        }
        Instance i;
        i.start = start;
        i.end = period_end ? std::max(start, *period_end) : end_of(local, zone, master_.length);
        i.start_closed = master_.start_closed;
        i.end_closed = period_end ? *period_end == start : master_.end_closed;
        if (recurring_) {
            i.recurrence_id = start;
        }
        if (const Override* o = future_override(start)) {
            // Shift by the override's move and give it the override's length.
            i.start = saturating_add(start, span(o->recurrence_id, o->extent.start));
            i.end = saturating_add(i.start, span(o->extent.start, o->extent.end));
            i.start_closed = o->extent.start_closed;
            i.end_closed = o->extent.end_closed;
        }
        if (!overlaps(i, rs_, re_)) {
            return true;
        }
        out_.instances.push_back(i);
        return ++matched_ <= max_;
    }

    void expand_master(icalcomponent* master) {
        master_ = extent_of(master, r_);
        if (master_.matches_nothing) {
            return;
        }
        has_master_ = true;
        master_seconds_ = span(master_.start, master_.end);
        if (!master_.anchored) {
            Instance i{master_.start, master_.end, std::nullopt, false, master_.start_closed,
                       master_.end_closed};
            if (overlaps(i, rs_, re_)) {
                out_.instances.push_back(i);
            }
            return;
        }
        icalproperty* rrule = icalcomponent_get_first_property(master, ICAL_RRULE_PROPERTY);
        const std::vector<icalproperty*> rdates = properties(master, ICAL_RDATE_PROPERTY);
        recurring_ = rrule != nullptr || !rdates.empty();
        out_.recurring = out_.recurring || recurring_;
        load_exdates(master);

        // DTSTART is always the first instance (RFC 5545 §3.8.5.3); RDATEs add
        // instances with their own zone and, for PERIOD values, their own end.
        std::set<std::int64_t> explicit_starts;
        explicit_starts.insert(seconds_of(master_.start));
        if (!consider(master_.local_start, master_.zone, master_.start, std::nullopt)) {
            out_.truncated = true;
            return;
        }
        for (icalproperty* p : rdates) {
            const icaldatetimeperiodtype v = icalproperty_get_rdate(p);
            icaltimetype local = v.time;
            std::optional<TimePoint> end;
            if (icaltime_is_null_time(local)) {
                local = v.period.start;
                if (icaltime_is_null_time(local)) {
                    continue;
                }
                icaltimezone* zone = r_.zone_for(p, local);
                end = icaltime_is_null_time(v.period.end)
                          ? end_of(local, zone, duration_length(v.period.duration))
                          : to_utc(v.period.end, zone);
            }
            icaltimezone* zone = r_.zone_for(p, local);
            const TimePoint start = to_utc(local, zone);
            if (!explicit_starts.insert(seconds_of(start)).second) {
                continue;
            }
            if (!consider(local, zone, start, end)) {
                out_.truncated = true;
                return;
            }
        }
        if (rrule != nullptr) {
            expand_rrule(icalproperty_get_rrule(rrule), explicit_starts);
        }
    }

    static bool is_sub_daily(const icalrecurrencetype& rule) {
        return rule.freq == ICAL_SECONDLY_RECURRENCE || rule.freq == ICAL_MINUTELY_RECURRENCE ||
               rule.freq == ICAL_HOURLY_RECURRENCE;
    }

    static bool has_by_parts(const icalrecurrencetype& rule) {
        constexpr short kEmpty = ICAL_RECURRENCE_ARRAY_MAX;
        return rule.by_second[0] != kEmpty || rule.by_minute[0] != kEmpty ||
               rule.by_hour[0] != kEmpty || rule.by_day[0] != kEmpty ||
               rule.by_month_day[0] != kEmpty || rule.by_year_day[0] != kEmpty ||
               rule.by_week_no[0] != kEmpty || rule.by_month[0] != kEmpty ||
               rule.by_set_pos[0] != kEmpty;
    }

    // Moves `from` back to DTSTART plus a whole number of intervals, counted
    // in wall-clock time as libical iterates sub-daily rules. False if
    // `from` is not after DTSTART.
    static bool align_to_interval(const icalrecurrencetype& rule, const icaltimetype& dtstart,
                                  icaltimetype& from) {
        std::int64_t unit = rule.freq == ICAL_SECONDLY_RECURRENCE   ? 1
                            : rule.freq == ICAL_MINUTELY_RECURRENCE ? 60
                                                                     : 3600;
        unit *= std::max<std::int64_t>(1, rule.interval);
        const auto wall = [](const icaltimetype& t) {
            return day_number(t) * kDay + t.hour * 3600 + t.minute * 60 + t.second;
        };
        const std::int64_t diff = wall(from) - wall(dtstart);
        if (diff <= 0) {
            return false;
        }
        const std::int64_t offset = diff / unit * unit;
        icaltimetype aligned = dtstart;
        icaltime_adjust(&aligned, static_cast<int>(offset / kDay), 0, 0,
                        static_cast<int>(offset % kDay));
        from = aligned;
        return true;
    }

    static Length duration_length(const icaldurationtype& d) {
        Length len;
        if (d.is_neg == 0) {
            len.days = static_cast<int>(d.days + 7 * d.weeks);
            len.seconds = static_cast<std::int64_t>(d.hours) * 3600 + d.minutes * 60 + d.seconds;
        }
        return len;
    }

    void expand_rrule(const icalrecurrencetype& rule, const std::set<std::int64_t>& skip) {
        const bool unbounded = rule.count == 0 && icaltime_is_null_time(rule.until);
        out_.unbounded = out_.unbounded || unbounded;

        // How far an instance can reach back from its RECURRENCE-ID into the
        // range: its length (plus a DST hour), and any THISANDFUTURE move.
        std::int64_t shift = 0;
        std::int64_t longest = master_.length.days * kDay + master_.length.seconds + 3600;
        for (const Override& o : overrides_) {
            if (o.this_and_future) {
                const std::int64_t moved = span(o.recurrence_id, o.extent.start);
                shift = std::max(shift, moved == INT64_MIN ? INT64_MAX : std::abs(moved));
                longest = std::max(longest, span(o.extent.start, o.extent.end));
            }
        }
        const auto add = [](std::int64_t a, std::int64_t b) {
            std::int64_t out = 0;
            return __builtin_add_overflow(a, b, &out) ? INT64_MAX : out;
        };
        const TimePoint earliest = saturating_add(rs_, -add(add(longest, shift), kDay));
        const TimePoint stop = saturating_add(re_, add(shift, kDay));

        icaltimetype dtstart = master_.local_start;
        if (!dtstart.is_date) {
            icaltime_set_timezone(&dtstart, master_.zone);  // so UNTIL in UTC compares right
        }
        // The common rules step without libical's iterator (simple_recurrence.hpp).
        std::optional<SimpleRecurrence> simple = SimpleRecurrence::make(rule, dtstart);
        RecurPtr it;
        if (!simple) {
            it.reset(icalrecur_iterator_new(rule, dtstart));
            if (!it) {
                return;
            }
        }
        // Unbounded and COUNT-less rules can start near the range instead of
        // stepping from DTSTART (a range 400 days back on a years-old series).
        if (rule.count == 0 && earliest > master_.start) {
            icaltimetype from = from_utc(earliest, dtstart.is_date, master_.zone);
            if (!dtstart.is_date) {
                icaltime_set_timezone(&from, master_.zone);
            }
            if (simple) {
                simple->skip_to(from);
            } else if (is_sub_daily(rule)) {
                // libical's set_start loses the INTERVAL phase of sub-daily
                // rules; restarting at an aligned point is exact when no BY*
                // part filters the instances, else we step from DTSTART.
                if (!has_by_parts(rule) && align_to_interval(rule, dtstart, from)) {
                    it.reset(icalrecur_iterator_new(rule, from));
                }
            } else if (icalrecur_iterator_set_start(it.get(), from) == 0) {
                it.reset(icalrecur_iterator_new(rule, dtstart));
            }
            if (!simple && !it) {
                return;
            }
        }
        for (std::size_t steps = 0;; ++steps) {
            const icaltimetype local =
                simple ? simple->next() : icalrecur_iterator_next(it.get());
            if (icaltime_is_null_time(local)) {
                return;
            }
            if (steps >= kMaxSteps) {
                out_.truncated = true;
                return;
            }
            // The stepper found the moment already (DST gaps, UNTIL).
            const TimePoint start = simple && !dtstart.is_date && dtstart.zone != nullptr
                                        ? simple->last_utc()
                                        : to_utc(local, master_.zone);
            if (start > stop) {
                return;
            }
            if (start < earliest || skip.count(seconds_of(start)) != 0) {
                continue;
            }
            if (!consider(local, master_.zone, start, std::nullopt)) {
                out_.truncated = true;
                return;
            }
        }
    }

    const Resolver& r_;
    TimePoint rs_;
    TimePoint re_;
    std::size_t max_;
    SeriesResult& out_;

    std::vector<Override> overrides_;
    std::set<std::int64_t> overridden_;
    std::set<std::int64_t> exdate_points_;
    std::set<std::int64_t> exdate_days_;
    Extent master_;
    bool has_master_ = false;
    bool recurring_ = false;
    std::int64_t master_seconds_ = 0;
    std::size_t matched_ = 0;
};

}  // namespace

SeriesResult expand_all(const CalendarImpl& calendar, const Resolver& resolver,
                        TimePoint range_start, TimePoint range_end, std::size_t max_instances,
                        const std::string* only_uid) {
    // Group by UID: RFC 4791 §4.1 allows one per object, but be robust to more.
    std::map<std::string, Series> by_uid;
    std::vector<std::string> order;
    icalcomponent* root = calendar.root.get();
    for (icalcomponent* c = icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT);
         c != nullptr; c = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT)) {
        if (!is_calendar_component(icalcomponent_isa(c))) {
            continue;
        }
        const std::string uid = text_of(c, ICAL_UID_PROPERTY);
        if (only_uid != nullptr && uid != *only_uid) {
            continue;
        }
        auto [it, inserted] = by_uid.try_emplace(uid);
        if (inserted) {
            order.push_back(uid);
        }
        Series& s = it->second;
        if (icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY) != nullptr) {
            s.overrides.push_back(c);
        } else if (s.master == nullptr) {
            s.master = c;
        } else {
            s.extra_masters.push_back(c);
        }
    }
    SeriesResult out;
    for (const std::string& uid : order) {
        const Series& s = by_uid[uid];
        SeriesExpander(resolver, range_start, range_end, max_instances, out).run(s);
        for (icalcomponent* extra : s.extra_masters) {
            SeriesExpander(resolver, range_start, range_end, max_instances, out)
                .run(Series{extra, {}, {}});
        }
    }
    return out;
}

}  // namespace cosmo::ical::detail
