#pragma once
/// One guessed PUT as a job that is written alone (cosmo_put_object_guessed,
/// schema/shard/007) or in a group with others (cosmo_put_objects_guessed,
/// 008; statement_groups.hpp): its arguments, the key groups lock by, and what
/// its write returned.

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "cosmo/store/types.hpp"
#include "statement_groups.hpp"

namespace cosmo::store_pg::detail {

struct GuessedPut {
    // The function's arguments, in its order.
    std::int64_t owner = 0;
    std::int64_t epoch = 0;
    std::string parent;
    std::string name;
    std::string content_type;
    const std::string* body = nullptr;  ///< the request's, alive until written
    std::string etag;
    std::int64_t size = 0;
    bool indexed = false;
    store::CalendarIndex index;
    bool conditional = false;
    bool expect_exists = false;
    std::string expect_etag;
    std::int64_t parent_id = 0;
    int parent_kind = 0;
    /// The parent's dead properties as validated against, by (ns, name).
    std::vector<store::DeadProperty> parent_props;

    /// Groups writing at once never share a parent (statement_groups.hpp).
    std::int64_t lock_key() const { return parent_id; }

    /// Filled in by the write.
    std::int64_t id = 0;
    std::int64_t collection_id = 0;
    bool created = false;
    std::int64_t created_us = 0;
    std::int64_t modified_us = 0;
};

using PutGroups = StatementGroups<GuessedPut>;

/// Writes job alone (q::kPutObjectGuessed, autocommit) and fills it in.
/// Throws what the statement throws: the write function's own errors
/// (schema/shard/007) say why it was refused.
void write_guessed_put(pqxx::transaction_base& txn, GuessedPut& job);

/// Writes jobs (1 to kMaxGroup) in one autocommit statement
/// (q::kPutObjectsGuessed), sorted into lock order, and fills each in.
/// Throws what the statement throws; a refusal is one error for the whole
/// group, which then rolled back.
void write_guessed_puts(pqxx::transaction_base& txn, const std::vector<GuessedPut*>& jobs);

}  // namespace cosmo::store_pg::detail
