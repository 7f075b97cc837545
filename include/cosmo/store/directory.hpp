#pragma once
/// The directory: users, credentials, shards and the placement of each user.

#include <optional>
#include <string>
#include <vector>

#include "cosmo/store/types.hpp"

namespace cosmo::store {

/// Thread-safe; every call is its own short transaction on the directory DB.
/// Blocking: never call on an I/O thread.
class Directory {
public:
    virtual ~Directory() = default;

    virtual std::optional<User> find_user(const std::string& name) = 0;
    /// Creates a user placed on the least-loaded active shard (weights
    /// honoured) and returns it. Throws Error{kAlreadyExists} or
    /// Error{kConflict} when no shard is active.
    virtual User add_user(const std::string& name, const std::string& email,
                          const std::string& password_hash) = 0;
    virtual std::vector<User> list_users() = 0;
    virtual void set_password(const std::string& name, const std::string& password_hash) = 0;
    virtual void set_disabled(const std::string& name, bool disabled) = 0;

    virtual std::vector<Shard> list_shards() = 0;
    virtual std::optional<Shard> find_shard(ShardId id) = 0;
    /// Registers a shard (the caller migrates it first). Throws kAlreadyExists.
    virtual Shard add_shard(const std::string& name, const std::string& dsn) = 0;
    virtual void set_shard_state(const std::string& name, const std::string& state) = 0;

    /// Throws Error{kShardUnavailable} if the directory cannot be reached.
    virtual void ping() = 0;

    /// Forgets anything cached about a user (after a shard said the user's
    /// home moved). A directory without a cache has nothing to forget.
    virtual void invalidate(const std::string& /*name*/) {}
};

}  // namespace cosmo::store
