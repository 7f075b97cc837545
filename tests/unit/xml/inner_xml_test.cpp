// Element::inner_xml: dead property values stored and embedded elsewhere must
// keep their structure and namespaces (RFC 4918 §4.3; litmus "props").

#include <gtest/gtest.h>

#include <string>

#include "cosmo/xml/reader.hpp"
#include "cosmo/xml/writer.hpp"

namespace cosmo::xml {
namespace {

/// Structural equality: names, attributes, trimmed text, children, recursively.
void expect_same(const Element& a, const Element& b, const std::string& path = "") {
    const std::string here = path + "/" + a.name.clark();
    EXPECT_EQ(a.name, b.name) << here;
    EXPECT_EQ(a.trimmed_text(), b.trimmed_text()) << here;
    ASSERT_EQ(a.attributes.size(), b.attributes.size()) << here;
    for (std::size_t i = 0; i < a.attributes.size(); ++i) {
        EXPECT_EQ(a.attributes[i].name, b.attributes[i].name) << here;
        EXPECT_EQ(a.attributes[i].value, b.attributes[i].value) << here;
    }
    ASSERT_EQ(a.children.size(), b.children.size()) << here;
    for (std::size_t i = 0; i < a.children.size(); ++i) {
        expect_same(a.children[i], b.children[i], here);
    }
}

/// The dead property `value` (the element inside D:prop) of a PROPPATCH.
const Element& prop_value(const Element& propertyupdate) {
    return propertyupdate.children.at(0).children.at(0).children.at(0);
}

/// Stores `prop`'s inner_xml, writes it back into a multistatus the way a
/// PROPFIND would, reparses, and returns the property element found there.
Element round_trip(const Element& prop) {
    Writer w;
    w.start(dav("multistatus")).start(dav("response")).start(dav("propstat")).start(dav("prop"));
    w.start(prop.name).raw(prop.inner_xml);
    const Element ms = parse(w.finish());
    return ms.children.at(0).children.at(0).children.at(0).children.at(0);
}

TEST(InnerXml, TextOnlyValueIsEscapedText) {
    const Element e = parse("<a>x &amp; &lt;y&gt;</a>");
    EXPECT_EQ(e.inner_xml, "x &amp; &lt;y&gt;");
    EXPECT_EQ(parse("<a/>").inner_xml, "");
}

TEST(InnerXml, RootCanBeSkippedChildrenKeepTheirs) {
    constexpr std::string_view doc =
        R"(<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x:p xmlns:x="urn:x">v</x:p>)"
        R"(</D:prop></D:set></D:propertyupdate>)";
    const Element kept = parse(doc);
    const Element skipped = parse(doc, {}, RootInnerXml::kSkip);
    EXPECT_FALSE(kept.inner_xml.empty());
    EXPECT_TRUE(skipped.inner_xml.empty());
    const Element& prop = skipped.children.at(0).children.at(0);
    EXPECT_EQ(prop.inner_xml, kept.children.at(0).children.at(0).inner_xml);
    EXPECT_EQ(prop.children.at(0).inner_xml, "v");
}

TEST(InnerXml, ChildCarriesNamespacesInScope) {
    const Element e = parse(R"(<D:a xmlns:D="DAV:" xmlns:Z="urn:z"><Z:b>1</Z:b></D:a>)");
    const Element reparsed = parse(e.inner_xml);
    EXPECT_EQ(reparsed.name, (QName{"urn:z", "b"}));
    EXPECT_EQ(reparsed.text, "1");
}

TEST(InnerXml, DefaultNamespaceOfTheRequestIsCarried) {
    // <foo> here is in DAV: through the default namespace of the request.
    const Element e = parse(R"(<propertyupdate xmlns="DAV:"><set><prop>)"
                            R"(<x xmlns="urn:x"><foo>bar</foo></x></prop></set></propertyupdate>)");
    const Element& value = prop_value(e);
    EXPECT_EQ(value.name, (QName{"urn:x", "x"}));
    EXPECT_EQ(parse(value.inner_xml).name, (QName{"urn:x", "foo"}));
}

TEST(InnerXml, NullNamespaceInsideDefaultNamespaceSurvives) {
    const Element e = parse(R"(<a xmlns="urn:a"><b xmlns=""><c/></b></a>)");
    const Element reparsed = parse("<wrap xmlns=\"urn:other\">" + e.inner_xml + "</wrap>");
    EXPECT_EQ(reparsed.children.at(0).name, (QName{"", "b"}));
    EXPECT_EQ(reparsed.children.at(0).children.at(0).name, (QName{"", "c"}));
}

TEST(InnerXml, MixedNamespacesRoundTripThroughWriter) {
    const std::string request = R"(<?xml version="1.0" encoding="utf-8"?>
<D:propertyupdate xmlns:D="DAV:" xmlns:Z="http://example.com/z" xmlns="http://example.com/dflt">
  <D:set><D:prop>
    <Z:complex Z:kind="k" plain="p &amp; q">
      lead text
      <D:href>/a/b</D:href>
      <inner>default-ns</inner>
      <Y:other xmlns:Y="http://example.com/y" Y:attr="yv"><Y:deep>d</Y:deep></Y:other>
      <nullns xmlns=""><still/></nullns>
      <Z:amp>&lt;&amp;&gt;</Z:amp>
    </Z:complex>
  </D:prop></D:set>
</D:propertyupdate>)";
    const Element original = prop_value(parse(request));
    ASSERT_EQ(original.name, (QName{"http://example.com/z", "complex"}));
    const Element back = round_trip(original);
    // Attributes of the property element itself are not part of its value.
    Element expected = original;
    expected.attributes.clear();
    expect_same(back, expected);
    EXPECT_EQ(back.children.at(1).name, (QName{"http://example.com/dflt", "inner"}));
    EXPECT_EQ(back.children.at(3).name, (QName{"", "nullns"}));
    EXPECT_EQ(back.children.at(4).text, "<&>");
}

TEST(InnerXml, HighUnicodeValueRoundTrips) {
    // litmus prophighunicode uses a character beyond the BMP.
    const std::string value = "\xF0\x90\x80\x80 \xE2\x82\xAC \xC3\xA9";
    const Element e = parse("<D:prop xmlns:D=\"DAV:\"><x:p xmlns:x=\"urn:x\">" + value +
                            "</x:p></D:prop>");
    const Element& prop = e.children.at(0);
    EXPECT_EQ(prop.inner_xml, value);
    EXPECT_EQ(round_trip(prop).text, value);
}

TEST(InnerXml, WhitespaceInsideValueIsKept) {
    const Element e = parse("<a>  <b> x </b>\n</a>");
    EXPECT_EQ(e.inner_xml, "  <b> x </b>\n");
}

TEST(InnerXml, CdataBecomesEscapedText) {
    const Element e = parse("<a><![CDATA[<not-markup>&]]></a>");
    EXPECT_EQ(e.inner_xml, "&lt;not-markup&gt;&amp;");
}

TEST(InnerXml, QNameInContentKeepsItsPrefix) {
    // Prefixes are kept, so a value like xsi:type="xs:string" still resolves.
    const Element e = parse(R"(<a xmlns:xs="urn:xs"><v type="xs:string"/></a>)");
    const Element v = parse(e.inner_xml);
    EXPECT_EQ(v.attribute("type"), "xs:string");
    EXPECT_NE(e.inner_xml.find(R"(xmlns:xs="urn:xs")"), std::string::npos);
}

TEST(InnerXml, AttributeValuesSurviveNormalization) {
    const Element e = parse("<a><b v=\"x&#10;y&#9;z\"/></a>");
    EXPECT_EQ(parse(e.inner_xml).attribute("v"), "x\ny\tz");
}

}  // namespace
}  // namespace cosmo::xml
