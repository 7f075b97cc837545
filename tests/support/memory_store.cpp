/// MemoryDirectory and MemoryShardStore (see memory_store.hpp).

#include "support/memory_store.hpp"

#include <algorithm>
#include <cstdio>

namespace cosmo::test {

using store::Errc;
using store::Error;

// ---------------------------------------------------------------- directory

std::optional<store::User> MemoryDirectory::find_user(const std::string& name) {
    std::lock_guard lock(mutex_);
    auto it = users_.find(name);
    if (it == users_.end()) return std::nullopt;
    return it->second;
}

store::User MemoryDirectory::add_user(const std::string& name, const std::string& email,
                                      const std::string& password_hash) {
    std::lock_guard lock(mutex_);
    if (users_.count(name)) throw Error(Errc::kAlreadyExists, "user exists: " + name);
    store::Shard* best = nullptr;
    for (store::Shard& s : shards_) {
        if (s.state != "active") continue;
        // Least loaded by users per weight.
        if (!best || s.users * best->weight < best->users * s.weight) best = &s;
    }
    if (!best) throw Error(Errc::kConflict, "no active shard");
    store::User u;
    u.id = next_user_++;
    u.name = name;
    u.email = email;
    u.password_hash = password_hash;
    u.shard_id = best->id;
    u.created = std::chrono::system_clock::now();
    ++best->users;
    users_[name] = u;
    return u;
}

std::vector<store::User> MemoryDirectory::list_users() {
    std::lock_guard lock(mutex_);
    std::vector<store::User> out;
    for (const auto& [name, u] : users_) out.push_back(u);
    return out;
}

void MemoryDirectory::set_password(const std::string& name, const std::string& password_hash) {
    std::lock_guard lock(mutex_);
    auto it = users_.find(name);
    if (it == users_.end()) throw Error(Errc::kNotFound, "no user " + name);
    it->second.password_hash = password_hash;
}

void MemoryDirectory::set_disabled(const std::string& name, bool disabled) {
    std::lock_guard lock(mutex_);
    auto it = users_.find(name);
    if (it == users_.end()) throw Error(Errc::kNotFound, "no user " + name);
    it->second.disabled = disabled;
}

std::vector<store::Shard> MemoryDirectory::list_shards() {
    std::lock_guard lock(mutex_);
    return shards_;
}

std::optional<store::Shard> MemoryDirectory::find_shard(store::ShardId id) {
    std::lock_guard lock(mutex_);
    for (const store::Shard& s : shards_) {
        if (s.id == id) return s;
    }
    return std::nullopt;
}

store::Shard MemoryDirectory::add_shard(const std::string& name, const std::string& dsn) {
    std::lock_guard lock(mutex_);
    for (const store::Shard& s : shards_) {
        if (s.name == name) throw Error(Errc::kAlreadyExists, "shard exists: " + name);
    }
    store::Shard s;
    s.id = static_cast<store::ShardId>(shards_.size() + 1);
    s.name = name;
    s.dsn = dsn;
    s.state = "active";
    shards_.push_back(s);
    return s;
}

void MemoryDirectory::set_shard_state(const std::string& name, const std::string& state) {
    std::lock_guard lock(mutex_);
    for (store::Shard& s : shards_) {
        if (s.name == name) {
            s.state = state;
            return;
        }
    }
    throw Error(Errc::kNotFound, "no shard " + name);
}

// ------------------------------------------------------------------ session

namespace {

using Home = MemoryShardStore::Home;
using Entry = MemoryShardStore::Entry;

bool is_collection_path(const std::string& p) { return p.empty() || p.back() == '/'; }

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

std::string parent_of(const std::string& path) {
    std::string p = path;
    if (!p.empty() && p.back() == '/') p.pop_back();
    const std::size_t slash = p.rfind('/');
    return slash == std::string::npos ? std::string() : p.substr(0, slash + 1);
}

/// The member name within the parent ("a/b.ics" -> "b.ics", "a/s/" -> "s/").
std::string leaf_of(const std::string& path) { return path.substr(parent_of(path).size()); }

/// FNV-1a over the bytes and the size, as 32 hex digits like the real
/// store's: equal bytes, equal ETag; any change, a new one. The query memos
/// (caldav/match_memo.hpp) keep only such ETags.
std::string etag_of(const std::string& body) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : body) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h),
                  static_cast<unsigned long long>(body.size()));
    return buf;
}

class MemorySession : public store::Session {
public:
    MemorySession(MemoryShardStore& owner_store, store::UserId owner)
        : store_(owner_store), owner_(owner), home_(owner_store.load(owner)) {}

    void ensure_home() override {
        if (home_.entries.count("")) return;
        Entry e;
        e.resource.is_collection = true;
        e.resource.id = home_.next_id++;
        e.resource.collection_id = e.resource.id;
        e.resource.created = e.resource.modified = std::chrono::system_clock::now();
        home_.entries[""] = e;
        // As store_pg: every new home gets its default calendar.
        make_collection("calendar/", store::CollectionKind::kCalendar);
    }

    std::optional<store::Resource> stat(const std::string& path) override {
        auto it = home_.entries.find(path);
        if (it == home_.entries.end()) return std::nullopt;
        return it->second.resource;
    }

    std::vector<store::Resource> children(const store::Resource& c) override {
        std::vector<store::Resource> out;
        for (const auto& [path, e] : home_.entries) {
            if (path.size() <= c.path.size() || !starts_with(path, c.path)) continue;
            const std::string rest = path.substr(c.path.size());
            const std::size_t slash = rest.find('/');
            if (slash == std::string::npos || slash == rest.size() - 1) out.push_back(e.resource);
        }
        return out;
    }

    std::string read_body(const store::Resource& object) override {
        store_.count_body_read();
        return entry(object.path).body;
    }

    store::Resource put_object(const std::string& path, const std::string& content_type,
                               const std::string& body, bool* created,
                               const std::optional<store::CalendarIndex>& index,
                               const std::optional<store::WriteCondition>& condition) override {
        if (path.empty() || is_collection_path(path)) throw Error(Errc::kConflict, "not an object path");
        require_parent(path);
        if (condition) {
            const auto now_there = home_.entries.find(path);
            const std::optional<std::string> etag =
                now_there == home_.entries.end()
                    ? std::nullopt
                    : std::optional<std::string>(now_there->second.resource.etag);
            if (etag != condition->etag) throw Error(Errc::kChanged, "changed: " + path);
        }
        if (home_.entries.count(path + "/")) throw Error(Errc::kConflict, "a collection is there");
        if (index) require_unique_uid(parent_of(path), index->uid, path);
        const auto now = std::chrono::system_clock::now();
        auto it = home_.entries.find(path);
        if (created) *created = it == home_.entries.end();
        if (it == home_.entries.end()) {
            Entry e;
            e.resource.id = home_.next_id++;
            e.resource.path = path;
            e.resource.created = now;
            it = home_.entries.emplace(path, std::move(e)).first;
        }
        store::Resource& r = it->second.resource;
        r.collection_id = home_.entries.at(parent_of(path)).resource.id;
        r.content_type = content_type;
        r.content_length = static_cast<std::int64_t>(body.size());
        r.etag = etag_of(body);
        r.modified = now;
        it->second.body = body;
        it->second.index = index;
        bump(parent_of(path), leaf_of(path), false);
        return r;
    }

    std::optional<std::string> find_by_uid(const store::Resource& c,
                                           const std::string& uid) override {
        for (const auto& [path, e] : home_.entries) {
            if (e.index && e.index->uid == uid && is_member(c.path, path)) return path;
        }
        return std::nullopt;
    }

    std::vector<store::StoredObject> read_objects(const std::vector<std::string>& paths) override {
        store_.count_body_read();  // one round trip in a real store
        std::vector<store::StoredObject> out;
        for (const std::string& p : paths) {
            auto it = home_.entries.find(p);
            if (it == home_.entries.end() || it->second.resource.is_collection) continue;
            out.push_back({it->second.resource, it->second.body});
        }
        return out;
    }

    // As a real store: the rows without their bodies, so no body read.
    std::vector<store::Resource> stat_objects(const std::vector<std::string>& paths) override {
        std::vector<store::Resource> out;
        for (const std::string& p : paths) {
            auto it = home_.entries.find(p);
            if (it == home_.entries.end() || it->second.resource.is_collection) continue;
            out.push_back(it->second.resource);
        }
        return out;
    }

    std::vector<store::StoredObject> objects_in_range(const store::Resource& c,
                                                      const std::string& component,
                                                      std::int64_t start,
                                                      std::int64_t end) override {
        std::vector<store::StoredObject> out;
        for (const auto& [path, e] : home_.entries) {
            if (e.resource.is_collection || !is_member(c.path, path)) continue;
            const bool match = !e.index || ((component.empty() || e.index->component == component) &&
                                            e.index->first_start <= end &&
                                            e.index->last_end >= start);
            if (match) out.push_back({e.resource, e.body});
        }
        return out;
    }

    std::vector<store::RangeCandidate> resources_in_range(const store::Resource& c,
                                                          const std::string& component,
                                                          std::int64_t start,
                                                          std::int64_t end) override {
        std::vector<store::RangeCandidate> out;
        for (store::StoredObject& o : objects_in_range(c, component, start, end)) {
            std::optional<store::CalendarIndex> index = home_.entries.at(o.resource.path).index;
            if (index) index->uid.clear();  // as the real store: not read
            out.push_back({std::move(o.resource), std::move(index)});
        }
        return out;
    }

    std::vector<store::Change> changes_since(const store::Resource& c, std::int64_t since,
                                             std::size_t limit) override {
        std::map<std::string, store::Change> latest;
        for (const auto& l : home_.change_log) {
            if (l.collection_id == c.id && l.change.revision > since) latest[l.change.name] = l.change;
        }
        std::vector<store::Change> out;
        for (const auto& [name, ch] : latest) out.push_back(ch);
        std::sort(out.begin(), out.end(),
                  [](const auto& a, const auto& b) { return a.revision < b.revision; });
        if (out.size() > limit) out.resize(limit);
        return out;
    }

    std::optional<std::int64_t> oldest_change(const store::Resource& c) override {
        std::optional<std::int64_t> oldest;
        for (const auto& l : home_.change_log) {
            if (l.collection_id == c.id && (!oldest || l.change.revision < *oldest)) {
                oldest = l.change.revision;
            }
        }
        return oldest;
    }

    store::Resource make_collection(const std::string& path, store::CollectionKind kind) override {
        if (!is_collection_path(path) || path.empty()) throw Error(Errc::kConflict, "bad path");
        require_parent(path);
        if (home_.entries.count(path) || home_.entries.count(path.substr(0, path.size() - 1))) {
            throw Error(Errc::kAlreadyExists, "exists: " + path);
        }
        Entry e;
        e.resource.is_collection = true;
        e.resource.id = home_.next_id++;
        e.resource.collection_id = e.resource.id;
        e.resource.path = path;
        e.resource.kind = kind;
        e.resource.created = e.resource.modified = std::chrono::system_clock::now();
        home_.entries[path] = e;
        bump(parent_of(path), leaf_of(path), false);
        return e.resource;
    }

    void remove(const store::Resource& r,
                const std::optional<store::WriteCondition>& condition) override {
        const Entry& now = entry(r.path);
        if (condition && !r.is_collection && now.resource.etag != condition->etag) {
            throw Error(Errc::kChanged, "changed: " + r.path);
        }
        for (auto it = home_.entries.begin(); it != home_.entries.end();) {
            const bool below = r.is_collection ? starts_with(it->first, r.path) : it->first == r.path;
            if (below && it->second.resource.is_collection) drop_log(it->second.resource.id);
            it = below ? home_.entries.erase(it) : std::next(it);
        }
        bump(parent_of(r.path), leaf_of(r.path), true);
    }

    store::Resource copy(const store::Resource& src, const std::string& dst,
                         bool depth_infinity) override {
        entry(src.path);
        require_free(dst);
        require_parent(dst);
        std::vector<std::pair<std::string, Entry>> add;
        for (const auto& [path, e] : home_.entries) {
            const bool self = path == src.path;
            const bool below = src.is_collection && depth_infinity && path != src.path &&
                               starts_with(path, src.path);
            if (!self && !below) continue;
            Entry copy = e;
            copy.resource.id = home_.next_id++;
            copy.resource.path = dst + path.substr(src.path.size());
            copy.resource.created = copy.resource.modified = std::chrono::system_clock::now();
            if (copy.resource.is_collection) copy.resource.collection_id = copy.resource.id;
            add.emplace_back(copy.resource.path, std::move(copy));
        }
        if (!src.is_collection) {
            const Entry& e = add.front().second;
            if (e.index) require_unique_uid(parent_of(dst), e.index->uid, dst);
        }
        for (auto& [p, e] : add) home_.entries[p] = std::move(e);
        fix_parents();
        bump(parent_of(dst), leaf_of(dst), false);
        return home_.entries.at(dst).resource;
    }

    store::Resource move(const store::Resource& src, const std::string& dst) override {
        const Entry& source = entry(src.path);
        require_free(dst);
        require_parent(dst);
        if (!src.is_collection && source.index && parent_of(dst) != parent_of(src.path)) {
            require_unique_uid(parent_of(dst), source.index->uid, dst);
        }
        std::vector<std::pair<std::string, Entry>> moved;
        for (auto it = home_.entries.begin(); it != home_.entries.end();) {
            const bool hit = it->first == src.path ||
                             (src.is_collection && starts_with(it->first, src.path));
            if (!hit) {
                ++it;
                continue;
            }
            Entry e = std::move(it->second);
            e.resource.path = dst + it->first.substr(src.path.size());
            moved.emplace_back(e.resource.path, std::move(e));
            it = home_.entries.erase(it);
        }
        for (auto& [p, e] : moved) home_.entries[p] = std::move(e);
        fix_parents();
        bump(parent_of(src.path), leaf_of(src.path), true);
        bump(parent_of(dst), leaf_of(dst), false);
        return home_.entries.at(dst).resource;
    }

    std::vector<store::DeadProperty> dead_properties(const store::Resource& r) override {
        store_.count_dead_property_read();
        return entry(r.path).properties;
    }

    std::vector<std::vector<store::DeadProperty>> dead_properties_of(
        const std::vector<const store::Resource*>& resources) override {
        store_.count_dead_property_read();  // one round trip in a real store
        std::vector<std::vector<store::DeadProperty>> out;
        for (const store::Resource* r : resources) out.push_back(entry(r->path).properties);
        return out;
    }

    std::optional<store::DeadProperty> dead_property(const store::Resource& r, const std::string& ns,
                                                     const std::string& name) override {
        for (const auto& p : entry(r.path).properties) {
            if (p.ns == ns && p.name == name) return p;
        }
        return std::nullopt;
    }

    void set_dead_property(const store::Resource& r, const store::DeadProperty& prop) override {
        auto& props = entry(r.path).properties;
        for (auto& p : props) {
            if (p.ns == prop.ns && p.name == prop.name) {
                p.value_xml = prop.value_xml;
                return;
            }
        }
        props.push_back(prop);
    }

    void remove_dead_property(const store::Resource& r, const std::string& ns,
                              const std::string& name) override {
        auto& props = entry(r.path).properties;
        props.erase(std::remove_if(props.begin(), props.end(),
                                   [&](const auto& p) { return p.ns == ns && p.name == name; }),
                    props.end());
    }

    std::vector<store::Lock> locks_covering(const std::string& path) override {
        std::vector<store::Lock> out;
        for (const store::Lock& l : live_locks()) {
            const bool covers = l.root == path ||
                                (l.depth_infinity && is_collection_path(l.root) &&
                                 path.size() > l.root.size() && starts_with(path, l.root));
            if (covers) out.push_back(l);
        }
        return out;
    }

    std::vector<store::Lock> locks_within(const std::string& path) override {
        std::vector<store::Lock> out;
        for (const store::Lock& l : live_locks()) {
            if (l.root == path || (is_collection_path(path) && starts_with(l.root, path))) {
                out.push_back(l);
            }
        }
        return out;
    }

    std::optional<store::Lock> find_lock(const std::string& token) override {
        for (const store::Lock& l : live_locks()) {
            if (l.token == token) return l;
        }
        return std::nullopt;
    }

    void create_lock(const store::Lock& lock) override { home_.locks.push_back(lock); }

    void refresh_lock(const std::string& token, std::int64_t timeout_seconds) override {
        for (store::Lock& l : home_.locks) {
            if (l.token != token) continue;
            l.timeout_seconds = timeout_seconds;
            l.expires = timeout_seconds == 0
                            ? store::Timestamp::max()
                            : std::chrono::system_clock::now() + std::chrono::seconds(timeout_seconds);
            return;
        }
        throw Error(Errc::kNotFound, "no lock " + token);
    }

    void remove_lock(const std::string& token) override {
        auto& v = home_.locks;
        v.erase(std::remove_if(v.begin(), v.end(), [&](const auto& l) { return l.token == token; }),
                v.end());
    }

    void remove_locks_within(const std::string& path) override {
        auto& v = home_.locks;
        v.erase(std::remove_if(v.begin(), v.end(),
                               [&](const store::Lock& l) {
                                   return l.root == path ||
                                          (is_collection_path(path) && starts_with(l.root, path));
                               }),
                v.end());
    }

    std::int64_t used_bytes() override {
        std::int64_t n = 0;
        for (const auto& [p, e] : home_.entries) n += static_cast<std::int64_t>(e.body.size());
        return n;
    }

    void commit() override { store_.store(owner_, home_); }
    void confirm_reads() override { store_.confirm_read(); }

private:
    Entry& entry(const std::string& path) {
        auto it = home_.entries.find(path);
        if (it == home_.entries.end()) throw Error(Errc::kNotFound, "no resource " + path);
        return it->second;
    }
    void require_parent(const std::string& path) {
        auto it = home_.entries.find(parent_of(path));
        if (it == home_.entries.end() || !it->second.resource.is_collection) {
            throw Error(Errc::kConflict, "parent missing for " + path);
        }
    }
    void require_free(const std::string& path) {
        std::string bare = path;
        if (!bare.empty() && bare.back() == '/') bare.pop_back();
        if (home_.entries.count(bare) || home_.entries.count(bare + "/")) {
            throw Error(Errc::kAlreadyExists, "exists: " + path);
        }
    }
    /// Bumps the collection's revision and appends a change_log row.
    void bump(const std::string& collection, const std::string& member, bool deleted) {
        auto it = home_.entries.find(collection);
        if (it != home_.entries.end()) {
            store::Resource& c = it->second.resource;
            ++c.revision;
            c.modified = std::chrono::system_clock::now();
            home_.change_log.push_back({c.id, {member, deleted, c.revision}, c.modified});
        }
    }
    void drop_log(std::int64_t collection_id) {
        auto& log = home_.change_log;
        log.erase(std::remove_if(log.begin(), log.end(),
                                 [&](const auto& l) { return l.collection_id == collection_id; }),
                  log.end());
    }
    /// Whether path is a direct object member of collection path c.
    static bool is_member(const std::string& c, const std::string& path) {
        return !is_collection_path(path) && parent_of(path) == c;
    }
    void require_unique_uid(const std::string& collection, const std::string& uid,
                            const std::string& self) {
        for (const auto& [path, e] : home_.entries) {
            if (path != self && e.index && e.index->uid == uid && is_member(collection, path)) {
                throw Error(Errc::kUidConflict, "duplicate UID in " + collection, path);
            }
        }
    }
    void fix_parents() {
        for (auto& [path, e] : home_.entries) {
            if (!e.resource.is_collection) {
                e.resource.collection_id = home_.entries.at(parent_of(path)).resource.id;
            }
        }
    }
    std::vector<store::Lock> live_locks() const {
        const auto now = std::chrono::system_clock::now();
        std::vector<store::Lock> out;
        for (const store::Lock& l : home_.locks) {
            if (l.expires > now) out.push_back(l);
        }
        return out;
    }

    MemoryShardStore& store_;
    store::UserId owner_;
    Home home_;
};

}  // namespace

// -------------------------------------------------------------- shard store

std::unique_ptr<store::Session> MemoryShardStore::open(const store::User& owner,
                                                       const store::OpenHint& /*hint*/) {
    {
        std::lock_guard lock(mutex_);
        ++opens_;
        if (fail_count_ > 0) {
            --fail_count_;
            throw Error(*fail_code_, "injected failure");
        }
    }
    return std::make_unique<MemorySession>(*this, owner.id);
}

void MemoryShardStore::ping_all() {
    std::lock_guard lock(mutex_);
    if (fail_count_ > 0 && fail_code_ == Errc::kShardUnavailable) {
        throw Error(Errc::kShardUnavailable, "injected failure");
    }
}

std::int64_t MemoryShardStore::purge_change_log(std::chrono::seconds max_age) {
    std::lock_guard lock(mutex_);
    const auto cutoff = std::chrono::system_clock::now() - max_age;
    std::int64_t deleted = 0;
    for (auto& [owner, home] : homes_) {
        // Per collection, everything up to its newest row older than the cutoff.
        std::map<std::int64_t, std::int64_t> upto;
        for (const auto& l : home.change_log) {
            if (l.at < cutoff) upto[l.collection_id] = std::max(upto[l.collection_id], l.change.revision);
        }
        auto& log = home.change_log;
        const auto before = log.size();
        log.erase(std::remove_if(log.begin(), log.end(),
                                 [&](const auto& l) {
                                     auto it = upto.find(l.collection_id);
                                     return it != upto.end() && l.change.revision <= it->second;
                                 }),
                  log.end());
        deleted += static_cast<std::int64_t>(before - log.size());
    }
    return deleted;
}

void MemoryShardStore::age_change_log(store::UserId owner, std::chrono::seconds by) {
    std::lock_guard lock(mutex_);
    for (auto& l : homes_[owner].change_log) l.at -= by;
}

void MemoryShardStore::fail_next_opens(store::Errc code, int count) {
    std::lock_guard lock(mutex_);
    fail_code_ = code;
    fail_count_ = count;
}

int MemoryShardStore::dead_property_reads() const {
    std::lock_guard lock(mutex_);
    return dead_property_reads_;
}

void MemoryShardStore::count_dead_property_read() {
    std::lock_guard lock(mutex_);
    ++dead_property_reads_;
}

int MemoryShardStore::body_reads() const {
    std::lock_guard lock(mutex_);
    return body_reads_;
}

void MemoryShardStore::count_body_read() {
    std::lock_guard lock(mutex_);
    ++body_reads_;
}

void MemoryShardStore::fail_next_confirms(int count) {
    std::lock_guard lock(mutex_);
    confirm_failures_ = count;
}

void MemoryShardStore::confirm_read() {
    std::lock_guard lock(mutex_);
    ++confirms_;
    if (confirm_failures_ > 0) {
        --confirm_failures_;
        throw Error(Errc::kMoved, "injected: the home moved during the read");
    }
}

int MemoryShardStore::confirms() const {
    std::lock_guard lock(mutex_);
    return confirms_;
}

int MemoryShardStore::opens() const {
    std::lock_guard lock(mutex_);
    return opens_;
}

MemoryShardStore::Home MemoryShardStore::snapshot(store::UserId owner) const { return load(owner); }

MemoryShardStore::Home MemoryShardStore::load(store::UserId owner) const {
    std::lock_guard lock(mutex_);
    auto it = homes_.find(owner);
    return it == homes_.end() ? Home{} : it->second;
}

void MemoryShardStore::store(store::UserId owner, Home home) {
    std::lock_guard lock(mutex_);
    homes_[owner] = std::move(home);
}

}  // namespace cosmo::test
