/// PROPFIND Depth 1 reads dead properties once for all members, and not at
/// all when only live properties are asked for; answers stay the same.

#include "dav_fixture.hpp"

namespace cosmo::test {
namespace {

class PropfindBatchTest : public DavTest {
protected:
    void SetUp() override {
        DavTest::SetUp();
        ASSERT_EQ(mkcol("c/"), 201);
        for (const char* name : {"a", "b", "d", "e"}) ASSERT_EQ(put(std::string("c/") + name), 201);
        ASSERT_EQ(mkcol("c/sub/"), 201);
        set_prop("c/b", "x", "bee");
        set_prop("c/e", "x", "ee");
        set_prop("c/e", "y", "why");
        set_prop("c/sub/", "x", "subx");
    }

    void set_prop(const std::string& rel, const std::string& local, const std::string& value) {
        ASSERT_EQ(status("PROPPATCH", kHome + rel,
                         "<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop><" + local +
                             " xmlns=\"urn:t\">" + value + "</" + local +
                             "></D:prop></D:set></D:propertyupdate>"),
                  207);
    }
};

TEST_F(PropfindBatchTest, LiveOnlyDepth1ReadsNoDeadProperties) {
    const int before = shards.dead_property_reads();
    const Multistatus ms = propfind(kHome + "c/", prop_body({{"DAV:", "resourcetype"}}), "1");
    EXPECT_EQ(ms.size(), 6u);  // c/, four objects, sub/
    EXPECT_EQ(ms.at(kHome + "c/a").at(dav_clark("resourcetype")).status, 200);
    EXPECT_EQ(shards.dead_property_reads(), before);
}

TEST_F(PropfindBatchTest, EtagListingReadsOnlyForCollections) {
    // getetag is live on objects; on the two collections (c/ and sub/) the
    // name may be a dead property, so only those two are looked up.
    const int before = shards.dead_property_reads();
    const Multistatus ms = propfind(
        kHome + "c/", prop_body({{"DAV:", "getetag"}, {"DAV:", "resourcetype"}}), "1");
    EXPECT_EQ(ms.at(kHome + "c/a").at(dav_clark("getetag")).status, 200);
    EXPECT_EQ(ms.at(kHome + "c/sub/").at(dav_clark("getetag")).status, 404);
    EXPECT_EQ(shards.dead_property_reads(), before + 2);
}

TEST_F(PropfindBatchTest, DeadNameDepth1ReadsOnceAndMatchesEachMember) {
    const int before = shards.dead_property_reads();
    const Multistatus ms =
        propfind(kHome + "c/", prop_body({{"DAV:", "getetag"}, {"urn:t", "x"}}), "1");
    // The target's own response reads once, the members once together.
    EXPECT_EQ(shards.dead_property_reads(), before + 2);
    EXPECT_EQ(ms.at(kHome + "c/b").at("{urn:t}x").value.text, "bee");
    EXPECT_EQ(ms.at(kHome + "c/e").at("{urn:t}x").value.text, "ee");
    EXPECT_EQ(ms.at(kHome + "c/sub/").at("{urn:t}x").value.text, "subx");
    EXPECT_EQ(ms.at(kHome + "c/a").at("{urn:t}x").status, 404);
    EXPECT_EQ(ms.at(kHome + "c/d").at("{urn:t}x").status, 404);
    EXPECT_EQ(ms.at(kHome + "c/a").at(dav_clark("getetag")).status, 200);
}

TEST_F(PropfindBatchTest, AllpropDepth1ListsEveryMembersDeadProperties) {
    const int before = shards.dead_property_reads();
    const Multistatus ms =
        propfind(kHome + "c/", "<D:propfind xmlns:D=\"DAV:\"><D:allprop/></D:propfind>", "1");
    EXPECT_EQ(shards.dead_property_reads(), before + 2);
    EXPECT_EQ(ms.at(kHome + "c/e").at("{urn:t}x").value.text, "ee");
    EXPECT_EQ(ms.at(kHome + "c/e").at("{urn:t}y").value.text, "why");
    EXPECT_FALSE(ms.at(kHome + "c/a").count("{urn:t}x"));
    EXPECT_FALSE(ms.at(kHome + "c/d").count("{urn:t}y"));
    EXPECT_EQ(ms.at(kHome + "c/sub/").at("{urn:t}x").value.text, "subx");
    EXPECT_EQ(ms.at(kHome + "c/a").at(dav_clark("getetag")).status, 200);
}

TEST_F(PropfindBatchTest, LiveNameThatDoesNotApplyFallsBackToADeadOne) {
    // getcontenttype is live on objects only: on the collection member the
    // name is looked up among its dead properties (lazily, one read).
    const int before = shards.dead_property_reads();
    const Multistatus ms = propfind(kHome + "c/", prop_body({{"DAV:", "getcontenttype"}}), "1");
    EXPECT_EQ(ms.at(kHome + "c/a").at(dav_clark("getcontenttype")).status, 200);
    EXPECT_EQ(ms.at(kHome + "c/sub/").at(dav_clark("getcontenttype")).status, 404);
    EXPECT_LE(shards.dead_property_reads(), before + 2);  // c/ and sub/, not the objects
}

}  // namespace
}  // namespace cosmo::test
