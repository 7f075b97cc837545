// Generic per-owner copy of a home between two shard databases
// (home_copy.hpp). Rows travel as JSON: to_jsonb(row) keeps every column
// with its exact value (bytea as hex, timestamps to the microsecond), and
// jsonb_populate_recordset(NULL::table, ...) turns them back into rows of
// the target's own column order.

#include "home_copy.hpp"

#include <algorithm>

#include "cosmo/store/error.hpp"

namespace cosmo::store_pg::detail {

namespace {

using store::Errc;
using store::Error;

/// Rows per FETCH and the JSON size at which a batch is sent.
constexpr int kFetchRows = 500;
constexpr std::size_t kBatchBytes = 4 * 1024 * 1024;

std::string with_owner(std::string filter, std::int64_t owner) {
    const std::string key = "$OWNER";
    for (auto pos = filter.find(key); pos != std::string::npos; pos = filter.find(key)) {
        filter.replace(pos, key.size(), std::to_string(owner));
    }
    return filter;
}

std::string select_sql(pqxx::transaction_base& txn, const HomeTable& t, std::int64_t owner,
                       const std::string& what) {
    std::string sql = "SELECT " + what + " FROM " + txn.quote_name(t.name) + " t WHERE " +
                      with_owner(t.filter, owner);
    if (t.name == "collection" && what != "count(*)") {
        sql += " ORDER BY length(t.path), t.id";  // parents before children
    }
    return sql;
}

}  // namespace

std::vector<HomeTable> home_tables(pqxx::transaction_base& txn) {
    const auto rows = txn.exec(
        "SELECT c.relname, bool_or(a.attname = 'owner_id'), "
        "bool_or(a.attname = 'collection_id'), bool_or(a.attname = 'object_id') "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
        "AND c.relname NOT IN ('schema_version', 'home_placement') "
        "GROUP BY c.relname ORDER BY c.relname");
    std::vector<HomeTable> out;
    const std::string in_collections =
        "(SELECT c.id FROM collection c WHERE c.owner_id = $OWNER)";
    for (const auto& row : rows) {
        HomeTable t;
        t.name = row[0].as<std::string>();
        const bool owner = row[1].as<bool>();
        const bool collection = row[2].as<bool>();
        const bool object = row[3].as<bool>();
        if (t.name == "collection") {
            t.filter = "t.owner_id = $OWNER";
            t.tier = 0;
        } else if (t.name == "object") {
            t.filter = "t.collection_id IN " + in_collections;
            t.tier = 1;
        } else if (owner) {
            t.filter = "t.owner_id = $OWNER";
            t.tier = 4;
        } else if (collection) {
            t.filter = "t.collection_id IN " + in_collections;
            t.tier = 2;
        } else if (object) {
            t.filter =
                "t.object_id IN (SELECT o.id FROM object o JOIN collection c "
                "ON c.id = o.collection_id WHERE c.owner_id = $OWNER)";
            t.tier = 3;
        } else {
            throw Error(Errc::kInternal, "table " + t.name +
                                             " has no owner_id, collection_id or object_id "
                                             "column: the mover cannot tell whose rows are "
                                             "whose (teach src/store_pg/home_copy.cpp)");
        }
        out.push_back(std::move(t));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const HomeTable& a, const HomeTable& b) { return a.tier < b.tier; });
    return out;
}

std::int64_t copy_home(pqxx::transaction_base& src, pqxx::transaction_base& dst,
                       const std::vector<HomeTable>& tables, std::int64_t owner) {
    std::int64_t total = 0;
    for (const HomeTable& t : tables) {
        const std::string insert = "INSERT INTO " + dst.quote_name(t.name) +
                                   " SELECT * FROM jsonb_populate_recordset(NULL::" +
                                   dst.quote_name(t.name) + ", $1::jsonb)";
        std::int64_t copied = 0;
        std::string batch;
        auto flush = [&] {
            if (batch.empty()) {
                return;
            }
            copied += dst.exec_params(insert, "[" + batch + "]").affected_rows();
            batch.clear();
        };
        src.exec("DECLARE home_rows NO SCROLL CURSOR FOR " +
                 select_sql(src, t, owner, "to_jsonb(t)::text"));
        for (;;) {
            const auto rows = src.exec("FETCH " + std::to_string(kFetchRows) + " FROM home_rows");
            for (const auto& row : rows) {
                if (!batch.empty()) {
                    batch += ',';
                }
                batch += row[0].c_str();
                if (batch.size() >= kBatchBytes) {
                    flush();
                }
            }
            if (rows.size() < static_cast<std::size_t>(kFetchRows)) {
                break;
            }
        }
        src.exec("CLOSE home_rows");
        flush();
        // Both sides counted inside their transactions: the copy is exact.
        const auto want = src.exec(select_sql(src, t, owner, "count(*)"))[0][0].as<std::int64_t>();
        const auto have = dst.exec(select_sql(dst, t, owner, "count(*)"))[0][0].as<std::int64_t>();
        if (want != copied || have != want) {
            throw Error(Errc::kInternal, "copy of " + t.name + " rows is incomplete: " +
                                             std::to_string(want) + " on the source, " +
                                             std::to_string(have) + " on the target");
        }
        total += copied;
    }
    return total;
}

void delete_home(pqxx::transaction_base& txn, const std::vector<HomeTable>& tables,
                 std::int64_t owner) {
    for (auto it = tables.rbegin(); it != tables.rend(); ++it) {
        txn.exec("DELETE FROM " + txn.quote_name(it->name) + " t WHERE " +
                 with_owner(it->filter, owner));
    }
}

}  // namespace cosmo::store_pg::detail
