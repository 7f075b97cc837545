/// PROPPATCH, MKCOL, GET/HEAD/PUT, DELETE.

#include "dav_fixture.hpp"

namespace cosmo::test {
namespace {

const std::string kNs = "http://webdav.org/neon/litmus/";

std::string patch(const std::string& ops) {
    return "<?xml version=\"1.0\"?><D:propertyupdate xmlns:D=\"DAV:\">" + ops +
           "</D:propertyupdate>";
}
std::string set(const std::string& prop) { return "<D:set><D:prop>" + prop + "</D:prop></D:set>"; }
std::string remove(const std::string& prop) {
    return "<D:remove><D:prop>" + prop + "</D:prop></D:remove>";
}

TEST_F(DavTest, ProppatchSetAndGetVerbatim) {
    ASSERT_EQ(put("p"), 201);
    const http::Response res = send(
        "PROPPATCH", kHome + "p",
        patch(set("<t:foo xmlns:t=\"" + kNs + "\">value0</t:foo>"
                  "<t:bar xmlns:t=\"" + kNs + "\"><x:inner xmlns:x=\"urn:y\">v</x:inner></t:bar>")));
    ASSERT_EQ(res.result_int(), 207u);
    EXPECT_EQ(parse_multistatus(res.body()).at(kHome + "p").at("{" + kNs + "}foo").status, 200);
    const Multistatus ms = propfind(kHome + "p", prop_body({{kNs, "foo"}, {kNs, "bar"}}));
    EXPECT_EQ(ms.at(kHome + "p").at("{" + kNs + "}foo").value.text, "value0");
    const auto& bar = ms.at(kHome + "p").at("{" + kNs + "}bar").value;
    ASSERT_EQ(bar.children.size(), 1u);
    EXPECT_EQ(bar.children[0].name, (xml::QName{"urn:y", "inner"}));
}

TEST_F(DavTest, ProppatchRemove) {
    ASSERT_EQ(put("p"), 201);
    ASSERT_EQ(status("PROPPATCH", kHome + "p", patch(set("<a xmlns=\"urn:a\">1</a>"))), 207);
    ASSERT_EQ(status("PROPPATCH", kHome + "p", patch(remove("<a xmlns=\"urn:a\"/>"))), 207);
    EXPECT_EQ(propfind(kHome + "p", prop_body({{"urn:a", "a"}})).at(kHome + "p").at("{urn:a}a").status,
              404);
}

TEST_F(DavTest, ProppatchIsAtomic) {
    ASSERT_EQ(put("p"), 201);
    const http::Response res = send(
        "PROPPATCH", kHome + "p",
        patch(set("<a xmlns=\"urn:a\">1</a><D:getetag>x</D:getetag>")));
    ASSERT_EQ(res.result_int(), 207u);
    const Multistatus ms = parse_multistatus(res.body());
    EXPECT_EQ(ms.at(kHome + "p").at("{urn:a}a").status, 424);
    EXPECT_EQ(ms.at(kHome + "p").at(dav_clark("getetag")).status, 403);
    EXPECT_NE(res.body().find("cannot-modify-protected-property"), std::string::npos);
    EXPECT_EQ(propfind(kHome + "p", prop_body({{"urn:a", "a"}})).at(kHome + "p").at("{urn:a}a").status,
              404);
}

TEST_F(DavTest, ProppatchDocumentOrder) {
    ASSERT_EQ(put("p"), 201);
    const std::string p = "<r xmlns=\"urn:a\">";
    ASSERT_EQ(status("PROPPATCH", kHome + "p",
                     patch(remove("<r xmlns=\"urn:a\"/>") + set(p + "x</r>") + set(p + "y</r>"))),
              207);
    EXPECT_EQ(propfind(kHome + "p", prop_body({{"urn:a", "r"}})).at(kHome + "p").at("{urn:a}r").value.text,
              "y");
    ASSERT_EQ(status("PROPPATCH", kHome + "p", patch(set(p + "x</r>") + remove("<r xmlns=\"urn:a\"/>"))),
              207);
    EXPECT_EQ(propfind(kHome + "p", prop_body({{"urn:a", "r"}})).at(kHome + "p").at("{urn:a}r").status,
              404);
}

TEST_F(DavTest, ProppatchNullNamespaceAndHighUnicode) {
    ASSERT_EQ(put("p"), 201);
    ASSERT_EQ(status("PROPPATCH", kHome + "p",
                     "<propertyupdate xmlns=\"DAV:\"><set><prop>"
                     "<nonamespace xmlns=\"\">randomvalue</nonamespace>"
                     "<high xmlns=\"urn:h\">&#65536;</high></prop></set></propertyupdate>"),
              207);
    const Multistatus ms = propfind(kHome + "p", prop_body({{"", "nonamespace"}, {"urn:h", "high"}}));
    EXPECT_EQ(ms.at(kHome + "p").at("{}nonamespace").value.text, "randomvalue");
    EXPECT_EQ(ms.at(kHome + "p").at("{urn:h}high").value.text, "\xf0\x90\x80\x80");
}

TEST_F(DavTest, DisplaynameIsSettable) {
    ASSERT_EQ(status("PROPPATCH", kHome, patch(set("<D:displayname>Mine</D:displayname>"))), 207);
    EXPECT_EQ(propfind(kHome, prop_body({{"DAV:", "displayname"}})).at(kHome).at(dav_clark("displayname")).value.text,
              "Mine");
}

TEST_F(DavTest, ProppatchTooLargeValueFails) {
    ASSERT_EQ(put("p"), 201);
    const std::string big(70 * 1024, 'x');
    const http::Response res = send("PROPPATCH", kHome + "p",
                                    patch(set("<a xmlns=\"urn:a\">1</a><b xmlns=\"urn:a\">" + big + "</b>")));
    const Multistatus ms = parse_multistatus(res.body());
    EXPECT_EQ(ms.at(kHome + "p").at("{urn:a}b").status, 507);
    EXPECT_EQ(ms.at(kHome + "p").at("{urn:a}a").status, 424);
}

TEST_F(DavTest, ProppatchErrors) {
    EXPECT_EQ(status("PROPPATCH", kHome, "<bad"), 400);
    EXPECT_EQ(status("PROPPATCH", kHome, "<D:propfind xmlns:D=\"DAV:\"/>"), 400);
    EXPECT_EQ(status("PROPPATCH", kHome + "missing", patch(set("<a xmlns=\"urn:a\"/>"))), 404);
    EXPECT_EQ(status("PROPPATCH", "/principals/users/alice/", patch(set("<a xmlns=\"urn:a\"/>"))), 405);
}

TEST_F(DavTest, MkcolStatuses) {
    EXPECT_EQ(mkcol("coll/"), 201);
    EXPECT_EQ(mkcol("coll/"), 405);
    EXPECT_EQ(mkcol("coll"), 405);
    EXPECT_EQ(mkcol("nope/sub/"), 409);
    ASSERT_EQ(put("plain"), 201);
    EXPECT_EQ(mkcol("plain"), 405);
    EXPECT_EQ(mkcol("plain/sub/"), 409);
    EXPECT_EQ(status("MKCOL", kHome + "body/", "afafafaf", {{"Content-Type", "xzy-foo/bar-512"}}), 415);
    EXPECT_EQ(status("MKCOL", kHome + "body2/", "<D:propfind xmlns:D=\"DAV:\"/>",
                     {{"Content-Type", "application/xml"}}),
              415);
    EXPECT_EQ(status("MKCOL", kHome + "body3/", "<bad", {{"Content-Type", "application/xml"}}), 400);
}

TEST_F(DavTest, ExtendedMkcolSetsProperties) {
    const std::string body =
        "<D:mkcol xmlns:D=\"DAV:\"><D:set><D:prop><D:resourcetype><D:collection/></D:resourcetype>"
        "<D:displayname>Work</D:displayname></D:prop></D:set></D:mkcol>";
    EXPECT_EQ(status("MKCOL", kHome + "ext/", body, {{"Content-Type", "application/xml"}}), 201);
    EXPECT_EQ(propfind(kHome + "ext/", prop_body({{"DAV:", "displayname"}}))
                  .at(kHome + "ext/").at(dav_clark("displayname")).value.text,
              "Work");
}

TEST_F(DavTest, ExtendedMkcolRejectsUnknownResourcetype) {
    const std::string body =
        "<D:mkcol xmlns:D=\"DAV:\"><D:set><D:prop><D:resourcetype><D:collection/><x:weird "
        "xmlns:x=\"urn:x\"/></D:resourcetype><D:displayname>W</D:displayname></D:prop></D:set>"
        "</D:mkcol>";
    const http::Response res =
        send("MKCOL", kHome + "ext/", body, {{"Content-Type", "text/xml"}});
    EXPECT_EQ(res.result_int(), 403u);
    const xml::Element root = xml::parse(res.body());
    EXPECT_EQ(root.name, xml::dav("mkcol-response"));
    EXPECT_NE(res.body().find("valid-resourcetype"), std::string::npos);
    EXPECT_EQ(status("GET", kHome + "ext/"), 404);
}

TEST_F(DavTest, PutGetRoundTrip) {
    const http::Response created = send("PUT", kHome + "f", "This is\na test\n", {{"Content-Type", "text/x-test"}});
    EXPECT_EQ(created.result_int(), 201u);
    const std::string etag(created[http::Field::etag]);
    EXPECT_EQ(etag.front(), '"');
    const http::Response got = send("GET", kHome + "f");
    EXPECT_EQ(got.body(), "This is\na test\n");
    EXPECT_EQ(got[http::Field::etag], etag);
    EXPECT_EQ(got[http::Field::content_type], "text/x-test");
    EXPECT_FALSE(std::string(got[http::Field::last_modified]).empty());
    const http::Response replaced = send("PUT", kHome + "f", "other");
    EXPECT_EQ(replaced.result_int(), 204u);
    EXPECT_NE(replaced[http::Field::etag], etag);
    EXPECT_EQ(send("GET", kHome + "f")[http::Field::content_type], "application/octet-stream");
}

TEST_F(DavTest, HeadHasNoBodyButLength) {
    ASSERT_EQ(put("f", "12345"), 201);
    const http::Response res = send("HEAD", kHome + "f");
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_TRUE(res.body().empty());
    EXPECT_EQ(res[http::Field::content_length], "5");
}

TEST_F(DavTest, PutErrors) {
    EXPECT_EQ(put("409me/noparent.txt"), 409);
    ASSERT_EQ(mkcol("c/"), 201);
    EXPECT_EQ(put("c"), 405);
    EXPECT_EQ(status("PUT", kHome + "c/", "x"), 405);
    EXPECT_EQ(put("ranged", "x", {{"Content-Range", "bytes 0-0/1"}}), 400);
    dav::Options o;
    o.max_resource_size = 4;
    make_dispatcher(o);
    EXPECT_EQ(put("big", "12345"), 413);
    EXPECT_EQ(put("small", "1234"), 201);
}

TEST_F(DavTest, ConditionalPut) {
    const http::Response c = send("PUT", kHome + "f", "one");
    const std::string etag(c[http::Field::etag]);
    EXPECT_EQ(put("f", "x", {{"If-None-Match", "*"}}), 412);
    EXPECT_EQ(put("new", "x", {{"If-None-Match", "*"}}), 201);
    EXPECT_EQ(put("f", "x", {{"If-Match", "\"nope\""}}), 412);
    EXPECT_EQ(put("missing", "x", {{"If-Match", "*"}}), 412);
    EXPECT_EQ(put("f", "two", {{"If-Match", etag}}), 204);
    EXPECT_EQ(put("f", "three", {{"If-Match", etag}}), 412);  // the ETag changed
}

TEST_F(DavTest, ConditionalGet) {
    const std::string etag(send("PUT", kHome + "f", "one")[http::Field::etag]);
    EXPECT_EQ(status("GET", kHome + "f", "", {{"If-None-Match", etag}}), 304);
    EXPECT_EQ(status("GET", kHome + "f", "", {{"If-None-Match", "W/" + etag}}), 304);
    EXPECT_EQ(status("GET", kHome + "f", "", {{"If-None-Match", "\"other\""}}), 200);
    EXPECT_EQ(status("GET", kHome + "f", "", {{"If-Match", "\"other\""}}), 412);
}

TEST_F(DavTest, GetCollectionIsEscapedHtmlListing) {
    ASSERT_EQ(put("%3Cb%3E.txt"), 201);
    const http::Response res = send("GET", kHome);
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_NE(res.body().find("&lt;b&gt;.txt"), std::string::npos);
    EXPECT_EQ(res.body().find("<b>"), std::string::npos);
    EXPECT_EQ(status("GET", "/"), 200);
}

TEST_F(DavTest, DeleteStatuses) {
    ASSERT_EQ(put("f"), 201);
    EXPECT_EQ(status("DELETE", kHome + "f"), 204);
    EXPECT_EQ(status("GET", kHome + "f"), 404);
    EXPECT_EQ(status("DELETE", kHome + "f"), 404);
    ASSERT_EQ(mkcol("c/"), 201);
    ASSERT_EQ(mkcol("c/d/"), 201);
    ASSERT_EQ(put("c/d/x"), 201);
    EXPECT_EQ(status("DELETE", kHome + "c/", "", {{"Depth", "0"}}), 400);
    EXPECT_EQ(status("DELETE", kHome + "c/"), 204);
    EXPECT_EQ(status("GET", kHome + "c/d/x"), 404);
    EXPECT_EQ(status("DELETE", kHome), 403);
    EXPECT_EQ(status("DELETE", kHome + "frag/#ment"), 400);
}

TEST_F(DavTest, DeleteWithIfMatch) {
    const std::string etag(send("PUT", kHome + "f", "one")[http::Field::etag]);
    EXPECT_EQ(status("DELETE", kHome + "f", "", {{"If-Match", "\"bad\""}}), 412);
    EXPECT_EQ(status("DELETE", kHome + "f", "", {{"If-Match", etag}}), 204);
}

}  // namespace
}  // namespace cosmo::test
