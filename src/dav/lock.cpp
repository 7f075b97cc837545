/// LOCK and UNLOCK (RFC 4918 §9.10, §9.11; lock model §6, §7).

#include <algorithm>

#include "cosmo/dav/error.hpp"
#include "methods.hpp"

namespace cosmo::dav {

namespace {

using xml::dav;

/// RFC 4918 §10.7: the first usable TimeType, capped by configuration.
std::int64_t lock_timeout(const Call& call) {
    const std::string header = call.header("Timeout");
    const std::int64_t max = call.options.max_lock_timeout_seconds;
    std::size_t pos = 0;
    while (pos < header.size()) {
        std::size_t next = header.find(',', pos);
        if (next == std::string::npos) next = header.size();
        std::string item = header.substr(pos, next - pos);
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (item == "Infinite") return max;
        if (item.rfind("Second-", 0) == 0) {
            const std::string digits = item.substr(7);
            if (!digits.empty() && digits.size() < 12 &&
                std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
                const std::int64_t n = std::stoll(digits);
                if (n > 0) return std::min(n, max);
            }
        }
        pos = next + 1;
    }
    return std::min(call.options.default_lock_timeout_seconds, max);
}

http::Response lock_response(Call& call, const store::Lock& lock, http::Status status) {
    xml::Writer w;
    w.start(dav("prop")).start(dav("lockdiscovery"));
    write_activelock(w, call, lock);
    w.end().end();
    http::Response res = call.xml_response(status, w.finish());
    res.set("Lock-Token", "<" + lock.token + ">");
    return res;
}

/// RFC 4918 §9.10.2: a LOCK without a body refreshes the lock whose token
/// is in the If header and covers the request URI.
http::Response refresh(Call& call, std::int64_t timeout) {
    if (call.header("If").empty()) {
        throw DavError::bad_request("A LOCK refresh needs an If header with the lock token");
    }
    call.check_if_header();
    for (const std::string& token : call.tokens()) {
        std::optional<store::Lock> lock = call.session->find_lock(token);
        if (!lock || !lock_covers(*lock, call.node.path)) continue;
        call.session->refresh_lock(token, timeout);
        call.session->commit();
        lock->timeout_seconds = timeout;
        lock->expires = std::chrono::system_clock::now() + std::chrono::seconds(timeout);
        return lock_response(call, *lock, http::Status::ok);
    }
    throw DavError(http::Status::precondition_failed, Precondition::kLockTokenMatchesRequestUri,
                   "No submitted lock token covers this resource");
}

}  // namespace

http::Response handle_lock(Call& call) {
    const std::int64_t timeout = lock_timeout(call);
    if (call.req.body().find_first_not_of(" \t\r\n") == std::string::npos) {
        return refresh(call, timeout);
    }
    const xml::Element info = parse_body(call);
    if (info.name != dav("lockinfo")) throw DavError::bad_request("Expected DAV:lockinfo");
    const xml::Element* scope = info.child(dav("lockscope"));
    const xml::Element* type = info.child(dav("locktype"));
    if (!scope || !type || !type->child(dav("write"))) {
        throw DavError::bad_request("Only write locks with a lockscope are supported");
    }
    const bool exclusive = scope->child(dav("exclusive")) != nullptr;
    if (!exclusive && !scope->child(dav("shared"))) {
        throw DavError::bad_request("lockscope must be exclusive or shared");
    }
    const Depth depth = call.depth(Depth::kInfinity);
    if (depth == Depth::kOne) throw DavError::bad_request("LOCK takes Depth 0 or infinity");

    const Node& node = call.node;
    // An unmapped URL names a future object (RFC 4918 §7.3), never a collection.
    const std::string path = node.resource ? node.path : call.target.path;
    if (path.empty() && !node.resource) throw DavError::not_found();
    const bool infinity = depth == Depth::kInfinity && node.resource && node.resource->is_collection;

    call.check_if_header();
    std::vector<store::Lock> present = call.session->locks_covering(path);
    if (infinity) {
        for (store::Lock& l : call.session->locks_within(path)) present.push_back(std::move(l));
    }
    for (const store::Lock& l : present) {
        if (exclusive || l.exclusive) {
            throw DavError::locked(Precondition::kNoConflictingLock, call.href_of(l.root));
        }
    }
    bool created = false;
    if (!node.resource) {
        call.check_parent_locks(path);
        call.session->put_object(path, "application/octet-stream", "", &created);
    }
    store::Lock lock;
    lock.token = new_lock_token();
    lock.root = path;
    lock.exclusive = exclusive;
    lock.depth_infinity = infinity;
    if (const xml::Element* owner = info.child(dav("owner"))) lock.owner_xml = owner->inner_xml;
    lock.principal = call.ctx.user;
    lock.timeout_seconds = timeout;
    lock.expires = std::chrono::system_clock::now() + std::chrono::seconds(timeout);
    call.session->create_lock(lock);
    call.session->commit();
    return lock_response(call, lock, created ? http::Status::created : http::Status::ok);
}

http::Response handle_unlock(Call& call) {
    std::string token = call.header("Lock-Token");
    token.erase(0, token.find_first_not_of(" \t"));
    token.erase(token.find_last_not_of(" \t") + 1);
    if (token.size() < 3 || token.front() != '<' || token.back() != '>') {
        throw DavError::bad_request("UNLOCK needs a Lock-Token header");
    }
    token = token.substr(1, token.size() - 2);
    const std::optional<store::Lock> lock = call.session->find_lock(token);
    if (!lock || !lock_covers(*lock, call.node.path)) {
        throw DavError(http::Status::conflict, Precondition::kLockTokenMatchesRequestUri,
                       "The lock token does not cover the request URI");
    }
    call.session->remove_lock(token);
    call.session->commit();
    return http::make_response(call.req, http::Status::no_content);
}

}  // namespace cosmo::dav
