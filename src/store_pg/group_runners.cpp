#include "group_runners.hpp"

#include <poll.h>

#include <pqxx/pqxx>

#include "cosmo/store/error.hpp"
#include "errors.hpp"
#include "queries.hpp"
#include "watchdog.hpp"

namespace cosmo::store_pg::detail {
namespace {

/// Whether an idle connection has something to read or was closed: the
/// server sends nothing unasked between statements, except the notice
/// that ends a connection (a shard restarted or was shut down meanwhile).
bool ended_while_idle(int socket) {
    pollfd p{socket, POLLIN, 0};
    return socket < 0 || ::poll(&p, 1, 0) != 0;
}

/// A runner's connection. Used by its runner thread only.
class RunnerConnection {
public:
    /// retry_reads: a group whose connection turns out broken and was not
    /// opened for it runs once more on a new one (reads only: a write's
    /// outcome is then unknown).
    RunnerConnection(std::shared_ptr<Pool> pool, std::chrono::milliseconds deadline,
                     bool retry_reads)
        : pool_(std::move(pool)), deadline_(deadline), retry_(retry_reads) {}

    /// Runs f(txn) on the connection (opened if need be) in autocommit,
    /// bounded by the watchdog; a broken connection is closed, and the
    /// shard marked down when the deadline ended it.
    template <typename F>
    auto run(F&& f) {
        return guarded([&] {
            for (int attempt = 0;; ++attempt) {
                if (conn_ && (!conn_->is_open() || ended_while_idle(conn_->sock()))) {
                    conn_.reset();  // the pool drops such connections too
                }
                const bool fresh = !conn_;
                if (fresh) open();
                const WatchdogGuard deadline(conn_->sock(), deadline_);
                try {
                    pqxx::nontransaction txn(*conn_);
                    return f(txn);
                } catch (const pqxx::broken_connection&) {
                    conn_.reset();
                    if (deadline.fired()) {
                        pool_->mark_down();
                    } else if (retry_ && !fresh && attempt == 0) {
                        continue;  // it died while idle: nothing was read
                    }
                    throw;
                }
            }
        });
    }

private:
    void open() {
        try {
            conn_ = open_connection(pool_->dsn(), pool_->options(), shard_queries());
        } catch (const store::Error& e) {
            // As the pool does: a shard that cannot be reached fails
            // requests fast for a while.
            if (e.code() == store::Errc::kShardUnavailable) pool_->mark_down();
            throw;
        }
    }

    std::shared_ptr<Pool> pool_;
    std::chrono::milliseconds deadline_;
    bool retry_;
    std::unique_ptr<pqxx::connection> conn_;
};

}  // namespace

PutGroups::Runner put_group_runner(std::shared_ptr<Pool> pool) {
    const auto deadline = call_deadline(pool->options());
    auto conn = std::make_shared<RunnerConnection>(std::move(pool), deadline, false);
    return [conn](const std::vector<GuessedPut*>& jobs) {
        return conn->run([&](pqxx::transaction_base& txn) {
            try {
                write_guessed_puts(txn, jobs);
                return true;
            } catch (const pqxx::sql_error&) {
                // A member's check, a lock timeout: rolled back whole.
                return false;
            }
        });
    };
}

StatementGroups<SessionOpen>::Runner open_group_runner(std::shared_ptr<Pool> pool) {
    const auto deadline = pool->options().connect_timeout;
    auto conn = std::make_shared<RunnerConnection>(std::move(pool), deadline, true);
    return [conn](const std::vector<SessionOpen*>& jobs) {
        return conn->run([&](pqxx::transaction_base& txn) {
            read_session_opens(txn, jobs);
            return true;
        });
    };
}

}  // namespace cosmo::store_pg::detail
