#pragma once
/// Per-request state shared by the method handlers: the checked target,
/// the owner's store session, and the helpers every write method uses
/// (If header, lock tokens, conditional headers, Depth).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cosmo/dav/dispatcher.hpp"
#include "cosmo/dav/if_header.hpp"
#include "cosmo/dav/registry.hpp"
#include "cosmo/dav/target.hpp"
#include "cosmo/store/directory.hpp"
#include "cosmo/store/shard_store.hpp"
#include "cosmo/xml/reader.hpp"
#include "cosmo/xml/writer.hpp"

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
    /// kStore objects: the body when a REPORT already fetched it (multiget,
    /// query), so property getters need not read it again.
    std::optional<std::string> body;

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
    /// The owner's objects at paths with their bodies, as
    /// session->read_objects, each found path at least once. Members of
    /// the target collection come from the object cache when it holds them
    /// at the revision this request saw, and are kept there when read
    /// (unless keep is false: the caller keeps what it makes of them).
    std::vector<store::StoredObject> read_objects(const std::vector<std::string>& paths,
                                                  bool keep = true);

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
    /// For a write judged by ETag conditions (If-Match, If-None-Match, or an
    /// If header with an entity tag): the state of the target they were
    /// judged on, for the store to re-check under its write lock. Without
    /// such conditions, nullopt (the write applies whatever happened since).
    std::optional<store::WriteCondition> write_condition() const;

    /// A multistatus/XML response.
    http::Response xml_response(http::Status status, std::string body) const;

    /// A response too long to make whole: its head and body go out first,
    /// then `more` appends the rest to its argument, a part a call, each
    /// sent before the next is made (http::BodyStream); it returns false
    /// with the last. The dispatcher keeps this call until then; each part
    /// reads through a store session of its own, confirmed before the part
    /// is sent (Session::confirm_reads).
    http::Response streamed_response(http::Response first,
                                     std::function<bool(std::string&)> more);
    /// The same for XML: what `w` holds goes first, then `more` writes the
    /// rest into w, a batch a call; w's open elements close after the last.
    http::Response streamed_xml_response(http::Status status, xml::Writer w,
                                         std::function<bool(xml::Writer&)> more);
    /// Whether the handler answered with a streamed response.
    bool streaming() const { return static_cast<bool>(stream_more_); }
    /// Appends the next part of a streamed answer to out; false with the
    /// last. Throws when the part cannot be made or its reads confirmed.
    bool next_part(std::string& out);

private:
    IfResourceState if_state(const std::optional<std::string>& tag);
    void parse_if();

    std::function<bool(std::string&)> stream_more_;
    bool if_parsed_ = false;
    std::vector<IfList> if_lists_;
    std::vector<std::string> tokens_;
};

/// What a PROPFIND or REPORT asks for (RFC 4918 §14.20 prop, allprop,
/// propname; RFC 4791 §7.9 and RFC 6578 §6.1 reuse them).
struct PropRequest {
    enum class Kind { kProp, kAllprop, kPropname } kind = Kind::kAllprop;
    /// kProp: the requested property elements (with their content, e.g.
    /// calendar-data's comp); kAllprop: those of <include>.
    std::vector<xml::Element> props;
};

/// Reads <prop>, <allprop> (with <include>) or <propname> among the
/// children of a request root; nullopt when none is there.
std::optional<PropRequest> parse_prop_request(const xml::Element& root);

/// Writes one <D:response> for a node with the requested properties,
/// grouped by status (RFC 4918 §9.1); `minimal` leaves out the 404 propstat
/// (RFC 8144 Brief / RFC 7240 return=minimal). Dead properties are read only
/// when needed (allprop, propname, or a name no live property answers),
/// unless `dead` already holds the node's (fetched for many nodes at once).
void write_prop_response(Call& call, const Node& node, const PropRequest& request, bool minimal,
                         xml::Writer& w, const std::vector<store::DeadProperty>* dead = nullptr);

/// The dead properties of the nodes one multistatus lists, read in one
/// query when writing `request` reads them for any stored node (allprop,
/// propname, or a name no live property answers for that node, such as
/// DAV:displayname on an event); else none is read. Without it each such
/// node would cost a query of its own.
class DeadPropertyBatch {
public:
    DeadPropertyBatch(Call& call, const PropRequest& request, const std::vector<Node>& nodes);
    /// nodes[i]'s dead properties for write_prop_response, or null when
    /// none were read (then none are needed).
    const std::vector<store::DeadProperty>* of(std::size_t i) const {
        return by_node_.empty() ? nullptr : &by_node_[i];
    }

private:
    std::vector<std::vector<store::DeadProperty>> by_node_;  ///< empty, or one per node
};

/// Creates the collection at the request target with the properties set in
/// a creation body (RFC 5689 §3 DAV:mkcol, RFC 4791 §5.3.1 C:mkcalendar;
/// `root` null = no body). `default_type` is the resourcetype created when
/// the body names none. On failure answers 403 with a `response_root`
/// (mkcol-response / mkcalendar-response) propstat body; else 201.
http::Response create_collection(Call& call, const xml::Element* root,
                                 const xml::QName& default_type,
                                 const xml::QName& response_root);

/// The Allow header value for a node (RFC 9110 §10.2.1).
std::string allowed_methods(const Node& node);

/// Parses the request body as XML (400 on malformed XML).
xml::Element parse_body(const Call& call);

/// "HTTP/1.1 200 OK" for a multistatus <D:status>.
std::string status_line(http::Status status);

/// Largest dead property value we store (bytes of XML).
inline constexpr std::size_t kMaxPropertyValue = 64 * 1024;

/// The parent collection path of a store path ("a/b" -> "a/", "a/" -> "").
std::string parent_path(const std::string& path);
/// Whether a lock covers path (RFC 4918 §6.1: its root, or below a
/// depth-infinity root).
bool lock_covers(const store::Lock& lock, const std::string& path);
/// A new lock token: "urn:uuid:" + random UUID (RFC 4918 §6.5).
std::string new_lock_token();

}  // namespace cosmo::dav
