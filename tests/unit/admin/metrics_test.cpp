// /metrics: the Prometheus text exposition of the listeners, the shards
// and the process (admin/metrics.hpp). The protocol test metrics.sh has
// Prometheus' own promtool check the whole answer of a running server.

#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "cosmo/admin/metrics.hpp"

namespace cosmo::test {
namespace {

using admin::MetricsText;

/// A shard store that only reports stats.
class StatsOnlyStore : public store::ShardStore {
public:
    std::vector<store::ShardStats> shards;
    using store::ShardStore::open;
    std::unique_ptr<store::Session> open(const store::User&, const store::OpenHint&) override {
        throw std::logic_error("not used");
    }
    void ping_all() override {}
    std::int64_t purge_change_log(std::chrono::seconds) override { return 0; }
    std::vector<store::ShardStats> stats() const override { return shards; }
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

bool has_line(const std::string& text, const std::string& line) {
    for (const auto& l : lines_of(text)) {
        if (l == line) return true;
    }
    return false;
}

TEST(MetricsText, LabelValuesAreEscapedAndFamiliesHaveHelpAndType) {
    MetricsText m;
    m.family("x_total", "counter", "A help with a \\ and\na line feed.");
    m.sample("x_total", {{"a", "q\"b\\c\nd"}, {"b", ""}}, std::uint64_t{3});
    m.sample("x_total", {}, 0.25);
    EXPECT_EQ(m.text(),
              "# HELP x_total A help with a \\\\ and\\na line feed.\n"
              "# TYPE x_total counter\n"
              "x_total{a=\"q\\\"b\\\\c\\nd\",b=\"\"} 3\n"
              "x_total 0.25\n");
}

TEST(RenderMetrics, ListenersShardsAndTheProcessAreReported) {
    auto requests = std::make_shared<http::RequestMetrics>();
    requests->record(http::Verb::get, 200, std::chrono::microseconds(800));
    requests->record(http::Verb::get, 200, std::chrono::milliseconds(20));
    requests->record(http::Verb::report, 207, std::chrono::milliseconds(2));
    StatsOnlyStore store;
    store::ShardStats s1;
    s1.shard = "s1";
    s1.connections_open = 5;
    s1.connections_idle = 4;
    s1.acquire_waits = 7;
    s1.groups.push_back({"open_object", 10, 55, 0, 1, 2});
    store.shards.push_back(s1);

    admin::MetricsSources sources;
    sources.listeners.push_back({"public", requests, [] { return std::size_t{3}; }});
    sources.shards = &store;
    sources.caches.push_back(
        {"listing", [] { return admin::CacheStats{300, 1000, {{"hit", 9}, {"miss", 1}}}; }});
    sources.auth = [] { return admin::AuthStats{12, 3}; };
    const std::string text = admin::render_metrics(sources);

    EXPECT_TRUE(has_line(text,
                         "cosmo_http_requests_total{listener=\"public\",method=\"GET\",code=\"200\"} 2"))
        << text;
    EXPECT_TRUE(has_line(
        text, "cosmo_http_requests_total{listener=\"public\",method=\"REPORT\",code=\"207\"} 1"));
    // Buckets are cumulative; _count is the +Inf bucket.
    EXPECT_TRUE(has_line(text, "cosmo_http_request_duration_seconds_bucket{listener=\"public\","
                               "method=\"GET\",le=\"0.0005\"} 0"));
    EXPECT_TRUE(has_line(text, "cosmo_http_request_duration_seconds_bucket{listener=\"public\","
                               "method=\"GET\",le=\"0.001\"} 1"));
    EXPECT_TRUE(has_line(text, "cosmo_http_request_duration_seconds_bucket{listener=\"public\","
                               "method=\"GET\",le=\"0.025\"} 2"));
    EXPECT_TRUE(has_line(text, "cosmo_http_request_duration_seconds_bucket{listener=\"public\","
                               "method=\"GET\",le=\"+Inf\"} 2"));
    EXPECT_TRUE(has_line(
        text, "cosmo_http_request_duration_seconds_count{listener=\"public\",method=\"GET\"} 2"));
    EXPECT_TRUE(has_line(
        text, "cosmo_http_request_duration_seconds_sum{listener=\"public\",method=\"GET\"} 0.0208"));
    EXPECT_TRUE(has_line(text, "cosmo_http_connections{listener=\"public\"} 3"));
    EXPECT_TRUE(has_line(text, "cosmo_db_connections{shard=\"s1\"} 5"));
    EXPECT_TRUE(has_line(text, "cosmo_db_connections_idle{shard=\"s1\"} 4"));
    EXPECT_TRUE(has_line(text, "cosmo_db_acquire_waits_total{shard=\"s1\"} 7"));
    EXPECT_TRUE(has_line(
        text, "cosmo_db_group_requests_total{shard=\"s1\",statement=\"open_object\"} 55"));
    EXPECT_TRUE(has_line(
        text, "cosmo_db_group_statements_total{shard=\"s1\",statement=\"open_object\"} 10"));
    EXPECT_TRUE(
        has_line(text, "cosmo_db_group_failures_total{shard=\"s1\",statement=\"open_object\"} 1"));
    EXPECT_TRUE(has_line(text, "cosmo_db_group_queued{shard=\"s1\",statement=\"open_object\"} 2"));
    EXPECT_TRUE(has_line(text, "cosmo_cache_bytes{cache=\"listing\"} 300"));
    EXPECT_TRUE(has_line(text, "cosmo_cache_max_bytes{cache=\"listing\"} 1000"));
    EXPECT_TRUE(has_line(text, "cosmo_cache_lookups_total{cache=\"listing\",result=\"hit\"} 9"));
    EXPECT_TRUE(has_line(text, "cosmo_cache_lookups_total{cache=\"listing\",result=\"miss\"} 1"));
    EXPECT_TRUE(has_line(text, "cosmo_auth_password_hashes_total 12"));
    EXPECT_TRUE(has_line(text, "cosmo_auth_password_hashes_waiting 3"));

    // Every family once, with its TYPE right after its HELP; every sample
    // belongs to the family declared last.
    std::map<std::string, int> declared;
    std::string family;
    bool resident = false;
    for (const std::string& line : lines_of(text)) {
        if (line.starts_with("# HELP ")) {
            family = line.substr(7, line.find(' ', 7) - 7);
            ++declared[family];
        } else if (line.starts_with("# TYPE ")) {
            EXPECT_TRUE(line.starts_with("# TYPE " + family + " ")) << line;
        } else {
            EXPECT_TRUE(line.starts_with(family)) << line << " after " << family;
            if (line.starts_with("process_resident_memory_bytes ")) {
                resident = std::stod(line.substr(line.find(' ') + 1)) > 0;
            }
        }
    }
    for (const auto& [name, n] : declared) EXPECT_EQ(n, 1) << name;
    EXPECT_TRUE(resident) << text;
}

}  // namespace
}  // namespace cosmo::test
