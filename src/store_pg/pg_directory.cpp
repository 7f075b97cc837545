// PgDirectory: users, shards and placement in the directory database
// (DESIGN.md "Shard directory"). Every call is one short transaction.

#include <pqxx/pqxx>

#include "cosmo/store/error.hpp"
#include "cosmo/store_pg/pg.hpp"
#include "errors.hpp"
#include "pool.hpp"
#include "queries.hpp"
#include "rows.hpp"
#include "watchdog.hpp"

namespace cosmo::store_pg {

namespace {

using detail::guarded;
using detail::WatchdogGuard;
using store::Errc;
using store::Error;
namespace q = detail::q;

class PgDirectory final : public store::Directory {
public:
    PgDirectory(const std::string& dsn, PoolOptions options)
        : pool_(std::make_shared<detail::Pool>(dsn, options, detail::directory_queries())) {}

private:
    // Defined first: the public methods below deduce their types from run().
    /// Runs f in one transaction on a pooled connection, translating errors;
    /// a connection that failed is not reused.
    template <typename F>
    auto run(F&& f) {
        return guarded([&] {
            for (int attempt = 0;; ++attempt) {
                auto lease = pool_->acquire();
                // Directory calls are point lookups and short updates: a
                // directory that does not answer within twice the connect
                // timeout counts as down (watchdog.hpp), and so does the pool.
                const WatchdogGuard deadline(lease.conn().sock(),
                                             2 * pool_->options().connect_timeout);
                try {
                    pqxx::work txn(lease.conn());
                    return f(txn);
                } catch (const pqxx::broken_connection&) {
                    lease.discard();
                    if (deadline.fired()) {
                        pool_->mark_down();
                    } else if (lease.reused() && attempt == 0) {
                        // An idle connection to a server that restarted:
                        // nothing was committed, try once on a new one.
                        continue;
                    }
                    throw;
                }
            }
        });
    }

    /// An UPDATE by name that must hit exactly one row (else kNotFound).
    template <typename V>
    void update_one(const char* query, const std::string& name, const V& value,
                    const char* what) {
        run([&](pqxx::work& txn) {
            if (txn.exec_prepared(query, name, value).affected_rows() == 0) {
                throw Error(Errc::kNotFound, std::string("no such ") + what + ": " + name);
            }
            txn.commit();
        });
    }

public:
    std::optional<store::User> find_user(const std::string& name) override {
        return run([&](pqxx::work& txn) -> std::optional<store::User> {
            const auto r = txn.exec_prepared(q::kFindUser, name);
            if (r.empty()) {
                return std::nullopt;
            }
            return detail::user_from(r[0]);
        });
    }

    store::User add_user(const std::string& name, const std::string& email,
                         const std::string& password_hash) override {
        return run([&](pqxx::work& txn) {
            // One placement at a time, so counts are exact when we pick.
            txn.exec_prepared(q::kPlacementLock);
            if (!txn.exec_prepared(q::kFindUser, name).empty()) {
                throw Error(Errc::kAlreadyExists, "user exists: " + name);
            }
            const auto shard = txn.exec_prepared(q::kPickShard);
            if (shard.empty()) {
                throw Error(Errc::kConflict, "no active shard to place user " + name);
            }
            const auto r = txn.exec_prepared(q::kInsertUser, name, email, password_hash,
                                             shard[0][0].as<store::ShardId>());
            auto user = detail::user_from(r[0]);
            txn.commit();
            return user;
        });
    }

    std::vector<store::User> list_users() override {
        return run([&](pqxx::work& txn) {
            std::vector<store::User> out;
            for (const auto& row : txn.exec_prepared(q::kListUsers)) {
                out.push_back(detail::user_from(row));
            }
            return out;
        });
    }

    void set_password(const std::string& name, const std::string& password_hash) override {
        update_one(q::kSetPassword, name, password_hash, "user");
    }

    void set_disabled(const std::string& name, bool disabled) override {
        update_one(q::kSetDisabled, name, disabled, "user");
    }

    std::vector<store::Shard> list_shards() override {
        return run([&](pqxx::work& txn) {
            std::vector<store::Shard> out;
            for (const auto& row : txn.exec_prepared(q::kListShards)) {
                out.push_back(detail::shard_from(row));
            }
            return out;
        });
    }

    std::optional<store::Shard> find_shard(store::ShardId id) override {
        return run([&](pqxx::work& txn) -> std::optional<store::Shard> {
            const auto r = txn.exec_prepared(q::kFindShard, id);
            if (r.empty()) {
                return std::nullopt;
            }
            return detail::shard_from(r[0]);
        });
    }

    store::Shard add_shard(const std::string& name, const std::string& dsn) override {
        return run([&](pqxx::work& txn) {
            // Unique violation on name -> kAlreadyExists at the boundary.
            const auto r = txn.exec_prepared(q::kInsertShard, name, dsn);
            auto shard = detail::shard_from(r[0]);
            txn.commit();
            return shard;
        });
    }

    void set_shard_state(const std::string& name, const std::string& state) override {
        if (state != "active" && state != "draining" && state != "readonly") {
            throw Error(Errc::kConflict, "invalid shard state: " + state);
        }
        update_one(q::kSetShardState, name, state, "shard");
    }

    void ping() override {
        run([&](pqxx::work& txn) { txn.exec_prepared(q::kPing); });
    }

private:
    std::shared_ptr<detail::Pool> pool_;
};

}  // namespace

std::unique_ptr<store::Directory> make_directory(const std::string& dsn, PoolOptions options) {
    return std::make_unique<PgDirectory>(dsn, options);
}

}  // namespace cosmo::store_pg
