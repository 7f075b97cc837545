/// PROPFIND: bodies, depth, virtual collections, principal, Brief/Prefer.

#include "dav_fixture.hpp"

namespace cosmo::test {
namespace {

const std::string kCaldav = "urn:ietf:params:xml:ns:caldav";

TEST_F(DavTest, RootDepth0HasCollectionAndCurrentUserPrincipal) {
    const Multistatus ms = propfind(
        "/", prop_body({{"DAV:", "resourcetype"}, {"DAV:", "current-user-principal"}}));
    const auto& p = ms.at("/");
    EXPECT_EQ(p.at(dav_clark("resourcetype")).status, 200);
    EXPECT_TRUE(p.at(dav_clark("resourcetype")).value.child(xml::dav("collection")));
    EXPECT_EQ(p.at(dav_clark("current-user-principal")).value.children.at(0).text,
              "/principals/users/alice/");
}

TEST_F(DavTest, RootDepth1ListsPrincipalsAndCalendars) {
    const Multistatus ms = propfind("/", prop_body({{"DAV:", "displayname"}}), "1");
    EXPECT_EQ(ms.size(), 3u);
    EXPECT_TRUE(ms.count("/principals/"));
    EXPECT_TRUE(ms.count("/calendars/"));
}

TEST_F(DavTest, UsersCollectionsListOnlyOwnEntry) {
    Multistatus ms = propfind("/principals/users/", prop_body({{"DAV:", "resourcetype"}}), "1");
    EXPECT_EQ(ms.size(), 2u);
    EXPECT_TRUE(ms.count("/principals/users/alice/"));
    ms = propfind("/calendars/users/", prop_body({{"DAV:", "resourcetype"}}), "1");
    EXPECT_EQ(ms.size(), 2u);
    EXPECT_TRUE(ms.count(kHome));
}

TEST_F(DavTest, PrincipalProperties) {
    const Multistatus ms = propfind(
        "/principals/users/alice/",
        prop_body({{"DAV:", "resourcetype"},
                   {"DAV:", "principal-URL"},
                   {"DAV:", "displayname"},
                   {"DAV:", "principal-collection-set"},
                   {kCaldav, "calendar-home-set"},
                   {kCaldav, "calendar-user-address-set"}}));
    const auto& p = ms.at("/principals/users/alice/");
    EXPECT_TRUE(p.at(dav_clark("resourcetype")).value.child(xml::dav("principal")));
    EXPECT_EQ(p.at(dav_clark("principal-URL")).value.children.at(0).text, "/principals/users/alice/");
    EXPECT_EQ(p.at(dav_clark("displayname")).value.text, "alice");
    EXPECT_EQ(p.at(dav_clark("principal-collection-set")).value.children.at(0).text,
              "/principals/users/");
    EXPECT_EQ(p.at("{" + kCaldav + "}calendar-home-set").value.children.at(0).text, kHome);
    const auto& addr = p.at("{" + kCaldav + "}calendar-user-address-set").value.children;
    ASSERT_EQ(addr.size(), 2u);
    EXPECT_EQ(addr[0].text, "mailto:alice@example.com");
    EXPECT_EQ(addr[1].text, "/principals/users/alice/");
}

TEST_F(DavTest, PrincipalWithoutEmailHasOnlyPrincipalAddress) {
    const http::Response res = send("PROPFIND", "/principals/users/bob/",
                                    prop_body({{kCaldav, "calendar-user-address-set"}}),
                                    {{"Depth", "0"}}, "bob");
    const Multistatus ms = parse_multistatus(res.body());
    EXPECT_EQ(ms.at("/principals/users/bob/")
                  .at("{" + kCaldav + "}calendar-user-address-set")
                  .value.children.size(),
              1u);
}

TEST_F(DavTest, DepthInfinityOnCollectionIsForbidden) {
    const http::Response res = send("PROPFIND", kHome, "");  // no Depth = infinity
    EXPECT_EQ(res.result_int(), 403u);
    EXPECT_EQ(precondition(res), "propfind-finite-depth");
    EXPECT_EQ(res[http::Field::content_type], "application/xml; charset=utf-8");
}

TEST_F(DavTest, DepthInfinityOnObjectActsAsDepth0) {
    ASSERT_EQ(put("o.txt"), 201);
    EXPECT_EQ(status("PROPFIND", kHome + "o.txt", prop_body({{"DAV:", "getetag"}})), 207);
}

TEST_F(DavTest, MalformedBodiesAre400) {
    EXPECT_EQ(status("PROPFIND", kHome, "<foo>", {{"Depth", "0"}}), 400);
    EXPECT_EQ(status("PROPFIND", kHome,
                     "<D:propfind xmlns:D=\"DAV:\"><D:prop><bar:foo xmlns:bar=\"\"/></D:prop>"
                     "</D:propfind>",
                     {{"Depth", "0"}}),
              400);
    EXPECT_EQ(status("PROPFIND", kHome, "<D:other xmlns:D=\"DAV:\"/>", {{"Depth", "0"}}), 400);
    EXPECT_EQ(status("PROPFIND", kHome, "<D:propfind xmlns:D=\"DAV:\"/>", {{"Depth", "0"}}), 400);
    EXPECT_EQ(status("PROPFIND", kHome, "", {{"Depth", "2"}}), 400);
}

TEST_F(DavTest, EmptyBodyIsAllprop) {
    ASSERT_EQ(put("o.txt", "12345"), 201);
    const Multistatus ms = propfind(kHome + "o.txt", "");
    const auto& p = ms.at(kHome + "o.txt");
    EXPECT_EQ(p.at(dav_clark("getcontentlength")).value.text, "5");
    EXPECT_EQ(p.at(dav_clark("getcontenttype")).value.text, "text/plain");
    EXPECT_EQ(p.at(dav_clark("getetag")).value.text.front(), '"');
    EXPECT_TRUE(p.count(dav_clark("getlastmodified")));
    EXPECT_TRUE(p.count(dav_clark("creationdate")));
    EXPECT_TRUE(p.count(dav_clark("supportedlock")));
    EXPECT_TRUE(p.count(dav_clark("lockdiscovery")));
    EXPECT_FALSE(p.count(dav_clark("quota-used-bytes")));  // RFC 4331: not in allprop
    EXPECT_FALSE(p.count(dav_clark("current-user-principal")));
}

TEST_F(DavTest, ExtendedAllpropIgnoresUnknownElements) {
    const Multistatus ms = propfind(
        kHome, "<propfind xmlns=\"DAV:\"><foobar/><allprop/></propfind>");
    EXPECT_TRUE(ms.at(kHome).count(dav_clark("resourcetype")));
}

TEST_F(DavTest, AllpropWithInclude) {
    const Multistatus ms = propfind(
        kHome, "<D:propfind xmlns:D=\"DAV:\"><D:allprop/><D:include><D:quota-used-bytes/>"
               "</D:include></D:propfind>");
    EXPECT_EQ(ms.at(kHome).at(dav_clark("quota-used-bytes")).status, 200);
}

TEST_F(DavTest, UnknownPropertyIs404Propstat) {
    const Multistatus ms = propfind(kHome, prop_body({{"urn:x", "nope"}, {"DAV:", "resourcetype"}}));
    EXPECT_EQ(ms.at(kHome).at("{urn:x}nope").status, 404);
    EXPECT_EQ(ms.at(kHome).at(dav_clark("resourcetype")).status, 200);
}

TEST_F(DavTest, BriefOmits404Propstats) {
    const std::string body = prop_body({{"urn:x", "nope"}, {"DAV:", "resourcetype"}});
    Multistatus ms = propfind(kHome, body, "0", {{"Brief", "t"}});
    EXPECT_FALSE(ms.at(kHome).count("{urn:x}nope"));
    const http::Response res =
        send("PROPFIND", kHome, body, {{"Depth", "0"}, {"Prefer", "return=minimal"}});
    EXPECT_EQ(res["Preference-Applied"], "return=minimal");
    ms = parse_multistatus(res.body());
    EXPECT_FALSE(ms.at(kHome).count("{urn:x}nope"));
    EXPECT_TRUE(ms.at(kHome).count(dav_clark("resourcetype")));
}

TEST_F(DavTest, PropnameListsNamesWithoutValues) {
    ASSERT_EQ(put("o.txt"), 201);
    const Multistatus ms =
        propfind(kHome + "o.txt", "<D:propfind xmlns:D=\"DAV:\"><D:propname/></D:propfind>");
    const auto& p = ms.at(kHome + "o.txt");
    EXPECT_TRUE(p.at(dav_clark("getetag")).value.text.empty());
    EXPECT_TRUE(p.count(dav_clark("owner")));
}

TEST_F(DavTest, PropfindUnmappedIs404) {
    EXPECT_EQ(status("PROPFIND", kHome + "missing", "", {{"Depth", "0"}}), 404);
}

TEST_F(DavTest, CollectionWithoutSlashGetsSlashHref) {
    ASSERT_EQ(mkcol("c/"), 201);
    const Multistatus ms = propfind(kHome + "c", prop_body({{"DAV:", "resourcetype"}}));
    EXPECT_TRUE(ms.count(kHome + "c/"));
}

TEST_F(DavTest, Depth1HrefsArePercentEncoded) {
    ASSERT_EQ(put("res-%e2%82%ac"), 201);
    ASSERT_EQ(put("a%20b"), 201);
    ASSERT_EQ(mkcol("sub/"), 201);
    const Multistatus ms = propfind(kHome, prop_body({{"DAV:", "resourcetype"}}), "1");
    EXPECT_TRUE(ms.count(kHome + "res-%E2%82%AC"));
    EXPECT_TRUE(ms.count(kHome + "a%20b"));
    EXPECT_TRUE(ms.count(kHome + "sub/"));
    EXPECT_TRUE(ms.at(kHome + "sub/").at(dav_clark("resourcetype")).value.child(xml::dav("collection")));
    EXPECT_EQ(status("GET", kHome + "res-%E2%82%AC"), 200);
}

TEST_F(DavTest, QuotaProperties) {
    ASSERT_EQ(put("o.txt", "1234567890"), 201);
    const Multistatus ms = propfind(
        kHome, prop_body({{"DAV:", "quota-used-bytes"}, {"DAV:", "quota-available-bytes"}}));
    EXPECT_EQ(ms.at(kHome).at(dav_clark("quota-used-bytes")).value.text, "10");
    EXPECT_EQ(ms.at(kHome).at(dav_clark("quota-available-bytes")).value.text,
              std::to_string(1024LL * 1024 * 1024 - 10));
}

TEST_F(DavTest, SupportedReportSetIsEmptyAndUnknownReportIs403) {
    const Multistatus ms = propfind(kHome, prop_body({{"DAV:", "supported-report-set"}}));
    EXPECT_TRUE(ms.at(kHome).at(dav_clark("supported-report-set")).value.children.empty());
    const http::Response res = send("REPORT", kHome, "<D:sync-collection xmlns:D=\"DAV:\"/>");
    EXPECT_EQ(res.result_int(), 403u);
    EXPECT_EQ(precondition(res), "supported-report");
    EXPECT_EQ(status("REPORT", kHome, "<bad"), 400);
}

TEST_F(DavTest, DisplaynameOfStoreResourceIsDead) {
    const Multistatus ms = propfind(kHome, prop_body({{"DAV:", "displayname"}}));
    EXPECT_EQ(ms.at(kHome).at(dav_clark("displayname")).status, 404);
}

}  // namespace
}  // namespace cosmo::test
