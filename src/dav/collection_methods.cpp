/// OPTIONS (RFC 4918 §10.1), DELETE (§9.6), MKCOL (§9.3, extended MKCOL
/// RFC 5689) and REPORT dispatch (RFC 3253 §3.6).

#include "error.hpp"
#include "methods.hpp"

namespace cosmo::dav {

namespace {

using xml::dav;

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& s : items) {
        if (!out.empty()) out += ", ";
        out += s;
    }
    return out;
}

/// RFC 5689 §3: the properties of an extended MKCOL body, validated.
/// Returns a 403 with a mkcol-response body when any of them cannot be set.
std::optional<http::Response> parse_extended_mkcol(Call& call,
                                                   std::vector<store::DeadProperty>& props) {
    const std::string ct = call.header("Content-Type");
    if (ct.find("xml") == std::string::npos) {
        throw DavError(http::Status::unsupported_media_type, std::nullopt,
                       "MKCOL body must be an extended-MKCOL XML document");
    }
    const xml::Element root = parse_body(call);
    if (root.name != dav("mkcol")) {
        throw DavError(http::Status::unsupported_media_type, std::nullopt,
                       "MKCOL body must be DAV:mkcol");
    }
    std::vector<std::pair<xml::QName, bool>> checked;  // name, ok
    bool failed = false;
    for (const xml::Element& set : root.children) {
        if (set.name != dav("set")) continue;
        for (const xml::Element& prop : set.children) {
            if (prop.name != dav("prop")) continue;
            for (const xml::Element& p : prop.children) {
                bool ok = true;
                if (p.name == dav("resourcetype")) {
                    for (const xml::Element& t : p.children) ok = ok && t.name == dav("collection");
                } else if (const LiveProperty* live = call.registries.find_property(p.name);
                           live && live->is_protected) {
                    ok = false;
                } else if (p.inner_xml.size() > kMaxPropertyValue) {
                    ok = false;
                } else {
                    props.push_back({p.name.ns, p.name.local, p.inner_xml});
                }
                failed = failed || !ok;
                checked.emplace_back(p.name, ok);
            }
        }
    }
    if (!failed) return std::nullopt;
    xml::Writer w;
    w.start(dav("mkcol-response"));
    for (bool ok_group : {false, true}) {
        bool any = false;
        for (const auto& [name, ok] : checked) any = any || ok == ok_group;
        if (!any) continue;
        w.start(dav("propstat")).start(dav("prop"));
        for (const auto& [name, ok] : checked) {
            if (ok == ok_group) w.leaf(name);
        }
        w.end().leaf(dav("status"), status_line(ok_group ? http::Status::failed_dependency
                                                        : http::Status::forbidden));
        if (!ok_group) w.start(dav("error")).leaf(dav("valid-resourcetype")).end();
        w.end();
    }
    return call.xml_response(http::Status::forbidden, w.finish());
}

}  // namespace

std::string allowed_methods(const Node& node) {
    if (node.kind != NodeKind::kStore) return "OPTIONS, GET, HEAD, PROPFIND, REPORT";
    if (!node.resource) return "OPTIONS, PUT, MKCOL, LOCK";
    if (node.resource->is_collection) {
        return "OPTIONS, GET, HEAD, DELETE, PROPFIND, PROPPATCH, COPY, MOVE, LOCK, UNLOCK, REPORT";
    }
    return "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, COPY, MOVE, LOCK, UNLOCK, REPORT";
}

xml::Element parse_body(const Call& call) {
    try {
        return xml::parse(call.req.body(), call.options.xml_limits);
    } catch (const xml::ParseError& e) {
        throw DavError::bad_request(std::string("Malformed XML body: ") + e.what());
    }
}

http::Response handle_options(Call& call) {
    http::Response res = http::make_response(call.req, http::Status::ok);
    res.set("DAV", join(call.registries.dav_classes));
    res.set(http::Field::allow, allowed_methods(call.node));
    res.content_length(0);
    return res;
}

http::Response handle_delete(Call& call) {
    const Node& node = call.node;
    if (!node.resource) throw DavError::not_found();
    if (node.path.empty()) {
        throw DavError::forbidden(std::nullopt, "The home collection cannot be deleted");
    }
    const bool collection = node.resource->is_collection;
    // RFC 4918 §9.6.1: DELETE on a collection acts as Depth: infinity.
    if (collection && call.depth(Depth::kInfinity) != Depth::kInfinity) {
        throw DavError::bad_request("DELETE of a collection requires Depth: infinity");
    }
    call.check_conditional(false);
    call.check_if_header();
    call.check_locks(node.path, collection);
    call.check_parent_locks(node.path);
    call.session->remove(*node.resource);
    call.session->remove_locks_within(node.path);
    call.session->commit();
    return http::make_response(call.req, http::Status::no_content);
}

http::Response handle_mkcol(Call& call) {
    if (call.node.resource) {
        http::Response res = http::make_response(call.req, http::Status::method_not_allowed,
                                                 "The resource already exists\n");
        res.set(http::Field::allow, allowed_methods(call.node));
        return res;
    }
    std::vector<store::DeadProperty> props;
    if (!call.req.body().empty()) {
        if (auto failure = parse_extended_mkcol(call, props)) return std::move(*failure);
    }
    const std::string path = call.target.path + "/";
    call.check_if_header();
    call.check_locks(path, false);
    call.check_parent_locks(path);
    const std::optional<store::Resource> parent = call.session->stat(parent_path(path));
    if (!parent || !parent->is_collection) {
        throw DavError::conflict("The parent collection does not exist");
    }
    const store::Resource created =
        call.session->make_collection(path, store::CollectionKind::kPlain);
    for (const store::DeadProperty& p : props) call.session->set_dead_property(created, p);
    call.session->commit();
    return http::make_response(call.req, http::Status::created);
}

http::Response handle_report(Call& call) {
    if (call.node.kind == NodeKind::kStore && !call.node.resource) throw DavError::not_found();
    const xml::Element root = parse_body(call);
    const Report* report = call.registries.find_report(root.name);
    if (!report || (report->applies && !report->applies(call.node))) {
        throw DavError::forbidden(Precondition::kSupportedReport,
                                  "Unsupported report " + root.name.clark());
    }
    return report->run(call, root);
}

}  // namespace cosmo::dav
