// A PUT in one round trip (OpenHint::guess, PgSession guessed sessions,
// schema/shard/006_put_guessed.sql, 007_put_guessed_lean.sql): after a write-ahead open has read a
// parent, the next PUT into it skips the first read. It must write exactly
// what the long way writes, and whenever what it guessed no longer holds
// it must throw kRetryable with nothing written (the dispatcher then runs
// the request again the long way).

#include <gtest/gtest.h>

#include <functional>

#include "cosmo/store/error.hpp"
#include "support/pg_fixture.hpp"

namespace cosmo::test {
namespace {

using store::CalendarIndex;
using store::CollectionKind;
using store::Errc;
using store::OpenHint;

class GuessedPutTest : public PgStoreTest {
protected:
    std::string q1(const store::User& user, const std::string& sql) {
        return pg_query(dbs_->shard_dsn(shard_index(user)), sql)[0][0];
    }
    /// The calendar's revision, its change log and its objects.
    std::string state_of(const store::User& user) {
        return q1(user, "SELECT c.revision || '|' || (SELECT count(*) FROM change_log l "
                        "WHERE l.collection_id = c.id) || '|' || coalesce((SELECT string_agg("
                        "o.name || ':' || o.etag, ',' ORDER BY o.name) FROM object o "
                        "WHERE o.collection_id = c.id), '') FROM collection c WHERE c.owner_id = " +
                            std::to_string(user.id) + " AND c.path = 'calendar/'");
    }
    /// A write-ahead open into calendar/: what a PUT's first read returns is
    /// remembered for the next PUT there.
    void prime(const store::User& user) {
        auto s = shards_->open(user, OpenHint{"calendar/prime.ics", true, std::nullopt});
        ASSERT_TRUE(s->stat("calendar/"));
    }
    /// A PUT as the dispatcher sends it with a guess: the reads handle_put
    /// makes, then the write.
    store::Resource guessed_put(const store::User& user, const std::string& name,
                                const std::string& body, std::optional<std::string> if_match,
                                bool if_none_match, bool* created) {
        const std::string path = "calendar/" + name;
        auto s = shards_->open(user, OpenHint{path, true, OpenHint::ObjectGuess{if_match}});
        EXPECT_TRUE(s->stat(""));
        const auto object = s->stat(path);
        EXPECT_FALSE(s->stat(path + "/"));
        const auto parent = s->stat("calendar/");
        EXPECT_TRUE(parent);
        s->dead_property(*parent, "urn:ietf:params:xml:ns:caldav", "calendar-timezone");
        EXPECT_TRUE(s->locks_covering(path).empty());
        std::optional<store::WriteCondition> condition;
        if (if_match || if_none_match) {
            condition = store::WriteCondition{object ? std::optional(object->etag) : std::nullopt};
        }
        return s->put_object_and_commit(path, "text/calendar", body, created,
                                        CalendarIndex{name, "VEVENT", 100, 200, false},
                                        condition);
    }
    /// write must throw `code` and leave the calendar as it was.
    void expect_refused_and_nothing_written(const store::User& user, Errc code,
                                            const std::function<void()>& write) {
        const std::string before = state_of(user);
        try {
            write();
            ADD_FAILURE() << "written although it had to be refused";
        } catch (const store::Error& e) {
            EXPECT_EQ(e.code(), code) << e.what();
        }
        EXPECT_EQ(state_of(user), before);
    }
    void expect_retry_and_nothing_written(const store::User& user, const std::string& name) {
        expect_refused_and_nothing_written(user, Errc::kRetryable, [&] {
            bool created = false;
            guessed_put(user, name, "stale", std::nullopt, false, &created);
        });
    }
};

TEST_F(GuessedPutTest, WritesWhatTheLongWayWrites) {
    const auto user = new_user_with_home();
    prime(user);
    bool created = false;
    const auto first = guessed_put(user, "a.ics", "A1", std::nullopt, true, &created);
    EXPECT_TRUE(created);
    const auto second = guessed_put(user, "a.ics", "A2", first.etag, false, &created);
    EXPECT_FALSE(created);
    auto s = shards_->open(user);
    const auto stored = s->stat("calendar/a.ics");
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->etag, second.etag);
    EXPECT_EQ(stored->id, first.id);
    EXPECT_EQ(s->read_body(*stored), "A2");
    EXPECT_EQ(s->find_by_uid(*s->stat("calendar/"), "a.ics"),
              std::optional<std::string>("calendar/a.ics"));
    EXPECT_EQ(q1(user, "SELECT count(*) FROM change_log WHERE collection_id = " +
                           std::to_string(first.collection_id) + " AND name = 'a.ics'"),
              "2");
}

TEST_F(GuessedPutTest, PreconditionsAreCheckedByTheWrite) {
    const auto user = new_user_with_home();
    prime(user);
    bool created = false;
    const auto a = guessed_put(user, "a.ics", "A1", std::nullopt, false, &created);
    const std::string before = state_of(user);
    // If-Match with another ETag, and If-None-Match: * on an existing object.
    for (const bool none_match : {false, true}) {
        try {
            guessed_put(user, "a.ics", "A2", none_match ? std::nullopt : std::optional("nope"),
                        none_match, &created);
            ADD_FAILURE() << "written against its precondition";
        } catch (const store::Error& e) {
            EXPECT_EQ(e.code(), Errc::kChanged) << e.what();
        }
    }
    // If-Match on a missing object.
    EXPECT_THROW(guessed_put(user, "missing.ics", "M", a.etag, false, &created), store::Error);
    EXPECT_EQ(state_of(user), before);
}

TEST_F(GuessedPutTest, ChangedParentPropertiesAreNotGuessed) {
    const auto user = new_user_with_home();
    prime(user);
    {
        auto s = shards_->open(user);
        const std::string caldav = "urn:ietf:params:xml:ns:caldav";
        s->set_dead_property(*s->stat("calendar/"),
                             {caldav, "supported-calendar-component-set",
                              "<C:comp xmlns:C=\"" + caldav + "\" name=\"VTODO\"/>"});
        s->commit();
    }
    expect_retry_and_nothing_written(user, "b.ics");
    // The failed guess was forgotten: the next PUT reads first, and works.
    bool created = false;
    guessed_put(user, "b.ics", "B", std::nullopt, false, &created);
    EXPECT_TRUE(created);
}

TEST_F(GuessedPutTest, ChangedValuesOfParentPropertiesAreNotGuessed) {
    // The parent had properties when the guess was made (the function
    // compares them whole, not just that there are none), then one changed.
    const auto user = new_user_with_home();
    const std::string caldav = "urn:ietf:params:xml:ns:caldav";
    const auto set_components = [&](const std::string& comp) {
        auto s = shards_->open(user);
        s->set_dead_property(*s->stat("calendar/"),
                             {caldav, "supported-calendar-component-set",
                              "<C:comp xmlns:C=\"" + caldav + "\" name=\"" + comp + "\"/>"});
        s->commit();
    };
    set_components("VEVENT");
    prime(user);
    bool created = false;
    guessed_put(user, "g.ics", "G", std::nullopt, false, &created);  // the guess holds
    EXPECT_TRUE(created);
    set_components("VTODO");
    expect_retry_and_nothing_written(user, "h.ics");
}

TEST_F(GuessedPutTest, AnotherObjectWithTheUidIsAConflict) {
    // CalendarIndex's uid is the object's name in guessed_put, so a second
    // name with the first one's UID is a duplicate: 409, nothing written.
    const auto user = new_user_with_home();
    prime(user);
    bool created = false;
    guessed_put(user, "i.ics", "I", std::nullopt, false, &created);
    auto s = shards_->open(user, OpenHint{"calendar/j.ics", true, OpenHint::ObjectGuess{}});
    EXPECT_FALSE(s->stat("calendar/j.ics"));
    expect_refused_and_nothing_written(user, Errc::kUidConflict, [&] {
        s->put_object_and_commit("calendar/j.ics", "text/calendar", "J", &created,
                                 CalendarIndex{"i.ics", "VEVENT", 100, 200, false},
                                 store::WriteCondition{std::nullopt});
    });
}

TEST_F(GuessedPutTest, ALockInTheHomeIsNotGuessed) {
    const auto user = new_user_with_home();
    prime(user);
    {
        auto s = shards_->open(user);
        store::Lock lock;
        lock.token = "urn:uuid:guessed-put-test";
        lock.root = "other.ics";
        lock.principal = user.name;
        s->create_lock(lock);
        s->commit();
    }
    expect_retry_and_nothing_written(user, "c.ics");
}

TEST_F(GuessedPutTest, ACollectionAtTheNameOrANewParentIsNotGuessed) {
    const auto user = new_user_with_home();
    prime(user);
    {
        auto s = shards_->open(user);
        s->make_collection("calendar/d.ics/", CollectionKind::kPlain);
        s->commit();
    }
    expect_retry_and_nothing_written(user, "d.ics");

    prime(user);
    {
        // The calendar deleted and made again: same path, another id.
        auto s = shards_->open(user);
        s->remove(*s->stat("calendar/"));
        s->make_collection("calendar/", CollectionKind::kCalendar);
        s->commit();
    }
    expect_retry_and_nothing_written(user, "e.ics");
}

TEST_F(GuessedPutTest, AGuessedSessionAnswersNothingElse) {
    const auto user = new_user_with_home();
    prime(user);
    auto s = shards_->open(user, OpenHint{"calendar/f.ics", true, OpenHint::ObjectGuess{}});
    const auto parent = s->stat("calendar/");
    ASSERT_TRUE(parent);
    for (const auto& read : std::vector<std::function<void()>>{
             [&] { s->children(*parent); },
             [&] { s->stat("calendar/other.ics"); },
             [&] { s->dead_properties(*s->stat("")); },
             [&] { s->put_object_and_commit("other/g.ics", "text/plain", "G", nullptr); }}) {
        try {
            read();
            ADD_FAILURE() << "a guessed session read or wrote elsewhere";
        } catch (const store::Error& e) {
            EXPECT_EQ(e.code(), Errc::kRetryable) << e.what();
        }
    }
}

}  // namespace
}  // namespace cosmo::test
