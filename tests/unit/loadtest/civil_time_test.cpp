#include "civil_time.hpp"

#include <gtest/gtest.h>

namespace cosmo::loadtest {
namespace {

TEST(CivilTime, DaysRoundTrip) {
    EXPECT_EQ(days_from_civil({1970, 1, 1}), 0);
    EXPECT_EQ(days_from_civil({2000, 3, 1}), 11017);
    for (std::int64_t d = -1000; d < 30000; d += 37) {
        EXPECT_EQ(days_from_civil(civil_from_days(d)), d);
    }
    EXPECT_EQ(add_days({2026, 12, 31}, 1), (CivilDate{2027, 1, 1}));
    EXPECT_EQ(add_days({2028, 2, 28}, 1), (CivilDate{2028, 2, 29}));
}

TEST(CivilTime, Weekday) {
    EXPECT_EQ(weekday({1970, 1, 1}), 4);   // Thursday
    EXPECT_EQ(weekday({2026, 3, 29}), 0);  // Sunday
    EXPECT_EQ(weekday({2026, 11, 1}), 0);
}

TEST(CivilTime, BerlinSwitchesOnLastSundays) {
    EXPECT_EQ(utc_offset(Zone::kBerlin, {2026, 3, 28}), 3600);
    EXPECT_EQ(utc_offset(Zone::kBerlin, {2026, 3, 29}), 7200);
    EXPECT_EQ(utc_offset(Zone::kBerlin, {2026, 10, 24}), 7200);
    EXPECT_EQ(utc_offset(Zone::kBerlin, {2026, 10, 25}), 3600);
}

TEST(CivilTime, NewYorkSwitchesOnUsRule) {
    EXPECT_EQ(utc_offset(Zone::kNewYork, {2026, 3, 7}), -5 * 3600);
    EXPECT_EQ(utc_offset(Zone::kNewYork, {2026, 3, 8}), -4 * 3600);  // second Sunday
    EXPECT_EQ(utc_offset(Zone::kNewYork, {2026, 10, 31}), -4 * 3600);
    EXPECT_EQ(utc_offset(Zone::kNewYork, {2026, 11, 1}), -5 * 3600);  // first Sunday
}

TEST(CivilTime, FormatsAndParses) {
    const std::int64_t t = local_to_utc(Zone::kBerlin, {2026, 7, 1}, 9 * 60);
    EXPECT_EQ(format_utc(t), "20260701T070000Z");
    EXPECT_EQ(parse_utc("20260701T070000Z"), t);
    EXPECT_EQ(parse_utc("20260701T0700"), -1);
    EXPECT_EQ(format_local({2026, 1, 2}, 8 * 60 + 15), "20260102T081500");
    EXPECT_EQ(format_date({2026, 1, 2}), "20260102");
    EXPECT_EQ(format_utc(month_start_utc(2026, 13)), "20270101T000000Z");
}

}  // namespace
}  // namespace cosmo::loadtest
