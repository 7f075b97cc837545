/// LOCK / UNLOCK, lock enforcement on every write, and the litmus locks
/// suite's conditional PUT sequence.

#include "dav_fixture.hpp"

namespace cosmo::test {
namespace {

TEST_F(DavTest, ExclusiveLockReturnsTokenAndDiscovery) {
    ASSERT_EQ(put("lockme"), 201);
    const std::string body =
        "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/></D:lockscope>"
        "<D:locktype><D:write/></D:locktype><D:owner>litmus test suite</D:owner></D:lockinfo>";
    const http::Response res = send("LOCK", kHome + "lockme", body, {{"Depth", "0"}});
    ASSERT_EQ(res.result_int(), 200u);
    const std::string header(res["Lock-Token"]);
    ASSERT_GT(header.size(), 11u);
    const std::string token = header.substr(1, header.size() - 2);
    EXPECT_EQ(token.rfind("urn:uuid:", 0), 0u);
    const xml::Element root = xml::parse(res.body());
    const xml::Element* active =
        root.child(xml::dav("lockdiscovery"))->child(xml::dav("activelock"));
    ASSERT_TRUE(active);
    EXPECT_EQ(active->child(xml::dav("locktoken"))->child(xml::dav("href"))->text, token);
    EXPECT_EQ(active->child(xml::dav("owner"))->text, "litmus test suite");
    EXPECT_EQ(active->child(xml::dav("lockroot"))->child(xml::dav("href"))->text, kHome + "lockme");
    EXPECT_EQ(active->child(xml::dav("depth"))->text, "0");
    // Discovery through PROPFIND.
    const Multistatus ms = propfind(kHome + "lockme", prop_body({{"DAV:", "lockdiscovery"}}));
    const auto& ld = ms.at(kHome + "lockme").at(dav_clark("lockdiscovery")).value;
    ASSERT_EQ(ld.children.size(), 1u);
}

TEST_F(DavTest, WritesWithoutTokenAre423) {
    ASSERT_EQ(put("lockme"), 201);
    ASSERT_EQ(put("notlocked"), 201);
    const std::string token = lock(kHome + "lockme");
    ASSERT_FALSE(token.empty());
    const http::Response res = send("PUT", kHome + "lockme", "x");
    EXPECT_EQ(res.result_int(), 423u);
    EXPECT_EQ(precondition(res), "lock-token-submitted");
    EXPECT_NE(res.body().find(kHome + "lockme"), std::string::npos);
    EXPECT_EQ(status("DELETE", kHome + "lockme"), 423);
    EXPECT_EQ(status("MOVE", kHome + "lockme", "", {{"Destination", kHome + "whocares"}}), 423);
    EXPECT_EQ(status("COPY", kHome + "notlocked", "", {{"Destination", kHome + "lockme"}}), 423);
    EXPECT_EQ(status("PROPPATCH", kHome + "lockme",
                     "<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop><r xmlns=\"urn:r\">f</r>"
                     "</D:prop></D:set></D:propertyupdate>"),
              423);
    // With the token (untagged and tagged lists) the owner may write.
    EXPECT_EQ(put("lockme", "y", {{"If", "(<" + token + ">)"}}), 204);
    EXPECT_EQ(put("lockme", "z", {{"If", "<http://localhost" + kHome + "lockme> (<" + token + ">)"}}),
              204);
    // Locks do not follow a COPY.
    EXPECT_EQ(status("COPY", kHome + "lockme", "", {{"Destination", kHome + "copydest"}}), 201);
    EXPECT_EQ(put("copydest", "free"), 204);
}

TEST_F(DavTest, LockConflicts) {
    ASSERT_EQ(put("r"), 201);
    ASSERT_FALSE(lock(kHome + "r", false).empty());
    int code = 0;
    EXPECT_FALSE(lock(kHome + "r", false, "0", &code).empty());  // shared + shared
    EXPECT_EQ(code, 200);
    const http::Response res = send(
        "LOCK", kHome + "r",
        "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/></D:lockscope><D:locktype>"
        "<D:write/></D:locktype></D:lockinfo>");
    EXPECT_EQ(res.result_int(), 423u);
    EXPECT_EQ(precondition(res), "no-conflicting-lock");
}

TEST_F(DavTest, RefreshAndUnlock) {
    ASSERT_EQ(put("r"), 201);
    const std::string token = lock(kHome + "r");
    const http::Response res =
        send("LOCK", kHome + "r", "", {{"If", "(<" + token + ">)"}, {"Timeout", "Second-100"}});
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_NE(res.body().find(token), std::string::npos);
    EXPECT_NE(res.body().find("Second-10"), std::string::npos);
    EXPECT_EQ(status("LOCK", kHome + "r", ""), 400);
    EXPECT_EQ(status("LOCK", kHome + "r", "", {{"If", "(<urn:uuid:nope>)"}}), 412);
    const http::Response bogus = send("UNLOCK", kHome + "r", "", {{"Lock-Token", "<opaquelocktoken:foobar>"}});
    EXPECT_EQ(bogus.result_int(), 409u);
    EXPECT_EQ(precondition(bogus), "lock-token-matches-request-uri");
    EXPECT_EQ(status("UNLOCK", kHome + "r"), 400);
    EXPECT_EQ(status("UNLOCK", kHome + "r", "", {{"Lock-Token", "<" + token + ">"}}), 204);
    EXPECT_EQ(put("r", "free"), 204);
}

TEST_F(DavTest, TimeoutIsCapped) {
    dav::Options o;
    o.max_lock_timeout_seconds = 60;
    make_dispatcher(o);
    ASSERT_EQ(put("r"), 201);
    const http::Response res = send(
        "LOCK", kHome + "r",
        "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/></D:lockscope><D:locktype>"
        "<D:write/></D:locktype></D:lockinfo>",
        {{"Timeout", "Infinite, Second-4100000000"}});
    ASSERT_EQ(res.result_int(), 200u);
    const xml::Element root = xml::parse(res.body());
    const std::string t = root.child(xml::dav("lockdiscovery"))
                              ->child(xml::dav("activelock"))
                              ->child(xml::dav("timeout"))
                              ->text;
    EXPECT_TRUE(t == "Second-60" || t == "Second-59") << t;
}

TEST_F(DavTest, UnmappedLockCreatesEmptyResource) {
    int code = 0;
    const std::string token = lock(kHome + "unmapped_url", true, "0", &code);
    EXPECT_EQ(code, 201);
    EXPECT_EQ(send("GET", kHome + "unmapped_url").body(), "");
    EXPECT_EQ(status("UNLOCK", kHome + "unmapped_url", "", {{"Lock-Token", "<" + token + ">"}}), 204);
    lock(kHome + "nope/unmapped", true, "0", &code);
    EXPECT_EQ(code, 409);
}

TEST_F(DavTest, CollectionDepthInfinityLock) {
    ASSERT_EQ(mkcol("lockcoll/"), 201);
    const std::string token = lock(kHome + "lockcoll/", true, "infinity");
    ASSERT_FALSE(token.empty());
    EXPECT_EQ(put("lockcoll/lockme.txt"), 423);
    const std::string tagged = "<http://localhost" + kHome + "lockcoll/> (<" + token + ">)";
    EXPECT_EQ(put("lockcoll/lockme.txt", "x", {{"If", tagged}}), 201);
    EXPECT_EQ(status("DELETE", kHome + "lockcoll/lockme.txt"), 423);
    EXPECT_EQ(status("MKCOL", kHome + "lockcoll/sub/"), 423);
    // Indirect refresh through a member.
    EXPECT_EQ(status("LOCK", kHome + "lockcoll/lockme.txt", "", {{"If", "(<" + token + ">)"}}), 200);
    // Unlock via a member URL the lock covers.
    EXPECT_EQ(status("UNLOCK", kHome + "lockcoll/", "", {{"Lock-Token", "<" + token + ">"}}), 204);
    EXPECT_EQ(put("lockcoll/lockme.txt", "free"), 204);
}

TEST_F(DavTest, DeleteOfCollectionWithLockedMemberIs423) {
    ASSERT_EQ(mkcol("c/"), 201);
    ASSERT_EQ(put("c/m"), 201);
    const std::string token = lock(kHome + "c/m");
    EXPECT_EQ(status("DELETE", kHome + "c/"), 423);
    EXPECT_EQ(status("DELETE", kHome + "c/", "", {{"If", "<http://localhost" + kHome + "c/m> (<" + token + ">)"}}), 204);
    EXPECT_EQ(status("GET", kHome + "c/m"), 404);
    int code = 0;
    lock(kHome + "c/m", true, "0", &code);  // the lock went with the resource
    EXPECT_EQ(code, 409);
}

TEST_F(DavTest, DepthZeroCollectionLockProtectsMembership) {
    ASSERT_EQ(mkcol("c/"), 201);
    const std::string token = lock(kHome + "c/", true, "0");
    EXPECT_EQ(put("c/new"), 423);
    EXPECT_EQ(put("c/new", "x", {{"If", "<http://localhost" + kHome + "c/> (<" + token + ">)"}}), 201);
}

/// The conditional PUTs of litmus' locks suite (Julian Reschke's series).
TEST_F(DavTest, LitmusConditionalPuts) {
    ASSERT_EQ(put("lockme"), 201);
    const std::string token = lock(kHome + "lockme");
    const std::string etag(send("GET", kHome + "lockme")[http::Field::etag]);
    std::string bad = etag;
    bad[bad.size() - 3]++;
    auto cond = [&](const std::string& h) { return put("lockme", "zero", {{"If", h}}); };
    EXPECT_EQ(cond("(<" + token + "> [" + etag + "])"), 204);                       // cond_put
    const std::string etag2(send("GET", kHome + "lockme")[http::Field::etag]);
    EXPECT_EQ(cond("(<DAV:no-lock> [" + etag2 + "])"), 412);                        // fail_cond_put
    EXPECT_EQ(cond("(<" + token + ">) (Not <DAV:no-lock>)"), 204);                  // with_not
    EXPECT_EQ(cond("(<" + token + "x>) (Not <DAV:no-lock>)"), 423);                 // corrupt token
    EXPECT_EQ(cond("(<" + token + "> [" + etag2 + "]) (Not <DAV:no-lock> [" + etag2 + "])"), 204);
    std::string bad2 = etag2;
    bad2[bad2.size() - 3]++;
    EXPECT_EQ(cond("(<" + token + "> [" + bad2 + "]) (Not <DAV:no-lock> [" + bad2 + "])"), 412);
    EXPECT_EQ(status("UNLOCK", kHome + "lockme", "", {{"Lock-Token", "<" + token + ">"}}), 204);
    EXPECT_EQ(cond("(<DAV:no-lock>)"), 412);                                        // unlocked
    EXPECT_EQ(cond("(Not <DAV:no-lock>)"), 204);
    EXPECT_EQ(cond("garbage"), 400);
}

}  // namespace
}  // namespace cosmo::test
