#include "cosmo/app/databases.hpp"

#include <stdexcept>

#include <spdlog/spdlog.h>

#include "cosmo/store_pg/pg.hpp"
#include "cosmo/store_pg/shard_admin.hpp"

namespace cosmo::app {

namespace {

using store_pg::DatabaseKind;

constexpr const char* kEmbeddedDirectoryDb = "cosmo_directory";
constexpr const char* kEmbeddedFirstShard = "shard1";
constexpr const char* kEmbeddedFirstShardDb = "cosmo_shard1";

store_pg::PoolOptions pool_options(const Config& c) {
    store_pg::PoolOptions o;
    o.max_connections = c.db_pool_size;
    o.connect_timeout = std::chrono::milliseconds(c.db_connect_timeout_ms);
    o.statement_timeout = std::chrono::milliseconds(c.db_statement_timeout_ms);
    o.acquire_timeout = std::chrono::milliseconds(c.db_acquire_timeout_ms);
    o.write_groups = c.write_groups;
    o.read_groups = c.read_groups;
    o.group_threads = c.group_threads;
    return o;
}

void require_version(const std::string& what, const std::string& dsn, DatabaseKind kind) {
    int have = store_pg::schema_version(dsn, kind);
    int want = store_pg::expected_schema_version(kind);
    if (have != want) {
        throw std::runtime_error(what + " has schema version " + std::to_string(have) +
                                 ", this binary needs " + std::to_string(want) +
                                 ": run `cosmo migrate`");
    }
}

}  // namespace

Databases::Databases(const Config& config, bool migrate) {
    if (config.embedded()) {
        embedded_ = std::make_unique<EmbeddedPostgres>(config.data_dir);
        embedded_->ensure_running();
        embedded_->ensure_database(kEmbeddedDirectoryDb);
        embedded_->ensure_database(kEmbeddedFirstShardDb);
        directory_dsn_ = embedded_->dsn(kEmbeddedDirectoryDb);
        // The embedded cluster is private to this data dir: keeping it at the
        // current schema is always safe, so every command migrates it.
        migrate = true;
    } else {
        directory_dsn_ = config.directory_dsn;
    }

    if (migrate) {
        store_pg::migrate(directory_dsn_, DatabaseKind::kDirectory);
    } else {
        require_version("the directory database", directory_dsn_, DatabaseKind::kDirectory);
    }
    directory_ = store_pg::make_directory(directory_dsn_, pool_options(config));

    if (embedded_ && directory_->list_shards().empty()) {
        auto dsn = embedded_->dsn(kEmbeddedFirstShardDb);
        store_pg::migrate(dsn, DatabaseKind::kShard);
        const auto shard = directory_->add_shard(kEmbeddedFirstShard, dsn);
        store_pg::prepare_shard_ids(dsn, shard.id);
        spdlog::info("embedded: registered shard {}", kEmbeddedFirstShard);
    }
    if (migrate) {
        migrate_all_shards();
    } else {
        for (const auto& shard : directory_->list_shards()) {
            require_version("shard " + shard.name, shard.dsn, DatabaseKind::kShard);
        }
    }
    shards_ = store_pg::make_shard_store(*directory_, pool_options(config));
}

Databases::~Databases() {
    shards_.reset();
    directory_.reset();
    if (embedded_) {
        embedded_->stop_if_started();
    }
}

void Databases::migrate_all_shards() {
    for (const auto& shard : directory_->list_shards()) {
        int version = store_pg::migrate(shard.dsn, DatabaseKind::kShard);
        // A migration may have added a sequence: keep every one in the
        // shard's id range (shard_admin.hpp).
        store_pg::prepare_shard_ids(shard.dsn, shard.id);
        spdlog::debug("shard {} at schema version {}", shard.name, version);
    }
}

}  // namespace cosmo::app
