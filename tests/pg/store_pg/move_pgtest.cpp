// Scale-out: per-shard id ranges, placement fencing and the online move of
// a home between shards, including a move interrupted at every step
// (shard_admin.hpp, schema/shard/003_placement.sql).

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "cosmo/store/error.hpp"
#include "cosmo/store_pg/shard_admin.hpp"
#include "support/pg_fixture.hpp"

namespace cosmo::test {
namespace {

using store::CollectionKind;
using store::Errc;

/// Thrown by a hook to stop a move like kill -9 (not a std::exception, so
/// the mover does not clean up).
struct SimulatedCrash {};

class MoveTest : public PgStoreTest {
protected:
    static void SetUpTestSuite() {
        PgStoreTest::SetUpTestSuite();
        if (dbs_ != nullptr) {
            for (int i = 0; i < 2; ++i) {
                store_pg::prepare_shard_ids(dbs_->shard_dsn(i), dbs_->shard_id(i));
            }
        }
    }

    store::User fresh(const store::User& user) { return *directory_->find_user(user.name); }
    std::string other_shard(const store::User& user) {
        return shard_index(user) == 0 ? "shard_b" : "shard_a";
    }
    std::string q1(int shard, const std::string& sql) {
        return pg_query(dbs_->shard_dsn(shard), sql)[0][0];
    }
    std::string placement(int shard, const store::User& user) {
        const auto rows = pg_query(dbs_->shard_dsn(shard),
                                   "SELECT state || ':' || epoch FROM home_placement "
                                   "WHERE owner_id = " + std::to_string(user.id));
        return rows.empty() ? "none" : rows[0][0];
    }
    std::string rows_of(int shard, const store::User& user) {
        return q1(shard, "SELECT (SELECT count(*) FROM collection WHERE owner_id = " +
                             std::to_string(user.id) +
                             ") || '/' || (SELECT count(*) FROM dead_property WHERE owner_id = " +
                             std::to_string(user.id) +
                             ") || '/' || (SELECT count(*) FROM dav_lock WHERE owner_id = " +
                             std::to_string(user.id) + ")");
    }

    /// A home with a collection, objects (one binary), a dead property, a
    /// lock and a deletion in the change log.
    void populate(const store::User& user) {
        auto s = shards_->open(user);
        s->ensure_home();
        s->make_collection("notes/", CollectionKind::kPlain);
        s->put_object("calendar/a.ics", "text/calendar", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                      nullptr);
        s->put_object("notes/bin", "application/octet-stream", std::string("\0\xff\x01z", 4),
                      nullptr);
        s->put_object("notes/gone.txt", "text/plain", "x", nullptr);
        s->remove(*s->stat("notes/gone.txt"));
        s->set_dead_property(*s->stat("notes/"), {"urn:x", "color", "<x:c xmlns:x=\"urn:x\"/>"});
        store::Lock lock;
        lock.token = "urn:uuid:" + std::to_string(user.id);
        lock.root = "notes/bin";
        lock.principal = user.name;
        lock.timeout_seconds = 0;
        s->create_lock(lock);
        s->commit();
    }

    /// Everything a client could observe of the home, as text.
    std::string snapshot(const store::User& user) {
        auto s = shards_->open(user);
        std::string out;
        for (const std::string path : {"", "calendar/", "notes/"}) {
            const auto c = s->stat(path);
            if (!c) {
                out += path + " missing\n";
                continue;
            }
            out += path + " id=" + std::to_string(c->id) + " rev=" + std::to_string(c->revision) +
                   "\n";
            for (const auto& r : s->children(*c)) {
                out += "  " + r.path + " id=" + std::to_string(r.id) + " etag=" + r.etag;
                if (!r.is_collection) {
                    out += " body=" + s->read_body(r);
                }
                out += "\n";
            }
            for (const auto& p : s->dead_properties(*c)) {
                out += "  prop " + p.name + "=" + p.value_xml + "\n";
            }
        }
        for (const auto& l : s->locks_covering("notes/bin")) {
            out += "lock " + l.token + "\n";
        }
        return out;
    }

    std::string move(const store::User& user, const std::string& target,
                     const std::string& crash_after = "") {
        store_pg::MoveHooks hooks;
        hooks.after_step = [crash_after](std::string_view step) {
            if (step == crash_after) {
                throw SimulatedCrash{};
            }
        };
        return store_pg::move_user(dbs_->directory_dsn(), user.name, target, hooks);
    }
};

TEST_F(MoveTest, IdsComeFromTheShardsRange) {
    const auto user = new_user_with_home();
    const auto s = shards_->open(user);
    const auto id = s->stat("")->id;
    EXPECT_GE(id, user.shard_id * store_pg::kIdsPerShard);
    EXPECT_LT(id, (user.shard_id + 1) * store_pg::kIdsPerShard);
    // Idempotent: a second run leaves the sequences where they are.
    store_pg::prepare_shard_ids(dbs_->shard_dsn(shard_index(user)), user.shard_id);
    auto s2 = shards_->open(user);
    EXPECT_GT(s2->make_collection("more/", CollectionKind::kPlain).id, id);
}

TEST_F(MoveTest, SessionsCheckThePlacementEpoch) {
    const auto user = new_user_with_home();
    EXPECT_EQ(placement(shard_index(user), user), "active:0");
    auto stale = user;
    stale.epoch = 7;
    EXPECT_EQ(error_of([&] { shards_->open(stale); }), Errc::kMoved);
}

TEST_F(MoveTest, MovingHomeServesReadsAndRefusesWrites) {
    const auto user = new_user_with_home();
    pg_query(dbs_->shard_dsn(shard_index(user)),
             "UPDATE home_placement SET state = 'moving' WHERE owner_id = " +
                 std::to_string(user.id));
    auto s = shards_->open(user);
    EXPECT_TRUE(s->stat("calendar/"));
    EXPECT_EQ(error_of([&] { s->put_object("calendar/x.ics", "text/calendar", "x", nullptr); }),
              Errc::kReadOnly);
}

TEST_F(MoveTest, MoveCopiesEverythingWithIdsAndSwitchesTheDirectory) {
    const auto user = new_user();
    populate(user);
    const int from = shard_index(user);
    const std::string before = snapshot(user);
    const std::string rows_before = rows_of(from, user);
    EXPECT_NE(move(user, other_shard(user)).find("moved"), std::string::npos);

    const auto moved = fresh(user);
    EXPECT_NE(moved.shard_id, user.shard_id);
    EXPECT_EQ(moved.epoch, user.epoch + 1);
    EXPECT_EQ(snapshot(moved), before);  // ids, revisions, ETags, bytes, props, locks
    EXPECT_EQ(rows_of(1 - from, moved), rows_before);
    EXPECT_EQ(q1(1 - from, "SELECT count(*) FROM change_log l JOIN collection c ON "
                           "c.id = l.collection_id WHERE l.deleted AND c.owner_id = " +
                               std::to_string(user.id)),
              "1");  // the tombstone of gone.txt came along (sync tokens stay valid)
    EXPECT_EQ(rows_of(from, user), "0/0/0");
    EXPECT_EQ(placement(from, user), "moved:0");
    EXPECT_EQ(placement(1 - from, user), "active:1");
    // A stale route (old shard, old epoch) is fenced off.
    EXPECT_EQ(error_of([&] { shards_->open(user); }), Errc::kMoved);
    // The moved home is writable at its new place, with ids of that shard.
    auto s = shards_->open(moved);
    const auto c = s->make_collection("new/", CollectionKind::kPlain);
    EXPECT_GE(c.id, moved.shard_id * store_pg::kIdsPerShard);
    s->commit();
}

TEST_F(MoveTest, MoveBackAndForth) {
    const auto user = new_user();
    populate(user);
    const std::string before = snapshot(user);
    const std::string home = user.shard_id == dbs_->shard_id(0) ? "shard_a" : "shard_b";
    move(user, other_shard(user));
    move(fresh(user), home);
    const auto back = fresh(user);
    EXPECT_EQ(back.shard_id, user.shard_id);
    EXPECT_EQ(back.epoch, 2);
    EXPECT_EQ(snapshot(back), before);
    EXPECT_EQ(placement(shard_index(user), user), "active:2");
    EXPECT_EQ(placement(1 - shard_index(user), user), "moved:1");
    // Moving to where the user is already is a no-op.
    EXPECT_NE(move(back, home).find("is on"), std::string::npos);
}

// The race behind a sync token refused in the cluster test: a read session
// opened on the source, the move finished (and deleted the home there), and
// the request's later statements found the change log gone.
TEST_F(MoveTest, ReadsSpanningAFinishedMoveAreNotConfirmed) {
    const auto user = new_user();
    populate(user);
    auto reader = shards_->open(user);
    const auto calendar = reader->stat("calendar/");
    ASSERT_TRUE(calendar);
    EXPECT_TRUE(reader->oldest_change(*calendar));
    move(user, other_shard(user));
    // What the request reads next comes from a half-deleted home.
    EXPECT_FALSE(reader->oldest_change(*calendar));
    EXPECT_EQ(error_of([&] { reader->confirm_reads(); }), Errc::kMoved);
}

TEST_F(MoveTest, ReadsConfirmedWhenTheHomeStayed) {
    const auto user = new_user();
    populate(user);
    auto reader = shards_->open(user);
    EXPECT_EQ(reader->children(*reader->stat("notes/")).size(), 1u);
    reader->confirm_reads();  // nothing moved: no error
    // A session whose only read was its first statement needs no check:
    // that statement read the placement with the rows.
    auto one_statement = shards_->open(user, std::string("calendar/a.ics"));
    ASSERT_TRUE(one_statement->stat("calendar/a.ics"));
    move(user, other_shard(user));
    one_statement->confirm_reads();
}

// The reads that usually end a request check the placement in their own
// statement: rows from them confirm everything read before.
TEST_F(MoveTest, RowsOfAPlacementCheckedReadConfirmTheHome) {
    const auto user = new_user();
    populate(user);
    auto reader = shards_->open(user, std::string("calendar/"));
    EXPECT_EQ(reader->read_objects({"calendar/a.ics"}).size(), 1u);
    move(user, other_shard(user));
    reader->confirm_reads();  // the multiget's statement saw the home whole
    // After the move the same read finds nothing, which confirms nothing.
    EXPECT_TRUE(reader->read_objects({"calendar/a.ics"}).empty());
    EXPECT_EQ(error_of([&] { reader->confirm_reads(); }), Errc::kMoved);

    // A resource without dead properties confirms the home all the same.
    const auto moved = fresh(user);
    auto query = shards_->open(moved, std::string("calendar/"));
    EXPECT_TRUE(query->dead_properties(*query->stat("calendar/")).empty());
    move(moved, other_shard(moved));
    query->confirm_reads();

    // So does a listing of a collection's members, which brings the child
    // collections' dead properties along (a PROPFIND Depth 1 on the home,
    // Apple Calendar's poll, reads them next and then needs no statement),
    // and so does the members' own statement when it is needed (objects).
    const auto lister_user = fresh(moved);
    auto lister = shards_->open(lister_user);
    const auto home = lister->stat("");
    ASSERT_TRUE(home);
    const std::vector<store::Resource> kids = lister->children(*home);
    std::vector<const store::Resource*> collections;
    for (const auto& k : kids) collections.push_back(&k);
    ASSERT_EQ(collections.size(), 2u);  // calendar/, notes/
    const auto props = lister->dead_properties_of(collections);
    ASSERT_EQ(props.size(), 2u);
    EXPECT_TRUE(props[0].empty());
    ASSERT_EQ(props[1].size(), 1u);
    EXPECT_EQ(props[1][0].name, "color");
    EXPECT_EQ(props[1][0].value_xml, "<x:c xmlns:x=\"urn:x\"/>");
    const auto bin = lister->stat("notes/bin");
    ASSERT_TRUE(bin);
    EXPECT_EQ(lister->dead_properties_of({&*bin}).size(), 1u);
    move(lister_user, other_shard(lister_user));
    lister->confirm_reads();  // the last statement saw the home whole
    // After the move neither statement finds the home, and neither confirms.
    EXPECT_TRUE(lister->children(*home).empty());
    EXPECT_EQ(error_of([&] { lister->confirm_reads(); }), Errc::kMoved);
    EXPECT_EQ(lister->dead_properties_of({&*bin}).size(), 1u);
    EXPECT_EQ(error_of([&] { lister->confirm_reads(); }), Errc::kMoved);
}

TEST_F(MoveTest, FenceWaitsForAnInFlightWriteAndCarriesIt) {
    const auto user = new_user();
    populate(user);
    auto writer = shards_->open(user);
    writer->put_object("calendar/late.ics", "text/calendar", "late", nullptr);
    std::atomic<bool> done{false};
    auto mover = std::async(std::launch::async, [&] {
        move(user, other_shard(user));
        done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_FALSE(done.load());  // waiting for the writer's FOR SHARE lock
    writer->commit();
    writer.reset();
    mover.get();
    auto s = shards_->open(fresh(user));
    const auto late = s->stat("calendar/late.ics");
    ASSERT_TRUE(late);
    EXPECT_EQ(s->read_body(*late), "late");
}

TEST_F(MoveTest, CrashAfterFencingRollsBackOnRerunAndReadsWorkMeanwhile) {
    const auto user = new_user();
    populate(user);
    const std::string before = snapshot(user);
    EXPECT_ANY_THROW(move(user, other_shard(user), "fenced"));
    {
        auto s = shards_->open(user);  // reads keep working
        EXPECT_TRUE(s->stat("notes/bin"));
        EXPECT_EQ(error_of([&] { s->make_collection("x/", CollectionKind::kPlain); }),
                  Errc::kReadOnly);
    }
    EXPECT_EQ(store_pg::pending_moves(dbs_->directory_dsn()),
              std::vector<std::string>{user.name});
    EXPECT_NE(store_pg::recover_move(dbs_->directory_dsn(), user.name).find("rolled back"),
              std::string::npos);
    EXPECT_EQ(fresh(user).shard_id, user.shard_id);
    EXPECT_EQ(snapshot(user), before);
    auto s = shards_->open(user);
    s->make_collection("x/", CollectionKind::kPlain);  // writable again
    s->commit();
}

TEST_F(MoveTest, CrashAfterCopyRollsBackAndWipesTheTarget) {
    const auto user = new_user();
    populate(user);
    const int from = shard_index(user);
    EXPECT_ANY_THROW(move(user, other_shard(user), "copied"));
    EXPECT_EQ(placement(1 - from, user), "moving:1");
    EXPECT_NE(rows_of(1 - from, user), "0/0/0");
    store_pg::recover_move(dbs_->directory_dsn(), user.name);
    EXPECT_EQ(rows_of(1 - from, user), "0/0/0");
    EXPECT_EQ(placement(1 - from, user), "moved:1");  // tombstone for stale routes
    EXPECT_EQ(placement(from, user), "active:0");
    // And the move itself succeeds afterwards.
    move(user, other_shard(user));
    EXPECT_EQ(shard_index(fresh(user)), 1 - from);
}

TEST_F(MoveTest, CrashAfterTheSwitchIsFinishedByTheNextRun) {
    for (const char* step : {"switched", "activated"}) {
        SCOPED_TRACE(step);
        const auto user = new_user();
        populate(user);
        const std::string before = snapshot(user);
        const int from = shard_index(user);
        EXPECT_ANY_THROW(move(user, other_shard(user), step));
        EXPECT_EQ(shard_index(fresh(user)), 1 - from);  // committed
        move(fresh(user), other_shard(user));           // the same command, re-run
        EXPECT_EQ(snapshot(fresh(user)), before);
        EXPECT_EQ(rows_of(from, user), "0/0/0");
        EXPECT_EQ(placement(from, user), "moved:0");
        EXPECT_EQ(placement(1 - from, user), "active:1");
        EXPECT_TRUE(store_pg::pending_moves(dbs_->directory_dsn()).empty());
    }
}

TEST_F(MoveTest, TargetDownLeavesTheUserWritableOnTheSource) {
    const auto user = new_user();
    populate(user);
    directory_->add_shard("dead_" + std::to_string(user.id),
                          "host=127.0.0.1 port=1 dbname=nothing connect_timeout=2");
    EXPECT_EQ(error_of([&] { move(user, "dead_" + std::to_string(user.id)); }),
              Errc::kShardUnavailable);
    EXPECT_EQ(fresh(user).shard_id, user.shard_id);
    auto s = shards_->open(user);
    s->make_collection("still/", CollectionKind::kPlain);
    s->commit();
    directory_->set_shard_state("dead_" + std::to_string(user.id), "draining");
}

TEST_F(MoveTest, UsageCountsTheShard) {
    const auto user = new_user();
    populate(user);
    const auto u = store_pg::shard_usage(dbs_->shard_dsn(shard_index(user)),
                                         std::chrono::seconds(2));
    EXPECT_GE(u.homes, 1);
    EXPECT_GE(u.resources, 2);
    EXPECT_GE(u.bytes, 4);
}

}  // namespace
}  // namespace cosmo::test
