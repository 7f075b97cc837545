#pragma once
/// /metrics on the admin port: what the listeners, the shards' connection
/// pools and statement groups, and the process did, in Prometheus' text
/// exposition format (version 0.0.4), for an operator's Prometheus to
/// scrape. Names and labels are listed in docs/operations.md.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cosmo/http/request_metrics.hpp"
#include "cosmo/store/shard_store.hpp"

namespace cosmo::admin {

/// Writes the text format: a family's HELP and TYPE lines, then its
/// samples, each family once and whole (the format requires it).
class MetricsText {
public:
    using Label = std::pair<std::string_view, std::string_view>;

    void family(std::string_view name, std::string_view type, std::string_view help);
    void sample(std::string_view name, const std::vector<Label>& labels, double value);
    void sample(std::string_view name, const std::vector<Label>& labels, std::uint64_t value);

    const std::string& text() const { return out_; }

private:
    /// A sample's name and labels, up to its value.
    void start_sample(std::string_view name, const std::vector<Label>& labels);
    std::string out_;
};

/// A listener whose requests /metrics reports.
struct ListenerSource {
    std::string name;  ///< "public", "admin"
    std::shared_ptr<const http::RequestMetrics> requests;
    std::function<std::size_t()> connections;  ///< open now
};

/// One of the server's caches, as /metrics reports it.
struct CacheStats {
    std::size_t bytes = 0;      ///< held now
    std::size_t max_bytes = 0;  ///< its configured size
    /// Lookups since start by how they ended ("hit", "miss", ...).
    std::vector<std::pair<std::string, std::uint64_t>> lookups;
};
struct CacheSource {
    std::string name;  ///< "object", "listing"
    std::function<CacheStats()> read;
};

/// Password checks (scrypt), as /metrics reports them: a burst of first
/// logins (after a restart) shows as requests waiting for a derivation.
struct AuthStats {
    std::uint64_t hashes = 0;   ///< derivations run since start
    std::size_t waiting = 0;    ///< requests waiting for a derivation slot now
};

/// Everything /metrics reads; each part optional.
struct MetricsSources {
    std::vector<ListenerSource> listeners;
    const store::ShardStore* shards = nullptr;
    std::vector<CacheSource> caches;
    std::function<AuthStats()> auth;
};

/// The whole exposition, read now.
std::string render_metrics(const MetricsSources& sources);

}  // namespace cosmo::admin
