// Shard administration (shard_admin.hpp): id ranges, usage, weights.
// Administrative, not on the request path, so plain parameterized SQL here
// rather than statements prepared on every pooled connection.

#include "cosmo/store_pg/shard_admin.hpp"

#include <pqxx/pqxx>

#include "cosmo/store/error.hpp"
#include "cosmo/store_pg/pg.hpp"
#include "errors.hpp"
#include "pool.hpp"
#include "watchdog.hpp"

namespace cosmo::store_pg {

namespace {

using detail::guarded;
using store::Errc;
using store::Error;

std::unique_ptr<pqxx::connection> admin_connect(const std::string& dsn,
                                                std::chrono::milliseconds timeout) {
    PoolOptions options;
    options.connect_timeout = timeout;
    options.statement_timeout = std::chrono::minutes(1);
    return detail::open_connection(dsn, options, {});
}

}  // namespace

void prepare_shard_ids(const std::string& shard_dsn, store::ShardId id) {
    guarded([&] {
        auto conn = admin_connect(shard_dsn, std::chrono::seconds(10));
        pqxx::work txn(*conn);
        const std::int64_t base = static_cast<std::int64_t>(id) * kIdsPerShard;
        const auto sequences = txn.exec(
            "SELECT format('%I.%I', schemaname, sequencename), coalesce(last_value, 0) "
            "FROM pg_sequences WHERE schemaname = current_schema() "
            "AND data_type = 'bigint'::regtype ORDER BY 1");
        for (const auto& row : sequences) {
            const auto name = row[0].as<std::string>();
            const auto last = row[1].as<std::int64_t>();
            if (last >= base + kIdsPerShard) {
                throw Error(Errc::kConflict, "sequence " + name + " is at " +
                                                 std::to_string(last) +
                                                 ", beyond the id range of shard " +
                                                 std::to_string(id) +
                                                 ": is this database registered twice?");
            }
            if (last < base) {
                // is_called = false: the next nextval() returns base itself.
                txn.exec_params("SELECT setval($1::regclass, $2, false)", name, base);
            }
        }
        txn.commit();
    });
}

ShardUsage shard_usage(const std::string& shard_dsn, std::chrono::milliseconds timeout) {
    return guarded([&] {
        auto conn = admin_connect(shard_dsn, timeout);
        const detail::WatchdogGuard deadline(conn->sock(), timeout + std::chrono::seconds(30));
        pqxx::read_transaction txn(*conn);
        const auto r = txn.exec(
            "SELECT (SELECT count(*) FROM home_placement WHERE state <> 'moved'), "
            "(SELECT count(*) FROM collection), (SELECT count(*) FROM object), "
            "(SELECT coalesce(sum(size), 0)::bigint FROM object), "
            "pg_database_size(current_database())");
        ShardUsage u;
        u.homes = r[0][0].as<std::int64_t>();
        u.collections = r[0][1].as<std::int64_t>();
        u.resources = r[0][2].as<std::int64_t>();
        u.bytes = r[0][3].as<std::int64_t>();
        u.database_bytes = r[0][4].as<std::int64_t>();
        return u;
    });
}

void set_shard_weight(const std::string& directory_dsn, const std::string& shard_name,
                      int weight) {
    if (weight <= 0) {
        throw Error(Errc::kConflict, "shard weight must be positive");
    }
    guarded([&] {
        auto conn = admin_connect(directory_dsn, std::chrono::seconds(10));
        pqxx::work txn(*conn);
        if (txn.exec_params("UPDATE shard SET weight = $2 WHERE name = $1", shard_name, weight)
                .affected_rows() == 0) {
            throw Error(Errc::kNotFound, "no such shard: " + shard_name);
        }
        txn.commit();
    });
}

}  // namespace cosmo::store_pg
