// First reads of sessions sent in groups (src/store_pg/session_opens.hpp):
// the first statements of read sessions on one shard, queued while another
// group is being read, go to PostgreSQL as one statement, and each session
// must still see exactly what it would have read alone: its own home (and
// its dead properties), collection, or object and body, nothing for a
// missing one, and its own placement error.
// Each kind's one group slot is held by a group of the test's while the
// sessions queue, so which reads meet in a group is certain.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cosmo/store/error.hpp"
// Sessions, pools and groups are internal to store_pg.
#include "../../../src/store_pg/pg_session.hpp"
#include "../../../src/store_pg/pool.hpp"
#include "../../../src/store_pg/queries.hpp"
#include "support/pg_fixture.hpp"

namespace cosmo::test {
namespace {

using store_pg::detail::SessionOpen;
using store_pg::detail::OpenGroups;
using store_pg::detail::PgSession;
using store_pg::detail::Pool;
using store_pg::detail::ShardShared;

class SessionOpensTest : public PgStoreTest {
protected:
    void SetUp() override {
        PgStoreTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        // Groups are per shard: every user here shares the first one's.
        while (users_.size() < 3) {
            store::User user = new_user_with_home("opens");
            if (!users_.empty() && shard_index(user) != shard_index(users_.front())) {
                continue;
            }
            auto s = shards_->open(user);
            s->put_object("calendar/a.ics", "text/calendar", body_of(users_.size()), nullptr);
            s->set_dead_property(*s->stat(""), {"urn:x", "note", "<note>" + body_of(users_.size()) + "</note>"});
            s->commit();
            users_.push_back(user);
        }
        store_pg::PoolOptions options = test_pool_options();
        options.max_connections = 16;
        // Named, so that a test can end exactly these connections (tests
        // run in parallel on the same databases).
        pool_ = std::make_shared<Pool>(dbs_->shard_dsn(shard_index(users_.front())) +
                                           " application_name=" + pool_name(),
                                       options, store_pg::detail::shard_queries());
        groups_ = std::make_shared<OpenGroups>(1);
    }

    /// The pool's connections' application_name: one of this process's
    /// own, since ctest runs each test in a process of its own and two of
    /// them at once, and the test that ends "its" connections must not end
    /// those of the test running beside it (a failure seen in CI).
    static std::string pool_name() { return "session_opens_test_" + std::to_string(getpid()); }

    static std::string body_of(std::size_t i) { return "BODY-" + std::to_string(i); }

    /// What a read session of `user` on `path` sees, as one line: the
    /// home's path, then the home's dead properties (path "") or the
    /// collection's or object's path (with the object's body), or the
    /// store error.
    /// kListHome for a path: a PROPFIND Depth 1 on the home
    /// (OpenHint::list_home), whose line also names the home's members as
    /// children() lists them after a collection "late-N/" was made and
    /// committed by another session: a listing that came with the first
    /// statement does not have it.
    std::string read(const store::User& user, const std::string& path) {
        try {
            const bool list_home = path == kListHome;
            store::OpenHint hint{list_home ? "" : path, false, std::nullopt};
            hint.list_home = list_home;
            PgSession s(pool_->acquire(), user, /*read_only=*/false, hint,
                        ShardShared{nullptr, nullptr, groups_});
            const auto home = s.stat("");
            std::string seen = "home " + (home ? "'" + home->path + "'" : std::string("none"));
            if (path.empty() || list_home) {
                for (const auto& p : s.dead_properties(*home)) seen += ", " + p.value_xml;
            }
            if (list_home) {
                auto writer = shards_->open(user);
                writer->make_collection("late-" + std::to_string(++made_) + "/",
                                        store::CollectionKind::kPlain);
                writer->commit();
                seen += ", members";
                for (const auto& member : s.children(*home)) seen += " " + member.path;
            }
            if (path.empty() || list_home) {
                return seen;
            }
            const auto found = s.stat(path);
            if (!found) return seen + ", " + path + " none";
            return seen + ", " + found->path +
                   (found->is_collection ? " collection" : " " + s.read_body(*found));
        } catch (const store::Error& e) {
            return "error " + std::to_string(static_cast<int>(e.code()));
        }
    }

    /// Holds the one slot of `kind` with a group of the test's own until
    /// `released` is ready; returns once it holds it.
    std::thread hold_slot(SessionOpen::Kind kind, std::shared_future<void> released) {
        std::promise<void> holding;
        std::future<void> held = holding.get_future();
        std::thread holder([this, kind, released, holding = std::move(holding)]() mutable {
            SessionOpen job;
            groups_->of(kind).run(
                job, [] { ADD_FAILURE() << "the holder ran alone"; },
                [&](const std::vector<SessionOpen*>&) {
                    holding.set_value();
                    released.wait();
                    return true;
                });
        });
        held.wait();
        return holder;
    }

    static constexpr const char* kListHome = "(list the home)";
    std::atomic<int> made_{0};
    std::vector<store::User> users_;
    std::shared_ptr<Pool> pool_;
    std::shared_ptr<OpenGroups> groups_;
};

TEST_F(SessionOpensTest, ReadsQueuedBehindAGroupAreSentTogetherAndEachGetsItsOwnAnswer) {
    using Kind = SessionOpen::Kind;
    constexpr Kind kKinds[] = {Kind::kHome, Kind::kCollection, Kind::kObject};
    // Hold the one slot of each kind with a group of the test's own.
    std::promise<void> release;
    const std::shared_future<void> released = release.get_future().share();
    std::vector<std::thread> holders;
    for (const Kind kind : kKinds) holders.push_back(hold_slot(kind, released));

    // Each user's object, a missing object, a collection, a missing one,
    // homes with their dead properties, and a session routed with a stale
    // placement epoch (its home is not "here" for it).
    store::User stale = users_[1];
    stale.epoch += 1;
    struct Read {
        store::User user;
        std::string path;
        std::string expected;
    };
    std::vector<Read> reads;
    for (std::size_t i = 0; i < users_.size(); ++i) {
        reads.push_back({users_[i], "calendar/a.ics",
                         "home '', calendar/a.ics " + body_of(i)});
        reads.push_back({users_[i], "", "home '', <note>" + body_of(i) + "</note>"});
    }
    // Homes listed for a PROPFIND Depth 1 in the same group as homes that
    // are not: each gets its own members.
    reads.push_back({users_[0], kListHome, "home '', <note>" + body_of(0) + "</note>, members calendar/"});
    reads.push_back({users_[2], kListHome, "home '', <note>" + body_of(2) + "</note>, members calendar/"});
    reads.push_back({users_[0], "calendar/missing.ics", "home '', calendar/missing.ics none"});
    reads.push_back({users_[1], "calendar/", "home '', calendar/ collection"});
    reads.push_back({users_[2], "nothere/", "home '', nothere/ none"});
    reads.push_back({stale, "calendar/a.ics",
                     "error " + std::to_string(static_cast<int>(store::Errc::kMoved))});
    // 5 homes, 2 collections, 5 objects.
    const std::size_t queued_of[] = {5, 2, 5};
    std::vector<std::string> seen(reads.size());
    std::vector<std::thread> readers;
    for (std::size_t i = 0; i < reads.size(); ++i) {
        readers.emplace_back([&, i] { seen[i] = read(reads[i].user, reads[i].path); });
    }
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (std::size_t k = 0; k < 3; ++k) {
        while (groups_->of(kKinds[k]).queued() < queued_of[k]) {
            ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "the reads never queued";
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
    release.set_value();
    for (std::thread& t : holders) t.join();
    for (std::thread& t : readers) t.join();

    for (std::size_t i = 0; i < reads.size(); ++i) {
        EXPECT_EQ(seen[i], reads[i].expected) << "read " << i;
    }
    // Per kind: the holder's group, then one group of every queued read.
    for (std::size_t k = 0; k < 3; ++k) {
        EXPECT_EQ(groups_->of(kKinds[k]).counts().groups, 2u) << k;
        EXPECT_EQ(groups_->of(kKinds[k]).counts().grouped, queued_of[k] + 1) << k;
    }
}

// The group's statement fails for all: the connection of whichever member
// leads is gone (here every connection of the test's pool, as when the
// shard restarts), and every member must get the store's error, none a
// hang. (libpq leaks the error result of such a statement: tests/lsan.supp.)
TEST_F(SessionOpensTest, WhenTheGroupsConnectionBreaksEveryMemberGetsShardUnavailable) {
    using Kind = SessionOpen::Kind;
    constexpr std::size_t kReads = 4;
    std::promise<void> release;
    std::thread holder = hold_slot(Kind::kObject, release.get_future().share());
    std::vector<std::string> seen(kReads);
    std::vector<std::thread> readers;
    for (std::size_t i = 0; i < kReads; ++i) {
        readers.emplace_back([&, i] { seen[i] = read(users_[i % users_.size()], "calendar/a.ics"); });
    }
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (groups_->of(Kind::kObject).queued() < kReads) {
        ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "the reads never queued";
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    // Every connection of the pool ends, the queued sessions' among them.
    const std::string dsn = dbs_->shard_dsn(shard_index(users_.front()));
    const std::string ours = "FROM pg_stat_activity WHERE application_name = '" + pool_name() +
                             "'";
    EXPECT_GE(pg_query(dsn, "SELECT pg_terminate_backend(pid) " + ours).size(), kReads);
    while (pg_query(dsn, "SELECT count(*) " + ours)[0][0] != "0") {
        ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "the backends never ended";
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    release.set_value();
    holder.join();
    for (std::thread& t : readers) t.join();
    const std::string unavailable =
        "error " + std::to_string(static_cast<int>(store::Errc::kShardUnavailable));
    for (std::size_t i = 0; i < kReads; ++i) {
        EXPECT_EQ(seen[i], unavailable) << "read " << i;
    }
    EXPECT_EQ(groups_->of(Kind::kObject).counts().groups, 1u);  // the holder's only
}

TEST_F(SessionOpensTest, AReadThatFindsTheSlotFreeIsSentAloneAndGetsTheSameAnswer) {
    EXPECT_EQ(read(users_[2], "calendar/a.ics"), "home '', calendar/a.ics " + body_of(2));
    const auto counts = groups_->of(SessionOpen::Kind::kObject).counts();
    EXPECT_EQ(counts.groups, 1u);
    EXPECT_EQ(counts.grouped, 1u);
}

}  // namespace
}  // namespace cosmo::test
