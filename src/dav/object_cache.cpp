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
                    ++counts_.objects;
                    continue;
                }
            }
            missing.push_back(p);
            ++counts_.misses;
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

ObjectCache::Entry* ObjectCache::place(Slot& slot, const std::string& path,
                                       const std::string& etag, std::size_t size) {
    auto it = slot.objects.find(path);
    if (it != slot.objects.end() && it->second.etag != etag) return nullptr;
    const std::size_t held = it == slot.objects.end() ? 0 : it->second.bytes;
    if (size > held) {
        make_room(size - held, &slot);
        it = slot.objects.find(path);  // room may have been made from this entry
        const std::size_t left = it == slot.objects.end() ? 0 : it->second.bytes;
        if (bytes_ - left + size > max_bytes_) return nullptr;  // larger than the cache
    }
    if (it == slot.objects.end()) {
        it = slot.objects.emplace(path, Entry{}).first;
        it->second.etag = etag;
        uses_.push_front(Use{&slot, &it->first});
        it->second.use = uses_.begin();
    } else {
        touch(it->second);
    }
    bytes_ = bytes_ - it->second.bytes + size;
    it->second.bytes = size;
    return &it->second;
}

void ObjectCache::forget_if_empty(Slot& slot) {
    if (slot.objects.empty()) slots_.erase(std::string(*slot.key));
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
        const store::Resource& r = object->resource;
        const auto it = slot->objects.find(r.path);
        if (it != slot->objects.end() && it->second.object) continue;  // held already
        // An entry that kept only an answer takes the object back beside it
        // (a request of another form needed it).
        const std::size_t total =
            it == slot->objects.end() ? size : it->second.bytes + size - kEntryOverhead;
        if (Entry* e = place(*slot, r.path, r.etag, total)) e->object = std::move(object);
    }
    forget_if_empty(*slot);
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
        ++counts_.answers;
    }
    return out;
}

void ObjectCache::store_answer(const Version& v, const std::shared_ptr<const std::string>& form,
                               const std::string& path, const std::string& etag,
                               std::string_view answer) {
    auto kept = std::make_shared<const std::string>(answer);  // made outside the lock
    const std::size_t size = kEntryOverhead + kept->size() + 2 * path.size() + etag.size();
    std::lock_guard lock(mutex_);
    Slot* slot = slot_at(v, true);
    if (!slot) return;
    // The answer takes the place of the object, if one was kept.
    if (Entry* e = place(*slot, path, etag, size)) {
        e->object.reset();
        e->form = form;
        e->answer = std::move(kept);
    }
    forget_if_empty(*slot);
}

std::size_t ObjectCache::bytes() {
    std::lock_guard lock(mutex_);
    return bytes_;
}

ObjectCache::Stats ObjectCache::stats() {
    std::lock_guard lock(mutex_);
    Stats out = counts_;
    out.bytes = bytes_;
    out.max_bytes = max_bytes_;
    return out;
}

}  // namespace cosmo::dav
