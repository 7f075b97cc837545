// Renders seed-model objects as iCalendar (RFC 5545), the bytes the load
// tester PUTs. Lines end in CRLF; longer than 75 octets they are folded
// (RFC 5545 §3.1), as clients do with ATTENDEE lines.

#include "model.hpp"

#include <cstdio>

namespace cosmo::loadtest {

namespace {

constexpr const char* kBerlin =
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/Berlin\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0200\r\n"
    "TZNAME:CEST\r\n"
    "DTSTART:19700329T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\n"
    "TZNAME:CET\r\n"
    "DTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n";

constexpr const char* kNewYork =
    "BEGIN:VTIMEZONE\r\n"
    "TZID:America/New_York\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZOFFSETFROM:-0500\r\n"
    "TZOFFSETTO:-0400\r\n"
    "TZNAME:EDT\r\n"
    "DTSTART:20070311T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZOFFSETFROM:-0400\r\n"
    "TZOFFSETTO:-0500\r\n"
    "TZNAME:EST\r\n"
    "DTSTART:20071104T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n";

void line(std::string& out, std::string_view text) {
    std::size_t width = 75;
    while (text.size() > width) {
        out += text.substr(0, width);
        out += "\r\n ";
        text.remove_prefix(width);
        width = 74;  // the continuation's leading space counts
    }
    out += text;
    out += "\r\n";
}

// "DTSTART;TZID=Europe/Berlin:20260310T090000" or "DTSTART:20260310T090000Z".
void timed_prop(std::string& out, const char* name, Zone zone, CivilDate d, int minute) {
    out += name;
    if (zone == Zone::kUtc) {
        out += ':';
        out += format_utc(local_to_utc(zone, d, minute));
    } else {
        out += ";TZID=";
        out += zone_name(zone);
        out += ':';
        out += format_local(d, minute);
    }
    out += "\r\n";
}

void people(std::string& out, const EventSpec& e) {
    if (e.attendees == 0) {
        return;
    }
    const std::string me = SeedModel::user_name(e.user);
    line(out, "ORGANIZER;CN=" + me + ":mailto:" + me + "@example.com");
    for (int a = 0; a < e.attendees; ++a) {
        line(out, "ATTENDEE;CN=Guest " + std::to_string(a) +
                      ";PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:guest" +
                      std::to_string(a) + "@example.org");
    }
}

void alarm(std::string& out, const EventSpec& e) {
    if (!e.alarm) {
        return;
    }
    line(out, "BEGIN:VALARM");
    line(out, "ACTION:DISPLAY");
    line(out, "DESCRIPTION:Reminder");
    line(out, e.kind == Kind::kAllDay ? "TRIGGER:-PT15H" : "TRIGGER:-PT15M");
    line(out, "END:VALARM");
}

}  // namespace

std::string SeedModel::ical(const EventSpec& e, int revision) const {
    std::string out;
    out.reserve(2048);
    line(out, "BEGIN:VCALENDAR");
    line(out, "VERSION:2.0");
    line(out, "PRODID:-//Cosmo//cosmo-loadtest//EN");
    line(out, "CALSCALE:GREGORIAN");
    const bool tz = e.kind != Kind::kAllDay && e.zone != Zone::kUtc;
    if (tz) {
        out += e.zone == Zone::kBerlin ? kBerlin : kNewYork;
    }
    const std::string summary =
        revision == 0 ? e.summary : e.summary + " (edit " + std::to_string(revision) + ")";
    const std::string stamp = "DTSTAMP:20260101T000000Z";
    const std::string seq = "SEQUENCE:" + std::to_string(revision);

    if (e.kind == Kind::kTodo) {
        line(out, "BEGIN:VTODO");
        line(out, "UID:" + e.uid);
        line(out, stamp);
        line(out, seq);
        timed_prop(out, "DTSTART", e.zone, e.date, e.start_minute);
        if (e.has_due) {
            timed_prop(out, "DUE", e.zone, add_days(e.date, 3), e.start_minute);
        }
        line(out, "SUMMARY:" + summary);
        line(out, "PRIORITY:" + std::to_string(1 + e.index % 9));
        line(out, "STATUS:NEEDS-ACTION");
        alarm(out, e);
        line(out, "END:VTODO");
        line(out, "END:VCALENDAR");
        return out;
    }

    auto body = [&](const std::string& sum) {
        line(out, "SUMMARY:" + sum);
        line(out, "DESCRIPTION:Seeded by cosmo-loadtest for user " + std::to_string(e.user) +
                      "\\, event " + std::to_string(e.index) + ".");
        if (e.index % 3 == 0) {
            line(out, "LOCATION:Room " + std::to_string(100 + e.index % 400));
        }
        people(out, e);
        alarm(out, e);
    };

    line(out, "BEGIN:VEVENT");
    line(out, "UID:" + e.uid);
    line(out, stamp);
    line(out, seq);
    if (e.kind == Kind::kAllDay) {
        line(out, "DTSTART;VALUE=DATE:" + format_date(e.date));
        line(out, "DTEND;VALUE=DATE:" + format_date(add_days(e.date, e.all_day_days)));
        line(out, "TRANSP:TRANSPARENT");
    } else {
        timed_prop(out, "DTSTART", e.zone, e.date, e.start_minute);
        if (e.index % 2 == 0) {
            timed_prop(out, "DTEND", e.zone, e.date, e.start_minute + e.duration_minutes);
        } else {
            line(out, "DURATION:PT" + std::to_string(e.duration_minutes) + "M");
        }
    }
    if (e.kind == Kind::kDaily || e.kind == Kind::kWeekly || e.kind == Kind::kWeeklyForever) {
        const int step = e.kind == Kind::kDaily ? 1 : 7;
        std::string rule = e.kind == Kind::kDaily ? "RRULE:FREQ=DAILY" : "RRULE:FREQ=WEEKLY";
        if (e.kind != Kind::kWeeklyForever) {
            if (e.use_until) {
                // RFC 5545 §3.3.10: UNTIL is UTC when DTSTART has a TZID.
                rule += ";UNTIL=" + format_date(add_days(e.date, (e.count - 1) * step)) +
                        "T235959Z";
            } else {
                rule += ";COUNT=" + std::to_string(e.count);
            }
        }
        line(out, rule);
        if (e.exdate_index >= 0) {
            timed_prop(out, "EXDATE", e.zone, add_days(e.date, e.exdate_index * step),
                       e.start_minute);
        }
    }
    body(summary);
    line(out, "END:VEVENT");

    if (e.override_index >= 0) {
        const int step = e.kind == Kind::kDaily ? 1 : 7;
        const CivilDate d = add_days(e.date, e.override_index * step);
        line(out, "BEGIN:VEVENT");
        line(out, "UID:" + e.uid);
        line(out, stamp);
        line(out, seq);
        timed_prop(out, "RECURRENCE-ID", e.zone, d, e.start_minute);
        const int start = e.start_minute + e.override_shift;
        timed_prop(out, "DTSTART", e.zone, d, start);
        timed_prop(out, "DTEND", e.zone, d, start + e.duration_minutes);
        body(summary + " (moved)");
        line(out, "END:VEVENT");
    }
    line(out, "END:VCALENDAR");
    return out;
}

}  // namespace cosmo::loadtest
