#pragma once
/// Per-request state shared by the method handlers: the checked target,
/// the owner's store session, and the helpers every write method uses
/// (If header, lock tokens, conditional headers, Depth).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cosmo/dav/dispatcher.hpp"
#include "cosmo/store/directory.hpp"
#include "cosmo/store/shard_store.hpp"
#include "cosmo/dav/if_header.hpp"
#include "registry.hpp"
#include "target.hpp"

namespace cosmo::dav {

/// What a URL (the target or a PROPFIND member) refers to.
struct Node {
    NodeKind kind = NodeKind::kRoot;
    std::string href;  ///< prefixed and encoded; collections end in '/'
    std::string user;  ///< kPrincipal, kStore
    /// kStore: the stored resource, if the URL is mapped.
    std::optional<store::Resource> resource;
    /// kStore: the store path (Resource::path form; for an unmapped URL the
    /// path as requested, with '/' if the client wrote one).
    std::string path;

    bool is_collection() const {
        return kind != NodeKind::kStore || (resource && resource->is_collection);
    }
};

enum class Depth { kZero, kOne, kInfinity };

class Call {
public:
    Call(const http::Request& request, http::RequestContext& context, const Options& options,
         const Registries& registries, store::Directory& directory, store::ShardStore& shards);

    const http::Request& req;
    http::RequestContext& ctx;
    const Options& options;
    const Registries& registries;
    store::Directory& directory;
    store::ShardStore& shards;

    Target target;
    std::optional<store::User> owner;          ///< kPrincipal, kStore
    std::unique_ptr<store::Session> session;   ///< kStore
    Node node;                                 ///< the request target

    /// A request header, or "".
    std::string header(std::string_view name) const;

    /// Depth header; `fallback` when absent. Throws 400 when invalid.
    Depth depth(Depth fallback) const;

    /// The stored resource at a decoded relative path, trying the object and
    /// the collection form.
    std::optional<store::Resource> stat_any(const std::string& path);
    /// A store node for a path (resolved against the store).
    Node store_node(const std::string& path, bool trailing_slash);
    std::string href_of(const std::string& store_path) const;

    /// RFC 4918 §10.4: evaluates the If header (412 when false; 400 when
    /// malformed). Call before any lock check.
    void check_if_header();
    /// RFC 4918 §7: every lock covering path (and, with descendants, every
    /// lock rooted below it) must have its token submitted, else 423.
    void check_locks(const std::string& path, bool descendants);
    /// The membership of the parent collection changes: its depth-0 locks
    /// apply too (RFC 4918 §7.4).
    void check_parent_locks(const std::string& path);
    /// Lock tokens submitted in the If header.
    const std::vector<std::string>& tokens();

    /// If-Match / If-None-Match (RFC 7232 §3.1, §3.2) against the target
    /// resource (nullopt = unmapped). Returns true when a GET/HEAD should
    /// answer 304; throws 412 otherwise.
    bool check_conditional(bool is_read);

    /// A multistatus/XML response.
    http::Response xml_response(http::Status status, std::string body) const;

private:
    IfResourceState if_state(const std::optional<std::string>& tag);
    void parse_if();

    bool if_parsed_ = false;
    std::vector<IfList> if_lists_;
    std::vector<std::string> tokens_;
};

/// The parent collection path of a store path ("a/b" -> "a/", "a/" -> "").
std::string parent_path(const std::string& path);
/// Whether a lock covers path (RFC 4918 §6.1: its root, or below a
/// depth-infinity root).
bool lock_covers(const store::Lock& lock, const std::string& path);
/// A new lock token: "urn:uuid:" + random UUID (RFC 4918 §6.5).
std::string new_lock_token();

}  // namespace cosmo::dav
