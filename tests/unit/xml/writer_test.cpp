// xml::Writer and escape(): prefixes, declarations, escaping, UTF-8; every
// output is also reparsed so it is checked as XML, not only as a string.

#include <gtest/gtest.h>

#include <string>

#include "cosmo/xml/reader.hpp"
#include "cosmo/xml/writer.hpp"

namespace cosmo::xml {
namespace {

constexpr std::string_view kDecl = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
constexpr std::string_view kFixedDecls =
    R"( xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav")"
    R"( xmlns:CS="http://calendarserver.org/ns/" xmlns:ICAL="http://apple.com/ns/ical/")";

/// The document without its XML declaration.
std::string body(const std::string& doc) {
    EXPECT_TRUE(doc.starts_with(kDecl));
    return doc.substr(kDecl.size());
}

TEST(Escape, EscapesMarkupCharacters) {
    EXPECT_EQ(escape(R"(a<b>&"c")"), "a&lt;b&gt;&amp;&quot;c&quot;");
    EXPECT_EQ(escape("]]>"), "]]&gt;");
    EXPECT_EQ(escape("plain"), "plain");
}

TEST(Escape, KeepsUtf8AndLineBreaksInText) {
    const std::string s = "caf\xC3\xA9\n\t\xF0\x9F\x98\x80";
    EXPECT_EQ(escape(s), s);
}

TEST(Escape, CarriageReturnAndControls) {
    EXPECT_EQ(escape("a\r\nb"), "a&#13;\nb");
    EXPECT_EQ(escape(std::string("x\x01y", 3)), "x\xEF\xBF\xBDy");
    EXPECT_EQ(escape_attribute("a\tb\nc"), "a&#9;b&#10;c");
}

/// escape() one byte at a time, as the XML rules say (the reference for
/// the sixteen-bytes-at-a-time scan).
std::string escape_by_byte(std::string_view text, bool attribute) {
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '&') out += "&amp;";
        else if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else if (c == '"') out += "&quot;";
        else if (c == '\r') out += "&#13;";
        else if (c == '\t') out += attribute ? "&#9;" : "\t";
        else if (c == '\n') out += attribute ? "&#10;" : "\n";
        else if (u < 0x20) out += "\xEF\xBF\xBD";
        else out += c;
    }
    return out;
}

TEST(Escape, EveryByteAtEveryPositionOfALongText) {
    // Each of the 256 byte values at each offset of a 40-byte text (two
    // full 16-byte blocks and a tail), in text and in attributes.
    for (int b = 0; b < 256; ++b) {
        for (std::size_t at = 0; at < 40; ++at) {
            std::string text(40, 'x');
            text[at] = static_cast<char>(b);
            text[(at + 17) % 40] = '\r';  // a second replacement elsewhere
            ASSERT_EQ(escape(text), escape_by_byte(text, false)) << "byte " << b << " at " << at;
            ASSERT_EQ(escape_attribute(text), escape_by_byte(text, true))
                << "byte " << b << " at " << at;
        }
    }
}

TEST(Escape, CalendarBodyKeepsEveryByte) {
    std::string ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n";
    for (int i = 0; i < 50; ++i) {
        ics += "SUMMARY:Caf\xC3\xA9 & <friends> \"" + std::to_string(i) + "\"\r\n";
    }
    ics += "END:VCALENDAR\r\n";
    EXPECT_EQ(escape(ics), escape_by_byte(ics, false));
}

// Texts made only of bytes to replace need up to six times their size:
// the room made ahead must grow, whatever the length, and text appended
// after other text in the same buffer must leave that text alone.
TEST(Escape, TextsOfOnlyReplacementsGrowTheBuffer) {
    for (const char c : {'"', '\r', '&', '\x01', '\n'}) {
        for (std::size_t length = 0; length <= 100; ++length) {
            const std::string text(length, c);
            ASSERT_EQ(escape(text), escape_by_byte(text, false)) << int(c) << " x " << length;
            ASSERT_EQ(escape_attribute(text), escape_by_byte(text, true))
                << int(c) << " x " << length;
            std::string out = "prefix";
            append_escaped(out, text);
            ASSERT_EQ(out, "prefix" + escape_by_byte(text, false)) << int(c) << " x " << length;
        }
    }
}

TEST(Writer, RootDeclaresFixedPrefixes) {
    Writer w;
    w.start(dav("multistatus")).end();
    EXPECT_EQ(body(w.finish()), "<D:multistatus" + std::string(kFixedDecls) + "/>");
}

TEST(Writer, FixedPrefixesForWellKnownNamespaces) {
    Writer w;
    w.start(dav("prop"))
        .leaf(caldav("calendar-data"), "x")
        .leaf({std::string(ns::kCalendarServer), "getctag"}, "1")
        .leaf({std::string(ns::kAppleIcal), "calendar-color"}, "#fff")
        .end();
    EXPECT_EQ(body(w.finish()),
              "<D:prop" + std::string(kFixedDecls) +
                  "><C:calendar-data>x</C:calendar-data><CS:getctag>1</CS:getctag>"
                  "<ICAL:calendar-color>#fff</ICAL:calendar-color></D:prop>");
}

TEST(Writer, OtherNamespacesGetGeneratedPrefixDeclaredLocally) {
    Writer w;
    w.start(dav("prop")).leaf({"urn:a", "one"}).leaf({"urn:b", "two"}, "v").end();
    const std::string out = body(w.finish());
    EXPECT_NE(out.find(R"(<x0:one xmlns:x0="urn:a"/>)"), std::string::npos) << out;
    EXPECT_NE(out.find(R"(<x1:two xmlns:x1="urn:b">v</x1:two>)"), std::string::npos) << out;
    const Element e = parse(out);
    EXPECT_EQ(e.children.at(0).name, (QName{"urn:a", "one"}));
    EXPECT_EQ(e.children.at(1).name, (QName{"urn:b", "two"}));
}

TEST(Writer, NullNamespaceIsUnprefixed) {
    Writer w;
    w.start(dav("prop")).leaf({"", "plain"}, "v").end();
    const std::string out = body(w.finish());
    EXPECT_NE(out.find("<plain>v</plain>"), std::string::npos) << out;
    EXPECT_EQ(parse(out).children.at(0).name, (QName{"", "plain"}));
}

TEST(Writer, TextAndAttributesAreEscaped) {
    Writer w;
    w.start(dav("href")).attribute("a", R"(x"<&>)").text("/p?a=1&b=<2>").end();
    const std::string out = body(w.finish());
    const Element e = parse(out);
    EXPECT_EQ(e.text, "/p?a=1&b=<2>");
    EXPECT_EQ(e.attribute("a"), R"(x"<&>)");
}

TEST(Writer, UnicodeTextIsWrittenUnchanged) {
    const std::string s = "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xF0\x90\x80\x80";
    Writer w;
    w.leaf(dav("displayname"), s);
    const std::string out = w.finish();
    EXPECT_NE(out.find(s), std::string::npos);
    EXPECT_EQ(parse(out).text, s);
}

TEST(Writer, LeafWithoutTextIsSelfClosing) {
    Writer w;
    w.start(dav("resourcetype")).leaf(dav("collection")).leaf(caldav("calendar")).end();
    EXPECT_EQ(body(w.finish()), "<D:resourcetype" + std::string(kFixedDecls) +
                                    "><D:collection/><C:calendar/></D:resourcetype>");
}

TEST(Writer, FinishClosesEverything) {
    Writer w;
    w.start(dav("multistatus")).start(dav("response")).start(dav("propstat")).text("t");
    const std::string out = w.finish();
    EXPECT_TRUE(out.ends_with("t</D:propstat></D:response></D:multistatus>")) << out;
    EXPECT_NO_THROW(parse(out));
}

TEST(Writer, TakenPartsMakeTheSameDocumentAsOneFinish) {
    const auto write = [](Writer& w, std::string* parts) {
        w.start(dav("multistatus"));
        for (int i = 0; i < 3; ++i) {
            w.start(dav("response")).leaf(dav("href"), "/e" + std::to_string(i) + "&");
            if (parts) w.take(*parts);  // with the response still open
            w.leaf({"urn:x", "p"}, "v").end();
            if (parts) w.take(*parts);
        }
    };
    Writer whole;
    write(whole, nullptr);
    const std::string expected = whole.finish();
    Writer streamed;
    std::string parts;
    write(streamed, &parts);
    std::string taken;
    streamed.take(taken);  // nothing new since the last take
    EXPECT_EQ(taken, "");
    parts += streamed.finish();
    EXPECT_EQ(parts, expected);
    EXPECT_EQ(parse(parts).children.size(), 3u);
}

TEST(Writer, RawIsInsertedAsIs) {
    Writer w;
    w.start(dav("prop")).raw(R"(<x:y xmlns:x="urn:x">&amp;</x:y>)").end();
    const std::string out = body(w.finish());
    EXPECT_NE(out.find(R"(><x:y xmlns:x="urn:x">&amp;</x:y></D:prop>)"), std::string::npos);
    EXPECT_EQ(parse(out).children.at(0).text, "&");
}

TEST(Writer, ErrorBodyShape) {
    // RFC 4918 §16: <D:error> with a precondition element.
    Writer w;
    w.start(dav("error")).leaf(caldav("supported-calendar-component")).end();
    const Element e = parse(w.finish());
    EXPECT_EQ(e.name, dav("error"));
    ASSERT_EQ(e.children.size(), 1u);
    EXPECT_EQ(e.children[0].name, caldav("supported-calendar-component"));
}

}  // namespace
}  // namespace cosmo::xml
