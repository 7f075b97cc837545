// Lock queries (RFC 4918 §6-7): covering, within, expiry, refresh, removal.

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "cosmo/store/error.hpp"
#include "support/pg_fixture.hpp"

namespace cosmo::test {
namespace {

using store::Errc;
using store::Lock;

Lock make_lock(const std::string& token, const std::string& root, bool infinity,
               std::int64_t timeout = 600) {
    Lock l;
    l.token = token;
    l.root = root;
    l.exclusive = true;
    l.depth_infinity = infinity;
    l.owner_xml = "<D:href>mailto:x</D:href>";
    l.principal = "x";
    l.timeout_seconds = timeout;
    return l;
}

std::vector<std::string> tokens(const std::vector<Lock>& locks) {
    std::vector<std::string> out;
    for (const auto& l : locks) {
        out.push_back(l.token);
    }
    std::sort(out.begin(), out.end());
    return out;
}

using Tokens = std::vector<std::string>;

class LockTest : public PgStoreTest {
protected:
    /// Tokens are unique across homes (the table's key), so make them per user.
    std::string t(const std::string& name) const {
        return "urn:uuid:" + std::to_string(user_.id) + "-" + name;
    }
    void SetUp() override {
        PgStoreTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        user_ = new_user_with_home("lock");
        s_ = shards_->open(user_);
        s_->create_lock(make_lock(t("home"), "", true));
        s_->create_lock(make_lock(t("a0"), "a_/", false));
        s_->create_lock(make_lock(t("ainf"), "a%/", true));
        s_->create_lock(make_lock(t("obj"), "a%/x.ics", false));
        s_->create_lock(make_lock(t("objx"), "a%/x.ics2", false));
        s_->create_lock(make_lock(t("ab"), "ab/", true));
    }
    store::User user_;
    std::unique_ptr<store::Session> s_;
};

TEST_F(LockTest, FindReturnsAllFields) {
    const auto l = s_->find_lock(t("ainf"));
    ASSERT_TRUE(l);
    EXPECT_EQ(l->root, "a%/");
    EXPECT_TRUE(l->exclusive);
    EXPECT_TRUE(l->depth_infinity);
    EXPECT_EQ(l->owner_xml, "<D:href>mailto:x</D:href>");
    EXPECT_EQ(l->principal, "x");
    EXPECT_EQ(l->timeout_seconds, 600);
    const auto left = l->expires - std::chrono::system_clock::now();
    EXPECT_GT(left, std::chrono::seconds(500));
    EXPECT_LT(left, std::chrono::seconds(700));
    EXPECT_FALSE(s_->find_lock(t("none")));
}

TEST_F(LockTest, CoveringHonoursDepthAndLikeMetacharacters) {
    // The writing session asks SQL (kLocksCovering); a fresh, read-only one
    // filters the home's locks in memory. Both must give the same answers.
    s_->commit();
    const auto fresh = shards_->open(user_);
    for (store::Session* s : {s_.get(), fresh.get()}) {
        // depth-infinity on "" and "a%/" cover below; depth-0 "a_/" covers only itself.
        EXPECT_EQ(tokens(s->locks_covering("a%/x.ics")),
                  (Tokens{t("ainf"), t("home"), t("obj")}));
        EXPECT_EQ(tokens(s->locks_covering("a_/y.ics")), (Tokens{t("home")}));
        EXPECT_EQ(tokens(s->locks_covering("a_/")), (Tokens{t("a0"), t("home")}));
        // "ab/" must not be covered by "a%/" (a LIKE 'a%/%' would match it).
        EXPECT_EQ(tokens(s->locks_covering("ab/c")), (Tokens{t("ab"), t("home")}));
        EXPECT_EQ(tokens(s->locks_covering("")), (Tokens{t("home")}));
        EXPECT_EQ(tokens(s->locks_covering("a%/x.ics2")),
                  (Tokens{t("ainf"), t("home"), t("objx")}));
    }
}

TEST_F(LockTest, WithinMatchesSubtreesAndExactObjects) {
    EXPECT_EQ(tokens(s_->locks_within("a%/")),
              (Tokens{t("ainf"), t("obj"), t("objx")}));
    EXPECT_EQ(tokens(s_->locks_within("a%/x.ics")), (Tokens{t("obj")}));
    EXPECT_EQ(tokens(s_->locks_within("a_/")), (Tokens{t("a0")}));
    EXPECT_EQ(s_->locks_within("").size(), 6u);
    EXPECT_TRUE(s_->locks_within("zz/").empty());
}

TEST_F(LockTest, RemoveLocksWithin) {
    s_->remove_locks_within("a%/x.ics");
    EXPECT_EQ(tokens(s_->locks_within("a%/")), (Tokens{t("ainf"), t("objx")}));
    s_->remove_locks_within("a%/");
    EXPECT_TRUE(s_->locks_within("a%/").empty());
    EXPECT_EQ(s_->locks_within("").size(), 3u);  // home, a_/, ab/
}

TEST_F(LockTest, RemoveAndRefresh) {
    s_->remove_lock(t("ab"));
    EXPECT_FALSE(s_->find_lock(t("ab")));
    EXPECT_EQ(store::Errc::kNotFound, [&] {
        try {
            s_->remove_lock(t("ab"));
        } catch (const store::Error& e) {
            return e.code();
        }
        return Errc::kInternal;
    }());
    s_->refresh_lock(t("a0"), 0);  // infinite now
    const auto l = s_->find_lock(t("a0"));
    ASSERT_TRUE(l);
    EXPECT_EQ(l->timeout_seconds, 0);
    EXPECT_EQ(l->expires, store::Timestamp::max());
    EXPECT_THROW(s_->refresh_lock(t("none"), 10), store::Error);
}

TEST_F(LockTest, InfiniteLockHasMaxExpiry) {
    s_->create_lock(make_lock(t("forever"), "f/", false, 0));
    EXPECT_EQ(s_->find_lock(t("forever"))->expires, store::Timestamp::max());
}

TEST_F(LockTest, DuplicateTokenIsAlreadyExists) {
    try {
        s_->create_lock(make_lock(t("home"), "other/", false));
        FAIL();
    } catch (const store::Error& e) {
        EXPECT_EQ(e.code(), Errc::kAlreadyExists);
    }
}

TEST_F(LockTest, LocksAreScopedToTheOwner) {
    s_->commit();
    const auto other = new_user_with_home("other");
    auto s = shards_->open(other);
    EXPECT_FALSE(s->find_lock(t("home")));
    EXPECT_TRUE(s->locks_covering("a%/x.ics").empty());
}

TEST_F(LockTest, ExpiredLocksAreIgnored) {
    s_->create_lock(make_lock(t("short"), "s/", true, 1));
    s_->commit();
    {
        auto s = shards_->open(user_);
        EXPECT_TRUE(s->find_lock(t("short")));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));
    auto s = shards_->open(user_);
    EXPECT_FALSE(s->find_lock(t("short")));
    EXPECT_EQ(tokens(s->locks_covering("s/x")), (Tokens{t("home")}));  // not t("short")
    EXPECT_TRUE(s->locks_within("s/").empty());
    EXPECT_THROW(s->refresh_lock(t("short"), 60), store::Error);
    // A new lock purges expired ones, and the token may then be reused.
    s->create_lock(make_lock(t("short"), "s/", true, 60));
    EXPECT_TRUE(s->find_lock(t("short")));
}

}  // namespace
}  // namespace cosmo::test

namespace cosmo::test {
namespace {

// A write's first statement reads the home's lock count and the parent's
// dead properties ahead (store::OpenHint::writing); what the session then
// answers from memory must equal what a plain session reads by SQL.
TEST_F(PgStoreTest, WriteHintPrefetchAnswersLikeTheQueries) {
    const auto user = new_user_with_home("hint");
    {
        auto s = shards_->open(user);
        const auto cal = *s->stat("calendar/");
        s->set_dead_property(cal, store::DeadProperty{"urn:t", "b", "<x>ü &amp; \"q\"</x>"});
        s->set_dead_property(cal, store::DeadProperty{"DAV:", "displayname", "Work, {1}"});
        s->set_dead_property(cal, store::DeadProperty{"urn:t", "a", "back\\slash"});
        s->put_object("calendar/a.ics", "text/plain", "x", nullptr);
        s->commit();
    }
    auto same = [&](const std::string& label) {
        auto plain = shards_->open(user);
        auto hinted = shards_->open(user, store::OpenHint{"calendar/a.ics", true, std::nullopt});
        const auto cal = *plain->stat("calendar/");
        const auto want = plain->dead_properties(cal);
        const auto got = hinted->dead_properties(*hinted->stat("calendar/"));
        ASSERT_EQ(got.size(), want.size()) << label;
        for (std::size_t i = 0; i < want.size(); ++i) {
            EXPECT_EQ(got[i].ns, want[i].ns) << label;
            EXPECT_EQ(got[i].name, want[i].name) << label;
            EXPECT_EQ(got[i].value_xml, want[i].value_xml) << label;
        }
        EXPECT_EQ(tokens(hinted->locks_covering("calendar/a.ics")),
                  tokens(plain->locks_covering("calendar/a.ics")))
            << label;
        EXPECT_EQ(want.size(), 3u) << label;
    };
    same("no locks");
    {
        auto s = shards_->open(user);
        s->create_lock(make_lock("urn:uuid:hint-" + std::to_string(user.id), "calendar/", true));
        s->commit();
    }
    same("a depth-infinity lock on the calendar");
    auto hinted = shards_->open(user, store::OpenHint{"calendar/a.ics", true, std::nullopt});
    EXPECT_EQ(hinted->locks_covering("calendar/a.ics").size(), 1u);
}

}  // namespace
}  // namespace cosmo::test
