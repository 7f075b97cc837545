// OpStats::merge: the per-connection counters of an operation add up.

#include "workload.hpp"

#include <gtest/gtest.h>

namespace cosmo::loadtest {
namespace {

TEST(OpStats, MergeAddsEveryCounter) {
    OpStats a;
    a.ok = 3;
    a.untimed_us = 10;
    a.etag_fetches = 1;
    a.errors["412"] = 1;
    a.latency.record(100);
    OpStats b;
    b.ok = 4;
    b.untimed_us = 5;
    b.etag_fetches = 2;
    b.errors["412"] = 2;
    b.errors["io"] = 1;
    b.latency.record(200);
    a.merge(b);
    EXPECT_EQ(a.ok, 7u);
    EXPECT_EQ(a.untimed_us, 15);
    EXPECT_EQ(a.etag_fetches, 3u);
    EXPECT_EQ(a.errors.at("412"), 3u);
    EXPECT_EQ(a.errors.at("io"), 1u);
    EXPECT_EQ(a.latency.count(), 2u);
}

}  // namespace
}  // namespace cosmo::loadtest
