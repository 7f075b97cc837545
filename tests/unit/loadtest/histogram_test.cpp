#include "histogram.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace cosmo::loadtest {
namespace {

TEST(Histogram, EmptyIsZero) {
    Histogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.percentile(50), 0);
    EXPECT_EQ(h.max(), 0);
}

TEST(Histogram, BucketsCoverEveryValueWithSmallError) {
    int last = -1;
    for (std::int64_t v = 0; v < 5'000'000; v += 1 + v / 50) {
        const int b = Histogram::bucket_of(v);
        EXPECT_GE(b, last);
        last = b;
        const std::int64_t high = Histogram::bucket_high(b);
        EXPECT_GE(high, v);
        EXPECT_LE(static_cast<double>(high - v), 0.016 * static_cast<double>(v) + 1.0) << v;
    }
}

TEST(Histogram, PercentilesOfUniformValues) {
    Histogram h;
    for (int v = 1; v <= 10000; ++v) {
        h.record(v);
    }
    EXPECT_EQ(h.count(), 10000u);
    EXPECT_NEAR(static_cast<double>(h.percentile(50)), 5000, 5000 * 0.016);
    EXPECT_NEAR(static_cast<double>(h.percentile(90)), 9000, 9000 * 0.016);
    EXPECT_NEAR(static_cast<double>(h.percentile(99)), 9900, 9900 * 0.016);
    EXPECT_EQ(h.percentile(100), 10000);
    EXPECT_EQ(h.max(), 10000);
    EXPECT_EQ(h.min(), 1);
    EXPECT_DOUBLE_EQ(h.mean(), 5000.5);
}

TEST(Histogram, TailIsNotHiddenByTheBulk) {
    Histogram h;
    for (int i = 0; i < 985; ++i) {
        h.record(100);
    }
    for (int i = 0; i < 15; ++i) {
        h.record(250000);  // 1.5% of requests take 250 ms
    }
    EXPECT_EQ(h.percentile(50), 100);
    EXPECT_EQ(h.percentile(98), 100);
    EXPECT_NEAR(static_cast<double>(h.percentile(99)), 250000, 250000 * 0.016);
}

TEST(Histogram, MergeAddsCounts) {
    Histogram a, b;
    for (int v = 1; v <= 100; ++v) {
        a.record(v);
        b.record(v + 100);
    }
    a.merge(b);
    EXPECT_EQ(a.count(), 200u);
    EXPECT_EQ(a.max(), 200);
    EXPECT_EQ(a.min(), 1);
    EXPECT_EQ(a.percentile(50), 100);
}

}  // namespace
}  // namespace cosmo::loadtest
