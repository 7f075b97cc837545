/// PROPPATCH (RFC 4918 §9.2): dead properties in any namespace, applied
/// in document order and atomically (all or nothing, 424 for the rest).

#include <algorithm>

#include "cosmo/dav/error.hpp"
#include "methods.hpp"

namespace cosmo::dav {

namespace {

using xml::dav;

struct Instruction {
    bool set = true;
    xml::QName name;
    std::string value_xml;
    xml::Element element;  ///< the property element as sent (for LiveProperty::check)
};

std::vector<Instruction> parse_proppatch(const Call& call) {
    const xml::Element root = parse_body(call);
    if (root.name != dav("propertyupdate")) {
        throw DavError::bad_request("Expected DAV:propertyupdate");
    }
    std::vector<Instruction> out;
    for (const xml::Element& op : root.children) {
        const bool set = op.name == dav("set");
        if (!set && op.name != dav("remove")) continue;
        for (const xml::Element& prop : op.children) {
            if (prop.name != dav("prop")) continue;
            for (const xml::Element& p : prop.children) {
                out.push_back({set, p.name, set ? p.inner_xml : std::string(), p});
            }
        }
    }
    if (out.empty()) throw DavError::bad_request("PROPPATCH without instructions");
    return out;
}

}  // namespace

http::Response handle_proppatch(Call& call) {
    if (!call.node.resource) throw DavError::not_found();
    const std::vector<Instruction> ops = parse_proppatch(call);
    call.check_if_header();
    call.check_locks(call.node.path, false);

    // Validate every instruction first; apply only if all pass.
    std::vector<http::Status> status(ops.size(), http::Status::ok);
    std::vector<Precondition> why(ops.size(), Precondition::kCannotModifyProtectedProperty);
    bool failed = false;
    for (std::size_t i = 0; i < ops.size(); ++i) {
        const LiveProperty* live = call.registries.find_property(ops[i].name);
        std::optional<Precondition> refused;
        if (live && !live->is_protected && live->check && ops[i].set) {
            refused = live->check(PropContext{call, call.node}, ops[i].element);
        }
        if (live && live->is_protected) {
            status[i] = http::Status::forbidden;  // cannot-modify-protected-property
            failed = true;
        } else if (refused) {
            status[i] = http::Status::forbidden;
            why[i] = *refused;
            failed = true;
        } else if (ops[i].value_xml.size() > kMaxPropertyValue) {
            status[i] = http::Status::insufficient_storage;  // RFC 4918 §9.2.1
            failed = true;
        }
    }
    if (failed) {
        for (http::Status& s : status) {
            if (s == http::Status::ok) s = http::Status::failed_dependency;
        }
    } else {
        for (const Instruction& op : ops) {
            if (op.set) {
                call.session->set_dead_property(
                    *call.node.resource, {op.name.ns, op.name.local, op.value_xml});
            } else {
                call.session->remove_dead_property(*call.node.resource, op.name.ns,
                                                   op.name.local);
            }
        }
        call.session->commit();
    }

    // One propstat per status, each property once (the last instruction on
    // a name decides its status).
    xml::Writer w;
    w.start(dav("multistatus")).start(dav("response"));
    w.leaf(dav("href"), call.node.href);
    for (http::Status group : {http::Status::ok, http::Status::forbidden,
                               http::Status::insufficient_storage,
                               http::Status::failed_dependency}) {
        std::vector<xml::QName> names;
        std::vector<Precondition> reasons;
        for (std::size_t i = 0; i < ops.size(); ++i) {
            if (status[i] != group) continue;
            bool seen = false;
            for (const xml::QName& n : names) seen = seen || n == ops[i].name;
            if (!seen) names.push_back(ops[i].name);
            if (std::find(reasons.begin(), reasons.end(), why[i]) == reasons.end()) {
                reasons.push_back(why[i]);
            }
        }
        if (names.empty()) continue;
        w.start(dav("propstat")).start(dav("prop"));
        for (const xml::QName& n : names) w.leaf(n);
        w.end().leaf(dav("status"), status_line(group));
        if (group == http::Status::forbidden) {
            w.start(dav("error"));
            for (Precondition r : reasons) w.leaf(precondition_name(r));
            w.end();
        }
        w.end();
    }
    return call.xml_response(http::Status::multi_status, w.finish());
}

}  // namespace cosmo::dav
