// Authenticator single flight: concurrent first requests of one user with a
// cold cache run one directory lookup and one scrypt verification; the
// others wait for it. Failures are still logged and throttled per request.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "cosmo/auth/authenticator.hpp"
#include "cosmo/auth/password.hpp"
#include "cosmo/store/error.hpp"

using namespace cosmo;
using auth::Outcome;

namespace {

/// A directory that only finds users: the rest is not used here.
class FindOnlyDirectory : public store::Directory {
public:
    store::User add_user(const std::string&, const std::string&, const std::string&) override {
        throw store::Error(store::Errc::kInternal, "unused");
    }
    std::vector<store::User> list_users() override { return {}; }
    void set_password(const std::string&, const std::string&) override {}
    void set_disabled(const std::string&, bool) override {}
    std::vector<store::Shard> list_shards() override { return {}; }
    std::optional<store::Shard> find_shard(store::ShardId) override { return std::nullopt; }
    store::Shard add_shard(const std::string&, const std::string&) override {
        throw store::Error(store::Errc::kInternal, "unused");
    }
    void set_shard_state(const std::string&, const std::string&) override {}
    void ping() override {}
};

/// A thread-safe directory with one user whose lookup is slow, so every
/// thread of a burst arrives while the first verification is running.
class SlowDirectory : public FindOnlyDirectory {
public:
    SlowDirectory() {
        user_.id = 1;
        user_.name = "alice";
        user_.password_hash = auth::hash_password("right", {10, 8, 1});
    }
    std::atomic<int> lookups{0};
    std::atomic<bool> unreachable{false};

    std::optional<store::User> find_user(const std::string& name) override {
        ++lookups;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        if (unreachable) throw store::Error(store::Errc::kShardUnavailable, "directory down");
        if (name != user_.name) return std::nullopt;
        return user_;
    }

private:
    store::User user_;
};

/// A directory where every name is a user with the same password, answered
/// at once, so that first logins of different users reach scrypt together.
class ManyUsersDirectory : public FindOnlyDirectory {
public:
    ManyUsersDirectory() : hash_(auth::hash_password("right", {14, 8, 1})) {}

    std::optional<store::User> find_user(const std::string& name) override {
        store::User user;
        user.id = 1;
        user.name = name;
        user.password_hash = hash_;
        return user;
    }

private:
    std::string hash_;
};

/// "Basic base64(user:password)" for the short ASCII pairs used here.
std::string basic(const std::string& user, const std::string& password) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const std::string in = user + ":" + password;
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = static_cast<unsigned char>(in[i]) << 16 |
                           static_cast<unsigned char>(in[i + 1]) << 8 |
                           static_cast<unsigned char>(in[i + 2]);
        out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63],
                kAlphabet[v & 63]};
    }
    if (i + 1 == in.size()) {
        const unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], '=', '='};
    } else if (i + 2 == in.size()) {
        const unsigned v = static_cast<unsigned char>(in[i]) << 16 |
                           static_cast<unsigned char>(in[i + 1]) << 8;
        out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], '='};
    }
    return "Basic " + out;
}

constexpr int kBurst = 8;

/// Runs kBurst concurrent authentications; each result (or thrown store
/// error, as kNoCredentials) lands in out[i].
std::vector<Outcome> burst(auth::Authenticator& a, const std::string& header,
                           const std::string& ip) {
    std::vector<Outcome> out(kBurst, Outcome::kNoCredentials);
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kBurst; ++i) {
        threads.emplace_back([&, i] {
            ++ready;
            while (ready < kBurst) std::this_thread::yield();
            try {
                out[static_cast<std::size_t>(i)] = a.authenticate(header, ip).outcome;
            } catch (const store::Error&) {
                out[static_cast<std::size_t>(i)] = Outcome::kNoCredentials;
            }
        });
    }
    for (std::thread& t : threads) t.join();
    return out;
}

}  // namespace

TEST(AuthSingleFlight, ConcurrentMissesForOneUserVerifyOnce) {
    SlowDirectory dir;
    auth::Authenticator a(dir, auth::Options{});
    for (const Outcome o : burst(a, basic("alice", "right"), "1.1.1.1")) {
        EXPECT_EQ(o, Outcome::kOk);
    }
    // Threads that came after the verification found the cache: one lookup.
    EXPECT_EQ(dir.lookups, 1);
}

TEST(AuthSingleFlight, DifferentPasswordsDoNotShareAVerification) {
    SlowDirectory dir;
    auth::Authenticator a(dir, auth::Options{});
    std::thread wrong([&] {
        EXPECT_EQ(a.authenticate(basic("alice", "wrong"), "2.2.2.2").outcome,
                  Outcome::kBadCredentials);
    });
    EXPECT_EQ(a.authenticate(basic("alice", "right"), "1.1.1.1").outcome, Outcome::kOk);
    wrong.join();
    EXPECT_EQ(dir.lookups, 2);
}

TEST(AuthSingleFlight, SharedFailureCountsForEveryRequest) {
    SlowDirectory dir;
    auth::Options options;
    options.max_failures = 3;
    auth::Authenticator a(dir, options);
    for (const Outcome o : burst(a, basic("alice", "guess"), "6.6.6.6")) {
        EXPECT_EQ(o, Outcome::kBadCredentials);  // never cached, never OK
    }
    EXPECT_LT(dir.lookups, kBurst);  // shared while in flight (failures are never cached)
    // Every failed request counted against (alice, 6.6.6.6): now throttled.
    EXPECT_EQ(a.authenticate(basic("alice", "guess"), "6.6.6.6").outcome, Outcome::kThrottled);
    // The right password from another address still works.
    EXPECT_EQ(a.authenticate(basic("alice", "right"), "1.1.1.1").outcome, Outcome::kOk);
}

TEST(AuthSingleFlight, DirectoryErrorReachesEveryWaiterAndIsNotCached) {
    SlowDirectory dir;
    dir.unreachable = true;
    auth::Authenticator a(dir, auth::Options{});
    for (const Outcome o : burst(a, basic("alice", "right"), "1.1.1.1")) {
        EXPECT_EQ(o, Outcome::kNoCredentials);  // the store error was thrown
    }
    dir.unreachable = false;
    const int before = dir.lookups;
    EXPECT_EQ(a.authenticate(basic("alice", "right"), "1.1.1.1").outcome, Outcome::kOk);
    EXPECT_EQ(dir.lookups, before + 1);
}

// Different users' first logins are separate flights; without a limit each
// ran its own 16-32 MiB derivation at once (a server after a login burst
// held 438 MB instead of 77). Here 8 at once (about 50 ms each at N = 2^14)
// must run at most 2 at a time and all succeed.
TEST(AuthHashSlots, FirstLoginsOfManyUsersDeriveAtMostSlotsAtOnce) {
    ManyUsersDirectory dir;
    auth::Options options;
    options.max_concurrent_hashes = 2;
    auth::Authenticator a(dir, options);
    std::atomic<int> ready{0};
    std::vector<Outcome> out(kBurst, Outcome::kNoCredentials);
    std::vector<std::thread> threads;
    for (int i = 0; i < kBurst; ++i) {
        threads.emplace_back([&, i] {
            ++ready;
            while (ready < kBurst) std::this_thread::yield();
            out[static_cast<std::size_t>(i)] =
                a.authenticate(basic("user" + std::to_string(i), "right"), "1.1.1.1").outcome;
        });
    }
    for (std::thread& t : threads) t.join();
    for (const Outcome o : out) EXPECT_EQ(o, Outcome::kOk);
    EXPECT_EQ(a.password_verifications(), static_cast<std::uint64_t>(kBurst));
    EXPECT_GE(a.peak_concurrent_hashes(), 1u);
    EXPECT_LE(a.peak_concurrent_hashes(), 2u);
}
