/// The query memos' bookkeeping (src/caldav/match_memo.hpp): values by
/// context and ETag, bounded by their summed weight, emptied when full.

#include <gtest/gtest.h>

#include "../../../src/caldav/match_memo.hpp"

namespace cosmo::caldav::detail {
namespace {

const std::string kA(32, 'a');
const std::string kB(32, 'b');
const std::string kC = "0123456789abcdef0123456789abcdef";

TEST(EtagMemo, KeepsByContextAndEtag) {
    MatchMemo memo(10);
    memo.remember("ctx", kA, true);
    memo.remember("ctx", kB, false);
    EXPECT_EQ(memo.find("ctx", kA), std::optional<bool>(true));
    EXPECT_EQ(memo.find("ctx", kB), std::optional<bool>(false));
    EXPECT_EQ(memo.find("other", kA), std::nullopt);
    EXPECT_EQ(memo.find("ctx", kC), std::nullopt);
    memo.remember("ctx", "\"quoted\"", true);  // not a strong ETag: ignored
    memo.remember("ctx", std::string(32, 'A'), true);
    EXPECT_EQ(memo.size(), 2u);
}

TEST(EtagMemo, WeightsAreCountedOnceAndTheMemoEmptiesWhenFull) {
    InstanceMemo memo(12);
    const auto two = std::make_shared<const std::vector<ical::Instance>>(2);
    memo.remember("ctx", kA, two);      // weight 4 + 2
    memo.remember("ctx", kA, two);      // the same again: still 6
    memo.remember("ctx", kB, nullptr);  // a refusal weighs 2
    EXPECT_EQ(memo.size(), 8u);
    ASSERT_TRUE(memo.find("ctx", kB));
    EXPECT_EQ(*memo.find("ctx", kB), nullptr);
    memo.remember("ctx", kC, two);  // 8 + 6 > 12: emptied first
    EXPECT_EQ(memo.size(), 6u);
    EXPECT_FALSE(memo.find("ctx", kA));
    EXPECT_TRUE(memo.find("ctx", kC));
}

TEST(EtagMemo, CapacityZeroKeepsNothing) {
    MatchMemo memo(0);
    memo.remember("ctx", kA, true);
    EXPECT_EQ(memo.find("ctx", kA), std::nullopt);
    EXPECT_EQ(memo.size(), 0u);
}

}  // namespace
}  // namespace cosmo::caldav::detail
