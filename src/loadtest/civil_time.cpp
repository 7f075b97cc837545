#include "civil_time.hpp"

#include <cstdio>

namespace cosmo::loadtest {

std::int64_t days_from_civil(CivilDate d) {
    const std::int64_t y = d.month <= 2 ? d.year - 1 : d.year;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t mp = (d.month + 9) % 12;
    const std::int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
    return {year, month, day};
}

int weekday(CivilDate d) {
    const std::int64_t z = days_from_civil(d);
    return static_cast<int>(z >= -4 ? (z + 4) % 7 : (z + 5) % 7 + 6);
}

CivilDate add_days(CivilDate d, int days) { return civil_from_days(days_from_civil(d) + days); }

std::int64_t month_start_utc(int year, int month) {
    year += (month - 1) / 12;
    month = (month - 1) % 12 + 1;
    return days_from_civil({year, month, 1}) * 86400;
}

namespace {

// The n-th (1-based) Sunday of a month, or the last one when n == 0.
CivilDate sunday(int year, int month, int n) {
    if (n == 0) {
        const CivilDate last = add_days({month == 12 ? year + 1 : year, month % 12 + 1, 1}, -1);
        return add_days(last, -weekday(last));
    }
    const CivilDate first{year, month, 1};
    const int to_sunday = (7 - weekday(first)) % 7;
    return add_days(first, to_sunday + 7 * (n - 1));
}

}  // namespace

int utc_offset(Zone zone, CivilDate date) {
    const std::int64_t day = days_from_civil(date);
    switch (zone) {
        case Zone::kUtc:
            return 0;
        case Zone::kBerlin: {
            // EU: summer time from the last Sunday of March to the last Sunday of October.
            const bool dst = day >= days_from_civil(sunday(date.year, 3, 0)) &&
                             day < days_from_civil(sunday(date.year, 10, 0));
            return dst ? 7200 : 3600;
        }
        case Zone::kNewYork: {
            // US since 2007: second Sunday of March to the first Sunday of November.
            const bool dst = day >= days_from_civil(sunday(date.year, 3, 2)) &&
                             day < days_from_civil(sunday(date.year, 11, 1));
            return dst ? -4 * 3600 : -5 * 3600;
        }
    }
    return 0;
}

std::int64_t local_to_utc(Zone zone, CivilDate date, int minute_of_day) {
    return days_from_civil(date) * 86400 + minute_of_day * 60 - utc_offset(zone, date);
}

std::string format_date(CivilDate d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d", d.year, d.month, d.day);
    return buf;
}

std::string format_local(CivilDate d, int minute_of_day) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d00", d.year, d.month, d.day,
                  minute_of_day / 60, minute_of_day % 60);
    return buf;
}

std::string format_utc(std::int64_t t) {
    const std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    const int secs = static_cast<int>(t - days * 86400);
    const CivilDate d = civil_from_days(days);
    char buf[24];
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", d.year, d.month, d.day,
                  secs / 3600, secs / 60 % 60, secs % 60);
    return buf;
}

std::int64_t parse_utc(std::string_view s) {
    if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') {
        return -1;
    }
    auto num = [&](std::size_t pos, std::size_t len) {
        int v = 0;
        for (std::size_t i = pos; i < pos + len; ++i) {
            if (s[i] < '0' || s[i] > '9') {
                return -1;
            }
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    const int y = num(0, 4), mo = num(4, 2), d = num(6, 2);
    const int h = num(9, 2), mi = num(11, 2), se = num(13, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || mi < 0 || se < 0) {
        return -1;
    }
    return days_from_civil({y, mo, d}) * 86400 + h * 3600 + mi * 60 + se;
}

const char* zone_name(Zone zone) {
    switch (zone) {
        case Zone::kBerlin:
            return "Europe/Berlin";
        case Zone::kNewYork:
            return "America/New_York";
        case Zone::kUtc:
            break;
    }
    return "UTC";
}

}  // namespace cosmo::loadtest
