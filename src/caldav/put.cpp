/// PUT into a calendar collection (RFC 4791 §5.3.2): validation with the
/// ical module, the UID check, and the query columns stored with the bytes.
/// The bytes are stored exactly as sent, so the response carries the ETag.
///
/// Statuses (all 403 unless noted, with the CALDAV precondition):
/// supported-calendar-data (not text/calendar), max-resource-size,
/// valid-calendar-data, valid-calendar-object-resource,
/// supported-calendar-component, min-date-time, max-date-time;
/// 409 no-uid-conflict with the DAV:href of the resource holding the UID.

#include <strings.h>

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

std::optional<store::CalendarIndex> validate_put(const Options& options, dav::Call& call,
                                                 const store::Resource& parent,
                                                 std::string& content_type) {
    if (content_type.empty()) {
        content_type = "text/calendar; charset=utf-8";  // lenient: some clients omit it
    } else if (content_type.size() < 13 ||
               strncasecmp(content_type.c_str(), "text/calendar", 13) != 0) {
        throw DavError::forbidden(Precondition::kSupportedCalendarData,
                                  "Calendar collections take text/calendar only");
    }
    const std::string& body = call.req.body();
    if (body.size() > options.max_resource_size) {
        throw DavError::forbidden(Precondition::kMaxResourceSize, "The resource is too large");
    }
    ical::ParseResult parsed = ical::parse(body);
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
    const ical::Summary summary = ical::summarize(*parsed.calendar, vo.default_tzid);
    // RFC 4791 §5.3.2: the UID is unique within the collection; replacing
    // the resource that holds it is fine.
    if (const auto holder = call.session->find_by_uid(parent, summary.uid);
        holder && *holder != call.target.path) {
        DavError e(http::Status::conflict, Precondition::kNoUidConflict,
                   "Another resource of the calendar has this UID");
        e.with_href(call.href_of(*holder));
        throw e;
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
        return validate_put(options, call, parent, ct);
    };
    return h;
}

}  // namespace cosmo::caldav::detail
