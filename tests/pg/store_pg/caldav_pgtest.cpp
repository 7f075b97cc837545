// The CalDAV store additions (schema/shard/002_caldav.sql) against
// PostgreSQL: calendar index, UID lookup and uniqueness per collection,
// multiget, time-range prefilter, change log reads and retention purge.

#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "cosmo/store/error.hpp"
#include "support/pg_fixture.hpp"

namespace cosmo::test {
namespace {

using store::CalendarIndex;
using store::Errc;

CalendarIndex ix(const std::string& uid, std::int64_t start, std::int64_t end,
                 const std::string& component = "VEVENT") {
    return CalendarIndex{uid, component, start, end, false};
}

class CaldavStoreTest : public PgStoreTest {};

TEST_F(CaldavStoreTest, UidLookupAndUniquenessPerCollection) {
    const auto user = new_user_with_home();
    auto s = shards_->open(user);
    s->make_collection("work/", store::CollectionKind::kCalendar);
    const auto cal = *s->stat("calendar/");
    const auto work = *s->stat("work/");
    s->put_object("calendar/a.ics", "text/calendar", "A", nullptr, ix("u1", 0, 10));
    EXPECT_EQ(s->find_by_uid(cal, "u1"), std::optional<std::string>("calendar/a.ics"));
    EXPECT_FALSE(s->find_by_uid(work, "u1"));
    // The same UID in another collection is fine; replacing the holder too.
    s->put_object("work/a.ics", "text/calendar", "A", nullptr, ix("u1", 0, 10));
    s->put_object("calendar/a.ics", "text/calendar", "A2", nullptr, ix("u1", 0, 20));
    s->commit();
    auto s2 = shards_->open(user);
    try {
        s2->put_object("calendar/b.ics", "text/calendar", "B", nullptr, ix("u1", 0, 10));
        ADD_FAILURE() << "no error";
    } catch (const store::Error& e) {
        EXPECT_EQ(e.code(), Errc::kUidConflict);
        EXPECT_EQ(e.path(), "calendar/a.ics");  // the holder, for the 409's href
    }
}

TEST_F(CaldavStoreTest, ReadObjectsInOneQuery) {
    const auto user = new_user_with_home();
    auto s = shards_->open(user);
    s->put_object("calendar/a.ics", "text/calendar", "AAA", nullptr, ix("a", 0, 1));
    s->put_object("calendar/b \"x\".ics", "text/calendar", "BBB", nullptr, ix("b", 0, 1));
    const auto got = s->read_objects(
        {"calendar/b \"x\".ics", "calendar/missing.ics", "calendar/a.ics", "calendar/"});
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].resource.path, "calendar/b \"x\".ics");
    EXPECT_EQ(got[0].body, "BBB");
    EXPECT_EQ(got[1].body, "AAA");
    EXPECT_FALSE(got[1].resource.etag.empty());
}

TEST_F(CaldavStoreTest, TimeRangePrefilterWithOpenEnds) {
    const auto user = new_user_with_home();
    auto s = shards_->open(user);
    const auto cal = *s->stat("calendar/");
    s->put_object("calendar/jan.ics", "text/calendar", "x", nullptr, ix("jan", 100, 200));
    s->put_object("calendar/forever.ics", "text/calendar", "x", nullptr,
                  ix("forever", 50, store::kMaxSeconds));
    s->put_object("calendar/todo.ics", "text/calendar", "x", nullptr,
                  ix("todo", store::kMinSeconds, store::kMaxSeconds, "VTODO"));
    s->put_object("calendar/plain.ics", "text/calendar", "x", nullptr);  // no index
    auto names = [&](const std::string& comp, std::int64_t a, std::int64_t b) {
        std::vector<std::string> out;
        for (const auto& o : s->objects_in_range(cal, comp, a, b)) out.push_back(o.resource.path);
        // The body-less variant picks exactly the same candidates.
        std::vector<std::string> stat_only;
        for (const auto& r : s->resources_in_range(cal, comp, a, b)) {
            stat_only.push_back(r.resource.path);
        }
        EXPECT_EQ(stat_only, out);
        return out;
    };
    EXPECT_EQ(names("VEVENT", 300, 400),
              (std::vector<std::string>{"calendar/forever.ics", "calendar/plain.ics"}));
    EXPECT_EQ(names("VEVENT", 150, 160),
              (std::vector<std::string>{"calendar/forever.ics", "calendar/jan.ics",
                                        "calendar/plain.ics"}));
    EXPECT_EQ(names("VTODO", store::kMinSeconds, store::kMaxSeconds),
              (std::vector<std::string>{"calendar/plain.ics", "calendar/todo.ics"}));
    EXPECT_EQ(names("", 0, 10).size(), 2u);  // todo (open) and plain
    // The index comes with each candidate as stored, open ends included;
    // an object without one has none.
    std::map<std::string, std::optional<store::CalendarIndex>> indexes;
    for (auto& r : s->resources_in_range(cal, "", store::kMinSeconds, store::kMaxSeconds)) {
        indexes[r.resource.path] = r.index;
    }
    ASSERT_EQ(indexes.size(), 4u);
    const auto expect_index = [&](const std::string& path, const store::CalendarIndex& want) {
        ASSERT_TRUE(indexes.at(path)) << path;
        store::CalendarIndex got = *indexes.at(path);
        got.uid = want.uid;  // not read with the candidates
        EXPECT_EQ(got, want) << path;
    };
    expect_index("calendar/jan.ics", ix("jan", 100, 200));
    expect_index("calendar/forever.ics", ix("forever", 50, store::kMaxSeconds));
    expect_index("calendar/todo.ics", ix("todo", store::kMinSeconds, store::kMaxSeconds, "VTODO"));
    EXPECT_FALSE(indexes.at("calendar/plain.ics"));
}

TEST_F(CaldavStoreTest, ChangesSinceCollapsesPerNameAndLimits) {
    const auto user = new_user_with_home();
    auto s = shards_->open(user);
    const auto base = s->stat("calendar/")->revision;
    s->put_object("calendar/a.ics", "text/calendar", "1", nullptr, ix("a", 0, 1));
    s->put_object("calendar/b.ics", "text/calendar", "1", nullptr, ix("b", 0, 1));
    s->put_object("calendar/a.ics", "text/calendar", "2", nullptr, ix("a", 0, 1));
    s->remove(*s->stat("calendar/b.ics"));
    const auto cal = *s->stat("calendar/");
    EXPECT_EQ(cal.revision, base + 4);
    const auto all = s->changes_since(cal, base, 100);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0], (store::Change{"a.ics", false, base + 3}));
    EXPECT_EQ(all[1], (store::Change{"b.ics", true, base + 4}));
    EXPECT_EQ(s->changes_since(cal, base, 1).size(), 1u);
    EXPECT_TRUE(s->changes_since(cal, base + 4, 100).empty());
    EXPECT_EQ(s->oldest_change(cal), std::optional<std::int64_t>(1));
}

TEST_F(CaldavStoreTest, PurgeByAgeKeepsASuffix) {
    const auto user = new_user_with_home();
    {
        auto s = shards_->open(user);
        s->put_object("calendar/a.ics", "text/calendar", "1", nullptr, ix("a", 0, 1));
        s->put_object("calendar/b.ics", "text/calendar", "1", nullptr, ix("b", 0, 1));
        s->commit();
    }
    const auto cal_id = shards_->open(user)->stat("calendar/")->id;
    const int shard = shard_index(user);
    // Age the first change only.
    pg_query(dbs_->shard_dsn(shard),
             "UPDATE change_log SET changed_at = now() - interval '61 days' WHERE collection_id = " +
                 std::to_string(cal_id) + " AND name = 'a.ics'");
    EXPECT_GE(shards_->purge_change_log(std::chrono::hours(24 * 60)), 1);
    auto s = shards_->open(user);
    const auto cal = *s->stat("calendar/");
    const auto oldest = s->oldest_change(cal);
    ASSERT_TRUE(oldest);
    EXPECT_EQ(*oldest, cal.revision);  // only b's change is left
    EXPECT_EQ(shards_->purge_change_log(std::chrono::hours(24 * 60)), 0);
}

TEST_F(CaldavStoreTest, CopyAndMoveKeepTheIndex) {
    const auto user = new_user_with_home();
    auto s = shards_->open(user);
    s->make_collection("work/", store::CollectionKind::kCalendar);
    s->put_object("calendar/a.ics", "text/calendar", "A", nullptr, ix("u1", 0, 10));
    s->copy(*s->stat("calendar/a.ics"), "work/a.ics", false);
    EXPECT_EQ(s->find_by_uid(*s->stat("work/"), "u1"), std::optional<std::string>("work/a.ics"));
    s->remove(*s->stat("work/a.ics"));
    s->move(*s->stat("calendar/a.ics"), "work/b.ics");
    EXPECT_EQ(s->find_by_uid(*s->stat("work/"), "u1"), std::optional<std::string>("work/b.ics"));
    EXPECT_FALSE(s->find_by_uid(*s->stat("calendar/"), "u1"));
}

}  // namespace
}  // namespace cosmo::test
