#pragma once
/// Administration of shards and user placement (`cosmo shard ...`,
/// `cosmo user move`): id ranges, usage figures, weights, and the online
/// move of a user's home from one shard to another. Blocking; for the CLI
/// and tests, never for the request path.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cosmo/store/types.hpp"

namespace cosmo::store_pg {

/// Each shard generates ids (collection, object, ...) in its own range
/// [id * kIdsPerShard, (id + 1) * kIdsPerShard): ids are unique across
/// shards, so a move copies rows with their ids, and sync tokens and
/// anything else derived from ids stay valid after a move.
inline constexpr std::int64_t kIdsPerShard = std::int64_t{1} << 40;

/// Moves every bigint sequence of the shard database into the shard's id
/// range (only forwards: a sequence already in the range is left alone).
/// Idempotent; run after registering a shard and after every migration
/// (a migration may add a sequence). Throws store::Error{kConflict} when a
/// sequence is already beyond the range (the database belongs to another
/// shard id).
void prepare_shard_ids(const std::string& shard_dsn, store::ShardId id);

/// What one shard holds (`cosmo shard list`).
struct ShardUsage {
    std::int64_t homes = 0;        ///< home_placement rows not moved away
    std::int64_t collections = 0;
    std::int64_t resources = 0;    ///< objects
    std::int64_t bytes = 0;        ///< sum of object sizes
    std::int64_t database_bytes = 0;  ///< pg_database_size
};

/// Counts on the shard. Throws store::Error{kShardUnavailable} when the
/// shard cannot be reached within timeout.
ShardUsage shard_usage(const std::string& shard_dsn, std::chrono::milliseconds timeout);

/// Sets a shard's placement weight (> 0). Throws store::Error{kNotFound}.
void set_shard_weight(const std::string& directory_dsn, const std::string& shard_name,
                      int weight);

/// Test and fault-injection hooks of a move.
struct MoveHooks {
    /// Called after each step: "fenced" (source read-only), "copied"
    /// (target holds the copy), "switched" (directory points at the target:
    /// the commit point), "activated" (target writable), "cleaned" (source
    /// copy deleted). An exception not derived from std::exception thrown
    /// here leaves the move exactly as a kill -9 would.
    std::function<void(std::string_view step)> after_step;
};

/// `cosmo user move NAME --to SHARD`. First finishes or rolls back an
/// earlier interrupted move of the user (see recover_move), then moves the
/// home online: (1) source placement 'moving' (waits for in-flight writes;
/// the user's writes get 503 from here), (2) every row copied to the
/// target in one transaction with ids unchanged, (3) directory switched
/// (shard and epoch + 1: the commit point), (4) target 'active', (5) source
/// rows deleted, its placement kept as a 'moved' tombstone. Reads keep
/// working throughout. Returns a line for the operator. Throws store::Error
/// (kNotFound: no such user or shard; kConflict: target not active or a
/// move of the user is running; kShardUnavailable: a database is down) and
/// leaves the move to be recovered by the next run.
std::string move_user(const std::string& directory_dsn, const std::string& user_name,
                      const std::string& target_shard, const MoveHooks& hooks = {});

/// Finishes (the directory already points at the target) or rolls back
/// (it does not) an interrupted move of the user. Returns what it did, or
/// "" when no move of the user was pending.
std::string recover_move(const std::string& directory_dsn, const std::string& user_name);

/// Names of users with a move pending (started, not finished).
std::vector<std::string> pending_moves(const std::string& directory_dsn);

}  // namespace cosmo::store_pg
