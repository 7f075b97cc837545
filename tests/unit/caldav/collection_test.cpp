/// MKCALENDAR, extended MKCOL, calendar and principal properties, OPTIONS.

#include "caldav_fixture.hpp"

namespace cosmo::test {
namespace {

const std::string kMkcal =
    "<?xml version=\"1.0\"?><C:mkcalendar xmlns:D=\"DAV:\" "
    "xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:set><D:prop>"
    "<D:displayname>Work</D:displayname>"
    "<C:calendar-description>Things</C:calendar-description>"
    "<C:supported-calendar-component-set><C:comp name=\"VTODO\"/>"
    "</C:supported-calendar-component-set>"
    "<A:calendar-color xmlns:A=\"http://apple.com/ns/ical/\">#FF0000</A:calendar-color>"
    "</D:prop></D:set></C:mkcalendar>";

TEST_F(CaldavTest, OptionsAdvertisesCalendarAccessAndMkcalendar) {
    const http::Response res = send("OPTIONS", kHome + "new/");
    EXPECT_NE(res["DAV"].find("calendar-access"), std::string::npos);
    EXPECT_NE(res[http::Field::allow].find("MKCALENDAR"), std::string::npos);
}

TEST_F(CaldavTest, MkcalendarWithPropertiesAndComponentSet) {
    ASSERT_EQ(status("MKCALENDAR", kHome + "work/", kMkcal), 201);
    const Multistatus ms = propfind(
        kHome + "work/",
        prop_body({{"DAV:", "resourcetype"},
                   {"DAV:", "displayname"},
                   {kC, "calendar-description"},
                   {kC, "supported-calendar-component-set"},
                   {"http://apple.com/ns/ical/", "calendar-color"}}));
    const auto& p = ms.at(kHome + "work/");
    EXPECT_TRUE(p.at(dav_clark("resourcetype")).value.child(xml::caldav("calendar")));
    EXPECT_EQ(p.at(dav_clark("displayname")).value.text, "Work");
    EXPECT_EQ(p.at("{" + kC + "}calendar-description").value.text, "Things");
    const auto& comps = p.at("{" + kC + "}supported-calendar-component-set").value.children;
    ASSERT_EQ(comps.size(), 1u);
    EXPECT_EQ(comps[0].attribute("name"), "VTODO");
    EXPECT_EQ(p.at("{http://apple.com/ns/ical/}calendar-color").value.text, "#FF0000");
    // Enforced on PUT.
    const http::Response res = put_ics(kHome + "work/e.ics", event("e1"));
    EXPECT_EQ(res.result_int(), 403u);
    EXPECT_EQ(precondition(res), "supported-calendar-component");
}

TEST_F(CaldavTest, MkcalendarStatuses) {
    EXPECT_EQ(status("MKCALENDAR", kCal), 405);                 // exists
    EXPECT_EQ(status("MKCALENDAR", kHome + "no/such/"), 409);   // no parent
    const http::Response inside = send("MKCALENDAR", kCal + "inner/");
    EXPECT_EQ(inside.result_int(), 403u);
    EXPECT_EQ(precondition(inside), "calendar-collection-location-ok");
    EXPECT_EQ(status("MKCALENDAR", "/principals/users/alice/x/"), 404);
}

TEST_F(CaldavTest, MkcalendarBadPropertyIs403With424ForTheRest) {
    const std::string body =
        "<?xml version=\"1.0\"?><C:mkcalendar xmlns:D=\"DAV:\" "
        "xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:set><D:prop>"
        "<D:displayname>X</D:displayname><D:getetag>x</D:getetag>"
        "</D:prop></D:set></C:mkcalendar>";
    const http::Response res = send("MKCALENDAR", kHome + "bad/", body);
    ASSERT_EQ(res.result_int(), 403u);
    const xml::Element root = xml::parse(res.body());
    EXPECT_EQ(root.name, xml::caldav("mkcalendar-response"));
    EXPECT_NE(res.body().find("424"), std::string::npos);
    EXPECT_EQ(status("PROPFIND", kHome + "bad/", "", {{"Depth", "0"}}), 404);
}

TEST_F(CaldavTest, InvalidCalendarTimezoneIsRefused) {
    const std::string body =
        "<?xml version=\"1.0\"?><D:propertyupdate xmlns:D=\"DAV:\" "
        "xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:set><D:prop>"
        "<C:calendar-timezone>nonsense</C:calendar-timezone></D:prop></D:set>"
        "</D:propertyupdate>";
    const http::Response res = send("PROPPATCH", kCal, body);
    EXPECT_EQ(res.result_int(), 207u);
    EXPECT_NE(res.body().find("valid-calendar-data"), std::string::npos);
    EXPECT_NE(res.body().find("403"), std::string::npos);
}

TEST_F(CaldavTest, CalendarTimezoneIdFromCalendarTimezone) {
    const std::string tz =
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VTIMEZONE\nTZID:Europe/Berlin\n"
        "BEGIN:STANDARD\nDTSTART:19701025T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n"
        "END:STANDARD\nEND:VTIMEZONE\nEND:VCALENDAR\n";
    const std::string body =
        "<?xml version=\"1.0\"?><D:propertyupdate xmlns:D=\"DAV:\" "
        "xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:set><D:prop>"
        "<C:calendar-timezone><![CDATA[" + tz + "]]></C:calendar-timezone></D:prop></D:set>"
        "</D:propertyupdate>";
    const http::Response res = send("PROPPATCH", kCal, body);
    ASSERT_EQ(res.result_int(), 207u);
    ASSERT_NE(res.body().find("200 OK"), std::string::npos) << res.body();
    const Multistatus ms = propfind(kCal, prop_body({{kC, "calendar-timezone-id"}}));
    EXPECT_EQ(ms.at(kCal).at("{" + kC + "}calendar-timezone-id").value.text, "Europe/Berlin");
}

TEST_F(CaldavTest, ExtendedMkcolWithCalendarResourcetype) {
    const std::string body =
        "<?xml version=\"1.0\"?><D:mkcol xmlns:D=\"DAV:\" "
        "xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:set><D:prop><D:resourcetype>"
        "<D:collection/><C:calendar/></D:resourcetype></D:prop></D:set></D:mkcol>";
    ASSERT_EQ(status("MKCOL", kHome + "ext/", body, {{"Content-Type", "application/xml"}}), 201);
    EXPECT_EQ(put_ics(kHome + "ext/a.ics", "garbage").result_int(), 403u);
}

TEST_F(CaldavTest, CalendarLiveProperties) {
    const Multistatus ms = propfind(
        kCal, prop_body({{kC, "supported-calendar-data"},
                         {kC, "max-resource-size"},
                         {kC, "min-date-time"},
                         {kC, "max-instances"},
                         {kC, "schedule-calendar-transp"},
                         {"http://calendarserver.org/ns/", "getctag"},
                         {"DAV:", "sync-token"},
                         {"DAV:", "supported-report-set"},
                         {"DAV:", "current-user-privilege-set"},
                         {"DAV:", "no-such-thing"}}));
    const auto& p = ms.at(kCal);
    EXPECT_EQ(p.at("{" + kC + "}supported-calendar-data").status, 200);
    EXPECT_EQ(p.at("{" + kC + "}max-resource-size").value.text, std::to_string(10 * 1024 * 1024));
    EXPECT_EQ(p.at("{" + kC + "}min-date-time").status, 200);
    EXPECT_TRUE(p.at("{" + kC + "}schedule-calendar-transp").value.child(xml::caldav("opaque")));
    const std::string ctag = p.at("{http://calendarserver.org/ns/}getctag").value.text;
    EXPECT_EQ(ctag, p.at(dav_clark("sync-token")).value.text);
    std::vector<std::string> reports;
    for (const auto& sr : p.at(dav_clark("supported-report-set")).value.children) {
        reports.push_back(sr.children.at(0).children.at(0).name.local);
    }
    for (const char* r : {"calendar-multiget", "calendar-query", "free-busy-query",
                          "sync-collection", "expand-property"}) {
        EXPECT_NE(std::find(reports.begin(), reports.end(), r), reports.end()) << r;
    }
    EXPECT_EQ(p.at(dav_clark("current-user-privilege-set")).status, 200);
    EXPECT_EQ(p.at(dav_clark("no-such-thing")).status, 404);
    // The ctag moves with every change.
    ASSERT_EQ(put_ics(kCal + "a.ics", event("c1")).result_int(), 201u);
    const Multistatus after = propfind(kCal, prop_body({{"http://calendarserver.org/ns/", "getctag"}}));
    EXPECT_NE(after.at(kCal).at("{http://calendarserver.org/ns/}getctag").value.text, ctag);
}

TEST_F(CaldavTest, PrivilegesOnVirtualNodesAreReadOnly) {
    const Multistatus ms = propfind("/", prop_body({{"DAV:", "current-user-privilege-set"},
                                                    {"DAV:", "acl"},
                                                    {"DAV:", "supported-privilege-set"}}));
    const auto& privs = ms.at("/").at(dav_clark("current-user-privilege-set")).value.children;
    ASSERT_EQ(privs.size(), 2u);
    EXPECT_EQ(privs[0].children.at(0).name.local, "read");
    EXPECT_EQ(ms.at("/").at(dav_clark("acl")).status, 200);
    const Multistatus home = propfind(kHome, prop_body({{"DAV:", "current-user-privilege-set"}}));
    bool write = false;
    for (const auto& p : home.at(kHome).at(dav_clark("current-user-privilege-set")).value.children) {
        write = write || p.children.at(0).name.local == "write";
    }
    EXPECT_TRUE(write);
}

TEST_F(CaldavTest, PrincipalDiscovery) {
    const Multistatus ms = propfind(
        "/principals/users/alice/",
        prop_body({{kC, "calendar-home-set"},
                   {"http://calendarserver.org/ns/", "email-address-set"},
                   {"DAV:", "current-user-principal"},
                   {kC, "schedule-inbox-URL"}}));
    const auto& p = ms.at("/principals/users/alice/");
    EXPECT_EQ(p.at("{" + kC + "}calendar-home-set").value.children.at(0).text, kHome);
    EXPECT_EQ(p.at("{http://calendarserver.org/ns/}email-address-set").value.children.at(0).text,
              "alice@example.com");
    EXPECT_EQ(p.at("{" + kC + "}schedule-inbox-URL").status, 404);  // no scheduling yet
}

TEST_F(CaldavTest, ExpandProperty) {
    const std::string body =
        "<?xml version=\"1.0\"?><D:expand-property xmlns:D=\"DAV:\">"
        "<D:property name=\"current-user-principal\"><D:property name=\"displayname\"/>"
        "</D:property><D:property name=\"nothing-here\"/></D:expand-property>";
    const http::Response res = report("/principals/users/alice/", body, "0");
    ASSERT_EQ(res.result_int(), 207u) << res.body();
    const xml::Element root = xml::parse(res.body());
    const xml::Element& response = root.children.at(0);
    const xml::Element* cup =
        response.child(xml::dav("propstat"))->child(xml::dav("prop"))->child(
            xml::dav("current-user-principal"));
    ASSERT_TRUE(cup);
    const xml::Element& inner = cup->children.at(0);
    EXPECT_EQ(inner.name, xml::dav("response"));
    EXPECT_EQ(inner.child(xml::dav("href"))->text, "/principals/users/alice/");
    EXPECT_NE(res.body().find("404"), std::string::npos);
}

TEST_F(CaldavTest, PrincipalPropertySearchFindsOnlySelf) {
    auto search = [&](const std::string& match) {
        const std::string body =
            "<?xml version=\"1.0\"?><D:principal-property-search xmlns:D=\"DAV:\">"
            "<D:property-search><D:prop><D:displayname/></D:prop><D:match>" + match +
            "</D:match></D:property-search><D:prop><D:displayname/></D:prop>"
            "</D:principal-property-search>";
        const http::Response res = report("/principals/users/", body, "0");
        EXPECT_EQ(res.result_int(), 207u);
        return parse_multistatus(res.body());
    };
    EXPECT_EQ(search("ALI").count("/principals/users/alice/"), 1u);
    EXPECT_TRUE(search("bob").empty());
    const http::Response set = report(
        "/principals/users/",
        "<?xml version=\"1.0\"?><D:principal-search-property-set xmlns:D=\"DAV:\"/>", "0");
    EXPECT_EQ(set.result_int(), 200u);
    EXPECT_NE(set.body().find("displayname"), std::string::npos);
}

}  // namespace
}  // namespace cosmo::test
