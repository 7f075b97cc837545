/// CALDAV:calendar-multiget (RFC 4791 §7.9): the requested properties of
/// each href, read in one store query. An href that is not one of the
/// owner's objects (missing, a collection, another user's, outside the
/// namespace) gets a 404 response inside the multistatus, never an error
/// for the whole request (DAVx5 relies on this, CLIENTS.md §2).
///
/// Statuses: 207; 400 without DAV:href or with a malformed body.

#include <algorithm>
#include <map>

#include "cosmo/dav/listing_cache.hpp"
#include "cosmo/dav/object_cache.hpp"
#include "internal.hpp"

namespace cosmo::caldav::detail {

namespace {

using xml::dav;

/// Whether name is a member name that needs no decoding and names no
/// other segment: unreserved characters only (RFC 3986 §2.3), not "." or
/// "..". Such an href means what its bytes say.
bool plain_member_name(std::string_view name) {
    if (name.empty() || name == "." || name == "..") return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '.' || c == '_' || c == '~';
    });
}

/// The owner's object path an href names, or nullopt.
std::optional<std::string> object_path(const dav::Call& call, const std::string& href) {
    // Most hrefs name a member of the report's collection by its plain
    // name, as the collection's own href was written: that member's path,
    // without parsing the whole URL (parse_target agrees; a unit test
    // checks both ways).
    if (call.node.kind == dav::NodeKind::kStore && call.node.is_collection() &&
        href.starts_with(call.node.href) &&
        plain_member_name(std::string_view(href).substr(call.node.href.size()))) {
        return call.node.path + href.substr(call.node.href.size());
    }
    try {
        const auto t = dav::parse_target(href, call.options.prefix);
        if (!t || t->kind != dav::NodeKind::kStore || t->user != call.owner->name ||
            t->trailing_slash || t->path.empty()) {
            return std::nullopt;
        }
        return t->path;
    } catch (const dav::DavError&) {
        return std::nullopt;
    }
}

/// The form of a multiget whose responses are a function of each object's
/// row and body (kept in the object cache): the prefix and owner, which
/// make the hrefs, and properties that only row properties and the whole
/// calendar-data (no comp, expand or limits) answer, in request order.
/// nullptr for any other request.
std::shared_ptr<const std::string> answer_form(const dav::Call& call,
                                              const dav::PropRequest& props) {
    if (!call.options.object_cache || props.kind != dav::PropRequest::Kind::kProp ||
        props.props.empty()) {
        return nullptr;
    }
    std::string form = "multiget\n" + call.options.prefix + "\n" + call.owner->name + "\n";
    for (const xml::Element& e : props.props) {
        const bool whole_data = e.name == xml::caldav("calendar-data");
        if (!e.children.empty() || (!whole_data && !dav::ListingCache::row_property(e.name))) {
            return nullptr;
        }
        form += e.name.ns + " " + e.name.local;
        for (const xml::Attribute& a : e.attributes) {
            form += " " + a.name.ns + " " + a.name.local + "=" + a.value;
        }
        form += "\n";
    }
    return std::make_shared<const std::string>(std::move(form));
}

/// What one multiget asks: kept by a streamed answer until its last batch.
struct Multiget {
    dav::PropRequest props;
    std::vector<std::string> hrefs;
    std::vector<std::optional<std::string>> wanted;  ///< the owner's object path, by href
    std::shared_ptr<const std::string> form;  ///< answer_form: responses kept in the object cache
};

/// The responses of hrefs [begin, end), their objects read in one query.
void write_batch(dav::Call& call, const Multiget& m, std::size_t begin, std::size_t end,
                 xml::Writer& w) {
    // Responses kept for this form, at the revision this request saw:
    // written as they are, their objects not read at all.
    std::vector<std::shared_ptr<const std::string>> kept(end - begin);
    std::optional<dav::ObjectCache::Version> version;
    if (m.form) {
        version = dav::ObjectCache::version_of(*call.owner, *call.node.resource);
        std::vector<std::string> asked;
        for (std::size_t i = begin; i < end; ++i) asked.push_back(m.wanted[i].value_or(""));
        kept = call.options.object_cache->find_answers(*version, m.form, asked);
    }
    std::vector<std::string> paths;
    for (std::size_t i = begin; i < end; ++i) {
        if (m.wanted[i] && !kept[i - begin]) paths.push_back(*m.wanted[i]);
    }
    std::map<std::string, store::StoredObject> found;
    std::size_t body_bytes = 0;
    if (!paths.empty()) {
        // With a form, each response is kept instead of its object.
        for (store::StoredObject& o : call.read_objects(paths, /*keep=*/!m.form)) {
            body_bytes += o.body.size();
            std::string p = o.resource.path;
            found.emplace(std::move(p), std::move(o));
        }
    }
    // A body is moved into its response on its path's last use, copied
    // before that (a client may name one href twice).
    std::map<std::string, std::size_t> uses_left;
    for (const std::string& p : paths) ++uses_left[p];
    std::vector<dav::Node> nodes;                                   // the hrefs found, in order
    std::vector<std::optional<std::size_t>> node_of(end - begin);  // their node, by href
    for (std::size_t i = begin; i < end; ++i) {
        if (kept[i - begin]) continue;
        const auto it = m.wanted[i] ? found.find(*m.wanted[i]) : found.end();
        if (it == found.end()) continue;
        store::StoredObject object =
            --uses_left[it->first] == 0 ? std::move(it->second) : it->second;
        node_of[i - begin] = nodes.size();
        nodes.push_back(object_node(call, std::move(object)));
    }
    const dav::DeadPropertyBatch dead(call, m.props, nodes);
    // Room for the batch at once (the bodies, their CRs escaped, and the
    // XML around each): growing by doubling copied it about once more.
    w.reserve(body_bytes + body_bytes / 8 + 512 * (end - begin));
    for (std::size_t i = begin; i < end; ++i) {
        if (kept[i - begin]) {
            w.raw(*kept[i - begin]);
            continue;
        }
        if (!node_of[i - begin]) {
            write_status_response(w, m.hrefs[i], http::Status::not_found);
            continue;
        }
        const dav::Node& node = nodes[*node_of[i - begin]];
        const std::size_t mark = w.mark();
        dav::write_prop_response(call, node, m.props, false, w, dead.of(*node_of[i - begin]));
        // Only members: the collection's revision says nothing of others.
        if (m.form && node.resource->collection_id == call.node.resource->id) {
            call.options.object_cache->store_answer(*version, m.form, node.resource->path,
                                                    node.resource->etag, w.written_since(mark));
        }
    }
}

http::Response run_multiget(const Options& options, dav::Call& call, const xml::Element& root) {
    auto m = std::make_shared<Multiget>();
    std::optional<dav::PropRequest> req = dav::parse_prop_request(root);
    m->props = req ? std::move(*req) : dav::PropRequest{};
    check_calendar_data_props(m->props);
    for (const xml::Element& e : root.children) {
        if (e.name == dav("href")) m->hrefs.emplace_back(e.trimmed_text());
    }
    if (m->hrefs.empty()) throw dav::DavError::bad_request("calendar-multiget needs DAV:href");
    if (m->hrefs.size() > options.max_results) {
        throw dav::DavError::forbidden(dav::Precondition::kNumberOfMatchesWithinLimits,
                                       "Too many hrefs in one calendar-multiget");
    }
    for (const std::string& h : m->hrefs) m->wanted.push_back(object_path(call, h));
    if (call.node.is_collection() && call.node.resource) m->form = answer_form(call, m->props);
    xml::Writer w(4096);
    w.start(dav("multistatus"));
    return dav::answer_in_batches(
        call, std::move(w), batches_by_path(call, m->wanted),
        [&call, m](std::size_t begin, std::size_t end, xml::Writer& out) {
            write_batch(call, *m, begin, end, out);
        },
        [](xml::Writer&) {});
}

}  // namespace

dav::Report multiget_report(const Options& options) {
    return {xml::caldav("calendar-multiget"),
            [](const dav::Node& n) { return n.kind == dav::NodeKind::kStore && n.resource; },
            [options](dav::Call& call, const xml::Element& root) {
                return run_multiget(options, call, root);
            }};
}

}  // namespace cosmo::caldav::detail
