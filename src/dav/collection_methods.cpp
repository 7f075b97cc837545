/// OPTIONS (RFC 4918 §10.1), DELETE (§9.6), MKCOL (§9.3, extended MKCOL
/// RFC 5689) and REPORT dispatch (RFC 3253 §3.6).

#include <algorithm>

#include "cosmo/dav/error.hpp"
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

/// One property of a creation body and whether it can be set.
struct CreateProp {
    xml::QName name;
    std::optional<Precondition> failure;  ///< set when it cannot be set
    bool failed = false;
};

/// The resourcetype a creation body asks for: DAV:collection plus at most
/// one registered type. nullopt = a resourcetype we cannot make.
std::optional<xml::QName> requested_type(const Call& call, const xml::Element& resourcetype) {
    std::optional<xml::QName> type;
    for (const xml::Element& t : resourcetype.children) {
        if (t.name == dav("collection")) continue;
        if (type || !call.registries.find_collection_type(t.name)) return std::nullopt;
        type = t.name;
    }
    return type.value_or(dav("collection"));
}

std::string join_allowed(const Call& call, const Node& node) {
    std::string out = allowed_methods(node);
    for (const Method& m : call.registries.methods) {
        if (m.allowed && m.allowed(node)) out += ", " + m.name;
    }
    return out;
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
        return xml::parse(call.req.body(), call.options.xml_limits, xml::RootInnerXml::kSkip);
    } catch (const xml::ParseError& e) {
        throw DavError::bad_request(std::string("Malformed XML body: ") + e.what());
    }
}

http::Response create_collection(Call& call, const xml::Element* root,
                                 const xml::QName& default_type,
                                 const xml::QName& response_root) {
    if (call.node.resource) {
        http::Response res = http::make_response(call.req, http::Status::method_not_allowed,
                                                 "The resource already exists\n");
        res.set(http::Field::allow, join_allowed(call, call.node));
        return res;
    }
    const std::string path = call.target.path + "/";
    // The type first: which protected properties are settable depends on it.
    xml::QName type = default_type;
    std::vector<const xml::Element*> props;
    if (root) {
        for (const xml::Element& set : root->children) {
            if (set.name != dav("set")) continue;
            for (const xml::Element& prop : set.children) {
                if (prop.name != dav("prop")) continue;
                for (const xml::Element& p : prop.children) props.push_back(&p);
            }
        }
    }
    std::vector<CreateProp> checked;
    std::vector<store::DeadProperty> to_store;
    bool failed = false;
    for (const xml::Element* p : props) {
        if (p->name != dav("resourcetype")) continue;
        const std::optional<xml::QName> t = requested_type(call, *p);
        if (t && (*t == default_type || *t == dav("collection") ||
                  default_type == dav("collection"))) {
            if (*t != dav("collection")) type = *t;
        } else {
            checked.push_back({p->name, Precondition::kValidResourcetype, true});
            failed = true;
        }
    }
    const CollectionType* registered = call.registries.find_collection_type(type);
    const PropContext pc{call, call.node};
    for (const xml::Element* p : props) {
        if (p->name == dav("resourcetype")) {
            bool seen = false;
            for (const CreateProp& c : checked) seen = seen || c.name == p->name;
            if (!seen) checked.push_back({p->name, std::nullopt, false});
            continue;
        }
        CreateProp c{p->name, std::nullopt, false};
        const LiveProperty* live = call.registries.find_property(p->name);
        const bool settable =
            live && std::find(live->settable_on_create_of.begin(),
                              live->settable_on_create_of.end(),
                              type) != live->settable_on_create_of.end();
        if (live && live->is_protected && !settable) {
            c.failure = Precondition::kCannotModifyProtectedProperty;
            c.failed = true;
        } else if (p->inner_xml.size() > kMaxPropertyValue) {
            c.failed = true;
        } else if (live && live->check) {
            c.failure = live->check(pc, *p);
            c.failed = c.failure.has_value();
        }
        if (!c.failed) to_store.push_back({p->name.ns, p->name.local, p->inner_xml});
        failed = failed || c.failed;
        checked.push_back(std::move(c));
    }
    if (failed) {
        // RFC 5689 §3 / RFC 4791 §5.3.1: 403 for what failed, 424 for the rest.
        xml::Writer w;
        w.start(response_root);
        for (bool ok_group : {false, true}) {
            for (const CreateProp& c : checked) {
                if (c.failed == ok_group) continue;
                w.start(dav("propstat")).start(dav("prop")).leaf(c.name).end();
                w.leaf(dav("status"), status_line(ok_group ? http::Status::failed_dependency
                                                          : http::Status::forbidden));
                if (c.failure) w.start(dav("error")).leaf(precondition_name(*c.failure)).end();
                w.end();
            }
        }
        return call.xml_response(http::Status::forbidden, w.finish());
    }
    call.check_if_header();
    call.check_locks(path, false);
    call.check_parent_locks(path);
    const std::optional<store::Resource> parent = call.session->stat(parent_path(path));
    if (!parent || !parent->is_collection) {
        throw DavError::conflict("The parent collection does not exist");
    }
    if (registered && registered->check_location) registered->check_location(call, path);
    const store::Resource created = call.session->make_collection(
        path, registered ? registered->kind : store::CollectionKind::kPlain);
    for (const store::DeadProperty& p : to_store) call.session->set_dead_property(created, p);
    call.session->commit();
    http::Response res = http::make_response(call.req, http::Status::created);
    res.set(http::Field::cache_control, "no-cache");  // RFC 4791 §5.3.1.2 example
    return res;
}

http::Response handle_options(Call& call) {
    http::Response res = http::make_response(call.req, http::Status::ok);
    res.set("DAV", join(call.registries.dav_classes));
    res.set(http::Field::allow, join_allowed(call, call.node));
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
    call.session->remove_and_commit(*node.resource, call.write_condition());
    return http::make_response(call.req, http::Status::no_content);
}

http::Response handle_mkcol(Call& call) {
    if (call.node.resource || call.req.body().empty()) {
        return create_collection(call, nullptr, dav("collection"), dav("mkcol-response"));
    }
    // RFC 5689 §3: extended MKCOL.
    const std::string ct = call.header("Content-Type");
    if (!call.node.resource && ct.find("xml") == std::string::npos) {
        throw DavError(http::Status::unsupported_media_type, std::nullopt,
                       "MKCOL body must be an extended-MKCOL XML document");
    }
    const xml::Element root = parse_body(call);
    if (root.name != dav("mkcol")) {
        throw DavError(http::Status::unsupported_media_type, std::nullopt,
                       "MKCOL body must be DAV:mkcol");
    }
    return create_collection(call, &root, dav("collection"), dav("mkcol-response"));
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
