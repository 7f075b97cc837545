#pragma once
/// A read session's first statement when the request is about an object
/// (a GET, or a PROPFIND or REPORT on one): the placement check, the home,
/// the object with its body and the collection it was found in, read alone
/// (q::kSessionOpenObject) or in a group with other sessions' first reads
/// (q::kSessionOpenObjects; statement_groups.hpp). A GET needs nothing
/// else from the database, so under load most of its cost in PostgreSQL
/// was the statement's own start-up and round trip, which a group pays
/// once for all its members (docs/performance.md, session 17).

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "statement_groups.hpp"

namespace cosmo::store_pg::detail {

struct ObjectOpen {
    // The statement's arguments.
    std::int64_t owner = 0;
    std::string parent;  ///< the object's parent collection path
    std::string name;    ///< the object's name in it

    /// A read locks nothing: each job's key is its own, so no group waits
    /// for another.
    std::int64_t lock_key() const { return reinterpret_cast<std::intptr_t>(this); }

    /// Filled in by the read: the columns of q::kSessionOpenObject (a
    /// slice of the group's row; it keeps the group's result alive).
    pqxx::row row;
};

using OpenGroups = StatementGroups<ObjectOpen>;

/// Reads job alone (q::kSessionOpenObject) and fills it in.
void read_object_open(pqxx::transaction_base& txn, ObjectOpen& job);

/// Reads jobs (1 to kMaxGroup) in one statement (q::kSessionOpenObjects)
/// and fills each in. Throws what the statement throws.
void read_object_opens(pqxx::transaction_base& txn, const std::vector<ObjectOpen*>& jobs);

}  // namespace cosmo::store_pg::detail
