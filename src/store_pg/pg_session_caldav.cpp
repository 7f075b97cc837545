// PgSession: the CalDAV read paths (UID lookup, multiget, time-range
// prefilter) and the RFC 6578 change log reads (shard_store.hpp).

#include "cosmo/store/error.hpp"
#include "paths.hpp"
#include "pg_session.hpp"
#include "queries.hpp"
#include "rows.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace cosmo::store_pg::detail {

namespace {

const store::Resource& resource_of(const store::Resource& r) { return r; }
const store::Resource& resource_of(const store::StoredObject& o) { return o.resource; }

/// COSMO_OBJ_COLS followed by the body.
store::StoredObject stored_from(const pqxx::row& row) {
    store::StoredObject o;
    o.resource = object_from(row);
    o.body = bytes_of(row[8]);
    return o;
}

/// As stored_from, the body read as text (kObjectsReadText).
store::StoredObject stored_from_text(const pqxx::row& row) {
    store::StoredObject o;
    o.resource = object_from(row);
    o.body = text_of(row[8]);
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

/// Rows of one collection put back in the order of `names` (which may
/// repeat a name; each row is used for every mention, as the join did).
template <typename T>
std::vector<T> in_order_of(const std::vector<std::string>& names, std::vector<T> rows,
                           const std::string& collection_path) {
    std::unordered_map<std::string_view, std::size_t> at;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::string& path = resource_of(rows[i]).path;
        at.emplace(std::string_view(path).substr(collection_path.size()), i);
    }
    // A row is moved out on its last mention and copied before that: rows
    // carry bodies, and a repeated name is rare.
    std::vector<std::size_t> order;
    order.reserve(names.size());
    for (const std::string& n : names) {
        if (const auto it = at.find(n); it != at.end()) {
            order.push_back(it->second);
        }
    }
    std::vector<std::size_t> mentions_left(rows.size(), 0);
    for (const std::size_t i : order) ++mentions_left[i];
    std::vector<T> out;
    out.reserve(order.size());
    for (const std::size_t i : order) {
        if (--mentions_left[i] == 0) {
            out.push_back(std::move(rows[i]));
        } else {
            out.push_back(rows[i]);
        }
    }
    return out;
}

}  // namespace

std::optional<store::Resource> PgSession::single_collection_of(
    const std::vector<std::string>& parents) {
    if (parents.empty() ||
        std::any_of(parents.begin(), parents.end(),
                    [&](const std::string& p) { return p != parents.front(); })) {
        return std::nullopt;
    }
    // Usually the request's own collection, read by the session's first
    // statement: no round trip.
    std::optional<store::Resource> c = stat(parents.front());
    return c && c->is_collection ? c : std::nullopt;
}

PgSession::BatchRows PgSession::batch_rows(const std::vector<std::string>& paths,
                                           bool with_bodies) {
    auto [parents, names] = split_object_paths(paths);
    BatchRows b;
    if (names.empty()) {
        return b;
    }
    const std::optional<store::Resource> one = single_collection_of(parents);
    const auto read = [&](pqxx::transaction_base& txn, const char* in_one, const char* joined) {
        pqxx::result r =
            one ? txn.exec_prepared(in_one, one->id, one->path, text_array(names), owner_, epoch_)
                : txn.exec_prepared(joined, owner_, text_array(parents), text_array(names),
                                    epoch_);
        home_confirmed_by(r);
        return r;
    };
    // Bodies as text where that is exact (queries.cpp, kObjectsReadText).
    // A body that is not UTF-8 (a plain WebDAV file, or an object stored
    // before PUT checked) fails that statement; outside a transaction block
    // the failure changes nothing, and the bytea statement answers instead.
    b.bodies_as_text = with_bodies && !in_transaction_ && lease_.pool().bodies_as_text();
    b.rows = run([&](pqxx::transaction_base& txn) {
        if (b.bodies_as_text) {
            try {
                return read(txn, q::kObjectsReadInText, q::kObjectsReadText);
            } catch (const pqxx::sql_error& e) {
                if (e.sqlstate() != "22021") throw;  // invalid byte sequence for encoding
                b.bodies_as_text = false;
            }
        }
        return with_bodies ? read(txn, q::kObjectsReadIn, q::kObjectsRead)
                           : read(txn, q::kObjectsStatIn, q::kObjectsStat);
    });
    if (one) {
        b.one_collection = one->path;
    }
    b.names = std::move(names);
    return b;
}

namespace {

/// Converted rows in the order of the requested paths.
template <typename T, typename Convert>
std::vector<T> in_request_order(const PgSession::BatchRows& b, Convert convert) {
    std::vector<T> out;
    out.reserve(b.rows.size());
    for (const auto& row : b.rows) {
        out.push_back(convert(row));
    }
    // The one-collection query answers in index order; the join, in ours.
    return b.one_collection ? in_order_of(b.names, std::move(out), *b.one_collection) : out;
}

}  // namespace

std::vector<store::StoredObject> PgSession::read_objects(const std::vector<std::string>& paths) {
    const BatchRows b = batch_rows(paths, true);
    return b.bodies_as_text ? in_request_order<store::StoredObject>(b, stored_from_text)
                            : in_request_order<store::StoredObject>(b, stored_from);
}

std::vector<store::Resource> PgSession::stat_objects(const std::vector<std::string>& paths) {
    return in_request_order<store::Resource>(batch_rows(paths, false), object_from);
}

std::vector<store::StoredObject> PgSession::objects_in_range(const store::Resource& collection,
                                                             const std::string& component,
                                                             std::int64_t start,
                                                             std::int64_t end) {
    return run([&](pqxx::transaction_base& txn) {
        std::vector<store::StoredObject> out;
        const pqxx::result r = txn.exec_prepared(q::kObjectsInRange, owner_, collection.id,
                                                 component, start, end, epoch_);
        home_confirmed_by(r);
        for (const auto& row : r) {
            out.push_back(stored_from(row));
        }
        return out;
    });
}

std::vector<store::RangeCandidate> PgSession::resources_in_range(
    const store::Resource& collection, const std::string& component, std::int64_t start,
    std::int64_t end) {
    return run([&](pqxx::transaction_base& txn) {
        std::vector<store::RangeCandidate> out;
        const pqxx::result r = txn.exec_prepared(q::kResourcesInRange, owner_, collection.id,
                                                 component, start, end, epoch_);
        home_confirmed_by(r);
        for (const auto& row : r) {
            store::RangeCandidate c{object_from(row), std::nullopt};
            constexpr pqxx::row::size_type kIndex = 8;  // after COSMO_OBJ_COLS
            if (!row[kIndex].is_null()) {
                store::CalendarIndex ix;
                ix.component = text_of(row[kIndex]);
                ix.first_start =
                    row[kIndex + 1].is_null() ? store::kMinSeconds : int64_of(row[kIndex + 1]);
                ix.last_end =
                    row[kIndex + 2].is_null() ? store::kMaxSeconds : int64_of(row[kIndex + 2]);
                ix.recurring = bool_of(row[kIndex + 3]);
                c.index = std::move(ix);
            }
            out.push_back(std::move(c));
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
            out.push_back({text_of(row[0]), bool_of(row[1]), int64_of(row[2])});
        }
        return out;
    });
}

std::optional<std::int64_t> PgSession::oldest_change(const store::Resource& collection) {
    return run([&](pqxx::transaction_base& txn) -> std::optional<std::int64_t> {
        const auto r = txn.exec_prepared(q::kChangeOldest, collection.id, owner_, epoch_);
        home_confirmed_by(r);
        if (r.empty() || r[0][0].is_null()) {
            return std::nullopt;
        }
        return r[0][0].as<std::int64_t>();
    });
}

}  // namespace cosmo::store_pg::detail
