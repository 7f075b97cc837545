#include "requests.hpp"

#include "civil_time.hpp"
#include "multistatus.hpp"

namespace cosmo::loadtest {

namespace {
constexpr const char* kHead = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
}

std::string propfind_etags() {
    return std::string(kHead) +
           "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:getetag/><D:getcontenttype/></D:prop>"
           "</D:propfind>";
}

std::string propfind_ctag() {
    return std::string(kHead) +
           "<D:propfind xmlns:D=\"DAV:\" xmlns:CS=\"http://calendarserver.org/ns/\">"
           "<D:prop><CS:getctag/><D:sync-token/></D:prop></D:propfind>";
}

std::string propfind_home_apple() {
    return std::string(kHead) +
           "<D:propfind xmlns:D=\"DAV:\" xmlns:CS=\"http://calendarserver.org/ns/\" "
           "xmlns:C=\"urn:ietf:params:xml:ns:caldav\" xmlns:A=\"http://apple.com/ns/ical/\">"
           "<D:prop><D:resourcetype/><D:displayname/><CS:getctag/><D:sync-token/>"
           "<C:supported-calendar-component-set/><A:calendar-color/>"
           "<D:current-user-privilege-set/></D:prop></D:propfind>";
}

std::string calendar_query(std::int64_t from, std::int64_t to, bool with_data) {
    return std::string(kHead) +
           "<C:calendar-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
           "<D:prop><D:getetag/>" +
           (with_data ? "<C:calendar-data/>" : "") +
           "</D:prop><C:filter><C:comp-filter name=\"VCALENDAR\">"
           "<C:comp-filter name=\"VEVENT\"><C:time-range start=\"" +
           format_utc(from) + "\" end=\"" + format_utc(to) +
           "\"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>";
}

std::string calendar_multiget(const std::vector<std::string>& hrefs) {
    std::string out = std::string(kHead) +
                      "<C:calendar-multiget xmlns:D=\"DAV:\" "
                      "xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
                      "<D:prop><D:getetag/><C:calendar-data/></D:prop>";
    for (const std::string& h : hrefs) {
        out += "<D:href>" + xml_escape(h) + "</D:href>";
    }
    out += "</C:calendar-multiget>";
    return out;
}

std::string sync_collection(const std::string& token) {
    return std::string(kHead) + "<D:sync-collection xmlns:D=\"DAV:\"><D:sync-token>" +
           xml_escape(token) +
           "</D:sync-token><D:sync-level>1</D:sync-level>"
           "<D:prop><D:getetag/><D:getcontenttype/></D:prop></D:sync-collection>";
}

std::string free_busy_query(std::int64_t from, std::int64_t to) {
    return std::string(kHead) +
           "<C:free-busy-query xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
           "<C:time-range start=\"" +
           format_utc(from) + "\" end=\"" + format_utc(to) + "\"/></C:free-busy-query>";
}

}  // namespace cosmo::loadtest
