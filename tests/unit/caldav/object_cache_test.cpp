/// The object cache (dav/object_cache.hpp): a calendar-multiget of an
/// unchanged calendar reads no bodies, and every write to the calendar
/// (a PUT, a DELETE, a member made) is seen by the next multiget, because
/// objects are kept only for the collection revision they were read at.

#include "caldav_fixture.hpp"
#include "cosmo/dav/object_cache.hpp"

namespace cosmo::test {
namespace {

const std::string kCalendarData = "{urn:ietf:params:xml:ns:caldav}calendar-data";

class ObjectCacheTest : public CaldavTest {
protected:
    void SetUp() override {
        CaldavTest::SetUp();
        cache = std::make_shared<dav::ObjectCache>(1 << 20);
        dav::Options options;
        options.object_cache = cache;
        make_caldav({}, options);
        for (int i = 0; i < 5; ++i) ASSERT_EQ(put_ics(href(i), body(i, "one")).result_int(), 201u);
    }
    static std::string href(int i) { return kCal + "e" + std::to_string(i) + ".ics"; }
    static std::string body(int i, const std::string& summary) {
        return event("uid-" + std::to_string(i), "20250110T100000Z", "20250110T110000Z",
                     "DESCRIPTION:" + summary + "\r\n");
    }
    /// href -> calendar-data of a multiget of hrefs (responses without
    /// calendar-data, such as a 404, map to "404").
    std::map<std::string, std::string> multiget(const std::vector<std::string>& hrefs) {
        std::string b = "<C:calendar-multiget " + kNs +
                        "><D:prop><D:getetag/><C:calendar-data/></D:prop>";
        for (const std::string& h : hrefs) b += "<D:href>" + h + "</D:href>";
        const http::Response res = report(kCal, b + "</C:calendar-multiget>");
        EXPECT_EQ(res.result_int(), 207u);
        std::map<std::string, std::string> out;
        for (const auto& [h, props] : parse_multistatus(res.body())) {
            const auto it = props.find(kCalendarData);
            out[h] = it == props.end() ? "404" : it->second.value.text;
        }
        return out;
    }

    std::shared_ptr<dav::ObjectCache> cache;
};

TEST_F(ObjectCacheTest, MultigetOfAnUnchangedCalendarReadsNoBodies) {
    const std::vector<std::string> hrefs = {href(0), href(1), href(2)};
    int reads = shards.body_reads();
    auto got = multiget(hrefs);
    EXPECT_EQ(shards.body_reads(), reads + 1);
    EXPECT_EQ(got[href(1)], body(1, "one"));
    EXPECT_GT(cache->bytes(), 0u);

    reads = shards.body_reads();
    got = multiget(hrefs);
    EXPECT_EQ(shards.body_reads(), reads);  // all three from the cache
    ASSERT_EQ(got.size(), 3u);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(got[href(i)], body(i, "one"));

    // Some cached, some not: one read, of the others only.
    got = multiget({href(0), href(3), href(4)});
    EXPECT_EQ(shards.body_reads(), reads + 1);
    EXPECT_EQ(got[href(3)], body(3, "one"));
    EXPECT_EQ(got[href(0)], body(0, "one"));
}

TEST_F(ObjectCacheTest, EveryWriteToTheCalendarIsSeenByTheNextMultiget) {
    const std::vector<std::string> hrefs = {href(0), href(1), href(2), kCal + "new.ics"};
    auto got = multiget(hrefs);
    EXPECT_EQ(got[kCal + "new.ics"], "404");

    ASSERT_EQ(put_ics(href(1), body(1, "two")).result_int(), 204u);
    got = multiget(hrefs);
    EXPECT_EQ(got[href(1)], body(1, "two"));
    EXPECT_EQ(got[href(0)], body(0, "one"));

    ASSERT_EQ(status("DELETE", href(2)), 204);
    got = multiget(hrefs);
    EXPECT_EQ(got[href(2)], "404");

    ASSERT_EQ(put_ics(kCal + "new.ics", body(9, "new")).result_int(), 201u);
    got = multiget(hrefs);
    EXPECT_EQ(got[kCal + "new.ics"], body(9, "new"));
    EXPECT_EQ(got[href(1)], body(1, "two"));

    // A member moved away and another moved in under its name.
    ASSERT_EQ(mkcol("calendar2/"), 201);
    ASSERT_EQ(status("MOVE", href(0), {}, {{"Destination", kHome + "calendar2/moved.ics"}}), 201);
    ASSERT_EQ(put_ics(kHome + "calendar2/e0.ics", body(0, "other")).result_int(), 201u);
    ASSERT_EQ(status("MOVE", kHome + "calendar2/e0.ics", {}, {{"Destination", href(0)}}), 201);
    got = multiget(hrefs);
    EXPECT_EQ(got[href(0)], body(0, "other"));
}

TEST_F(ObjectCacheTest, HrefsOutsideTheCalendarAreReadFromTheStore) {
    ASSERT_EQ(mkcol("other/"), 201);
    ASSERT_EQ(put_ics(kHome + "other/x.ics", body(7, "x")).result_int(), 201u);
    multiget({href(0), kHome + "other/x.ics"});
    ASSERT_EQ(put_ics(kHome + "other/x.ics", body(7, "y")).result_int(), 204u);
    // The calendar's revision did not move, so only its members may come
    // from the cache; x.ics lives elsewhere and is read again.
    const int reads = shards.body_reads();
    auto got = multiget({href(0), kHome + "other/x.ics"});
    EXPECT_EQ(shards.body_reads(), reads + 1);
    EXPECT_EQ(got[kHome + "other/x.ics"], body(7, "y"));
    EXPECT_EQ(got[href(0)], body(0, "one"));
}

TEST_F(ObjectCacheTest, RepeatedHrefIsAnsweredEachTime) {
    multiget({href(0)});
    std::string b = "<C:calendar-multiget " + kNs + "><D:prop><C:calendar-data/></D:prop>";
    for (int i = 0; i < 2; ++i) b += "<D:href>" + href(0) + "</D:href><D:href>" + href(1) + "</D:href>";
    const http::Response res = report(kCal, b + "</C:calendar-multiget>");
    ASSERT_EQ(res.result_int(), 207u);
    std::size_t responses = 0;
    for (std::size_t at = 0; (at = res.body().find("<D:response>", at)) != std::string::npos; ++at) {
        ++responses;
    }
    EXPECT_EQ(responses, 4u);
}

// Responses are kept per form: the same request answers with the same
// bytes, and another form (other properties, a partial calendar-data) is
// never answered with a response kept for the first.
TEST_F(ObjectCacheTest, KeptResponsesAnswerOnlyTheirOwnForm) {
    const std::string hrefs = "<D:href>" + href(0) + "</D:href><D:href>" + href(1) + "</D:href>";
    const std::string whole = "<C:calendar-multiget " + kNs +
                              "><D:prop><D:getetag/><C:calendar-data/></D:prop>" + hrefs +
                              "</C:calendar-multiget>";
    const std::string first = report(kCal, whole).body();
    const std::size_t bytes = cache->bytes();
    const std::string again = report(kCal, whole).body();
    EXPECT_EQ(again, first);
    EXPECT_EQ(cache->bytes(), bytes);  // nothing new kept

    const std::string etag_only = report(kCal, "<C:calendar-multiget " + kNs +
                                                   "><D:prop><D:getetag/></D:prop>" + hrefs +
                                                   "</C:calendar-multiget>")
                                      .body();
    EXPECT_EQ(etag_only.find("calendar-data"), std::string::npos);
    EXPECT_NE(etag_only.find("<D:getetag>"), std::string::npos);

    const std::string partial =
        report(kCal, "<C:calendar-multiget " + kNs +
                         "><D:prop><C:calendar-data><C:comp name=\"VCALENDAR\"><C:prop "
                         "name=\"VERSION\"/><C:comp name=\"VEVENT\"><C:prop name=\"UID\"/>"
                         "</C:comp></C:comp></C:calendar-data></D:prop>" +
                         hrefs + "</C:calendar-multiget>")
            .body();
    EXPECT_EQ(partial.find("SUMMARY"), std::string::npos) << partial;
    EXPECT_NE(partial.find("UID:uid-1"), std::string::npos);

    // The first form, asked again after the others, is still itself.
    EXPECT_EQ(report(kCal, whole).body(), first);
    // And an edit is seen in it.
    ASSERT_EQ(put_ics(href(1), body(1, "edited")).result_int(), 204u);
    const std::string edited = report(kCal, whole).body();
    EXPECT_NE(edited.find("DESCRIPTION:edited"), std::string::npos);
    EXPECT_EQ(edited.find("DESCRIPTION:one&#13;\nSUMMARY:test uid-1"), std::string::npos) << edited;
}

// The short way to an href's path (a plain member name after the
// collection's own href) and parse_target agree on every form.
TEST_F(ObjectCacheTest, EveryFormOfAnHrefNamesTheSameMember) {
    ASSERT_EQ(put_ics(kCal + "a%20b.ics", body(8, "space")).result_int(), 201u);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {href(1), body(1, "one")},
        {kCal + "e%31.ics", body(1, "one")},
        {"http://localhost" + href(2), body(2, "one")},
        {kCal + "a%20b.ics", body(8, "space")},
        {kCal + "sub/e4.ics", "404"},
        {kHome + "calendar2/e0.ics", "404"},
        {"/calendars/users/bob/calendar/e0.ics", "404"},
        {kCal + "e1.ics?x=1", body(1, "one")},
    };
    for (const auto& [h, expected] : cases) {
        const auto got = multiget({h});  // a response's href is the member's own
        ASSERT_EQ(got.size(), 1u) << h;
        EXPECT_EQ(got.begin()->second, expected) << h;
    }
}

store::StoredObject object(const std::string& path, std::size_t body_size) {
    store::StoredObject o;
    o.resource.path = path;
    o.resource.etag = "etag-" + path;
    o.body = std::string(body_size, 'b');
    return o;
}

store::User owner(store::ShardId shard, std::int64_t epoch) {
    store::User u;
    u.id = 7;
    u.shard_id = shard;
    u.epoch = epoch;
    return u;
}

TEST(ObjectCache, OnlyTheRevisionSeenLastIsKept) {
    dav::ObjectCache cache(1 << 20);
    store::Resource collection;
    collection.id = 3;
    collection.path = "c/";
    collection.revision = 5;
    const auto at5 = dav::ObjectCache::version_of(owner(1, 1), collection);
    const store::StoredObject a = object("c/a.ics", 10);
    cache.store(at5, {&a});
    std::vector<std::string> missing;
    EXPECT_EQ(cache.find(at5, {"c/a.ics"}, missing).size(), 1u);
    EXPECT_TRUE(missing.empty());

    // A request that saw revision 6 drops what revision 5 read.
    collection.revision = 6;
    const auto at6 = dav::ObjectCache::version_of(owner(1, 1), collection);
    EXPECT_TRUE(cache.find(at6, {"c/a.ics"}, missing).empty());
    EXPECT_EQ(missing, std::vector<std::string>{"c/a.ics"});
    EXPECT_EQ(cache.bytes(), 0u);
    // A slower request still at revision 5 may keep what it read (never
    // older than revision 5), but the next request at 6 drops it again.
    cache.store(at5, {&a});
    missing.clear();
    EXPECT_TRUE(cache.find(at6, {"c/a.ics"}, missing).empty());
    EXPECT_EQ(cache.bytes(), 0u);
    // Once revision 6 is held, revision 5 neither finds nor keeps anything.
    cache.store(at6, {&a});
    const std::size_t held = cache.bytes();
    EXPECT_GT(held, 0u);
    missing.clear();
    EXPECT_TRUE(cache.find(at5, {"c/a.ics"}, missing).empty());
    const store::StoredObject b = object("c/b.ics", 10);
    cache.store(at5, {&b});
    EXPECT_EQ(cache.bytes(), held);

    // Another placement of the same home (a move) or another shard never
    // meets these objects.
    EXPECT_NE(dav::ObjectCache::version_of(owner(1, 2), collection).key, at6.key);
    EXPECT_NE(dav::ObjectCache::version_of(owner(2, 1), collection).key, at6.key);
    missing.clear();
    EXPECT_TRUE(cache.find(dav::ObjectCache::version_of(owner(1, 2), collection), {"c/a.ics"},
                           missing)
                    .empty());
}

TEST(ObjectCache, LeastRecentlyUsedEntriesGoFirst) {
    dav::ObjectCache cache(20000);
    std::vector<dav::ObjectCache::Version> versions;
    for (int c = 0; c < 3; ++c) {
        store::Resource collection;
        collection.id = c + 1;
        collection.revision = 1;
        versions.push_back(dav::ObjectCache::version_of(owner(1, 1), collection));
    }
    const store::StoredObject big = object("c/a.ics", 8000);
    cache.store(versions[0], {&big});
    cache.store(versions[1], {&big});
    std::vector<std::string> missing;
    cache.find(versions[0], {"c/a.ics"}, missing);  // 0 is now used more recently than 1
    cache.store(versions[2], {&big});              // past 20,000 bytes: 1 goes
    EXPECT_EQ(cache.find(versions[0], {"c/a.ics"}, missing).size(), 1u);
    EXPECT_TRUE(cache.find(versions[1], {"c/a.ics"}, missing).empty());
    EXPECT_EQ(cache.find(versions[2], {"c/a.ics"}, missing).size(), 1u);
    EXPECT_LE(cache.bytes(), 20000u);

    // An object larger than the whole cache is not kept.
    const store::StoredObject huge = object("c/h.ics", 30000);
    cache.store(versions[0], {&huge});
    EXPECT_LE(cache.bytes(), 20000u);
    EXPECT_TRUE(cache.find(versions[0], {"c/h.ics"}, missing).empty());
}

TEST(ObjectCache, AnAnswerTakesTheObjectsPlace) {
    dav::ObjectCache cache(1 << 20);
    store::Resource collection;
    collection.id = 1;
    collection.revision = 1;
    const auto v = dav::ObjectCache::version_of(owner(1, 1), collection);
    const store::StoredObject a = object("c/a.ics", 4000);
    cache.store(v, {&a});
    const auto form = std::make_shared<const std::string>("form");
    // An answer for another ETag (made from another state) is not kept.
    cache.store_answer(v, form, "c/a.ics", "other", "<response/>");
    EXPECT_EQ(cache.find_answers(v, form, {"c/a.ics"})[0], nullptr);

    const std::size_t with_object = cache.bytes();
    cache.store_answer(v, form, "c/a.ics", a.resource.etag, "<response>a</response>");
    EXPECT_LT(cache.bytes(), with_object);  // the 4,000-byte body went
    const auto found = cache.find_answers(v, std::make_shared<const std::string>("form"),
                                          {"c/a.ics", "c/b.ics"});
    ASSERT_NE(found[0], nullptr);
    EXPECT_EQ(*found[0], "<response>a</response>");
    EXPECT_EQ(found[1], nullptr);
    EXPECT_EQ(cache.find_answers(v, std::make_shared<const std::string>("other form"),
                                 {"c/a.ics"})[0],
              nullptr);
    // An answer made from an object read after v was seen is kept without
    // the object having been kept first (a multiget keeps only answers).
    cache.store_answer(v, form, "c/n.ics", "etag-n", "<response>n</response>");
    ASSERT_NE(cache.find_answers(v, form, {"c/n.ics"})[0], nullptr);
    // A request that needs the object reads it again and it is kept again.
    std::vector<std::string> missing;
    EXPECT_TRUE(cache.find(v, {"c/a.ics"}, missing).empty());
    cache.store(v, {&a});
    EXPECT_EQ(cache.find(v, {"c/a.ics"}, missing).size(), 1u);
    // What /metrics reports of the lookups above: answers found twice, an
    // object once, and one object missing.
    const auto stats = cache.stats();
    EXPECT_EQ(stats.answers, 2u);
    EXPECT_EQ(stats.objects, 1u);
    EXPECT_EQ(stats.misses, 1u);
    EXPECT_EQ(stats.bytes, cache.bytes());
    EXPECT_EQ(stats.max_bytes, std::size_t{1} << 20);
}

}  // namespace
}  // namespace cosmo::test
