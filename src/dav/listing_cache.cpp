#include "cosmo/dav/listing_cache.hpp"

#include <algorithm>
#include <vector>

#include "cosmo/dav/call.hpp"

namespace cosmo::dav {

bool ListingCache::row_property(const xml::QName& name) {
    if (name.ns != xml::ns::kDav) return false;
    static constexpr std::string_view kNames[] = {"getetag",          "getcontenttype",
                                                  "getcontentlength", "getlastmodified",
                                                  "creationdate",     "resourcetype"};
    return std::find(std::begin(kNames), std::end(kNames), name.local) != std::end(kNames);
}

std::optional<std::string> ListingCache::key(std::string_view form, std::string_view prefix,
                                             std::string_view owner,
                                             const store::Resource& collection,
                                             const PropRequest& request) {
    if (request.kind != PropRequest::Kind::kProp || request.props.empty()) return std::nullopt;
    std::vector<std::string> names;
    for (const xml::Element& e : request.props) {
        // A property with content (calendar-data's comp/expand) or any other
        // name is not decided by the row alone.
        if (!row_property(e.name) || !e.children.empty()) return std::nullopt;
        names.push_back(e.name.local);
    }
    std::string k;
    k.append(form).append("\n").append(prefix).append("\n").append(owner).append("\n");
    k.append(std::to_string(collection.id)).append("\n").append(collection.path).append("\n");
    k.append(std::to_string(collection.revision)).append("\n");
    // Request order decides the order of properties in each response.
    for (const std::string& n : names) k.append(n).append(" ");
    return k;
}

void ListingCache::write_through(const std::string& key, xml::Writer& w,
                                 const std::function<bool(xml::Writer& part)>& write_members) {
    if (const auto hit = find(key)) {
        w.raw(*hit);
        return;
    }
    xml::Writer part = xml::Writer::fragment(64 * 1024);
    const bool keep = write_members(part);
    std::string listing = part.finish();
    w.raw(listing);
    if (keep) store(key, std::move(listing));
}

std::shared_ptr<const std::string> ListingCache::find(const std::string& key) {
    std::lock_guard lock(mutex_);
    const auto it = index_.find(key);
    if (it == index_.end()) {
        ++counts_.misses;
        return nullptr;
    }
    ++counts_.hits;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->second;
}

void ListingCache::store(const std::string& key, std::string listing) {
    const std::size_t size = key.size() + listing.size();
    if (size > max_bytes_) return;
    auto value = std::make_shared<const std::string>(std::move(listing));
    std::lock_guard lock(mutex_);
    if (index_.contains(key)) return;
    lru_.emplace_front(key, std::move(value));
    index_.emplace(key, lru_.begin());
    bytes_ += size;
    while (bytes_ > max_bytes_ && !lru_.empty()) {
        const Entry& last = lru_.back();
        bytes_ -= last.first.size() + last.second->size();
        index_.erase(last.first);
        lru_.pop_back();
    }
}

std::size_t ListingCache::bytes() {
    std::lock_guard lock(mutex_);
    return bytes_;
}

ListingCache::Stats ListingCache::stats() {
    std::lock_guard lock(mutex_);
    Stats out = counts_;
    out.bytes = bytes_;
    out.max_bytes = max_bytes_;
    return out;
}

}  // namespace cosmo::dav
