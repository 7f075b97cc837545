/// RFC 3744 read side on every resource: current-user-privilege-set (§5.4),
/// acl (§5.5) and supported-privilege-set (§5.3), stating exactly what the
/// dispatcher enforces: the owner may do everything in their home except
/// change ACLs (no ACL method); everything outside the home is read-only;
/// other users' resources are 404 and never described.

#include "internal.hpp"

namespace cosmo::caldav::detail {

namespace {

using dav::LiveProperty;
using dav::PropContext;
using xml::dav;

/// The owner's privileges in the home (aggregates expanded, RFC 3744 §3.12).
const std::vector<std::string> kOwner = {
    "read", "write", "write-properties", "write-content", "bind", "unbind", "unlock",
    "read-acl", "read-current-user-privilege-set"};
/// The virtual collections and the principal: read only.
const std::vector<std::string> kReadOnly = {"read", "read-current-user-privilege-set"};

const std::vector<std::string>& privileges(const PropContext& c) {
    return c.node.kind == dav::NodeKind::kStore ? kOwner : kReadOnly;
}

void privilege(xml::Writer& w, const std::string& name) {
    w.start(dav("privilege")).leaf(dav(name)).end();
}

LiveProperty row(xml::QName name, std::function<void(const PropContext&, xml::Writer&)> write) {
    LiveProperty p;
    p.name = std::move(name);
    p.applies = [](const PropContext&) { return true; };
    p.write = std::move(write);
    return p;
}

void supported(xml::Writer& w, const std::string& name, bool abstract,
               const std::vector<std::string>& children = {}) {
    w.start(dav("supported-privilege"));
    privilege(w, name);
    if (abstract) w.leaf(dav("abstract"));
    for (const std::string& c : children) supported(w, c, false);
    w.end();
}

}  // namespace

std::vector<LiveProperty> acl_properties() {
    std::vector<LiveProperty> rows;
    rows.push_back(row(dav("current-user-privilege-set"), [](const PropContext& c, xml::Writer& w) {
        for (const std::string& p : privileges(c)) privilege(w, p);
    }));
    rows.push_back(row(dav("acl"), [](const PropContext& c, xml::Writer& w) {
        // One protected ACE: the owner (for the virtual collections: every
        // authenticated user) is granted what privileges() lists.
        w.start(dav("ace")).start(dav("principal"));
        if (c.node.kind == dav::NodeKind::kStore || c.node.kind == dav::NodeKind::kPrincipal) {
            w.leaf(dav("href"), dav::principal_href(c.call.options.prefix, c.node.user));
        } else {
            w.leaf(dav("authenticated"));
        }
        w.end().start(dav("grant"));
        for (const std::string& p : privileges(c)) privilege(w, p);
        w.end().leaf(dav("protected")).end();
    }));
    rows.push_back(row(dav("supported-privilege-set"), [](const PropContext& c, xml::Writer& w) {
        w.start(dav("supported-privilege"));
        privilege(w, "all");
        w.leaf(dav("abstract"));
        if (c.node.kind == dav::NodeKind::kStore) {
            supported(w, "read", false);
            supported(w, "write", false, {"write-properties", "write-content", "bind", "unbind"});
            supported(w, "unlock", false);
            supported(w, "read-acl", false);
        } else {
            supported(w, "read", false);
        }
        supported(w, "read-current-user-privilege-set", false);
        w.end();
    }));
    return rows;
}

}  // namespace cosmo::caldav::detail
