/// GET, HEAD (RFC 9110 §9.3.1-2) and PUT (RFC 4918 §9.7, RFC 9110 §9.3.4).

#include "cosmo/xml/writer.hpp"
#include "cosmo/dav/error.hpp"
#include "methods.hpp"

namespace cosmo::dav {

namespace {

/// The last path segment, for listings.
std::string display_name_of(const std::string& path) {
    std::string p = path;
    if (!p.empty() && p.back() == '/') p.pop_back();
    const std::size_t slash = p.rfind('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
}

/// A small HTML index of a collection, so a browser shows something useful.
std::string listing(Call& call) {
    std::string title = call.node.href;
    std::string html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" +
                       xml::escape(title) + "</title></head><body><h1>" + xml::escape(title) +
                       "</h1><ul>\n";
    if (call.node.kind == NodeKind::kStore && call.node.resource) {
        for (const store::Resource& r : call.session->children(*call.node.resource)) {
            std::string name = display_name_of(r.path);
            if (r.is_collection) name += "/";
            html += "<li><a href=\"" + xml::escape(call.href_of(r.path)) + "\">" +
                    xml::escape(name) + "</a></li>\n";
        }
    }
    html += "</ul></body></html>\n";
    return html;
}

void finish_head(const Call& call, http::Response& res) {
    if (call.req.method() == http::Verb::head) {
        const std::size_t size = res.body().size();
        res.body().clear();
        res.content_length(size);
    }
}

}  // namespace

http::Response handle_get(Call& call) {
    const Node& node = call.node;
    if (node.kind == NodeKind::kStore && !node.resource) throw DavError::not_found();
    if (node.is_collection()) {
        // A collection type may have its own representation (a calendar
        // exports itself as text/calendar, RFC 4791 has no GET semantics).
        if (node.kind == NodeKind::kStore) {
            if (const GetHook* hook = call.registries.find_get_hook(node.resource->kind)) {
                http::Response res = hook->run(call);
                finish_head(call, res);
                return res;
            }
        }
        http::Response res =
            http::make_response(call.req, http::Status::ok, listing(call), "text/html; charset=utf-8");
        finish_head(call, res);
        return res;
    }
    const store::Resource& r = *node.resource;
    const std::string etag = "\"" + r.etag + "\"";
    if (call.check_conditional(true)) {
        http::Response res = http::make_response(call.req, http::Status::not_modified);
        res.set(http::Field::etag, etag);
        return res;
    }
    http::Response res = http::make_response(call.req, http::Status::ok, call.session->read_body(r),
                                             r.content_type);
    res.set(http::Field::content_type, r.content_type);
    res.set(http::Field::etag, etag);
    res.set(http::Field::last_modified, http::http_date(r.modified));
    finish_head(call, res);
    return res;
}

http::Response handle_put(Call& call) {
    const Node& node = call.node;
    if (call.target.path.empty() || call.target.trailing_slash ||
        (node.resource && node.resource->is_collection)) {
        http::Response res = http::make_response(call.req, http::Status::method_not_allowed,
                                                 "PUT cannot replace a collection\n");
        res.set(http::Field::allow, allowed_methods(node));
        return res;
    }
    if (!call.header("Content-Range").empty()) {
        throw DavError::bad_request("Content-Range is not allowed on PUT (RFC 9110 §14.4)");
    }
    // A collection kind with a hook (a calendar) validates the body and
    // derives the query columns (RFC 4791 §5.3.2), its size limit included;
    // other collections take any bytes.
    const PutHook* hook = nullptr;
    std::optional<store::Resource> parent = call.session->stat(parent_path(call.target.path));
    if (parent && parent->is_collection) hook = call.registries.find_put_hook(parent->kind);
    if (!hook && call.req.body().size() > call.options.max_resource_size) {
        throw DavError(http::Status::payload_too_large, std::nullopt, "The resource is too large");
    }
    call.check_conditional(false);
    call.check_if_header();
    const std::string& path = call.target.path;
    call.check_locks(path, false);
    if (!node.resource) call.check_parent_locks(path);

    std::string content_type = call.header("Content-Type");
    std::optional<store::CalendarIndex> index;
    if (hook) index = hook->run(call, *parent, content_type);
    if (content_type.empty()) content_type = "application/octet-stream";
    bool created = false;
    store::Resource stored;
    try {
        stored = call.session->put_object_and_commit(path, content_type, call.req.body(),
                                                     &created, index, call.write_condition());
    } catch (const store::Error& e) {
        // The store checks UID uniqueness under its write lock and names the
        // holder, which RFC 4791 §5.3.2 puts in the error body.
        if (e.code() != store::Errc::kUidConflict || e.path().empty()) throw;
        DavError mapped = to_dav_error(e);
        mapped.with_href(call.href_of(e.path()));
        throw mapped;
    }
    http::Response res =
        http::make_response(call.req, created ? http::Status::created : http::Status::no_content);
    res.set(http::Field::etag, "\"" + stored.etag + "\"");
    return res;
}

}  // namespace cosmo::dav
