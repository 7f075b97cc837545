#pragma once
/// Value types of the storage layer. Nothing here knows about HTTP, XML or
/// iCalendar: the DAV layer translates.

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace cosmo::store {

using Timestamp = std::chrono::system_clock::time_point;
using UserId = std::int64_t;
using ShardId = std::int32_t;

/// A user as the directory knows it.
struct User {
    UserId id = 0;
    std::string name;
    std::string email;
    std::string password_hash;  ///< "scrypt$N$r$p$salt_b64$hash_b64"
    bool disabled = false;
    ShardId shard_id = 0;
    std::int64_t epoch = 0;  ///< placement epoch; bumped by a move (scale-out fencing)
    Timestamp created;
};

/// One shard database as the directory knows it.
struct Shard {
    ShardId id = 0;
    std::string name;
    std::string dsn;
    std::string state;  ///< "active" | "draining" | "readonly"
    int weight = 1;
    std::int64_t users = 0;
};

/// Kind of a collection; plain WebDAV collections are kPlain.
enum class CollectionKind { kPlain = 0, kCalendar = 1 };

/// A stored resource (collection or object) in one user's home.
/// Paths are relative to the home and never start with '/':
///   ""              the home itself (a collection)
///   "calendar/"     a collection (always ends in '/')
///   "calendar/a.ics" an object (never ends in '/')
struct Resource {
    bool is_collection = false;
    std::int64_t id = 0;             ///< collection id or object id
    std::int64_t collection_id = 0;  ///< for an object: its parent; for a collection: itself
    std::string path;
    CollectionKind kind = CollectionKind::kPlain;  ///< collections only
    std::string etag;            ///< strong, quoted form is added by DAV; objects only
    std::string content_type;    ///< objects only
    std::int64_t content_length = 0;
    std::int64_t revision = 0;   ///< collections: current sync revision
    Timestamp created;
    Timestamp modified;
};

/// A dead property: namespace, local name, and the XML of its value
/// (the inner content of the property element, as serialized XML).
struct DeadProperty {
    std::string ns;
    std::string name;
    std::string value_xml;
};

/// A WebDAV lock (RFC 4918 §6). Root is the path the LOCK was sent to;
/// it may name an unmapped resource.
struct Lock {
    std::string token;       ///< "urn:uuid:..." (without angle brackets)
    std::string root;        ///< relative path, as Resource::path
    bool exclusive = true;
    bool depth_infinity = false;
    std::string owner_xml;   ///< the DAV:owner element's inner XML, as sent
    std::string principal;   ///< user name of the lock creator
    std::int64_t timeout_seconds = 0;  ///< 0 = infinite
    Timestamp expires;       ///< time_point::max() when infinite
};

/// Open ends of CalendarIndex bounds ("-infinity" / "infinity" in SQL).
inline constexpr std::int64_t kMinSeconds = std::numeric_limits<std::int64_t>::min();
inline constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max();

/// The query columns of a calendar object resource (DESIGN.md, storage
/// principles), derived by CalDAV from the bytes it stores. Times are
/// seconds since the epoch (UTC); kMinSeconds / kMaxSeconds are open ends.
/// [first_start, last_end] covers every instance, so an object overlaps a
/// range [s, e] only if first_start <= e && last_end >= s (a prefilter; the
/// exact test runs in CalDAV after it).
struct CalendarIndex {
    std::string uid;        ///< unique per collection (RFC 4791 §5.3.2 no-uid-conflict)
    std::string component;  ///< "VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"
    std::int64_t first_start = kMinSeconds;
    std::int64_t last_end = kMaxSeconds;  ///< kMaxSeconds for unbounded recurrences
    bool recurring = false;

    bool operator==(const CalendarIndex&) const = default;
};

/// The state a conditional write (If-Match, If-None-Match, If) was judged
/// on: the object's ETag then, or none when it did not exist. The store
/// writes only if the object is still so under the collection's write lock,
/// else Error{kChanged}: two If-Match PUTs with the same ETag cannot both win.
struct WriteCondition {
    std::optional<std::string> etag;  ///< unquoted; nullopt: the object did not exist

    bool operator==(const WriteCondition&) const = default;
};

/// An object together with its body (multiget, query candidates).
struct StoredObject {
    Resource resource;
    std::string body;
};

/// A time-range candidate without its body, with the index it was found by
/// (uid left empty): nullopt for an object without one, which every range
/// includes. A caller may decide some candidates from the index alone.
struct RangeCandidate {
    Resource resource;
    std::optional<CalendarIndex> index;
};

/// One member of a collection changed after a revision (RFC 6578): its
/// latest change only, with the revision of that change.
struct Change {
    std::string name;      ///< member name: "a.ics", or "sub/" for a child collection
    bool deleted = false;  ///< the member is gone (a tombstone)
    std::int64_t revision = 0;

    bool operator==(const Change&) const = default;
};

}  // namespace cosmo::store
