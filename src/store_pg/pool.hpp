#pragma once
/// A bounded pool of connections to one database: opened lazily, acquire
/// blocks up to acquire_timeout, a broken connection is discarded, and every
/// named statement of the database kind is prepared once per connection.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <span>
#include <string>
#include <vector>

#include "cosmo/store_pg/pg.hpp"
#include "queries.hpp"

namespace cosmo::store_pg::detail {

/// The DSN with libpq's connect_timeout (whole seconds, at least 1) added,
/// in key=value or URI form as the DSN itself.
std::string with_connect_timeout(const std::string& dsn, std::chrono::milliseconds timeout);

/// How long one statement of a session may take before the socket
/// watchdog ends it: the statement timeout plus the connect timeout (the
/// server's own timeout fires first), or 0 (none) without a statement
/// timeout.
std::chrono::milliseconds call_deadline(const PoolOptions& options);
/// Opens one connection: connect_timeout honoured, statement_timeout set,
/// statements registered. Throws store::Error{kShardUnavailable} on failure.
std::unique_ptr<pqxx::connection> open_connection(const std::string& dsn,
                                                  const PoolOptions& options,
                                                  std::span<const Query> queries);

/// Thread-safe. Always owned by a shared_ptr: leases keep their pool alive,
/// so a session may outlive the store that opened it.
class Pool : public std::enable_shared_from_this<Pool> {
public:
    /// A checked-out connection; returns it to the pool on destruction
    /// unless it broke or discard() was called.
    class Lease {
    public:
        Lease(std::shared_ptr<Pool> pool, std::unique_ptr<pqxx::connection> conn, bool reused)
            : pool_(std::move(pool)), conn_(std::move(conn)), reused_(reused) {}
        Lease(Lease&& other) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        /// The connection; valid while the lease lives.
        pqxx::connection& conn() { return *conn_; }
        /// Drops the connection instead of returning it (state unknown).
        /// The pool's idle connections go too: a connection breaks mostly
        /// because the server restarted, and then every idle one is dead.
        void discard() { discard_ = true; }
        /// Whether the connection was idle in the pool (it may have died
        /// there) rather than opened for this lease.
        bool reused() const { return reused_; }
        /// The pool the connection came from.
        Pool& pool() { return *pool_; }

    private:
        std::shared_ptr<Pool> pool_;
        std::unique_ptr<pqxx::connection> conn_;
        bool discard_ = false;
        bool reused_ = false;
    };

    /// Opens nothing yet.
    Pool(std::string dsn, PoolOptions options, std::span<const Query> queries);
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    /// A connection, idle or newly opened. Blocks while max_connections are
    /// out; throws Error{kRetryable} after acquire_timeout and
    /// Error{kShardUnavailable} when the database cannot be reached.
    Lease acquire();

    /// The DSN as configured (without the added connect_timeout).
    const std::string& dsn() const { return dsn_; }
    /// The options the pool was made with.
    const PoolOptions& options() const { return options_; }
    /// Whether text read from this database reaches Cosmo as UTF-8 bytes
    /// unchanged (server and client encoding both UTF8), so that a body can
    /// be read as text instead of bytea (PgSession::batch_rows). Learnt from
    /// the first connection; false until then.
    bool bodies_as_text() const { return bodies_as_text_.load(std::memory_order_relaxed); }

    /// Marks the database unreachable for kDownCooldown: acquire() fails
    /// fast meanwhile, so a dead shard costs one connect timeout per
    /// cooldown instead of one per request (worker threads stay free for
    /// the users of healthy shards).
    void mark_down();

    /// What the pool holds now and did since it was made (/metrics).
    struct Stats {
        std::size_t open = 0;        ///< connections idle, leased or being opened
        std::size_t idle = 0;        ///< connections waiting in the pool
        std::uint64_t opened = 0;    ///< connections opened
        std::uint64_t dropped = 0;   ///< connections closed as broken or of unknown state
        std::uint64_t waits = 0;     ///< acquires that found no connection free and waited
        std::uint64_t timeouts = 0;  ///< acquires that gave up after acquire_timeout
        std::uint64_t refused = 0;   ///< acquires refused: the database was unreachable
    };
    Stats stats() const;

    /// How long a database that failed to connect is not tried again.
    static constexpr std::chrono::milliseconds kDownCooldown{1000};

private:
    void give_back(std::unique_ptr<pqxx::connection> conn, bool discard);

    std::string dsn_;
    PoolOptions options_;
    std::span<const Query> queries_;
    mutable std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<pqxx::connection>> idle_;
    std::size_t open_ = 0;  ///< idle + leased + being opened
    std::chrono::steady_clock::time_point down_until_{};
    Stats counts_;  ///< the counters of stats(); open and idle are read off the above
    std::atomic<bool> bodies_as_text_{false};
};

}  // namespace cosmo::store_pg::detail
