// xml::parse: namespaces, refusal of DTDs, limits, malformed input, text.

#include <gtest/gtest.h>

#include <string>

#include "cosmo/xml/reader.hpp"

namespace cosmo::xml {
namespace {

QName q(std::string ns, std::string local) { return {std::move(ns), std::move(local)}; }

TEST(ReaderNamespaces, PrefixedDavNamespace) {
    const Element e = parse(
        R"(<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>)");
    EXPECT_EQ(e.name, dav("propfind"));
    ASSERT_EQ(e.children.size(), 1u);
    EXPECT_EQ(e.children[0].name, dav("prop"));
    ASSERT_NE(e.children[0].child(dav("getetag")), nullptr);
}

TEST(ReaderNamespaces, DefaultNamespaceAppliesToElements) {
    const Element e = parse(R"(<propfind xmlns="DAV:"><allprop/></propfind>)");
    EXPECT_EQ(e.name, dav("propfind"));
    EXPECT_EQ(e.children.at(0).name, dav("allprop"));
}

TEST(ReaderNamespaces, DefaultNamespaceDoesNotApplyToAttributes) {
    const Element e = parse(R"(<comp xmlns="urn:ietf:params:xml:ns:caldav" name="VEVENT"/>)");
    EXPECT_EQ(e.name, caldav("comp"));
    ASSERT_EQ(e.attributes.size(), 1u);
    EXPECT_EQ(e.attributes[0].name, q("", "name"));
    EXPECT_EQ(e.attribute("name"), "VEVENT");
}

TEST(ReaderNamespaces, PrefixedAttributeIsNamespaced) {
    const Element e = parse(R"(<a xmlns:p="urn:p" p:x="1" x="2"/>)");
    ASSERT_EQ(e.attributes.size(), 2u);
    EXPECT_EQ(e.attributes[0].name, q("urn:p", "x"));
    EXPECT_EQ(e.attributes[0].value, "1");
    // attribute() looks only at the null namespace.
    EXPECT_EQ(e.attribute("x"), "2");
    EXPECT_EQ(e.attribute("missing"), "");
}

TEST(ReaderNamespaces, DeclarationsAreNotAttributes) {
    const Element e = parse(R"(<a xmlns="urn:a" xmlns:b="urn:b"/>)");
    EXPECT_TRUE(e.attributes.empty());
}

TEST(ReaderNamespaces, RedeclaredPrefixIsScoped) {
    const Element e = parse(
        R"(<p:a xmlns:p="urn:one"><p:b xmlns:p="urn:two"><p:c/></p:b><p:d/></p:a>)");
    EXPECT_EQ(e.name, q("urn:one", "a"));
    EXPECT_EQ(e.children.at(0).name, q("urn:two", "b"));
    EXPECT_EQ(e.children.at(0).children.at(0).name, q("urn:two", "c"));
    EXPECT_EQ(e.children.at(1).name, q("urn:one", "d"));
}

TEST(ReaderNamespaces, EmptyDefaultResetsToNullNamespace) {
    const Element e =
        parse(R"(<D:prop xmlns:D="DAV:" xmlns="DAV:"><foo xmlns=""><bar/></foo><baz/></D:prop>)");
    EXPECT_EQ(e.children.at(0).name, q("", "foo"));
    EXPECT_EQ(e.children.at(0).children.at(0).name, q("", "bar"));
    EXPECT_EQ(e.children.at(1).name, dav("baz"));
}

TEST(ReaderNamespaces, NoDeclarationMeansNullNamespace) {
    const Element e = parse("<a><b/></a>");
    EXPECT_EQ(e.name, q("", "a"));
    EXPECT_EQ(e.children.at(0).name, q("", "b"));
}

TEST(ReaderNamespaces, UndeclaredElementPrefixIsRefused) {
    EXPECT_THROW(parse("<D:propfind/>"), ParseError);
    EXPECT_THROW(parse(R"(<a><p:b/></a>)"), ParseError);
    EXPECT_NO_THROW(parse(R"(<a xmlns:p="urn:p"><p:b/></a><!-- trailing comment -->)"));
}

TEST(ReaderNamespaces, UndeclaredAttributePrefixIsRefused) {
    EXPECT_THROW(parse(R"(<a q:x="1"/>)"), ParseError);
}

TEST(ReaderNamespaces, PrefixOutOfScopeIsRefused) {
    EXPECT_THROW(parse(R"(<a><b xmlns:p="urn:p"/><p:c/></a>)"), ParseError);
}

TEST(ReaderNamespaces, ReservedPrefixesAndEmptyPrefixedDeclaration) {
    EXPECT_THROW(parse(R"(<a xmlns:p=""/>)"), ParseError);
    EXPECT_THROW(parse(R"(<a xmlns:xml="urn:not-xml"/>)"), ParseError);
    EXPECT_THROW(parse(R"(<a xmlns:xmlns="urn:x"/>)"), ParseError);
    EXPECT_THROW(parse(R"(<a:b:c xmlns:a="urn:a"/>)"), ParseError);
}

TEST(ReaderNamespaces, DuplicateExpandedAttributeIsRefused) {
    EXPECT_THROW(parse(R"(<a xmlns:p="urn:x" xmlns:q="urn:x" p:v="1" q:v="2"/>)"), ParseError);
}

TEST(ReaderLang, XmlLangIsInherited) {
    const Element e =
        parse(R"(<a xml:lang="en"><b><c xml:lang="fr"><d/></c></b><e/></a>)");
    EXPECT_EQ(e.lang, "en");
    EXPECT_EQ(e.children.at(0).lang, "en");
    EXPECT_EQ(e.children.at(0).children.at(0).lang, "fr");
    EXPECT_EQ(e.children.at(0).children.at(0).children.at(0).lang, "fr");
    EXPECT_EQ(e.children.at(1).lang, "en");
    EXPECT_EQ(e.attributes.at(0).name,
              q("http://www.w3.org/XML/1998/namespace", "lang"));
    EXPECT_EQ(parse("<a/>").lang, "");
}

TEST(ReaderSecurity, DoctypeIsRefused) {
    try {
        parse(R"(<!DOCTYPE propfind SYSTEM "http://example.com/x.dtd"><propfind/>)");
        FAIL() << "DOCTYPE accepted";
    } catch (const ParseError& e) {
        EXPECT_STREQ(e.what(), "DOCTYPE not allowed");
    }
}

TEST(ReaderSecurity, BillionLaughsIsRefused) {
    const std::string bomb = R"(<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<lolz>&lol9;</lolz>)";
    EXPECT_THROW(parse(bomb), ParseError);
}

TEST(ReaderSecurity, ExternalEntityIsRefused) {
    EXPECT_THROW(parse(R"(<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>)"),
                 ParseError);
}

TEST(ReaderSecurity, DoctypeWithoutEntitiesIsRefused) {
    EXPECT_THROW(parse("<!DOCTYPE a><a/>"), ParseError);
}

TEST(ReaderLimits, DepthLimit) {
    std::string doc;
    for (int i = 0; i < 10; ++i) {
        doc += "<a>";
    }
    for (int i = 0; i < 10; ++i) {
        doc += "</a>";
    }
    EXPECT_NO_THROW(parse(doc, Limits{.max_depth = 10, .max_elements = 100}));
    EXPECT_THROW(parse(doc, Limits{.max_depth = 9, .max_elements = 100}), ParseError);
}

TEST(ReaderLimits, DeepNestingBombWithDefaults) {
    std::string doc;
    for (int i = 0; i < 100000; ++i) {
        doc += "<a>";
    }
    for (int i = 0; i < 100000; ++i) {
        doc += "</a>";
    }
    EXPECT_THROW(parse(doc), ParseError);
}

TEST(ReaderLimits, ElementCountLimit) {
    std::string doc = "<r>";
    for (int i = 0; i < 9; ++i) {
        doc += "<c/>";
    }
    doc += "</r>";  // 10 elements in all
    EXPECT_NO_THROW(parse(doc, Limits{.max_depth = 64, .max_elements = 10}));
    EXPECT_THROW(parse(doc, Limits{.max_depth = 64, .max_elements = 9}), ParseError);
}

TEST(ReaderMalformed, RefusesBrokenDocuments) {
    for (const char* doc : {"<a>", "<a></b>", "<a x='1></a>", "<a><b></a></b>", "<<a/>",
                            "<a/><b/>", "text<a/>", "<a/>text", "<a>&#xD800;</a>"}) {
        EXPECT_THROW(parse(doc), ParseError) << doc;
    }
}

TEST(ReaderMalformed, EmptyOrElementlessBody) {
    EXPECT_THROW(parse(""), ParseError);
    EXPECT_THROW(parse("  \r\n "), ParseError);
    EXPECT_THROW(parse("<?xml version=\"1.0\"?>"), ParseError);
    EXPECT_THROW(parse("<!-- only a comment -->"), ParseError);
}

TEST(ReaderMalformed, InvalidUtf8AndControlCharactersAreRefused) {
    EXPECT_THROW(parse("<a>\xC3</a>"), ParseError);          // truncated sequence
    EXPECT_THROW(parse("<a>\xC0\xAF</a>"), ParseError);      // overlong '/'
    EXPECT_THROW(parse("<a>\xED\xA0\x80</a>"), ParseError);  // UTF-16 surrogate
    EXPECT_THROW(parse("<a>\x01</a>"), ParseError);
    EXPECT_THROW(parse("<a x=\"\xFF\"/>"), ParseError);
}

TEST(ReaderMalformed, ErrorMessageNamesTheProblem) {
    try {
        parse("<a><b></a>");
        FAIL();
    } catch (const ParseError& e) {
        EXPECT_NE(std::string(e.what()).find("malformed XML"), std::string::npos);
    }
}

TEST(ReaderText, XmlDeclarationAndSurroundingWhitespaceAccepted) {
    const Element e = parse("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a>x</a>\n");
    EXPECT_EQ(e.text, "x");
}

TEST(ReaderText, TextConcatenatesDirectTextAndCdata) {
    const Element e = parse("<a>one<b>inner</b> two<![CDATA[ <three> ]]></a>");
    EXPECT_EQ(e.text, "one two <three> ");
    EXPECT_EQ(e.children.at(0).text, "inner");
}

TEST(ReaderText, EntitiesAndCharacterReferencesAreDecoded) {
    const Element e = parse("<a>&lt;&amp;&gt;&quot;&apos;&#233;&#x1F600;</a>");
    EXPECT_EQ(e.text, "<&>\"'\xC3\xA9\xF0\x9F\x98\x80");
}

TEST(ReaderText, WhitespaceIsKeptAndTrimmedTextStripsIt) {
    const Element e = parse("<a>\n  <b>  x y \t</b>\n</a>");
    EXPECT_EQ(e.text, "\n  \n");
    EXPECT_EQ(e.trimmed_text(), "");
    EXPECT_EQ(e.children.at(0).text, "  x y \t");
    EXPECT_EQ(e.children.at(0).trimmed_text(), "x y");
}

TEST(ReaderText, UnicodeTextIsUtf8Unchanged) {
    const std::string value = "\xE6\x97\xA5\xE6\x9C\xAC \xC3\xA9t\xC3\xA9 \xF0\x9D\x84\x9E";
    const Element e = parse("<a>" + value + "</a>");
    EXPECT_EQ(e.text, value);
}

TEST(ReaderText, Utf16InputWithBomIsConverted) {
    const std::string utf16le("\xFF\xFE<\0a\0>\0\xE9\0<\0/\0a\0>\0", 18);
    const Element e = parse(utf16le);
    EXPECT_EQ(e.name, q("", "a"));
    EXPECT_EQ(e.text, "\xC3\xA9");
}

TEST(ReaderElement, ChildFindsFirstMatchOnly) {
    const Element e = parse(R"(<a xmlns:D="DAV:"><D:x>1</D:x><x>null</x><D:x>2</D:x></a>)");
    ASSERT_NE(e.child(dav("x")), nullptr);
    EXPECT_EQ(e.child(dav("x"))->text, "1");
    EXPECT_EQ(e.child(q("", "x"))->text, "null");
    EXPECT_EQ(e.child(dav("y")), nullptr);
}

}  // namespace
}  // namespace cosmo::xml
