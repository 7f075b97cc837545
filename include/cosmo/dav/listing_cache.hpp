#pragma once
/// ListingCache: serialized member listings of collections (the responses
/// for the members of a PROPFIND Depth 1 or of a sync-collection from no
/// token, and the answers of a calendar-query: caldav query.cpp keys those
/// itself), so that polling a large calendar costs one statement instead of
/// reading and writing every member again.
///
/// A listing is cached only when its bytes are a function of the key: the
/// collection (id, path, revision), the owner, the href prefix, the form of
/// the request, and properties that every member answers from its own row
/// (ETag, type, length, dates, resource type). Every membership change and
/// every member write bumps the collection's revision (RFC 6578), so a key
/// never names two different listings; an app server next to this one that
/// changed the collection changed the revision too. Listings of members
/// with dead properties asked, or with member collections, are not cached.
///
/// Thread-safe; least recently used listings go first past max_bytes.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cosmo/store/types.hpp"
#include "cosmo/xml/qname.hpp"
#include "cosmo/xml/writer.hpp"

namespace cosmo::dav {

struct PropRequest;

class ListingCache {
public:
    explicit ListingCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    /// The key of a listing, or nullopt when the request asks for something
    /// a member's row does not decide (then nothing is cached). `form`
    /// names the report ("propfind", "sync") and its options.
    static std::optional<std::string> key(std::string_view form, std::string_view prefix,
                                          std::string_view owner,
                                          const store::Resource& collection,
                                          const PropRequest& request);

    /// Whether a live property's value for an object comes from its row
    /// alone (ETag, type, length, dates, resource type).
    static bool row_property(const xml::QName& name);

    /// Writes the listing stored under key into w; on a miss, has
    /// write_members write it (into a fragment writer: no declaration, the
    /// document's prefixes), copies it into w and keeps it when
    /// write_members returned true (a listing it may keep).
    void write_through(const std::string& key, xml::Writer& w,
                       const std::function<bool(xml::Writer& part)>& write_members);

    /// The listing stored under key, if any.
    std::shared_ptr<const std::string> find(const std::string& key);
    /// Stores a listing (larger than max_bytes: not kept).
    void store(const std::string& key, std::string listing);

    /// Bytes held (tests, metrics).
    std::size_t bytes();

    /// What the cache holds and how find() went since it was made
    /// (/metrics).
    struct Stats {
        std::size_t bytes = 0;
        std::size_t max_bytes = 0;
        std::uint64_t hits = 0;
        std::uint64_t misses = 0;
    };
    Stats stats();

private:
    using Entry = std::pair<std::string, std::shared_ptr<const std::string>>;
    std::size_t max_bytes_;
    std::mutex mutex_;
    std::size_t bytes_ = 0;
    Stats counts_;  ///< the lookups of stats()
    std::list<Entry> lru_;  ///< most recently used first
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace cosmo::dav
