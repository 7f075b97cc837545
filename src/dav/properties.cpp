/// The live property registry (RFC 4918 §15, RFC 3744 §5.1, RFC 4331,
/// RFC 5397, RFC 4791 §6.2.1 / RFC 6638 §2.4.1 for the principal).

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "methods.hpp"

namespace cosmo::dav {

namespace {

using xml::dav;

bool is_store(const PropContext& c) { return c.node.kind == NodeKind::kStore && c.node.resource; }
bool is_object(const PropContext& c) { return is_store(c) && !c.node.resource->is_collection; }
bool is_store_collection(const PropContext& c) {
    return is_store(c) && c.node.resource->is_collection;
}

std::string rfc3339(store::Timestamp t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string virtual_name(NodeKind kind) {
    switch (kind) {
        case NodeKind::kPrincipals: return "principals";
        case NodeKind::kPrincipalUsers:
        case NodeKind::kCalendarUsers: return "users";
        case NodeKind::kCalendars: return "calendars";
        default: return "root";
    }
}

void href(xml::Writer& w, const std::string& h) { w.leaf(dav("href"), h); }

LiveProperty row(xml::QName name, bool allprop, std::function<bool(const PropContext&)> applies,
                 std::function<void(const PropContext&, xml::Writer&)> write) {
    LiveProperty p;
    p.name = std::move(name);
    p.in_allprop = allprop;
    p.applies = std::move(applies);
    p.write = std::move(write);
    return p;
}

auto always = [](const PropContext&) { return true; };

std::vector<LiveProperty> dav_properties() {
    std::vector<LiveProperty> rows;
    rows.push_back(row(dav("resourcetype"), true, always, [](const PropContext& c, xml::Writer& w) {
        if (c.node.is_collection()) w.leaf(dav("collection"));
        if (c.node.kind == NodeKind::kPrincipal) w.leaf(dav("principal"));
        if (is_store(c) && c.node.resource->kind == store::CollectionKind::kCalendar) {
            w.leaf(xml::caldav("calendar"));
        }
    }));
    rows.push_back(row(dav("getetag"), true, is_object, [](const PropContext& c, xml::Writer& w) {
        w.text("\"" + c.node.resource->etag + "\"");
    }));
    rows.push_back(row(dav("getcontenttype"), true, is_object,
                       [](const PropContext& c, xml::Writer& w) {
                           w.text(c.node.resource->content_type);
                       }));
    rows.push_back(row(dav("getcontentlength"), true, is_object,
                       [](const PropContext& c, xml::Writer& w) {
                           w.text(std::to_string(c.node.resource->content_length));
                       }));
    rows.push_back(row(dav("getlastmodified"), true, is_store,
                       [](const PropContext& c, xml::Writer& w) {
                           w.text(http::http_date(c.node.resource->modified));
                       }));
    rows.push_back(row(dav("creationdate"), true, is_store,
                       [](const PropContext& c, xml::Writer& w) {
                           w.text(rfc3339(c.node.resource->created));
                       }));
    // Stored as a dead property on store resources (settable); computed on
    // the virtual collections and the principal.
    LiveProperty displayname = row(
        dav("displayname"), true,
        [](const PropContext& c) { return c.node.kind != NodeKind::kStore; },
        [](const PropContext& c, xml::Writer& w) {
            w.text(c.node.kind == NodeKind::kPrincipal ? c.node.user : virtual_name(c.node.kind));
        });
    displayname.is_protected = false;
    rows.push_back(std::move(displayname));
    rows.push_back(row(dav("supportedlock"), true, is_store, [](const PropContext&, xml::Writer& w) {
        for (const char* scope : {"exclusive", "shared"}) {
            w.start(dav("lockentry"));
            w.start(dav("lockscope")).leaf(dav(scope)).end();
            w.start(dav("locktype")).leaf(dav("write")).end();
            w.end();
        }
    }));
    rows.push_back(row(dav("lockdiscovery"), true, is_store,
                       [](const PropContext& c, xml::Writer& w) {
                           for (const store::Lock& l :
                                c.call.session->locks_covering(c.node.path)) {
                               write_activelock(w, c.call, l);
                           }
                       }));
    rows.push_back(row(dav("owner"), false, is_store, [](const PropContext& c, xml::Writer& w) {
        href(w, principal_href(c.call.options.prefix, c.node.user));
    }));
    rows.push_back(row(dav("current-user-principal"), false, always,
                       [](const PropContext& c, xml::Writer& w) {
                           href(w, principal_href(c.call.options.prefix, c.call.ctx.user));
                       }));
    rows.push_back(row(
        dav("principal-URL"), false,
        [](const PropContext& c) { return c.node.kind == NodeKind::kPrincipal; },
        [](const PropContext& c, xml::Writer& w) {
            href(w, principal_href(c.call.options.prefix, c.node.user));
        }));
    rows.push_back(row(dav("principal-collection-set"), false, always,
                       [](const PropContext& c, xml::Writer& w) {
                           href(w, virtual_href(c.call.options.prefix, NodeKind::kPrincipalUsers));
                       }));
    rows.push_back(row(
        xml::caldav("calendar-home-set"), false,
        [](const PropContext& c) { return c.node.kind == NodeKind::kPrincipal; },
        [](const PropContext& c, xml::Writer& w) {
            href(w, store_href(c.call.options.prefix, c.node.user, ""));
        }));
    rows.push_back(row(
        xml::caldav("calendar-user-address-set"), false,
        [](const PropContext& c) { return c.node.kind == NodeKind::kPrincipal; },
        [](const PropContext& c, xml::Writer& w) {
            if (c.call.owner && !c.call.owner->email.empty()) {
                href(w, "mailto:" + c.call.owner->email);
            }
            href(w, principal_href(c.call.options.prefix, c.node.user));
        }));
    rows.push_back(row(dav("supported-report-set"), false, always,
                       [](const PropContext& c, xml::Writer& w) {
                           for (const Report& r : c.call.registries.reports) {
                               if (!r.applies || !r.applies(c.node)) continue;
                               w.start(dav("supported-report")).start(dav("report"));
                               w.leaf(r.name).end().end();
                           }
                       }));
    rows.push_back(row(dav("quota-used-bytes"), false, is_store_collection,
                       [](const PropContext& c, xml::Writer& w) {
                           w.text(std::to_string(c.call.session->used_bytes()));
                       }));
    rows.push_back(row(dav("quota-available-bytes"), false, is_store_collection,
                       [](const PropContext& c, xml::Writer& w) {
                           const std::int64_t used = c.call.session->used_bytes();
                           w.text(std::to_string(
                               std::max<std::int64_t>(0, c.call.options.quota_bytes - used)));
                       }));
    return rows;
}

}  // namespace

const LiveProperty* Registries::find_property(const xml::QName& name) const {
    for (const LiveProperty& p : properties) {
        if (p.name == name) return &p;
    }
    return nullptr;
}

const Report* Registries::find_report(const xml::QName& name) const {
    for (const Report& r : reports) {
        if (r.name == name) return &r;
    }
    return nullptr;
}

const Method* Registries::find_method(http::Verb verb) const {
    for (const Method& m : methods) {
        if (m.verb == verb) return &m;
    }
    return nullptr;
}

const CollectionType* Registries::find_collection_type(const xml::QName& resourcetype) const {
    for (const CollectionType& t : collection_types) {
        if (t.resourcetype == resourcetype) return &t;
    }
    return nullptr;
}

const CollectionType* Registries::find_collection_type(store::CollectionKind kind) const {
    for (const CollectionType& t : collection_types) {
        if (t.kind == kind) return &t;
    }
    return nullptr;
}

const PutHook* Registries::find_put_hook(store::CollectionKind kind) const {
    for (const PutHook& h : put_hooks) {
        if (h.kind == kind) return &h;
    }
    return nullptr;
}

const GetHook* Registries::find_get_hook(store::CollectionKind kind) const {
    for (const GetHook& h : get_hooks) {
        if (h.kind == kind) return &h;
    }
    return nullptr;
}

Registries default_registries() {
    Registries r;
    r.dav_classes = {"1", "2", "3", "extended-mkcol"};
    r.properties = dav_properties();
    return r;
}

void write_activelock(xml::Writer& w, const Call& call, const store::Lock& lock) {
    w.start(dav("activelock"));
    w.start(dav("locktype")).leaf(dav("write")).end();
    w.start(dav("lockscope")).leaf(dav(lock.exclusive ? "exclusive" : "shared")).end();
    w.leaf(dav("depth"), lock.depth_infinity ? "infinity" : "0");
    if (!lock.owner_xml.empty()) {
        w.start(dav("owner")).raw(lock.owner_xml).end();
    }
    std::string timeout = "Infinite";
    if (lock.timeout_seconds > 0) {
        // Rounded up, so a lock just granted reports the timeout it was given.
        const auto left = std::chrono::ceil<std::chrono::seconds>(
                              lock.expires - std::chrono::system_clock::now())
                              .count();
        timeout = "Second-" + std::to_string(std::max<std::int64_t>(0, left));
    }
    w.leaf(dav("timeout"), timeout);
    w.start(dav("locktoken"));
    href(w, lock.token);
    w.end();
    w.start(dav("lockroot"));
    href(w, store_href(call.options.prefix, call.owner->name, lock.root));
    w.end();
    w.end();
}

std::string status_line(http::Status status) {
    return "HTTP/1.1 " + std::to_string(static_cast<unsigned>(status)) + " " +
           std::string(boost::beast::http::obsolete_reason(status));
}

}  // namespace cosmo::dav
