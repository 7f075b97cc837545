#include "cosmo/dav/object_cache.hpp"

#include <unordered_set>

namespace cosmo::dav {

namespace {

/// What an object holds in memory, roughly: its strings and the map node,
/// shared pointer and string headers around them.
std::size_t size_of(const store::StoredObject& o) {
    constexpr std::size_t kOverhead = 256;
    return kOverhead + o.body.size() + 2 * o.resource.path.size() + o.resource.etag.size() +
           o.resource.content_type.size();
}

}  // namespace

ObjectCache::Version ObjectCache::version_of(const store::User& owner,
                                             const store::Resource& collection) {
    Version v;
    v.key = std::to_string(owner.id) + "/" + std::to_string(owner.shard_id) + "/" +
            std::to_string(owner.epoch) + "/" + std::to_string(collection.id);
    v.revision = collection.revision;
    return v;
}

void ObjectCache::clear(Slot& slot) {
    bytes_ -= slot.bytes;
    slot.bytes = 0;
    slot.objects.clear();
}

ObjectCache::Slot* ObjectCache::slot_at(const Version& v, bool create) {
    auto it = slots_.find(v.key);
    if (it == slots_.end()) {
        if (!create) return nullptr;
        lru_.push_front(v.key);
        it = slots_.emplace(v.key, Slot{}).first;
        it->second.revision = v.revision;
        it->second.lru = lru_.begin();
        return &it->second;
    }
    Slot& slot = it->second;
    lru_.splice(lru_.begin(), lru_, slot.lru);
    if (v.revision > slot.revision) {
        clear(slot);
        slot.revision = v.revision;
    }
    return v.revision == slot.revision ? &slot : nullptr;
}

std::vector<store::StoredObject> ObjectCache::find(const Version& v,
                                                   const std::vector<std::string>& paths,
                                                   std::vector<std::string>& missing) {
    std::vector<Shared> hits;
    {
        std::lock_guard lock(mutex_);
        const Slot* slot = slot_at(v, false);
        for (const std::string& p : paths) {
            if (slot) {
                if (const auto it = slot->objects.find(p); it != slot->objects.end()) {
                    hits.push_back(it->second);
                    continue;
                }
            }
            missing.push_back(p);
        }
    }
    // Copied outside the lock: the shared objects never change.
    std::vector<store::StoredObject> out;
    out.reserve(hits.size());
    std::unordered_set<const store::StoredObject*> copied;
    for (const Shared& h : hits) {
        if (copied.insert(h.get()).second) out.push_back(*h);
    }
    return out;
}

void ObjectCache::evict_others(const std::string& keep, std::size_t room) {
    // The slot being filled was just made most recent: it is lru_.front().
    for (auto it = std::prev(lru_.end()); bytes_ + room > max_bytes_ && it != lru_.begin();) {
        const auto victim = it--;
        if (*victim == keep) continue;
        const auto s = slots_.find(*victim);
        clear(s->second);
        slots_.erase(s);
        lru_.erase(victim);
    }
}

void ObjectCache::store(const Version& v, const std::vector<const store::StoredObject*>& objects) {
    if (objects.empty()) return;
    std::vector<std::pair<Shared, std::size_t>> copies;  // made outside the lock
    copies.reserve(objects.size());
    for (const store::StoredObject* o : objects) {
        copies.emplace_back(std::make_shared<const store::StoredObject>(*o), size_of(*o));
    }
    std::lock_guard lock(mutex_);
    Slot* slot = slot_at(v, true);
    if (!slot) return;
    for (auto& [object, size] : copies) {
        if (slot->objects.contains(object->resource.path)) continue;
        if (bytes_ + size > max_bytes_) {
            evict_others(v.key, size);
            if (bytes_ + size > max_bytes_) break;  // this collection alone fills the cache
        }
        std::string path = object->resource.path;
        slot->objects.emplace(std::move(path), std::move(object));
        slot->bytes += size;
        bytes_ += size;
    }
}

std::size_t ObjectCache::bytes() {
    std::lock_guard lock(mutex_);
    return bytes_;
}

}  // namespace cosmo::dav
