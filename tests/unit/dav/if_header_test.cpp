/// If header parser and evaluator, table-driven (RFC 4918 §10.4).

#include <gtest/gtest.h>

#include "cosmo/dav/if_header.hpp"

namespace cosmo::dav {
namespace {

struct ParseCase {
    const char* header;
    std::vector<IfList> expected;
};

class IfParseTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(IfParseTest, Parses) { EXPECT_EQ(parse_if_header(GetParam().header), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(
    Cases, IfParseTest,
    ::testing::Values(
        ParseCase{"(<urn:uuid:a>)", {IfList{std::nullopt, {{false, false, "urn:uuid:a"}}}}},
        ParseCase{"(<urn:uuid:a> [\"e1\"])",
                  {IfList{std::nullopt, {{false, false, "urn:uuid:a"}, {false, true, "\"e1\""}}}}},
        ParseCase{"(Not <DAV:no-lock>)", {IfList{std::nullopt, {{true, false, "DAV:no-lock"}}}}},
        ParseCase{"(<urn:uuid:a>) (Not <DAV:no-lock>)",
                  {IfList{std::nullopt, {{false, false, "urn:uuid:a"}}},
                   IfList{std::nullopt, {{true, false, "DAV:no-lock"}}}}},
        ParseCase{"<http://h/a> (<urn:uuid:a>) <http://h/b> ([W/\"x\"])",
                  {IfList{"http://h/a", {{false, false, "urn:uuid:a"}}},
                   IfList{"http://h/b", {{false, true, "W/\"x\""}}}}},
        ParseCase{"  (  [\"a]b\"]  )  ", {IfList{std::nullopt, {{false, true, "\"a]b\""}}}}}));

class IfMalformedTest : public ::testing::TestWithParam<const char*> {};

TEST_P(IfMalformedTest, Throws) { EXPECT_ANY_THROW(parse_if_header(GetParam())); }

INSTANTIATE_TEST_SUITE_P(Cases, IfMalformedTest,
                         ::testing::Values("", "garbage", "()", "(<a>", "(<>)", "<http://x>",
                                           "(<a>) <http://x> (<b>)", "([noquote])", "(Not)",
                                           "(<a> x)"));

struct EvalCase {
    const char* header;
    bool expected;
};

class IfEvalTest : public ::testing::TestWithParam<EvalCase> {};

TEST_P(IfEvalTest, Evaluates) {
    // Request URI: ETag "e1", locked with urn:uuid:t. Tagged /other: nothing.
    const IfStateLookup lookup = [](const std::optional<std::string>& tag) {
        IfResourceState s;
        if (!tag || *tag == "/r") {
            s.etag = "\"e1\"";
            s.lock_tokens = {"urn:uuid:t"};
        }
        return s;
    };
    EXPECT_EQ(evaluate_if(parse_if_header(GetParam().header), lookup), GetParam().expected)
        << GetParam().header;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, IfEvalTest,
    ::testing::Values(EvalCase{"(<urn:uuid:t>)", true}, EvalCase{"(<urn:uuid:x>)", false},
                      EvalCase{"([\"e1\"])", true}, EvalCase{"([W/\"e1\"])", true},
                      EvalCase{"([\"e2\"])", false}, EvalCase{"(<urn:uuid:t> [\"e1\"])", true},
                      EvalCase{"(<urn:uuid:t> [\"e2\"])", false},
                      EvalCase{"(<DAV:no-lock>)", false}, EvalCase{"(Not <DAV:no-lock>)", true},
                      EvalCase{"(Not <urn:uuid:t>)", false},
                      EvalCase{"(<urn:uuid:x>) (Not <DAV:no-lock>)", true},
                      EvalCase{"(<urn:uuid:t> [\"e2\"]) (Not <DAV:no-lock> [\"e2\"])", false},
                      EvalCase{"</r> (<urn:uuid:t>)", true}, EvalCase{"</other> (<urn:uuid:t>)", false},
                      EvalCase{"</other> ([\"e1\"]) </r> ([\"e1\"])", true}));

TEST(IfTokens, OnlyUnnegatedStateTokensAreSubmitted) {
    const auto lists = parse_if_header("</a> (<urn:uuid:a> [\"e\"]) (Not <urn:uuid:b>) </x> (<urn:uuid:c>)");
    EXPECT_EQ(submitted_tokens(lists), (std::vector<std::string>{"urn:uuid:a", "urn:uuid:c"}));
}

TEST(IfEtags, WeakPrefixIgnored) {
    EXPECT_TRUE(etags_match("W/\"a\"", "\"a\""));
    EXPECT_FALSE(etags_match("\"a\"", "\"b\""));
}

}  // namespace
}  // namespace cosmo::dav
