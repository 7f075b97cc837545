#include "cosmo/dav/object_cache.hpp"

#include <unordered_set>

namespace cosmo::dav {

namespace {

/// What an entry holds in memory, roughly, besides its object or answer:
/// the map node, the recency list node, shared pointers and string headers.
constexpr std::size_t kEntryOverhead = 256;

std::size_t size_of(const store::StoredObject& o) {
    return o.body.size() + 2 * o.resource.path.size() + 2 * o.resource.etag.size() +
           o.resource.content_type.size() + sizeof(store::StoredObject);
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

void ObjectCache::touch(Entry& e) { uses_.splice(uses_.begin(), uses_, e.use); }

void ObjectCache::drop(Slot& slot, const std::string& path) {
    const auto it = slot.objects.find(path);
    if (it == slot.objects.end()) return;
    bytes_ -= it->second.bytes;
    uses_.erase(it->second.use);
    slot.objects.erase(it);
}

void ObjectCache::clear(Slot& slot) {
    for (auto& [path, e] : slot.objects) {
        bytes_ -= e.bytes;
        uses_.erase(e.use);
    }
    slot.objects.clear();
}

void ObjectCache::make_room(std::size_t room, const Slot* keep) {
    while (bytes_ + room > max_bytes_ && !uses_.empty()) {
        const Use last = uses_.back();
        drop(*last.slot, std::string(*last.path));  // the key dies with the entry
        if (last.slot->objects.empty() && last.slot != keep) {
            slots_.erase(std::string(*last.slot->key));
        }
    }
}

ObjectCache::Slot* ObjectCache::slot_at(const Version& v, bool create) {
    auto it = slots_.find(v.key);
    if (it == slots_.end()) {
        if (!create) return nullptr;
        it = slots_.emplace(v.key, Slot{}).first;
        it->second.key = &it->first;
        it->second.revision = v.revision;
        return &it->second;
    }
    Slot& slot = it->second;
    if (v.revision > slot.revision) {
        // The collection changed: nothing held is current. The slot goes
        // too unless it is filled now (a request that saw an older revision
        // may make it again; what it keeps is never older than that
        // revision, and the next request that sees this one drops it).
        clear(slot);
        if (!create) {
            slots_.erase(it);
            return nullptr;
        }
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
        Slot* slot = slot_at(v, false);
        for (const std::string& p : paths) {
            if (slot) {
                const auto it = slot->objects.find(p);
                if (it != slot->objects.end() && it->second.object) {
                    touch(it->second);
                    hits.push_back(it->second.object);
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

void ObjectCache::store(const Version& v, const std::vector<const store::StoredObject*>& objects) {
    if (objects.empty()) return;
    std::vector<std::pair<Shared, std::size_t>> copies;  // made outside the lock
    copies.reserve(objects.size());
    for (const store::StoredObject* o : objects) {
        copies.emplace_back(std::make_shared<const store::StoredObject>(*o),
                            kEntryOverhead + size_of(*o));
    }
    std::lock_guard lock(mutex_);
    Slot* slot = slot_at(v, true);
    if (!slot) return;
    for (auto& [object, size] : copies) {
        const auto it = slot->objects.find(object->resource.path);
        if (it != slot->objects.end()) {
            // Held already; an entry that kept only an answer takes the
            // object back when it is the same (a request of another form).
            Entry& e = it->second;
            if (e.object || e.etag != object->resource.etag) continue;
            const std::size_t more = size - kEntryOverhead;
            make_room(more, slot);
            if (bytes_ + more > max_bytes_ || !slot->objects.contains(object->resource.path)) {
                continue;
            }
            e.object = std::move(object);
            e.bytes += more;
            bytes_ += more;
            touch(e);
            continue;
        }
        make_room(size, slot);
        if (bytes_ + size > max_bytes_) break;  // larger than the whole cache
        const std::string path = object->resource.path;
        Entry e;
        e.etag = object->resource.etag;
        e.object = std::move(object);
        e.bytes = size;
        const auto placed = slot->objects.emplace(path, std::move(e)).first;
        uses_.push_front(Use{slot, &placed->first});
        placed->second.use = uses_.begin();
        bytes_ += size;
    }
    if (slot->objects.empty()) slots_.erase(std::string(*slot->key));
}

std::vector<std::shared_ptr<const std::string>> ObjectCache::find_answers(
    const Version& v, const std::shared_ptr<const std::string>& form,
    const std::vector<std::string>& paths) {
    std::vector<std::shared_ptr<const std::string>> out(paths.size());
    std::lock_guard lock(mutex_);
    Slot* slot = slot_at(v, false);
    if (!slot) return out;
    for (std::size_t i = 0; i < paths.size(); ++i) {
        const auto it = slot->objects.find(paths[i]);
        if (it == slot->objects.end() || !it->second.answer) continue;
        Entry& e = it->second;
        if (e.form != form && *e.form != *form) continue;
        touch(e);
        out[i] = e.answer;
    }
    return out;
}

void ObjectCache::store_answer(const Version& v, const std::shared_ptr<const std::string>& form,
                               const std::string& path, const std::string& etag,
                               std::string_view answer) {
    auto kept = std::make_shared<const std::string>(answer);  // made outside the lock
    std::lock_guard lock(mutex_);
    Slot* slot = slot_at(v, false);
    if (!slot) return;
    auto it = slot->objects.find(path);
    if (it == slot->objects.end() || it->second.etag != etag) return;
    // The answer takes the object's place: what the entry holds becomes
    // the answer and the overhead.
    Entry& e = it->second;
    const std::size_t size = kEntryOverhead + kept->size();
    if (size > e.bytes) {
        make_room(size - e.bytes, slot);
        it = slot->objects.find(path);  // room may have been made from this entry
        if (it == slot->objects.end() || bytes_ + size - it->second.bytes > max_bytes_) return;
    }
    Entry& held = it->second;
    bytes_ = bytes_ - held.bytes + size;
    held.bytes = size;
    held.object.reset();
    held.form = form;
    held.answer = std::move(kept);
    touch(held);
}

std::size_t ObjectCache::bytes() {
    std::lock_guard lock(mutex_);
    return bytes_;
}

}  // namespace cosmo::dav
