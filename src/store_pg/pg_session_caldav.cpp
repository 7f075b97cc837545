// PgSession: the CalDAV read paths (UID lookup, multiget, time-range
// prefilter) and the RFC 6578 change log reads (shard_store.hpp).

#include "cosmo/store/error.hpp"
#include "paths.hpp"
#include "pg_session.hpp"
#include "queries.hpp"
#include "rows.hpp"

namespace cosmo::store_pg::detail {

namespace {

/// COSMO_OBJ_COLS followed by the body.
store::StoredObject stored_from(const pqxx::row& row) {
    store::StoredObject o;
    o.resource = object_from(row);
    o.body = pqxx::binarystring(row[8]).str();
    return o;
}

}  // namespace

std::optional<std::string> PgSession::find_by_uid(const store::Resource& collection,
                                                  const std::string& uid) {
    return run([&](pqxx::transaction_base& txn) -> std::optional<std::string> {
        const auto r = txn.exec_prepared(q::kObjectByUid, owner_, collection.id, uid);
        if (r.empty()) {
            return std::nullopt;
        }
        return r[0][0].as<std::string>();
    });
}

namespace {

/// Object paths as the (parent, name) arrays the batch queries take;
/// collection paths and invalid ones are left out (they name no object).
std::pair<std::vector<std::string>, std::vector<std::string>> split_object_paths(
    const std::vector<std::string>& paths) {
    std::pair<std::vector<std::string>, std::vector<std::string>> out;
    for (const std::string& p : paths) {
        if (p.empty() || is_collection_path(p) || !is_valid_path(p)) {
            continue;
        }
        out.first.push_back(parent_of(p));
        out.second.push_back(leaf_of(p));
    }
    return out;
}

}  // namespace

std::vector<store::StoredObject> PgSession::read_objects(const std::vector<std::string>& paths) {
    return run([&](pqxx::transaction_base& txn) {
        const auto [parents, names] = split_object_paths(paths);
        std::vector<store::StoredObject> out;
        if (names.empty()) {
            return out;
        }
        for (const auto& row : txn.exec_prepared(q::kObjectsRead, owner_, text_array(parents),
                                                 text_array(names))) {
            out.push_back(stored_from(row));
        }
        return out;
    });
}

std::vector<store::Resource> PgSession::stat_objects(const std::vector<std::string>& paths) {
    return run([&](pqxx::transaction_base& txn) {
        const auto [parents, names] = split_object_paths(paths);
        std::vector<store::Resource> out;
        if (names.empty()) {
            return out;
        }
        for (const auto& row : txn.exec_prepared(q::kObjectsStat, owner_, text_array(parents),
                                                 text_array(names))) {
            out.push_back(object_from(row));
        }
        return out;
    });
}

std::vector<store::StoredObject> PgSession::objects_in_range(const store::Resource& collection,
                                                             const std::string& component,
                                                             std::int64_t start,
                                                             std::int64_t end) {
    return run([&](pqxx::transaction_base& txn) {
        std::vector<store::StoredObject> out;
        for (const auto& row : txn.exec_prepared(q::kObjectsInRange, owner_, collection.id,
                                                 component, start, end)) {
            out.push_back(stored_from(row));
        }
        return out;
    });
}

std::vector<store::Resource> PgSession::resources_in_range(const store::Resource& collection,
                                                          const std::string& component,
                                                          std::int64_t start, std::int64_t end) {
    return run([&](pqxx::transaction_base& txn) {
        std::vector<store::Resource> out;
        for (const auto& row : txn.exec_prepared(q::kResourcesInRange, owner_, collection.id,
                                                 component, start, end)) {
            out.push_back(object_from(row));
        }
        return out;
    });
}

std::vector<store::Change> PgSession::changes_since(const store::Resource& collection,
                                                    std::int64_t since, std::size_t limit) {
    return run([&](pqxx::transaction_base& txn) {
        std::vector<store::Change> out;
        const auto n = static_cast<std::int64_t>(
            std::min<std::size_t>(limit, static_cast<std::size_t>(INT64_MAX)));
        for (const auto& row : txn.exec_prepared(q::kChangesSince, collection.id, since, n)) {
            out.push_back({row[0].as<std::string>(), row[1].as<bool>(),
                           row[2].as<std::int64_t>()});
        }
        return out;
    });
}

std::optional<std::int64_t> PgSession::oldest_change(const store::Resource& collection) {
    return run([&](pqxx::transaction_base& txn) -> std::optional<std::int64_t> {
        const auto r = txn.exec_prepared(q::kChangeOldest, collection.id);
        if (r.empty() || r[0][0].is_null()) {
            return std::nullopt;
        }
        return r[0][0].as<std::int64_t>();
    });
}

}  // namespace cosmo::store_pg::detail
