#pragma once
/// User administration shared by the CLI and the embedded demo user.

#include <string>

#include "cosmo/store/directory.hpp"
#include "cosmo/store/shard_store.hpp"

namespace cosmo::app {

/// Creates a user on the least-loaded shard and makes their home with the
/// default calendar. Throws store::Error{kAlreadyExists} if the name is taken.
store::User create_user(store::Directory& directory, store::ShardStore& shards,
                        const std::string& name, const std::string& email,
                        const std::string& password);

/// A user name must be usable in a URL path segment once percent-encoded:
/// non-empty, at most 255 bytes, valid UTF-8, no '/', no control characters.
bool valid_user_name(const std::string& name);

}  // namespace cosmo::app
