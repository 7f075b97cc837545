/// PROPFIND (RFC 4918 §9.1) with Brief / Prefer: return=minimal (RFC 7240,
/// RFC 8144 §2.1).

#include <algorithm>
#include <iterator>
#include <unordered_map>

#include "cosmo/dav/batches.hpp"
#include "cosmo/dav/error.hpp"
#include "methods.hpp"

namespace cosmo::dav {

namespace {

using xml::dav;

PropRequest parse_propfind(const Call& call) {
    const std::string& body = call.req.body();
    if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
        return {};  // an empty body is allprop (RFC 4918 §9.1)
    }
    const xml::Element root = parse_body(call);
    if (root.name != dav("propfind")) throw DavError::bad_request("Expected DAV:propfind");
    std::optional<PropRequest> r = parse_prop_request(root);
    if (!r) throw DavError::bad_request("DAV:propfind needs prop, allprop or propname");
    return std::move(*r);
}

/// One property of one response, before grouping by status.
struct Found {
    xml::QName name;
    const LiveProperty* live = nullptr;
    const store::DeadProperty* dead = nullptr;
    const xml::Element* request = nullptr;
};

Node virtual_node(const Call& call, NodeKind kind) {
    Node n;
    n.kind = kind;
    n.href = virtual_href(call.options.prefix, kind);
    return n;
}

/// Depth-1 members of a node.
std::vector<Node> members(Call& call, const Node& node) {
    std::vector<Node> out;
    switch (node.kind) {
        case NodeKind::kRoot:
            out.push_back(virtual_node(call, NodeKind::kPrincipals));
            out.push_back(virtual_node(call, NodeKind::kCalendars));
            break;
        case NodeKind::kPrincipals:
            out.push_back(virtual_node(call, NodeKind::kPrincipalUsers));
            break;
        case NodeKind::kCalendars:
            out.push_back(virtual_node(call, NodeKind::kCalendarUsers));
            break;
        case NodeKind::kPrincipalUsers: {
            // Only the caller's own principal is listed (no user enumeration).
            Node p;
            p.kind = NodeKind::kPrincipal;
            p.user = call.ctx.user;
            p.href = principal_href(call.options.prefix, p.user);
            out.push_back(std::move(p));
            break;
        }
        case NodeKind::kCalendarUsers:
            if (call.session) out.push_back(call.store_node("", true));
            break;
        case NodeKind::kStore:
            if (node.resource && node.resource->is_collection) {
                for (store::Resource& r : call.session->children(*node.resource)) {
                    Node n;
                    n.kind = NodeKind::kStore;
                    n.user = node.user;
                    n.path = r.path;
                    n.href = call.href_of(r.path);
                    n.resource = std::move(r);
                    out.push_back(std::move(n));
                }
            }
            break;
        default:
            break;
    }
    return out;
}

bool wants_minimal(const Call& call, bool* via_prefer) {
    std::string prefer = call.header("Prefer");
    std::transform(prefer.begin(), prefer.end(), prefer.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (prefer.find("return=minimal") != std::string::npos) {
        *via_prefer = true;
        return true;
    }
    const std::string brief = call.header("Brief");
    return brief == "t" || brief == "T";
}

/// Whether every stored member will look up its dead properties: allprop
/// and propname list them, and a name without any live property row can
/// only be a dead one.
bool needs_member_dead_properties(const Call& call, const PropRequest& req) {
    if (req.kind != PropRequest::Kind::kProp) return true;
    for (const xml::Element& e : req.props) {
        if (!call.registries.find_property(e.name)) return true;
    }
    return false;
}

/// The requested properties that have a live row, each with its row:
/// looked up once per request, not once per member.
std::vector<std::pair<const xml::Element*, const LiveProperty*>> live_rows(
    const Call& call, const PropRequest& req) {
    std::vector<std::pair<const xml::Element*, const LiveProperty*>> out;
    if (req.kind != PropRequest::Kind::kProp) return out;
    for (const xml::Element& e : req.props) {
        if (const LiveProperty* live = call.registries.find_property(e.name)) {
            out.emplace_back(&e, live);
        }
    }
    return out;
}

/// A property read from the stored bytes (calendar-data) asked of the
/// members: their bodies in one query rather than one per member.
void read_member_bodies(Call& call, const PropRequest& req, std::vector<Node>& nodes) {
    auto rows = live_rows(call, req);
    std::erase_if(rows, [](const auto& row) { return !row.second->reads_body; });
    if (rows.empty()) return;
    std::vector<std::string> paths;
    std::unordered_map<std::string, Node*> by_path;
    for (Node& n : nodes) {
        if (n.kind != NodeKind::kStore || !n.resource || n.resource->is_collection || n.body) {
            continue;
        }
        const bool reads_body = std::any_of(rows.begin(), rows.end(), [&](const auto& row) {
            return row.second->applies(PropContext{call, n, row.first});
        });
        if (reads_body && by_path.emplace(n.path, &n).second) paths.push_back(n.path);
    }
    if (paths.empty()) return;
    for (store::StoredObject& o : call.session->read_objects(paths)) {
        if (const auto it = by_path.find(o.resource.path); it != by_path.end()) {
            it->second->body = std::move(o.body);
        }
    }
}

/// Whether a property read from the stored bytes (calendar-data) is asked.
bool asks_bodies(const Call& call, const PropRequest& req) {
    const auto rows = live_rows(call, req);
    return std::any_of(rows.begin(), rows.end(),
                       [](const auto& row) { return row.second->reads_body; });
}

/// The 207 with `w` (the open multistatus, the target's response written)
/// and the members' responses: with bodies asked, a batch of members at a
/// time, each read when the one before is sent (batches.hpp).
http::Response answer_members(Call& call, const PropRequest& req, bool minimal, xml::Writer w) {
    struct Members {
        std::vector<Node> nodes;
        PropRequest req;
        bool minimal;
    };
    auto m = std::make_shared<Members>(Members{members(call, call.node), req, minimal});
    const auto body_size = [&m](std::size_t i) {
        const Node& n = m->nodes[i];
        return n.resource && !n.resource->is_collection ? n.resource->content_length : 0;
    };
    std::vector<std::size_t> ends = asks_bodies(call, req)
                                        ? batch_ends(m->nodes.size(), body_size)
                                        : std::vector<std::size_t>{m->nodes.size()};
    return answer_in_batches(
        call, std::move(w), std::move(ends),
        [&call, m](std::size_t begin, std::size_t end, xml::Writer& out) {
            std::vector<Node> batch(
                std::make_move_iterator(m->nodes.begin() + static_cast<std::ptrdiff_t>(begin)),
                std::make_move_iterator(m->nodes.begin() + static_cast<std::ptrdiff_t>(end)));
            read_member_bodies(call, m->req, batch);
            const DeadPropertyBatch dead(call, m->req, batch);
            for (std::size_t i = 0; i < batch.size(); ++i) {
                write_prop_response(call, batch[i], m->req, m->minimal, out, dead.of(i));
            }
        },
        [](xml::Writer&) {});
}

/// Writes the members of a stored collection from the listing cache, or
/// writes them and keeps them there; false when the listing may not be
/// cached (see listing_cache.hpp), and then nothing was written.
bool write_cached_members(Call& call, const PropRequest& req, bool minimal, xml::Writer& w) {
    ListingCache* cache = call.options.listing_cache.get();
    const Node& node = call.node;
    if (!cache || node.kind != NodeKind::kStore || !node.resource ||
        !node.resource->is_collection || needs_member_dead_properties(call, req)) {
        return false;
    }
    const std::optional<std::string> key = ListingCache::key(
        minimal ? "propfind minimal" : "propfind", call.options.prefix, node.user,
        *node.resource, req);
    if (!key) return false;
    cache->write_through(*key, w, [&](xml::Writer& part) {
        bool cacheable = true;
        for (const Node& m : members(call, node)) {
            cacheable = cacheable && m.resource && !m.resource->is_collection;
            write_prop_response(call, m, req, minimal, part);
        }
        return cacheable;
    });
    return true;
}

}  // namespace

std::optional<PropRequest> parse_prop_request(const xml::Element& root) {
    PropRequest r;
    bool chosen = false;
    for (const xml::Element& c : root.children) {
        if (c.name == dav("prop")) {
            r.kind = PropRequest::Kind::kProp;
            r.props = c.children;
            chosen = true;
        } else if (c.name == dav("allprop")) {
            r.kind = PropRequest::Kind::kAllprop;
            chosen = true;
        } else if (c.name == dav("propname")) {
            r.kind = PropRequest::Kind::kPropname;
            chosen = true;
        }
        // Unknown elements are ignored (RFC 4918 §17, litmus propextended).
    }
    if (!chosen) return std::nullopt;
    if (r.kind == PropRequest::Kind::kAllprop) {
        if (const xml::Element* inc = root.child(dav("include"))) r.props = inc->children;
    }
    return r;
}

DeadPropertyBatch::DeadPropertyBatch(Call& call, const PropRequest& request,
                                     const std::vector<Node>& nodes) {
    // write_prop_response reads a stored node's dead properties for allprop,
    // propname or a name without a live row (every node), and for a live
    // name that does not apply to that node (DAV:displayname is live on the
    // virtual collections and dead on stored resources).
    const bool every_node = needs_member_dead_properties(call, request);
    const auto rows = live_rows(call, request);
    const bool needed = std::any_of(nodes.begin(), nodes.end(), [&](const Node& n) {
        if (n.kind != NodeKind::kStore || !n.resource) return false;
        return every_node || std::any_of(rows.begin(), rows.end(), [&](const auto& row) {
                   return !row.second->applies(PropContext{call, n, row.first});
               });
    });
    if (!needed) return;
    std::vector<const store::Resource*> resources;
    for (const Node& n : nodes) {
        if (n.kind == NodeKind::kStore && n.resource) resources.push_back(&*n.resource);
    }
    std::vector<std::vector<store::DeadProperty>> read =
        resources.empty() ? decltype(read){} : call.session->dead_properties_of(resources);
    by_node_.resize(nodes.size());
    std::size_t next = 0;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        if (nodes[i].kind == NodeKind::kStore && nodes[i].resource) {
            by_node_[i] = std::move(read[next++]);
        }
    }
}

void write_prop_response(Call& call, const Node& node, const PropRequest& req, bool minimal,
                         xml::Writer& w, const std::vector<store::DeadProperty>* prefetched) {
    PropContext pc{call, node};
    // Read on first use: a request for live properties only (getetag,
    // getcontenttype: what clients poll) costs no dead-property query.
    std::vector<store::DeadProperty> fetched;
    const std::vector<store::DeadProperty>* dead_cache = prefetched;
    auto dead_props = [&]() -> const std::vector<store::DeadProperty>& {
        if (!dead_cache) {
            if (node.kind == NodeKind::kStore && node.resource) {
                fetched = call.session->dead_properties(*node.resource);
            }
            dead_cache = &fetched;
        }
        return *dead_cache;
    };
    std::vector<Found> ok;
    std::vector<xml::QName> missing;
    auto add = [&](const xml::QName& name, const xml::Element* request) {
        for (const Found& f : ok) {
            if (f.name == name) return;
        }
        const LiveProperty* live = call.registries.find_property(name);
        if (live && live->applies(PropContext{call, node, request})) {
            ok.push_back({name, live, nullptr, request});
            return;
        }
        for (const store::DeadProperty& d : dead_props()) {
            if (d.ns == name.ns && d.name == name.local) {
                ok.push_back({name, nullptr, &d});
                return;
            }
        }
        missing.push_back(name);
    };
    if (req.kind == PropRequest::Kind::kProp) {
        for (const xml::Element& e : req.props) add(e.name, &e);
    } else {
        const bool names_only = req.kind == PropRequest::Kind::kPropname;
        for (const LiveProperty& p : call.registries.properties) {
            if ((names_only || p.in_allprop) && p.applies(pc)) {
                ok.push_back({p.name, &p, nullptr, nullptr});
            }
        }
        for (const store::DeadProperty& d : dead_props()) add({d.ns, d.name}, nullptr);
        for (const xml::Element& e : req.props) add(e.name, &e);
    }

    w.start(dav("response"));
    w.leaf(dav("href"), node.href);
    if (!ok.empty()) {
        w.start(dav("propstat")).start(dav("prop"));
        for (const Found& f : ok) {
            w.start(f.name);
            if (req.kind != PropRequest::Kind::kPropname) {
                if (f.live) {
                    f.live->write(PropContext{call, node, f.request}, w);
                } else {
                    w.raw(f.dead->value_xml);
                }
            }
            w.end();
        }
        w.end().leaf(dav("status"), status_line(http::Status::ok)).end();
    }
    if (!missing.empty() && !minimal) {
        w.start(dav("propstat")).start(dav("prop"));
        for (const xml::QName& n : missing) w.leaf(n);
        w.end().leaf(dav("status"), status_line(http::Status::not_found)).end();
    }
    w.end();
}

http::Response handle_propfind(Call& call) {
    if (call.node.kind == NodeKind::kStore && !call.node.resource) throw DavError::not_found();
    const PropRequest req = parse_propfind(call);
    Depth depth = call.depth(Depth::kInfinity);
    if (!call.node.is_collection()) depth = Depth::kZero;  // members of an object: none
    if (depth == Depth::kInfinity) {
        throw DavError::forbidden(Precondition::kPropfindFiniteDepth,
                                  "Depth: infinity is not supported on collections");
    }
    bool via_prefer = false;
    const bool minimal = wants_minimal(call, &via_prefer);

    xml::Writer w;
    w.start(dav("multistatus"));
    write_prop_response(call, call.node, req, minimal, w);
    http::Response res =
        depth == Depth::kOne && !write_cached_members(call, req, minimal, w)
            ? answer_members(call, req, minimal, std::move(w))
            : call.xml_response(http::Status::multi_status, w.finish());
    if (via_prefer) res.set("Preference-Applied", "return=minimal");
    // The body differs by these request headers (RFC 8144 §2.1).
    res.set(http::Field::vary, "Brief, Prefer");
    return res;
}

}  // namespace cosmo::dav
