#pragma once
/// The registries that make the engine table-driven (Cyrus style): live
/// properties, REPORTs, extension methods, collection types, PUT hooks and
/// DAV compliance classes. Built once at start-up, immutable afterwards;
/// CalDAV (src/caldav) adds its rows to the same tables.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cosmo/dav/error.hpp"
#include "cosmo/http/message.hpp"
#include "cosmo/store/types.hpp"
#include "cosmo/xml/qname.hpp"
#include "cosmo/xml/reader.hpp"
#include "cosmo/xml/writer.hpp"

namespace cosmo::dav {

class Call;
struct Node;

/// What a property getter sees: the request and the node being described.
struct PropContext {
    Call& call;
    const Node& node;
    /// The requested property element when the request names it with
    /// content (CALDAV:calendar-data with comp/expand in a REPORT), else null.
    const xml::Element* request = nullptr;
};

/// One row per live property (RFC 4918 §15 and the extensions).
struct LiveProperty {
    xml::QName name;
    bool in_allprop = false;    ///< returned for <allprop/> (RFC 4918 §9.1)
    bool is_protected = true;   ///< PROPPATCH gets cannot-modify-protected-property
    /// Whether the node has this property (else it is a dead one or 404).
    std::function<bool(const PropContext&)> applies;
    /// Writes the value inside the already opened property element.
    std::function<void(const PropContext&, xml::Writer&)> write;
    /// The value comes from the stored bytes (CALDAV:calendar-data): a
    /// PROPFIND Depth 1 that asks for it reads every member's body in one
    /// query first, instead of one query per member.
    bool reads_body = false;
    /// For values stored as dead properties (PROPPATCH, MKCOL, MKCALENDAR):
    /// checks a value before it is stored; returns the precondition to report
    /// with a 403, or nullopt when acceptable. May be empty.
    std::function<std::optional<Precondition>(const PropContext&, const xml::Element&)> check;
    /// Protected, yet settable in the body that creates a collection of the
    /// given resourcetype (e.g. RFC 4791 §5.2.3 supported-calendar-component-
    /// set at MKCALENDAR); then stored as a dead property. Empty = never.
    std::vector<xml::QName> settable_on_create_of;
};

/// One row per REPORT, keyed by the root element of the request body.
struct Report {
    xml::QName name;
    std::function<bool(const Node&)> applies;
    std::function<http::Response(Call&, const xml::Element&)> run;
};

/// A method beyond RFC 4918 (MKCALENDAR, RFC 4791 §5.3.1).
struct Method {
    http::Verb verb;
    std::function<http::Response(Call&)> run;
    bool store_only = true;  ///< only below /calendars/users/{user}/
    /// Whether the Allow header lists it for a node.
    std::function<bool(const Node&)> allowed;
    std::string name;  ///< for the Allow header
};

/// A collection resourcetype that MKCOL (RFC 5689) may create besides
/// DAV:collection, e.g. CALDAV:calendar.
struct CollectionType {
    xml::QName resourcetype;
    store::CollectionKind kind = store::CollectionKind::kPlain;
    /// Throws DavError when a collection of this type may not be created at
    /// path (store path ending in '/'), e.g. inside a calendar. May be empty.
    std::function<void(Call&, const std::string& path)> check_location;
};

/// Runs on PUT into a collection of `kind` before anything is stored:
/// validates the request body (throws DavError with the RFC precondition)
/// and returns the calendar query columns to store with it. content_type is
/// the request's (may be ""); the hook may normalise it (never the body).
struct PutHook {
    store::CollectionKind kind = store::CollectionKind::kPlain;
    std::function<std::optional<store::CalendarIndex>(Call&, const store::Resource& parent,
                                                      std::string& content_type)>
        run;
    /// The same checks for COPY/MOVE of an object into a collection of
    /// `kind` (RFC 4791 §5.3.2 names COPY and MOVE too): `body` is the
    /// source's bytes, `path` the destination, `leaving` the path of a
    /// resource that stops holding its UID in this request (the MOVE
    /// source; "" for COPY). Returns the query columns to store. May be empty.
    std::function<std::optional<store::CalendarIndex>(
        Call&, const store::Resource& parent, const std::string& path, const std::string& body,
        std::string& content_type, const std::string& leaving)>
        check_copy;
};

/// Answers GET/HEAD on a collection of `kind` instead of the HTML listing
/// (RFC 4791 has none; CalDAV exports the calendar as one text/calendar).
struct GetHook {
    store::CollectionKind kind = store::CollectionKind::kPlain;
    std::function<http::Response(Call&)> run;
};

struct Registries {
    /// Compliance classes of the DAV header (RFC 4918 §10.1), in order.
    std::vector<std::string> dav_classes;
    std::vector<LiveProperty> properties;
    std::vector<Report> reports;
    std::vector<Method> methods;
    std::vector<CollectionType> collection_types;
    std::vector<PutHook> put_hooks;
    std::vector<GetHook> get_hooks;

    const LiveProperty* find_property(const xml::QName& name) const;
    const Report* find_report(const xml::QName& name) const;
    const Method* find_method(http::Verb verb) const;
    const CollectionType* find_collection_type(const xml::QName& resourcetype) const;
    const CollectionType* find_collection_type(store::CollectionKind kind) const;
    const PutHook* find_put_hook(store::CollectionKind kind) const;
    const GetHook* find_get_hook(store::CollectionKind kind) const;
};

/// The WebDAV rows: classes 1, 2, 3 and extended-mkcol, the RFC 4918 /
/// 3744 / 4331 / 5397 properties, and no reports yet.
Registries default_registries();

}  // namespace cosmo::dav
