#pragma once
/// The data path: ShardStore -> Session (one transaction on the owner's
/// shard) -> resources in that owner's home.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cosmo/store/types.hpp"

namespace cosmo::store {

/// One transaction on one shard, scoped to one owner's home. Not
/// thread-safe; used by one request at a time. Blocking.
/// Every write method leaves the transaction open; nothing is visible to
/// others until commit(). Destroying an uncommitted session rolls back.
class Session {
public:
    virtual ~Session() = default;

    /// Makes the home collection ("") and, for a new user, any defaults.
    /// Idempotent.
    virtual void ensure_home() = 0;

    /// The resource at a relative path, if any. For a collection the path
    /// must end in '/' (or be ""); for an object it must not. Callers that
    /// do not know which try both forms.
    virtual std::optional<Resource> stat(const std::string& path) = 0;

    /// Direct members of a collection (collections and objects).
    virtual std::vector<Resource> children(const Resource& collection) = 0;

    /// Object body bytes, exactly as stored.
    virtual std::string read_body(const Resource& object) = 0;

    /// Creates or replaces the object at path (its parent collection must
    /// exist, else Error{kConflict}). Bumps the parent's revision, writes the
    /// change log, computes a new strong ETag from the bytes. Returns the
    /// stored resource; *created is set when it did not exist. `index` sets
    /// the calendar query columns (none: they are cleared); another object
    /// of the collection with the same UID gives Error{kUidConflict} whose
    /// path() names it (checked under the collection lock).
    /// With `condition`, the write happens only if the object is still as
    /// the condition says (checked under the collection lock), else
    /// Error{kChanged} and nothing is written.
    virtual Resource put_object(const std::string& path, const std::string& content_type,
                                const std::string& body, bool* created,
                                const std::optional<CalendarIndex>& index = std::nullopt,
                                const std::optional<WriteCondition>& condition = std::nullopt) = 0;

    /// put_object() and then commit(), for a request whose one write this
    /// is (a PUT): a store may do both in one step (the PostgreSQL store
    /// sends one statement instead of five round trips). Same contract and
    /// errors as put_object(); on an error nothing is written or committed.
    virtual Resource put_object_and_commit(
        const std::string& path, const std::string& content_type, const std::string& body,
        bool* created, const std::optional<CalendarIndex>& index = std::nullopt,
        const std::optional<WriteCondition>& condition = std::nullopt) {
        Resource stored = put_object(path, content_type, body, created, index, condition);
        commit();
        return stored;
    }

    // Calendar queries (CalDAV). Listing a collection's objects with their
    // ETags and no bodies is children().

    /// The path of the object of collection whose index carries uid, if any.
    virtual std::optional<std::string> find_by_uid(const Resource& collection,
                                                   const std::string& uid) = 0;
    /// The objects at the given object paths (any collections of the home),
    /// with bodies, in one round trip; missing paths are left out. Order
    /// follows the paths.
    virtual std::vector<StoredObject> read_objects(const std::vector<std::string>& paths) = 0;
    /// As read_objects() without the bodies: for listings that need only
    /// ETags and metadata (sync-collection without calendar-data).
    virtual std::vector<Resource> stat_objects(const std::vector<std::string>& paths) {
        std::vector<Resource> out;
        for (StoredObject& o : read_objects(paths)) out.push_back(std::move(o.resource));
        return out;
    }
    /// Objects of collection, with bodies, whose index overlaps [start, end]
    /// (seconds; kMinSeconds / kMaxSeconds for open ends) and whose component
    /// is `component` ("" = any). Objects without an index are included, so
    /// the caller's exact filter decides. Ordered by name.
    virtual std::vector<StoredObject> objects_in_range(const Resource& collection,
                                                       const std::string& component,
                                                       std::int64_t start, std::int64_t end) = 0;
    /// The same candidates without their bodies, with their index columns.
    virtual std::vector<RangeCandidate> resources_in_range(const Resource& collection,
                                                           const std::string& component,
                                                           std::int64_t start,
                                                           std::int64_t end) = 0;

    // Sync (RFC 6578).

    /// Members of collection changed after revision `since`: each name once
    /// with its latest change, ordered by revision, at most limit entries
    /// (the lowest revisions). Only meaningful when since + 1 >=
    /// oldest_change() (else changes have been purged).
    virtual std::vector<Change> changes_since(const Resource& collection, std::int64_t since,
                                              std::size_t limit) = 0;
    /// The lowest revision still in collection's change log; nullopt when the
    /// log is empty (never written, or wholly purged).
    virtual std::optional<std::int64_t> oldest_change(const Resource& collection) = 0;

    /// Makes a collection at path (ends in '/'); parent must exist
    /// (kConflict) and path must be free (kAlreadyExists).
    virtual Resource make_collection(const std::string& path, CollectionKind kind) = 0;

    /// Removes a resource; a collection with everything below it. With
    /// `condition` (objects only), only if the object still has the judged
    /// ETag under the collection lock, else Error{kChanged}.
    virtual void remove(const Resource& resource,
                        const std::optional<WriteCondition>& condition = std::nullopt) = 0;

    /// What a DELETE does, then commit(): remove() and remove_locks_within()
    /// of the resource, for a request whose one write this is. A store may
    /// do it in one step (the PostgreSQL store, for an object: one statement
    /// instead of six round trips). Same errors as remove(); on an error
    /// nothing is removed or committed.
    virtual void remove_and_commit(const Resource& resource,
                                   const std::optional<WriteCondition>& condition = std::nullopt) {
        remove(resource, condition);
        remove_locks_within(resource.path);
        commit();
    }

    /// Copies src to dst_path (a free path; the caller deletes an existing
    /// destination first). For collections, depth_infinity copies members
    /// recursively, otherwise only the collection and its dead properties.
    /// Dead properties are copied. Returns the new resource.
    virtual Resource copy(const Resource& src, const std::string& dst_path,
                          bool depth_infinity) = 0;
    /// Moves src to the free dst_path with everything below it; dead
    /// properties move along.
    virtual Resource move(const Resource& src, const std::string& dst_path) = 0;

    // Dead properties of a resource.
    virtual std::vector<DeadProperty> dead_properties(const Resource& resource) = 0;
    /// Dead properties of several resources, in one round trip where the
    /// store can (PROPFIND Depth 1 without an N+1 pattern): element i holds
    /// dead_properties(*resources[i]).
    virtual std::vector<std::vector<DeadProperty>> dead_properties_of(
        const std::vector<const Resource*>& resources) {
        std::vector<std::vector<DeadProperty>> out;
        out.reserve(resources.size());
        for (const Resource* r : resources) out.push_back(dead_properties(*r));
        return out;
    }
    virtual std::optional<DeadProperty> dead_property(const Resource& resource,
                                                      const std::string& ns,
                                                      const std::string& name) = 0;
    virtual void set_dead_property(const Resource& resource, const DeadProperty& prop) = 0;
    virtual void remove_dead_property(const Resource& resource, const std::string& ns,
                                      const std::string& name) = 0;

    // Locks. Paths as in Resource::path. Expired locks are never returned.
    /// Locks whose scope covers path: root == path, or a depth-infinity lock
    /// on an ancestor collection of path.
    virtual std::vector<Lock> locks_covering(const std::string& path) = 0;
    /// Locks rooted at path or anywhere below it (for the descendants check
    /// of LOCK, and for DELETE/MOVE of a collection).
    virtual std::vector<Lock> locks_within(const std::string& path) = 0;
    virtual std::optional<Lock> find_lock(const std::string& token) = 0;
    virtual void create_lock(const Lock& lock) = 0;
    virtual void refresh_lock(const std::string& token, std::int64_t timeout_seconds) = 0;
    virtual void remove_lock(const std::string& token) = 0;
    /// Removes every lock rooted at path or below (after DELETE/MOVE).
    virtual void remove_locks_within(const std::string& path) = 0;

    /// Total bytes of object bodies in the home (quota-used-bytes).
    virtual std::int64_t used_bytes() = 0;

    virtual void commit() = 0;

    /// Called once the request's answer is made from what the session read:
    /// throws Error(kMoved) when the home may have moved away (and its rows
    /// been deleted here) after the session's first statement, so that
    /// reads spread over several statements are never answered from a
    /// half-deleted home (the dispatcher then runs the request again at
    /// the home's new place). Stores whose homes never move do nothing.
    virtual void confirm_reads() {}
};

/// What a session's first statement may read ahead, so that the reads a
/// request makes next cost no round trip of their own.
struct OpenHint {
    /// What the request is about (a session path, "" for none): stat() of
    /// it, of its parent and of the name with a slash come with it.
    std::string first_path;
    /// A write to first_path (an object): also whether the home has any
    /// lock and the parent's dead properties, which PUT reads before it
    /// writes (lock checks; a calendar's components and time zone).
    bool writing = false;
    /// A PUT whose request says what the object must be: absent (no
    /// precondition, or If-None-Match: *) or present with `etag` (If-Match
    /// with that one ETag). The store may then skip the first read: it
    /// answers the session's reads of the home, the parent, the name with a
    /// slash, the parent's dead properties and the home's locks from an
    /// earlier write into that parent, and stat() of first_path as guessed.
    /// The write checks all of it in its own statement; when a part no longer
    /// holds, or the request reads anything else first, the session throws
    /// Error{kRetryable} with nothing written, and the caller runs the
    /// request again without a guess.
    struct ObjectGuess {
        std::optional<std::string> etag;  ///< nullopt: absent
    };
    std::optional<ObjectGuess> guess;
    /// The request lists the home's members next (a PROPFIND with Depth 1
    /// on the home, which is Apple Calendar's poll): the home's child
    /// collections, with their dead properties, come with the first
    /// statement, so the listing costs no round trip of its own. Only
    /// when first_path is "" (the home).
    bool list_home = false;
};

/// What one shard's connections and statement groups hold now and did
/// since this process first routed a request there (the admin port's
/// /metrics).
struct ShardStats {
    std::string shard;  ///< its name in the directory
    std::size_t connections_open = 0;  ///< idle, leased or being opened
    std::size_t connections_idle = 0;
    std::uint64_t connections_opened = 0;
    std::uint64_t connections_dropped = 0;  ///< broken, or of unknown state
    std::uint64_t acquire_waits = 0;     ///< found no connection free and waited
    std::uint64_t acquire_timeouts = 0;  ///< gave up waiting
    std::uint64_t acquire_refused = 0;   ///< the database was unreachable
    /// One kind of statement that many requests share (docs/architecture.md).
    struct Groups {
        std::string statement;  ///< "put", "open_home", "open_collection", "open_object"
        std::uint64_t statements = 0;   ///< ran for a group of one or more (PUTs: committed)
        std::uint64_t requests = 0;     ///< the requests those statements carried
        std::uint64_t rolled_back = 0;  ///< groups whose members then ran alone
        std::uint64_t failed = 0;       ///< groups whose error every member got
        std::size_t queued = 0;         ///< requests waiting for a group now
    };
    std::vector<Groups> groups;
};

/// Routes to the shard of a user and opens sessions there. Thread-safe.
class ShardStore {
public:
    virtual ~ShardStore() = default;
    /// Opens a session on owner's shard. Throws Error{kShardUnavailable}
    /// when the shard cannot be reached within the configured timeout.
    /// The hint says what the session may read with its first statement.
    virtual std::unique_ptr<Session> open(const User& owner, const OpenHint& hint) = 0;
    /// A session about first_path (a read).
    std::unique_ptr<Session> open(const User& owner, const std::string& first_path) {
        return open(owner, OpenHint{first_path, false, std::nullopt});
    }
    /// A session without a first path.
    std::unique_ptr<Session> open(const User& owner) { return open(owner, OpenHint{}); }
    /// Throws Error{kShardUnavailable} when any shard is unreachable.
    virtual void ping_all() = 0;
    /// Change-log retention (RFC 6578, CLIENTS.md §1.2): on every shard,
    /// deletes change_log rows older than max_age, per collection and always
    /// a prefix of its revisions (so the rest stays a contiguous delta).
    /// Never by a global count. Returns the number of rows deleted.
    virtual std::int64_t purge_change_log(std::chrono::seconds max_age) = 0;
    /// The shards this process has sent requests to, by name.
    virtual std::vector<ShardStats> stats() const { return {}; }
};

}  // namespace cosmo::store
