#include "cosmo/app/serve.hpp"

#include <malloc.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include <boost/asio.hpp>
#include <spdlog/spdlog.h>

#include "cosmo/admin/admin_handler.hpp"
#include "cosmo/app/databases.hpp"
#include "cosmo/app/users.hpp"
#include "cosmo/auth/authenticator.hpp"
#include "cosmo/auth/password.hpp"
#include "cosmo/caldav/caldav.hpp"
#include "cosmo/core/random.hpp"
#include "cosmo/dav/dispatcher.hpp"
#include "cosmo/http/server.hpp"
#include "cosmo/ical/timezone.hpp"
#include "cosmo/store/cached_directory.hpp"
#include "cosmo/store/error.hpp"

namespace cosmo::app {

namespace asio = boost::asio;

namespace {

std::pair<std::string, unsigned short> split_address(const std::string& listen) {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) {
        throw std::runtime_error("listen address must be ADDR:PORT: " + listen);
    }
    std::string host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) {
        throw std::runtime_error("bad port in " + listen);
    }
    return {host, static_cast<unsigned short>(port)};
}

http::ListenerOptions listener_options(const Config& c, const std::string& listen,
                                       const std::string& name) {
    http::ListenerOptions o;
    std::tie(o.address, o.port) = split_address(listen);
    o.limits.header_limit = c.header_limit;
    o.limits.body_limit = c.body_limit;
    o.limits.read_timeout = std::chrono::seconds(c.read_timeout);
    o.limits.idle_timeout = std::chrono::seconds(c.idle_timeout);
    o.limits.max_connections = c.max_connections;
    o.trusted_proxies = c.trusted_proxies;
    o.access_log = c.access_log;
    o.inline_handlers = c.inline_handlers;
    o.name = name;
    return o;
}

/// The embedded default's demo user: created once, its password kept in
/// data-dir/demo-credentials (mode 0600) so every run prints the same one.
void ensure_demo_user(const Config& c, Databases& db) {
    if (c.demo_user.empty()) {
        return;
    }
    const auto file = std::filesystem::path(c.data_dir) / "demo-credentials";
    std::string password;
    if (std::ifstream in(file); in) {
        std::string line;
        std::getline(in, line);
        if (line.starts_with(c.demo_user + ":")) {
            password = line.substr(c.demo_user.size() + 1);
        }
    }
    auto existing = db.directory().find_user(c.demo_user);
    if (!existing || password.empty()) {
        if (existing) {
            // The user exists but its password was lost: set a new one.
            password = core::random_hex(8);
            db.directory().set_password(c.demo_user, auth::hash_password(password));
        } else {
            password = core::random_hex(8);
            create_user(db.directory(), db.shards(), c.demo_user, "", password);
        }
        std::ofstream out(file, std::ios::trunc);
        out << c.demo_user << ":" << password << "\n";
        out.close();
        ::chmod(file.c_str(), 0600);
    }
    auto [host, port] = split_address(c.listen);
    std::cout << "Demo user: " << c.demo_user << "  password: " << password << "\n"
              << "Home: http://" << host << ":" << port << c.external_prefix
              << "/calendars/users/" << c.demo_user << "/\n"
              << std::flush;
}

// Multistatus bodies of large calendars are a few hundred KiB, built and
// freed on every request. With glibc's defaults such blocks come from mmap
// (or a trimmed heap top) and every request pays page faults to touch fresh
// memory: 16% of a PROPFIND Depth 1 profile on a 1,000-event calendar.
// Keeping them in the heap and not trimming it reuses the pages; the cost is
// that freed memory stays with the process (bounded by the largest burst).
void tune_allocator() {
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);
}

}  // namespace

int serve(const Config& c) {
    tune_allocator();
    Databases db(c, /*migrate=*/false);
    if (db.embedded()) {
        ensure_demo_user(c, db);
    }

    store::CachedDirectory cached_directory(
        db.directory(), std::chrono::milliseconds(c.directory_cache_ttl_ms), 100000);

    auth::Options auth_options;
    auth_options.realm = c.realm;
    auth_options.cache_ttl = std::chrono::seconds(c.auth_cache_ttl);
    auth_options.verified_lifetime = std::chrono::seconds(c.auth_verified_lifetime);
    auth_options.max_failures = c.auth_max_failures;
    auth_options.failure_window = std::chrono::seconds(c.auth_failure_window);
    auth_options.throttle_time = std::chrono::seconds(c.auth_throttle_time);
    // Password checks read the directory itself, not the cache, so that a
    // disabled user or a new password counts within auth-cache-ttl.
    auth::Authenticator authenticator(db.directory(), auth_options);

    dav::Options dav_options;
    dav_options.prefix = c.external_prefix;
    dav_options.max_resource_size = c.max_resource_size;
    dav_options.xml_limits.max_depth = c.xml_max_depth;
    dav_options.xml_limits.max_elements = c.xml_max_elements;
    dav_options.quota_bytes = c.quota_bytes;
    dav_options.max_lock_timeout_seconds = c.max_lock_timeout;
    if (c.listing_cache_mb > 0) {
        dav_options.listing_cache =
            std::make_shared<dav::ListingCache>(c.listing_cache_mb * 1024 * 1024);
    }
    if (c.object_cache_mb > 0) {
        dav_options.object_cache =
            std::make_shared<dav::ObjectCache>(c.object_cache_mb * 1024 * 1024);
    }
    caldav::Options caldav_options;
    caldav_options.max_resource_size = c.max_resource_size;
    caldav_options.max_instances = c.max_instances;
    caldav_options.max_results = c.max_report_results;
    caldav_options.query_memo_entries = c.query_memo_entries;
    dav::Dispatcher dispatcher(dav_options, cached_directory, db.shards(),
                               caldav::registries(caldav_options));
    // RFC 6764: the well-known redirect answers before any login, as clients
    // probe it first; it only points at the context path.
    const std::string well_known = c.external_prefix + "/.well-known/caldav";
    auth::AuthHandler public_handler(authenticator, dispatcher, [well_known](const http::Request& r) {
        std::string_view path = r.target();
        path = path.substr(0, path.find('?'));
        if (path.ends_with('/')) path.remove_suffix(1);
        return path == well_known;
    });
    // Each listener counts its requests for /metrics; the servers are made
    // after the admin handler that reports their connections.
    auto public_requests = std::make_shared<http::RequestMetrics>();
    auto admin_requests = std::make_shared<http::RequestMetrics>();
    const http::Server* public_listener = nullptr;
    const http::Server* admin_listener = nullptr;
    admin::MetricsSources metrics;
    metrics.listeners.push_back({"public", public_requests, [&public_listener] {
                                     return public_listener ? public_listener->connections() : 0;
                                 }});
    metrics.listeners.push_back({"admin", admin_requests, [&admin_listener] {
                                     return admin_listener ? admin_listener->connections() : 0;
                                 }});
    metrics.shards = &db.shards();
    if (const auto cache = dav_options.object_cache) {
        metrics.caches.push_back({"object", [cache] {
                                      const auto s = cache->stats();
                                      return admin::CacheStats{s.bytes,
                                                               s.max_bytes,
                                                               {{"answer", s.answers},
                                                                {"object", s.objects},
                                                                {"miss", s.misses}}};
                                  }});
    }
    if (const auto cache = dav_options.listing_cache) {
        metrics.caches.push_back({"listing", [cache] {
                                      const auto s = cache->stats();
                                      return admin::CacheStats{
                                          s.bytes, s.max_bytes, {{"hit", s.hits}, {"miss", s.misses}}};
                                  }});
    }
    metrics.auth = [&authenticator] {
        return admin::AuthStats{authenticator.password_verifications(),
                                authenticator.hashes_waiting()};
    };
    admin::AdminHandler admin_handler(db.directory(), db.shards(), std::move(metrics));

    // libical's zone data (every built-in zone's transitions) is loaded once
    // per process, under a lock that every iCalendar parse waits on: about
    // two billion instructions, half a second or more. Before listening, so
    // that the first PUT or query after a start does not pay it while
    // holding up every other one (docs/performance.md, "Tenth pass").
    ical::initialize();

    asio::io_context io(c.io_threads);
    asio::thread_pool workers(static_cast<std::size_t>(c.worker_threads));
    auto public_opts = listener_options(c, c.listen, "public");
    public_opts.metrics = public_requests;
    // Public connections on I/O threads of their own loops (http::IoThreads);
    // the shared io_context then runs only the acceptors, the admin
    // listener, the signals and the timers.
    std::optional<http::IoThreads> io_threads;
    if (c.io_per_thread) {
        io_threads.emplace(static_cast<std::size_t>(c.io_threads));
        public_opts.io_threads = &*io_threads;
    }
    // PUTs wait for their group's commit on threads of their own, so that
    // the I/O threads go on reading: the PUTs that queue behind a writing
    // group fill the next one, and more of them in flight make it larger
    // (docs/performance.md, session 23). Each runs a loop of its own, and a
    // PUT goes to the one with the fewest in flight (session 26). Declared
    // after io_threads, so destroyed first: a PUT still queued there may
    // hold a connection whose socket belongs to an I/O loop.
    std::optional<http::IoThreads> put_loops;
    if (c.inline_handlers && c.put_threads > 0) {
        put_loops.emplace(static_cast<std::size_t>(c.put_threads));
        public_opts.offload = [](const http::Request& req) {
            return req.method() == http::Verb::put;
        };
        public_opts.offload_threads = &*put_loops;
    }
    http::Server public_server(io, workers, public_handler, public_opts);
    auto admin_opts = listener_options(c, c.admin_listen, "admin");
    admin_opts.access_log = false;
    admin_opts.metrics = admin_requests;
    http::Server admin_server(io, workers, admin_handler, admin_opts);
    public_listener = &public_server;
    admin_listener = &admin_server;
    public_server.start();
    admin_server.start();

    // Graceful shutdown: stop accepting, let in-flight requests finish, and
    // give up after shutdown-timeout seconds.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    asio::steady_timer deadline(io);
    std::chrono::steady_clock::time_point give_up;
    std::function<void()> wait_for_drain = [&] {
        if ((public_server.connections() == 0 && admin_server.connections() == 0) ||
            std::chrono::steady_clock::now() >= give_up) {
            io.stop();
            if (io_threads) io_threads->stop();
            if (put_loops) put_loops->stop();
            return;
        }
        deadline.expires_after(std::chrono::milliseconds(50));
        deadline.async_wait([&](const boost::system::error_code&) { wait_for_drain(); });
    };
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) {
            return;
        }
        spdlog::info("signal {}: shutting down", signal);
        public_server.stop();
        admin_server.stop();
        give_up = std::chrono::steady_clock::now() + std::chrono::seconds(c.shutdown_timeout);
        wait_for_drain();
    });

    // Change-log retention (RFC 6578; CLIENTS.md §1.2): by age, never by a
    // global count; hourly, on the worker pool (it blocks on the database).
    const std::chrono::seconds retention{std::int64_t{c.sync_retention_days} * 86400};
    asio::steady_timer purge_timer(io);
    std::function<void()> schedule_purge = [&] {
        purge_timer.expires_after(std::chrono::hours(1));
        purge_timer.async_wait([&](const boost::system::error_code& ec) {
            if (ec) {
                return;
            }
            asio::post(workers, [&, retention] {
                try {
                    const auto n = db.shards().purge_change_log(retention);
                    spdlog::info("change log purge: {} rows older than {} days", n,
                                 c.sync_retention_days);
                } catch (const std::exception& e) {
                    spdlog::warn("change log purge failed: {}", e.what());
                }
            });
            schedule_purge();
        });
    };
    schedule_purge();

    const int shared_threads = io_threads ? kSharedLoopThreads : c.io_threads;
    if (io_threads) io_threads->start();
    if (put_loops) put_loops->start();
    std::vector<std::thread> threads;
    for (int i = 1; i < shared_threads; ++i) {
        threads.emplace_back([&io] { io.run(); });
    }
    io.run();
    for (auto& t : threads) {
        t.join();
    }
    if (io_threads) io_threads->join();
    workers.join();
    if (put_loops) put_loops->join();
    spdlog::info("stopped");
    return 0;
}

}  // namespace cosmo::app
