#pragma once
/// PgSession: one unit of work on one shard, scoped to one owner's home:
/// autocommit reads, then one transaction from the first write to commit().

#include <map>
#include <memory>
#include <optional>
#include <pqxx/pqxx>

#include "cosmo/store/shard_store.hpp"
#include "errors.hpp"
#include "guessed_put.hpp"
#include "session_opens.hpp"
#include "pool.hpp"
#include "watchdog.hpp"
#include "write_contexts.hpp"

namespace cosmo::store_pg::detail {

/// Hex SHA-256 of body, truncated to 32 characters: the strong ETag.
std::string etag_of(const std::string& body);

/// What the sessions of one shard share (PgShardStore keeps one per shard
/// route); a null member shares nothing of its kind.
struct ShardShared {
    /// Where write-ahead opens remember their parent.
    std::shared_ptr<WriteContexts> contexts;
    /// Where guessed PUTs are committed in groups (else each alone).
    std::shared_ptr<PutGroups> put_groups;
    /// Where read sessions send their first statement in groups (else
    /// each alone).
    std::shared_ptr<OpenGroups> open_groups;
};

/// Implements store::Session; see shard_store.hpp for each method's contract.
class PgSession final : public store::Session {
public:
    /// Begins the transaction on a leased connection and checks the owner's
    /// placement on this shard (home_placement against owner.epoch):
    /// Error{kMoved} when the home is not here (a stale route). read_only
    /// makes every write throw Error{kReadOnly} (shard state "readonly").
    /// hint: what the first statement reads too (see ShardStore::open).
    /// shared.contexts: the shard's WriteContexts. A write-ahead open
    /// remembers its parent there, and a PUT with hint.guess into a
    /// remembered parent sends no first statement at all (a guessed
    /// session, see guess_). Any other session but a write-ahead one sends
    /// its first statement through shared.open_groups.
    PgSession(Pool::Lease lease, const store::User& owner, bool read_only,
              const store::OpenHint& hint = {}, ShardShared shared = {});
    ~PgSession() override;

    void ensure_home() override;
    std::optional<store::Resource> stat(const std::string& path) override;
    std::vector<store::Resource> children(const store::Resource& collection) override;
    std::string read_body(const store::Resource& object) override;
    store::Resource put_object(
        const std::string& path, const std::string& content_type, const std::string& body,
        bool* created, const std::optional<store::CalendarIndex>& index = std::nullopt,
        const std::optional<store::WriteCondition>& condition = std::nullopt) override;
    /// One statement (cosmo_put_object, schema/shard/005) in autocommit
    /// when the session has not written yet; else put_object() + commit().
    store::Resource put_object_and_commit(
        const std::string& path, const std::string& content_type, const std::string& body,
        bool* created, const std::optional<store::CalendarIndex>& index = std::nullopt,
        const std::optional<store::WriteCondition>& condition = std::nullopt) override;
    std::optional<std::string> find_by_uid(const store::Resource& collection,
                                           const std::string& uid) override;
    std::vector<store::StoredObject> read_objects(const std::vector<std::string>& paths) override;
    std::vector<store::Resource> stat_objects(const std::vector<std::string>& paths) override;
    std::vector<store::StoredObject> objects_in_range(const store::Resource& collection,
                                                      const std::string& component,
                                                      std::int64_t start,
                                                      std::int64_t end) override;
    std::vector<store::RangeCandidate> resources_in_range(const store::Resource& collection,
                                                          const std::string& component,
                                                          std::int64_t start,
                                                          std::int64_t end) override;
    std::vector<store::Change> changes_since(const store::Resource& collection,
                                             std::int64_t since, std::size_t limit) override;
    std::optional<std::int64_t> oldest_change(const store::Resource& collection) override;
    store::Resource make_collection(const std::string& path,
                                    store::CollectionKind kind) override;
    void remove(const store::Resource& resource,
                const std::optional<store::WriteCondition>& condition = std::nullopt) override;
    /// For an object, one statement (cosmo_delete_object) in autocommit when
    /// the session has not written yet; else the three calls.
    void remove_and_commit(
        const store::Resource& resource,
        const std::optional<store::WriteCondition>& condition = std::nullopt) override;
    store::Resource copy(const store::Resource& src, const std::string& dst_path,
                         bool depth_infinity) override;
    store::Resource move(const store::Resource& src, const std::string& dst_path) override;

    std::vector<store::DeadProperty> dead_properties(const store::Resource& resource) override;
    std::vector<std::vector<store::DeadProperty>> dead_properties_of(
        const std::vector<const store::Resource*>& resources) override;
    std::optional<store::DeadProperty> dead_property(const store::Resource& resource,
                                                     const std::string& ns,
                                                     const std::string& name) override;
    void set_dead_property(const store::Resource& resource,
                           const store::DeadProperty& prop) override;
    void remove_dead_property(const store::Resource& resource, const std::string& ns,
                              const std::string& name) override;

    std::vector<store::Lock> locks_covering(const std::string& path) override;
    std::vector<store::Lock> locks_within(const std::string& path) override;
    std::optional<store::Lock> find_lock(const std::string& token) override;
    void create_lock(const store::Lock& lock) override;
    void refresh_lock(const std::string& token, std::int64_t timeout_seconds) override;
    void remove_lock(const std::string& token) override;
    void remove_locks_within(const std::string& path) override;

    std::int64_t used_bytes() override;
    void commit() override;
    void confirm_reads() override;

private:
public:
    /// The rows of read_objects / stat_objects and what puts them in the
    /// order of the requested paths.
    struct BatchRows {
        pqxx::result rows;
        std::vector<std::string> names;              ///< requested object names
        std::optional<std::string> one_collection;   ///< set: rows need reordering
        bool bodies_as_text = false;                 ///< column 8 is text, not bytea
    };

private:
    /// One round trip for the objects at `paths` (bodies or not): one index
    /// scan when they share a collection (a multiget's usual case), else a
    /// join per path.
    BatchRows batch_rows(const std::vector<std::string>& paths, bool with_bodies);
    /// The collection all `parents` name, when they name one (a multiget's
    /// usual case), for the one-collection batch reads.
    std::optional<store::Resource> single_collection_of(const std::vector<std::string>& parents);
    /// Runs f with the transaction, translating errors; a broken connection
    /// is discarded instead of going back to the pool.
    template <typename F>
    auto run(F&& f) {
        require_read();
        return guarded([&] {
            // Bounds each call even when the server stops answering.
            const WatchdogGuard deadline(lease_.conn().sock(), call_timeout_);
            try {
                flush_changes();  // statements see every change logged before them
                if (!in_transaction_) unconfirmed_reads_ = true;
                return f(*txn_);
            } catch (const pqxx::broken_connection&) {
                drop_connection(deadline.fired());
                throw;
            }
        });
    }

    /// After a broken connection: it never goes back to the pool, and a
    /// server that let a deadline pass counts as down.
    void drop_connection(bool deadline_fired) {
        lease_.discard();
        if (deadline_fired) {
            lease_.pool().mark_down();
        }
    }

    /// Rows from a statement filtered by COSMO_HOME_HERE (queries.cpp) prove
    /// the home whole for every statement so far: no confirm_reads() check.
    void home_confirmed_by(const pqxx::result& rows) {
        if (!rows.empty()) unconfirmed_reads_ = false;
    }
    /// Throws kReadOnly on a read-only shard or a home being moved, and
    /// kMoved when the home is not here. The first call locks the owner's
    /// placement row FOR SHARE until commit: a mover's UPDATE to 'moving'
    /// waits for this write, and no write commits after it (fencing).
    void check_writable();
    /// Throws kReadOnly on a read-only shard (the first half of
    /// check_writable, for the one-statement writes that fence in SQL).
    void check_shard_writable() const;
    /// True once the session has sent a write (its transaction is open or a
    /// change is waiting to be logged): a one-statement write would then
    /// commit apart from it, so it takes the general path instead.
    bool has_written() const { return in_transaction_ || !pending_changes_.empty(); }
    /// Drops what the session remembers of its reads (the home, stats, a
    /// body, dead properties, locks): a write is about to change them.
    void forget_reads();
    /// Reads home_placement (FOR SHARE when for_write) and throws kMoved or
    /// kReadOnly as above. A missing row is a home not created yet: reads
    /// see an empty home; a write creates the row with the owner's epoch.
    void check_placement(bool for_write);
    /// Throws kMoved / kReadOnly for a placement row's epoch and state.
    void verify_placement(std::int64_t epoch, const std::string& state, bool for_write) const;
    /// The collection at path, locked FOR UPDATE; nullopt when missing.
    std::optional<store::Resource> lock_collection(const std::string& path);
    /// Appends a change_log row for member name of collection_id and bumps
    /// its revision (RFC 6578: every membership change gets a revision).
    /// Deferred to the session's next statement (flush_changes), or to
    /// commit(), which sends them with COMMIT in one round trip: a PUT or
    /// DELETE saves one, and any later statement still sees the change.
    void log_change(std::int64_t collection_id, const std::string& name, bool deleted);
    /// Writes the changes log_change() deferred, in order.
    void flush_changes();
    /// Kind-agnostic "something is at path or at its other form" check:
    /// "x" and "x/" may not both exist.
    bool occupied(const std::string& path);
    std::optional<store::Resource> stat_unguarded(const std::string& path);
    store::Resource make_collection_unguarded(const std::string& path,
                                              store::CollectionKind kind);

    /// Opens the transaction (BEGIN) if the session has not written yet.
    void begin_transaction();

    Pool::Lease lease_;
    /// Statements run on their own (autocommit) until the first write, which
    /// sends BEGIN (check_writable): a read-only request (GET, PROPFIND,
    /// REPORT) costs no BEGIN/ROLLBACK round trips. Reads before the first
    /// write lose nothing: under READ COMMITTED every statement takes its
    /// own snapshot inside a transaction too, and writes lock what they
    /// depend on (placement FOR SHARE, parent collection FOR UPDATE).
    std::optional<pqxx::nontransaction> txn_;  ///< destroyed before the lease
    bool in_transaction_ = false;  ///< BEGIN sent, neither COMMIT nor ROLLBACK yet
    /// Changes logged by this transaction, written by commit() (log_change).
    struct PendingChange {
        std::int64_t collection_id;
        std::string name;
        bool deleted;
    };
    std::vector<PendingChange> pending_changes_;
    store::UserId owner_;
    std::int64_t epoch_;   ///< the owner's placement epoch as routed
    bool read_only_;
    bool fenced_ = false;  ///< placement row held FOR SHARE
    /// A statement ran after the first outside a fenced write: a move may
    /// have finished (and deleted the home here) between them, which
    /// confirm_reads() rules out. Cleared by a write that committed, since
    /// its statement checked the placement after every read before it.
    bool unconfirmed_reads_ = false;
    /// The home collection as read by the session's first statement; served
    /// to stat("") until the session writes (then stat reads again).
    std::optional<store::Resource> home_;
    bool home_fresh_ = false;
    /// The first path and what the first statement found there; served to
    /// stat(first_path_) under the same rule as home_.
    std::string first_path_;
    std::optional<store::Resource> first_;
    /// Reads repeated within one request (a PUT stats its parent, checks
    /// locks on the object and the parent, reads two calendar properties)
    /// are served from these until the session writes: nothing else in
    /// the request changes them, and under READ COMMITTED a second read
    /// could only see another request's commit, which the writes then
    /// re-check under their locks anyway.
    std::map<std::string, std::optional<store::Resource>, std::less<>> stat_cache_;
    std::map<std::string, std::vector<store::DeadProperty>, std::less<>> props_cache_;
    /// The home's members as its first statement listed them
    /// (OpenHint::list_home): served to children() of the home under the
    /// same rule as home_. Unset when not asked, or when the home holds
    /// objects (then children() reads).
    std::optional<std::vector<store::Resource>> home_listing_;
    /// Every unexpired lock of the home (usually none), read once.
    std::optional<std::vector<store::Lock>> home_locks_;
    /// The body of the object last stat'ed (if small), for read_body; cleared
    /// by any write.
    std::int64_t cached_body_id_ = 0;
    std::string cached_body_;
    std::chrono::milliseconds call_timeout_;  ///< watchdog per call (0 = none)
    /// Where write-ahead opens remember their parent (nullptr: nowhere);
    /// shared, since the shard's route may be replaced while a session runs.
    std::shared_ptr<WriteContexts> contexts_;
    /// Set when the first read was skipped (a guessed session): the parent
    /// as remembered, for the checks in the PUT's statement. home_, first_,
    /// the stat and property caches and home_locks_ then hold guesses (from
    /// contexts_ and the request's precondition). Any statement but the
    /// PUT's throws kRetryable (require_read); the PUT checks the guesses
    /// in SQL and clears this.
    std::optional<WriteContext> guess_;

    /// Where guessed PUTs on this shard are committed in groups (nullptr:
    /// each alone); shared like contexts_.
    std::shared_ptr<PutGroups> put_groups_;
    /// Where first reads of sessions on this shard are sent in groups
    /// (nullptr: each alone); shared like contexts_.
    std::shared_ptr<OpenGroups> open_groups_;

    /// The first statement of a read session (kind: what it is about, at
    /// path), in a group with other sessions' (on the leader's connection)
    /// or alone (on this one): the session columns and the kind's
    /// (session_opens.hpp). deadline is armed on this session's connection
    /// when it sends a statement itself.
    std::pair<pqxx::row, pqxx::row> open_read(SessionOpen::Kind kind, const std::string& path,
                                              bool list_home,
                                              std::optional<WatchdogGuard>& deadline);
    /// Keeps the home's listing from its first statement (JSON as
    /// COSMO_HOME_LISTING_OF makes it) in home_listing_, and each child's
    /// dead properties in props_cache_. Keeps nothing from a listing it
    /// cannot read: children() then reads the members itself.
    void take_home_listing(const pqxx::field& listing);

    /// The guessed PUT of `path` as a job for write_guessed (the guess's
    /// parent properties move into it).
    GuessedPut guessed_put_job(WriteContext guess, const std::string& path,
                               const std::string& content_type, const std::string& body,
                               const store::Resource& res,
                               const std::optional<store::CalendarIndex>& index,
                               const std::optional<store::WriteCondition>& condition) const;
    /// Writes a guessed PUT, in a group with other sessions' (put_groups_) or
    /// alone, and fills in job. Throws the store error of the write
    /// function when it is refused; kRetryable forgets the parent's write
    /// context first.
    void write_guessed(GuessedPut& job);

    /// Fills the session's read caches with a guess (see guess_).
    void take_guess(const std::string& first_path, const store::OpenHint::ObjectGuess& object,
                    WriteContext context);
    /// Throws kRetryable in a guessed session: it has not read anything and
    /// cannot answer this (nothing was written yet, so running the request
    /// again without a guess is safe).
    void require_read() const;
};

}  // namespace cosmo::store_pg::detail
