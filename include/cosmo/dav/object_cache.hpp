#pragma once
/// ObjectCache: stored objects (row and body) of collections at a known
/// revision, so that a calendar-multiget (and the other reports that read
/// bodies by name) of an unchanged calendar costs no read of its own.
///
/// Why it is safe on stateless app servers: every write to a member bumps
/// its collection's revision in the same statement (RFC 6578), and every
/// request reads the revision of its target collection in its first
/// statement, which also confirms that the home still lives on this shard.
/// The cache keeps, per collection, the revision its objects were read at
/// and nothing else: a request that sees a newer revision drops them all.
/// An object read after the revision was seen may be newer than that
/// revision; that is harmless, since the write that made it newer bumped
/// the revision too and the next request drops it.
///
/// Keys name the owner's placement (shard and epoch, store::User) and the
/// collection's id, so a home that moved, or a collection made anew, never
/// meets objects of its predecessor.
///
/// Once a response is kept for an object (store_answer), the entry keeps
/// the response instead of the object: a response holds the body too, and
/// the object is read again only by a request of another form.
///
/// Thread-safe; least recently used entries go first past max_bytes.

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cosmo/store/types.hpp"

namespace cosmo::dav {

class ObjectCache {
public:
    explicit ObjectCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    /// A collection as one request saw it.
    struct Version {
        std::string key;             ///< owner id, shard, epoch, collection id
        std::int64_t revision = 0;   ///< the collection's revision then
    };
    static Version version_of(const store::User& owner, const store::Resource& collection);

    /// The cached objects among paths at v (each found path once, in the
    /// order of paths); the others are appended to missing. A newer revision
    /// than the one cached drops the collection's objects first.
    std::vector<store::StoredObject> find(const Version& v, const std::vector<std::string>& paths,
                                          std::vector<std::string>& missing);

    /// Keeps copies of objects read from the collection after v was seen,
    /// unless the cache already holds a newer revision of it (then they may
    /// be older than what it holds and are not kept).
    void store(const Version& v, const std::vector<const store::StoredObject*>& objects);

    /// The multistatus responses kept for paths in `form` at v (nullptr
    /// where none): a response's bytes are a function of the object and of
    /// the form (the request's properties, prefix and owner; see
    /// caldav multiget.cpp), so an object held at v answers the same way
    /// every time.
    std::vector<std::shared_ptr<const std::string>> find_answers(
        const Version& v, const std::shared_ptr<const std::string>& form,
        const std::vector<std::string>& paths);

    /// Keeps the response written in form for the object at path (a member
    /// of v's collection) with the given ETag, read after v was seen, in place of the object if one is
    /// kept (an entry holding another ETag stays as it is). One form per
    /// object.
    void store_answer(const Version& v, const std::shared_ptr<const std::string>& form,
                      const std::string& path, const std::string& etag, std::string_view answer);

    /// Bytes held, by the estimate eviction uses (tests, metrics).
    std::size_t bytes();

    /// What the cache holds and how its lookups went since it was made
    /// (/metrics). Each path a request looks up ends as one of: a kept
    /// answer (find_answers), a kept object (find), or a miss (find).
    struct Stats {
        std::size_t bytes = 0;
        std::size_t max_bytes = 0;
        std::uint64_t answers = 0;
        std::uint64_t objects = 0;
        std::uint64_t misses = 0;
    };
    Stats stats();

private:
    using Shared = std::shared_ptr<const store::StoredObject>;
    struct Slot;
    /// An entry's place in the recency list: its slot and the path it is
    /// kept under (map keys do not move while they exist).
    struct Use {
        Slot* slot;
        const std::string* path;
    };
    struct Entry {
        Shared object;  ///< nullptr once an answer took its place
        std::string etag;
        std::shared_ptr<const std::string> form;    ///< of answer
        std::shared_ptr<const std::string> answer;  ///< nullptr: none kept
        std::size_t bytes = 0;
        std::list<Use>::iterator use;
    };
    struct Slot {
        const std::string* key = nullptr;  ///< its key in slots_
        std::int64_t revision = 0;
        std::unordered_map<std::string, Entry> objects;  ///< by path
    };

    /// The slot of v, made or moved to v's revision when v is newer; nullptr
    /// when the cache holds a newer revision than v (or none, unless create).
    Slot* slot_at(const Version& v, bool create);
    /// Marks an entry used just now.
    void touch(Entry& e);
    void drop(Slot& slot, const std::string& path);
    void clear(Slot& slot);
    /// The entry for path, made if absent, now counted as size bytes (room
    /// made first); nullptr when it holds another ETag or size cannot fit.
    Entry* place(Slot& slot, const std::string& path, const std::string& etag,
                 std::size_t size);
    /// Removes a slot that holds nothing (its revision need not be kept:
    /// see slot_at).
    void forget_if_empty(Slot& slot);
    /// Drops least recently used entries until room more bytes fit; slots
    /// left empty go too, except `keep`.
    void make_room(std::size_t room, const Slot* keep);

    std::size_t max_bytes_;
    std::mutex mutex_;
    std::size_t bytes_ = 0;
    Stats counts_;  ///< the lookups of stats()
    std::unordered_map<std::string, Slot> slots_;
    std::list<Use> uses_;  ///< most recently used first
};

}  // namespace cosmo::dav
