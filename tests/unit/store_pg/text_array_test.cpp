// text_array (src/store_pg/rows.hpp): the text[] literals that carry a
// group's arguments, PUT bodies among them, as one parameter each.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../../../src/store_pg/rows.hpp"

namespace cosmo::test {
namespace {

using store_pg::detail::text_array;

TEST(TextArray, EveryElementIsQuotedAndQuotesAndBackslashesAreEscaped) {
    EXPECT_EQ(text_array({}), "{}");
    EXPECT_EQ(text_array({""}), R"({""})");
    EXPECT_EQ(text_array({"a", "", "b c"}), R"({"a","","b c"})");
    EXPECT_EQ(text_array({R"(say "hi")", R"(\x00ff)", R"(\")"}),
              R"({"say \"hi\"","\\x00ff","\\\""})");
    EXPECT_EQ(text_array({"{,}", "NULL"}), R"({"{,}","NULL"})");
}

TEST(TextArray, ALongElementWithEscapesThroughout) {
    std::string item;
    std::string escaped;
    for (int i = 0; i < 3000; ++i) {
        const char c = "ab\"\\,{ }x"[i % 9];
        item += c;
        if (c == '"' || c == '\\') escaped += '\\';
        escaped += c;
    }
    EXPECT_EQ(text_array({item, "z"}), "{\"" + escaped + "\",\"z\"}");
}

}  // namespace
}  // namespace cosmo::test
