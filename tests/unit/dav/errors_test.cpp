/// The single error path: store errors, retries, internal errors.

#include "dav_fixture.hpp"

namespace cosmo::test {
namespace {

TEST_F(DavTest, ShardUnavailableIs503WithRetryAfter) {
    shards.fail_next_opens(store::Errc::kShardUnavailable);
    const http::Response res = send("GET", kHome);
    EXPECT_EQ(res.result_int(), 503u);
    EXPECT_EQ(res[http::Field::retry_after], "5");
    EXPECT_EQ(res.body().find("injected"), std::string::npos);  // no detail leaks
}

TEST_F(DavTest, ReadOnlyIs503) {
    shards.fail_next_opens(store::Errc::kReadOnly);
    EXPECT_EQ(status("PUT", kHome + "x", "x"), 503);
}

TEST_F(DavTest, RetryableIsRetriedOnce) {
    ASSERT_EQ(put("x"), 201);
    shards.fail_next_opens(store::Errc::kRetryable, 1);
    EXPECT_EQ(status("GET", kHome + "x"), 200);
    shards.fail_next_opens(store::Errc::kRetryable, 2);
    EXPECT_EQ(status("GET", kHome + "x"), 503);
}

TEST_F(DavTest, ReadsOfAHomeThatMovedMeanwhileAreRunAgain) {
    ASSERT_EQ(put("x"), 201);
    const int opens = shards.opens();
    shards.fail_next_confirms(1);
    EXPECT_EQ(status("PROPFIND", kHome, "", {{"Depth", "1"}}), 207);
    EXPECT_EQ(shards.opens(), opens + 2);  // a fresh route, a second run
    // A refusal rests on reads too: it is confirmed before it is sent.
    shards.fail_next_confirms(1);
    EXPECT_EQ(status("GET", kHome + "missing"), 404);
    EXPECT_EQ(shards.opens(), opens + 4);
    // Moved again under the second run: the client may retry later.
    shards.fail_next_confirms(2);
    EXPECT_EQ(status("GET", kHome + "x"), 503);
}

TEST_F(DavTest, InternalErrorIs500WithRequestIdOnly) {
    shards.fail_next_opens(store::Errc::kInternal);
    const http::Response res = send("GET", kHome);
    EXPECT_EQ(res.result_int(), 500u);
    EXPECT_NE(res.body().find("req-1"), std::string::npos);
    EXPECT_EQ(res.body().find("injected"), std::string::npos);
}

TEST_F(DavTest, VirtualCollectionsNeedNoStore) {
    shards.fail_next_opens(store::Errc::kShardUnavailable, 5);
    EXPECT_EQ(status("PROPFIND", "/", "", {{"Depth", "0"}}), 207);
    EXPECT_EQ(status("PROPFIND", "/principals/users/alice/", "", {{"Depth", "0"}}), 207);
}

TEST_F(DavTest, HomeIsCreatedOnFirstVisit) {
    const Multistatus ms = propfind(kHome, prop_body({{"DAV:", "resourcetype"}}));
    EXPECT_TRUE(ms.count(kHome));
    const auto alice = directory.find_user("alice");
    EXPECT_TRUE(shards.snapshot(alice->id).entries.count(""));
}

TEST_F(DavTest, WritesCommitOnlyOnSuccess) {
    ASSERT_EQ(put("x", "one"), 201);
    const auto alice = directory.find_user("alice");
    EXPECT_EQ(shards.snapshot(alice->id).entries.at("x").body, "one");
    EXPECT_EQ(put("x", "two", {{"If-Match", "\"wrong\""}}), 412);
    EXPECT_EQ(shards.snapshot(alice->id).entries.at("x").body, "one");
}

}  // namespace
}  // namespace cosmo::test
