/// PUT, COPY and MOVE into a calendar collection (RFC 4791 §5.3.2):
/// validation with the ical module, the UID check, and the query columns
/// stored with the bytes. The bytes are stored exactly as sent, so the
/// response carries the ETag.
///
/// Statuses (all 403 unless noted, with the CALDAV precondition):
/// supported-calendar-data (not text/calendar), max-resource-size,
/// valid-calendar-data, valid-calendar-object-resource,
/// supported-calendar-component, min-date-time, max-date-time,
/// max-attendees-per-instance (§5.2.9: enforced, counted per component);
/// 409 no-uid-conflict with the DAV:href of the resource holding the UID.

#include <strings.h>

#include <algorithm>

#include "cosmo/dav/target.hpp"
#include "cosmo/ical/calendar.hpp"
#include "cosmo/ical/summary.hpp"
#include "cosmo/ical/validate.hpp"
#include "internal.hpp"
#include "requests.hpp"

namespace cosmo::caldav::detail {

namespace {

using dav::DavError;
using dav::Precondition;

Precondition precondition_of(ical::Precondition p) {
    switch (p) {
        case ical::Precondition::kValidCalendarData: return Precondition::kValidCalendarData;
        case ical::Precondition::kValidCalendarObjectResource:
            return Precondition::kValidCalendarObjectResource;
        case ical::Precondition::kSupportedComponent:
            return Precondition::kSupportedCalendarComponent;
        case ical::Precondition::kMinDateTime: return Precondition::kMinDateTime;
        case ical::Precondition::kMaxDateTime: return Precondition::kMaxDateTime;
    }
    return Precondition::kValidCalendarData;
}

std::int64_t seconds_of(ical::TimePoint t) { return t.time_since_epoch().count(); }

bool is_calendar_type(const std::string& content_type) {
    return content_type.size() >= 13 && strncasecmp(content_type.c_str(), "text/calendar", 13) == 0;
}

/// RFC 4791 §5.2.9: the most ATTENDEE properties of one instance, i.e. of
/// one VEVENT/VTODO/VJOURNAL (the master or an override). ATTENDEEs of a
/// VALARM (RFC 5545 §3.6.6, e-mail alarms) are recipients, not attendees.
std::size_t max_attendees(std::string_view text) {
    std::size_t most = 0;
    std::size_t count = 0;
    int alarm_depth = 0;
    for (std::string_view line : lines_of(text)) {
        if (starts_with_nocase(line, "BEGIN:VALARM")) {
            ++alarm_depth;
        } else if (starts_with_nocase(line, "END:VALARM")) {
            --alarm_depth;
        } else if (starts_with_nocase(line, "BEGIN:V")) {
            count = 0;
        } else if (alarm_depth == 0 && starts_with_nocase(line, "ATTENDEE") &&
                   line.size() > 8 && (line[8] == ':' || line[8] == ';')) {
            most = std::max(most, ++count);
        }
    }
    return most;
}

/// The PUT checks (RFC 4791 §5.3.2) of `body` stored at `path` of `parent`;
/// `leaving` may hold the UID already (the source of a MOVE).
store::CalendarIndex validate_object(const Options& options, dav::Call& call,
                                     const store::Resource& parent, const std::string& path,
                                     const std::string& body, std::string& content_type,
                                     const std::string& leaving, bool check_uid_here) {
    if (content_type.empty()) {
        content_type = "text/calendar; charset=utf-8";  // lenient: some clients omit it
    } else if (!is_calendar_type(content_type)) {
        throw DavError::forbidden(Precondition::kSupportedCalendarData,
                                  "Calendar collections take text/calendar only");
    }
    if (body.size() > options.max_resource_size) {
        throw DavError::forbidden(Precondition::kMaxResourceSize, "The resource is too large");
    }
    // Stored bytes go into XML as calendar-data (REPORT, PROPFIND): one
    // object that is not UTF-8, or that carries a control character XML 1.0
    // cannot hold, would make every such answer for the calendar malformed
    // and stop the client's sync. RFC 5545 §3.1 and §6: UTF-8, and no
    // C0 controls but HTAB in values (CR LF only as line ends); DEL is
    // let through (XML can hold it).
    if (!dav::valid_utf8(body)) {
        throw DavError::forbidden(Precondition::kValidCalendarData,
                                  "iCalendar data must be UTF-8 (RFC 5545 section 6)");
    }
    if (std::any_of(body.begin(), body.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u < 0x20 && c != '\t' && c != '\r' && c != '\n';
        })) {
        throw DavError::forbidden(Precondition::kValidCalendarData,
                                  "Control characters are not allowed in iCalendar data");
    }
    // A VTIMEZONE already shared is not parsed again (parse_for_checks):
    // clients send the same one with every event.
    ical::ParseResult parsed = ical::parse_for_checks(body);
    if (!parsed.ok()) {
        const std::string why =
            parsed.violations.empty() ? "not iCalendar" : parsed.violations.front().reason;
        throw DavError::forbidden(Precondition::kValidCalendarData, why);
    }
    ical::ValidationOptions vo;
    vo.supported_components = supported_components(call, parent);
    vo.min_date_time = parse_utc_time(options.min_date_time);
    vo.max_date_time = parse_utc_time(options.max_date_time);
    vo.default_tzid = collection_tzid(call, parent);
    const std::vector<ical::Violation> violations =
        ical::validate_calendar_object(*parsed.calendar, vo);
    if (!violations.empty()) {
        throw DavError::forbidden(precondition_of(violations.front().kind),
                                  violations.front().reason);
    }
    if (max_attendees(body) > options.max_attendees_per_instance) {
        throw DavError::forbidden(Precondition::kMaxAttendeesPerInstance,
                                  "Too many ATTENDEEs in one instance (limit " +
                                      std::to_string(options.max_attendees_per_instance) + ")");
    }
    const ical::Summary summary = ical::summarize(*parsed.calendar, vo.default_tzid);
    // RFC 4791 §5.3.2: the UID is unique within the collection; replacing
    // the resource that holds it is fine. A PUT leaves this to the store,
    // which checks in the statement that takes the collection's write lock
    // (one round trip fewer; the unique index catches what a concurrent
    // writer commits meanwhile). COPY and MOVE check here, where the
    // resource that is leaving is known.
    if (check_uid_here) {
        if (const auto holder = call.session->find_by_uid(parent, summary.uid);
            holder && *holder != path && *holder != leaving) {
            DavError e(http::Status::conflict, Precondition::kNoUidConflict,
                       "Another resource of the calendar has this UID");
            e.with_href(call.href_of(*holder));
            throw e;
        }
    }
    store::CalendarIndex index;
    index.uid = summary.uid;
    index.component = summary.component;
    index.first_start = seconds_of(summary.first_start);
    index.last_end = seconds_of(summary.last_end);
    index.recurring = summary.recurring;
    return index;
}

}  // namespace

dav::PutHook put_hook(const Options& options) {
    dav::PutHook h;
    h.kind = store::CollectionKind::kCalendar;
    h.run = [options](dav::Call& call, const store::Resource& parent, std::string& ct) {
        return std::optional(validate_object(options, call, parent, call.target.path,
                                             call.req.body(), ct, std::string(),
                                             /*check_uid_here=*/false));
    };
    h.check_copy = [options](dav::Call& call, const store::Resource& parent,
                             const std::string& path, const std::string& body, std::string& ct,
                             const std::string& leaving) {
        // Files stored in plain collections often carry a generic type:
        // judge those by their bytes (valid-calendar-data below).
        if (ct.empty() || strncasecmp(ct.c_str(), "application/octet-stream", 24) == 0) {
            ct.clear();
        }
        return std::optional(
            validate_object(options, call, parent, path, body, ct, leaving, /*check_uid_here=*/true));
    };
    return h;
}

}  // namespace cosmo::caldav::detail
