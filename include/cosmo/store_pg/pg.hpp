#pragma once
/// PostgreSQL implementation of the store: pools per database, migrations.
/// libpqxx stays inside src/store_pg.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "cosmo/store/directory.hpp"
#include "cosmo/store/shard_store.hpp"

namespace cosmo::store_pg {

struct PoolOptions {
    std::size_t max_connections = 16;                   ///< per database
    std::chrono::milliseconds connect_timeout{3000};    ///< then kShardUnavailable
    std::chrono::milliseconds acquire_timeout{5000};    ///< waiting for a free connection
    std::chrono::milliseconds statement_timeout{30000};
    /// Groups of PUTs per shard that may be writing at once. A PUT that
    /// finds all of them busy waits, and the next free one writes every
    /// PUT waiting by then in one transaction (group commit, one WAL flush;
    /// src/store_pg/statement_groups.hpp). 0: every PUT commits alone, with
    /// no limit but the pool.
    std::size_t write_groups = 1;
    /// Likewise for the first statement of a request that does not write
    /// ahead (every one but PUT and DELETE): groups per shard reading at
    /// once; reads arriving while all are busy are sent together as one
    /// statement by the next (src/store_pg/session_opens.hpp). 0: every
    /// read is sent alone.
    std::size_t read_groups = 1;
    /// Whether each kind of group (PUTs, and each kind of first read) runs
    /// on a thread and connection of its own instead of on a waiting
    /// request's (src/store_pg/group_runners.hpp). Only with one group of
    /// the kind at a time (write_groups / read_groups 1).
    bool group_threads = true;
};

/// Which schema a database carries.
enum class DatabaseKind { kDirectory, kShard };

/// Applies schema/<kind>/NNN_*.sql (compiled into the binary) that the
/// database has not seen yet, each in its own transaction, recording the
/// version in schema_version. Returns the version after migrating.
int migrate(const std::string& dsn, DatabaseKind kind);
/// The schema version the database carries (0 when none), and the version
/// this binary expects.
int schema_version(const std::string& dsn, DatabaseKind kind);
int expected_schema_version(DatabaseKind kind);

std::unique_ptr<store::Directory> make_directory(const std::string& dsn, PoolOptions options);
/// Shard DSNs are looked up in the directory (and cached) on first use.
std::unique_ptr<store::ShardStore> make_shard_store(store::Directory& directory,
                                                    PoolOptions options);

}  // namespace cosmo::store_pg
