#pragma once
/// Throwaway PostgreSQL databases for the `pg` test layer. Needs the env
/// variable COSMO_TEST_PG, a libpq connection string of a role that may
/// create databases (e.g. "host=/tmp/pgsock port=5432 user=postgres");
/// tests skip when it is unset.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cosmo/store/directory.hpp"
#include "cosmo/store/error.hpp"
#include "cosmo/store/shard_store.hpp"
#include "cosmo/store_pg/pg.hpp"

namespace cosmo::test {

/// The store::Error code f throws; a test failure (and kInternal) if it
/// throws none.
template <typename F>
store::Errc error_of(F&& f) {
    try {
        f();
    } catch (const store::Error& e) {
        return e.code();
    }
    ADD_FAILURE() << "no store::Error thrown";
    return store::Errc::kInternal;
}

/// COSMO_TEST_PG, or nullopt when unset or empty.
std::optional<std::string> pg_base_dsn();

/// Runs sql (no parameters) on dsn and returns every row as text ("" for
/// NULL). For assertions on tables the store API does not expose.
std::vector<std::vector<std::string>> pg_query(const std::string& dsn, const std::string& sql);

/// One directory database and two shard databases with unique names,
/// migrated, both shards registered ("shard_a", "shard_b"). Every database
/// it created is dropped on destruction (WITH (FORCE)).
class PgDatabases {
public:
    /// Creates and migrates the databases (schema migrations are part of
    /// what is under test, so they run for real).
    explicit PgDatabases(std::string base_dsn);
    ~PgDatabases();
    PgDatabases(const PgDatabases&) = delete;
    PgDatabases& operator=(const PgDatabases&) = delete;

    /// A new empty database, dropped with the others; returns its DSN.
    std::string create_database(const std::string& suffix);

    const std::string& base_dsn() const { return base_; }
    const std::string& directory_dsn() const { return directory_dsn_; }
    /// Shard 0 is "shard_a", shard 1 is "shard_b".
    const std::string& shard_dsn(int i) const { return shard_dsns_.at(i); }
    store::ShardId shard_id(int i) const { return shard_ids_.at(i); }

private:
    std::string base_;
    std::string prefix_;
    std::vector<std::string> names_;
    std::string directory_dsn_;
    std::vector<std::string> shard_dsns_;
    std::vector<store::ShardId> shard_ids_;
};

/// Options with short timeouts, so failure tests finish quickly.
store_pg::PoolOptions test_pool_options();

/// Fixture: databases shared by a test suite (created once), and a fresh
/// Directory and ShardStore per test. Tests create their own users.
class PgStoreTest : public ::testing::Test {
protected:
    static void SetUpTestSuite();
    static void TearDownTestSuite();
    void SetUp() override;
    void TearDown() override;

    /// A new user with a unique name (placed by the directory).
    store::User new_user(const std::string& hint = "user");
    /// A new user whose home exists (committed).
    store::User new_user_with_home(const std::string& hint = "user");
    /// The shard index (0/1) a user is on.
    int shard_index(const store::User& user) const;

    static PgDatabases* dbs_;
    std::unique_ptr<store::Directory> directory_;
    std::unique_ptr<store::ShardStore> shards_;
};

}  // namespace cosmo::test
