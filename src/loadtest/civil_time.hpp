#pragma once
// Calendar arithmetic for the load-test seed model: civil dates, UTC seconds
// and the two time zones the model uses. Self-contained on purpose: the
// load tester must not share code (and bugs) with the server it measures.

#include <cstdint>
#include <string>

namespace cosmo::loadtest {

/// A proleptic Gregorian date.
struct CivilDate {
    int year = 1970;   ///< e.g. 2026
    int month = 1;     ///< 1..12
    int day = 1;       ///< 1..31
    /// Field-wise equality.
    friend bool operator==(const CivilDate&, const CivilDate&) = default;
};

/// The time zones events are written in.
enum class Zone { kUtc, kBerlin, kNewYork };

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
std::int64_t days_from_civil(CivilDate d);
/// The civil date of a day number (inverse of days_from_civil).
CivilDate civil_from_days(std::int64_t days);
/// Day of week, 0 = Sunday.
int weekday(CivilDate d);
/// Adds a number of days to a date.
CivilDate add_days(CivilDate d, int days);
/// UTC seconds of 00:00 on the first of a month (month may overflow into years).
std::int64_t month_start_utc(int year, int month);

/// UTC offset in seconds of a zone at a local date, for local times between
/// 04:00 and 23:59 (the model never places events in the DST switch hours):
/// Europe/Berlin by the EU rule, America/New_York by the US 2007 rule.
int utc_offset(Zone zone, CivilDate local_date);
/// UTC seconds of a local wall time (minutes after midnight) in a zone.
std::int64_t local_to_utc(Zone zone, CivilDate date, int minute_of_day);

/// "YYYYMMDD".
std::string format_date(CivilDate d);
/// "YYYYMMDDTHHMMSS" for a local wall time.
std::string format_local(CivilDate d, int minute_of_day);
/// "YYYYMMDDTHHMMSSZ" for UTC seconds.
std::string format_utc(std::int64_t utc_seconds);
/// Parses "YYYYMMDDTHHMMSSZ" into UTC seconds; -1 when malformed.
std::int64_t parse_utc(std::string_view text);

/// The IANA name of a zone ("UTC" for kUtc).
const char* zone_name(Zone zone);

}  // namespace cosmo::loadtest
