/// COPY and MOVE (RFC 4918 §9.8, §9.9) within one user's home.

#include "cosmo/dav/error.hpp"
#include "methods.hpp"

namespace cosmo::dav {

namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

/// The Destination header as a store path of the same home. Outside the
/// caller's home (another user, the virtual part, another prefix) is a
/// 502 (RFC 4918 §9.8.5: "the destination is on another server", which is
/// how a different home behaves: it lives on another shard).
Target destination(const Call& call) {
    const std::string raw = call.header("Destination");
    if (raw.empty()) throw DavError::bad_request("Missing Destination header");
    std::optional<Target> t;
    try {
        t = parse_target(raw, call.options.prefix);
    } catch (const DavError&) {
        throw DavError::bad_request("Unparsable Destination header");
    }
    if (!t || t->kind != NodeKind::kStore || t->user != call.owner->name) {
        throw DavError(http::Status::bad_gateway, std::nullopt,
                       "The destination is outside this home");
    }
    return *t;
}

bool overwrite(const Call& call) {
    const std::string o = call.header("Overwrite");
    if (o.empty() || o == "T" || o == "t") return true;
    if (o == "F" || o == "f") return false;
    throw DavError::bad_request("Overwrite must be T or F");
}

}  // namespace

http::Response handle_copy_move(Call& call) {
    const bool move = call.req.method() == http::Verb::move;
    const Node& src = call.node;
    if (!src.resource) throw DavError::not_found();
    const Target dest = destination(call);
    const bool over = overwrite(call);
    const bool collection = src.resource->is_collection;
    bool infinity = true;
    if (collection) {
        const Depth d = call.depth(Depth::kInfinity);
        if (d == Depth::kOne || (move && d != Depth::kInfinity)) {
            throw DavError::bad_request(move ? "MOVE of a collection requires Depth: infinity"
                                             : "COPY of a collection takes Depth 0 or infinity");
        }
        infinity = d == Depth::kInfinity;
    }
    if (src.path.empty() && move) {
        throw DavError::forbidden(std::nullopt, "The home collection cannot be moved");
    }
    if (dest.path.empty()) {
        throw DavError::forbidden(std::nullopt, "The home collection cannot be overwritten");
    }
    const std::string dst_path = dest.path + (collection ? "/" : "");
    const std::optional<store::Resource> existing = call.stat_any(dest.path);
    if (dst_path == src.path || (existing && existing->path == src.path)) {
        throw DavError::forbidden(std::nullopt, "Source and destination are the same");
    }
    if (collection && starts_with(dst_path, src.path)) {
        throw DavError::forbidden(std::nullopt, "The destination is inside the source");
    }
    if (existing && existing->is_collection && starts_with(src.path, existing->path)) {
        throw DavError::forbidden(std::nullopt, "The destination contains the source");
    }
    if (existing && !over) {
        throw DavError::precondition_failed("The destination exists and Overwrite is F");
    }
    const std::optional<store::Resource> parent = call.session->stat(parent_path(dst_path));
    if (!parent || !parent->is_collection) {
        throw DavError::conflict("The destination's parent collection does not exist");
    }

    call.check_if_header();
    if (move) {
        call.check_locks(src.path, collection);
        call.check_parent_locks(src.path);
    }
    if (existing) {
        call.check_locks(existing->path, existing->is_collection);
    } else {
        call.check_locks(dst_path, false);
    }
    call.check_parent_locks(dst_path);

    // Into a calendar (RFC 4791 §5.3.2, the PUT preconditions apply to COPY
    // and MOVE): an object is validated and indexed like a PUT; a calendar
    // collection may not land inside another (§4.2, §5.3.1).
    std::optional<store::CalendarIndex> index;
    std::string content_type = src.resource->content_type;
    std::string body;
    const PutHook* hook = collection ? nullptr : call.registries.find_put_hook(parent->kind);
    if (hook && hook->check_copy) {
        body = call.session->read_body(*src.resource);
        index = hook->check_copy(call, *parent, dst_path, body, content_type,
                                 move ? src.path : std::string());
    }
    if (collection) {
        const CollectionType* type = call.registries.find_collection_type(src.resource->kind);
        if (type && type->check_location) type->check_location(call, dst_path);
    }

    if (existing) {
        call.session->remove(*existing);
        call.session->remove_locks_within(existing->path);
    }
    if (move) {
        call.session->move(*src.resource, dst_path);
        // Locks stay with the URL they were taken on (RFC 4918 §9.9.4), so
        // the ones on the source vanish with it.
        call.session->remove_locks_within(src.path);
    } else {
        call.session->copy(*src.resource, dst_path, infinity);
    }
    if (index) {
        // Same bytes (so the same ETag), now with the destination's query
        // columns and the content type the check settled on.
        bool created = false;
        call.session->put_object(dst_path, content_type, body, &created, index);
    }
    call.session->commit();
    http::Response res = http::make_response(
        call.req, existing ? http::Status::no_content : http::Status::created);
    if (!existing) res.set(http::Field::location, call.href_of(dst_path));
    return res;
}

}  // namespace cosmo::dav
