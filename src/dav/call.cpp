/// Call: per-request helpers shared by the handlers (If header, locks,
/// conditional requests, Depth).

#include "cosmo/dav/call.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <random>

#include "cosmo/dav/error.hpp"

namespace cosmo::dav {

namespace {

std::string trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return std::string(s);
}

std::vector<std::string> split_list(std::string_view s) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= s.size()) {
        std::size_t next = s.find(',', pos);
        if (next == std::string_view::npos) next = s.size();
        std::string item = trim(s.substr(pos, next - pos));
        if (!item.empty()) out.push_back(std::move(item));
        pos = next + 1;
    }
    return out;
}

std::string quoted_etag(const store::Resource& r) {
    return r.is_collection || r.etag.empty() ? std::string() : "\"" + r.etag + "\"";
}

}  // namespace

std::string parent_path(const std::string& path) {
    std::string p = path;
    if (!p.empty() && p.back() == '/') p.pop_back();
    const std::size_t slash = p.rfind('/');
    return slash == std::string::npos ? std::string() : p.substr(0, slash + 1);
}

bool lock_covers(const store::Lock& lock, const std::string& path) {
    if (lock.root == path) return true;
    const bool root_is_collection = lock.root.empty() || lock.root.back() == '/';
    return lock.depth_infinity && root_is_collection && path.size() > lock.root.size() &&
           path.compare(0, lock.root.size(), lock.root) == 0;
}

std::string new_lock_token() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    const std::uint64_t a = rng(), b = rng();
    char buf[64];
    std::snprintf(buf, sizeof buf, "urn:uuid:%08x-%04x-4%03x-%04x-%012llx",
                  static_cast<unsigned>(a >> 32), static_cast<unsigned>((a >> 16) & 0xFFFF),
                  static_cast<unsigned>(a & 0x0FFF),
                  static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3FFF)),
                  static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
    return buf;
}

Call::Call(const http::Request& request, http::RequestContext& context, const Options& opts,
           const Registries& regs, store::Directory& dir, store::ShardStore& shard_store)
    : req(request),
      ctx(context),
      options(opts),
      registries(regs),
      directory(dir),
      shards(shard_store) {}

std::string Call::header(std::string_view name) const {
    auto it = req.find(name);
    return it == req.end() ? std::string() : std::string(it->value());
}

Depth Call::depth(Depth fallback) const {
    const std::string d = trim(header("Depth"));
    if (d.empty()) return fallback;
    if (d == "0") return Depth::kZero;
    if (d == "1") return Depth::kOne;
    std::string lower = d;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "infinity") return Depth::kInfinity;
    throw DavError::bad_request("Invalid Depth header");
}

std::optional<store::Resource> Call::stat_any(const std::string& path) {
    if (path.empty()) return session->stat("");
    std::string p = path;
    if (p.back() == '/') p.pop_back();
    if (auto r = session->stat(p)) return r;
    return session->stat(p + "/");
}

std::string Call::href_of(const std::string& store_path) const {
    return store_href(options.prefix, owner->name, store_path);
}

std::vector<store::StoredObject> Call::read_objects(const std::vector<std::string>& paths,
                                                    bool keep) {
    ObjectCache* cache = options.object_cache.get();
    if (!cache || !owner || !node.resource || !node.resource->is_collection) {
        return session->read_objects(paths);
    }
    const store::Resource& collection = *node.resource;
    const auto is_member = [&](const std::string& p) {
        return p.size() > collection.path.size() && p.starts_with(collection.path) &&
               p.find('/', collection.path.size()) == std::string::npos;
    };
    std::vector<std::string> members;
    std::vector<std::string> to_read;
    for (const std::string& p : paths) (is_member(p) ? members : to_read).push_back(p);
    const ObjectCache::Version version = ObjectCache::version_of(*owner, collection);
    std::vector<store::StoredObject> out = cache->find(version, members, to_read);
    if (to_read.empty()) return out;
    std::vector<store::StoredObject> read = session->read_objects(to_read);
    if (keep) {
        std::vector<const store::StoredObject*> read_members;
        for (const store::StoredObject& o : read) {
            if (is_member(o.resource.path)) read_members.push_back(&o);
        }
        cache->store(version, read_members);
    }
    out.reserve(out.size() + read.size());
    std::move(read.begin(), read.end(), std::back_inserter(out));
    return out;
}

Node Call::store_node(const std::string& path, bool trailing_slash) {
    Node n;
    n.kind = NodeKind::kStore;
    n.user = owner->name;
    if (path.empty()) {
        n.resource = session->stat("");
    } else if (trailing_slash) {
        n.resource = session->stat(path + "/");
    } else {
        n.resource = stat_any(path);
    }
    n.path = n.resource ? n.resource->path : path + (trailing_slash ? "/" : "");
    n.href = href_of(n.path);
    return n;
}

void Call::parse_if() {
    if (if_parsed_) return;
    if_parsed_ = true;
    const std::string value = header("If");
    if (value.empty()) return;
    if_lists_ = parse_if_header(value);
    tokens_ = submitted_tokens(if_lists_);
}

const std::vector<std::string>& Call::tokens() {
    parse_if();
    return tokens_;
}

IfResourceState Call::if_state(const std::optional<std::string>& tag) {
    IfResourceState state;
    if (!session) return state;
    std::string path;
    std::optional<store::Resource> resource;
    if (!tag) {
        resource = node.resource;
        path = node.path;
    } else {
        std::optional<Target> t;
        try {
            t = parse_target(*tag, options.prefix);
        } catch (const DavError&) {
            return state;  // a tag we cannot map names no resource of ours
        }
        if (!t || t->kind != NodeKind::kStore || t->user != owner->name) return state;
        resource = t->path.empty() ? session->stat("") : stat_any(t->path);
        path = resource ? resource->path : t->path + (t->trailing_slash ? "/" : "");
    }
    if (resource) {
        const std::string etag = quoted_etag(*resource);
        if (!etag.empty()) state.etag = etag;
    }
    for (const store::Lock& l : session->locks_covering(path)) {
        state.lock_tokens.push_back(l.token);
    }
    return state;
}

void Call::check_if_header() {
    parse_if();
    if (if_lists_.empty()) return;
    const bool ok =
        evaluate_if(if_lists_, [this](const std::optional<std::string>& tag) { return if_state(tag); });
    if (!ok) throw DavError::precondition_failed("The If header evaluated to false");
}

void Call::check_locks(const std::string& path, bool descendants) {
    std::vector<store::Lock> locks = session->locks_covering(path);
    if (descendants) {
        for (store::Lock& l : session->locks_within(path)) locks.push_back(std::move(l));
    }
    const std::vector<std::string>& submitted = tokens();
    for (const store::Lock& l : locks) {
        if (std::find(submitted.begin(), submitted.end(), l.token) == submitted.end()) {
            throw DavError::locked(Precondition::kLockTokenSubmitted, href_of(l.root));
        }
    }
}

void Call::check_parent_locks(const std::string& path) {
    if (path.empty()) return;
    const std::string parent = parent_path(path);
    const std::vector<std::string>& submitted = tokens();
    for (const store::Lock& l : session->locks_covering(parent)) {
        if (l.root != parent || l.depth_infinity) continue;  // infinity ones cover path itself
        if (std::find(submitted.begin(), submitted.end(), l.token) == submitted.end()) {
            throw DavError::locked(Precondition::kLockTokenSubmitted, href_of(l.root));
        }
    }
}

bool Call::check_conditional(bool is_read) {
    const std::optional<store::Resource>& r = node.resource;
    const std::string etag = r ? quoted_etag(*r) : std::string();
    const std::string if_match = header("If-Match");
    if (!if_match.empty()) {
        bool ok = false;
        for (const std::string& t : split_list(if_match)) {
            ok = ok || (t == "*" && r) || (!etag.empty() && etags_match(t, etag));
        }
        if (!ok) throw DavError::precondition_failed("If-Match did not match");
    }
    const std::string if_none = header("If-None-Match");
    if (!if_none.empty()) {
        bool matched = false;
        for (const std::string& t : split_list(if_none)) {
            matched = matched || (t == "*" && r) || (!etag.empty() && etags_match(t, etag));
        }
        if (matched) {
            if (is_read) return true;
            throw DavError::precondition_failed("If-None-Match matched");
        }
    }
    return false;
}

std::optional<store::WriteCondition> Call::write_condition() const {
    const bool judged_by_etag = !header("If-Match").empty() || !header("If-None-Match").empty() ||
                                header("If").find('[') != std::string::npos;
    if (!judged_by_etag) return std::nullopt;
    store::WriteCondition c;
    if (node.resource && !node.resource->is_collection) c.etag = node.resource->etag;
    return c;
}

http::Response Call::xml_response(http::Status status, std::string body) const {
    return http::make_response(req, status, std::move(body), "application/xml; charset=utf-8");
}

http::Response Call::streamed_response(http::Response first,
                                       std::function<bool(std::string&)> more) {
    stream_more_ = std::move(more);
    return first;
}

http::Response Call::streamed_xml_response(http::Status status, xml::Writer w,
                                           std::function<bool(xml::Writer&)> more) {
    std::string first;
    w.take(first);
    auto writer = std::make_shared<xml::Writer>(std::move(w));
    return streamed_response(xml_response(status, std::move(first)),
                             [writer, more = std::move(more)](std::string& out) {
                                 if (more(*writer)) {
                                     writer->take(out);
                                     return true;
                                 }
                                 out += writer->finish();
                                 return false;
                             });
}

bool Call::next_part(std::string& out) {
    // A slow reader holds no database connection: each part has a session
    // of its own, which goes back to the pool once the part is made.
    if (!session && owner) session = shards.open(*owner);
    const bool more = stream_more_(out);
    // As for a whole answer (Dispatcher): what the part read is confirmed
    // the home's before it is sent. A home that moved meanwhile throws, and
    // the client gets the answer cut off, never complete and wrong.
    if (session) session->confirm_reads();
    session.reset();
    return more;
}

}  // namespace cosmo::dav
