#pragma once
/// The registries that make the engine table-driven (Cyrus style): live
/// properties, REPORTs and DAV compliance classes. Built once at start-up,
/// immutable afterwards; CalDAV adds its rows to the same tables.

#include <functional>
#include <string>
#include <vector>

#include "cosmo/http/message.hpp"
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
};

/// One row per REPORT, keyed by the root element of the request body.
struct Report {
    xml::QName name;
    std::function<bool(const Node&)> applies;
    std::function<http::Response(Call&, const xml::Element&)> run;
};

struct Registries {
    /// Compliance classes of the DAV header (RFC 4918 §10.1), in order.
    std::vector<std::string> dav_classes;
    std::vector<LiveProperty> properties;
    std::vector<Report> reports;

    const LiveProperty* find_property(const xml::QName& name) const;
    const Report* find_report(const xml::QName& name) const;
};

/// The WebDAV rows: classes 1, 2, 3 and extended-mkcol, the RFC 4918 /
/// 3744 / 4331 / 5397 properties, and no reports yet.
Registries default_registries();

}  // namespace cosmo::dav
