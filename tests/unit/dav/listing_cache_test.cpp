/// PROPFIND Depth 1 with the listing cache on: repeated listings come from
/// the cache and follow every change of the collection; requests the cache
/// must not answer (dead properties, member collections) stay exact.

#include "cosmo/dav/call.hpp"
#include "cosmo/dav/listing_cache.hpp"

#include "dav_fixture.hpp"

namespace cosmo::test {
namespace {

class ListingCacheTest : public DavTest {
protected:
    void SetUp() override {
        DavTest::SetUp();
        cache = std::make_shared<dav::ListingCache>(1 << 20);
        dav::Options options;
        options.listing_cache = cache;
        make_dispatcher(options);
        ASSERT_EQ(mkcol("c/"), 201);
        for (const char* name : {"a", "b"}) ASSERT_EQ(put(std::string("c/") + name), 201);
    }

    /// href -> ETag of the members of c/.
    std::map<std::string, std::string> etags() {
        std::map<std::string, std::string> out;
        for (const auto& [href, props] :
             propfind(kHome + "c/", prop_body({{"DAV:", "getetag"}, {"DAV:", "getcontenttype"}}),
                      "1")) {
            if (href == kHome + "c/") continue;
            out[href] = props.at("{DAV:}getetag").value.text;
        }
        return out;
    }

    std::shared_ptr<dav::ListingCache> cache;
};

TEST_F(ListingCacheTest, RepeatedListingIsCachedAndFollowsChanges) {
    const auto first = etags();
    ASSERT_EQ(first.size(), 2u);
    EXPECT_GT(cache->bytes(), 0u);
    EXPECT_EQ(etags(), first);  // served from the cache

    ASSERT_EQ(put("c/a", "changed\n"), 204);  // an update changes an ETag
    auto after = etags();
    ASSERT_EQ(after.size(), 2u);
    EXPECT_NE(after[kHome + "c/a"], first.at(kHome + "c/a"));
    EXPECT_EQ(after[kHome + "c/b"], first.at(kHome + "c/b"));

    ASSERT_EQ(put("c/new"), 201);
    EXPECT_EQ(etags().size(), 3u);
    ASSERT_EQ(status("DELETE", kHome + "c/b"), 204);
    after = etags();
    EXPECT_EQ(after.size(), 2u);
    EXPECT_FALSE(after.contains(kHome + "c/b"));
}

TEST_F(ListingCacheTest, DeadPropertiesAndMemberCollectionsAreNeverCached) {
    etags();
    const std::size_t held = cache->bytes();
    // A dead property of a member: not a row property, so asked each time.
    ASSERT_EQ(status("PROPPATCH", kHome + "c/a",
                     "<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop><x xmlns=\"urn:t\">1</x>"
                     "</D:prop></D:set></D:propertyupdate>"),
              207);
    auto ms = propfind(kHome + "c/", prop_body({{"DAV:", "getetag"}, {"urn:t", "x"}}), "1");
    EXPECT_EQ(ms[kHome + "c/a"]["{urn:t}x"].value.text, "1");
    EXPECT_EQ(cache->bytes(), held);
    // A member collection: listed, but the listing is not kept.
    ASSERT_EQ(mkcol("c/sub/"), 201);
    ms = propfind(kHome + "c/", prop_body({{"DAV:", "getetag"}}), "1");
    EXPECT_TRUE(ms.contains(kHome + "c/sub/"));
    EXPECT_EQ(cache->bytes(), held);
}

TEST(ListingCacheKey, OnlyRowPropertiesWithoutContent) {
    store::Resource c;
    c.id = 7;
    c.path = "calendar/";
    c.revision = 3;
    dav::PropRequest req;
    req.kind = dav::PropRequest::Kind::kProp;
    xml::Element etag;
    etag.name = xml::dav("getetag");
    req.props.push_back(etag);
    const auto k = dav::ListingCache::key("sync", "", "alice", c, req);
    ASSERT_TRUE(k);
    c.revision = 4;
    EXPECT_NE(dav::ListingCache::key("sync", "", "alice", c, req), k);
    xml::Element data;
    data.name = xml::caldav("calendar-data");
    req.props.push_back(data);
    EXPECT_FALSE(dav::ListingCache::key("sync", "", "alice", c, req));
    req.kind = dav::PropRequest::Kind::kAllprop;
    req.props.clear();
    EXPECT_FALSE(dav::ListingCache::key("sync", "", "alice", c, req));
}

TEST(ListingCacheLru, EvictsLeastRecentlyUsedPastTheLimit) {
    dav::ListingCache cache(100);
    cache.store("a", std::string(40, 'a'));
    cache.store("b", std::string(40, 'b'));
    ASSERT_TRUE(cache.find("a"));  // a is now the most recent
    cache.store("c", std::string(40, 'c'));
    EXPECT_TRUE(cache.find("a"));
    EXPECT_FALSE(cache.find("b"));
    EXPECT_TRUE(cache.find("c"));
    cache.store("huge", std::string(200, 'h'));
    EXPECT_FALSE(cache.find("huge"));
    // The lookups above, for /metrics: three found, two not.
    const auto stats = cache.stats();
    EXPECT_EQ(stats.hits, 3u);
    EXPECT_EQ(stats.misses, 2u);
    EXPECT_EQ(stats.bytes, cache.bytes());
    EXPECT_EQ(stats.max_bytes, 100u);
}

}  // namespace
}  // namespace cosmo::test
