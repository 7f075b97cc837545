#pragma once
/// Finding, starting and migrating the databases a command needs: the
/// configured directory DSN, or the embedded PostgreSQL under data-dir.

#include <memory>
#include <optional>
#include <string>

#include "cosmo/app/config.hpp"
#include "cosmo/app/embedded_pg.hpp"
#include "cosmo/store/directory.hpp"
#include "cosmo/store/shard_store.hpp"

namespace cosmo::app {

/// Opened databases for one command. Stops the embedded PostgreSQL on
/// destruction if this process started it.
class Databases {
public:
    /// Embedded: starts (initdb on first use) the private cluster, creates
    /// the directory and first shard databases, migrates them and registers
    /// the shard. Configured: migrates only when migrate is true, otherwise
    /// checks every schema version and refuses to go on when one differs.
    Databases(const Config& config, bool migrate);
    ~Databases();

    store::Directory& directory() { return *directory_; }
    store::ShardStore& shards() { return *shards_; }
    const std::string& directory_dsn() const { return directory_dsn_; }
    bool embedded() const { return embedded_ != nullptr; }

    /// Migrates every shard registered in the directory.
    void migrate_all_shards();

private:
    std::unique_ptr<EmbeddedPostgres> embedded_;
    std::string directory_dsn_;
    std::unique_ptr<store::Directory> directory_;
    std::unique_ptr<store::ShardStore> shards_;
};

}  // namespace cosmo::app
