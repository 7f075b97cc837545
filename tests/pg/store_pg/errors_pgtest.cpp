// Failure modes: unreachable shard, read-only shard, pool exhaustion,
// invalid paths, and the error translation boundary.

#include <gtest/gtest.h>

#include <thread>

#include "cosmo/store/error.hpp"
#include "support/pg_fixture.hpp"

namespace cosmo::test {
namespace {

using store::CollectionKind;
using store::Errc;

using ErrorTest = PgStoreTest;

TEST_F(ErrorTest, ShardDownIsShardUnavailableWithinConnectTimeout) {
    // Port 1 on loopback: nothing listens there.
    const auto dead = directory_->add_shard(
        "dead_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()),
        "host=127.0.0.1 port=1 dbname=x user=x");
    store::User ghost;
    ghost.id = 424242;
    ghost.name = "ghost";
    ghost.shard_id = dead.id;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(error_of([&] { shards_->open(ghost); }), Errc::kShardUnavailable);
    EXPECT_LT(std::chrono::steady_clock::now() - start,
              test_pool_options().connect_timeout + std::chrono::seconds(2));
    EXPECT_EQ(error_of([&] { shards_->ping_all(); }), Errc::kShardUnavailable);
    // The failure does not leak a pool slot: it fails the same way again.
    for (int i = 0; i < 6; ++i) {
        EXPECT_EQ(error_of([&] { shards_->open(ghost); }), Errc::kShardUnavailable);
    }
    // Remove it again so that placement and ping_all in later tests ignore it.
    pg_query(dbs_->directory_dsn(), "DELETE FROM shard WHERE id = " + std::to_string(dead.id));
}

TEST_F(ErrorTest, PingAllSucceedsWhenShardsAreUp) { EXPECT_NO_THROW(shards_->ping_all()); }

TEST_F(ErrorTest, UnknownShardIsAnError) {
    store::User ghost;
    ghost.id = 1;
    ghost.shard_id = 987654;
    EXPECT_EQ(error_of([&] { shards_->open(ghost); }), Errc::kInternal);
}

TEST_F(ErrorTest, ReadOnlyShardRefusesWritesButServesReads) {
    const auto user = new_user_with_home("ro");
    {
        auto s = shards_->open(user);
        s->put_object("calendar/a.ics", "text/calendar", "x", nullptr);
        s->commit();
    }
    const auto shard_name = directory_->find_shard(user.shard_id)->name;
    directory_->set_shard_state(shard_name, "readonly");
    // A new store sees the new state (the route cache is per store).
    auto fresh = store_pg::make_shard_store(*directory_, test_pool_options());
    {
        auto s = fresh->open(user);
        EXPECT_TRUE(s->stat("calendar/a.ics"));
        EXPECT_EQ(s->read_body(*s->stat("calendar/a.ics")), "x");
        EXPECT_EQ(error_of([&] { s->put_object("calendar/b.ics", "text/calendar", "y", nullptr); }),
                  Errc::kReadOnly);
        EXPECT_EQ(error_of([&] { s->make_collection("d/", CollectionKind::kPlain); }),
                  Errc::kReadOnly);
        EXPECT_EQ(error_of([&] { s->remove(*s->stat("calendar/a.ics")); }), Errc::kReadOnly);
    }
    directory_->set_shard_state(shard_name, "active");
}

TEST_F(ErrorTest, PoolExhaustionTimesOutAsRetryable) {
    const auto user = new_user_with_home("pool");
    auto options = test_pool_options();
    options.max_connections = 2;
    options.acquire_timeout = std::chrono::milliseconds(200);
    auto store = store_pg::make_shard_store(*directory_, options);
    auto a = store->open(user);
    auto b = store->open(user);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(error_of([&] { store->open(user); }), Errc::kRetryable);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
    b.reset();  // returns a connection
    EXPECT_NO_THROW(store->open(user));
    // A waiter is woken by a release.
    std::thread releaser([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        a.reset();
    });
    auto c = store->open(user);
    auto d = store_pg::make_shard_store(*directory_, options);  // independent pools
    EXPECT_NO_THROW(d->open(user));
    releaser.join();
}

TEST_F(ErrorTest, StatementTimeoutIsRetryable) {
    const auto user = new_user_with_home("slow");
    auto options = test_pool_options();
    options.statement_timeout = std::chrono::milliseconds(100);
    auto store = store_pg::make_shard_store(*directory_, options);
    // Hold the home row lock in one session; a second writer waits for it
    // and hits statement_timeout.
    auto holder = store->open(user);
    holder->put_object("x.txt", "text/plain", "1", nullptr);
    auto waiter = store->open(user);
    EXPECT_EQ(error_of([&] { waiter->put_object("y.txt", "text/plain", "2", nullptr); }),
              Errc::kRetryable);
}

TEST_F(ErrorTest, InvalidPathsAreRejected) {
    const auto user = new_user_with_home("paths");
    auto s = shards_->open(user);
    EXPECT_FALSE(s->stat("/abs"));
    EXPECT_FALSE(s->stat("a//b"));
    EXPECT_EQ(error_of([&] { s->make_collection("", CollectionKind::kPlain); }),
              Errc::kConflict);
    EXPECT_EQ(error_of([&] { s->make_collection("noslash", CollectionKind::kPlain); }),
              Errc::kConflict);
    EXPECT_EQ(error_of([&] { s->put_object("dir/", "text/plain", "", nullptr); }),
              Errc::kConflict);
    EXPECT_EQ(error_of([&] { s->move(*s->stat("calendar/"), "file"); }), Errc::kConflict);
}

TEST_F(ErrorTest, ConcurrentEnsureHomeIsSafe) {
    const auto user = new_user("race");
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int i = 0; i < 3; ++i) {
        threads.emplace_back([&] {
            try {
                auto s = shards_->open(user);
                s->ensure_home();
                s->commit();
            } catch (const std::exception&) {
                ++failures;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(failures, 0);
    auto s = shards_->open(user);
    EXPECT_EQ(s->children(*s->stat("")).size(), 1u);
}

}  // namespace
}  // namespace cosmo::test
