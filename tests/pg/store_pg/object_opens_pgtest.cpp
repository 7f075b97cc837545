// Reads of objects sent in groups (src/store_pg/object_opens.hpp): the
// first statement of read sessions on one shard, queued while another group
// is being read, goes to PostgreSQL as one statement, and each session must
// still see exactly what it would have read alone: its own object and body,
// its own home, nothing for a missing object, and its own placement error.
// The one group slot is held by a group of the test's while the sessions
// queue, so which reads meet in a group is certain.

#include <gtest/gtest.h>

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

using store_pg::detail::ObjectOpen;
using store_pg::detail::OpenGroups;
using store_pg::detail::PgSession;
using store_pg::detail::Pool;
using store_pg::detail::ShardShared;

class ObjectOpensTest : public PgStoreTest {
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
            s->commit();
            users_.push_back(user);
        }
        store_pg::PoolOptions options = test_pool_options();
        options.max_connections = 16;
        pool_ = std::make_shared<Pool>(dbs_->shard_dsn(shard_index(users_.front())), options,
                                       store_pg::detail::shard_queries());
        groups_ = std::make_shared<OpenGroups>(1);
    }

    static std::string body_of(std::size_t i) { return "BODY-" + std::to_string(i); }

    /// What a read session of `user` on `path` sees, as one line: the
    /// home's path, then the object's path and body, or the store error.
    std::string read(const store::User& user, const std::string& path) {
        try {
            PgSession s(pool_->acquire(), user, /*read_only=*/false,
                        store::OpenHint{path, false, std::nullopt},
                        ShardShared{nullptr, nullptr, groups_});
            const auto home = s.stat("");
            const auto object = s.stat(path);
            return "home " + (home ? "'" + home->path + "'" : std::string("none")) + ", " +
                   (object ? object->path + " " + s.read_body(*object) : path + " none");
        } catch (const store::Error& e) {
            return "error " + std::to_string(static_cast<int>(e.code()));
        }
    }

    std::vector<store::User> users_;
    std::shared_ptr<Pool> pool_;
    std::shared_ptr<OpenGroups> groups_;
};

TEST_F(ObjectOpensTest, ReadsQueuedBehindAGroupAreSentTogetherAndEachGetsItsOwnAnswer) {
    // Hold the one slot with a group of the test's own.
    std::promise<void> holding;
    std::promise<void> release;
    std::thread holder([&] {
        ObjectOpen job;
        groups_->run(
            job, [] { ADD_FAILURE() << "the holder ran alone"; },
            [&](const std::vector<ObjectOpen*>&) {
                holding.set_value();
                release.get_future().wait();
                return true;
            });
    });
    holding.get_future().wait();

    // Each user's object, a missing object, and a session routed with a
    // stale placement epoch (its home is not "here" for it).
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
    }
    reads.push_back({users_[0], "calendar/missing.ics", "home '', calendar/missing.ics none"});
    reads.push_back({stale, "calendar/a.ics",
                     "error " + std::to_string(static_cast<int>(store::Errc::kMoved))});
    std::vector<std::string> seen(reads.size());
    std::vector<std::thread> readers;
    for (std::size_t i = 0; i < reads.size(); ++i) {
        readers.emplace_back([&, i] { seen[i] = read(reads[i].user, reads[i].path); });
    }
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (groups_->queued() < reads.size()) {
        ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "the reads never queued";
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    release.set_value();
    holder.join();
    for (std::thread& t : readers) t.join();

    for (std::size_t i = 0; i < reads.size(); ++i) {
        EXPECT_EQ(seen[i], reads[i].expected) << "read " << i;
    }
    // The holder's group, then one group of every queued read.
    EXPECT_EQ(groups_->counts().groups, 2u);
    EXPECT_EQ(groups_->counts().grouped, reads.size() + 1);
}

TEST_F(ObjectOpensTest, AReadThatFindsTheSlotFreeIsSentAloneAndGetsTheSameAnswer) {
    EXPECT_EQ(read(users_[2], "calendar/a.ics"), "home '', calendar/a.ics " + body_of(2));
    EXPECT_EQ(groups_->counts().groups, 1u);
    EXPECT_EQ(groups_->counts().grouped, 1u);
}

}  // namespace
}  // namespace cosmo::test
