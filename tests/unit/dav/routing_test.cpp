/// Request targets, OPTIONS, redirects, method table and the access-control
/// matrix. Anonymous requests are rejected by authentication before the
/// dispatcher runs, so they are not part of this matrix.

#include "dav_fixture.hpp"

namespace cosmo::test {
namespace {

TEST_F(DavTest, OptionsAdvertisesClassesAndAllow) {
    const http::Response res = send("OPTIONS", kHome);
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res["DAV"], "1, 2, 3, extended-mkcol");
    EXPECT_NE(std::string(res[http::Field::allow]).find("PROPFIND"), std::string::npos);
    EXPECT_NE(std::string(res[http::Field::allow]).find("LOCK"), std::string::npos);
    EXPECT_TRUE(res.body().empty());
}

TEST_F(DavTest, OptionsOnVirtualCollectionListsReadMethodsOnly) {
    const http::Response res = send("OPTIONS", "/principals/");
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(std::string(res[http::Field::allow]).find("PUT"), std::string::npos);
}

TEST_F(DavTest, WellKnownRedirectsToRoot) {
    const http::Response res = send("PROPFIND", "/.well-known/caldav");
    EXPECT_EQ(res.result_int(), 301u);
    EXPECT_EQ(res[http::Field::location], "/");
}

TEST_F(DavTest, WellKnownRedirectKeepsPrefix) {
    dav::Options o;
    o.prefix = "/dav";
    make_dispatcher(o);
    const http::Response res = send("GET", "/dav/.well-known/caldav");
    EXPECT_EQ(res.result_int(), 301u);
    EXPECT_EQ(res[http::Field::location], "/dav/");
    EXPECT_EQ(status("GET", "/.well-known/caldav"), 404);  // outside the prefix
}

TEST_F(DavTest, PrefixAppearsInHrefs) {
    dav::Options o;
    o.prefix = "/dav";
    make_dispatcher(o);
    const Multistatus ms = propfind("/dav/calendars/users/alice/", prop_body({{"DAV:", "owner"}}));
    ASSERT_TRUE(ms.count("/dav/calendars/users/alice/"));
    EXPECT_EQ(ms.at("/dav/calendars/users/alice/").at(dav_clark("owner")).value.children.at(0).text,
              "/dav/principals/users/alice/");
}

class BadTargetTest : public DavTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(BadTargetTest, Is400) { EXPECT_EQ(status("GET", GetParam()), 400) << GetParam(); }

INSTANTIATE_TEST_SUITE_P(
    Targets, BadTargetTest,
    ::testing::Values("/calendars/users/alice/../bob/", "/calendars/users/alice/./x",
                      "/calendars/users/alice/a%2Fb", "/calendars/users/alice/a%2fb",
                      "/calendars/users/alice/a%00b", "/calendars/users/alice/%C3%28",
                      "/calendars/users/alice/%2E%2E/x", "/calendars/users/alice/frag/#ment",
                      "/calendars/users/alice/%zz", "not-a-path",
                      // bytes no path may hold raw (the pchars-only fast path
                      // must leave them to the full parser)
                      "/calendars/users/alice/a b", "/calendars/users/alice/a<b",
                      "/calendars/users/alice/a\"b", "/calendars/users/alice/caf\xC3\xA9",
                      "/calendars/users/alice/a\\b", "/calendars/users/alice/a{b}"));

TEST_F(DavTest, OutsideNamespaceIs404) {
    EXPECT_EQ(status("GET", "/nothing/here"), 404);
    EXPECT_EQ(status("PROPFIND", "/principals/groups/", "", {{"Depth", "0"}}), 404);
    EXPECT_EQ(status("GET", "/principals/users/alice/extra"), 404);
}

TEST_F(DavTest, AbsoluteUrlTargetUsesPath) {
    EXPECT_EQ(put("a.txt"), 201);
    EXPECT_EQ(status("GET", "http://localhost:8080/calendars/users/alice/a.txt?x=1"), 200);
}

TEST_F(DavTest, QueryIsIgnored) {
    EXPECT_EQ(put("q.txt"), 201);
    EXPECT_EQ(status("GET", kHome + "q.txt?foo=bar"), 200);
}

TEST_F(DavTest, UnknownMethodIs501) { EXPECT_EQ(status("FROBNICATE", kHome), 501); }

TEST_F(DavTest, WritesOnVirtualCollectionsAre405WithAllow) {
    for (const char* m : {"PUT", "DELETE", "MKCOL", "PROPPATCH", "LOCK", "MOVE", "COPY"}) {
        const http::Response res = send(m, "/calendars/users/");
        EXPECT_EQ(res.result_int(), 405u) << m;
        EXPECT_FALSE(std::string(res[http::Field::allow]).empty()) << m;
    }
    EXPECT_EQ(status("PUT", "/principals/users/alice/"), 405);
}

TEST_F(DavTest, UserNameWithAtSignIsDecodedAndEncoded) {
    directory.add_user("carol@example.com", "", "x");
    const http::Response res = send("PUT", "/calendars/users/carol%40example.com/x.txt", "x", {},
                                    "carol@example.com");
    EXPECT_EQ(res.result_int(), 201u);
    Headers h{{"Depth", "1"}};
    const http::Response pf = send("PROPFIND", "/calendars/users/carol%40example.com/",
                                   prop_body({{"DAV:", "resourcetype"}}), h, "carol@example.com");
    ASSERT_EQ(pf.result_int(), 207u);
    const Multistatus ms = parse_multistatus(pf.body());
    EXPECT_TRUE(ms.count("/calendars/users/carol%40example.com/x.txt") ||
                ms.count("/calendars/users/carol@example.com/x.txt"));
}

TEST_F(DavTest, NamesAreDecodedOnceAndEncodedBackInHrefs) {
    // A name outside the pchars (UTF-8, a space, '#') and a plain one: the
    // href comes back percent-encoded exactly, the plain one as it is.
    EXPECT_EQ(send("PUT", "/calendars/users/alice/caf%C3%A9%20%23x.txt", "x").result_int(), 201u);
    EXPECT_EQ(send("PUT", "/calendars/users/alice/plain-name_1.txt", "x").result_int(), 201u);
    EXPECT_EQ(send("GET", "/calendars/users/alice/caf%c3%a9%20%23x.txt").result_int(), 200u);
    Headers h{{"Depth", "1"}};
    const http::Response pf = send("PROPFIND", "/calendars/users/alice/",
                                   prop_body({{"DAV:", "resourcetype"}}), h);
    ASSERT_EQ(pf.result_int(), 207u);
    const Multistatus ms = parse_multistatus(pf.body());
    EXPECT_TRUE(ms.count("/calendars/users/alice/caf%C3%A9%20%23x.txt"));
    EXPECT_TRUE(ms.count("/calendars/users/alice/plain-name_1.txt"));
}

// ------------------------------------------------------------ access matrix

struct AccessRow {
    const char* method;
    const char* own_existing;   ///< expected on alice's existing f.txt
    int own_missing;            ///< on alice's missing path
    bool needs_lock_token;      ///< UNLOCK: send a bogus token
};

class AccessMatrixTest : public DavTest, public ::testing::WithParamInterface<AccessRow> {
protected:
    int run(const std::string& target, const std::string& user = "alice") {
        const AccessRow& row = GetParam();
        Headers h{{"Depth", "0"}, {"Destination", target + "-dest"}};
        std::string body;
        if (std::string(row.method) == "PROPPATCH") {
            body = "<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop><x xmlns=\"urn:x\">1</x>"
                   "</D:prop></D:set></D:propertyupdate>";
        } else if (std::string(row.method) == "LOCK") {
            body = "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/></D:lockscope>"
                   "<D:locktype><D:write/></D:locktype></D:lockinfo>";
        } else if (std::string(row.method) == "REPORT") {
            body = "<D:sync-collection xmlns:D=\"DAV:\"/>";
        } else if (std::string(row.method) == "PUT") {
            body = "data";
        }
        if (row.needs_lock_token) h.emplace_back("Lock-Token", "<urn:uuid:bogus>");
        return status(row.method, target, body, h, user);
    }
    void SetUp() override {
        DavTest::SetUp();
        ASSERT_EQ(put("f.txt"), 201);
        ASSERT_EQ(status("PUT", "/calendars/users/bob/f.txt", "bob's", {}, "bob"), 201);
    }
};

TEST_P(AccessMatrixTest, OwnExisting) {
    EXPECT_EQ(run(kHome + "f.txt"), std::stoi(GetParam().own_existing)) << GetParam().method;
}

TEST_P(AccessMatrixTest, AnotherUsersResourceIs404) {
    EXPECT_EQ(run("/calendars/users/bob/f.txt"), 404) << GetParam().method;
    EXPECT_EQ(run("/calendars/users/bob/"), 404) << GetParam().method;
    EXPECT_EQ(run("/principals/users/bob/"), 404) << GetParam().method;
}

TEST_P(AccessMatrixTest, NonexistentUserIs404) {
    EXPECT_EQ(run("/calendars/users/nobody/f.txt"), 404) << GetParam().method;
    EXPECT_EQ(run("/principals/users/nobody/"), 404) << GetParam().method;
}

TEST_P(AccessMatrixTest, OwnMissingPath) {
    EXPECT_EQ(run(kHome + "missing.txt"), GetParam().own_missing) << GetParam().method;
}

INSTANTIATE_TEST_SUITE_P(
    Methods, AccessMatrixTest,
    ::testing::Values(AccessRow{"OPTIONS", "200", 200, false}, AccessRow{"GET", "200", 404, false},
                      AccessRow{"HEAD", "200", 404, false},
                      AccessRow{"PROPFIND", "207", 404, false},
                      AccessRow{"PROPPATCH", "207", 404, false},
                      AccessRow{"PUT", "204", 201, false}, AccessRow{"DELETE", "204", 404, false},
                      AccessRow{"MKCOL", "405", 201, false}, AccessRow{"COPY", "201", 404, false},
                      AccessRow{"MOVE", "201", 404, false}, AccessRow{"LOCK", "200", 201, false},
                      AccessRow{"UNLOCK", "409", 409, true},
                      AccessRow{"REPORT", "403", 404, false}),
    [](const auto& info) { return std::string(info.param.method); });

}  // namespace
}  // namespace cosmo::test
