/// Properties of calendar collections (RFC 4791 §5.2), RFC 6578 sync-token,
/// CalendarServer getctag, RFC 7809 calendar-timezone-id, RFC 6638
/// schedule-calendar-transp, and calendar-data on objects (§9.6).

#include <algorithm>

#include "cosmo/ical/calendar.hpp"
#include "internal.hpp"
#include "requests.hpp"

namespace cosmo::caldav::detail {

namespace {

using dav::LiveProperty;
using dav::PropContext;
using xml::caldav;

bool on_calendar(const PropContext& c) { return is_calendar(c.node); }
bool on_collection(const PropContext& c) { return is_store_collection(c.node); }

/// Objects whose bytes are iCalendar (their media type says so).
bool on_calendar_object(const PropContext& c) { return is_calendar_object(c.node); }

LiveProperty row(xml::QName name, std::function<bool(const PropContext&)> applies,
                 std::function<void(const PropContext&, xml::Writer&)> write) {
    LiveProperty p;
    p.name = std::move(name);
    p.applies = std::move(applies);
    p.write = std::move(write);
    return p;
}

const std::vector<std::string> kComponents = {"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"};

/// RFC 4791 §5.2.3: only C:comp elements naming components we store.
std::optional<dav::Precondition> check_component_set(const PropContext&,
                                                     const xml::Element& e) {
    if (e.children.empty()) return dav::Precondition::kSupportedCalendarComponent;
    for (const xml::Element& c : e.children) {
        const std::string name = c.attribute("name");
        if (c.name != caldav("comp") ||
            std::find(kComponents.begin(), kComponents.end(), name) == kComponents.end()) {
            return dav::Precondition::kSupportedCalendarComponent;
        }
    }
    return std::nullopt;
}

/// RFC 4791 §5.2.2: one VCALENDAR with exactly one VTIMEZONE.
std::optional<dav::Precondition> check_timezone(const PropContext&, const xml::Element& e) {
    const std::string text(e.trimmed_text());
    if (!e.children.empty() || !ical::parse(text).ok() ||
        text.find("BEGIN:VTIMEZONE") == std::string::npos) {
        return dav::Precondition::kValidCalendarData;
    }
    return std::nullopt;
}

}  // namespace

std::vector<LiveProperty> calendar_properties(const Options& options) {
    std::vector<LiveProperty> rows;
    LiveProperty components = row(
        caldav("supported-calendar-component-set"), on_calendar,
        [](const PropContext& c, xml::Writer& w) {
            for (const std::string& n : supported_components(c.call, *c.node.resource)) {
                w.start(caldav("comp")).attribute("name", n).end();
            }
        });
    components.settable_on_create_of = {caldav("calendar")};
    components.check = check_component_set;
    rows.push_back(std::move(components));

    // Stored as a dead property; the row only checks values (PROPPATCH and
    // MKCALENDAR) and never answers itself.
    LiveProperty timezone = row(
        caldav("calendar-timezone"), [](const PropContext&) { return false; },
        [](const PropContext&, xml::Writer&) {});
    timezone.is_protected = false;
    timezone.check = check_timezone;
    rows.push_back(std::move(timezone));

    // RFC 7809 §5.2, read side: the TZID of calendar-timezone.
    rows.push_back(row(
        caldav("calendar-timezone-id"),
        [](const PropContext& c) {
            return on_calendar(c) && !collection_tzid(c.call, *c.node.resource).empty();
        },
        [](const PropContext& c, xml::Writer& w) {
            w.text(collection_tzid(c.call, *c.node.resource));
        }));
    rows.push_back(row(caldav("supported-calendar-data"), on_calendar,
                       [](const PropContext&, xml::Writer& w) {
                           w.start(caldav("calendar-data"))
                               .attribute("content-type", "text/calendar")
                               .attribute("version", "2.0")
                               .end();
                       }));
    auto value = [&](std::string text) {
        return [text](const PropContext&, xml::Writer& w) { w.text(text); };
    };
    rows.push_back(row(caldav("max-resource-size"), on_calendar,
                       value(std::to_string(options.max_resource_size))));
    rows.push_back(row(caldav("min-date-time"), on_calendar, value(options.min_date_time)));
    rows.push_back(row(caldav("max-date-time"), on_calendar, value(options.max_date_time)));
    rows.push_back(
        row(caldav("max-instances"), on_calendar, value(std::to_string(options.max_instances))));
    rows.push_back(row(caldav("max-attendees-per-instance"), on_calendar,
                       value(std::to_string(options.max_attendees_per_instance))));
    // The ctag changes with every membership change (it is the revision).
    rows.push_back(row(cs("getctag"), on_collection, [](const PropContext& c, xml::Writer& w) {
        w.text(sync_token(*c.node.resource));
    }));
    rows.push_back(row(xml::dav("sync-token"), on_collection,
                       [](const PropContext& c, xml::Writer& w) {
                           w.text(sync_token(*c.node.resource));
                       }));
    // RFC 6638 §9.1: opaque unless the client set it (then the dead value).
    LiveProperty transp = row(
        caldav("schedule-calendar-transp"),
        [](const PropContext& c) {
            return on_calendar(c) && !c.call.session->dead_property(
                                         *c.node.resource, std::string(xml::ns::kCalDav),
                                         "schedule-calendar-transp");
        },
        [](const PropContext&, xml::Writer& w) { w.leaf(caldav("opaque")); });
    transp.is_protected = false;
    rows.push_back(std::move(transp));
    // RFC 4791 §9.6: the object's bytes exactly as stored, or the requested
    // view of them (comp/prop selection, expand, limit-recurrence-set).
    const std::size_t max_instances = options.max_instances;
    dav::LiveProperty calendar_data = row(
        caldav("calendar-data"), on_calendar_object,
        [max_instances](const PropContext& c, xml::Writer& w) {
            // The REPORTs and a PROPFIND Depth 1 hand the body over
            // with the node (not copied again here); else it is read now.
            std::string read;
            const std::string& body =
                c.node.body ? *c.node.body
                            : (read = c.call.session->read_body(*c.node.resource));
            if (!c.request || c.request->children.empty()) {
                w.text(body);
                return;
            }
            const ical::CalendarDataRequest req = parse_calendar_data(*c.request);
            if (ical::is_whole_object(req)) {
                w.text(body);
                return;
            }
            std::string tzid;
            if (const auto parent =
                    c.call.session->stat(dav::parent_path(c.node.path))) {
                tzid = collection_tzid(c.call, *parent);
            }
            w.text(ical::render_calendar_data(body, req, tzid, max_instances));
        });
    calendar_data.reads_body = true;
    rows.push_back(std::move(calendar_data));
    return rows;
}

}  // namespace cosmo::caldav::detail
