// Schema migrations (schema/README.md): numbered SQL files compiled into the
// binary, each applied once in its own transaction with its version row.

#include <algorithm>
#include <cstdlib>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "cosmo/store/error.hpp"
#include "cosmo/store_pg/pg.hpp"
#include "errors.hpp"
#include "pool.hpp"
#include "schema_files.hpp"

namespace cosmo::store_pg {

namespace {

using detail::guarded;

/// Serialises concurrent migrators of one database (any constant will do,
/// as long as every migrator uses the same one).
constexpr const char* kMigrationLockSql = "SELECT pg_advisory_xact_lock(7306086797370159472)";

struct Migration {
    int version = 0;
    std::string name;
    const char* sql = nullptr;
};

const char* folder_of(DatabaseKind kind) {
    return kind == DatabaseKind::kDirectory ? "directory/" : "shard/";
}

/// The embedded files of one kind, ordered by version.
std::vector<Migration> migrations_of(DatabaseKind kind) {
    const std::string folder = folder_of(kind);
    std::vector<Migration> out;
    for (const auto& file : detail::schema_files()) {
        const std::string path = file.path;
        if (path.rfind(folder, 0) != 0) {
            continue;
        }
        const std::string name = path.substr(folder.size());
        out.push_back({std::atoi(name.c_str()), name, file.sql});
    }
    std::sort(out.begin(), out.end(),
              [](const Migration& a, const Migration& b) { return a.version < b.version; });
    return out;
}

/// The version recorded in the database; 0 before the first migration.
int current_version(pqxx::transaction_base& txn) {
    const auto exists = txn.exec("SELECT to_regclass('schema_version') IS NOT NULL");
    if (!exists[0][0].as<bool>()) {
        return 0;
    }
    return txn.exec("SELECT coalesce(max(version), 0) FROM schema_version")[0][0].as<int>();
}

std::unique_ptr<pqxx::connection> connect(const std::string& dsn) {
    PoolOptions options;
    options.connect_timeout = std::chrono::seconds(10);
    options.statement_timeout = std::chrono::milliseconds(0);  // no limit for DDL
    return detail::open_connection(dsn, options, {});
}

}  // namespace

int migrate(const std::string& dsn, DatabaseKind kind) {
    return guarded([&] {
        auto conn = connect(dsn);
        int version = 0;
        for (const Migration& m : migrations_of(kind)) {
            pqxx::work txn(*conn);
            txn.exec(kMigrationLockSql);
            version = current_version(txn);
            if (m.version <= version) {
                continue;  // applied earlier, or by a concurrent migrator
            }
            txn.exec(m.sql);
            txn.exec("INSERT INTO schema_version (version) VALUES (" +
                     std::to_string(m.version) + ")");
            txn.commit();
            version = m.version;
        }
        if (version == 0) {
            pqxx::read_transaction txn(*conn);
            version = current_version(txn);
        }
        return version;
    });
}

int schema_version(const std::string& dsn, DatabaseKind /*kind*/) {
    return guarded([&] {
        auto conn = connect(dsn);
        pqxx::read_transaction txn(*conn);
        return current_version(txn);
    });
}

int expected_schema_version(DatabaseKind kind) {
    const auto all = migrations_of(kind);
    return all.empty() ? 0 : all.back().version;
}

}  // namespace cosmo::store_pg
