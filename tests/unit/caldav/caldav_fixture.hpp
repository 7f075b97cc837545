#pragma once
/// The dav fixture with CalDAV installed, plus iCalendar helpers.

#include <set>

#include "../dav/dav_fixture.hpp"
#include "cosmo/caldav/caldav.hpp"

namespace cosmo::test {

inline const std::string kCal = kHome + "calendar/";
inline const std::string kC = "urn:ietf:params:xml:ns:caldav";

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
};

}  // namespace cosmo::test
