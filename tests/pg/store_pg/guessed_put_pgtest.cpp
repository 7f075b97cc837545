// A PUT in one round trip (OpenHint::guess, PgSession guessed sessions,
// schema/shard/006_put_guessed.sql, 007_put_guessed_lean.sql): after a write-ahead open has read a
// parent, the next PUT into it skips the first read. It must write exactly
// what the long way writes, and whenever what it guessed no longer holds
// it must throw kRetryable with nothing written (the dispatcher then runs
// the request again the long way).
//
// Guessed PUTs on a shard are written in groups (schema/shard/008,
// src/store_pg/statement_groups.hpp): the tests above go through groups of
// one; the last tests make PUTs of several sessions meet in one group.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

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
    void prime(const store::User& user, store::ShardStore* store = nullptr) {
        store = store != nullptr ? store : shards_.get();
        auto s = store->open(user, OpenHint{"calendar/prime.ics", true, std::nullopt});
        ASSERT_TRUE(s->stat("calendar/"));
    }
    /// A PUT as the dispatcher sends it with a guess: the reads handle_put
    /// makes, then the write.
    store::Resource guessed_put(const store::User& user, const std::string& name,
                                const std::string& body, std::optional<std::string> if_match,
                                bool if_none_match, bool* created,
                                store::ShardStore* store = nullptr) {
        store = store != nullptr ? store : shards_.get();
        const std::string path = "calendar/" + name;
        auto s = store->open(user, OpenHint{path, true, OpenHint::ObjectGuess{if_match}});
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

TEST_F(GuessedPutTest, ShardStatsCountTheGroupsAndTheConnections) {
    const auto user = new_user_with_home();
    const std::string shard = directory_->find_shard(user.shard_id)->name;
    const auto stats_of_shard = [&] {
        for (const auto& s : shards_->stats()) {
            if (s.shard == shard) return s;
        }
        ADD_FAILURE() << "no stats for shard " << shard;
        return store::ShardStats{};
    };
    const auto group = [](const store::ShardStats& s, const std::string& statement) {
        for (const auto& g : s.groups) {
            if (g.statement == statement) return g;
        }
        ADD_FAILURE() << "no group " << statement;
        return store::ShardStats::Groups{};
    };
    prime(user);
    const auto before = stats_of_shard();
    guessed_put(user, "a.ics", "A1", std::nullopt, true, nullptr);
    guessed_put(user, "b.ics", "B1", std::nullopt, true, nullptr);
    shards_->open(user, "calendar/a.ics")->stat("calendar/a.ics");
    const auto after = stats_of_shard();

    // Alone on the shard, each PUT and the read found their slot free:
    // groups of one.
    EXPECT_EQ(group(after, "put").statements - group(before, "put").statements, 2u);
    EXPECT_EQ(group(after, "put").requests - group(before, "put").requests, 2u);
    EXPECT_EQ(group(after, "open_object").requests - group(before, "open_object").requests, 1u);
    EXPECT_EQ(group(after, "put").queued, 0u);
    EXPECT_GE(after.connections_opened, 1u);
    EXPECT_EQ(after.connections_open, after.connections_idle);  // every session has ended
    EXPECT_LE(after.connections_open, test_pool_options().max_connections);
    EXPECT_EQ(after.acquire_timeouts, 0u);
}

TEST_F(GuessedPutTest, ShardStatsListEveryShardOfTheDirectoryFromTheStart) {
    const auto user = new_user_with_home();
    const std::string shard = directory_->find_shard(user.shard_id)->name;
    // A store that has routed nothing yet (an app server just started).
    const auto fresh = store_pg::make_shard_store(*directory_, test_pool_options());
    const auto stats = fresh->stats();
    const auto it = std::find_if(stats.begin(), stats.end(),
                                 [&](const store::ShardStats& s) { return s.shard == shard; });
    ASSERT_NE(it, stats.end()) << "no stats for shard " << shard;
    EXPECT_EQ(it->connections_opened, 0u);
    EXPECT_EQ(it->connections_open, 0u);
    std::vector<std::string> kinds;
    for (const auto& g : it->groups) {
        kinds.push_back(g.statement);
        EXPECT_EQ(g.statements, 0u) << g.statement;
        EXPECT_EQ(g.requests, 0u) << g.statement;
    }
    EXPECT_EQ(kinds, (std::vector<std::string>{"put", "open_home", "open_collection",
                                               "open_object"}));

    // Once routed, the shard is listed once, with its real counts.
    fresh->open(user, "calendar/")->stat("calendar/");
    std::size_t listed = 0;
    for (const auto& s : fresh->stats()) listed += s.shard == shard ? 1 : 0;
    EXPECT_EQ(listed, 1u);
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

/// Options for a store whose PUTs meet in groups: one group at a time and a
/// connection for every writing thread.
store_pg::PoolOptions grouping_options() {
    auto options = test_pool_options();
    options.max_connections = 12;
    options.write_groups = 1;
    return options;
}

TEST_F(GuessedPutTest, PutsOfManySessionsAreCommittedTogetherAndEachGetsItsOwnAnswer) {
    auto store = store_pg::make_shard_store(*directory_, grouping_options());
    constexpr int kWriters = 6;
    constexpr int kPuts = 15;
    std::vector<store::User> users;
    std::vector<std::string> before;
    std::vector<std::string> e_etags;
    bool created = false;
    for (int i = 0; i < kWriters; ++i) {
        users.push_back(new_user_with_home("group"));
        prime(users.back(), store.get());
        e_etags.push_back(
            guessed_put(users.back(), "e.ics", "E", std::nullopt, true, &created, store.get())
                .etag);
        before.push_back(state_of(users.back()));
    }
    // Writer i writes n0.ics .. n14.ics into its own calendar; writer 0
    // also sends, between them, PUTs of e.ics with an ETag that is not its.
    std::atomic<int> refused{0};
    std::vector<std::vector<std::string>> etags(kWriters);
    std::vector<std::thread> writers;
    for (int i = 0; i < kWriters; ++i) {
        writers.emplace_back([&, i] {
            for (int k = 0; k < kPuts; ++k) {
                const std::string name = "n" + std::to_string(k) + ".ics";
                bool was_created = false;
                const auto res = guessed_put(users[i], name, "N" + std::to_string(i * 100 + k),
                                             std::nullopt, true, &was_created, store.get());
                EXPECT_TRUE(was_created) << name;
                etags[i].push_back(name + ":" + res.etag);
                if (i == 0) {
                    try {
                        bool c = false;
                        guessed_put(users[i], "e.ics", "WRONG", std::string("not-the-etag"),
                                    false, &c, store.get());
                        ADD_FAILURE() << "written against its If-Match";
                    } catch (const store::Error& e) {
                        EXPECT_EQ(e.code(), Errc::kChanged) << e.what();
                        ++refused;
                    }
                }
            }
        });
    }
    for (std::thread& t : writers) t.join();
    EXPECT_EQ(refused, kPuts);

    std::set<std::string> commits;
    for (int i = 0; i < kWriters; ++i) {
        const store::User& user = users[i];
        // One revision and one change-log row per PUT written, none for
        // the refused ones, and every object as its PUT answered.
        const std::string state = state_of(user);
        const auto revision_then = std::stoll(before[i].substr(0, before[i].find('|')));
        EXPECT_EQ(state.substr(0, state.find('|')), std::to_string(revision_then + kPuts));
        EXPECT_EQ(q1(user, "SELECT count(*) FROM change_log l JOIN collection c ON c.id = "
                           "l.collection_id WHERE c.owner_id = " +
                               std::to_string(user.id) + " AND l.name LIKE 'n%'"),
                  std::to_string(kPuts));
        for (const std::string& name_etag : etags[i]) {
            EXPECT_NE(state.find(name_etag), std::string::npos) << name_etag;
        }
        EXPECT_NE(state.find("e.ics:" + e_etags[i]), std::string::npos) << state;
        for (const auto& row : pg_query(dbs_->shard_dsn(shard_index(user)),
                                        "SELECT o.xmin::text FROM object o JOIN collection c "
                                        "ON c.id = o.collection_id WHERE c.owner_id = " +
                                            std::to_string(user.id) + " AND o.name LIKE 'n%'")) {
            commits.insert(std::to_string(shard_index(user)) + "/" + row[0]);
        }
    }
    // Writes of several sessions shared a transaction (xmin) more than once.
    EXPECT_LT(commits.size(), static_cast<std::size_t>(kWriters * kPuts));
}

TEST_F(GuessedPutTest, AGroupWaitingForALockGivesUpAndHoldsUpNoOtherHome) {
    auto store = store_pg::make_shard_store(*directory_, grouping_options());
    const auto blocked = new_user_with_home("blocked");
    // Groups are per shard: the other home must share blocked's.
    auto other = new_user_with_home("other");
    for (int i = 0; i < 8 && shard_index(other) != shard_index(blocked); ++i) {
        other = new_user_with_home("other");
    }
    ASSERT_EQ(shard_index(other), shard_index(blocked));
    prime(blocked, store.get());
    prime(other, store.get());
    // An uncommitted write in blocked's calendar holds it FOR UPDATE.
    auto holder = shards_->open(blocked);
    holder->put_object("calendar/held.ics", "text/calendar", "H", nullptr);
    bool created = false;
    auto waiting = std::async(std::launch::async, [&] {
        bool c = false;
        return guessed_put(blocked, "w.ics", "W", std::nullopt, true, &c, store.get());
    });
    // Once that PUT waits for the lock (in its group, then alone)...
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(8);
    while (q1(blocked, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                       "current_database() AND wait_event_type = 'Lock'") == "0") {
        ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "the PUT never waited";
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // ... the one group slot is free again when its group gave up on the
    // lock (100 ms); the other home's PUT then goes through, while the
    // first still waits, alone, for the lock.
    auto through = std::async(std::launch::async, [&] {
        return guessed_put(other, "o.ics", "O", std::nullopt, true, &created, store.get());
    });
    ASSERT_EQ(through.wait_for(std::chrono::seconds(8)), std::future_status::ready)
        << "a PUT into another home waited for a lock it does not need";
    EXPECT_TRUE(created);
    EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
    holder->commit();
    const auto written = waiting.get();
    auto s = store->open(blocked);
    const auto stored = s->stat("calendar/w.ics");
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->etag, written.etag);
    EXPECT_TRUE(s->stat("calendar/held.ics"));
}

}  // namespace
}  // namespace cosmo::test
