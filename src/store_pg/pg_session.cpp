// PgSession: homes, collections and objects (shard_store.hpp). Every write
// locks the parent collection row, bumps its revision and appends to its
// change log (RFC 6578 §3), all in the session's one transaction.

#include "pg_session.hpp"

#include <string_view>
#include <tuple>
#include <utility>

#include "cosmo/core/digest.hpp"
#include "cosmo/store/error.hpp"
#include "home_listing.hpp"
#include "paths.hpp"
#include "queries.hpp"
#include "rows.hpp"

namespace cosmo::store_pg::detail {

using store::CollectionKind;
using store::Errc;
using store::Error;
using store::Resource;

std::string etag_of(const std::string& body) {
    const core::Sha256::Digest digest = core::Sha256::of(body);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(32);
    for (std::size_t i = 0; i < 16; ++i) {  // 128 bits: 32 hex chars
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 0xf];
    }
    return out;
}

namespace {

/// Throws kConflict unless path names an object (not a collection).
void check_object_path(const std::string& path) {
    if (path.empty() || is_collection_path(path) || !is_valid_path(path)) {
        throw Error(Errc::kConflict, "not an object path: " + path);
    }
}

/// The strings of a one-dimensional text array (NULL: none).
std::vector<std::string> strings_of(const pqxx::field& array) {
    std::vector<std::string> out;
    if (array.is_null()) {
        return out;
    }
    auto parser = array.as_array();
    for (;;) {
        auto [what, value] = parser.get_next();
        if (what == pqxx::array_parser::done) {
            return out;
        }
        if (what == pqxx::array_parser::string_value) {
            out.push_back(std::move(value));
        }
    }
}

/// Dead properties from the three arrays (ns, name, value_xml) a statement
/// aggregated in kPropsList order; NULL arrays: none. nullopt if their
/// lengths differ (never, from one aggregate over the same rows): then
/// nothing is remembered and the properties are read again when asked.
std::optional<std::vector<store::DeadProperty>> properties_of(const pqxx::field& ns_array,
                                                              const pqxx::field& name_array,
                                                              const pqxx::field& value_array) {
    const auto ns = strings_of(ns_array);
    const auto names = strings_of(name_array);
    const auto values = strings_of(value_array);
    if (ns.size() != names.size() || ns.size() != values.size()) {
        return std::nullopt;
    }
    std::vector<store::DeadProperty> props;
    for (std::size_t i = 0; i < ns.size(); ++i) {
        props.push_back({ns[i], names[i], values[i]});
    }
    return props;
}

}  // namespace

PgSession::PgSession(Pool::Lease lease, const store::User& owner, bool read_only,
                     const store::OpenHint& hint, ShardShared shared)
    : lease_(std::move(lease)),
      owner_(owner.id),
      epoch_(owner.epoch),
      read_only_(read_only),
      contexts_(std::move(shared.contexts)),
      put_groups_(std::move(shared.put_groups)),
      open_groups_(std::move(shared.open_groups)) {
    const PoolOptions& options = lease_.pool().options();
    call_timeout_ = call_deadline(options);
    if (hint.guess && hint.writing && contexts_ != nullptr && !read_only_ &&
        is_valid_path(hint.first_path) && !is_collection_path(hint.first_path)) {
        if (auto context = contexts_->find(owner_, epoch_, parent_of(hint.first_path))) {
            // A nontransaction sends nothing when it is made.
            guarded([&] { txn_.emplace(lease_.conn()); });
            take_guess(hint.first_path, *hint.guess, std::move(*context));
            return;
        }
    }
    guarded([&] {
        // BEGIN and one primary-key read: a healthy server answers at once,
        // so a server that does not within the connect timeout counts as
        // down (a stopped or SIGSTOPped shard: 503 quickly, not a hang).
        // Armed on this session's connection when it sends the statement
        // itself (not while it waits for a group's).
        std::optional<WatchdogGuard> deadline;
        try {
            txn_.emplace(lease_.conn());
            // One round trip for the placement check, the home (which the
            // dispatcher stats next on every request) and the first path.
            const std::string& first_path = hint.first_path;
            const bool with_first = !first_path.empty() && is_valid_path(first_path);
            const bool first_is_collection = with_first && is_collection_path(first_path);
            const bool write_ahead = with_first && !first_is_collection && hint.writing;
            std::optional<SessionOpen::Kind> read_kind;
            if (!with_first) {
                read_kind = SessionOpen::Kind::kHome;
            } else if (first_is_collection) {
                read_kind = SessionOpen::Kind::kCollection;
            } else if (!write_ahead) {
                read_kind = SessionOpen::Kind::kObject;
            }
            // The session columns (head), then what the request is about
            // (rest): session_opens.hpp, and kSessionOpenObjectWrite.
            pqxx::row head;
            pqxx::row rest;
            if (read_kind) {
                std::tie(head, rest) =
                    open_read(*read_kind, first_path, hint.list_home && !with_first, deadline);
            } else {
                deadline.emplace(lease_.conn().sock(), options.connect_timeout);
                const pqxx::row r = txn_->exec_prepared(q::kSessionOpenObjectWrite, owner_,
                                                        parent_of(first_path),
                                                        leaf_of(first_path))[0];
                head = r.slice(0, kSessionColumns);
                rest = r.slice(kSessionColumns, r.size());
            }
            if (!head[6].is_null()) {
                verify_placement(int64_of(head[6]), text_of(head[7]),
                                 /*for_write=*/false);
            }  // else no home here yet: nothing to read
            if (!head[0].is_null()) {
                home_ = collection_from(head);
                if (!with_first) {
                    // The home's dead properties came along.
                    if (auto props = properties_of(rest[0], rest[1], rest[2])) {
                        props_cache_.emplace("", std::move(*props));
                    }
                    if (hint.list_home) {
                        take_home_listing(rest[3]);
                    }
                }
            }
            if (with_first) {
                first_path_ = first_path;
                if (!rest[0].is_null()) {
                    if (first_is_collection) {
                        first_ = collection_from(rest.slice(0, 6));
                    } else {
                        first_ = object_from(rest.slice(0, 8));
                        if (!rest[8].is_null()) {
                            cached_body_ = bytes_of(rest[8]);
                            cached_body_id_ = first_->id;
                        }
                    }
                }
                const auto collection_at = [&](pqxx::row::size_type column) {
                    return rest[column].is_null()
                               ? std::nullopt
                               : std::optional(collection_from(rest.slice(column, column + 6)));
                };
                if (!write_ahead && !first_is_collection && first_) {
                    // The collection the object was found in is its parent.
                    stat_cache_.emplace(parent_of(first_path), collection_at(9));
                }
                if (write_ahead) {
                    constexpr pqxx::row::size_type kSlashed = 9;
                    constexpr pqxx::row::size_type kParent = kSlashed + 6;
                    stat_cache_.emplace(first_path + "/", collection_at(kSlashed));
                    stat_cache_.emplace(parent_of(first_path), collection_at(kParent));
                    // Served from memory until the first write, like any
                    // read of this session (home_fresh_ below).
                    constexpr pqxx::row::size_type kLockCount = kParent + 6;
                    if (int64_of(rest[kLockCount]) == 0) {
                        home_locks_.emplace();  // no lock anywhere in the home
                    }
                    if (auto props = properties_of(rest[kLockCount + 1], rest[kLockCount + 2],
                                                   rest[kLockCount + 3])) {
                        if (contexts_ != nullptr && home_locks_ && home_) {
                            if (const auto& parent = stat_cache_.at(parent_of(first_path))) {
                                contexts_->remember(owner_, epoch_, parent->path,
                                                    WriteContext{*home_, *parent, *props});
                            }
                        }
                        props_cache_.emplace(parent_of(first_path), std::move(*props));
                    }
                }
            }
            home_fresh_ = true;
        } catch (const pqxx::broken_connection&) {
            drop_connection(deadline && deadline->fired());
            throw;
        }
    });
}

std::pair<pqxx::row, pqxx::row> PgSession::open_read(SessionOpen::Kind kind,
                                                    const std::string& path, bool list_home,
                                                    std::optional<WatchdogGuard>& deadline) {
    const std::chrono::milliseconds timeout = lease_.pool().options().connect_timeout;
    SessionOpen job;
    job.kind = kind;
    job.owner = owner_;
    job.path = path;
    job.list_home = list_home;
    const auto read_alone = [&] {
        deadline.emplace(lease_.conn().sock(), timeout);
        read_session_open(*txn_, job);
    };
    if (!open_groups_) {
        read_alone();
    } else {
        open_groups_->of(kind).run(job, read_alone, [&](const std::vector<SessionOpen*>& jobs) {
            // Runs on this session's connection for the whole group; its
            // errors reach every member as store errors, so only this
            // session (whose connection it was) discards its connection.
            try {
                deadline.emplace(lease_.conn().sock(), timeout);
                read_session_opens(*txn_, jobs);
                return true;
            } catch (const pqxx::broken_connection&) {
                drop_connection(deadline->fired());
                rethrow_translated();
            } catch (...) {
                rethrow_translated();
            }
        });
    }
    return {std::move(job.head), std::move(job.rest)};
}

void PgSession::take_home_listing(const pqxx::field& listing) {
    if (listing.is_null()) {
        return;  // the home holds objects: children() lists it
    }
    std::vector<ListedCollection> children;
    if (!collections_from_json({listing.c_str(), listing.size()}, children)) {
        return;
    }
    home_listing_.emplace();
    for (auto& [child, props] : children) {
        props_cache_.emplace(child.path, std::move(props));
        home_listing_->push_back(std::move(child));
    }
}

void PgSession::take_guess(const std::string& first_path,
                           const store::OpenHint::ObjectGuess& object, WriteContext context) {
    home_ = context.home;
    home_fresh_ = true;
    first_path_ = first_path;
    if (object.etag) {
        // Present with that ETag: all a PUT reads of it (the precondition
        // and the write's condition); the rest is never looked at.
        Resource guessed;
        guessed.path = first_path;
        guessed.collection_id = context.parent.id;
        guessed.etag = *object.etag;
        first_ = guessed;
    }
    stat_cache_.emplace(first_path + "/", std::nullopt);
    stat_cache_.emplace(context.parent.path, context.parent);
    props_cache_.emplace(context.parent.path, context.parent_props);
    home_locks_.emplace();
    guess_ = std::move(context);
}

void PgSession::require_read() const {
    if (guess_) {
        throw Error(Errc::kRetryable, "a guessed PUT session cannot read; run it again");
    }
}

PgSession::~PgSession() {
    try {
        if (in_transaction_) {
            const WatchdogGuard deadline(lease_.conn().sock(), call_timeout_);
            txn_->exec("ROLLBACK");
        }
        txn_.reset();
    } catch (...) {
        lease_.discard();  // state unknown: never reuse it
    }
}

void PgSession::begin_transaction() {
    if (!in_transaction_) {
        txn_->exec("BEGIN");
        in_transaction_ = true;
    }
}

void PgSession::forget_reads() {
    home_fresh_ = false;  // the home's revision may change from here on
    home_listing_.reset();
    cached_body_id_ = 0;
    cached_body_.clear();
    stat_cache_.clear();
    props_cache_.clear();
    home_locks_.reset();
}

void PgSession::check_shard_writable() const {
    if (read_only_) {
        throw Error(Errc::kReadOnly, "shard is read-only");
    }
}

void PgSession::check_writable() {
    check_shard_writable();
    forget_reads();
    if (!fenced_) {
        check_placement(/*for_write=*/true);
        fenced_ = true;
    }
    begin_transaction();
}

void PgSession::check_placement(bool for_write) {
    pqxx::result r;
    if (for_write && !in_transaction_) {
        // BEGIN and the share lock in one round trip (simple query protocol;
        // the owner id is an integer, so nothing is quoted into the SQL).
        r = txn_->exec("BEGIN; SELECT epoch, state FROM home_placement WHERE owner_id = " +
                       std::to_string(owner_) + " FOR SHARE");
        in_transaction_ = true;
    } else {
        r = txn_->exec_prepared(for_write ? q::kPlacementShare : q::kPlacementGet, owner_);
    }
    if (r.empty()) {
        if (!for_write) {
            return;  // no home here yet: nothing to read
        }
        // A new home (the directory placed the user here): only rows made by
        // a session or a mover ever exist, and a moved-away home keeps its
        // row as a tombstone, so a missing row never hides a home elsewhere.
        txn_->exec_prepared(q::kPlacementInsert, owner_, epoch_);
        r = txn_->exec_prepared(q::kPlacementShare, owner_);
    }
    verify_placement(int64_of(r[0][0]), text_of(r[0][1]), for_write);
}

void PgSession::verify_placement(std::int64_t epoch, const std::string& state,
                                 bool for_write) const {
    if (state == "moved" || epoch != epoch_) {
        throw Error(Errc::kMoved, "home of user " + std::to_string(owner_) + " is not here (" +
                                      state + ", epoch " + std::to_string(epoch) +
                                      ", routed with " + std::to_string(epoch_) + ")");
    }
    if (state == "moving" && for_write) {
        throw Error(Errc::kReadOnly, "home of user " + std::to_string(owner_) + " is moving");
    }
}

std::optional<Resource> PgSession::lock_collection(const std::string& path) {
    const auto r = txn_->exec_prepared(q::kCollectionLock, owner_, path);
    if (r.empty()) {
        return std::nullopt;
    }
    return collection_from(r[0]);
}

void PgSession::log_change(std::int64_t collection_id, const std::string& name, bool deleted) {
    pending_changes_.push_back({collection_id, name, deleted});
}

void PgSession::flush_changes() {
    // Moved out first: a failure must not leave them to be sent again.
    const std::vector<PendingChange> changes = std::move(pending_changes_);
    pending_changes_.clear();
    for (const PendingChange& c : changes) {
        txn_->exec_prepared(q::kCollectionBumpAndLog, c.collection_id, c.name, c.deleted);
    }
}

std::optional<Resource> PgSession::stat_unguarded(const std::string& path) {
    if (!is_valid_path(path)) {
        return std::nullopt;
    }
    if (is_collection_path(path)) {
        const auto r = txn_->exec_prepared(q::kCollectionByPath, owner_, path);
        return r.empty() ? std::nullopt : std::optional(collection_from(r[0]));
    }
    const auto r = txn_->exec_prepared(q::kObjectByPath, owner_, parent_of(path), leaf_of(path));
    if (r.empty()) {
        return std::nullopt;
    }
    Resource res = object_from(r[0]);
    if (!r[0][8].is_null()) {
        cached_body_ = bytes_of(r[0][8]);
        cached_body_id_ = res.id;
    }
    return res;
}

bool PgSession::occupied(const std::string& path) {
    if (stat_unguarded(path)) {
        return true;
    }
    const std::string other =
        is_collection_path(path) ? path.substr(0, path.size() - 1) : path + "/";
    return !other.empty() && stat_unguarded(other).has_value();
}

void PgSession::ensure_home() {
    run([&](pqxx::transaction_base& txn) {
        if (!txn.exec_prepared(q::kCollectionByPath, owner_, "").empty()) {
            return;
        }
        check_writable();
        // ON CONFLICT: a concurrent session may create the home first; then
        // it also creates the defaults.
        if (txn.exec_prepared(q::kHomeInsert, owner_).empty()) {
            return;
        }
        make_collection_unguarded("calendar/", CollectionKind::kCalendar);
    });
}

std::optional<Resource> PgSession::stat(const std::string& path) {
    if (path.empty() && home_fresh_) {
        return home_;  // read by the session's first statement, nothing written since
    }
    if (home_fresh_ && !first_path_.empty() && path == first_path_) {
        return first_;  // likewise
    }
    if (!home_fresh_) {
        return run([&](pqxx::transaction_base&) { return stat_unguarded(path); });
    }
    if (const auto it = stat_cache_.find(path); it != stat_cache_.end()) {
        return it->second;
    }
    auto found = run([&](pqxx::transaction_base&) { return stat_unguarded(path); });
    stat_cache_.emplace(path, found);
    return found;
}

std::vector<Resource> PgSession::children(const Resource& collection) {
    if (home_fresh_ && home_listing_ && home_ && collection.is_collection &&
        collection.id == home_->id) {
        return *home_listing_;  // read by the session's first statement, nothing written since
    }
    return run([&](pqxx::transaction_base& txn) {
        std::vector<Resource> out;
        if (!collection.is_collection) {
            return out;
        }
        const pqxx::result rows = txn.exec_prepared(q::kChildren, owner_, collection.id, epoch_);
        home_confirmed_by(rows);
        for (const auto& row : rows) {
            if (int64_of(row[0]) != 0) {
                out.push_back(object_from(row.slice(8, 16)));
                continue;
            }
            out.push_back(collection_from(row.slice(2, 8)));
            if (home_fresh_) {
                // The child's dead properties came with it: a listing's
                // dead_properties_of() is then served from props_cache_.
                if (auto props = properties_of(row[16], row[17], row[18])) {
                    props_cache_.emplace(out.back().path, std::move(*props));
                }
            }
        }
        return out;
    });
}

std::string PgSession::read_body(const Resource& object) {
    if (!object.is_collection && object.id != 0 && object.id == cached_body_id_) {
        return cached_body_;  // read with the stat, nothing written since
    }
    return run([&](pqxx::transaction_base& txn) {
        const auto r = txn.exec_prepared(q::kObjectBody, owner_, object.id);
        if (object.is_collection || r.empty()) {
            throw Error(Errc::kNotFound, "no object body for " + object.path);
        }
        return bytes_of(r[0][0]);
    });
}

Resource PgSession::put_object(const std::string& path, const std::string& content_type,
                               const std::string& body, bool* created,
                               const std::optional<store::CalendarIndex>& index,
                               const std::optional<store::WriteCondition>& condition) {
    return run([&](pqxx::transaction_base& txn) {
        check_writable();
        check_object_path(path);
        const std::optional<std::string> uid =
            index ? std::optional<std::string>(index->uid) : std::nullopt;
        const auto locked = txn.exec_prepared(q::kCollectionLockCheckName, owner_,
                                              parent_of(path), path + "/", uid, leaf_of(path));
        if (locked.empty()) {
            throw Error(Errc::kConflict, "parent collection missing: " + path);
        }
        const std::optional<Resource> parent = collection_from(locked[0]);
        if (locked[0][6].as<bool>()) {
            throw Error(Errc::kConflict, "a collection exists at " + path + "/");
        }
        if (!locked[0][7].is_null()) {
            throw Error(Errc::kUidConflict, "duplicate UID in " + parent->path,
                        parent->path + text_of(locked[0][7]));
        }
        Resource res;
        res.path = path;
        res.collection_id = parent->id;
        res.content_type = content_type;
        res.etag = etag_of(body);
        res.content_length = static_cast<std::int64_t>(body.size());
        const store::CalendarIndex ix = index.value_or(store::CalendarIndex{});
        const auto r = txn.exec_prepared(q::kObjectUpsert, parent->id, leaf_of(path),
                                         content_type,
                                         pqxx::binarystring(body.data(), body.size()),
                                         res.etag, res.content_length, index.has_value(),
                                         ix.uid, ix.component, ix.first_start, ix.last_end,
                                         ix.recurring, condition.has_value(),
                                         condition && condition->etag.has_value(),
                                         condition ? condition->etag.value_or("") : "");
        if (r.empty()) {
            // The upsert's conditions said no: the object appeared, went or
            // changed since the request's preconditions were judged.
            throw Error(Errc::kChanged, "changed since the condition was checked: " + path);
        }
        res.id = int64_of(r[0][0]);
        if (created != nullptr) {
            *created = r[0][1].as<bool>();
        }
        res.created = from_micros(micros_of(r[0][2]));
        res.modified = from_micros(micros_of(r[0][3]));
        log_change(parent->id, leaf_of(path), false);
        return res;
    });
}

namespace {

/// The store error for one of the write functions' own SQLSTATEs (class
/// CZ, schema/shard/005_write_functions.sql); nullopt for any other.
std::optional<Errc> write_function_error(const std::string& sqlstate) {
    if (sqlstate == "CZ001") return Errc::kMoved;
    if (sqlstate == "CZ002") return Errc::kReadOnly;
    if (sqlstate == "CZ003" || sqlstate == "CZ004") return Errc::kConflict;
    if (sqlstate == "CZ005") return Errc::kUidConflict;
    if (sqlstate == "CZ006") return Errc::kChanged;
    if (sqlstate == "CZ007") return Errc::kNotFound;
    if (sqlstate == "CZ008") return Errc::kRetryable;
    return std::nullopt;
}

/// The message of a server error without libpq's "ERROR:  " prefix and the
/// PL/pgSQL CONTEXT lines after it.
std::string first_line_of(const std::string& message) {
    std::string line = message.substr(0, message.find('\n'));
    constexpr std::string_view kPrefix = "ERROR:  ";
    if (line.rfind(kPrefix, 0) == 0) line.erase(0, kPrefix.size());
    return line;
}

/// Throws the store error a write function raised, or e itself.
[[noreturn]] void rethrow_write_function_error(const pqxx::sql_error& e) {
    const std::optional<Errc> code = write_function_error(e.sqlstate());
    if (!code) throw;
    throw Error(*code, first_line_of(e.what()));
}

}  // namespace

GuessedPut PgSession::guessed_put_job(WriteContext guess, const std::string& path,
                                      const std::string& content_type, const std::string& body,
                                      const Resource& res,
                                      const std::optional<store::CalendarIndex>& index,
                                      const std::optional<store::WriteCondition>& condition) const {
    GuessedPut job;
    job.owner = owner_;
    job.epoch = epoch_;
    job.parent = parent_of(path);
    job.name = leaf_of(path);
    job.content_type = content_type;
    job.body = &body;
    job.etag = res.etag;
    job.size = res.content_length;
    job.indexed = index.has_value();
    job.index = index.value_or(store::CalendarIndex{});
    job.conditional = condition.has_value();
    job.expect_exists = condition && condition->etag.has_value();
    job.expect_etag = condition ? condition->etag.value_or("") : "";
    job.parent_id = guess.parent.id;
    job.parent_kind = static_cast<int>(guess.parent.kind);
    job.parent_props = std::move(guess.parent_props);
    return job;
}

void PgSession::write_guessed(GuessedPut& job) {
    const auto write_alone = [&] {
        run([&](pqxx::transaction_base& txn) {
            try {
                write_guessed_put(txn, job);
            } catch (const pqxx::sql_error& e) {
                if (e.sqlstate() == "CZ008") {
                    // The parent or the home is not as remembered: forget
                    // it, and let the request run again with a first read.
                    contexts_->forget(owner_, epoch_, job.parent);
                }
                rethrow_write_function_error(e);
            }
        });
    };
    // A group's statement carries every member's body, hex-encoded (twice
    // its size): a large body (an attachment) is written alone rather
    // than make a group's statement tens of megabytes.
    constexpr std::size_t kLargestGroupedBody = 256 * 1024;
    if (!put_groups_ || job.body->size() > kLargestGroupedBody) {
        write_alone();
        return;
    }
    put_groups_->run(job, write_alone, [&](const std::vector<GuessedPut*>& jobs) {
        // Runs on this session's connection for the whole group.
        return run([&](pqxx::transaction_base& txn) {
            try {
                write_guessed_puts(txn, jobs);
                return true;
            } catch (const pqxx::sql_error&) {
                // One member's check (412, 409, a stale guess) or the lock
                // timeout: the statement rolled back whole, and each member
                // writes alone, with its own answer.
                return false;
            }
        });
    });
}

Resource PgSession::put_object_and_commit(const std::string& path,
                                          const std::string& content_type,
                                          const std::string& body, bool* created,
                                          const std::optional<store::CalendarIndex>& index,
                                          const std::optional<store::WriteCondition>& condition) {
    if (has_written()) {
        // Not the session's only write: it joins the open transaction.
        return store::Session::put_object_and_commit(path, content_type, body, created, index,
                                                     condition);
    }
    check_shard_writable();
    check_object_path(path);
    forget_reads();
    const std::string parent_path = parent_of(path);
    const std::string name = leaf_of(path);
    Resource res;
    res.path = path;
    res.content_type = content_type;
    res.etag = etag_of(body);
    res.content_length = static_cast<std::int64_t>(body.size());
    const store::CalendarIndex ix = index.value_or(store::CalendarIndex{});
    // A guessed session writes with the checks of what it guessed (only a
    // PUT into the guessed parent; any other write ran require_read first).
    std::optional<WriteContext> guess;
    if (guess_) {
        if (guess_->parent.path != parent_path) require_read();  // throws
        // From here on the session reads what is there.
        guess = std::exchange(guess_, std::nullopt);
    }
    try {
        if (guess) {
            GuessedPut job = guessed_put_job(std::move(*guess), path, content_type, body, res,
                                             index, condition);
            write_guessed(job);
            res.id = job.id;
            res.collection_id = job.collection_id;
            if (created != nullptr) *created = job.created;
            res.created = from_micros(job.created_us);
            res.modified = from_micros(job.modified_us);
        } else {
            // Autocommit: the statement is its own transaction, committed
            // when it returns and rolled back by any of its errors.
            const auto r = run([&](pqxx::transaction_base& txn) {
                try {
                    return txn.exec_prepared(
                        q::kPutObjectCommitted, owner_, epoch_, parent_path, name, content_type,
                        pqxx::binarystring(body.data(), body.size()), res.etag,
                        res.content_length, index.has_value(), ix.uid, ix.component,
                        ix.first_start, ix.last_end, ix.recurring, condition.has_value(),
                        condition && condition->etag.has_value(),
                        condition ? condition->etag.value_or("") : "");
                } catch (const pqxx::sql_error& e) {
                    rethrow_write_function_error(e);
                }
            });
            res.id = int64_of(r[0][0]);
            res.collection_id = int64_of(r[0][1]);
            if (created != nullptr) *created = r[0][2].as<bool>();
            res.created = from_micros(micros_of(r[0][3]));
            res.modified = from_micros(micros_of(r[0][4]));
        }
        unconfirmed_reads_ = false;  // the statement checked the placement
        return res;
    } catch (const Error& e) {
        if (e.code() != Errc::kUidConflict) throw;
        // Named after the fact (nothing was written): RFC 4791 §5.3.2 puts
        // the holder's href in the error body. It may have gone meanwhile.
        const std::optional<Resource> parent = stat(parent_path);
        const std::optional<std::string> holder =
            parent ? find_by_uid(*parent, ix.uid) : std::nullopt;
        throw Error(Errc::kUidConflict, e.what(), holder.value_or(""));
    }
}

void PgSession::remove_and_commit(const Resource& resource,
                                  const std::optional<store::WriteCondition>& condition) {
    if (resource.is_collection || resource.path.empty() || has_written()) {
        // A subtree, or not the session's only write: the general path.
        store::Session::remove_and_commit(resource, condition);
        return;
    }
    check_shard_writable();
    forget_reads();
    const bool check = condition.has_value();
    run([&](pqxx::transaction_base& txn) {
        try {
            // Autocommit: the statement is its own transaction.
            txn.exec_prepared(q::kDeleteObjectCommitted, owner_, epoch_,
                              parent_of(resource.path), leaf_of(resource.path), resource.id,
                              check, check ? condition->etag.value_or("") : "");
        } catch (const pqxx::sql_error& e) {
            rethrow_write_function_error(e);
        }
    });
    unconfirmed_reads_ = false;  // the statement checked the placement
}

Resource PgSession::make_collection_unguarded(const std::string& path, CollectionKind kind) {
    check_writable();
    if (path.empty() || !is_collection_path(path) || !is_valid_path(path)) {
        throw Error(Errc::kConflict, "not a collection path: " + path);
    }
    const auto parent = lock_collection(parent_of(path));
    if (!parent) {
        throw Error(Errc::kConflict, "parent collection missing: " + path);
    }
    if (occupied(path)) {
        throw Error(Errc::kAlreadyExists, "path taken: " + path);
    }
    const auto r = txn_->exec_prepared(q::kCollectionInsert, owner_, path, parent->id,
                                       static_cast<int>(kind));
    log_change(parent->id, leaf_of(path), false);
    return collection_from(r[0]);
}

Resource PgSession::make_collection(const std::string& path, CollectionKind kind) {
    return run([&](pqxx::transaction_base&) { return make_collection_unguarded(path, kind); });
}

void PgSession::remove(const Resource& resource,
                       const std::optional<store::WriteCondition>& condition) {
    run([&](pqxx::transaction_base& txn) {
        check_writable();
        const std::string& path = resource.path;
        std::optional<Resource> parent;
        if (!path.empty()) {
            parent = lock_collection(parent_of(path));
            if (!parent) {
                throw Error(Errc::kNotFound, "no parent of " + path);
            }
        }
        if (!resource.is_collection) {
            const bool check = condition.has_value();
            if (txn.exec_prepared(q::kObjectDelete, resource.id, parent->id, check,
                                  check ? condition->etag.value_or("") : "")
                    .affected_rows() == 0) {
                // Judged present with that ETag (a DELETE of an absent
                // object is a 404 before it gets here): it changed or went.
                if (check) throw Error(Errc::kChanged, "changed since judged: " + path);
                throw Error(Errc::kNotFound, "no object " + path);
            }
            txn.exec_prepared(q::kPropsDeletePath, owner_, path);
        } else {
            // Objects and change logs of every collection below go by cascade.
            if (txn.exec_prepared(q::kSubtreeDelete, owner_, path).affected_rows() == 0) {
                throw Error(Errc::kNotFound, "no collection " + path);
            }
            txn.exec_prepared(q::kPropsDeleteSubtree, owner_, path);
        }
        if (parent) {
            log_change(parent->id, leaf_of(path), true);  // tombstone (RFC 6578 §3.5)
        }
    });
}

Resource PgSession::copy(const Resource& src, const std::string& dst_path, bool depth_infinity) {
    return run([&](pqxx::transaction_base& txn) {
        check_writable();
        if (!is_valid_path(dst_path) || dst_path.empty() ||
            is_collection_path(dst_path) != src.is_collection) {
            throw Error(Errc::kConflict, "bad copy destination: " + dst_path);
        }
        if (src.is_collection && is_within(dst_path, src.path)) {
            throw Error(Errc::kConflict, "cannot copy a collection into itself: " + dst_path);
        }
        if (!src.is_collection) {
            const auto parent = lock_collection(parent_of(dst_path));
            if (!parent) {
                throw Error(Errc::kConflict, "parent collection missing: " + dst_path);
            }
            if (occupied(dst_path)) {
                throw Error(Errc::kAlreadyExists, "path taken: " + dst_path);
            }
            if (txn.exec_prepared(q::kObjectCopy, src.id, parent->id, leaf_of(dst_path))
                    .empty()) {
                throw Error(Errc::kNotFound, "no object " + src.path);
            }
            log_change(parent->id, leaf_of(dst_path), false);
            txn.exec_prepared(q::kPropsDeletePath, owner_, dst_path);
            txn.exec_prepared(q::kPropsCopyPath, owner_, src.path, dst_path);
        } else {
            make_collection_unguarded(dst_path, src.kind);
            // Leftover properties of an unmapped destination must not merge in.
            txn.exec_prepared(q::kPropsDeleteSubtree, owner_, dst_path);
            if (depth_infinity) {
                txn.exec_prepared(q::kCollectionsCopySubtree, owner_, src.path, dst_path);
                txn.exec_prepared(q::kCollectionsFixParents, owner_, dst_path);
                txn.exec_prepared(q::kObjectsCopySubtree, owner_, src.path, dst_path);
                txn.exec_prepared(q::kPropsCopySubtree, owner_, src.path, dst_path);
            } else {
                txn.exec_prepared(q::kPropsCopyPath, owner_, src.path, dst_path);
            }
        }
        auto out = stat_unguarded(dst_path);
        if (!out) {
            throw Error(Errc::kInternal, "copy lost its destination " + dst_path);
        }
        return *out;
    });
}

Resource PgSession::move(const Resource& src, const std::string& dst_path) {
    return run([&](pqxx::transaction_base& txn) {
        check_writable();
        if (src.path.empty() || !is_valid_path(dst_path) || dst_path.empty() ||
            is_collection_path(dst_path) != src.is_collection) {
            throw Error(Errc::kConflict, "bad move: " + src.path + " -> " + dst_path);
        }
        if (src.is_collection && is_within(dst_path, src.path)) {
            throw Error(Errc::kConflict, "cannot move a collection into itself: " + dst_path);
        }
        const std::string src_parent_path = parent_of(src.path);
        const std::string dst_parent_path = parent_of(dst_path);
        std::optional<Resource> src_parent;
        std::optional<Resource> dst_parent;
        for (const auto& row :
             txn.exec_prepared(q::kCollectionsLockPair, owner_, src_parent_path, dst_parent_path)) {
            auto c = collection_from(row);
            if (c.path == src_parent_path) {
                src_parent = c;
            }
            if (c.path == dst_parent_path) {
                dst_parent = c;
            }
        }
        if (!dst_parent) {
            throw Error(Errc::kConflict, "parent collection missing: " + dst_path);
        }
        if (!src_parent) {
            throw Error(Errc::kNotFound, "no parent of " + src.path);
        }
        if (occupied(dst_path)) {
            throw Error(Errc::kAlreadyExists, "path taken: " + dst_path);
        }
        if (!src.is_collection) {
            if (txn.exec_prepared(q::kObjectMove, src.id, dst_parent->id, leaf_of(dst_path))
                    .empty()) {
                throw Error(Errc::kNotFound, "no object " + src.path);
            }
            txn.exec_prepared(q::kPropsDeletePath, owner_, dst_path);
            txn.exec_prepared(q::kPropsMovePath, owner_, src.path, dst_path);
        } else {
            if (txn.exec_prepared(q::kCollectionsMoveSubtree, owner_, src.path, dst_path)
                    .affected_rows() == 0) {
                throw Error(Errc::kNotFound, "no collection " + src.path);
            }
            txn.exec_prepared(q::kCollectionSetParent, src.id, dst_parent->id);
            txn.exec_prepared(q::kPropsDeleteSubtree, owner_, dst_path);
            txn.exec_prepared(q::kPropsMoveSubtree, owner_, src.path, dst_path);
        }
        log_change(src_parent->id, leaf_of(src.path), true);
        log_change(dst_parent->id, leaf_of(dst_path), false);
        auto out = stat_unguarded(dst_path);
        if (!out) {
            throw Error(Errc::kInternal, "move lost its destination " + dst_path);
        }
        return *out;
    });
}

std::int64_t PgSession::used_bytes() {
    return run([&](pqxx::transaction_base& txn) {
        return txn.exec_prepared(q::kUsedBytes, owner_)[0][0].as<std::int64_t>();
    });
}

void PgSession::commit() {
    // Taken before run(), which would otherwise flush them on their own.
    const std::vector<PendingChange> changes = std::move(pending_changes_);
    pending_changes_.clear();
    run([&](pqxx::transaction_base& txn) {
        if (in_transaction_) {
            // A broken connection here leaves the outcome unknown; it is
            // reported as kShardUnavailable like any other failure.
            // A failed statement always throws out of the session's caller
            // (none is caught and ignored here), so COMMIT never meets an
            // aborted transaction, which PostgreSQL would roll back silently.
            // The logged changes go in the same simple-protocol string as
            // COMMIT: one round trip instead of two. If one fails, the
            // statements after it (COMMIT included) are skipped and the
            // transaction stays open and aborted: the destructor rolls back.
            std::string sql;
            for (const PendingChange& c : changes) {
                const std::string id = std::to_string(c.collection_id);
                sql += "WITH b AS (UPDATE collection SET revision = revision + 1, "
                       "modified_at = now() WHERE id = " + id + " RETURNING revision) "
                       "INSERT INTO change_log (collection_id, revision, name, deleted) "
                       "SELECT " + id + ", revision, " + txn.quote(c.name) + ", " +
                       (c.deleted ? "true" : "false") + " FROM b; ";
            }
            sql += "COMMIT";
            txn.exec(sql);
            in_transaction_ = false;  // no ROLLBACK after a COMMIT went through
            fenced_ = false;          // the share lock ends with the transaction
            unconfirmed_reads_ = false;
        }
    });
}

void PgSession::confirm_reads() {
    // A mover deletes the home here in the transaction that leaves the
    // 'moved' tombstone (user_move.cpp), and a statement's snapshot sees
    // every commit an earlier one saw: a placement still ours now means
    // every earlier statement read the whole home. One round trip, paid
    // only by reads of more than one statement (a GET reads in one).
    if (!unconfirmed_reads_ || in_transaction_) {
        return;
    }
    run([&](pqxx::transaction_base&) { check_placement(/*for_write=*/false); });
    unconfirmed_reads_ = false;
}

}  // namespace cosmo::store_pg::detail
