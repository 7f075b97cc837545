// The plans PostgreSQL picks for the statements every request sends. On a
// shard with a few hundred collections the default cost model (a random page
// four times a sequential one) scans the collection table whole and filters
// it, which costs several times an index probe once the table is in memory;
// the pool's connection settings are what prevent that.

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <memory>
#include <string>
#include <utility>

// The pool and the statement names are internal to store_pg.
#include "../../../src/store_pg/pool.hpp"
#include "../../../src/store_pg/queries.hpp"
#include "support/pg_fixture.hpp"

namespace cosmo::test {
namespace {

class PlansTest : public PgStoreTest {
protected:
    void SetUp() override {
        PgStoreTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        // Enough users that the collection table fills a few pages, as on a
        // small real shard, all on the shard of the first one.
        user_ = new_user_with_home("plans");
        for (int i = 0; i < 150; ++i) {
            store::User other = new_user_with_home("plans");
            if (shard_index(other) != shard_index(user_)) {
                continue;
            }
            // A home comes with its default calendar.
            auto s = shards_->open(other);
            s->put_object("calendar/x.ics", "text/calendar", "X", nullptr);
            s->commit();
        }
        auto s = shards_->open(user_);
        s->put_object("calendar/a.ics", "text/calendar", "A", nullptr);
        s->commit();
        shard_dsn_ = dbs_->shard_dsn(shard_index(user_));
        pg_query(shard_dsn_, "ANALYZE");
    }

    /// The generic plan of the shard statement `name` with the given
    /// arguments, on a connection as the pool sets it up.
    std::string plan_of(const std::string& name, const std::string& arguments) {
        std::string sql;
        for (const store_pg::detail::Query& q : store_pg::detail::shard_queries()) {
            if (name == q.name) sql = q.sql;
        }
        EXPECT_FALSE(sql.empty()) << name;
        auto pool = std::make_shared<store_pg::detail::Pool>(shard_dsn_, test_pool_options(),
                                                             store_pg::detail::shard_queries());
        auto lease = pool->acquire();
        pqxx::nontransaction tx(lease.conn());
        tx.exec("PREPARE probe AS " + sql);
        std::string plan;
        for (const auto& row : tx.exec("EXPLAIN EXECUTE probe(" + arguments + ")")) {
            plan += row[0].c_str();
            plan += '\n';
        }
        return plan;
    }

    store::User user_;
    std::string shard_dsn_;
};

TEST_F(PlansTest, RequestStatementsProbeCollectionsAndObjectsByIndex) {
    namespace q = store_pg::detail::q;
    const std::string owner = std::to_string(user_.id);
    const std::pair<const char*, std::string> statements[] = {
        {q::kSessionOpen, owner + ", true"},
        {q::kSessionOpenObject, owner + ", 'calendar/', 'a.ics'"},
        {q::kSessionOpensHome, "'{" + owner + "," + owner + "}', '{t,f}'"},
        {q::kSessionOpensCollection,
         "'{" + owner + "," + owner + "}', '{calendar/,other/}'"},
        {q::kSessionOpensObject,
         "'{" + owner + "," + owner + "}', '{calendar/,calendar/}', '{a.ics,b.ics}'"},
        {q::kSessionOpenObjectWrite, owner + ", 'calendar/', 'a.ics'"},
        {q::kSessionOpenCollection, owner + ", 'calendar/'"},
    };
    for (const auto& [name, arguments] : statements) {
        const std::string plan = plan_of(name, arguments);
        EXPECT_EQ(plan.find("Seq Scan on collection"), std::string::npos) << name << "\n"
                                                                          << plan;
        EXPECT_EQ(plan.find("Seq Scan on object"), std::string::npos) << name << "\n" << plan;
    }
}

// The reads that usually end a request carry the placement check
// (COSMO_HOME_HERE): it must cost one probe per statement, not one per row.
TEST_F(PlansTest, HomeHereFilterIsEvaluatedOnce) {
    namespace q = store_pg::detail::q;
    const std::string owner = std::to_string(user_.id);
    const std::string calendar =
        pg_query(shard_dsn_, "SELECT id FROM collection WHERE owner_id = " + owner +
                                 " AND path = 'calendar/'")[0][0];
    const std::string names = "'{a.ics,b.ics}'::text[]";
    const std::pair<const char*, std::string> statements[] = {
        {q::kObjectsReadInText, calendar + ", 'calendar/', " + names + ", " + owner + ", 0"},
        {q::kObjectsStatIn, calendar + ", 'calendar/', " + names + ", " + owner + ", 0"},
        {q::kObjectsStat, owner + ", '{calendar/,calendar/}'::text[], " + names + ", 0"},
        {q::kChangeOldest, calendar + ", " + owner + ", 0"},
        {q::kPropsList, owner + ", 'calendar/', 0"},
        {q::kResourcesInRange, owner + ", " + calendar + ", 'VEVENT', 0, 2000000000, 0"},
    };
    for (const auto& [name, arguments] : statements) {
        const std::string plan = plan_of(name, arguments);
        EXPECT_NE(plan.find("One-Time Filter: (NOT $"), std::string::npos) << name << "\n"
                                                                          << plan;
    }
}

// A calendar-query lists its candidates from object_time_range_covering
// alone (schema/shard/010), each case's scan bounded by the range: an OR of
// the cases is a bitmap scan that visits a heap page per candidate, or an
// index-only scan of the whole calendar with the range as a filter.
TEST_F(PlansTest, CalendarQueryCandidatesNeedNoHeapVisits) {
    namespace q = store_pg::detail::q;
    constexpr std::int64_t kDay = 86400;
    constexpr std::int64_t kFirst = 1767225600;  // 2026-01-01
    {
        auto s = shards_->open(user_);
        for (int i = 0; i < 600; ++i) {
            const std::int64_t start = kFirst + i * kDay;
            s->put_object("calendar/e" + std::to_string(i) + ".ics", "text/calendar", "E",
                          nullptr,
                          store::CalendarIndex{"u" + std::to_string(i), i % 5 ? "VEVENT" : "VTODO",
                                               start, start + 3600, false});
        }
        s->commit();
    }
    // As autovacuum leaves a settled table: the visibility map set.
    pg_query(shard_dsn_, "VACUUM ANALYZE object");
    const std::string owner = std::to_string(user_.id);
    const std::string calendar =
        pg_query(shard_dsn_, "SELECT id FROM collection WHERE owner_id = " + owner +
                                 " AND path = 'calendar/'")[0][0];
    const std::string month = std::to_string(kFirst + 150 * kDay) + ", " +
                              std::to_string(kFirst + 180 * kDay);
    for (const char* component : {"'VEVENT'", "''"}) {
        const std::string plan = plan_of(q::kResourcesInRange, owner + ", " + calendar + ", " +
                                                                   component + ", " + month + ", 0");
        EXPECT_NE(plan.find("Index Only Scan using object_time_range_covering"),
                  std::string::npos)
            << component << "\n" << plan;
        EXPECT_EQ(plan.find("Heap Scan on object"), std::string::npos) << component << "\n"
                                                                        << plan;
        // The range bounds the scan (an index condition, not a filter of
        // every entry of the calendar).
        EXPECT_NE(plan.find("(first_start <= "), std::string::npos) << plan;
        EXPECT_EQ(plan.find("Filter: ((component IS NULL) OR"), std::string::npos) << plan;
        EXPECT_EQ(plan.find("Seq Scan on object"), std::string::npos) << component << "\n"
                                                                       << plan;
    }
}

}  // namespace
}  // namespace cosmo::test
