#include "cosmo/auth/authenticator.hpp"

#include <gtest/gtest.h>

#include <map>

#include "cosmo/auth/password.hpp"
#include "cosmo/store/error.hpp"

using namespace cosmo;
using auth::Outcome;

namespace {

/// Just enough of a directory for authentication; counts lookups.
class FakeDirectory : public store::Directory {
public:
    std::map<std::string, store::User> users;
    int lookups = 0;

    std::optional<store::User> find_user(const std::string& name) override {
        ++lookups;
        auto it = users.find(name);
        if (it == users.end()) {
            return std::nullopt;
        }
        return it->second;
    }
    store::User add_user(const std::string& name, const std::string& email,
                         const std::string& hash) override {
        store::User u;
        u.id = static_cast<store::UserId>(users.size() + 1);
        u.name = name;
        u.email = email;
        u.password_hash = hash;
        return users[name] = u;
    }
    std::vector<store::User> list_users() override { return {}; }
    void set_password(const std::string& name, const std::string& hash) override {
        users.at(name).password_hash = hash;
    }
    void set_disabled(const std::string& name, bool disabled) override {
        users.at(name).disabled = disabled;
    }
    std::vector<store::Shard> list_shards() override { return {}; }
    std::optional<store::Shard> find_shard(store::ShardId) override { return std::nullopt; }
    store::Shard add_shard(const std::string&, const std::string&) override {
        throw store::Error(store::Errc::kInternal, "unused");
    }
    void set_shard_state(const std::string&, const std::string&) override {}
    void ping() override {}
};

std::string basic(const std::string& user, const std::string& password) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string in = user + ":" + password;
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 |
                     (unsigned char)in[i + 2];
        out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63],
                kAlphabet[v & 63]};
    }
    if (i + 1 == in.size()) {
        unsigned v = (unsigned char)in[i] << 16;
        out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], '=', '='};
    } else if (i + 2 == in.size()) {
        unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
        out += {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], '='};
    }
    return "Basic " + out;
}

class AuthenticatorTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir.add_user("alice", "", auth::hash_password("right", {10, 8, 1}));
        options.max_failures = 3;
        options.throttle_time = std::chrono::seconds(60);
    }
    FakeDirectory dir;
    auth::Options options;
};

}  // namespace

TEST_F(AuthenticatorTest, AcceptsTheRightPassword) {
    auth::Authenticator a(dir, options);
    auto r = a.authenticate(basic("alice", "right"), "1.1.1.1");
    EXPECT_EQ(r.outcome, Outcome::kOk);
    EXPECT_EQ(r.user, "alice");
}

TEST_F(AuthenticatorTest, RejectsWrongPasswordUnknownUserAndNoHeader) {
    auth::Authenticator a(dir, options);
    EXPECT_EQ(a.authenticate(basic("alice", "wrong"), "1.1.1.1").outcome, Outcome::kBadCredentials);
    EXPECT_EQ(a.authenticate(basic("bob", "right"), "1.1.1.1").outcome, Outcome::kBadCredentials);
    EXPECT_EQ(a.authenticate("", "1.1.1.1").outcome, Outcome::kNoCredentials);
}

TEST_F(AuthenticatorTest, CachesVerifiedCredentials) {
    auth::Authenticator a(dir, options);
    ASSERT_EQ(a.authenticate(basic("alice", "right"), "1.1.1.1").outcome, Outcome::kOk);
    int before = dir.lookups;
    for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(a.authenticate(basic("alice", "right"), "1.1.1.1").outcome, Outcome::kOk);
    }
    EXPECT_EQ(dir.lookups, before);
}

// The cache key covers where the user ends: credentials whose user and
// password run together into the same bytes never find a cached entry.
TEST_F(AuthenticatorTest, CachedCredentialsAreNotFoundBySplittingThemElsewhere) {
    dir.add_user(std::string("ali\0ce", 6), "", auth::hash_password("x", {10, 8, 1}));
    auth::Authenticator a(dir, options);
    ASSERT_EQ(a.authenticate(basic("alice", "right"), "1.1.1.1").outcome, Outcome::kOk);
    EXPECT_EQ(a.authenticate(basic("alic", "eright"), "1.1.1.1").outcome, Outcome::kBadCredentials);
    EXPECT_EQ(a.authenticate(basic("alicer", "ight"), "1.1.1.1").outcome, Outcome::kBadCredentials);
    EXPECT_EQ(a.authenticate(basic(std::string("ali\0ce", 6), "x"), "2.2.2.2").outcome,
              Outcome::kOk);
    EXPECT_EQ(a.authenticate(basic("ali", std::string("ce\0x", 4)), "2.2.2.2").outcome,
              Outcome::kBadCredentials);
}

TEST_F(AuthenticatorTest, DisabledUserFailsOnceTheCacheExpires) {
    options.cache_ttl = std::chrono::seconds(0);
    auth::Authenticator a(dir, options);
    ASSERT_EQ(a.authenticate(basic("alice", "right"), "1.1.1.1").outcome, Outcome::kOk);
    dir.set_disabled("alice", true);
    EXPECT_EQ(a.authenticate(basic("alice", "right"), "1.1.1.1").outcome,
              Outcome::kBadCredentials);
}

TEST_F(AuthenticatorTest, ChangedPasswordCountsOnceTheCacheExpires) {
    options.cache_ttl = std::chrono::seconds(0);
    auth::Authenticator a(dir, options);
    ASSERT_EQ(a.authenticate(basic("alice", "right"), "1.1.1.1").outcome, Outcome::kOk);
    dir.set_password("alice", auth::hash_password("new", {10, 8, 1}));
    EXPECT_EQ(a.authenticate(basic("alice", "right"), "1.1.1.1").outcome,
              Outcome::kBadCredentials);
    EXPECT_EQ(a.authenticate(basic("alice", "new"), "1.1.1.1").outcome, Outcome::kOk);
}

TEST_F(AuthenticatorTest, ThrottlesRepeatedFailuresPerUserAndAddress) {
    auth::Authenticator a(dir, options);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(a.authenticate(basic("alice", "guess"), "6.6.6.6").outcome,
                  Outcome::kBadCredentials);
    }
    auto r = a.authenticate(basic("alice", "guess"), "6.6.6.6");
    EXPECT_EQ(r.outcome, Outcome::kThrottled);
    EXPECT_GT(r.retry_after.count(), 0);
    // Even the right password is not tried from the throttled address...
    EXPECT_EQ(a.authenticate(basic("alice", "right"), "6.6.6.6").outcome, Outcome::kThrottled);
    // ...but the owner's own device, elsewhere, is not locked out.
    EXPECT_EQ(a.authenticate(basic("alice", "right"), "1.1.1.1").outcome, Outcome::kOk);
}

TEST_F(AuthenticatorTest, AVerifiedClientPassesWhileItsAddressIsThrottled) {
    auth::Authenticator a(dir, options);
    // The real client syncs from the same NAT address an attacker uses.
    ASSERT_EQ(a.authenticate(basic("alice", "right"), "9.9.9.9").outcome, Outcome::kOk);
    for (int i = 0; i < 4; ++i) {
        a.authenticate(basic("alice", "guess"), "9.9.9.9");
    }
    EXPECT_EQ(a.authenticate(basic("alice", "guess"), "9.9.9.9").outcome, Outcome::kThrottled);
    EXPECT_EQ(a.authenticate(basic("alice", "right"), "9.9.9.9").outcome, Outcome::kOk);
}

TEST_F(AuthenticatorTest, RevalidatesWithoutScryptWhileTheHashIsUnchanged) {
    options.cache_ttl = std::chrono::seconds(0);  // every request re-asks the directory
    auth::Authenticator a(dir, options);
    ASSERT_EQ(a.authenticate(basic("alice", "right"), "1.1.1.1").outcome, Outcome::kOk);
    ASSERT_EQ(a.password_verifications(), 1u);
    for (int i = 0; i < 3; ++i) {
        ASSERT_EQ(a.authenticate(basic("alice", "right"), "1.1.1.1").outcome, Outcome::kOk);
    }
    EXPECT_EQ(a.password_verifications(), 1u);  // looked up, not re-hashed
    // A new stored hash (even of the same password) means a real check again.
    dir.set_password("alice", auth::hash_password("right", {10, 8, 1}));
    ASSERT_EQ(a.authenticate(basic("alice", "right"), "1.1.1.1").outcome, Outcome::kOk);
    EXPECT_EQ(a.password_verifications(), 2u);
}

TEST_F(AuthenticatorTest, VerifiedLifetimeBoundsRevalidation) {
    options.cache_ttl = std::chrono::seconds(0);
    options.verified_lifetime = std::chrono::seconds(0);
    auth::Authenticator a(dir, options);
    ASSERT_EQ(a.authenticate(basic("alice", "right"), "1.1.1.1").outcome, Outcome::kOk);
    ASSERT_EQ(a.authenticate(basic("alice", "right"), "1.1.1.1").outcome, Outcome::kOk);
    EXPECT_EQ(a.password_verifications(), 2u);
}

namespace {
/// Answers 200 with the user it was given ("-" when anonymous).
class WhoHandler : public http::Handler {
public:
    http::Response handle(http::Request& req, http::RequestContext& ctx) const override {
        return http::make_response(req, http::Status::ok, ctx.user.empty() ? "-" : ctx.user);
    }
};

http::Request request_for(const std::string& target, const std::string& authorization = "") {
    http::Request req{http::Verb::propfind, target, 11};
    if (!authorization.empty()) {
        req.set(http::Field::authorization, authorization);
    }
    return req;
}
}  // namespace

TEST_F(AuthenticatorTest, PublicRequestsPassAnonymouslyAndNothingElseDoes) {
    auth::Authenticator a(dir, options);
    WhoHandler inner;
    auth::AuthHandler handler(a, inner, [](const http::Request& r) {
        return r.target() == "/.well-known/caldav";
    });
    http::RequestContext ctx;
    auto req = request_for("/.well-known/caldav");
    auto res = handler.handle(req, ctx);
    EXPECT_EQ(res.result(), http::Status::ok);
    EXPECT_EQ(res.body(), "-");

    req = request_for("/calendars/users/alice/");
    res = handler.handle(req, ctx);
    EXPECT_EQ(res.result(), http::Status::unauthorized);
    EXPECT_NE(res[http::Field::www_authenticate].find("Basic"), std::string::npos);

    // With credentials, even a public path is authenticated (and a wrong
    // password is still refused).
    req = request_for("/.well-known/caldav", basic("alice", "wrong"));
    EXPECT_EQ(handler.handle(req, ctx).result(), http::Status::unauthorized);
    http::RequestContext ctx2;
    req = request_for("/calendars/users/alice/", basic("alice", "right"));
    res = handler.handle(req, ctx2);
    EXPECT_EQ(res.result(), http::Status::ok);
    EXPECT_EQ(res.body(), "alice");
}
