// PgSession::put_object_and_commit and remove_and_commit: a PUT and a
// DELETE of one object as one statement each (schema/shard/
// 005_write_functions.sql). They must do what the separate calls do, and
// on every failure write nothing.

#include <gtest/gtest.h>

#include "cosmo/store/error.hpp"
#include "support/pg_fixture.hpp"

namespace cosmo::test {
namespace {

using store::CalendarIndex;
using store::CollectionKind;
using store::Errc;

CalendarIndex ix(const std::string& uid, std::int64_t start, std::int64_t end) {
    return CalendarIndex{uid, "VEVENT", start, end, true};
}

class WriteFunctionTest : public PgStoreTest {
protected:
    std::string q1(const store::User& user, const std::string& sql) {
        return pg_query(dbs_->shard_dsn(shard_index(user)), sql)[0][0];
    }
    /// Everything a write touches, as one comparable string: the calendar's
    /// revision, its change log and its objects with their index columns.
    std::string state_of(const store::User& user) {
        const std::string owner = std::to_string(user.id);
        return q1(user, "SELECT c.revision || '|' || (SELECT count(*) FROM change_log l "
                        "WHERE l.collection_id = c.id) || '|' || coalesce((SELECT string_agg("
                        "o.name || ':' || o.etag || ':' || coalesce(o.uid, '-') || ':' || "
                        "coalesce(o.first_start::text, '-') || ':' || o.recurring, ',' "
                        "ORDER BY o.name) FROM object o WHERE o.collection_id = c.id), '') "
                        "FROM collection c WHERE c.owner_id = " + owner +
                        " AND c.path = 'calendar/'");
    }
};

TEST_F(WriteFunctionTest, CreatesAndReplacesLikePutObjectAndCommit) {
    const auto user = new_user_with_home();
    std::int64_t revision = 0;
    {
        auto s = shards_->open(user);
        revision = s->stat("calendar/")->revision;
    }
    bool created = false;
    store::Resource put;
    {
        auto s = shards_->open(user);
        put = s->put_object_and_commit("calendar/a.ics", "text/calendar", "A1", &created,
                                       ix("u1", 100, 200));
    }  // nothing left to commit: destroying the session keeps the write
    EXPECT_TRUE(created);
    EXPECT_EQ(put.path, "calendar/a.ics");
    EXPECT_EQ(put.content_length, 2);
    auto s = shards_->open(user);
    const auto st = s->stat("calendar/a.ics");
    ASSERT_TRUE(st);
    EXPECT_EQ(st->id, put.id);
    EXPECT_EQ(st->etag, put.etag);
    EXPECT_EQ(st->collection_id, put.collection_id);
    EXPECT_EQ(st->created, put.created);
    EXPECT_EQ(st->modified, put.modified);
    EXPECT_EQ(s->read_body(*st), "A1");
    EXPECT_EQ(s->find_by_uid(*s->stat("calendar/"), "u1"),
              std::optional<std::string>("calendar/a.ics"));
    EXPECT_EQ(s->stat("calendar/")->revision, revision + 1);
    EXPECT_EQ(q1(user, "SELECT name || ':' || deleted FROM change_log WHERE collection_id = " +
                           std::to_string(put.collection_id) + " ORDER BY revision DESC LIMIT 1"),
              "a.ics:false");
    EXPECT_EQ(q1(user, "SELECT first_start || '/' || last_end || '/' || recurring FROM object "
                       "WHERE id = " + std::to_string(put.id)),
              "1970-01-01 00:01:40+00/1970-01-01 00:03:20+00/true");

    // Replaced under If-Match; then without an index the columns clear.
    const auto again = s->put_object_and_commit("calendar/a.ics", "text/calendar", "A2",
                                                &created, ix("u1", 0, 10),
                                                store::WriteCondition{put.etag});
    EXPECT_FALSE(created);
    EXPECT_EQ(again.id, put.id);
    EXPECT_NE(again.etag, put.etag);
    s->put_object_and_commit("calendar/a.ics", "text/plain", "plain", &created);
    auto check = shards_->open(user);
    EXPECT_EQ(check->stat("calendar/")->revision, revision + 3);
    EXPECT_EQ(q1(user, "SELECT coalesce(uid, '-') || coalesce(component, '-') || recurring "
                       "FROM object WHERE id = " + std::to_string(put.id)),
              "--false");
}

TEST_F(WriteFunctionTest, EveryRefusalWritesNothing) {
    const auto user = new_user_with_home();
    std::string etag;
    {
        auto s = shards_->open(user);
        s->make_collection("calendar/sub.ics/", CollectionKind::kPlain);
        etag = s->put_object("calendar/a.ics", "text/calendar", "A", nullptr, ix("u1", 0, 10))
                   .etag;
        s->commit();
    }
    const std::string before = state_of(user);
    const auto put = [&](const std::string& path, const std::optional<CalendarIndex>& index,
                         const std::optional<store::WriteCondition>& condition) {
        auto s = shards_->open(user);
        s->put_object_and_commit(path, "text/calendar", "B", nullptr, index, condition);
    };
    EXPECT_EQ(error_of([&] { put("missing/b.ics", std::nullopt, std::nullopt); }),
              Errc::kConflict);
    EXPECT_EQ(error_of([&] { put("calendar/sub.ics", std::nullopt, std::nullopt); }),
              Errc::kConflict);  // a collection has that name with a slash
    EXPECT_EQ(error_of([&] { put("calendar/", std::nullopt, std::nullopt); }), Errc::kConflict);
    // If-None-Match: * on an existing object; If-Match on an old ETag; If-Match
    // on a missing object.
    EXPECT_EQ(error_of([&] { put("calendar/a.ics", std::nullopt, store::WriteCondition{}); }),
              Errc::kChanged);
    EXPECT_EQ(error_of([&] {
                  put("calendar/a.ics", std::nullopt, store::WriteCondition{"0123"});
              }),
              Errc::kChanged);
    EXPECT_EQ(error_of([&] {
                  put("calendar/gone.ics", std::nullopt, store::WriteCondition{etag});
              }),
              Errc::kChanged);
    try {
        put("calendar/b.ics", ix("u1", 0, 10), std::nullopt);
        ADD_FAILURE() << "no error";
    } catch (const store::Error& e) {
        EXPECT_EQ(e.code(), Errc::kUidConflict);
        EXPECT_EQ(e.path(), "calendar/a.ics");  // the holder, for the 409's href
    }
    EXPECT_EQ(state_of(user), before);
}

TEST_F(WriteFunctionTest, PlacementFencesTheWrite) {
    const auto user = new_user_with_home();
    const std::string owner = std::to_string(user.id);
    const std::string dsn = dbs_->shard_dsn(shard_index(user));
    {
        // The epoch changed after the session opened (a move finished).
        auto s = shards_->open(user);
        pg_query(dsn, "UPDATE home_placement SET epoch = 1 WHERE owner_id = " + owner);
        EXPECT_EQ(error_of([&] {
                      s->put_object_and_commit("calendar/x.ics", "text/plain", "x", nullptr);
                  }),
                  Errc::kMoved);
        pg_query(dsn, "UPDATE home_placement SET epoch = 0, state = 'moving' WHERE owner_id = " +
                          owner);
        EXPECT_EQ(error_of([&] {
                      s->put_object_and_commit("calendar/x.ics", "text/plain", "x", nullptr);
                  }),
                  Errc::kReadOnly);
    }
    EXPECT_EQ(q1(user, "SELECT count(*) FROM object o JOIN collection c ON c.id = "
                       "o.collection_id WHERE c.owner_id = " + owner),
              "0");
    // A home whose placement row is missing gets one with the write, and
    // loses it again when the write fails.
    pg_query(dsn, "DELETE FROM home_placement WHERE owner_id = " + owner);
    EXPECT_EQ(error_of([&] {
                  auto s = shards_->open(user);
                  s->put_object_and_commit("missing/x.ics", "text/plain", "x", nullptr);
              }),
              Errc::kConflict);
    EXPECT_EQ(q1(user, "SELECT count(*) FROM home_placement WHERE owner_id = " + owner), "0");
    auto s = shards_->open(user);
    s->put_object_and_commit("calendar/x.ics", "text/plain", "x", nullptr);
    EXPECT_EQ(q1(user, "SELECT epoch || state FROM home_placement WHERE owner_id = " + owner),
              "0active");
}

// After another write the session is in a transaction: the PUT joins it, and
// both land together at its commit.
TEST_F(WriteFunctionTest, JoinsAnOpenTransaction) {
    const auto user = new_user_with_home();
    auto s = shards_->open(user);
    s->make_collection("notes/", CollectionKind::kPlain);
    s->put_object_and_commit("notes/a.txt", "text/plain", "a", nullptr);
    auto other = shards_->open(user);
    EXPECT_TRUE(other->stat("notes/"));
    EXPECT_TRUE(other->stat("notes/a.txt"));
}

TEST_F(WriteFunctionTest, ReadOnlyShardRefuses) {
    const auto user = new_user_with_home("ro");
    directory_->set_shard_state(directory_->find_shard(user.shard_id)->name, "readonly");
    auto fresh = store_pg::make_shard_store(*directory_, test_pool_options());
    auto s = fresh->open(user);
    EXPECT_EQ(error_of([&] {
                  s->put_object_and_commit("calendar/a.ics", "text/plain", "x", nullptr);
              }),
              Errc::kReadOnly);
    directory_->set_shard_state(directory_->find_shard(user.shard_id)->name, "active");
}

TEST_F(WriteFunctionTest, DeleteTakesTheObjectItsPropertiesAndLocksAndLogsATombstone) {
    const auto user = new_user_with_home();
    store::Resource doomed;
    {
        auto s = shards_->open(user);
        doomed = s->put_object("calendar/a.ics", "text/calendar", "A", nullptr, ix("u1", 0, 10));
        s->put_object("calendar/b.ics", "text/calendar", "B", nullptr, ix("u2", 0, 10));
        s->set_dead_property(doomed, store::DeadProperty{"urn:t", "x", "1"});
        store::Lock lock;
        lock.token = "urn:uuid:delete-me";
        lock.root = "calendar/a.ics";
        lock.exclusive = true;
        lock.timeout_seconds = 600;
        s->create_lock(lock);
        s->commit();
    }
    std::int64_t revision = 0;
    {
        auto s = shards_->open(user);
        revision = s->stat("calendar/")->revision;
        s->remove_and_commit(*s->stat("calendar/a.ics"), store::WriteCondition{doomed.etag});
    }  // nothing left to commit
    auto s = shards_->open(user);
    EXPECT_FALSE(s->stat("calendar/a.ics"));
    EXPECT_TRUE(s->stat("calendar/b.ics"));
    EXPECT_FALSE(s->find_lock("urn:uuid:delete-me"));
    EXPECT_EQ(q1(user, "SELECT count(*) FROM dead_property WHERE owner_id = " +
                           std::to_string(user.id) + " AND path = 'calendar/a.ics'"),
              "0");
    EXPECT_EQ(s->stat("calendar/")->revision, revision + 1);
    EXPECT_EQ(q1(user, "SELECT name || ':' || deleted FROM change_log WHERE collection_id = " +
                           std::to_string(doomed.collection_id) +
                           " ORDER BY revision DESC LIMIT 1"),
              "a.ics:true");
    // The UID is free again.
    s->put_object_and_commit("calendar/c.ics", "text/calendar", "C", nullptr, ix("u1", 0, 10));
}

TEST_F(WriteFunctionTest, DeleteRefusalsRemoveNothing) {
    const auto user = new_user_with_home();
    store::Resource judged;
    {
        auto s = shards_->open(user);
        judged = s->put_object("calendar/a.ics", "text/calendar", "A", nullptr, ix("u1", 0, 10));
        s->commit();
    }
    {
        auto other = shards_->open(user);  // an edit lands after DELETE judged If-Match
        other->put_object_and_commit("calendar/a.ics", "text/calendar", "A2", nullptr,
                                     ix("u1", 0, 10));
    }
    const std::string before = state_of(user);
    EXPECT_EQ(error_of([&] {
                  auto s = shards_->open(user);
                  s->remove_and_commit(judged, store::WriteCondition{judged.etag});
              }),
              Errc::kChanged);
    EXPECT_EQ(state_of(user), before);
    {
        auto s = shards_->open(user);
        pg_query(dbs_->shard_dsn(shard_index(user)),
                 "UPDATE home_placement SET epoch = 3 WHERE owner_id = " +
                     std::to_string(user.id));
        EXPECT_EQ(error_of([&] { s->remove_and_commit(*s->stat("calendar/a.ics")); }),
                  Errc::kMoved);
        pg_query(dbs_->shard_dsn(shard_index(user)),
                 "UPDATE home_placement SET epoch = 0 WHERE owner_id = " +
                     std::to_string(user.id));
    }
    EXPECT_EQ(state_of(user), before);
    // Gone meanwhile (judged present, deleted by another request first).
    auto late = shards_->open(user);
    const auto present = *late->stat("calendar/a.ics");
    {
        auto first = shards_->open(user);
        first->remove_and_commit(*first->stat("calendar/a.ics"));
    }
    const std::string after_first = state_of(user);
    EXPECT_EQ(error_of([&] { late->remove_and_commit(present); }), Errc::kNotFound);
    EXPECT_EQ(state_of(user), after_first);
}

// A collection goes the general way (a subtree, its locks below): still one
// transaction, committed.
TEST_F(WriteFunctionTest, DeleteOfACollectionTakesItsSubtree) {
    const auto user = new_user_with_home();
    {
        auto s = shards_->open(user);
        s->make_collection("notes/", CollectionKind::kPlain);
        s->put_object("notes/a.txt", "text/plain", "a", nullptr);
        s->commit();
    }
    {
        auto s = shards_->open(user);
        s->remove_and_commit(*s->stat("notes/"));
    }
    auto s = shards_->open(user);
    EXPECT_FALSE(s->stat("notes/"));
    EXPECT_FALSE(s->stat("notes/a.txt"));
}

}  // namespace
}  // namespace cosmo::test
