#include "pool.hpp"

#include <algorithm>
#include <pqxx/pqxx>

#include "cosmo/store/error.hpp"
#include "errors.hpp"
#include "watchdog.hpp"

namespace cosmo::store_pg::detail {

using store::Errc;
using store::Error;

std::string with_connect_timeout(const std::string& dsn, std::chrono::milliseconds timeout) {
    // libpq takes whole seconds; round up so that 1500 ms does not become 1 s.
    const auto seconds = std::max<long long>(1, (timeout.count() + 999) / 1000);
    const std::string param = "connect_timeout=" + std::to_string(seconds);
    const bool uri = dsn.rfind("postgresql://", 0) == 0 || dsn.rfind("postgres://", 0) == 0;
    if (!uri) {
        return dsn.empty() ? param : dsn + " " + param;
    }
    return dsn + (dsn.find('?') == std::string::npos ? "?" : "&") + param;
}

std::chrono::milliseconds call_deadline(const PoolOptions& options) {
    return options.statement_timeout.count() > 0
               ? options.statement_timeout + options.connect_timeout
               : std::chrono::milliseconds(0);
}

std::unique_ptr<pqxx::connection> open_connection(const std::string& dsn,
                                                  const PoolOptions& options,
                                                  std::span<const Query> queries) {
    return guarded([&] {
        std::unique_ptr<pqxx::connection> conn;
        try {
            conn = std::make_unique<pqxx::connection>(
                with_connect_timeout(dsn, options.connect_timeout));
        } catch (const pqxx::failure& e) {
            // Any failure to connect (refused, timeout, auth, no such DB)
            // makes the database unavailable to this process.
            throw Error(Errc::kShardUnavailable, std::string("cannot connect: ") + e.what());
        }
        // A server that accepted the connection but stopped answering
        // (SIGSTOP) must not hold this thread: the socket watchdog ends it.
        const WatchdogGuard deadline(conn->sock(), options.connect_timeout);
        pqxx::nontransaction setup(*conn);
        setup.exec("SET statement_timeout = " +
                   std::to_string(options.statement_timeout.count()));
        // Every statement is a short, index-bounded lookup whose plan does
        // not depend on the parameter values, so a generic plan is right
        // for all of them; without this PostgreSQL plans each execution
        // anew (custom plans) whenever its cost model prefers that, and
        // planning was a visible part of a PUT's time (docs/performance.md).
        setup.exec("SET plan_cache_mode = force_generic_plan");
        // The data a shard serves is in memory, where a random page costs
        // about what a sequential one does. With the default (4.0) small
        // tables such as collection (two rows a user) were scanned whole
        // and filtered instead of probed by index: on 100 users that was
        // about 45 us of PostgreSQL CPU per GET and 95 per PUT
        // (docs/performance.md, "Tenth pass"). 1.1 is the usual setting
        // for data in RAM or on SSD; set here because every statement
        // Cosmo sends is an index-bounded lookup.
        setup.exec("SET random_page_cost = 1.1");
        // Bodies come back about as large as stored, not twice (bytes_of).
        setup.exec("SET bytea_output = 'escape'");
        setup.commit();
        // libpqxx prepares lazily on first use, then once per connection.
        for (const Query& q : queries) {
            conn->prepare(q.name, q.sql);
        }
        return conn;
    });
}

namespace {

/// Whether the database and this connection both use UTF8, so that text
/// crosses unconverted. Any failure answers false (bytea is always exact).
bool utf8_both_ways(pqxx::connection& conn) {
    try {
        pqxx::nontransaction t(conn);
        const pqxx::result r = t.exec(
            "SELECT current_setting('server_encoding') = 'UTF8' "
            "AND current_setting('client_encoding') = 'UTF8'");
        return r.size() == 1 && r[0][0].as<bool>();
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace

Pool::Lease::~Lease() {
    if (pool_ != nullptr && conn_ != nullptr) {
        pool_->give_back(std::move(conn_), discard_);
    }
}

Pool::Pool(std::string dsn, PoolOptions options, std::span<const Query> queries)
    : dsn_(std::move(dsn)), options_(options), queries_(queries) {}

Pool::~Pool() = default;

void Pool::mark_down() {
    std::lock_guard lock(mutex_);
    down_until_ = std::chrono::steady_clock::now() + kDownCooldown;
}

Pool::Lease Pool::acquire() {
    std::unique_lock lock(mutex_);
    if (std::chrono::steady_clock::now() < down_until_) {
        ++counts_.refused;
        throw Error(Errc::kShardUnavailable, "database recently unreachable: " + dsn_);
    }
    const auto available = [&] {
        return !idle_.empty() || open_ < std::max<std::size_t>(1, options_.max_connections);
    };
    if (!available()) {
        ++counts_.waits;
        if (!freed_.wait_for(lock, options_.acquire_timeout, available)) {
            ++counts_.timeouts;
            throw Error(Errc::kRetryable, "connection pool exhausted for " + dsn_);
        }
    }
    if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return Lease(shared_from_this(), std::move(conn), /*reused=*/true);
    }
    ++open_;
    lock.unlock();
    try {
        std::unique_ptr<pqxx::connection> conn = open_connection(dsn_, options_, queries_);
        bodies_as_text_.store(utf8_both_ways(*conn), std::memory_order_relaxed);
        lock.lock();
        ++counts_.opened;
        lock.unlock();
        return Lease(shared_from_this(), std::move(conn), /*reused=*/false);
    } catch (const Error& e) {
        lock.lock();
        --open_;
        if (e.code() == Errc::kShardUnavailable) {
            down_until_ = std::chrono::steady_clock::now() + kDownCooldown;
            ++counts_.refused;
        }
        freed_.notify_one();
        throw;
    } catch (...) {
        lock.lock();
        --open_;
        freed_.notify_one();
        throw;
    }
}

Pool::Stats Pool::stats() const {
    std::lock_guard lock(mutex_);
    Stats out = counts_;
    out.open = open_;
    out.idle = idle_.size();
    return out;
}

void Pool::give_back(std::unique_ptr<pqxx::connection> conn, bool discard) {
    const bool keep = !discard && conn->is_open();
    if (!keep) {
        conn.reset();  // close outside the lock
    }
    std::vector<std::unique_ptr<pqxx::connection>> dropped;
    {
        std::lock_guard lock(mutex_);
        if (keep) {
            idle_.push_back(std::move(conn));
        } else {
            --open_;
            counts_.dropped += 1 + idle_.size();
            // A broken connection usually means a restarted or stopped
            // server: the idle ones are dead as well, so none is handed out.
            open_ -= idle_.size();
            dropped.swap(idle_);
        }
        freed_.notify_all();
    }
    // dropped closes here, outside the lock.
}

}  // namespace cosmo::store_pg::detail
