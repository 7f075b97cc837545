// Migrations: embedded files, version bookkeeping, idempotence, concurrency.

#include <gtest/gtest.h>

#include <thread>

#include "cosmo/store/error.hpp"
#include "cosmo/store_pg/pg.hpp"
#include "support/pg_fixture.hpp"

namespace cosmo::test {
namespace {

using store_pg::DatabaseKind;

class MigrateTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto base = pg_base_dsn();
        if (!base) {
            GTEST_SKIP() << "COSMO_TEST_PG is not set";
        }
        dbs_ = std::make_unique<PgDatabases>(*base);
    }
    std::unique_ptr<PgDatabases> dbs_;
};

TEST(MigrateUnit, ExpectedVersionsComeFromEmbeddedFiles) {
    EXPECT_GE(store_pg::expected_schema_version(DatabaseKind::kDirectory), 1);
    EXPECT_GE(store_pg::expected_schema_version(DatabaseKind::kShard), 1);
}

TEST_F(MigrateTest, FreshDatabaseIsMigratedToExpectedVersion) {
    const auto dsn = dbs_->create_database("fresh");
    EXPECT_EQ(store_pg::schema_version(dsn, DatabaseKind::kShard), 0);
    EXPECT_EQ(store_pg::migrate(dsn, DatabaseKind::kShard),
              store_pg::expected_schema_version(DatabaseKind::kShard));
    EXPECT_EQ(store_pg::schema_version(dsn, DatabaseKind::kShard),
              store_pg::expected_schema_version(DatabaseKind::kShard));
    const auto tables = pg_query(dsn,
                                 "SELECT count(*) FROM information_schema.tables WHERE "
                                 "table_name IN ('collection','object','dead_property',"
                                 "'change_log','dav_lock')");
    EXPECT_EQ(tables[0][0], "5");
}

TEST_F(MigrateTest, SecondMigrateIsANoOp) {
    const auto dsn = dbs_->directory_dsn();
    const int before = store_pg::schema_version(dsn, DatabaseKind::kDirectory);
    EXPECT_EQ(store_pg::migrate(dsn, DatabaseKind::kDirectory), before);
    EXPECT_EQ(store_pg::migrate(dsn, DatabaseKind::kDirectory), before);
    const auto rows = pg_query(dsn, "SELECT count(*), max(version) FROM schema_version");
    EXPECT_EQ(rows[0][0], std::to_string(before));  // one row per applied file
    EXPECT_EQ(rows[0][1], std::to_string(before));
    // Registered shards survive: nothing was re-created.
    EXPECT_EQ(pg_query(dsn, "SELECT count(*) FROM shard")[0][0], "2");
}

TEST_F(MigrateTest, ConcurrentMigratorsApplyEachFileOnce) {
    const auto dsn = dbs_->create_database("race");
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&] {
            try {
                store_pg::migrate(dsn, DatabaseKind::kShard);
            } catch (const std::exception&) {
                ++failures;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(failures, 0);
    EXPECT_EQ(pg_query(dsn, "SELECT count(*) FROM schema_version")[0][0],
              std::to_string(store_pg::expected_schema_version(DatabaseKind::kShard)));
}

TEST_F(MigrateTest, UnreachableDatabaseIsShardUnavailable) {
    try {
        store_pg::migrate("host=127.0.0.1 port=1 dbname=x user=x", DatabaseKind::kShard);
        FAIL() << "expected an error";
    } catch (const store::Error& e) {
        EXPECT_EQ(e.code(), store::Errc::kShardUnavailable);
    }
}

}  // namespace
}  // namespace cosmo::test
