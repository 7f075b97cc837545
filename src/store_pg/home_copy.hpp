#pragma once
/// Copying and deleting every row of one owner's home on a shard, table by
/// table, generically: the tables and their columns are read from the
/// catalog, so columns and tables added by later migrations move along
/// without changes here (the mover's part of `cosmo user move`).

#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace cosmo::store_pg::detail {

/// A table holding rows of homes, and how to select one owner's rows.
struct HomeTable {
    std::string name;
    std::string filter;  ///< SQL condition on alias t; $OWNER replaced by the id
    int tier = 0;        ///< insert in ascending tier (foreign keys), delete descending
};

/// The shard's tables with home rows (all but schema_version and
/// home_placement), in insert order. Throws store::Error{kInternal} for a
/// table whose rows cannot be attributed to an owner (no owner_id,
/// collection_id or object_id column): moving would lose them.
std::vector<HomeTable> home_tables(pqxx::transaction_base& txn);

/// Copies the owner's rows of every table from src to dst, ids unchanged,
/// in batches (to_jsonb on the source, jsonb_populate_recordset on the
/// target). Returns the number of rows copied; throws store::Error{kInternal}
/// when a table's count differs after the copy.
std::int64_t copy_home(pqxx::transaction_base& src, pqxx::transaction_base& dst,
                       const std::vector<HomeTable>& tables, std::int64_t owner);

/// Deletes the owner's rows of every table (not home_placement).
void delete_home(pqxx::transaction_base& txn, const std::vector<HomeTable>& tables,
                 std::int64_t owner);

}  // namespace cosmo::store_pg::detail
