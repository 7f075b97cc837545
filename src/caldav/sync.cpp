/// DAV:sync-collection (RFC 6578) on any collection of the home.
///
/// - empty token: the current members (no tombstones), and the current token;
/// - a token of ours still covered by the change log: each member changed
///   since then once (its latest change), deletions as 404 responses;
/// - anything else (foreign, malformed, future, purged): 403 valid-sync-token
///   so the client falls back to a full sync (§3.2, CLIENTS.md §1.2);
/// - Depth is ignored (Thunderbird sends Depth: 1); sync-level infinite is
///   served as 1: calendar collections have no member collections;
/// - DAV:limit/nresults (§3.7): at most that many responses, then a 507
///   response for the collection and a token for exactly the state returned.
///
/// Statuses: 207; 403 valid-sync-token; 400 for a malformed body.

#include <algorithm>
#include <map>

#include "internal.hpp"
#include "requests.hpp"

namespace cosmo::caldav::detail {

namespace {

using xml::dav;

struct SyncRequest {
    std::string token;
    std::optional<std::size_t> limit;
    dav::PropRequest props;
};

SyncRequest parse_sync(const xml::Element& root) {
    SyncRequest r;
    if (const xml::Element* t = root.child(dav("sync-token"))) r.token = t->trimmed_text();
    r.limit = parse_limit(root);
    std::optional<dav::PropRequest> props = dav::parse_prop_request(root);
    if (props) r.props = std::move(*props);
    check_calendar_data_props(r.props);
    return r;
}

dav::DavError invalid_token() {
    return dav::DavError::forbidden(dav::Precondition::kValidSyncToken,
                                    "Unknown or expired sync token; sync again from scratch");
}

/// Writes the members named by changes [begin, end) (tombstones as 404),
/// reading the objects in one query.
void write_changes(dav::Call& call, const store::Resource& collection,
                   const std::vector<store::Change>& changes, std::size_t begin, std::size_t end,
                   const dav::PropRequest& props, xml::Writer& w) {
    std::vector<std::string> paths;
    for (std::size_t i = begin; i < end; ++i) {
        const store::Change& c = changes[i];
        if (!c.deleted && c.name.back() != '/') paths.push_back(collection.path + c.name);
    }
    const bool with_bodies = wants_calendar_data(props);
    std::map<std::string, store::StoredObject> objects;
    if (with_bodies) {
        for (store::StoredObject& o : call.session->read_objects(paths)) {
            std::string p = o.resource.path;
            objects.emplace(std::move(p), std::move(o));
        }
    } else {
        for (store::Resource& r : call.session->stat_objects(paths)) {
            std::string p = r.path;
            objects.emplace(std::move(p), store::StoredObject{std::move(r), {}});
        }
    }
    std::vector<dav::Node> nodes;  // the members still there
    std::vector<std::optional<std::size_t>> node_of(end - begin);  // by change
    for (std::size_t i = begin; i < end; ++i) {
        const store::Change& c = changes[i];
        if (c.deleted) continue;
        const std::string path = collection.path + c.name;
        if (auto it = objects.find(path); it != objects.end()) {
            // Each member is listed once: its body can move into the node.
            dav::Node n = object_node(call, std::move(it->second));
            if (!with_bodies) n.body.reset();  // not read; a getter reads it if needed
            node_of[i - begin] = nodes.size();
            nodes.push_back(std::move(n));
        } else if (c.name.back() == '/') {
            dav::Node n = call.store_node(path.substr(0, path.size() - 1), true);
            if (n.resource) {
                node_of[i - begin] = nodes.size();
                nodes.push_back(std::move(n));
            }
        }
    }
    const dav::DeadPropertyBatch dead(call, props, nodes);
    for (std::size_t i = begin; i < end; ++i) {
        if (const auto n = node_of[i - begin]) {
            dav::write_prop_response(call, nodes[*n], props, false, w, dead.of(*n));
        } else {
            write_status_response(w, call.href_of(collection.path + changes[i].name),
                                  http::Status::not_found);
        }
    }
}

/// The answer that lists changes (or, from no token, members): with bodies,
/// in batches (dav/batches.hpp), each read when the one before is sent; the
/// 507 of a truncated answer and the token follow the last.
http::Response answer_changes(dav::Call& call, const store::Resource& collection,
                              std::vector<store::Change> changes, dav::PropRequest props,
                              bool truncated, std::string token, xml::Writer w,
                              const std::vector<std::int64_t>& sizes = {}) {
    // Without bodies an answer is a few hundred bytes a member: made whole.
    // Body sizes are known from no token (the listing has them); a change
    // list's are looked up when it is longer than a batch.
    std::vector<std::size_t> ends;
    if (!wants_calendar_data(props)) {
        ends = {changes.size()};
    } else if (!sizes.empty()) {
        ends = dav::batch_ends(changes.size(), [&sizes](std::size_t i) { return sizes.at(i); });
    } else {
        std::vector<std::optional<std::string>> paths;
        for (const store::Change& c : changes) {
            paths.push_back(c.deleted || c.name.back() == '/'
                                ? std::nullopt
                                : std::optional<std::string>(collection.path + c.name));
        }
        ends = batches_by_path(call, paths);
    }
    struct Listed {
        store::Resource collection;
        std::vector<store::Change> changes;
        dav::PropRequest props;
    };
    auto listed = std::make_shared<Listed>(collection, std::move(changes), std::move(props));
    return dav::answer_in_batches(
        call, std::move(w), std::move(ends),
        [&call, listed](std::size_t begin, std::size_t end, xml::Writer& out) {
            write_changes(call, listed->collection, listed->changes, begin, end, listed->props,
                          out);
        },
        [&call, truncated, token = std::move(token)](xml::Writer& out) {
            if (truncated) write_truncated(call, out);
            out.leaf(dav("sync-token"), token);
        });
}

http::Response run_sync(const Options& options, dav::Call& call, const xml::Element& root) {
    const SyncRequest req = parse_sync(root);
    const store::Resource& collection = *call.node.resource;
    const std::size_t limit = std::min(req.limit.value_or(options.max_results), options.max_results);
    const std::optional<std::int64_t> oldest = call.session->oldest_change(collection);

    std::int64_t since = 0;
    bool initial = req.token.empty();
    if (!initial) {
        const auto parsed = parse_sync_token(req.token);
        if (!parsed || parsed->first != collection.id || parsed->second > collection.revision) {
            throw invalid_token();
        }
        since = parsed->second;
        // Every revision after `since` must still be logged.
        if (since < collection.revision && (!oldest || since < *oldest - 1)) throw invalid_token();
    }

    xml::Writer w;
    w.start(dav("multistatus"));
    // The log covers everything from revision 1: the initial sync can be
    // served from it too, which gives a token for a partial state.
    const bool log_complete = collection.revision == 0 || (oldest && *oldest <= 1);
    if (initial && !(req.limit && log_complete)) {
        // Current members only (RFC 6578 §3.4). Without a complete log a
        // limit cannot be honoured with a valid partial token: all are sent.
        // An ETag listing: the children already have every live property it
        // asks for, so no second read of the same rows; true when no member
        // is a collection (then the listing may be cached).
        const auto write_members = [&](xml::Writer& out) {
            bool objects_only = true;
            std::vector<dav::Node> nodes;
            for (store::Resource& r : call.session->children(collection)) {
                const bool is_collection = r.path.back() == '/';
                objects_only = objects_only && !is_collection;
                dav::Node n = is_collection ? call.store_node(r.path.substr(0, r.path.size() - 1), true)
                                            : object_node(call, store::StoredObject{std::move(r), {}});
                if (!n.resource) continue;
                n.body.reset();  // not read; a getter reads it if needed
                nodes.push_back(std::move(n));
            }
            const dav::DeadPropertyBatch dead(call, req.props, nodes);
            for (std::size_t i = 0; i < nodes.size(); ++i) {
                dav::write_prop_response(call, nodes[i], req.props, false, out, dead.of(i));
            }
            return objects_only;
        };
        dav::ListingCache* cache = call.options.listing_cache.get();
        const std::optional<std::string> key =
            cache ? dav::ListingCache::key("sync", call.options.prefix, call.owner->name,
                                           collection, req.props)
                  : std::nullopt;
        if (key) {
            cache->write_through(*key, w, write_members);  // key: no calendar-data
        } else if (!wants_calendar_data(req.props)) {
            write_members(w);
        } else {
            std::vector<store::Change> members;
            std::vector<std::int64_t> sizes;
            for (const store::Resource& r : call.session->children(collection)) {
                members.push_back({r.path.substr(collection.path.size()), false, 0});
                sizes.push_back(r.content_length);
            }
            return answer_changes(call, collection, std::move(members), req.props, false,
                                  sync_token(collection), std::move(w), sizes);
        }
        w.leaf(dav("sync-token"), sync_token(collection));
        return call.xml_response(http::Status::multi_status, w.finish());
    }
    std::vector<store::Change> changes = call.session->changes_since(collection, since, limit + 1);
    const bool truncated = changes.size() > limit;
    store::Resource at = collection;  // the token: for exactly the state returned
    if (truncated) {
        changes.resize(limit);
        at.revision = changes.back().revision;
    }
    if (initial) {
        std::erase_if(changes, [](const store::Change& c) { return c.deleted; });
    }
    return answer_changes(call, collection, std::move(changes), req.props, truncated,
                          sync_token(at), std::move(w));
}

}  // namespace

dav::Report sync_collection_report(const Options& options) {
    return {dav("sync-collection"), is_store_collection,
            [options](dav::Call& call, const xml::Element& root) {
                return run_sync(options, call, root);
            }};
}

}  // namespace cosmo::caldav::detail
