#include "cosmo/auth/basic_credentials.hpp"
#include "cosmo/auth/password.hpp"

#include <gtest/gtest.h>

using namespace cosmo::auth;

namespace {
// Small parameters keep the tests fast; the format is the same.
constexpr ScryptParams kFast{10, 8, 1};
}  // namespace

TEST(Password, VerifiesTheRightPassword) {
    auto hash = hash_password("s3cret", kFast);
    EXPECT_TRUE(hash.starts_with("scrypt$10$8$1$"));
    EXPECT_TRUE(verify_password("s3cret", hash));
}

TEST(Password, RejectsAWrongPassword) {
    auto hash = hash_password("s3cret", kFast);
    EXPECT_FALSE(verify_password("s3cret ", hash));
    EXPECT_FALSE(verify_password("", hash));
}

TEST(Password, SaltsEveryHash) {
    EXPECT_NE(hash_password("same", kFast), hash_password("same", kFast));
}

TEST(Password, MalformedHashesNeverMatch) {
    EXPECT_FALSE(verify_password("x", ""));
    EXPECT_FALSE(verify_password("x", "plain"));
    EXPECT_FALSE(verify_password("x", "scrypt$10$8$1$!!!!$AAAA"));
    EXPECT_FALSE(verify_password("x", "scrypt$99$8$1$AAAA$AAAA"));
    EXPECT_FALSE(verify_password("x", "md5$abc"));
}

TEST(Password, DefaultParametersWork) {
    auto hash = hash_password("pw");
    EXPECT_TRUE(verify_password("pw", hash));
}

TEST(BasicCredentials, ParsesUserAndPassword) {
    auto c = parse_basic("Basic YWxpY2U6cGE6c3M=");  // alice:pa:ss
    ASSERT_TRUE(c);
    EXPECT_EQ(c->user, "alice");
    EXPECT_EQ(c->password, "pa:ss");
}

TEST(BasicCredentials, SchemeIsCaseInsensitive) {
    EXPECT_TRUE(parse_basic("basic YWxpY2U6eA=="));
}

TEST(BasicCredentials, RejectsOtherSchemesAndGarbage) {
    EXPECT_FALSE(parse_basic(""));
    EXPECT_FALSE(parse_basic("Bearer abc"));
    EXPECT_FALSE(parse_basic("Basic !!!"));
    EXPECT_FALSE(parse_basic("Basic bm9jb2xvbg=="));  // "nocolon"
    EXPECT_FALSE(parse_basic("Basic OnB3"));          // ":pw" has no user
}
