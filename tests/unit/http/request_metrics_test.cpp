// RequestMetrics: the counts and latency buckets behind /metrics.

#include <gtest/gtest.h>

#include <chrono>

#include "cosmo/http/request_metrics.hpp"

namespace cosmo::test {
namespace {

using http::RequestMetrics;
using http::Verb;
using std::chrono::microseconds;
using std::chrono::milliseconds;

const RequestMetrics::Method* find(const std::vector<RequestMetrics::Method>& methods,
                                   std::string_view name) {
    for (const auto& m : methods) {
        if (m.name == name) return &m;
    }
    return nullptr;
}

TEST(RequestMetrics, CountsEachMethodAndStatusAndListsOnlyMethodsSeen) {
    RequestMetrics metrics;
    metrics.record(Verb::get, 200, milliseconds(1));
    metrics.record(Verb::get, 200, milliseconds(1));
    metrics.record(Verb::get, 404, milliseconds(1));
    metrics.record(Verb::put, 412, milliseconds(1));
    const auto methods = metrics.snapshot();
    ASSERT_EQ(methods.size(), 2u);
    const auto* get = find(methods, "GET");
    ASSERT_NE(get, nullptr);
    EXPECT_EQ(get->statuses, (std::vector<std::pair<unsigned, std::uint64_t>>{{200, 2}, {404, 1}}));
    const auto* put = find(methods, "PUT");
    ASSERT_NE(put, nullptr);
    EXPECT_EQ(put->statuses, (std::vector<std::pair<unsigned, std::uint64_t>>{{412, 1}}));
    EXPECT_EQ(find(methods, "DELETE"), nullptr);
}

TEST(RequestMetrics, DavMethodsHaveTheirNamesAndOthersAreOther) {
    RequestMetrics metrics;
    metrics.record(Verb::propfind, 207, milliseconds(1));
    metrics.record(Verb::mkcalendar, 201, milliseconds(1));
    metrics.record(Verb::search, 501, milliseconds(1));
    const auto methods = metrics.snapshot();
    EXPECT_NE(find(methods, "PROPFIND"), nullptr);
    EXPECT_NE(find(methods, "MKCALENDAR"), nullptr);
    const auto* other = find(methods, "other");
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(other->statuses, (std::vector<std::pair<unsigned, std::uint64_t>>{{501, 1}}));
}

TEST(RequestMetrics, ALatencyFallsInTheFirstBucketWhoseBoundHoldsIt) {
    RequestMetrics metrics;
    metrics.record(Verb::get, 200, microseconds(500));   // == 0.0005: the first bucket
    metrics.record(Verb::get, 200, microseconds(501));   // the second (0.001)
    metrics.record(Verb::get, 200, milliseconds(3));     // 0.005
    metrics.record(Verb::get, 200, std::chrono::seconds(30));  // +Inf
    const auto methods = metrics.snapshot();
    const auto* get = find(methods, "GET");
    ASSERT_NE(get, nullptr);
    std::array<std::uint64_t, RequestMetrics::kBuckets> expected{};
    expected[0] = 1;
    expected[1] = 1;
    expected[3] = 1;
    expected[RequestMetrics::kBuckets - 1] = 1;
    EXPECT_EQ(get->buckets, expected);
    EXPECT_NEAR(get->seconds, 30.004001, 1e-9);
}

TEST(RequestMetrics, RefusedRequestsAreCountedWithoutALatency) {
    RequestMetrics metrics;
    metrics.record_refused(431);                      // no header read: "other"
    metrics.record_refused(413, Verb::put);           // its header was read
    metrics.record_refused(999);  // not an HTTP status: not counted
    const auto methods = metrics.snapshot();
    const auto* other = find(methods, "other");
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(other->statuses, (std::vector<std::pair<unsigned, std::uint64_t>>{{431, 1}}));
    EXPECT_EQ(other->buckets, (std::array<std::uint64_t, RequestMetrics::kBuckets>{}));
    const auto* put = find(methods, "PUT");
    ASSERT_NE(put, nullptr);
    EXPECT_EQ(put->statuses, (std::vector<std::pair<unsigned, std::uint64_t>>{{413, 1}}));
    EXPECT_EQ(put->buckets, (std::array<std::uint64_t, RequestMetrics::kBuckets>{}));
    EXPECT_EQ(methods.size(), 2u);
}

TEST(RequestMetrics, InFlightCountsRequestsBetweenBeginAndEnd) {
    RequestMetrics metrics;
    metrics.begin();
    metrics.begin();
    EXPECT_EQ(metrics.in_flight(), 2);
    metrics.end();
    EXPECT_EQ(metrics.in_flight(), 1);
}

}  // namespace
}  // namespace cosmo::test
