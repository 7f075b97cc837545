// CachedDirectory: TTL, invalidation after a move, and riding out a
// directory outage with expired entries (stale-if-error).

#include <gtest/gtest.h>

#include <thread>

#include "cosmo/store/cached_directory.hpp"
#include "cosmo/store/error.hpp"

namespace cosmo::store {
namespace {

/// A directory of one user that can be taken down.
class FakeDirectory : public Directory {
public:
    std::optional<User> find_user(const std::string& name) override {
        ++lookups;
        if (down) {
            throw Error(Errc::kShardUnavailable, "directory down");
        }
        if (name != user.name) {
            return std::nullopt;
        }
        return user;
    }
    User add_user(const std::string&, const std::string&, const std::string&) override {
        return user;
    }
    std::vector<User> list_users() override { return {user}; }
    void set_password(const std::string&, const std::string&) override {}
    void set_disabled(const std::string&, bool) override {}
    std::vector<Shard> list_shards() override { return {}; }
    std::optional<Shard> find_shard(ShardId) override { return std::nullopt; }
    Shard add_shard(const std::string&, const std::string&) override { return {}; }
    void set_shard_state(const std::string&, const std::string&) override {}
    void ping() override {}

    User user{1, "alice", "", "", false, 1, 0, {}};
    bool down = false;
    int lookups = 0;
};

TEST(CachedDirectory, AnswersFromCacheWithinTtl) {
    FakeDirectory inner;
    CachedDirectory cache(inner, std::chrono::hours(1), 10);
    EXPECT_EQ(cache.find_user("alice")->shard_id, 1);
    inner.user.shard_id = 2;
    EXPECT_EQ(cache.find_user("alice")->shard_id, 1);
    EXPECT_EQ(inner.lookups, 1);
}

TEST(CachedDirectory, InvalidateThroughTheBaseInterfaceRefetches) {
    FakeDirectory inner;
    CachedDirectory cache(inner, std::chrono::hours(1), 10);
    cache.find_user("alice");
    inner.user.shard_id = 2;  // moved
    inner.user.epoch = 1;
    Directory& base = cache;
    base.invalidate("alice");  // what the dispatcher does on kMoved
    const auto user = cache.find_user("alice");
    EXPECT_EQ(user->shard_id, 2);
    EXPECT_EQ(user->epoch, 1);
}

TEST(CachedDirectory, ExpiredEntryRidesOutADirectoryOutage) {
    FakeDirectory inner;
    CachedDirectory cache(inner, std::chrono::milliseconds(1), 10, std::chrono::hours(1));
    cache.find_user("alice");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    inner.down = true;
    EXPECT_EQ(cache.find_user("alice")->shard_id, 1);  // stale but usable
    // Unknown users and invalidated ones still fail: nothing to fall back on.
    EXPECT_THROW(cache.find_user("bob"), Error);
    cache.invalidate("alice");
    EXPECT_THROW(cache.find_user("alice"), Error);
}

TEST(CachedDirectory, TooOldEntryIsNotUsedDuringAnOutage) {
    FakeDirectory inner;
    CachedDirectory cache(inner, std::chrono::milliseconds(1), 10, std::chrono::milliseconds(1));
    cache.find_user("alice");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    inner.down = true;
    EXPECT_THROW(cache.find_user("alice"), Error);
}

}  // namespace
}  // namespace cosmo::store
