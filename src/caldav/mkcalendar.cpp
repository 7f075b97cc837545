/// MKCALENDAR (RFC 4791 §5.3.1) and the CALDAV:calendar collection type for
/// extended MKCOL (RFC 5689 §3).
///
/// Statuses: 201 created; 403 with a mkcalendar-response propstat when a
/// property cannot be set (the rest 424); 403 calendar-collection-location-ok
/// inside another calendar (at any depth, §4.2); 405 when the URL is mapped;
/// 409 when the parent is missing; 415/400 for a body that is not
/// C:mkcalendar XML.

#include "internal.hpp"

namespace cosmo::caldav::detail {

namespace {

/// RFC 4791 §4.2: calendar collections do not nest, at any depth.
void check_location(dav::Call& call, const std::string& path) {
    std::string p = dav::parent_path(path);
    while (!p.empty()) {
        if (const auto r = call.session->stat(p);
            r && r->is_collection && r->kind == store::CollectionKind::kCalendar) {
            throw dav::DavError::forbidden(dav::Precondition::kCalendarCollectionLocationOk,
                                           "A calendar cannot be created inside a calendar");
        }
        p = dav::parent_path(p);
    }
}

http::Response handle_mkcalendar(dav::Call& call) {
    const xml::QName type = xml::caldav("calendar");
    const xml::QName response = xml::caldav("mkcalendar-response");
    if (call.node.resource || call.req.body().find_first_not_of(" \t\r\n") == std::string::npos) {
        return dav::create_collection(call, nullptr, type, response);
    }
    const xml::Element root = dav::parse_body(call);
    if (root.name != xml::caldav("mkcalendar")) {
        throw dav::DavError::bad_request("MKCALENDAR body must be CALDAV:mkcalendar");
    }
    return dav::create_collection(call, &root, type, response);
}

}  // namespace

dav::Method mkcalendar_method() {
    dav::Method m;
    m.verb = http::Verb::mkcalendar;
    m.run = handle_mkcalendar;
    m.store_only = true;
    m.allowed = [](const dav::Node& n) { return n.kind == dav::NodeKind::kStore && !n.resource; };
    m.name = "MKCALENDAR";
    return m;
}

dav::CollectionType calendar_collection_type() {
    dav::CollectionType t;
    t.resourcetype = xml::caldav("calendar");
    t.kind = store::CollectionKind::kCalendar;
    t.check_location = check_location;
    return t;
}

}  // namespace cosmo::caldav::detail
