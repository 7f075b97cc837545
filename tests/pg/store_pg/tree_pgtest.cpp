// Recursive remove, copy and move, with dead properties, change-log
// tombstones and paths containing LIKE metacharacters ('%', '_').

#include <gtest/gtest.h>

#include "cosmo/store/error.hpp"
#include "support/pg_fixture.hpp"

namespace cosmo::test {
namespace {

using store::CollectionKind;
using store::DeadProperty;
using store::Errc;

class TreeTest : public PgStoreTest {
protected:
    void SetUp() override {
        PgStoreTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        user_ = new_user_with_home("tree");
        s_ = shards_->open(user_);
        // a%_/            (prop p=1)
        //   x.txt         (prop p=2)
        //   sub_/         (prop p=3)
        //     y.txt
        // a%b/  aX_/      siblings that a LIKE 'a%_/%' would wrongly match
        //   z.txt         (prop p=4)
        s_->make_collection("a%_/", CollectionKind::kCalendar);
        s_->put_object("a%_/x.txt", "text/plain", "x", nullptr);
        s_->make_collection("a%_/sub_/", CollectionKind::kPlain);
        s_->put_object("a%_/sub_/y.txt", "text/plain", "yy", nullptr);
        s_->make_collection("a%b/", CollectionKind::kPlain);
        s_->make_collection("aX_/", CollectionKind::kPlain);
        s_->put_object("aX_/z.txt", "text/plain", "zzz", nullptr);
        prop("a%_/", "1");
        prop("a%_/x.txt", "2");
        prop("a%_/sub_/", "3");
        prop("aX_/z.txt", "4");
    }

    void prop(const std::string& path, const std::string& value) {
        s_->set_dead_property(*s_->stat(path), DeadProperty{"urn:t", "p", value});
    }
    std::string prop_of(const std::string& path) {
        auto r = s_->stat(path);
        if (!r) {
            return "<no resource>";
        }
        auto p = s_->dead_property(*r, "urn:t", "p");
        return p ? p->value_xml : "<none>";
    }
    std::string props_at(const std::string& path) {
        // Props by path, also for paths with no resource (leftovers).
        store::Resource r;
        r.path = path;
        std::string out;
        for (const auto& p : s_->dead_properties(r)) {
            out += p.name + "=" + p.value_xml + ";";
        }
        return out;
    }
    void expect_siblings_untouched() {
        EXPECT_TRUE(s_->stat("a%b/"));
        EXPECT_TRUE(s_->stat("aX_/"));
        ASSERT_TRUE(s_->stat("aX_/z.txt"));
        EXPECT_EQ(s_->read_body(*s_->stat("aX_/z.txt")), "zzz");
        EXPECT_EQ(prop_of("aX_/z.txt"), "4");
    }

    store::User user_;
    std::unique_ptr<store::Session> s_;
};

TEST_F(TreeTest, DeadPropertiesSetGetListRemove) {
    const auto r = *s_->stat("a%_/x.txt");
    s_->set_dead_property(r, {"urn:t", "p", "<b>new</b>"});  // replaces
    s_->set_dead_property(r, {"DAV:", "displayname", "X"});
    auto all = s_->dead_properties(r);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].ns, "DAV:");
    EXPECT_EQ(all[1].value_xml, "<b>new</b>");
    s_->remove_dead_property(r, "urn:t", "p");
    s_->remove_dead_property(r, "urn:t", "never-set");  // no error
    EXPECT_FALSE(s_->dead_property(r, "urn:t", "p"));
    EXPECT_EQ(s_->dead_properties(r).size(), 1u);
}

TEST_F(TreeTest, RemoveObjectDropsPropsAndWritesTombstone) {
    const auto parent = *s_->stat("a%_/");
    s_->remove(*s_->stat("a%_/x.txt"));
    EXPECT_FALSE(s_->stat("a%_/x.txt"));
    EXPECT_EQ(props_at("a%_/x.txt"), "");
    EXPECT_EQ(s_->stat("a%_/")->revision, parent.revision + 1);
    EXPECT_EQ(error_of([&] { s_->remove(parent); s_->remove(parent); }), Errc::kNotFound);
}

TEST_F(TreeTest, RemoveCollectionDeletesEverythingBelowOnly) {
    const auto top = *s_->stat("a%_/");
    const auto home_rev = s_->stat("")->revision;
    s_->remove(top);
    EXPECT_FALSE(s_->stat("a%_/"));
    EXPECT_FALSE(s_->stat("a%_/x.txt"));
    EXPECT_FALSE(s_->stat("a%_/sub_/"));
    EXPECT_FALSE(s_->stat("a%_/sub_/y.txt"));
    EXPECT_EQ(props_at("a%_/"), "");
    EXPECT_EQ(props_at("a%_/x.txt"), "");
    EXPECT_EQ(props_at("a%_/sub_/"), "");
    EXPECT_EQ(s_->stat("")->revision, home_rev + 1);
    expect_siblings_untouched();
    s_->commit();
    const auto dsn = dbs_->shard_dsn(shard_index(user_));
    EXPECT_EQ(pg_query(dsn, "SELECT count(*) FROM change_log WHERE collection_id = " +
                                std::to_string(top.id))[0][0],
              "0");
    const auto tomb = pg_query(dsn, "SELECT name, deleted FROM change_log c JOIN collection h "
                                    "ON h.id = c.collection_id WHERE h.path = '' AND "
                                    "h.owner_id = " + std::to_string(user_.id) +
                                    " ORDER BY c.revision DESC LIMIT 1");
    ASSERT_EQ(tomb.size(), 1u);
    EXPECT_EQ(tomb[0][0], "a%_/");
    EXPECT_EQ(tomb[0][1], "t");
    EXPECT_EQ(pg_query(dsn, "SELECT count(*) FROM object o JOIN collection c ON c.id = "
                            "o.collection_id WHERE c.owner_id = " + std::to_string(user_.id))[0][0],
              "1");  // aX_/z.txt only
}

TEST_F(TreeTest, CopyObjectCopiesBytesAndProps) {
    const auto src = *s_->stat("a%_/x.txt");
    const auto copy = s_->copy(src, "a%b/x2.txt", false);
    EXPECT_FALSE(copy.is_collection);
    EXPECT_EQ(copy.path, "a%b/x2.txt");
    EXPECT_NE(copy.id, src.id);
    EXPECT_EQ(copy.etag, src.etag);
    EXPECT_EQ(s_->read_body(copy), "x");
    EXPECT_EQ(prop_of("a%b/x2.txt"), "2");
    EXPECT_EQ(prop_of("a%_/x.txt"), "2");
    EXPECT_EQ(s_->stat("a%b/")->revision, 1);
    EXPECT_EQ(error_of([&] { s_->copy(src, "a%b/x2.txt", false); }), Errc::kAlreadyExists);
    EXPECT_EQ(error_of([&] { s_->copy(src, "missing/x.txt", false); }), Errc::kConflict);
}

TEST_F(TreeTest, CopyCollectionDepthInfinity) {
    const auto src = *s_->stat("a%_/");
    const auto copy = s_->copy(src, "aX_/c%/", true);
    EXPECT_TRUE(copy.is_collection);
    EXPECT_EQ(copy.kind, CollectionKind::kCalendar);
    EXPECT_EQ(copy.path, "aX_/c%/");
    ASSERT_TRUE(s_->stat("aX_/c%/x.txt"));
    ASSERT_TRUE(s_->stat("aX_/c%/sub_/"));
    ASSERT_TRUE(s_->stat("aX_/c%/sub_/y.txt"));
    EXPECT_EQ(s_->read_body(*s_->stat("aX_/c%/sub_/y.txt")), "yy");
    EXPECT_EQ(prop_of("aX_/c%/"), "1");
    EXPECT_EQ(prop_of("aX_/c%/x.txt"), "2");
    EXPECT_EQ(prop_of("aX_/c%/sub_/"), "3");
    // The tree is navigable: parent links were rewired to the copies.
    const auto kids = s_->children(*s_->stat("aX_/c%/"));
    ASSERT_EQ(kids.size(), 2u);
    EXPECT_EQ(kids[0].path, "aX_/c%/sub_/");
    EXPECT_EQ(s_->children(kids[0]).size(), 1u);
    // The source is intact.
    EXPECT_EQ(s_->children(*s_->stat("a%_/")).size(), 2u);
    EXPECT_EQ(prop_of("a%_/sub_/"), "3");
    EXPECT_EQ(s_->used_bytes(), 1 + 2 + 3 + 1 + 2);
    expect_siblings_untouched();
}

TEST_F(TreeTest, CopyCollectionDepthZero) {
    const auto copy = s_->copy(*s_->stat("a%_/"), "shallow/", false);
    EXPECT_TRUE(copy.is_collection);
    EXPECT_TRUE(s_->children(copy).empty());
    EXPECT_EQ(prop_of("shallow/"), "1");
    EXPECT_EQ(props_at("shallow/x.txt"), "");
}

TEST_F(TreeTest, CopyOrMoveIntoItselfIsConflict) {
    const auto src = *s_->stat("a%_/");
    EXPECT_EQ(error_of([&] { s_->copy(src, "a%_/sub_/again/", true); }), Errc::kConflict);
}

TEST_F(TreeTest, MoveIntoItselfIsConflict) {
    const auto src = *s_->stat("a%_/");
    EXPECT_EQ(error_of([&] { s_->move(src, "a%_/inner/"); }), Errc::kConflict);
}

TEST_F(TreeTest, MoveObjectKeepsIdentityAndMovesProps) {
    const auto src = *s_->stat("a%_/x.txt");
    const auto old_parent_rev = s_->stat("a%_/")->revision;
    const auto new_parent_rev = s_->stat("a%b/")->revision;
    const auto moved = s_->move(src, "a%b/renamed.txt");
    EXPECT_EQ(moved.id, src.id);
    EXPECT_EQ(moved.etag, src.etag);
    EXPECT_FALSE(s_->stat("a%_/x.txt"));
    EXPECT_EQ(prop_of("a%b/renamed.txt"), "2");
    EXPECT_EQ(props_at("a%_/x.txt"), "");
    EXPECT_EQ(s_->stat("a%_/")->revision, old_parent_rev + 1);
    EXPECT_EQ(s_->stat("a%b/")->revision, new_parent_rev + 1);
    // Rename in place bumps the one parent twice (tombstone + new member).
    const auto rev = s_->stat("a%b/")->revision;
    s_->move(moved, "a%b/again.txt");
    EXPECT_EQ(s_->stat("a%b/")->revision, rev + 2);
}

TEST_F(TreeTest, MoveCollectionRewritesAllPaths) {
    const auto src = *s_->stat("a%_/");
    const auto moved = s_->move(src, "a%b/m_%/");
    EXPECT_EQ(moved.id, src.id);
    EXPECT_EQ(moved.path, "a%b/m_%/");
    EXPECT_FALSE(s_->stat("a%_/"));
    EXPECT_FALSE(s_->stat("a%_/sub_/y.txt"));
    ASSERT_TRUE(s_->stat("a%b/m_%/sub_/y.txt"));
    EXPECT_EQ(s_->read_body(*s_->stat("a%b/m_%/sub_/y.txt")), "yy");
    EXPECT_EQ(prop_of("a%b/m_%/"), "1");
    EXPECT_EQ(prop_of("a%b/m_%/x.txt"), "2");
    EXPECT_EQ(prop_of("a%b/m_%/sub_/"), "3");
    EXPECT_EQ(props_at("a%_/"), "");
    EXPECT_EQ(props_at("a%_/sub_/"), "");
    ASSERT_EQ(s_->children(*s_->stat("a%b/")).size(), 1u);
    EXPECT_EQ(s_->children(*s_->stat("a%b/m_%/")).size(), 2u);
    expect_siblings_untouched();
    EXPECT_EQ(error_of([&] { s_->move(*s_->stat("aX_/"), "a%b/"); }), Errc::kAlreadyExists);
    EXPECT_EQ(error_of([&] { s_->move(*s_->stat("aX_/"), "nowhere/x/"); }), Errc::kConflict);
}

TEST_F(TreeTest, MoveThenCommitIsDurable) {
    s_->move(*s_->stat("a%_/"), "renamed/");
    s_->commit();
    auto s = shards_->open(user_);
    EXPECT_TRUE(s->stat("renamed/sub_/y.txt"));
    EXPECT_FALSE(s->stat("a%_/"));
}

}  // namespace
}  // namespace cosmo::test
