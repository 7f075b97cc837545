// PgSession: homes, objects, collections, revisions and change log,
// routing to the owner's shard, transactions.

#include <gtest/gtest.h>

#include <algorithm>

#include "cosmo/store/error.hpp"
#include "support/pg_fixture.hpp"

namespace cosmo::test {
namespace {

using store::CollectionKind;
using store::Errc;
using store::Resource;

class SessionTest : public PgStoreTest {
protected:
    /// change_log rows of a collection as "revision:name[:deleted]".
    std::vector<std::string> change_log(const store::User& user, std::int64_t collection_id) {
        std::vector<std::string> out;
        for (const auto& row :
             pg_query(dbs_->shard_dsn(shard_index(user)),
                      "SELECT revision, name, deleted FROM change_log WHERE collection_id = " +
                          std::to_string(collection_id) + " ORDER BY revision")) {
            out.push_back(row[0] + ":" + row[1] + (row[2] == "t" ? ":deleted" : ""));
        }
        return out;
    }
    std::string count_on(int shard, const std::string& sql) {
        return pg_query(dbs_->shard_dsn(shard), sql)[0][0];
    }
};

TEST_F(SessionTest, EnsureHomeCreatesHomeAndDefaultCalendarOnce) {
    const auto user = new_user();
    {
        auto s = shards_->open(user);
        EXPECT_FALSE(s->stat(""));
        s->ensure_home();
        s->ensure_home();  // idempotent within the transaction
        s->commit();
    }
    auto s = shards_->open(user);
    const auto home = s->stat("");
    ASSERT_TRUE(home);
    EXPECT_TRUE(home->is_collection);
    EXPECT_EQ(home->path, "");
    const auto cal = s->stat("calendar/");
    ASSERT_TRUE(cal);
    EXPECT_EQ(cal->kind, CollectionKind::kCalendar);
    // Removing the default calendar and ensuring again must not recreate it.
    s->remove(*cal);
    s->ensure_home();
    EXPECT_FALSE(s->stat("calendar/"));
}

TEST_F(SessionTest, DataLandsOnlyOnTheOwnersShard) {
    // Placement alternates; create users until both shards have one.
    std::vector<store::User> users;
    for (int i = 0; i < 4; ++i) {
        users.push_back(new_user_with_home("route"));
    }
    bool seen[2] = {false, false};
    for (const auto& u : users) {
        const int mine = shard_index(u);
        seen[mine] = true;
        const std::string where = " WHERE owner_id = " + std::to_string(u.id);
        EXPECT_EQ(count_on(mine, "SELECT count(*) FROM collection" + where), "2");
        EXPECT_EQ(count_on(1 - mine, "SELECT count(*) FROM collection" + where), "0");
    }
    EXPECT_TRUE(seen[0] && seen[1]) << "placement did not use both shards";
}

TEST_F(SessionTest, PutReadStatAndEtag) {
    const auto user = new_user_with_home();
    auto s = shards_->open(user);
    bool created = false;
    const std::string body("BEGIN:VCALENDAR\r\n\0binary\xff\r\nEND:VCALENDAR\r\n", 40);
    const auto put = s->put_object("calendar/a.ics", "text/calendar", body, &created);
    EXPECT_TRUE(created);
    EXPECT_FALSE(put.is_collection);
    EXPECT_EQ(put.path, "calendar/a.ics");
    EXPECT_EQ(put.content_length, 40);
    EXPECT_EQ(put.etag.size(), 32u);
    const auto st = s->stat("calendar/a.ics");
    ASSERT_TRUE(st);
    EXPECT_EQ(st->id, put.id);
    EXPECT_EQ(st->etag, put.etag);
    EXPECT_EQ(st->content_type, "text/calendar");
    EXPECT_EQ(st->collection_id, s->stat("calendar/")->id);
    EXPECT_EQ(s->read_body(*st), body);

    // Same bytes: same ETag; other bytes: other ETag.
    const auto again = s->put_object("calendar/a.ics", "text/calendar", body, &created);
    EXPECT_FALSE(created);
    EXPECT_EQ(again.id, put.id);
    EXPECT_EQ(again.etag, put.etag);
    const auto changed = s->put_object("calendar/a.ics", "text/calendar", body + "x", &created);
    EXPECT_NE(changed.etag, put.etag);
    EXPECT_EQ(s->read_body(*s->stat("calendar/a.ics")), body + "x");
    EXPECT_EQ(s->used_bytes(), 41);

    EXPECT_FALSE(s->stat("calendar/b.ics"));
    EXPECT_FALSE(s->stat("calendar/a.ics/"));
    EXPECT_FALSE(s->stat("nope/"));
}

// If-Match / If-None-Match are judged before the write; the store re-checks
// under the collection lock, so a write that landed in between wins and the
// late one fails with kChanged instead of silently overwriting it.
TEST_F(SessionTest, ConditionalPutFailsWhenTheObjectChangedMeanwhile) {
    const auto user = new_user_with_home();
    std::string first_etag;
    {
        auto s = shards_->open(user);
        first_etag = s->put_object("calendar/a.ics", "text/plain", "one", nullptr).etag;
        s->commit();
    }
    auto late = shards_->open(user);  // judged If-Match against "one"
    ASSERT_EQ(late->stat("calendar/a.ics")->etag, first_etag);
    {
        auto winner = shards_->open(user);
        winner->put_object("calendar/a.ics", "text/plain", "two", nullptr,
                           std::nullopt, store::WriteCondition{first_etag});
        winner->commit();
    }
    EXPECT_EQ(error_of([&] {
                  late->put_object("calendar/a.ics", "text/plain", "three", nullptr,
                                   std::nullopt, store::WriteCondition{first_etag});
              }),
              Errc::kChanged);
    late.reset();  // rolls back, as the request's session does on any error
    auto check = shards_->open(user);
    EXPECT_EQ(check->read_body(*check->stat("calendar/a.ics")), "two");

    // If-None-Match: * judged while absent, but created meanwhile.
    EXPECT_EQ(error_of([&] {
                  auto s = shards_->open(user);
                  s->put_object("calendar/a.ics", "text/plain", "x", nullptr, std::nullopt,
                                store::WriteCondition{std::nullopt});
              }),
              Errc::kChanged);
    // Judged while present, deleted meanwhile: not re-created.
    {
        auto s = shards_->open(user);
        s->remove(*s->stat("calendar/a.ics"));
        s->commit();
    }
    EXPECT_EQ(error_of([&] {
                  auto s = shards_->open(user);
                  s->put_object("calendar/a.ics", "text/plain", "x", nullptr, std::nullopt,
                                store::WriteCondition{first_etag});
              }),
              Errc::kChanged);
    auto after = shards_->open(user);
    EXPECT_FALSE(after->stat("calendar/a.ics"));
    // Conditions that still hold write as usual.
    bool created = false;
    after->put_object("calendar/a.ics", "text/plain", "new", &created, std::nullopt,
                      store::WriteCondition{std::nullopt});
    EXPECT_TRUE(created);
}

TEST_F(SessionTest, ConditionalRemoveFailsWhenTheObjectChangedMeanwhile) {
    const auto user = new_user_with_home();
    Resource judged;
    {
        auto s = shards_->open(user);
        judged = s->put_object("calendar/a.ics", "text/plain", "one", nullptr);
        s->commit();
    }
    {
        auto other = shards_->open(user);  // an edit lands after DELETE judged If-Match
        other->put_object("calendar/a.ics", "text/plain", "two", nullptr);
        other->commit();
    }
    EXPECT_EQ(error_of([&] {
                  auto s = shards_->open(user);
                  s->remove(judged, store::WriteCondition{judged.etag});
              }),
              Errc::kChanged);
    auto s = shards_->open(user);
    const auto now = s->stat("calendar/a.ics");
    ASSERT_TRUE(now);  // the newer edit survived
    s->remove(*now, store::WriteCondition{now->etag});
    EXPECT_FALSE(s->stat("calendar/a.ics"));
}

// The change a write logs goes out with COMMIT (one round trip): with no
// statement in between, the revision and the change-log row still land,
// with names quoted as literals.
TEST_F(SessionTest, ChangesLoggedRightBeforeCommitLand) {
    const auto user = new_user_with_home();
    const std::string name = "it's a \"quote\"; DROP TABLE x; --.ics";
    std::int64_t before = 0, cal_id = 0;
    {
        auto s = shards_->open(user);
        const auto cal = *s->stat("calendar/");
        before = cal.revision;
        cal_id = cal.id;
    }
    {
        auto s = shards_->open(user);
        s->put_object("calendar/" + name, "text/plain", "x", nullptr);
        s->commit();
    }
    {
        auto s = shards_->open(user);
        s->remove(*s->stat("calendar/" + name));
        s->commit();
    }
    auto s = shards_->open(user);
    EXPECT_EQ(s->stat("calendar/")->revision, before + 2);
    const auto log = change_log(user, cal_id);
    ASSERT_GE(log.size(), 2u);
    EXPECT_EQ(log[log.size() - 2], std::to_string(before + 1) + ":" + name);
    EXPECT_EQ(log.back(), std::to_string(before + 2) + ":" + name + ":deleted");
}

TEST_F(SessionTest, PutNeedsParentAndNoCollectionOfThatName) {
    const auto user = new_user_with_home();
    auto s = shards_->open(user);
    EXPECT_EQ(error_of([&] { s->put_object("missing/a.ics", "text/plain", "x", nullptr); }),
              Errc::kConflict);
    EXPECT_EQ(error_of([&] { s->put_object("calendar", "text/plain", "x", nullptr); }),
              Errc::kConflict);
}

TEST_F(SessionTest, ObjectsInTheHomeItself) {
    const auto user = new_user_with_home();
    auto s = shards_->open(user);
    s->put_object("notes.txt", "text/plain", "hello", nullptr);
    const auto st = s->stat("notes.txt");
    ASSERT_TRUE(st);
    EXPECT_EQ(st->collection_id, s->stat("")->id);
    EXPECT_EQ(s->read_body(*st), "hello");
}

TEST_F(SessionTest, MakeCollectionAndChildren) {
    const auto user = new_user_with_home();
    auto s = shards_->open(user);
    const auto dir = s->make_collection("docs/", CollectionKind::kPlain);
    EXPECT_TRUE(dir.is_collection);
    EXPECT_EQ(dir.kind, CollectionKind::kPlain);
    EXPECT_EQ(dir.revision, 0);
    s->make_collection("docs/sub/", CollectionKind::kPlain);
    s->put_object("docs/b.txt", "text/plain", "b", nullptr);
    s->put_object("docs/a.txt", "text/plain", "a", nullptr);

    EXPECT_EQ(error_of([&] { s->make_collection("docs/", CollectionKind::kPlain); }),
              Errc::kAlreadyExists);
    EXPECT_EQ(error_of([&] { s->make_collection("docs/a.txt/", CollectionKind::kPlain); }),
              Errc::kAlreadyExists);
    EXPECT_EQ(error_of([&] { s->make_collection("x/y/", CollectionKind::kPlain); }),
              Errc::kConflict);

    const auto kids = s->children(*s->stat("docs/"));
    ASSERT_EQ(kids.size(), 3u);
    EXPECT_EQ(kids[0].path, "docs/sub/");
    EXPECT_TRUE(kids[0].is_collection);
    EXPECT_EQ(kids[1].path, "docs/a.txt");
    EXPECT_EQ(kids[2].path, "docs/b.txt");
    const auto home_kids = s->children(*s->stat(""));
    ASSERT_EQ(home_kids.size(), 2u);  // calendar/ and docs/
    EXPECT_TRUE(s->children(*s->stat("docs/a.txt")).empty());
}

TEST_F(SessionTest, RevisionAndChangeLogFollowEveryChange) {
    const auto user = new_user_with_home();
    std::int64_t cal_id = 0;
    {
        auto s = shards_->open(user);
        const auto cal = *s->stat("calendar/");
        cal_id = cal.id;
        EXPECT_EQ(cal.revision, 0);
        s->put_object("calendar/a.ics", "text/calendar", "1", nullptr);
        s->put_object("calendar/a.ics", "text/calendar", "2", nullptr);
        s->put_object("calendar/b.ics", "text/calendar", "3", nullptr);
        s->remove(*s->stat("calendar/a.ics"));
        s->make_collection("calendar/sub/", CollectionKind::kPlain);
        EXPECT_EQ(s->stat("calendar/")->revision, 5);
        s->commit();
    }
    EXPECT_EQ(change_log(user, cal_id),
              (std::vector<std::string>{"1:a.ics", "2:a.ics", "3:b.ics", "4:a.ics:deleted",
                                        "5:sub/"}));
    auto s = shards_->open(user);
    EXPECT_FALSE(s->stat("calendar/a.ics"));
    EXPECT_TRUE(s->stat("calendar/b.ics"));
}

TEST_F(SessionTest, UncommittedSessionRollsBack) {
    const auto user = new_user_with_home();
    {
        auto s = shards_->open(user);
        s->put_object("calendar/a.ics", "text/calendar", "x", nullptr);
        s->make_collection("tmp/", CollectionKind::kPlain);
        EXPECT_TRUE(s->stat("tmp/"));
    }  // no commit
    auto s = shards_->open(user);
    EXPECT_FALSE(s->stat("calendar/a.ics"));
    EXPECT_FALSE(s->stat("tmp/"));
    EXPECT_EQ(s->stat("calendar/")->revision, 0);
}

TEST_F(SessionTest, UncommittedWritesAreInvisibleToOthers) {
    const auto user = new_user_with_home();
    auto writer = shards_->open(user);
    writer->put_object("calendar/a.ics", "text/calendar", "x", nullptr);
    {
        auto reader = shards_->open(user);
        EXPECT_FALSE(reader->stat("calendar/a.ics"));
    }
    writer->commit();
    auto reader = shards_->open(user);
    EXPECT_TRUE(reader->stat("calendar/a.ics"));
}

TEST_F(SessionTest, ReadsRunOutsideATransactionUntilTheFirstWrite) {
    // A read-only request must not hold a transaction (and a snapshot) open
    // on the shard; the first write opens one, and commit ends it.
    const auto user = new_user_with_home();
    const std::string dsn = dbs_->shard_dsn(shard_index(user));
    const auto states = [&] {
        std::vector<std::string> out;
        for (const auto& row : pg_query(dsn, "SELECT state FROM pg_stat_activity "
                                             "WHERE datname = current_database() AND "
                                             "pid <> pg_backend_pid() AND state IS NOT NULL")) {
            out.push_back(row[0]);
        }
        return out;
    };
    const auto in_transaction = [&] {
        const auto s = states();
        return std::count(s.begin(), s.end(), "idle in transaction");
    };
    auto s = shards_->open(user);
    ASSERT_TRUE(s->stat("calendar/"));
    s->children(*s->stat("calendar/"));
    EXPECT_EQ(in_transaction(), 0);
    s->put_object("calendar/a.ics", "text/calendar", "x", nullptr);
    EXPECT_EQ(in_transaction(), 1);
    s->commit();
    EXPECT_EQ(in_transaction(), 0);
    EXPECT_TRUE(shards_->open(user)->stat("calendar/a.ics"));
}

TEST_F(SessionTest, FirstPathIsReadWithTheSessionAndRereadAfterAWrite) {
    const auto user = new_user_with_home();
    {
        auto s = shards_->open(user);
        s->put_object("calendar/a.ics", "text/calendar", "first", nullptr);
        s->commit();
    }
    {
        auto s = shards_->open(user, "calendar/a.ics");
        const auto a = s->stat("calendar/a.ics");
        ASSERT_TRUE(a);
        EXPECT_EQ(a->content_type, "text/calendar");
        EXPECT_EQ(s->read_body(*a), "first");
        EXPECT_EQ(s->stat("")->path, "");  // the home still comes along
        // A write in the session makes both read again.
        s->put_object("calendar/a.ics", "text/calendar", "second", nullptr);
        const auto again = s->stat("calendar/a.ics");
        ASSERT_TRUE(again);
        EXPECT_NE(again->etag, a->etag);
        EXPECT_EQ(s->read_body(*again), "second");
    }
    EXPECT_FALSE(shards_->open(user, "calendar/missing.ics")->stat("calendar/missing.ics"));
    const auto cal = shards_->open(user, "calendar/")->stat("calendar/");
    ASSERT_TRUE(cal);
    EXPECT_TRUE(cal->is_collection);
    EXPECT_FALSE(shards_->open(user, "nothere/")->stat("nothere/"));
    {
        // A read of an object brings the collection it was found in along
        // (as its parent), equal to that collection read by itself.
        auto s = shards_->open(user, "calendar/a.ics");
        const auto parent = s->stat("calendar/");
        ASSERT_TRUE(parent);
        EXPECT_EQ(parent->id, cal->id);
        EXPECT_EQ(parent->path, "calendar/");
        EXPECT_TRUE(parent->is_collection);
        EXPECT_EQ(parent->kind, cal->kind);
        EXPECT_EQ(parent->revision, cal->revision);
        EXPECT_EQ(parent->created, cal->created);
        EXPECT_EQ(parent->modified, cal->modified);
    }
    {
        // A collection's name without its slash: no object of that name,
        // and the collection is still found.
        auto s = shards_->open(user, "calendar");
        EXPECT_FALSE(s->stat("calendar"));
        const auto slashed = s->stat("calendar/");
        ASSERT_TRUE(slashed);
        EXPECT_EQ(slashed->id, cal->id);
    }
    // A path the session would refuse is simply not read ahead.
    EXPECT_FALSE(shards_->open(user, "../x")->stat("../x"));
}

TEST_F(SessionTest, OwnersDoNotSeeEachOther) {
    const auto alice = new_user_with_home("alice");
    const auto bob = new_user_with_home("bob");
    {
        auto s = shards_->open(alice);
        s->put_object("calendar/secret.ics", "text/calendar", "x", nullptr);
        s->commit();
    }
    auto s = shards_->open(bob);
    EXPECT_FALSE(s->stat("calendar/secret.ics"));
    EXPECT_EQ(s->used_bytes(), 0);
    // Even with alice's ids, bob's session reads nothing of hers.
    auto sa = shards_->open(alice);
    const auto secret = *sa->stat("calendar/secret.ics");
    if (alice.shard_id == bob.shard_id) {
        EXPECT_EQ(error_of([&] { s->read_body(secret); }), Errc::kNotFound);
    }
}

TEST_F(SessionTest, UsedBytesSumsAllObjects) {
    const auto user = new_user_with_home();
    auto s = shards_->open(user);
    EXPECT_EQ(s->used_bytes(), 0);
    s->make_collection("d/", CollectionKind::kPlain);
    s->put_object("d/a", "text/plain", std::string(100, 'a'), nullptr);
    s->put_object("calendar/b.ics", "text/calendar", std::string(23, 'b'), nullptr);
    EXPECT_EQ(s->used_bytes(), 123);
}

}  // namespace
}  // namespace cosmo::test
