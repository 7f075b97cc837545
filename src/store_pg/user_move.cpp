// `cosmo user move` (shard_admin.hpp): the online move of one home between
// shards, and its recovery after a crash at any step.
//
// Safety rests on two things. (1) Fencing: every writing session on a
// shard holds the owner's home_placement row FOR SHARE and checks state and
// epoch (pg_session.cpp), so once the source row is 'moving' no write can
// commit there, and a stale app server that routes to the old shard after
// the switch gets kMoved. (2) The directory is the commit point: app_user
// (shard_id, epoch) flips in one transaction, together with nothing else;
// user_move records that a move is under way, so the next run finishes it
// (directory switched) or rolls it back (not switched).

#include <pqxx/pqxx>

#include <chrono>
#include <thread>

#include "cosmo/store/error.hpp"
#include "cosmo/store_pg/pg.hpp"
#include "cosmo/store_pg/shard_admin.hpp"
#include "errors.hpp"
#include "home_copy.hpp"
#include "pool.hpp"

namespace cosmo::store_pg {

namespace {

using detail::guarded;
using store::Errc;
using store::Error;

/// Session advisory lock key space of moves ('MOVE' << 32 | user id).
constexpr std::int64_t kMoveLockBase = std::int64_t{0x4d4f5645} << 32;

std::unique_ptr<pqxx::connection> connect(const std::string& dsn) {
    PoolOptions options;
    options.connect_timeout = std::chrono::seconds(10);
    // Fencing the source waits for in-flight writes of the user; they are
    // bounded by the servers' own statement timeout.
    options.statement_timeout = std::chrono::minutes(2);
    return detail::open_connection(dsn, options, {});
}

struct DirUser {
    std::int64_t id = 0;
    std::string name;
    store::ShardId shard = 0;
    std::int64_t epoch = 0;
};

struct DirShard {
    store::ShardId id = 0;
    std::string name;
    std::string dsn;
    std::string state;
};

struct PendingMove {
    store::ShardId source = 0;
    store::ShardId target = 0;
    std::int64_t from_epoch = 0;
};

class Mover {
public:
    Mover(const std::string& directory_dsn, const std::string& user_name, MoveHooks hooks)
        : dir_(connect(directory_dsn)), hooks_(std::move(hooks)) {
        user_ = find_user(user_name);
        // One mover per user at a time. A session lock: it goes away with
        // the connection, so a mover killed with -9 does not block the next.
        // The server drops a dead client's lock only once it notices the
        // disconnect, so a re-run right after a crash waits a little for it.
        pqxx::nontransaction txn(*dir_);
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!txn.exec_params("SELECT pg_try_advisory_lock($1::bigint)", kMoveLockBase + user_.id)
                    [0][0]
                        .as<bool>()) {
            if (std::chrono::steady_clock::now() >= give_up) {
                throw Error(Errc::kConflict, "another move of " + user_name + " is running");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }

    std::string recover() {
        const auto pending = pending_move();
        if (!pending) {
            return "";
        }
        user_ = find_user(user_.name);
        const DirShard source = shard_by_id(pending->source);
        const DirShard target = shard_by_id(pending->target);
        if (user_.shard == target.id && user_.epoch == pending->from_epoch + 1) {
            finish(source, target, *pending);
            return "finished the interrupted move of " + user_.name + " from " + source.name +
                   " to " + target.name;
        }
        if (user_.shard == source.id && user_.epoch == pending->from_epoch) {
            roll_back(source, target, *pending);
            return "rolled back the interrupted move of " + user_.name + " from " + source.name +
                   " to " + target.name;
        }
        throw Error(Errc::kInternal,
                    "move of " + user_.name + " is pending but the directory has shard " +
                        std::to_string(user_.shard) + " epoch " + std::to_string(user_.epoch));
    }

    std::string move(const std::string& target_name) {
        std::string report = recover();
        user_ = find_user(user_.name);
        const DirShard target = shard_by_name(target_name);
        const DirShard source = shard_by_id(user_.shard);
        if (source.id == target.id) {
            return (report.empty() ? "" : report + "\n") + user_.name + " is on " + target.name;
        }
        if (target.state != "active") {
            throw Error(Errc::kConflict,
                        "target shard " + target.name + " is " + target.state + ", not active");
        }
        const PendingMove pending{source.id, target.id, user_.epoch};
        {
            pqxx::work txn(*dir_);
            txn.exec_params("INSERT INTO user_move (user_id, source_shard, target_shard, "
                            "from_epoch) VALUES ($1, $2, $3, $4)",
                            user_.id, source.id, target.id, user_.epoch);
            txn.commit();
        }
        std::int64_t rows = 0;
        try {
            fence_source(source, pending);
            step("fenced");
            rows = copy(source, target, pending);
            step("copied");
        } catch (const std::exception& e) {
            // Before the commit point: undo what can be undone now; what
            // cannot (a shard down) stays recorded for the next run.
            try {
                roll_back(source, target, pending);
            } catch (const std::exception& again) {
                throw Error(Errc::kShardUnavailable,
                            std::string(e.what()) + "; rollback incomplete (" + again.what() +
                                "): run the command again");
            }
            throw;
        }
        switch_directory(pending);  // the commit point
        step("switched");
        finish(source, target, pending);
        if (!report.empty()) {
            report += "\n";
        }
        return report + "moved " + user_.name + " from " + source.name + " to " + target.name +
               " (" + std::to_string(rows) + " rows, epoch " +
               std::to_string(pending.from_epoch + 1) + ")";
    }

private:
    void step(std::string_view name) {
        if (hooks_.after_step) {
            hooks_.after_step(name);
        }
    }

    DirUser find_user(const std::string& name) {
        pqxx::read_transaction txn(*dir_);
        const auto r = txn.exec_params(
            "SELECT id, name, shard_id, epoch FROM app_user WHERE name = $1", name);
        if (r.empty()) {
            throw Error(Errc::kNotFound, "no such user: " + name);
        }
        return DirUser{r[0][0].as<std::int64_t>(), r[0][1].as<std::string>(),
                       r[0][2].as<store::ShardId>(), r[0][3].as<std::int64_t>()};
    }

    DirShard shard_from(const pqxx::result& r, const std::string& what) {
        if (r.empty()) {
            throw Error(Errc::kNotFound, "no such shard: " + what);
        }
        return DirShard{r[0][0].as<store::ShardId>(), r[0][1].as<std::string>(),
                        r[0][2].as<std::string>(), r[0][3].as<std::string>()};
    }
    DirShard shard_by_id(store::ShardId id) {
        pqxx::read_transaction txn(*dir_);
        return shard_from(
            txn.exec_params("SELECT id, name, dsn, state FROM shard WHERE id = $1", id),
            std::to_string(id));
    }
    DirShard shard_by_name(const std::string& name) {
        pqxx::read_transaction txn(*dir_);
        return shard_from(
            txn.exec_params("SELECT id, name, dsn, state FROM shard WHERE name = $1", name),
            name);
    }

    std::optional<PendingMove> pending_move() {
        pqxx::read_transaction txn(*dir_);
        const auto r = txn.exec_params(
            "SELECT source_shard, target_shard, from_epoch FROM user_move WHERE user_id = $1",
            user_.id);
        if (r.empty()) {
            return std::nullopt;
        }
        return PendingMove{r[0][0].as<store::ShardId>(), r[0][1].as<store::ShardId>(),
                           r[0][2].as<std::int64_t>()};
    }

    /// Step 1: source placement 'moving'. The UPDATE waits for every
    /// session holding the row FOR SHARE (in-flight writes); later writes
    /// see 'moving' and get kReadOnly.
    void fence_source(const DirShard& source, const PendingMove& m) {
        auto conn = connect(source.dsn);
        pqxx::work txn(*conn);
        const auto r = txn.exec_params(
            "INSERT INTO home_placement AS p (owner_id, epoch, state) VALUES ($1, $2, 'moving') "
            "ON CONFLICT (owner_id) DO UPDATE SET state = 'moving', changed_at = now() "
            "WHERE p.epoch = $2 AND p.state <> 'moved' RETURNING p.state",
            user_.id, m.from_epoch);
        if (r.empty()) {
            throw Error(Errc::kConflict, "shard " + source.name + " does not hold the home of " +
                                             user_.name + " at epoch " +
                                             std::to_string(m.from_epoch));
        }
        txn.commit();
    }

    /// Step 2: one target transaction: leftovers of an earlier attempt
    /// wiped, every row copied, placement 'moving' at the new epoch.
    std::int64_t copy(const DirShard& source, const DirShard& target, const PendingMove& m) {
        auto src_conn = connect(source.dsn);
        auto dst_conn = connect(target.dsn);
        pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> src(*src_conn);
        pqxx::work dst(*dst_conn);
        const auto versions_differ =
            src.exec("SELECT max(version) FROM schema_version")[0][0].as<int>() !=
            dst.exec("SELECT max(version) FROM schema_version")[0][0].as<int>();
        if (versions_differ) {
            throw Error(Errc::kConflict, "shards " + source.name + " and " + target.name +
                                             " have different schema versions: cosmo migrate");
        }
        src.exec("SET LOCAL bytea_output = 'hex'");
        const auto tables = detail::home_tables(src);
        detail::delete_home(dst, tables, user_.id);
        const std::int64_t rows = detail::copy_home(src, dst, tables, user_.id);
        dst.exec_params(
            "INSERT INTO home_placement AS p (owner_id, epoch, state) VALUES ($1, $2, 'moving') "
            "ON CONFLICT (owner_id) DO UPDATE SET epoch = $2, state = 'moving', "
            "changed_at = now()",
            user_.id, m.from_epoch + 1);
        dst.commit();
        return rows;
    }

    /// Step 3, the commit point: the directory routes to the target.
    void switch_directory(const PendingMove& m) {
        pqxx::work txn(*dir_);
        const auto r = txn.exec_params(
            "UPDATE app_user SET shard_id = $2, epoch = epoch + 1 "
            "WHERE id = $1 AND shard_id = $3 AND epoch = $4",
            user_.id, m.target, m.source, m.from_epoch);
        if (r.affected_rows() != 1) {
            throw Error(Errc::kInternal, "directory entry of " + user_.name +
                                             " changed during the move");
        }
        txn.commit();
    }

    /// Steps 4 and 5, idempotent: target active, source copy deleted with a
    /// 'moved' tombstone left, the pending record removed.
    void finish(const DirShard& source, const DirShard& target, const PendingMove& m) {
        {
            auto conn = connect(target.dsn);
            pqxx::work txn(*conn);
            const auto r = txn.exec_params(
                "UPDATE home_placement SET state = 'active', changed_at = now() "
                "WHERE owner_id = $1 AND epoch = $2 AND state IN ('moving', 'active')",
                user_.id, m.from_epoch + 1);
            if (r.affected_rows() != 1) {
                throw Error(Errc::kInternal, "target shard " + target.name +
                                                 " lacks the copy of " + user_.name);
            }
            txn.commit();
        }
        step("activated");
        {
            auto conn = connect(source.dsn);
            pqxx::work txn(*conn);
            const auto tables = detail::home_tables(txn);
            // The tombstone first: from here on stale routes get kMoved.
            txn.exec_params(
                "INSERT INTO home_placement AS p (owner_id, epoch, state) "
                "VALUES ($1, $2, 'moved') ON CONFLICT (owner_id) DO UPDATE "
                "SET state = 'moved', changed_at = now()",
                user_.id, m.from_epoch);
            detail::delete_home(txn, tables, user_.id);
            txn.commit();
        }
        step("cleaned");
        forget(m);
    }

    /// Before the commit point: source writable again, target copy wiped
    /// (placement left as a 'moved' tombstone), pending record removed.
    void roll_back(const DirShard& source, const DirShard& target, const PendingMove& m) {
        {
            auto conn = connect(source.dsn);
            pqxx::work txn(*conn);
            txn.exec_params(
                "UPDATE home_placement SET state = 'active', changed_at = now() "
                "WHERE owner_id = $1 AND epoch = $2 AND state = 'moving'",
                user_.id, m.from_epoch);
            txn.commit();
        }
        {
            auto conn = connect(target.dsn);
            pqxx::work txn(*conn);
            const auto tables = detail::home_tables(txn);
            detail::delete_home(txn, tables, user_.id);
            txn.exec_params(
                "INSERT INTO home_placement AS p (owner_id, epoch, state) "
                "VALUES ($1, $2, 'moved') ON CONFLICT (owner_id) DO UPDATE "
                "SET state = 'moved', changed_at = now()",
                user_.id, m.from_epoch + 1);
            txn.commit();
        }
        forget(m);
    }

    void forget(const PendingMove&) {
        pqxx::work txn(*dir_);
        txn.exec_params("DELETE FROM user_move WHERE user_id = $1", user_.id);
        txn.commit();
    }

    std::unique_ptr<pqxx::connection> dir_;
    MoveHooks hooks_;
    DirUser user_;
};

}  // namespace

std::string move_user(const std::string& directory_dsn, const std::string& user_name,
                      const std::string& target_shard, const MoveHooks& hooks) {
    return guarded([&] { return Mover(directory_dsn, user_name, hooks).move(target_shard); });
}

std::string recover_move(const std::string& directory_dsn, const std::string& user_name) {
    return guarded([&] { return Mover(directory_dsn, user_name, {}).recover(); });
}

std::vector<std::string> pending_moves(const std::string& directory_dsn) {
    return guarded([&] {
        auto conn = connect(directory_dsn);
        pqxx::read_transaction txn(*conn);
        std::vector<std::string> out;
        for (const auto& row : txn.exec("SELECT u.name FROM user_move m JOIN app_user u "
                                        "ON u.id = m.user_id ORDER BY u.name")) {
            out.push_back(row[0].as<std::string>());
        }
        return out;
    });
}

}  // namespace cosmo::store_pg
