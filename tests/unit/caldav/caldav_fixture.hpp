#pragma once
/// The dav fixture with CalDAV installed, plus iCalendar helpers.

#include <set>

#include "../dav/dav_fixture.hpp"
#include "cosmo/caldav/caldav.hpp"

namespace cosmo::test {

inline const std::string kCal = kHome + "calendar/";
inline const std::string kC = "urn:ietf:params:xml:ns:caldav";
/// The namespace declarations of the REPORT and PROPFIND bodies the tests send.
inline const std::string kNs = "xmlns:D=\"DAV:\" xmlns:C=\"" + kC + "\"";

class CaldavTest : public DavTest {
protected:
    void SetUp() override {
        DavTest::SetUp();
        make_caldav({});
    }

    void make_caldav(caldav::Options options, dav::Options dav_options = {}) {
        dispatcher = std::make_unique<dav::Dispatcher>(std::move(dav_options), directory, shards,
                                                       caldav::registries(options));
    }

    /// A one-VEVENT calendar object.
    static std::string event(const std::string& uid, const std::string& start = "20250110T100000Z",
                             const std::string& end = "20250110T110000Z",
                             const std::string& extra = "") {
        return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" +
               uid + "\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:" + start + "\r\nDTEND:" + end +
               "\r\n" + extra + "SUMMARY:test " + uid + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    }

    http::Response put_ics(const std::string& target, const std::string& body,
                           const Headers& extra = {}) {
        Headers h = extra;
        h.emplace_back("Content-Type", "text/calendar; charset=utf-8");
        return send("PUT", target, body, h);
    }

    http::Response report(const std::string& target, const std::string& body,
                          const std::string& depth = "1") {
        return send("REPORT", target, body, {{"Depth", depth}, {"Content-Type", "application/xml"}});
    }

    /// The hrefs a calendar-query on the calendar answers for a VEVENT
    /// time-range [start, end) plus `inner` (more tests inside the VEVENT
    /// comp-filter) and `after` (e.g. a CALDAV:timezone-id); expects 207.
    std::set<std::string> vevent_query(const std::string& start, const std::string& end,
                                       const std::string& inner = "",
                                       const std::string& after = "") {
        const http::Response res = report(
            kCal, "<C:calendar-query xmlns:D=\"DAV:\" xmlns:C=\"" + kC +
                      "\"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter "
                      "name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:time-range start=\"" +
                      start + "\" end=\"" + end + "\"/>" + inner +
                      "</C:comp-filter></C:comp-filter></C:filter>" + after +
                      "</C:calendar-query>");
        EXPECT_EQ(res.result_int(), 207u) << res.body();
        std::set<std::string> out;
        for (const auto& [href, props] : parse_multistatus(res.body())) out.insert(href);
        return out;
    }

    /// The hrefs of these members of the calendar.
    static std::set<std::string> in_cal(std::initializer_list<const char*> names) {
        std::set<std::string> out;
        for (const char* n : names) out.insert(kCal + n);
        return out;
    }
};

}  // namespace cosmo::test
