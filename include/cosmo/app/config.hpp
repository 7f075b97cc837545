#pragma once
/// Configuration: one INI file, every key also a --flag and a COSMO_* env
/// variable (key "body-limit" = flag --body-limit = env COSMO_BODY_LIMIT).
/// Precedence: command line, then environment, then file, then defaults.
/// Loaded and validated once into an immutable Config.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

namespace cosmo::app {

/// With io_per_thread, the threads that run the shared io_context: the
/// acceptors, the admin listener (its handlers inline), the signals and the
/// timers. Two, so that an admin request that blocks (a readiness check on
/// a slow shard) leaves the acceptors served.
inline constexpr int kSharedLoopThreads = 2;

struct Config {
    std::string config_file;
    // Listeners
    std::string listen = "127.0.0.1:8080";
    std::string admin_listen = "127.0.0.1:8081";
    std::string external_prefix;               ///< e.g. "/dav" behind a proxy
    std::vector<std::string> trusted_proxies;  ///< comma-separated in the file
    /// With inline handlers: the requests served at once. 0 (the default)
    /// means six per core, resolved by load_config (docs/operations.md).
    int io_threads = 0;
    int worker_threads = 2;        ///< handlers when not inline, and background jobs
    bool io_per_thread = true;     ///< each I/O thread its own loop (http::IoThreads)
    bool inline_handlers = true;   ///< handlers on the I/O threads (http::ListenerOptions)
    /// With inline handlers: threads that run PUT handlers instead of the
    /// I/O threads (http::ListenerOptions::offload); a PUT waits there for
    /// its group's commit. 0 = PUTs run inline like the rest.
    int put_threads = 16;
    // HTTP limits
    std::size_t header_limit = 16 * 1024;
    std::size_t body_limit = 10 * 1024 * 1024;
    int read_timeout = 30;   ///< seconds
    int idle_timeout = 120;  ///< seconds
    std::size_t max_connections = 10000;
    int shutdown_timeout = 10;  ///< seconds
    // DAV
    std::size_t max_resource_size = 10 * 1024 * 1024;
    std::size_t xml_max_depth = 64;
    std::size_t xml_max_elements = 100000;
    std::int64_t quota_bytes = 1024LL * 1024 * 1024;
    std::int64_t max_lock_timeout = 7 * 24 * 3600;
    // CalDAV
    std::size_t max_instances = 10000;
    std::size_t query_memo_entries = 200000;  ///< remembered calendar-query verdicts
    std::size_t listing_cache_mb = 64;        ///< cached member listings (dav::ListingCache)
    std::size_t object_cache_mb = 256;        ///< cached objects and multiget answers (dav::ObjectCache)
    std::size_t max_report_results = 10000;  ///< responses per REPORT (then a 507)
    // Storage
    std::string data_dir = "var";
    std::string directory_dsn;  ///< empty = embedded PostgreSQL under data_dir
    std::size_t db_pool_size = 0;  ///< 0 = io-threads + put-threads, at least 16
    int db_connect_timeout_ms = 3000;
    int db_statement_timeout_ms = 30000;
    int db_acquire_timeout_ms = 5000;  ///< waiting for a free pooled connection
    /// Groups of PUTs per shard writing at once (store_pg::PoolOptions::
    /// write_groups); 0 = every PUT commits alone.
    std::size_t write_groups = 1;
    /// Groups of requests' first reads per shard sent at once
    /// (PoolOptions::read_groups); 0 = every read alone.
    std::size_t read_groups = 1;
    /// Statement groups on threads of their own (PoolOptions::group_threads).
    bool group_threads = true;
    int directory_cache_ttl_ms = 30000;
    /// Days a change-log row is kept (RFC 6578 sync tokens older than this
    /// get 403 valid-sync-token); at least 7 (CLIENTS.md §1.2).
    int sync_retention_days = 60;
    // Authentication
    std::string realm = "Cosmo";
    int auth_cache_ttl = 60;
    int auth_verified_lifetime = 24 * 3600;  ///< seconds; see auth::Options
    int auth_max_failures = 5;
    int auth_failure_window = 300;
    int auth_throttle_time = 60;
    // Embedded default
    std::string demo_user = "demo";
    // Logging
    std::string log_level = "info";
    bool access_log = true;

    bool embedded() const { return directory_dsn.empty(); }
};

/// Every configuration key, with its default and help text.
boost::program_options::options_description config_options(Config& config);

/// Parses args (flags), then COSMO_* environment, then the --config file.
/// Unknown keys are errors. Positional words are returned in *positional.
/// Throws std::runtime_error with a message for the operator.
Config load_config(const std::vector<std::string>& args,
                   const boost::program_options::options_description& command_options,
                   std::vector<std::string>* positional);

}  // namespace cosmo::app
