#include "cosmo/app/config.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <boost/algorithm/string.hpp>
#include <boost/program_options.hpp>

namespace cosmo::app {

namespace po = boost::program_options;

po::options_description config_options(Config& c) {
    po::options_description d("Configuration (file keys, --flags, COSMO_* variables)");
    d.add_options()
        ("config", po::value(&c.config_file), "INI configuration file")
        ("listen", po::value(&c.listen)->default_value(c.listen), "public listener ADDR:PORT")
        ("admin-listen", po::value(&c.admin_listen)->default_value(c.admin_listen),
         "admin listener ADDR:PORT (/healthz, /readyz, /metrics); keep it on loopback")
        ("external-prefix", po::value(&c.external_prefix)->default_value(c.external_prefix),
         "path prefix under which a proxy exposes Cosmo, e.g. /dav")
        ("trusted-proxies", po::value<std::string>()->default_value(""),
         "comma-separated proxy addresses whose X-Forwarded-For is believed")
        ("io-threads", po::value(&c.io_threads)->default_value(c.io_threads),
         "I/O threads; 0 = six per core")
        ("io-per-thread", po::value(&c.io_per_thread)->default_value(c.io_per_thread),
         "each I/O thread runs an event loop of its own and serves the connections given "
         "to it (the fewest first); false = every I/O thread takes whichever connection is ready")
        ("inline-handlers", po::value(&c.inline_handlers)->default_value(c.inline_handlers),
         "run request handlers on the I/O threads (no worker hand-off; set io-threads to "
         "the requests to serve at once)")
        ("worker-threads", po::value(&c.worker_threads)->default_value(c.worker_threads),
         "threads running handlers (database work)")
        ("put-threads", po::value(&c.put_threads)->default_value(c.put_threads),
         "with inline-handlers: threads running PUT handlers, so that a PUT waits for "
         "its group's commit without holding an I/O thread; 0 = PUTs run inline")
        ("header-limit", po::value(&c.header_limit)->default_value(c.header_limit),
         "max bytes of request line + headers (431 beyond)")
        ("body-limit", po::value(&c.body_limit)->default_value(c.body_limit),
         "max request body bytes (413 beyond)")
        ("read-timeout", po::value(&c.read_timeout)->default_value(c.read_timeout),
         "seconds to read one request")
        ("idle-timeout", po::value(&c.idle_timeout)->default_value(c.idle_timeout),
         "seconds a keep-alive connection may idle")
        ("max-connections", po::value(&c.max_connections)->default_value(c.max_connections),
         "open connections per listener (503 beyond)")
        ("shutdown-timeout", po::value(&c.shutdown_timeout)->default_value(c.shutdown_timeout),
         "seconds to finish in-flight requests on SIGTERM")
        ("max-resource-size",
         po::value(&c.max_resource_size)->default_value(c.max_resource_size),
         "max bytes of one stored resource")
        ("xml-max-depth", po::value(&c.xml_max_depth)->default_value(c.xml_max_depth),
         "max element depth of a request body")
        ("xml-max-elements", po::value(&c.xml_max_elements)->default_value(c.xml_max_elements),
         "max elements in a request body")
        ("quota-bytes", po::value(&c.quota_bytes)->default_value(c.quota_bytes),
         "bytes per user (quota-available-bytes)")
        ("max-lock-timeout", po::value(&c.max_lock_timeout)->default_value(c.max_lock_timeout),
         "longest WebDAV lock, seconds")
        ("max-instances", po::value(&c.max_instances)->default_value(c.max_instances),
         "recurrence instances expanded per object in a query (CALDAV:max-instances)")
        ("max-report-results",
         po::value(&c.max_report_results)->default_value(c.max_report_results),
         "responses per REPORT; more are cut with a 507 (number-of-matches-within-limits)")
        ("listing-cache-mb", po::value(&c.listing_cache_mb)->default_value(c.listing_cache_mb),
         "MiB of member listings kept for repeated PROPFIND Depth 1 / initial syncs; 0 = off")
        ("object-cache-mb", po::value(&c.object_cache_mb)->default_value(c.object_cache_mb),
         "MiB of calendar objects and calendar-multiget responses kept by collection "
         "revision; 0 = off")
        ("query-memo-entries",
         po::value(&c.query_memo_entries)->default_value(c.query_memo_entries),
         "calendar-query verdicts remembered by ETag, filter and time zone; 0 = off")
        ("data-dir", po::value(&c.data_dir)->default_value(c.data_dir),
         "directory of the embedded PostgreSQL and local state")
        ("directory-dsn", po::value(&c.directory_dsn)->default_value(c.directory_dsn),
         "libpq connection string of the directory database; empty = embedded")
        ("db-pool-size", po::value(&c.db_pool_size)->default_value(c.db_pool_size),
         "connections per database; 0 = the requests that can be in flight (io-threads + "
         "put-threads + the shared loop's 2 threads), at least 16")
        ("db-connect-timeout-ms",
         po::value(&c.db_connect_timeout_ms)->default_value(c.db_connect_timeout_ms),
         "connect timeout; a shard slower than this answers 503")
        ("db-statement-timeout-ms",
         po::value(&c.db_statement_timeout_ms)->default_value(c.db_statement_timeout_ms),
         "statement timeout")
        ("db-acquire-timeout-ms",
         po::value(&c.db_acquire_timeout_ms)->default_value(c.db_acquire_timeout_ms),
         "wait for a free pooled connection; after this the request answers 503")
        ("write-groups", po::value(&c.write_groups)->default_value(c.write_groups),
         "PUTs per shard written at once; PUTs arriving while all are busy are "
         "committed together by the next (one transaction, one WAL flush); 0 = each alone")
        ("read-groups", po::value(&c.read_groups)->default_value(c.read_groups),
         "first reads of requests per shard sent at once; reads arriving while all are "
         "busy are sent together by the next (one statement); 0 = each alone")
        ("group-threads", po::value(&c.group_threads)->default_value(c.group_threads),
         "with write-groups / read-groups 1: each kind of group is sent by a thread "
         "with a connection of its own, not by one of the requests waiting for it")
        ("directory-cache-ttl-ms",
         po::value(&c.directory_cache_ttl_ms)->default_value(c.directory_cache_ttl_ms),
         "how long an app server trusts a cached user->shard placement")
        ("sync-retention-days",
         po::value(&c.sync_retention_days)->default_value(c.sync_retention_days),
         "days of change log kept for sync-collection deltas (minimum 7)")
        ("realm", po::value(&c.realm)->default_value(c.realm), "HTTP Basic realm")
        ("auth-cache-ttl", po::value(&c.auth_cache_ttl)->default_value(c.auth_cache_ttl),
         "seconds a verified password is trusted without re-checking")
        ("auth-verified-lifetime",
         po::value(&c.auth_verified_lifetime)->default_value(c.auth_verified_lifetime),
         "seconds a password check stays good while the stored hash is unchanged "
         "(re-checked against the directory every auth-cache-ttl, no re-hashing)")
        ("auth-max-failures",
         po::value(&c.auth_max_failures)->default_value(c.auth_max_failures),
         "failed logins per user and client IP before throttling")
        ("auth-failure-window",
         po::value(&c.auth_failure_window)->default_value(c.auth_failure_window),
         "seconds over which failures are counted")
        ("auth-throttle-time",
         po::value(&c.auth_throttle_time)->default_value(c.auth_throttle_time),
         "seconds a throttled user+IP gets 429")
        ("demo-user", po::value(&c.demo_user)->default_value(c.demo_user),
         "user the embedded default creates; empty = none")
        ("log-level", po::value(&c.log_level)->default_value(c.log_level),
         "trace, debug, info, warn, error")
        ("access-log", po::value(&c.access_log)->default_value(c.access_log),
         "one log line per request");
    return d;
}

namespace {

/// COSMO_BODY_LIMIT -> body-limit, for keys that exist.
std::string env_name_mapper(const po::options_description& known, const std::string& env) {
    constexpr std::string_view kPrefix = "COSMO_";
    if (!env.starts_with(kPrefix)) {
        return {};
    }
    std::string key = boost::algorithm::to_lower_copy(env.substr(kPrefix.size()));
    std::replace(key.begin(), key.end(), '_', '-');
    return known.find_nothrow(key, false) ? key : std::string{};
}

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    boost::algorithm::split(out, s, boost::is_any_of(", "), boost::token_compress_on);
    std::erase_if(out, [](const std::string& x) { return x.empty(); });
    return out;
}

}  // namespace

Config load_config(const std::vector<std::string>& args,
                   const po::options_description& command_options,
                   std::vector<std::string>* positional) {
    Config config;
    po::options_description all;
    all.add(config_options(config));
    all.add(command_options);
    po::options_description hidden;
    hidden.add_options()("positional", po::value<std::vector<std::string>>(), "");
    po::options_description cmdline;
    cmdline.add(all).add(hidden);
    po::positional_options_description pos;
    pos.add("positional", -1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(cmdline).positional(pos).run(), vm);
        po::store(po::parse_environment(
                      all, [&](const std::string& e) { return env_name_mapper(all, e); }),
                  vm);
        auto file = vm.count("config") ? vm["config"].as<std::string>() : std::string{};
        if (!file.empty()) {
            std::ifstream in(file);
            if (!in) {
                throw std::runtime_error("cannot read configuration file " + file);
            }
            po::store(po::parse_config_file(in, all, /*allow_unregistered=*/false), vm);
        }
        po::notify(vm);
    } catch (const po::error& e) {
        throw std::runtime_error(std::string("configuration: ") + e.what());
    }
    if (positional && vm.count("positional")) {
        *positional = vm["positional"].as<std::vector<std::string>>();
    }
    config.trusted_proxies = split_list(vm["trusted-proxies"].as<std::string>());
    if (!config.external_prefix.empty()) {
        if (config.external_prefix.front() != '/') {
            config.external_prefix.insert(0, "/");
        }
        while (!config.external_prefix.empty() && config.external_prefix.back() == '/') {
            config.external_prefix.pop_back();
        }
    }
    if (config.io_threads == 0) {
        // With handlers inline, io-threads is the requests in flight. A PUT
        // waits for its group's commit (store_pg write-groups), and the PUTs
        // that queue behind a writing group fill the next one: on 2 cores 12
        // threads gave put-update about 20% more than 8, and 16 about 25%,
        // but GET lost about 2% at 12 and 7% at 16 (Asio hands more
        // completions between threads; performance.md, "Session 16").
        config.io_threads = static_cast<int>(6 * std::max(1u, std::thread::hardware_concurrency()));
    }
    if (config.io_threads < 1 || config.worker_threads < 1 || config.put_threads < 0) {
        throw std::runtime_error(
            "configuration: io-threads and worker-threads must be >= 1, put-threads >= 0");
    }
    if (config.db_pool_size == 0) {
        // Each request in flight holds at most one connection per database:
        // one per I/O thread, plus one per PUT thread, plus one per thread of
        // the shared loop, where admin requests (/readyz) run inline, so
        // that a readiness check never waits for a busy public side.
        const int in_flight =
            config.io_threads +
            (config.inline_handlers
                 ? config.put_threads + (config.io_per_thread ? kSharedLoopThreads : 0)
                 : 0);
        config.db_pool_size = std::max<std::size_t>(16, static_cast<std::size_t>(in_flight));
    }
    // Shorter windows make clients that sync weekly fall back to full syncs
    // (nextcloud/server PR #44075 settled on 7 days as the floor).
    if (config.max_instances < 1 || config.max_report_results < 1) {
        throw std::runtime_error("configuration: max-instances and max-report-results must be >= 1");
    }
    if (config.db_acquire_timeout_ms < 0) {
        throw std::runtime_error("configuration: db-acquire-timeout-ms must be >= 0");
    }
    if (config.sync_retention_days < 7) {
        throw std::runtime_error("configuration: sync-retention-days must be >= 7");
    }
    return config;
}

}  // namespace cosmo::app
