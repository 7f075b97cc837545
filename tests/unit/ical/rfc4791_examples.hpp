#pragma once
// Calendar objects in the shape of RFC 4791 Appendix B (abcd1.ics ...
// abcd8.ics), reconstructed for the §7.8.x example queries: US/Eastern
// events in January 2006, a recurring event with one override, an event with
// attendees, to-dos in several states and a stored VFREEBUSY.

#include <string>

namespace cosmo::ical::test::rfc4791 {

inline const std::string kEastern =
    "BEGIN:VTIMEZONE\r\n"
    "LAST-MODIFIED:20040110T032845Z\r\n"
    "TZID:US/Eastern\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "DTSTART:20000404T020000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4\r\n"
    "TZNAME:EDT\r\n"
    "TZOFFSETFROM:-0500\r\n"
    "TZOFFSETTO:-0400\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "DTSTART:20001026T020000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
    "TZNAME:EST\r\n"
    "TZOFFSETFROM:-0400\r\n"
    "TZOFFSETTO:-0500\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n";

inline std::string wrap(const std::string& body, bool with_zone = true) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example Corp.//CalDAV Client//EN\r\n" +
           (with_zone ? kEastern : std::string()) + body + "END:VCALENDAR\r\n";
}

/// Event #1: 2006-01-02 10:00 US/Eastern (15:00Z), one hour.
inline const std::string kAbcd1 = wrap(
    "BEGIN:VEVENT\r\n"
    "DTSTAMP:20060206T001102Z\r\n"
    "DTSTART;TZID=US/Eastern:20060102T100000\r\n"
    "DURATION:PT1H\r\n"
    "SUMMARY:Event #1\r\n"
    "Description:Go Steelers!\r\n"
    "UID:74855313FA803DA593CD579A@example.com\r\n"
    "END:VEVENT\r\n");

/// Event #2: daily x5 from 2006-01-02 12:00 US/Eastern; the 4th moved to 14:00.
inline const std::string kAbcd2 = wrap(
    "BEGIN:VEVENT\r\n"
    "DTSTAMP:20060206T001121Z\r\n"
    "DTSTART;TZID=US/Eastern:20060102T120000\r\n"
    "DURATION:PT1H\r\n"
    "RRULE:FREQ=DAILY;COUNT=5\r\n"
    "SUMMARY:Event #2\r\n"
    "UID:00959BC664CA650E933C892C@example.com\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "DTSTAMP:20060206T001121Z\r\n"
    "DTSTART;TZID=US/Eastern:20060104T140000\r\n"
    "DURATION:PT1H\r\n"
    "RECURRENCE-ID;TZID=US/Eastern:20060104T120000\r\n"
    "SUMMARY:Event #2 bis\r\n"
    "UID:00959BC664CA650E933C892C@example.com\r\n"
    "END:VEVENT\r\n");

/// Event #3: 2006-01-04 14:00 US/Eastern with an organizer and two attendees.
inline const std::string kAbcd3 = wrap(
    "BEGIN:VEVENT\r\n"
    "ATTENDEE;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:cyrus@example.com\r\n"
    "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:lisa@example.com\r\n"
    "DTSTAMP:20060206T001220Z\r\n"
    "DTSTART;TZID=US/Eastern:20060104T100000\r\n"
    "DURATION:PT1H\r\n"
    "LAST-MODIFIED:20060206T001330Z\r\n"
    "ORGANIZER:mailto:cyrus@example.com\r\n"
    "SEQUENCE:1\r\n"
    "STATUS:TENTATIVE\r\n"
    "SUMMARY:Event #3\r\n"
    "UID:DC6C50A017428C5216A2F1CD@example.com\r\n"
    "X-ABC-GUID:E1CX5Dr-0007ym-Hz@example.com\r\n"
    "END:VEVENT\r\n");

/// Task #1: due 2006-01-04, an alarm 10 minutes before it is due.
inline const std::string kAbcd4 = wrap(
    "BEGIN:VTODO\r\n"
    "DTSTAMP:20060205T235335Z\r\n"
    "DUE;VALUE=DATE:20060104\r\n"
    "STATUS:NEEDS-ACTION\r\n"
    "SUMMARY:Task #1\r\n"
    "UID:DDDEEB7915FA61233B861457@example.com\r\n"
    "BEGIN:VALARM\r\n"
    "ACTION:AUDIO\r\n"
    "TRIGGER;RELATED=END:-PT10M\r\n"
    "END:VALARM\r\n"
    "END:VTODO\r\n",
    false);

/// Task #2: starts 2006-01-06 10:10Z, alarm 10 minutes before the start.
inline const std::string kAbcd5 = wrap(
    "BEGIN:VTODO\r\n"
    "DTSTAMP:20060205T235300Z\r\n"
    "DTSTART:20060106T101000Z\r\n"
    "DUE;VALUE=DATE:20060107\r\n"
    "LAST-MODIFIED:20060205T235308Z\r\n"
    "SEQUENCE:1\r\n"
    "STATUS:NEEDS-ACTION\r\n"
    "SUMMARY:Task #2\r\n"
    "UID:SDSDSDSDSDSDSDSDSDSD@example.com\r\n"
    "BEGIN:VALARM\r\n"
    "ACTION:AUDIO\r\n"
    "TRIGGER;RELATED=START:-PT10M\r\n"
    "END:VALARM\r\n"
    "END:VTODO\r\n",
    false);

/// Task #3: completed.
inline const std::string kAbcd6 = wrap(
    "BEGIN:VTODO\r\n"
    "DTSTAMP:20060205T235335Z\r\n"
    "COMPLETED:20051223T122322Z\r\n"
    "DUE;VALUE=DATE:20051225\r\n"
    "STATUS:COMPLETED\r\n"
    "SUMMARY:Task #3\r\n"
    "UID:DDDEEB7915FA61233B861457-3@example.com\r\n"
    "END:VTODO\r\n",
    false);

/// Task #4: cancelled.
inline const std::string kAbcd7 = wrap(
    "BEGIN:VTODO\r\n"
    "DTSTAMP:20060205T235600Z\r\n"
    "DUE;VALUE=DATE:20060101\r\n"
    "STATUS:CANCELLED\r\n"
    "SUMMARY:Task #4\r\n"
    "UID:DDDEEB7915FA61233B861457-4@example.com\r\n"
    "END:VTODO\r\n",
    false);

/// A stored VFREEBUSY with three busy types.
inline const std::string kAbcd8 = wrap(
    "BEGIN:VFREEBUSY\r\n"
    "ORGANIZER;CN=\"Bernard Desruisseaux\":mailto:bernard@example.com\r\n"
    "UID:76ef34-54a3d2@example.com\r\n"
    "DTSTAMP:20050530T123421Z\r\n"
    "DTSTART:20060101T000000Z\r\n"
    "DTEND:20060108T000000Z\r\n"
    "FREEBUSY:20050531T230000Z/20050601T010000Z\r\n"
    "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20060102T100000Z/20060102T120000Z\r\n"
    "FREEBUSY:20060103T100000Z/20060103T120000Z\r\n"
    "FREEBUSY:20060104T100000Z/20060104T120000Z\r\n"
    "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20060105T100000Z/20060105T120000Z\r\n"
    "FREEBUSY:20060106T100000Z/20060106T120000Z\r\n"
    "END:VFREEBUSY\r\n",
    false);

}  // namespace cosmo::ical::test::rfc4791
