// PgShardStore: routes a user to the pool of its shard (DESIGN.md "Every user
// is homed on exactly one shard") and opens one transaction there.

#include <algorithm>
#include <map>
#include <mutex>
#include <pqxx/pqxx>

#include "cosmo/store/error.hpp"
#include "cosmo/store_pg/pg.hpp"
#include "errors.hpp"
#include "group_runners.hpp"
#include "pg_session.hpp"
#include "pool.hpp"
#include "queries.hpp"
#include "watchdog.hpp"

namespace cosmo::store_pg {

namespace {

using detail::Pool;
using store::Errc;
using store::Error;

/// How long a shard's state (active/readonly) is trusted before asking the
/// directory again. DSNs rarely change; states change on maintenance.
constexpr auto kShardInfoTtl = std::chrono::seconds(10);

class PgShardStore final : public store::ShardStore {
public:
    PgShardStore(store::Directory& directory, PoolOptions options)
        : directory_(directory), options_(options) {}

    using store::ShardStore::open;
    std::unique_ptr<store::Session> open(const store::User& owner,
                                         const store::OpenHint& hint) override {
        const Route route = route_to(owner.shard_id);
        for (int attempt = 0;; ++attempt) {
            auto lease = route.pool->acquire();
            const bool reused = lease.reused();
            try {
                return std::make_unique<detail::PgSession>(
                    std::move(lease), owner, route.state == "readonly", hint, route.shared);
            } catch (const Error& e) {
                // An idle pooled connection to a server that restarted fails
                // on BEGIN; the pool has dropped every idle connection by
                // now, so one retry opens a fresh one (nothing was done).
                if (e.code() == Errc::kShardUnavailable && reused && attempt == 0) {
                    continue;
                }
                throw;
            }
        }
    }

    void ping_all() override {
        for (const auto& shard : directory_.list_shards()) {
            const Route route = route_to(shard.id);
            detail::guarded([&] {
                auto lease = route.pool->acquire();
                // /readyz must answer within the load balancer's check
                // timeout even when a shard hangs (watchdog.hpp).
                const detail::WatchdogGuard deadline(lease.conn().sock(),
                                                     options_.connect_timeout);
                try {
                    pqxx::nontransaction txn(lease.conn());
                    txn.exec_prepared(detail::q::kPing);
                } catch (const pqxx::broken_connection&) {
                    lease.discard();
                    if (deadline.fired()) {
                        route.pool->mark_down();
                    }
                    throw;
                }
            });
        }
    }

    std::int64_t purge_change_log(std::chrono::seconds max_age) override {
        std::int64_t deleted = 0;
        for (const auto& shard : directory_.list_shards()) {
            const Route route = route_to(shard.id);
            if (route.state == "readonly") {
                continue;
            }
            detail::guarded([&] {
                auto lease = route.pool->acquire();
                try {
                    pqxx::work txn(lease.conn());
                    const auto r = txn.exec_prepared(detail::q::kChangeLogPurge,
                                                     static_cast<std::int64_t>(max_age.count()));
                    txn.commit();
                    deleted += r.affected_rows();
                } catch (const pqxx::broken_connection&) {
                    lease.discard();
                    throw;
                }
            });
        }
        return deleted;
    }

    std::vector<store::ShardStats> stats() const override {
        std::vector<Route> routes;
        {
            std::lock_guard lock(mutex_);
            for (const auto& [id, route] : routes_) routes.push_back(route);
        }
        std::vector<store::ShardStats> out;
        for (const Route& route : routes) {
            store::ShardStats s;
            s.shard = route.name;
            const Pool::Stats pool = route.pool->stats();
            s.connections_open = pool.open;
            s.connections_idle = pool.idle;
            s.connections_opened = pool.opened;
            s.connections_dropped = pool.dropped;
            s.acquire_waits = pool.waits;
            s.acquire_timeouts = pool.timeouts;
            s.acquire_refused = pool.refused;
            const auto add = [&](const char* statement, const auto& groups) {
                const auto counts = groups.counts();
                s.groups.push_back({statement, counts.groups, counts.grouped,
                                    counts.rolled_back, counts.failed, groups.queued()});
            };
            if (route.shared.put_groups) add("put", *route.shared.put_groups);
            if (const auto& opens = route.shared.open_groups) {
                using Kind = detail::SessionOpen::Kind;
                add("open_home", opens->of(Kind::kHome));
                add("open_collection", opens->of(Kind::kCollection));
                add("open_object", opens->of(Kind::kObject));
            }
            out.push_back(std::move(s));
        }
        // The directory's other shards, which this process has not routed a
        // request to yet, with zeros: every shard has its series from the
        // first scrape on (dashboards by shard, alerts on absent series).
        // With the directory unreachable, the routed ones are all we know.
        std::vector<store::Shard> all;
        try {
            all = directory_.list_shards();
        } catch (const std::exception&) {
        }
        for (const store::Shard& shard : all) {
            const bool routed = std::any_of(routes.begin(), routes.end(),
                                            [&](const Route& r) { return r.name == shard.name; });
            if (!routed) out.push_back(unrouted_stats(shard.name));
        }
        return out;
    }

private:
    /// A shard no request has been routed to: nothing opened, nothing sent,
    /// and the statement kinds its groups would count.
    store::ShardStats unrouted_stats(const std::string& name) const {
        store::ShardStats s;
        s.shard = name;
        const auto add = [&](const char* statement) {
            s.groups.push_back({statement, 0, 0, 0, 0, 0});
        };
        if (options_.write_groups > 0) add("put");
        if (options_.read_groups > 0) {
            add("open_home");
            add("open_collection");
            add("open_object");
        }
        return s;
    }

    struct Route {
        std::string name;  ///< the shard's, in the directory
        std::shared_ptr<Pool> pool;
        /// What PUTs on this shard read of their parents (guessed
        /// sessions), and where PUTs and reads of objects go in groups
        /// (none when options.write_groups or read_groups is 0).
        detail::ShardShared shared;
        std::string state;
        std::chrono::steady_clock::time_point checked;
    };

    /// The cached route to a shard, refreshed from the directory when stale.
    /// When the directory is down, a stale route is still used.
    Route route_to(store::ShardId id) {
        const auto now = std::chrono::steady_clock::now();
        std::optional<Route> cached;
        {
            std::lock_guard lock(mutex_);
            if (auto it = routes_.find(id); it != routes_.end()) {
                if (now - it->second.checked < kShardInfoTtl) {
                    return it->second;
                }
                cached = it->second;
            }
        }
        std::optional<store::Shard> shard;
        try {
            shard = directory_.find_shard(id);
        } catch (const Error&) {
            if (cached) {
                return *cached;
            }
            throw;
        }
        if (!shard) {
            throw Error(Errc::kInternal, "user placed on unknown shard " + std::to_string(id));
        }
        std::lock_guard lock(mutex_);
        Route& route = routes_[id];
        if (!route.pool || route.pool->dsn() != shard->dsn) {
            route.pool = std::make_shared<Pool>(shard->dsn, options_, detail::shard_queries());
            route.shared.contexts = std::make_shared<detail::WriteContexts>();
            route.shared.put_groups =
                options_.write_groups > 0
                    ? std::make_shared<detail::PutGroups>(options_.write_groups)
                    : nullptr;
            route.shared.open_groups =
                options_.read_groups > 0
                    ? std::make_shared<detail::OpenGroups>(options_.read_groups)
                    : nullptr;
            if (options_.group_threads) {
                // Earlier routes' groups stop with their last session.
                if (route.shared.put_groups && options_.write_groups == 1) {
                    route.shared.put_groups->run_on_own_thread(
                        detail::put_group_runner(route.pool));
                }
                if (route.shared.open_groups && options_.read_groups == 1) {
                    for (const auto kind : {detail::SessionOpen::Kind::kHome,
                                            detail::SessionOpen::Kind::kCollection,
                                            detail::SessionOpen::Kind::kObject}) {
                        route.shared.open_groups->of(kind).run_on_own_thread(
                            detail::open_group_runner(route.pool));
                    }
                }
            }
        }
        route.name = shard->name;
        route.state = shard->state;
        route.checked = now;
        return route;
    }

    store::Directory& directory_;
    PoolOptions options_;
    mutable std::mutex mutex_;
    std::map<store::ShardId, Route> routes_;
};

}  // namespace

std::unique_ptr<store::ShardStore> make_shard_store(store::Directory& directory,
                                                    PoolOptions options) {
    return std::make_unique<PgShardStore>(directory, options);
}

}  // namespace cosmo::store_pg
