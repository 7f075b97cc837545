/// COPY and MOVE (RFC 4918 §9.8, §9.9).

#include "dav_fixture.hpp"

namespace cosmo::test {
namespace {

class CopyMoveTest : public DavTest {
protected:
    int cm(const char* method, const std::string& from, const std::string& to, Headers h = {}) {
        h.emplace_back("Destination", to);
        return status(method, kHome + from, "", h);
    }
};

TEST_F(CopyMoveTest, CopySimpleOverwriteMatrix) {
    ASSERT_EQ(put("src", "source"), 201);
    ASSERT_EQ(put("other", "other"), 201);
    EXPECT_EQ(cm("COPY", "src", kHome + "dst"), 201);
    EXPECT_EQ(send("GET", kHome + "dst").body(), "source");
    EXPECT_EQ(cm("COPY", "other", kHome + "dst", {{"Overwrite", "F"}}), 412);
    EXPECT_EQ(send("GET", kHome + "dst").body(), "source");
    EXPECT_EQ(cm("COPY", "other", kHome + "dst", {{"Overwrite", "T"}}), 204);
    EXPECT_EQ(send("GET", kHome + "dst").body(), "other");
    EXPECT_EQ(cm("COPY", "other", kHome + "dst", {{"Overwrite", "X"}}), 400);
}

TEST_F(CopyMoveTest, CopyErrors) {
    ASSERT_EQ(put("src"), 201);
    EXPECT_EQ(cm("COPY", "src", kHome + "nodest/dst"), 409);
    EXPECT_EQ(cm("COPY", "src", kHome + "src"), 403);
    EXPECT_EQ(cm("COPY", "missing", kHome + "x"), 404);
    EXPECT_EQ(status("COPY", kHome + "src"), 400);  // no Destination
    EXPECT_EQ(cm("COPY", "src", "/calendars/users/bob/x"), 502);
    EXPECT_EQ(cm("COPY", "src", "/principals/users/alice/x"), 502);
    EXPECT_EQ(cm("COPY", "src", "/elsewhere/x"), 502);
    EXPECT_EQ(cm("COPY", "src", "/calendars/users/alice/../x"), 400);
    EXPECT_EQ(cm("COPY", "src", kHome), 403);
}

TEST_F(CopyMoveTest, AbsoluteDestination) {
    ASSERT_EQ(put("src"), 201);
    EXPECT_EQ(cm("COPY", "src", "http://localhost:8080" + kHome + "abs"), 201);
    EXPECT_EQ(status("GET", kHome + "abs"), 200);
}

TEST_F(CopyMoveTest, CopyCollectionDepths) {
    ASSERT_EQ(mkcol("c/"), 201);
    ASSERT_EQ(put("c/a"), 201);
    ASSERT_EQ(mkcol("c/sub/"), 201);
    ASSERT_EQ(put("c/sub/b"), 201);
    EXPECT_EQ(cm("COPY", "c/", kHome + "deep/"), 201);
    EXPECT_EQ(status("GET", kHome + "deep/sub/b"), 200);
    EXPECT_EQ(cm("COPY", "c/", kHome + "shallow/", {{"Depth", "0"}}), 201);
    EXPECT_EQ(status("PROPFIND", kHome + "shallow/", "", {{"Depth", "0"}}), 207);
    EXPECT_EQ(status("GET", kHome + "shallow/a"), 404);
    EXPECT_EQ(cm("COPY", "c/", kHome + "one/", {{"Depth", "1"}}), 400);
    EXPECT_EQ(cm("COPY", "c/", kHome + "deep/", {{"Overwrite", "F"}}), 412);
    EXPECT_EQ(cm("COPY", "c/", kHome + "deep/"), 204);
    EXPECT_EQ(cm("COPY", "c/", kHome + "c/inside/"), 403);
}

TEST_F(CopyMoveTest, DeadPropertiesFollowCopyAndMove) {
    ASSERT_EQ(put("src"), 201);
    ASSERT_EQ(status("PROPPATCH", kHome + "src",
                     "<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop><a xmlns=\"urn:a\">v</a>"
                     "</D:prop></D:set></D:propertyupdate>"),
              207);
    ASSERT_EQ(cm("COPY", "src", kHome + "copy"), 201);
    EXPECT_EQ(propfind(kHome + "copy", prop_body({{"urn:a", "a"}})).at(kHome + "copy").at("{urn:a}a").value.text, "v");
    ASSERT_EQ(cm("MOVE", "copy", kHome + "moved"), 201);
    EXPECT_EQ(propfind(kHome + "moved", prop_body({{"urn:a", "a"}})).at(kHome + "moved").at("{urn:a}a").value.text, "v");
    EXPECT_EQ(status("GET", kHome + "copy"), 404);
}

TEST_F(CopyMoveTest, MoveMatrix) {
    ASSERT_EQ(put("m1", "one"), 201);
    ASSERT_EQ(put("m2", "two"), 201);
    EXPECT_EQ(cm("MOVE", "m1", kHome + "m2", {{"Overwrite", "F"}}), 412);
    EXPECT_EQ(cm("MOVE", "m1", kHome + "m2"), 204);
    EXPECT_EQ(send("GET", kHome + "m2").body(), "one");
    EXPECT_EQ(status("GET", kHome + "m1"), 404);
    ASSERT_EQ(mkcol("mc/"), 201);
    ASSERT_EQ(put("mc/x"), 201);
    EXPECT_EQ(cm("MOVE", "mc/", kHome + "mc2/", {{"Depth", "0"}}), 400);
    EXPECT_EQ(cm("MOVE", "mc/", kHome + "mc2/"), 201);
    EXPECT_EQ(status("GET", kHome + "mc2/x"), 200);
    // A collection onto an existing object with Overwrite: T replaces it.
    EXPECT_EQ(cm("MOVE", "mc2/", kHome + "m2"), 204);
    EXPECT_EQ(status("GET", kHome + "m2/x"), 200);
    EXPECT_EQ(status("MOVE", kHome, "", {{"Destination", kHome + "x/"}}), 403);
}

}  // namespace
}  // namespace cosmo::test
