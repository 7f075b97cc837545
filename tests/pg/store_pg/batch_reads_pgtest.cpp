// The read paths added for PROPFIND Depth 1 and sync-collection: dead
// properties of many resources in one query, objects without bodies, and the
// home collection read together with the placement check at session open.

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

// store_pg's row decoding is internal; its bytea decoder is checked here
// against what PostgreSQL really sends.
#include "../../../src/store_pg/rows.hpp"
#include "support/pg_fixture.hpp"

namespace cosmo::test {
namespace {

using store::CollectionKind;
using store::DeadProperty;

class BatchReadsTest : public PgStoreTest {
protected:
    void SetUp() override {
        PgStoreTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        user_ = new_user_with_home("batch");
        auto s = shards_->open(user_);
        s->make_collection("cal/", CollectionKind::kCalendar);
        s->put_object("cal/a.ics", "text/calendar", "AAAA", nullptr);
        s->put_object("cal/b \"q\".ics", "text/calendar", "BB", nullptr);
        s->put_object("cal/c.ics", "text/calendar", "C", nullptr);
        s->make_collection("cal/sub/", CollectionKind::kPlain);
        s->set_dead_property(*s->stat("cal/b \"q\".ics"), DeadProperty{"urn:t", "x", "bx"});
        s->set_dead_property(*s->stat("cal/b \"q\".ics"), DeadProperty{"urn:t", "a", "ba"});
        s->set_dead_property(*s->stat("cal/sub/"), DeadProperty{"urn:t", "x", "<y xmlns=\"\"/>"});
        s->set_dead_property(*s->stat("cal/"), DeadProperty{"urn:t", "x", "cal"});
        s->commit();
    }

    store::User user_;
};

TEST_F(BatchReadsTest, DeadPropertiesOfManyMatchOneByOne) {
    auto s = shards_->open(user_);
    const std::vector<store::Resource> members = s->children(*s->stat("cal/"));
    ASSERT_EQ(members.size(), 4u);
    std::vector<const store::Resource*> ptrs;
    for (const store::Resource& r : members) ptrs.push_back(&r);
    ptrs.push_back(&members[0]);  // the same resource twice
    const auto batch = s->dead_properties_of(ptrs);
    ASSERT_EQ(batch.size(), ptrs.size());
    for (std::size_t i = 0; i < ptrs.size(); ++i) {
        const auto single = s->dead_properties(*ptrs[i]);
        ASSERT_EQ(batch[i].size(), single.size()) << ptrs[i]->path;
        for (std::size_t k = 0; k < single.size(); ++k) {
            EXPECT_EQ(batch[i][k].ns, single[k].ns);
            EXPECT_EQ(batch[i][k].name, single[k].name);
            EXPECT_EQ(batch[i][k].value_xml, single[k].value_xml);
        }
    }
    // The collection's own property is not a member's: b has two, sub/ one
    // (members[0], listed twice: collections come first).
    ASSERT_TRUE(members[0].is_collection);
    std::size_t total = 0;
    for (const auto& props : batch) total += props.size();
    EXPECT_EQ(total, 4u);
    EXPECT_TRUE(s->dead_properties_of({}).empty());
}

// A home listing reads its calendars' dead properties in one batch, and a
// live property that reads one of them next (supported-calendar-component-
// set) takes it from there: proven by a change committed in between, which
// this read-only session does not read again.
TEST_F(BatchReadsTest, BatchServesLaterLookupsOfACollectionsProperties) {
    auto s = shards_->open(user_);
    const std::vector<store::Resource> members = s->children(*s->stat("cal/"));
    const store::Resource& sub = members[0];
    ASSERT_TRUE(sub.is_collection);
    std::vector<const store::Resource*> ptrs;
    for (const store::Resource& r : members) ptrs.push_back(&r);
    (void)s->dead_properties_of(ptrs);

    auto writer = shards_->open(user_);
    writer->set_dead_property(*writer->stat("cal/sub/"), DeadProperty{"urn:t", "x", "changed"});
    writer->set_dead_property(*writer->stat("cal/sub/"), DeadProperty{"urn:t", "new", "n"});
    writer->commit();

    const auto x = s->dead_property(sub, "urn:t", "x");
    ASSERT_TRUE(x);
    EXPECT_EQ(x->value_xml, "<y xmlns=\"\"/>");
    EXPECT_FALSE(s->dead_property(sub, "urn:t", "new"));
    // A new session reads the committed state.
    auto fresh = shards_->open(user_);
    EXPECT_EQ(fresh->dead_property(*fresh->stat("cal/sub/"), "urn:t", "x")->value_xml, "changed");
}

// The children listing brings the child collections' dead properties, and a
// session opened on the home brings the home's: a PROPFIND Depth 1 on the
// home (Apple Calendar's poll) reads no properties in statements of their
// own. Proven as above, by changes committed in between.
TEST_F(BatchReadsTest, HomeOpenAndChildrenBringTheirCollectionsProperties) {
    {
        auto s = shards_->open(user_);
        s->set_dead_property(*s->stat(""), DeadProperty{"urn:t", "home", "h"});
        s->commit();
    }
    auto s = shards_->open(user_);  // no first path: the home's own statement
    const std::vector<store::Resource> kids = s->children(*s->stat(""));
    const auto cal_it = std::find_if(kids.begin(), kids.end(),
                                     [](const store::Resource& r) { return r.path == "cal/"; });
    ASSERT_NE(cal_it, kids.end());

    auto writer = shards_->open(user_);
    writer->set_dead_property(*writer->stat(""), DeadProperty{"urn:t", "home", "changed"});
    writer->set_dead_property(*writer->stat("cal/"), DeadProperty{"urn:t", "x", "changed"});
    writer->commit();

    const auto home = s->dead_properties(*s->stat(""));
    ASSERT_EQ(home.size(), 1u);
    EXPECT_EQ(home[0].value_xml, "h");
    const auto cal = s->dead_properties_of({&*cal_it});
    ASSERT_EQ(cal.size(), 1u);
    ASSERT_EQ(cal[0].size(), 1u);
    EXPECT_EQ(cal[0][0].value_xml, "cal");
    auto fresh = shards_->open(user_);
    EXPECT_EQ(fresh->dead_property(*fresh->stat(""), "urn:t", "home")->value_xml, "changed");
}

// A PROPFIND Depth 1 on the home (OpenHint::list_home: Apple Calendar's
// poll) gets the home's child collections and their dead properties with
// the session's first statement. The listing is what a session without the
// hint lists, in its order, with the same properties, and it is of the
// moment the session opened: changes committed later are not in it, which
// proves no later statement read it. A session that wrote lists again, and
// a home that holds objects is listed by the members' own statement.
TEST_F(BatchReadsTest, HomeListingComesWithTheFirstStatement) {
    {
        auto s = shards_->open(user_);
        s->make_collection("b \xc3\xa9 \"q\"/", CollectionKind::kCalendar);
        const auto b = s->stat("b \xc3\xa9 \"q\"/");
        s->set_dead_property(*b, DeadProperty{"urn:t", "color", "<c xmlns=\"urn:t\">\"\xc3\xa9\" &amp; \\ </c>"});
        s->set_dead_property(*b, DeadProperty{"DAV:", "displayname", "W\xc3\xb6rk"});
        s->commit();
    }
    store::OpenHint list_home;
    list_home.list_home = true;

    auto plain = shards_->open(user_);
    const std::vector<store::Resource> expected = plain->children(*plain->stat(""));
    ASSERT_EQ(expected.size(), 3u);  // "b é \"q\"/", "cal/", "calendar/"
    std::vector<const store::Resource*> expected_ptrs;
    for (const auto& r : expected) expected_ptrs.push_back(&r);
    const auto expected_props = plain->dead_properties_of(expected_ptrs);

    auto listed = shards_->open(user_, list_home);
    {
        auto w = shards_->open(user_);
        w->make_collection("late/", CollectionKind::kPlain);
        w->set_dead_property(*w->stat("cal/"), DeadProperty{"urn:t", "x", "changed"});
        w->commit();
    }
    const std::vector<store::Resource> kids = listed->children(*listed->stat(""));
    ASSERT_EQ(kids.size(), expected.size());
    std::vector<const store::Resource*> kid_ptrs;
    for (std::size_t i = 0; i < kids.size(); ++i) {
        EXPECT_EQ(kids[i].path, expected[i].path);
        EXPECT_EQ(kids[i].id, expected[i].id);
        EXPECT_EQ(kids[i].collection_id, expected[i].collection_id);
        EXPECT_TRUE(kids[i].is_collection);
        EXPECT_EQ(kids[i].kind, expected[i].kind);
        EXPECT_EQ(kids[i].revision, expected[i].revision);
        EXPECT_EQ(kids[i].created, expected[i].created);
        EXPECT_EQ(kids[i].modified, expected[i].modified);
        kid_ptrs.push_back(&kids[i]);
    }
    const auto props = listed->dead_properties_of(kid_ptrs);
    ASSERT_EQ(props.size(), expected_props.size());
    for (std::size_t i = 0; i < props.size(); ++i) {
        ASSERT_EQ(props[i].size(), expected_props[i].size()) << kids[i].path;
        for (std::size_t j = 0; j < props[i].size(); ++j) {
            EXPECT_EQ(props[i][j].ns, expected_props[i][j].ns);
            EXPECT_EQ(props[i][j].name, expected_props[i][j].name);
            EXPECT_EQ(props[i][j].value_xml, expected_props[i][j].value_xml);
        }
    }
    ASSERT_EQ(kids[1].path, "cal/");
    EXPECT_EQ(props[1][0].value_xml, "cal");  // not the later "changed"

    // A session that writes lists what it wrote.
    auto writer = shards_->open(user_, list_home);
    writer->make_collection("mine/", CollectionKind::kPlain);
    std::vector<std::string> paths;
    for (const auto& r : writer->children(*writer->stat(""))) paths.push_back(r.path);
    EXPECT_EQ(paths, (std::vector<std::string>{"b \xc3\xa9 \"q\"/", "cal/", "calendar/", "late/",
                                               "mine/"}));
    writer->commit();

    // A home with an object in it: the object is listed too.
    {
        auto w = shards_->open(user_);
        w->put_object("note.txt", "text/plain", "N", nullptr);
        w->commit();
    }
    auto with_object = shards_->open(user_, list_home);
    paths.clear();
    for (const auto& r : with_object->children(*with_object->stat(""))) paths.push_back(r.path);
    EXPECT_EQ(paths, (std::vector<std::string>{"b \xc3\xa9 \"q\"/", "cal/", "calendar/", "late/",
                                               "mine/", "note.txt"}));
}

// One collection takes the = ANY query, several the join per path; both
// answer in request order, repeat repeated paths and skip missing ones.
TEST_F(BatchReadsTest, ReadObjectsInOneOrSeveralCollectionsKeepRequestOrder) {
    auto s = shards_->open(user_);
    s->put_object("cal/sub/d.ics", "text/calendar", "DDD", nullptr);
    auto bodies = [](const std::vector<store::StoredObject>& objects) {
        std::string out;
        for (const auto& o : objects) out += o.resource.path + "=" + o.body + ";";
        return out;
    };
    EXPECT_EQ(bodies(s->read_objects({"cal/c.ics", "cal/a.ics", "cal/nope.ics", "cal/c.ics"})),
              "cal/c.ics=C;cal/a.ics=AAAA;cal/c.ics=C;");
    EXPECT_EQ(bodies(s->read_objects({"cal/sub/d.ics", "cal/a.ics", "cal/sub/d.ics"})),
              "cal/sub/d.ics=DDD;cal/a.ics=AAAA;cal/sub/d.ics=DDD;");
    EXPECT_EQ(bodies(s->read_objects({"nowhere/a.ics", "nowhere/b.ics"})), "");
    EXPECT_EQ(bodies(s->read_objects({"cal/b \"q\".ics"})), "cal/b \"q\".ics=BB;");
}

TEST_F(BatchReadsTest, StatObjectsHasMetadataInRequestOrderWithoutBodies) {
    auto s = shards_->open(user_);
    const auto objects = s->stat_objects(
        {"cal/c.ics", "cal/missing.ics", "cal/a.ics", "cal/sub/", "cal/b \"q\".ics"});
    ASSERT_EQ(objects.size(), 3u);
    EXPECT_EQ(objects[0].path, "cal/c.ics");
    EXPECT_EQ(objects[1].path, "cal/a.ics");
    EXPECT_EQ(objects[2].path, "cal/b \"q\".ics");
    const auto full = s->read_objects({"cal/a.ics"});
    ASSERT_EQ(full.size(), 1u);
    EXPECT_EQ(objects[1].etag, full[0].resource.etag);
    EXPECT_EQ(objects[1].content_length, 4);
    EXPECT_EQ(objects[1].content_type, "text/calendar");
    EXPECT_EQ(objects[1].id, full[0].resource.id);
    EXPECT_TRUE(s->stat_objects({}).empty());
}

TEST_F(BatchReadsTest, HomeStatFollowsWritesInTheSameSession) {
    auto s = shards_->open(user_);
    const auto before = s->stat("");
    ASSERT_TRUE(before);
    EXPECT_TRUE(before->is_collection);
    // Creating a member bumps the home's revision: stat("") must see it.
    s->make_collection("other/", CollectionKind::kPlain);
    const auto after = s->stat("");
    ASSERT_TRUE(after);
    EXPECT_GT(after->revision, before->revision);
    s->commit();
    auto fresh = shards_->open(user_);
    EXPECT_EQ(fresh->stat("")->revision, after->revision);
}

TEST_F(BatchReadsTest, NoHomeYetStatsAsMissing) {
    const store::User u = new_user("nohome");
    auto s = shards_->open(u);
    EXPECT_FALSE(s->stat(""));
    s->ensure_home();
    EXPECT_TRUE(s->stat(""));
}

// Bodies are decoded from PostgreSQL's bytea text by store_pg itself
// (rows.hpp bytes_of, escape format as the pool sets it): every byte value, the empty body and a large one
// must come back unchanged through each read path.
class BodyBytesTest : public PgStoreTest {};

TEST_F(BodyBytesTest, EveryByteValueRoundTripsThroughEachReadPath) {
    if (IsSkipped()) return;
    const store::User user = new_user_with_home("bytes");
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    const std::string large(200000, '\xfe');  // above the prefetch size limit
    {
        auto s = shards_->open(user);
        s->make_collection("files/", store::CollectionKind::kPlain);
        s->put_object("files/all.bin", "application/octet-stream", all, nullptr);
        s->put_object("files/empty.bin", "application/octet-stream", "", nullptr);
        s->put_object("files/large.bin", "application/octet-stream", large, nullptr);
        s->commit();
    }
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"files/all.bin", all}, {"files/empty.bin", ""}, {"files/large.bin", large}};
    for (const auto& [path, expected] : cases) {
        store::OpenHint hint;
        hint.first_path = path;  // the body comes with the first statement
        auto s = shards_->open(user, hint);
        const auto r = s->stat(path);
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(s->read_body(*r), expected) << path;
    }
    auto s = shards_->open(user);
    EXPECT_EQ(s->read_body(*s->stat("files/all.bin")), all);
    const auto batch = s->read_objects({"files/large.bin", "files/all.bin", "files/empty.bin"});
    ASSERT_EQ(batch.size(), 3u);
    EXPECT_EQ(batch[0].body, large);
    EXPECT_EQ(batch[1].body, all);
    EXPECT_EQ(batch[2].body, "");
}

// A batch of UTF-8 bodies comes back as text (kObjectsReadText); one body
// that is not UTF-8 sends the batch back to bytea. Either way the bytes are
// exact, the session goes on after the refused statement, and inside a
// transaction block (after a write) only the bytea statement is used.
TEST_F(BodyBytesTest, BatchBodiesAreExactAsTextOrAsBytea) {
    if (IsSkipped()) return;
    const store::User user = new_user_with_home("text");
    const std::vector<std::pair<std::string, std::string>> utf8 = {
        {"cal/crlf.ics", "BEGIN:VCALENDAR\r\nSUMMARY:caf\xc3\xa9 \xe2\x82\xac\r\nEND:VCALENDAR\r\n"},
        {"cal/hexlike.ics", "\\x41"},  // as bytea's hex output would begin
        {"cal/slashes.ics", "a\\b\\\\c\\101"},
        {"cal/empty.ics", ""}};
    const std::string latin1 = "caf\xe9";
    {
        auto s = shards_->open(user);
        s->make_collection("cal/", store::CollectionKind::kCalendar);
        for (const auto& [path, body] : utf8) s->put_object(path, "text/calendar", body, nullptr);
        s->put_object("cal/latin1.ics", "text/calendar", latin1, nullptr);
        s->commit();
    }
    std::vector<std::string> paths;
    for (const auto& [path, body] : utf8) paths.push_back(path);
    const auto expect_exact = [&](const std::vector<store::StoredObject>& got,
                                  std::size_t with_latin1) {
        ASSERT_EQ(got.size(), utf8.size() + with_latin1);
        for (std::size_t i = 0; i < utf8.size(); ++i) {
            EXPECT_EQ(got[i].resource.path, utf8[i].first);
            EXPECT_EQ(got[i].body, utf8[i].second) << utf8[i].first;
        }
        if (with_latin1 == 1) {
            EXPECT_EQ(got.back().body, latin1);
        }
    };
    auto s = shards_->open(user);
    expect_exact(s->read_objects(paths), 0);
    auto mixed = paths;
    mixed.push_back("cal/latin1.ics");
    expect_exact(s->read_objects(mixed), 1);
    expect_exact(s->read_objects(paths), 0);  // the session still works
    s->put_object("cal/new.ics", "text/calendar", "N", nullptr);  // a transaction block
    expect_exact(s->read_objects(mixed), 1);
    s->commit();
}

// Both text formats of bytea decode to the same bytes: the pool asks for
// escape, but a connection that lost the setting (a pooler between) still
// gets hex, the server's default.
TEST_F(BodyBytesTest, DecoderReadsTheHexAndTheEscapeFormat) {
    if (IsSkipped()) return;
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    const std::vector<std::string> bodies = {
        all, "", "\\", "\\\\x41", "plain ASCII, a backslash \\, text\\nline",
        std::string("\0\0\x01", 3), "caf\xc3\xa9 \xe2\x82\xac"};
    pqxx::connection conn(dbs_->shard_dsn(0));
    for (const char* format : {"hex", "escape"}) {
        pqxx::nontransaction txn(conn);
        txn.exec(std::string("SET bytea_output = '") + format + "'");
        for (const std::string& body : bodies) {
            const auto r = txn.exec_params("SELECT $1::bytea",
                                           pqxx::binarystring(body.data(), body.size()));
            EXPECT_EQ(store_pg::detail::bytes_of(r[0][0]), body) << format << ": " << body;
        }
    }
}

// The row conversions parse PostgreSQL's text output themselves
// (rows.hpp: libpqxx 6's are a tenth of a multiget's row cost): every
// integer width, both signs and both limits, and a refusal of what is not
// an integer or a boolean.
TEST_F(BodyBytesTest, IntegersBooleansAndTextComeBackExactly) {
    if (IsSkipped()) return;
    pqxx::connection conn(dbs_->shard_dsn(0));
    pqxx::nontransaction txn(conn);
    const auto r = txn.exec(
        "SELECT 0::bigint, -1::bigint, 42::smallint, 9223372036854775807::bigint, "
        "(-9223372036854775807 - 1)::bigint, 999999999999999999::bigint, "
        "-1000000000000000000::bigint, 1733328000123456::bigint, true, false, 'caf\xc3\xa9'::text, "
        "NULL::bigint, 'abc'::text, '12a'::text, ''::text, '-'::text, '18446744073709551616'::text");
    using store_pg::detail::bool_of;
    using store_pg::detail::int64_of;
    using store_pg::detail::text_of;
    EXPECT_EQ(int64_of(r[0][0]), 0);
    EXPECT_EQ(int64_of(r[0][1]), -1);
    EXPECT_EQ(int64_of(r[0][2]), 42);
    EXPECT_EQ(int64_of(r[0][3]), INT64_MAX);
    EXPECT_EQ(int64_of(r[0][4]), INT64_MIN);
    EXPECT_EQ(int64_of(r[0][5]), 999999999999999999);
    EXPECT_EQ(int64_of(r[0][6]), -1000000000000000000);
    EXPECT_EQ(int64_of(r[0][7]), 1733328000123456);
    EXPECT_TRUE(bool_of(r[0][8]));
    EXPECT_FALSE(bool_of(r[0][9]));
    EXPECT_EQ(text_of(r[0][10]), "caf\xc3\xa9");
    for (int column = 11; column <= 16; ++column) {
        EXPECT_THROW(int64_of(r[0][column]), pqxx::conversion_error) << column;
    }
    EXPECT_THROW(bool_of(r[0][12]), pqxx::conversion_error);
    EXPECT_THROW(text_of(r[0][11]), pqxx::conversion_error);
}

// Timestamps come as PostgreSQL's extract(epoch ...), a numeric with six
// decimals; micros_of must give the stored microseconds exactly, before and
// after 1970, with a zero fraction, and far enough ahead that the float
// arithmetic of date_part would round (2300), and refuse what is not that.
TEST_F(BodyBytesTest, TimestampsComeBackAsExactMicroseconds) {
    if (IsSkipped()) return;
    pqxx::connection conn(dbs_->shard_dsn(0));
    pqxx::nontransaction txn(conn);
    const std::pair<const char*, std::int64_t> cases[] = {
        {"2026-12-04 21:03:39.871234+00", 1796418219871234},
        {"2026-12-04 21:03:39+00", 1796418219000000},
        {"2026-12-04 21:03:39.000001+00", 1796418219000001},
        {"2026-12-04 21:03:39.999999+00", 1796418219999999},
        {"1970-01-01 00:00:00+00", 0},
        {"1969-12-31 23:59:59.5+00", -500000},
        {"1901-05-06 07:08:09.010203+00", -2166627110989797},
        {"2300-01-01 00:00:00.000001+00", 10413792000000001},
    };
    using store_pg::detail::micros_of;
    for (const auto& [text, micros] : cases) {
        const auto r = txn.exec("SELECT extract(epoch from '" + std::string(text) +
                                "'::timestamptz), (extract(epoch from '" + text +
                                "'::timestamptz) * 1000000)::bigint");
        EXPECT_EQ(micros_of(r[0][0]), micros) << text << " as " << r[0][0].c_str();
        EXPECT_EQ(micros_of(r[0][1]), micros) << text << " as integer";
    }
    const auto bad = txn.exec(
        "SELECT NULL::numeric, '1.2345678'::text, '1.-5'::text, '-.5'::text, '1.'::text, "
        "'.'::text, '1.5x'::text, '99999999999999.0'::text, 'x'::text");
    for (int column = 0; column < 9; ++column) {
        EXPECT_THROW(micros_of(bad[0][column]), pqxx::conversion_error) << column;
    }
}

}  // namespace
}  // namespace cosmo::test
