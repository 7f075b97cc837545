#pragma once
/// A read session's first statement: the placement check and the home,
/// with what the request is about (the home's dead properties, a
/// collection, or an object with its body and the collection it was found
/// in), read alone (q::kSessionOpen, kSessionOpenCollection,
/// kSessionOpenObject) or in a group with other sessions' first reads of
/// the same kind (q::kSessionOpensHome, ...; statement_groups.hpp). A GET
/// needs nothing else from the database, and a multiget or a sync one
/// statement more, so under load much of their cost in PostgreSQL was the
/// statement's own start-up and round trip, which a group pays once for
/// all its members (docs/performance.md, session 17).

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "statement_groups.hpp"

namespace cosmo::store_pg::detail {

/// The session columns come first in every session-open statement (the
/// write-ahead one too): the home as COSMO_COLL_COLS, then the placement's
/// epoch and state.
inline constexpr pqxx::row::size_type kSessionColumns = 8;

struct SessionOpen {
    /// What the request is about, beyond the home.
    enum class Kind {
        kHome,        ///< nothing more: the home's dead properties come along
        kCollection,  ///< the collection at `path`
        kObject,      ///< the object at `path`, and its collection
    };
    // The statement's arguments.
    Kind kind = Kind::kHome;
    std::int64_t owner = 0;
    std::string path;  ///< for kCollection and kObject
    /// kHome: the home's listing too (OpenHint::list_home).
    bool list_home = false;

    /// A read locks nothing: each job's key is its own, so no group waits
    /// for another.
    std::int64_t lock_key() const { return reinterpret_cast<std::intptr_t>(this); }

    /// Filled in by the read (slices of the statement's row, which keep
    /// its result alive):
    /// the session columns: the home as COSMO_COLL_COLS (NULL: no home
    /// yet), then the placement's epoch and state (NULL: no row yet);
    pqxx::row head;
    /// then, by kind: the home's dead properties as three arrays (ns, name,
    /// value_xml, in kPropsList order) and its listing (JSON, NULL unless
    /// list_home: COSMO_HOME_LISTING_OF); the collection as COSMO_COLL_COLS;
    /// or the object as COSMO_OBJ_COLS, its body when small, and its
    /// collection as COSMO_COLL_COLS. NULLs when there is no such thing.
    pqxx::row rest;
};

/// A shard's groups of first reads: one StatementGroups per kind, so that
/// each group's statement carries only its kind's columns and subquery (a
/// statement for all kinds cost a GET about 30% more in PostgreSQL), and
/// a GET's group never waits for a multiget's.
class OpenGroups {
public:
    /// in_flight: groups of each kind reading at once.
    explicit OpenGroups(std::size_t in_flight)
        : home_(in_flight), collection_(in_flight), object_(in_flight) {}

    StatementGroups<SessionOpen>& of(SessionOpen::Kind kind) {
        switch (kind) {
            case SessionOpen::Kind::kHome:
                return home_;
            case SessionOpen::Kind::kCollection:
                return collection_;
            case SessionOpen::Kind::kObject:
                break;
        }
        return object_;
    }

private:
    StatementGroups<SessionOpen> home_;
    StatementGroups<SessionOpen> collection_;
    StatementGroups<SessionOpen> object_;
};

/// Reads job alone (q::kSessionOpen, kSessionOpenCollection or
/// kSessionOpenObject, by kind) and fills it in.
void read_session_open(pqxx::transaction_base& txn, SessionOpen& job);

/// Reads jobs (1 to kMaxGroup, all of one kind) in one statement
/// (q::kSessionOpensHome, ...) and fills each in. Throws what the
/// statement throws.
void read_session_opens(pqxx::transaction_base& txn, const std::vector<SessionOpen*>& jobs);

}  // namespace cosmo::store_pg::detail
