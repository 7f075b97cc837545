#pragma once
/// The runners of a shard's statement groups when they run on threads of
/// their own (StatementGroups::run_on_own_thread): each runs its groups on
/// a connection of its own, opened on first use and again after it broke,
/// outside the shard's pool (a group's members hold the pool's
/// connections while they wait for it).

#include <memory>

#include "guessed_put.hpp"
#include "pool.hpp"
#include "session_opens.hpp"

namespace cosmo::store_pg::detail {

/// Runs groups of guessed PUTs (write_guessed_puts): false when the group
/// rolled back (each member then writes alone), a store error when its
/// outcome is unknown.
PutGroups::Runner put_group_runner(std::shared_ptr<Pool> pool);

/// Runs groups of first reads (read_session_opens); errors are store
/// errors.
StatementGroups<SessionOpen>::Runner open_group_runner(std::shared_ptr<Pool> pool);

}  // namespace cosmo::store_pg::detail
