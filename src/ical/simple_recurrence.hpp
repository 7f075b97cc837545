#pragma once
// A stepper for the recurrence rules most calendars hold, computed with
// plain date arithmetic instead of libical's iterator.
//
// Why: libical 3 (as Debian builds it, with ICU) steps every rule through an
// ICU Calendar. In a cold calendar-query that iterator was a quarter of the
// server's CPU (perf, docs/performance.md "Session 21"), more than parsing
// the objects. The rules below are what clients write for "every day",
// "every weekday", "every two weeks on Tuesday and Thursday", "monthly on
// the 15th", "the second Tuesday of every month" and "every year"; anything
// else (BYSETPOS, BYWEEKNO, BYYEARDAY, sub-daily, RSCALE, several BYDAY
// ordinals, days past the 28th, ...) returns nullopt and stays with libical.
//
// The instances are the ones libical's iterator gives for the same rule and
// DTSTART (tests/unit/ical/simple_recurrence_test.cpp compares the two over
// thousands of generated rules): wall-clock times in DTSTART's zone, in
// order, DTSTART first, COUNT counted from DTSTART, UNTIL inclusive. Two
// cases follow RFC 5545 where libical 3.0 does not: WKST with INTERVAL above
// 1, and the instance after one whose wall-clock time a DST change skips.

#include <libical/ical.h>

#include <array>
#include <cstdint>
#include <optional>

#include "cosmo/ical/calendar.hpp"

namespace cosmo::ical::detail {

class SimpleRecurrence {
public:
    /// The stepper for rule from dtstart (with its zone set for DATE-TIMEs,
    /// as libical's iterator gets it), or nullopt when the rule is not one
    /// of the simple shapes, DTSTART is not itself an instance of it, or
    /// its UNTIL is of a form whose comparison libical does its own way.
    static std::optional<SimpleRecurrence> make(const icalrecurrencetype& rule,
                                                const icaltimetype& dtstart);

    /// The next instance, as wall-clock time in DTSTART's zone; a null time
    /// (icaltime_is_null_time) once the rule has ended.
    icaltimetype next();

    /// The UTC moment of the instance next() last gave, for a DATE-TIME
    /// DTSTART with its zone set (found anyway for DST gaps and UNTIL).
    TimePoint last_utc() const { return last_utc_; }

    /// Skips whole periods before the one holding `from`'s day, like
    /// icalrecur_iterator_set_start. Only for rules without COUNT (the
    /// caller's case: with COUNT the skipped instances would count). May
    /// still yield a few instances before `from`.
    void skip_to(const icaltimetype& from);

private:
    enum class Freq { kDaily, kWeekly, kMonthly, kYearly };

    SimpleRecurrence() = default;

    /// Fills days_ with period_'s candidate days (ascending), then advances
    /// period_. False once the period is past the supported years.
    bool fill_period();

    Freq freq_ = Freq::kDaily;
    std::int64_t interval_ = 1;
    int count_ = 0;                    ///< 0: no COUNT
    std::optional<std::int64_t> until_day_;     ///< DATE UNTIL on a DATE series
    std::optional<std::int64_t> until_utc_;     ///< UTC UNTIL on a DATE-TIME series
    icaltimetype dtstart_{};
    std::int64_t start_day_ = 0;       ///< DTSTART's day number
    unsigned weekdays_ = 0;            ///< bit 0 = Sunday; DAILY/WEEKLY filter
    int ordinal_ = 0;                  ///< MONTHLY BYDAY=nXX: n (±1..±5), else 0
    int ordinal_weekday_ = 0;          ///< 0 = Sunday
    std::int64_t week0_ = 0;           ///< WEEKLY: first day of DTSTART's week (WKST)
    std::int64_t month0_ = 0;          ///< MONTHLY/YEARLY: DTSTART's year*12 + month-1

    std::int64_t period_ = 0;          ///< next period to fill
    std::array<std::int64_t, 7> days_{};
    std::size_t day_count_ = 0;
    std::size_t day_next_ = 0;
    int emitted_ = 0;
    bool done_ = false;
    TimePoint last_utc_{};
};

}  // namespace cosmo::ical::detail
