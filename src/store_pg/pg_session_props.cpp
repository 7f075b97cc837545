// PgSession: dead properties (RFC 4918 §15 "dead property") and locks
// (RFC 4918 §6-7). Both are keyed by home-relative path, so copy/move/delete
// rewrite them with prefix statements (pg_session.cpp).

#include <algorithm>
#include <unordered_map>

#include "cosmo/store/error.hpp"
#include "paths.hpp"
#include "pg_session.hpp"
#include "queries.hpp"
#include "rows.hpp"

namespace cosmo::store_pg::detail {

using store::DeadProperty;
using store::Errc;
using store::Error;
using store::Lock;

namespace {

DeadProperty property_from(const pqxx::row& r) {
    return {r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>()};
}

std::vector<Lock> locks_from(const pqxx::result& result) {
    std::vector<Lock> out;
    for (const auto& row : result) {
        out.push_back(lock_from(row));
    }
    return out;
}

}  // namespace

std::vector<DeadProperty> PgSession::dead_properties(const store::Resource& resource) {
    if (home_fresh_) {
        if (const auto it = props_cache_.find(resource.path); it != props_cache_.end()) {
            return it->second;
        }
    }
    auto props = run([&](pqxx::transaction_base& txn) {
        std::vector<DeadProperty> out;
        const pqxx::result r = txn.exec_prepared(q::kPropsList, owner_, resource.path, epoch_);
        home_confirmed_by(r);
        for (const auto& row : r) {
            if (row[0].is_null()) continue;  // none: the row says only "home here"
            out.push_back(property_from(row));
        }
        return out;
    });
    if (home_fresh_) {
        props_cache_.emplace(resource.path, props);
    }
    return props;
}

std::vector<std::vector<DeadProperty>> PgSession::dead_properties_of(
    const std::vector<const store::Resource*>& resources) {
    // Child collections listed by children() came with their properties:
    // a home's listing reads none again (nor confirms the home again).
    if (home_fresh_ && !resources.empty() &&
        std::all_of(resources.begin(), resources.end(), [&](const store::Resource* r) {
            return r->is_collection && props_cache_.contains(r->path);
        })) {
        std::vector<std::vector<DeadProperty>> out;
        out.reserve(resources.size());
        for (const store::Resource* r : resources) out.push_back(props_cache_.find(r->path)->second);
        return out;
    }
    return run([&](pqxx::transaction_base& txn) {
        std::vector<std::vector<DeadProperty>> out(resources.size());
        if (resources.empty()) {
            return out;
        }
        std::vector<std::string> paths;
        paths.reserve(resources.size());
        for (const store::Resource* r : resources) {
            paths.push_back(r->path);
        }
        // Rows come ordered by path; hand each group to every resource with
        // that path (a path may be listed twice).
        std::unordered_map<std::string, std::vector<DeadProperty>> by_path;
        const pqxx::result rows =
            txn.exec_prepared(q::kPropsListMany, owner_, text_array(paths), epoch_);
        home_confirmed_by(rows);
        for (const auto& row : rows) {
            if (row[0].is_null()) continue;  // none: the row says only "home here"
            by_path[row[0].as<std::string>()].push_back(
                {row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::string>()});
        }
        for (std::size_t i = 0; i < resources.size(); ++i) {
            if (const auto it = by_path.find(resources[i]->path); it != by_path.end()) {
                out[i] = it->second;
            }
            // A collection's live properties read its dead ones next (a
            // calendar's supported-calendar-component-set in a home
            // listing): served from here, not one statement per calendar.
            if (home_fresh_ && resources[i]->is_collection) {
                props_cache_.emplace(resources[i]->path, out[i]);
            }
        }
        return out;
    });
}

std::optional<DeadProperty> PgSession::dead_property(const store::Resource& resource,
                                                     const std::string& ns,
                                                     const std::string& name) {
    if (home_fresh_) {
        // One read of all the resource's properties serves every lookup of
        // the request (a calendar PUT asks for two or three).
        for (DeadProperty& p : dead_properties(resource)) {
            if (p.ns == ns && p.name == name) {
                return std::move(p);
            }
        }
        return std::nullopt;
    }
    return run([&](pqxx::transaction_base& txn) -> std::optional<DeadProperty> {
        const auto r = txn.exec_prepared(q::kPropGet, owner_, resource.path, ns, name);
        if (r.empty()) {
            return std::nullopt;
        }
        return property_from(r[0]);
    });
}

void PgSession::set_dead_property(const store::Resource& resource, const DeadProperty& prop) {
    run([&](pqxx::transaction_base& txn) {
        check_writable();
        txn.exec_prepared(q::kPropUpsert, owner_, resource.path, prop.ns, prop.name,
                          prop.value_xml);
    });
}

void PgSession::remove_dead_property(const store::Resource& resource, const std::string& ns,
                                     const std::string& name) {
    run([&](pqxx::transaction_base& txn) {
        check_writable();
        txn.exec_prepared(q::kPropDelete, owner_, resource.path, ns, name);
    });
}

std::vector<Lock> PgSession::locks_covering(const std::string& path) {
    if (!home_fresh_) {
        return run([&](pqxx::transaction_base& txn) {
            return locks_from(txn.exec_prepared(q::kLocksCovering, owner_, path));
        });
    }
    if (!home_locks_) {
        home_locks_ = run([&](pqxx::transaction_base& txn) {
            return locks_from(txn.exec_prepared(q::kLocksOfHome, owner_));
        });
    }
    // As kLocksCovering: a lock on the path itself, or a depth-infinity
    // lock on a collection above it; ordered by root, token like the rows.
    std::vector<Lock> out;
    for (const Lock& l : *home_locks_) {
        const bool on_collection = l.root.empty() || l.root.back() == '/';
        if (l.root == path || (l.depth_infinity && on_collection && path.starts_with(l.root))) {
            out.push_back(l);
        }
    }
    return out;
}

std::vector<Lock> PgSession::locks_within(const std::string& path) {
    return run([&](pqxx::transaction_base& txn) {
        // A prefix match is only right below a collection: "a.ics" must not
        // catch "a.ics2".
        const char* query = is_collection_path(path) ? q::kLocksWithinSubtree : q::kLocksAt;
        return locks_from(txn.exec_prepared(query, owner_, path));
    });
}

std::optional<Lock> PgSession::find_lock(const std::string& token) {
    return run([&](pqxx::transaction_base& txn) -> std::optional<Lock> {
        const auto r = txn.exec_prepared(q::kLockFind, owner_, token);
        if (r.empty()) {
            return std::nullopt;
        }
        return lock_from(r[0]);
    });
}

void PgSession::create_lock(const Lock& lock) {
    run([&](pqxx::transaction_base& txn) {
        check_writable();
        if (lock.timeout_seconds < 0) {
            throw Error(Errc::kConflict, "negative lock timeout");
        }
        // Expired locks of this home are garbage; drop them while we are here.
        txn.exec_prepared(q::kLocksPurgeExpired, owner_);
        txn.exec_prepared(q::kLockInsert, lock.token, owner_, lock.root, lock.exclusive,
                          lock.depth_infinity, lock.owner_xml, lock.principal,
                          lock.timeout_seconds);
    });
}

void PgSession::refresh_lock(const std::string& token, std::int64_t timeout_seconds) {
    run([&](pqxx::transaction_base& txn) {
        check_writable();
        if (txn.exec_prepared(q::kLockRefresh, owner_, token, timeout_seconds)
                .affected_rows() == 0) {
            throw Error(Errc::kNotFound, "no lock " + token);
        }
    });
}

void PgSession::remove_lock(const std::string& token) {
    run([&](pqxx::transaction_base& txn) {
        check_writable();
        if (txn.exec_prepared(q::kLockDelete, owner_, token).affected_rows() == 0) {
            throw Error(Errc::kNotFound, "no lock " + token);
        }
    });
}

void PgSession::remove_locks_within(const std::string& path) {
    run([&](pqxx::transaction_base& txn) {
        check_writable();
        const char* query = is_collection_path(path) ? q::kLocksDeleteSubtree : q::kLocksDeleteAt;
        txn.exec_prepared(query, owner_, path);
    });
}

}  // namespace cosmo::store_pg::detail
