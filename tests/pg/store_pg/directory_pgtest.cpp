// PgDirectory: users, shards, placement.

#include <gtest/gtest.h>

#include <map>

#include "cosmo/store/error.hpp"
#include "support/pg_fixture.hpp"

namespace cosmo::test {
namespace {

using store::Errc;

using DirectoryTest = PgStoreTest;

TEST_F(DirectoryTest, AddAndFindUser) {
    const auto added = directory_->add_user("alice@example.org", "alice@example.org", "h1");
    EXPECT_GT(added.id, 0);
    EXPECT_TRUE(added.shard_id == dbs_->shard_id(0) || added.shard_id == dbs_->shard_id(1));
    const auto found = directory_->find_user("alice@example.org");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, added.id);
    EXPECT_EQ(found->email, "alice@example.org");
    EXPECT_EQ(found->password_hash, "h1");
    EXPECT_FALSE(found->disabled);
    EXPECT_EQ(found->shard_id, added.shard_id);
    EXPECT_EQ(found->epoch, 0);
    EXPECT_LT(std::chrono::abs(std::chrono::system_clock::now() - found->created),
              std::chrono::minutes(5));
    EXPECT_FALSE(directory_->find_user("nobody"));
}

TEST_F(DirectoryTest, DuplicateUserIsAlreadyExists) {
    const auto user = new_user("dup");
    EXPECT_EQ(error_of([&] { directory_->add_user(user.name, "", ""); }), Errc::kAlreadyExists);
}

TEST_F(DirectoryTest, ListUsersIncludesNew) {
    const auto a = new_user("list");
    const auto b = new_user("list");
    int seen = 0;
    for (const auto& u : directory_->list_users()) {
        seen += (u.name == a.name || u.name == b.name) ? 1 : 0;
    }
    EXPECT_EQ(seen, 2);
}

TEST_F(DirectoryTest, SetPasswordAndDisabled) {
    const auto user = new_user("pw");
    directory_->set_password(user.name, "new-hash");
    directory_->set_disabled(user.name, true);
    auto found = directory_->find_user(user.name);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->password_hash, "new-hash");
    EXPECT_TRUE(found->disabled);
    directory_->set_disabled(user.name, false);
    EXPECT_FALSE(directory_->find_user(user.name)->disabled);
    EXPECT_EQ(error_of([&] { directory_->set_password("ghost", "x"); }), Errc::kNotFound);
    EXPECT_EQ(error_of([&] { directory_->set_disabled("ghost", true); }), Errc::kNotFound);
}

TEST_F(DirectoryTest, ShardsAreListedAndFound) {
    const auto shards = directory_->list_shards();
    ASSERT_GE(shards.size(), 2u);
    EXPECT_EQ(shards[0].name, "shard_a");
    EXPECT_EQ(shards[0].dsn, dbs_->shard_dsn(0));
    EXPECT_EQ(shards[0].state, "active");
    EXPECT_EQ(shards[0].weight, 1);
    const auto b = directory_->find_shard(dbs_->shard_id(1));
    ASSERT_TRUE(b);
    EXPECT_EQ(b->name, "shard_b");
    EXPECT_FALSE(directory_->find_shard(9999));
}

TEST_F(DirectoryTest, ShardUserCountsFollowUsers) {
    const auto before = directory_->find_shard(dbs_->shard_id(0))->users +
                        directory_->find_shard(dbs_->shard_id(1))->users;
    new_user("count");
    const auto after = directory_->find_shard(dbs_->shard_id(0))->users +
                       directory_->find_shard(dbs_->shard_id(1))->users;
    EXPECT_EQ(after, before + 1);
}

TEST_F(DirectoryTest, DuplicateShardIsAlreadyExists) {
    EXPECT_EQ(error_of([&] { directory_->add_shard("shard_a", "host=x"); }),
              Errc::kAlreadyExists);
}

TEST_F(DirectoryTest, ShardStateChangesAndIsValidated) {
    const auto extra = directory_->add_shard("extra_state", "host=/nonexistent");
    directory_->set_shard_state("extra_state", "draining");
    EXPECT_EQ(directory_->find_shard(extra.id)->state, "draining");
    EXPECT_EQ(error_of([&] { directory_->set_shard_state("extra_state", "bogus"); }),
              Errc::kConflict);
    EXPECT_EQ(error_of([&] { directory_->set_shard_state("ghost", "active"); }),
              Errc::kNotFound);
}

TEST_F(DirectoryTest, PingWorks) { EXPECT_NO_THROW(directory_->ping()); }

TEST_F(DirectoryTest, UnreachableDirectoryIsShardUnavailable) {
    auto dead = store_pg::make_directory("host=127.0.0.1 port=1 dbname=x user=x",
                                         test_pool_options());
    EXPECT_EQ(error_of([&] { dead->ping(); }), Errc::kShardUnavailable);
    EXPECT_EQ(error_of([&] { dead->find_user("x"); }), Errc::kShardUnavailable);
}

// Placement needs a directory of its own: counts must start at zero.
TEST(DirectoryPlacement, SpreadsUsersOverActiveShardsAndSkipsInactive) {
    auto base = pg_base_dsn();
    if (!base) {
        GTEST_SKIP() << "COSMO_TEST_PG is not set";
    }
    PgDatabases dbs(*base);
    auto directory = store_pg::make_directory(dbs.directory_dsn(), test_pool_options());
    std::map<store::ShardId, int> per_shard;
    for (int i = 0; i < 10; ++i) {
        ++per_shard[directory->add_user("p" + std::to_string(i), "", "").shard_id];
    }
    EXPECT_EQ(per_shard[dbs.shard_id(0)], 5);
    EXPECT_EQ(per_shard[dbs.shard_id(1)], 5);

    directory->set_shard_state("shard_a", "draining");
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(directory->add_user("q" + std::to_string(i), "", "").shard_id, dbs.shard_id(1));
    }
    directory->set_shard_state("shard_b", "readonly");
    EXPECT_EQ(error_of([&] { directory->add_user("nowhere", "", ""); }), Errc::kConflict);
    EXPECT_FALSE(directory->find_user("nowhere"));
}

TEST(DirectoryPlacement, WeightsAreHonoured) {
    auto base = pg_base_dsn();
    if (!base) {
        GTEST_SKIP() << "COSMO_TEST_PG is not set";
    }
    PgDatabases dbs(*base);
    // No API sets weights yet (operators edit the row), so set it in SQL.
    pg_query(dbs.directory_dsn(), "UPDATE shard SET weight = 3 WHERE name = 'shard_b'");
    auto directory = store_pg::make_directory(dbs.directory_dsn(), test_pool_options());
    std::map<store::ShardId, int> per_shard;
    for (int i = 0; i < 8; ++i) {
        ++per_shard[directory->add_user("w" + std::to_string(i), "", "").shard_id];
    }
    EXPECT_EQ(per_shard[dbs.shard_id(0)], 2);
    EXPECT_EQ(per_shard[dbs.shard_id(1)], 6);
}

}  // namespace
}  // namespace cosmo::test
