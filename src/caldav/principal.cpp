/// Principal properties beyond dav's (CalendarServer email-address-set,
/// RFC 6638 calendar-user-type) and the principal REPORTs: expand-property
/// (RFC 3253 §3.8), principal-property-search and
/// principal-search-property-set (RFC 3744 §9.4, §9.5).
///
/// Other users' principals are 404 to everyone (no enumeration), so a
/// search can only ever find the caller's own principal.
///
/// Statuses: 207; 400 for a malformed body.

#include <algorithm>

#include "internal.hpp"

namespace cosmo::caldav::detail {

namespace {

using dav::LiveProperty;
using dav::PropContext;
using xml::dav;

bool on_principal(const PropContext& c) { return c.node.kind == dav::NodeKind::kPrincipal; }

/// The user a principal node describes (the call's owner when it is them).
std::optional<store::User> user_of(const PropContext& c) {
    if (c.call.owner && c.call.owner->name == c.node.user) return c.call.owner;
    return c.call.directory.find_user(c.node.user);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return s;
}

dav::Node principal_node(const dav::Call& call) {
    dav::Node n;
    n.kind = dav::NodeKind::kPrincipal;
    n.user = call.ctx.user;
    n.href = dav::principal_href(call.options.prefix, n.user);
    return n;
}

/// A property's value rendered to XML and parsed back (to find its hrefs).
std::optional<xml::Element> render(dav::Call& call, const dav::Node& node,
                                   const xml::QName& name) {
    xml::Writer w;
    w.start(name);
    if (const LiveProperty* live = call.registries.find_property(name);
        live && live->applies(PropContext{call, node})) {
        live->write(PropContext{call, node}, w);
    } else if (node.kind == dav::NodeKind::kStore && node.resource) {
        const auto dead = call.session->dead_property(*node.resource, name.ns, name.local);
        if (!dead) return std::nullopt;
        w.raw(dead->value_xml);
    } else {
        return std::nullopt;
    }
    w.end();
    return xml::parse(w.finish());
}

/// The node an href names, if the caller may see it.
std::optional<dav::Node> resolve(dav::Call& call, const std::string& href) {
    std::optional<dav::Target> t;
    try {
        t = dav::parse_target(href, call.options.prefix);
    } catch (const dav::DavError&) {
        return std::nullopt;
    }
    if (!t) return std::nullopt;
    if (t->kind == dav::NodeKind::kPrincipal) {
        if (t->user != call.ctx.user) return std::nullopt;
        return principal_node(call);
    }
    if (t->kind == dav::NodeKind::kStore) {
        if (t->user != call.ctx.user || !call.session) return std::nullopt;
        dav::Node n = call.store_node(t->path, t->trailing_slash);
        if (!n.resource) return std::nullopt;
        return n;
    }
    dav::Node n;
    n.kind = t->kind;
    n.href = dav::virtual_href(call.options.prefix, t->kind);
    return n;
}

/// One <D:response> of expand-property for node with the requested
/// <D:property> elements (nested ones expand the hrefs of the value).
void write_expanded(dav::Call& call, const dav::Node& node, const xml::Element& request,
                    int depth, xml::Writer& w) {
    std::vector<std::pair<xml::QName, std::optional<xml::Element>>> found;
    for (const xml::Element& p : request.children) {
        if (p.name != dav("property")) continue;
        std::string ns = p.attribute("namespace");
        if (ns.empty()) ns = std::string(xml::ns::kDav);
        const xml::QName name{ns, p.attribute("name")};
        found.emplace_back(name, render(call, node, name));
    }
    w.start(dav("response")).leaf(dav("href"), node.href);
    for (bool ok : {true, false}) {
        bool any = false;
        for (const auto& f : found) any = any || f.second.has_value() == ok;
        if (!any) continue;
        w.start(dav("propstat")).start(dav("prop"));
        std::size_t i = 0;
        for (const xml::Element& p : request.children) {
            if (p.name != dav("property")) continue;
            const auto& [name, value] = found[i++];
            if (value.has_value() != ok) continue;
            if (!ok) {
                w.leaf(name);
                continue;
            }
            w.start(name);
            bool nested = false;
            for (const xml::Element& c : p.children) nested = nested || c.name == dav("property");
            if (nested && depth < 4) {
                for (const xml::Element& h : value->children) {
                    if (h.name != dav("href")) continue;
                    if (auto target = resolve(call, std::string(h.trimmed_text()))) {
                        write_expanded(call, *target, p, depth + 1, w);
                    } else {
                        write_status_response(w, std::string(h.trimmed_text()),
                                              http::Status::not_found);
                    }
                }
            } else {
                w.raw(value->inner_xml);
            }
            w.end();
        }
        w.end().leaf(dav("status"), dav::status_line(ok ? http::Status::ok
                                                         : http::Status::not_found));
        w.end();
    }
    w.end();
}

http::Response expand_property(dav::Call& call, const xml::Element& root) {
    xml::Writer w;
    w.start(dav("multistatus"));
    write_expanded(call, call.node, root, 0, w);
    return call.xml_response(http::Status::multi_status, w.finish());
}

/// The searchable text of a principal property.
std::vector<std::string> search_values(const store::User& user, const xml::QName& name) {
    if (name == dav("displayname")) return {user.name};
    if (name == cs("email-address-set")) return {user.email};
    if (name == xml::caldav("calendar-user-address-set")) return {"mailto:" + user.email};
    return {};
}

http::Response principal_property_search(dav::Call& call, const xml::Element& root) {
    if (!call.owner) call.owner = call.directory.find_user(call.ctx.user);
    const bool any_of = root.attribute("test") == "anyof";
    bool all = true;
    bool any = false;
    bool searched = false;
    for (const xml::Element& ps : root.children) {
        if (ps.name != dav("property-search")) continue;
        const xml::Element* prop = ps.child(dav("prop"));
        const xml::Element* match = ps.child(dav("match"));
        if (!prop || !match) throw dav::DavError::bad_request("property-search needs prop and match");
        const std::string needle = lower(std::string(match->trimmed_text()));
        const std::string type = match->attribute("match-type");  // Apple extension
        bool hit = false;
        for (const xml::Element& p : prop->children) {
            if (!call.owner) break;
            for (const std::string& v : search_values(*call.owner, p.name)) {
                const std::string hay = lower(v);
                if (type == "starts-with") {
                    hit = hit || hay.rfind(needle, 0) == 0;
                } else if (type == "equals") {
                    hit = hit || hay == needle;
                } else {
                    hit = hit || hay.find(needle) != std::string::npos;
                }
            }
        }
        searched = true;
        all = all && hit;
        any = any || hit;
    }
    const bool matched = searched && (any_of ? any : all);
    dav::PropRequest req;
    req.kind = dav::PropRequest::Kind::kProp;
    if (const xml::Element* prop = root.child(dav("prop"))) req.props = prop->children;
    xml::Writer w;
    w.start(dav("multistatus"));
    if (matched) dav::write_prop_response(call, principal_node(call), req, false, w);
    return call.xml_response(http::Status::multi_status, w.finish());
}

http::Response principal_search_property_set(dav::Call& call, const xml::Element&) {
    xml::Writer w;
    w.start(dav("principal-search-property-set"));
    const std::pair<xml::QName, const char*> rows[] = {
        {dav("displayname"), "Display name"},
        {cs("email-address-set"), "E-mail address"},
        {xml::caldav("calendar-user-address-set"), "Calendar user address"},
    };
    for (const auto& [name, description] : rows) {
        w.start(dav("principal-search-property")).start(dav("prop")).leaf(name).end();
        w.start(dav("description")).attribute("xml:lang", "en").text(description).end();
        w.end();
    }
    return call.xml_response(http::Status::ok, w.finish());
}

bool on_principal_collections(const dav::Node& n) {
    return n.kind == dav::NodeKind::kPrincipals || n.kind == dav::NodeKind::kPrincipalUsers ||
           n.kind == dav::NodeKind::kPrincipal || n.kind == dav::NodeKind::kRoot;
}

}  // namespace

std::vector<LiveProperty> principal_properties() {
    std::vector<LiveProperty> rows;
    LiveProperty email;
    email.name = cs("email-address-set");
    email.applies = [](const PropContext& c) {
        if (!on_principal(c)) return false;
        const auto u = user_of(c);
        return u && !u->email.empty();
    };
    email.write = [](const PropContext& c, xml::Writer& w) {
        w.leaf(cs("email-address"), user_of(c)->email);
    };
    rows.push_back(std::move(email));
    LiveProperty type;
    type.name = xml::caldav("calendar-user-type");  // RFC 6638 §2.4.2
    type.applies = on_principal;
    type.write = [](const PropContext&, xml::Writer& w) { w.text("INDIVIDUAL"); };
    rows.push_back(std::move(type));
    return rows;
}

std::vector<dav::Report> principal_reports() {
    std::vector<dav::Report> out;
    out.push_back({dav("expand-property"), [](const dav::Node&) { return true; }, expand_property});
    out.push_back({dav("principal-property-search"), on_principal_collections,
                   principal_property_search});
    out.push_back({dav("principal-search-property-set"), on_principal_collections,
                   principal_search_property_set});
    return out;
}

}  // namespace cosmo::caldav::detail
