#include "simple_recurrence.hpp"

#include <algorithm>
#include <chrono>

#include "detail.hpp"

namespace cosmo::ical::detail {
namespace {

// Years the stepper takes DTSTART from, and the year it ends with, as
// libical's iterator does (its last year is 2582).
constexpr int kFirstYear = 1800;
constexpr int kLastYear = 2582;

/// 0 = Sunday, as in libical's enum minus one. Day 0 (1970-01-01) was a Thursday.
int weekday_of(std::int64_t day) { return static_cast<int>(((day % 7) + 7 + 4) % 7); }

constexpr std::int64_t day_of(int year, unsigned month, unsigned day) {
    using namespace std::chrono;
    return sys_days(std::chrono::year(year) / std::chrono::month(month) / std::chrono::day(day))
        .time_since_epoch()
        .count();
}

const std::int64_t kLastDay = day_of(kLastYear, 12, 31);

unsigned days_in_month(int year, unsigned month) {
    using namespace std::chrono;
    return static_cast<unsigned>(
        (std::chrono::year(year) / std::chrono::month(month) / last).day());
}

bool empty(const short* by) { return by[0] == ICAL_RECURRENCE_ARRAY_MAX; }

/// The entries of a BY* list (terminated by ICAL_RECURRENCE_ARRAY_MAX or full).
template <std::size_t N>
std::size_t size_of(const short (&by)[N]) {
    std::size_t n = 0;
    while (n < N && by[n] != ICAL_RECURRENCE_ARRAY_MAX) {
        ++n;
    }
    return n;
}

/// Whether `day` of (year, month) is the n-th (negative: from the end) of its weekday.
bool is_nth_weekday(int year, unsigned month, unsigned day, int n) {
    if (n > 0) {
        return static_cast<int>((day - 1) / 7 + 1) == n;
    }
    return static_cast<int>((days_in_month(year, month) - day) / 7 + 1) == -n;
}

/// Wall-clock seconds since the epoch (no zone).
std::int64_t wall_seconds(const icaltimetype& t) {
    return day_number(t) * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}

/// The moment of a wall-clock time t in its zone. A time that a DST change
/// skips (02:30 on a spring-forward day) names the moment read with the
/// offset from before the change (RFC 5545 §3.3.5), and t becomes that
/// moment's wall-clock time, 03:30, as libical's ICU iterator gives it;
/// libical's own conversion would read it with the later offset, as 01:30.
TimePoint settle_in_zone(icaltimetype& t) {
    auto* zone = const_cast<icaltimezone*>(t.zone);
    const TimePoint read = to_utc(t, zone);
    const icaltimetype back = from_utc(read, false, zone);
    if (back.hour == t.hour && back.minute == t.minute && back.day == t.day) {
        return read;  // exists
    }
    // `read` lies before the change, so its offset is the one from before.
    const std::int64_t offset_before = wall_seconds(back) - read.time_since_epoch().count();
    const TimePoint moment(std::chrono::seconds(wall_seconds(t) - offset_before));
    const icaltimetype moved = from_utc(moment, false, zone);
    t.year = moved.year;
    t.month = moved.month;
    t.day = moved.day;
    t.hour = moved.hour;
    t.minute = moved.minute;
    t.second = moved.second;
    return moment;
}

}  // namespace

std::optional<SimpleRecurrence> SimpleRecurrence::make(const icalrecurrencetype& rule,
                                                       const icaltimetype& dtstart) {
    if ((rule.rscale != nullptr && rule.rscale[0] != '\0') || rule.skip != ICAL_SKIP_OMIT ||
        rule.count < 0 || rule.interval < 1 || icaltime_is_null_time(dtstart) ||
        dtstart.year < kFirstYear || dtstart.year > kLastYear || dtstart.month < 1 ||
        dtstart.month > 12 || dtstart.day < 1 ||
        dtstart.day > static_cast<int>(days_in_month(dtstart.year, dtstart.month))) {
        return std::nullopt;
    }
    if (rule.count > 0 && !icaltime_is_null_time(rule.until)) {
        return std::nullopt;
    }
    if (!empty(rule.by_second) || !empty(rule.by_minute) || !empty(rule.by_hour) ||
        !empty(rule.by_year_day) || !empty(rule.by_week_no) || !empty(rule.by_set_pos)) {
        return std::nullopt;
    }
    SimpleRecurrence s;
    s.interval_ = rule.interval;
    s.count_ = rule.count;
    s.dtstart_ = dtstart;
    s.start_day_ = day_number(dtstart);
    const int start_weekday = weekday_of(s.start_day_);
    const auto month = static_cast<unsigned>(dtstart.month);
    const auto day = static_cast<unsigned>(dtstart.day);

    // BYDAY without ordinals, as a weekday mask (DAILY and WEEKLY).
    const auto plain_weekdays = [&](unsigned& mask) {
        for (std::size_t i = 0; i < size_of(rule.by_day); ++i) {
            if (icalrecurrencetype_day_position(rule.by_day[i]) != 0) {
                return false;
            }
            const int wd = static_cast<int>(icalrecurrencetype_day_day_of_week(rule.by_day[i]));
            if (wd < 1 || wd > 7) {
                return false;
            }
            mask |= 1U << (wd - 1);
        }
        return true;
    };
    // A one-value BYMONTHDAY / BYMONTH that only restates DTSTART.
    const auto restates = [](const auto& by, int value) {
        return size_of(by) == 0 || (size_of(by) == 1 && by[0] == value);
    };

    switch (rule.freq) {
    case ICAL_DAILY_RECURRENCE:
    case ICAL_WEEKLY_RECURRENCE: {
        if (!empty(rule.by_month_day) || !empty(rule.by_month) ||
            !plain_weekdays(s.weekdays_)) {
            return std::nullopt;
        }
        if (rule.freq == ICAL_WEEKLY_RECURRENCE) {
            s.freq_ = Freq::kWeekly;
            if (s.weekdays_ == 0) {
                s.weekdays_ = 1U << start_weekday;
            }
            const int wkst = rule.week_start == ICAL_NO_WEEKDAY
                                 ? 1  // Monday, RFC 5545's default
                                 : static_cast<int>(rule.week_start) - 1;
            s.week0_ = s.start_day_ - (start_weekday - wkst + 7) % 7;
        } else {
            s.freq_ = Freq::kDaily;
        }
        if (s.weekdays_ != 0 && (s.weekdays_ & (1U << start_weekday)) == 0) {
            return std::nullopt;
        }
        break;
    }
    case ICAL_MONTHLY_RECURRENCE: {
        s.freq_ = Freq::kMonthly;
        if (!empty(rule.by_month)) {
            return std::nullopt;
        }
        const std::size_t by_days = size_of(rule.by_day);
        if (by_days == 0) {
            if (!restates(rule.by_month_day, dtstart.day) || day > 28) {
                return std::nullopt;
            }
        } else {
            const int n = icalrecurrencetype_day_position(rule.by_day[0]);
            const int wd = static_cast<int>(icalrecurrencetype_day_day_of_week(rule.by_day[0])) - 1;
            if (by_days != 1 || !empty(rule.by_month_day) || n == 0 || n < -5 || n > 5 ||
                wd != start_weekday || !is_nth_weekday(dtstart.year, month, day, n)) {
                return std::nullopt;
            }
            s.ordinal_ = n;
            s.ordinal_weekday_ = wd;
        }
        break;
    }
    case ICAL_YEARLY_RECURRENCE: {
        s.freq_ = Freq::kYearly;
        // BYMONTHDAY alone on YEARLY means that day of every month.
        if (!empty(rule.by_day) || !restates(rule.by_month, dtstart.month) ||
            !restates(rule.by_month_day, dtstart.day) ||
            (!empty(rule.by_month_day) && empty(rule.by_month)) || (month == 2 && day == 29)) {
            return std::nullopt;
        }
        break;
    }
    default:
        return std::nullopt;
    }
    s.month0_ = static_cast<std::int64_t>(dtstart.year) * 12 + (dtstart.month - 1);

    if (!icaltime_is_null_time(rule.until)) {
        if (dtstart.is_date && rule.until.is_date) {
            s.until_day_ = day_number(rule.until);
        } else if (!dtstart.is_date && !rule.until.is_date && icaltime_is_utc(rule.until) &&
                   dtstart.zone != nullptr) {
            s.until_utc_ = static_cast<std::int64_t>(icaltime_as_timet(rule.until));
        } else {
            return std::nullopt;  // mixed or floating UNTIL: libical's own comparison
        }
    }
    return s;
}

bool SimpleRecurrence::fill_period() {
    day_count_ = 0;
    day_next_ = 0;
    const std::int64_t p = period_++;
    const auto push = [this](std::int64_t d) { days_[day_count_++] = d; };
    switch (freq_) {
    case Freq::kDaily: {
        const std::int64_t d = start_day_ + p * interval_;
        if (d > kLastDay) {
            return false;
        }
        if (weekdays_ == 0 || (weekdays_ & (1U << weekday_of(d))) != 0) {
            push(d);
        }
        return true;
    }
    case Freq::kWeekly: {
        const std::int64_t first = week0_ + 7 * p * interval_;
        if (first > kLastDay) {
            return false;
        }
        for (std::int64_t d = first; d < first + 7; ++d) {
            if ((weekdays_ & (1U << weekday_of(d))) != 0) {
                push(d);
            }
        }
        return true;
    }
    case Freq::kMonthly:
    case Freq::kYearly: {
        const std::int64_t m = month0_ + p * interval_ * (freq_ == Freq::kYearly ? 12 : 1);
        const auto year = static_cast<int>(m / 12);
        const auto month = static_cast<unsigned>(m % 12 + 1);
        if (year > kLastYear) {
            return false;
        }
        if (ordinal_ == 0) {
            push(day_of(year, month, static_cast<unsigned>(dtstart_.day)));
            return true;
        }
        const unsigned last = days_in_month(year, month);
        const int first_weekday = weekday_of(day_of(year, month, 1));
        // The first day of the month with the wanted weekday, then n-1 weeks on
        // (or the last such day, then |n|-1 weeks back).
        const unsigned first_match =
            1 + static_cast<unsigned>((ordinal_weekday_ - first_weekday + 7) % 7);
        int dom = 0;
        if (ordinal_ > 0) {
            dom = static_cast<int>(first_match) + 7 * (ordinal_ - 1);
        } else {
            const unsigned last_match = first_match + (last - first_match) / 7 * 7;
            dom = static_cast<int>(last_match) - 7 * (-ordinal_ - 1);
        }
        if (dom >= 1 && dom <= static_cast<int>(last)) {
            push(day_of(year, month, static_cast<unsigned>(dom)));
        }
        return true;
    }
    }
    return false;
}

icaltimetype SimpleRecurrence::next() {
    while (!done_) {
        if (day_next_ == day_count_) {
            if (!fill_period()) {
                done_ = true;
            }
            continue;
        }
        const std::int64_t d = days_[day_next_++];
        if (d < start_day_) {
            continue;
        }
        if ((count_ > 0 && emitted_ >= count_) || (until_day_ && d > *until_day_)) {
            done_ = true;
            continue;
        }
        using namespace std::chrono;
        const year_month_day ymd{sys_days{days{d}}};
        icaltimetype t = dtstart_;
        t.year = static_cast<int>(ymd.year());
        t.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
        t.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
        if (!t.is_date && t.zone != nullptr) {
            last_utc_ = t.zone == utc_zone() ? to_utc(t, utc_zone()) : settle_in_zone(t);
            // make() takes UTC UNTILs only for DATE-TIMEs with a zone.
            if (until_utc_ && last_utc_.time_since_epoch().count() > *until_utc_) {
                done_ = true;
                continue;
            }
        }
        ++emitted_;
        return t;
    }
    return icaltime_null_time();
}

void SimpleRecurrence::skip_to(const icaltimetype& from) {
    const std::int64_t from_day = day_number(from);
    if (from_day <= start_day_) {
        return;
    }
    std::int64_t p = 0;
    switch (freq_) {
    case Freq::kDaily:
        p = (from_day - start_day_) / interval_;
        break;
    case Freq::kWeekly:
        p = (from_day - week0_) / (7 * interval_);
        break;
    case Freq::kMonthly:
        p = (static_cast<std::int64_t>(from.year) * 12 + (from.month - 1) - month0_) / interval_;
        break;
    case Freq::kYearly:
        p = (from.year - dtstart_.year) / interval_;
        break;
    }
    // One period early: the caller drops what lies before `from`.
    p = std::max<std::int64_t>(0, p - 1);
    if (p > period_) {
        period_ = p;
        day_count_ = day_next_ = 0;
    }
}

}  // namespace cosmo::ical::detail
