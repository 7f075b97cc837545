#include "group_runners.hpp"

#include <pqxx/pqxx>

#include "cosmo/store/error.hpp"
#include "errors.hpp"
#include "queries.hpp"
#include "watchdog.hpp"

namespace cosmo::store_pg::detail {
namespace {

/// A runner's connection. Used by its runner thread only.
class RunnerConnection {
public:
    RunnerConnection(std::shared_ptr<Pool> pool, std::chrono::milliseconds deadline)
        : pool_(std::move(pool)), deadline_(deadline) {}

    /// Runs f(txn) on the connection (opened if need be) in autocommit,
    /// bounded by the watchdog; a broken connection is closed, and the
    /// shard marked down when the deadline ended it.
    template <typename F>
    auto run(F&& f) {
        return guarded([&] {
            if (!conn_ || !conn_->is_open()) {
                conn_.reset();
                try {
                    conn_ = open_connection(pool_->dsn(), pool_->options(), shard_queries());
                } catch (const store::Error& e) {
                    // As the pool does: a shard that cannot be reached
                    // fails requests fast for a while.
                    if (e.code() == store::Errc::kShardUnavailable) pool_->mark_down();
                    throw;
                }
            }
            const WatchdogGuard deadline(conn_->sock(), deadline_);
            try {
                pqxx::nontransaction txn(*conn_);
                return f(txn);
            } catch (const pqxx::broken_connection&) {
                conn_.reset();
                if (deadline.fired()) pool_->mark_down();
                throw;
            }
        });
    }

private:
    std::shared_ptr<Pool> pool_;
    std::chrono::milliseconds deadline_;
    std::unique_ptr<pqxx::connection> conn_;
};

std::chrono::milliseconds write_deadline(const PoolOptions& o) {
    return o.statement_timeout.count() > 0 ? o.statement_timeout + o.connect_timeout
                                           : std::chrono::milliseconds(0);
}

}  // namespace

PutGroups::Runner put_group_runner(std::shared_ptr<Pool> pool) {
    const auto deadline = write_deadline(pool->options());
    auto conn = std::make_shared<RunnerConnection>(std::move(pool), deadline);
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
    auto conn = std::make_shared<RunnerConnection>(std::move(pool), deadline);
    return [conn](const std::vector<SessionOpen*>& jobs) {
        return conn->run([&](pqxx::transaction_base& txn) {
            read_session_opens(txn, jobs);
            return true;
        });
    };
}

}  // namespace cosmo::store_pg::detail
