#include "multistatus.hpp"

#include "requests.hpp"

#include <gtest/gtest.h>

namespace cosmo::loadtest {
namespace {

TEST(Multistatus, ReadsResponsesWithAnyPrefix) {
    const std::string body = R"(<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
 <D:response>
  <D:href>/calendars/users/user0001/calendar/</D:href>
  <D:propstat><D:prop><D:getetag/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>
 </D:response>
 <D:response>
  <D:href>http://127.0.0.1:8080/calendars/users/user0001/calendar/e0001-00002.ics</D:href>
  <D:propstat><D:prop><D:getetag>"abc"</D:getetag>
  <C:calendar-data>BEGIN:VCALENDAR&#13;
UID:x &amp; y&#13;
END:VCALENDAR&#13;
</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
 </D:response>
 <D:response><D:href>/calendars/users/user0001/calendar/a%20b.ics</D:href>
  <D:status>HTTP/1.1 404 Not Found</D:status></D:response>
 <D:sync-token>http://cosmo/sync/42</D:sync-token>
</D:multistatus>)";
    const Multistatus ms = parse_multistatus(body);
    ASSERT_TRUE(ms.ok);
    ASSERT_EQ(ms.responses.size(), 3u);
    EXPECT_EQ(ms.responses[0].href, "/calendars/users/user0001/calendar/");
    EXPECT_EQ(ms.responses[0].status, 0);  // propstat status is not the response status
    EXPECT_EQ(ms.responses[0].etag, "");
    EXPECT_EQ(ms.responses[1].href, "/calendars/users/user0001/calendar/e0001-00002.ics");
    EXPECT_EQ(ms.responses[1].etag, "\"abc\"");
    EXPECT_TRUE(ms.responses[1].has_calendar_data);
    EXPECT_NE(ms.responses[1].calendar_data.find("UID:x & y\r\n"), std::string::npos);
    EXPECT_EQ(ms.responses[2].href, "/calendars/users/user0001/calendar/a b.ics");
    EXPECT_EQ(ms.responses[2].status, 404);
    EXPECT_EQ(ms.sync_token, "http://cosmo/sync/42");
}

TEST(Multistatus, DefaultNamespaceCdataAndPropSyncToken) {
    const std::string body =
        "<multistatus xmlns=\"DAV:\"><response><href>/c/</href><propstat><prop>"
        "<getctag xmlns=\"http://calendarserver.org/ns/\">7</getctag>"
        "<sync-token>tok-7</sync-token><calendar-data xmlns=\"urn:ietf:params:xml:ns:caldav\">"
        "<![CDATA[BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n]]></calendar-data>"
        "</prop></propstat></response></multistatus>";
    const Multistatus ms = parse_multistatus(body);
    ASSERT_TRUE(ms.ok);
    ASSERT_EQ(ms.responses.size(), 1u);
    EXPECT_EQ(ms.responses[0].ctag, "7");
    EXPECT_EQ(ms.responses[0].sync_token, "tok-7");
    EXPECT_EQ(ms.responses[0].calendar_data, "BEGIN:VCALENDAR\r\nEND:VCALENDAR");
    EXPECT_EQ(ms.sync_token, "");  // inside a prop, not the report's token
}

TEST(Multistatus, ManySiblingResponsesAsTheServerWritesThem) {
    std::string body = "<?xml version=\"1.0\"?>\n<D:multistatus xmlns:D=\"DAV:\">";
    for (int i = 0; i < 5; ++i) {
        body += "<D:response><D:href>/c/" + std::to_string(i) +
                ".ics</D:href><D:propstat><D:prop><D:getetag>\"e" + std::to_string(i) +
                "\"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
                "</D:response>";
    }
    body += "<D:responsedescription>x</D:responsedescription><D:sync-token>t</D:sync-token>"
            "</D:multistatus>";
    const Multistatus ms = parse_multistatus(body);
    ASSERT_EQ(ms.responses.size(), 5u);
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(ms.responses[i].href, "/c/" + std::to_string(i) + ".ics");
        EXPECT_EQ(ms.responses[i].etag, "\"e" + std::to_string(i) + "\"");
    }
    EXPECT_EQ(ms.sync_token, "t");
}

TEST(Multistatus, TruncatedAnswerKeepsOnlyWholeResponses) {
    const std::string body =
        "<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>/c/1.ics</D:href>"
        "<D:propstat><D:prop><D:getetagx>no</D:getetagx><D:getetag>\"1\"</D:getetag>"
        "</D:prop></D:propstat></D:response><D:response><D:href>/c/2.ics</D:href>"
        "<D:propstat><D:prop><D:getetag>\"2";
    const Multistatus ms = parse_multistatus(body);
    ASSERT_TRUE(ms.ok);
    ASSERT_EQ(ms.responses.size(), 1u);  // the cut-off second one is not counted
    EXPECT_EQ(ms.responses[0].etag, "\"1\"");
}

TEST(Multistatus, UnescapesEntitiesReferencesAndCdata) {
    EXPECT_EQ(xml_unescape("plain"), "plain");
    EXPECT_EQ(xml_unescape("a&#13;\nb&#x0D;\nc&#X41;"), "a\r\nb\r\ncA");
    EXPECT_EQ(xml_unescape("&lt;&gt;&amp;&quot;&apos;"), "<>&\"'");
    EXPECT_EQ(xml_unescape("x<![CDATA[a&amp;<b>]]>y"), "xa&amp;<b>y");
    EXPECT_EQ(xml_unescape("<![CDATA[open"), "open");
    // What is not a reference stays as it is.
    EXPECT_EQ(xml_unescape("&#zz; &#; &nbsp; & end"), "&#zz; &#; &nbsp; & end");
    EXPECT_EQ(xml_unescape("a<b"), "a<b");
    EXPECT_EQ(xml_unescape("&#233;"), "?");  // never in seeded data
    EXPECT_EQ(xml_unescape(""), "");
}

// The element texts the fast paths read (plain hrefs kept as they are,
// references decoded in place) must equal what unescaping the whole
// content and trimming it gives, white space made by references included.
TEST(Multistatus, ElementTextsEqualUnescapeThenTrim) {
    const std::string body =
        "<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href> /c/a.ics\n</D:href>"
        "<D:propstat><D:prop><D:getetag>\n  &quot;e&amp;1&quot;  </D:getetag>"
        "<D:getcontenttype>text/calendar</D:getcontenttype></D:prop>"
        "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
        "<D:response><D:href>/c/b%2Fc%zz%41.ics</D:href><D:propstat><D:prop>"
        "<D:getetag>&#13;&#10;\"x\"&#32;</D:getetag><CS:getctag xmlns:CS=\"x\">a&#9;b</CS:getctag>"
        "</D:prop></D:propstat></D:response>"
        "<D:response><D:href>https://h:8443/c/%C3%A9.ics</D:href><D:status>HTTP/1.1 404 "
        "Not Found</D:status></D:response></D:multistatus>";
    const Multistatus ms = parse_multistatus(body);
    ASSERT_EQ(ms.responses.size(), 3u);
    EXPECT_EQ(ms.responses[0].href, "/c/a.ics");
    EXPECT_EQ(ms.responses[0].etag, "\"e&1\"");
    EXPECT_EQ(ms.responses[1].href, "/c/b/c%zzA.ics");  // %zz is not an escape: kept
    EXPECT_EQ(ms.responses[1].etag, "\"x\"");           // references that make white space
    EXPECT_EQ(ms.responses[1].ctag, "a\tb");
    EXPECT_EQ(ms.responses[2].href, "/c/\xC3\xA9.ics");
    EXPECT_EQ(ms.responses[2].status, 404);
    EXPECT_EQ(normalize_href("/a%20b/%4"), "/a b/%4");
    EXPECT_EQ(normalize_href("http://h"), "/");
}

TEST(Multistatus, NotAMultistatus) {
    EXPECT_FALSE(parse_multistatus("<html>error</html>").ok);
    EXPECT_FALSE(parse_multistatus("").ok);
}

TEST(FreeBusy, ReadsPeriodsInBothForms) {
    const std::string fb =
        "BEGIN:VCALENDAR\r\nBEGIN:VFREEBUSY\r\nDTSTART:20260301T000000Z\r\n"
        "FREEBUSY:20260302T080000Z/20260302T090000Z,20260303T080000Z/PT1H30M\r\n"
        "FREEBUSY;FBTYPE=FREE:20260304T080000Z/PT1H\r\n"
        "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260305T080000Z/20260305T0\r\n"
        " 83000Z\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
    const auto periods = parse_freebusy(fb);
    ASSERT_TRUE(periods.has_value());
    ASSERT_EQ(periods->size(), 3u);
    EXPECT_EQ((*periods)[0], (Interval{parse_utc("20260302T080000Z"), parse_utc("20260302T090000Z")}));
    EXPECT_EQ((*periods)[1].end - (*periods)[1].start, 5400);
    EXPECT_EQ((*periods)[2].end - (*periods)[2].start, 1800);  // unfolded
    EXPECT_FALSE(parse_freebusy("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").has_value());
    EXPECT_FALSE(parse_freebusy("BEGIN:VFREEBUSY\r\nFREEBUSY:garbage\r\n").has_value());
}

TEST(Requests, BodiesCarryTheirParameters) {
    const std::string q = calendar_query(parse_utc("20260301T000000Z"),
                                         parse_utc("20260401T000000Z"), false);
    EXPECT_NE(q.find("start=\"20260301T000000Z\" end=\"20260401T000000Z\""), std::string::npos);
    EXPECT_EQ(q.find("calendar-data"), std::string::npos);
    const std::string mg = calendar_multiget({"/a&b.ics", "/c.ics"});
    EXPECT_NE(mg.find("<D:href>/a&amp;b.ics</D:href><D:href>/c.ics</D:href>"), std::string::npos);
    EXPECT_NE(sync_collection("").find("<D:sync-token></D:sync-token>"), std::string::npos);
    EXPECT_EQ(element_text(sync_collection("t<1"), "sync-token"), "t<1");
}

}  // namespace
}  // namespace cosmo::loadtest
