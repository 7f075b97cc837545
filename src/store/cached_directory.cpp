#include "cosmo/store/cached_directory.hpp"

#include "cosmo/store/error.hpp"

namespace cosmo::store {

CachedDirectory::CachedDirectory(Directory& inner, std::chrono::milliseconds ttl,
                                 std::size_t capacity, std::chrono::milliseconds stale_if_error)
    : inner_(inner), ttl_(ttl), capacity_(capacity), stale_if_error_(stale_if_error) {}

std::optional<User> CachedDirectory::find_user(const std::string& name) {
    const auto now = std::chrono::steady_clock::now();
    std::optional<User> stale;
    {
        std::lock_guard lock(mutex_);
        auto it = users_.find(name);
        if (it != users_.end()) {
            if (it->second.expires > now) {
                return it->second.user;
            }
            if (it->second.expires + stale_if_error_ > now) {
                stale = it->second.user;
            } else {
                users_.erase(it);
            }
        }
    }
    // Not cached: ask the directory outside the lock, so one slow lookup
    // does not stall every other request.
    std::optional<User> user;
    try {
        user = inner_.find_user(name);
    } catch (const Error& e) {
        // Directory down: an expired entry is still a usable route, since
        // the shard checks the placement epoch inside every transaction.
        if (stale && e.code() == Errc::kShardUnavailable) {
            return stale;
        }
        throw;
    }
    if (!user) {
        invalidate(name);
    } else {
        std::lock_guard lock(mutex_);
        if (users_.size() >= capacity_) {
            std::erase_if(users_, [&](const auto& kv) {
                return kv.second.expires + stale_if_error_ <= now;
            });
            if (users_.size() >= capacity_) {
                users_.clear();  // crude but bounded; entries are cheap to refetch
            }
        }
        users_[name] = Entry{*user, now + ttl_};
    }
    return user;
}

User CachedDirectory::add_user(const std::string& name, const std::string& email,
                               const std::string& password_hash) {
    invalidate(name);
    return inner_.add_user(name, email, password_hash);
}

std::vector<User> CachedDirectory::list_users() { return inner_.list_users(); }

void CachedDirectory::set_password(const std::string& name, const std::string& password_hash) {
    inner_.set_password(name, password_hash);
    invalidate(name);
}

void CachedDirectory::set_disabled(const std::string& name, bool disabled) {
    inner_.set_disabled(name, disabled);
    invalidate(name);
}

std::vector<Shard> CachedDirectory::list_shards() { return inner_.list_shards(); }
std::optional<Shard> CachedDirectory::find_shard(ShardId id) { return inner_.find_shard(id); }
Shard CachedDirectory::add_shard(const std::string& name, const std::string& dsn) {
    return inner_.add_shard(name, dsn);
}
void CachedDirectory::set_shard_state(const std::string& name, const std::string& state) {
    inner_.set_shard_state(name, state);
}
void CachedDirectory::ping() { inner_.ping(); }

void CachedDirectory::invalidate(const std::string& name) {
    std::lock_guard lock(mutex_);
    users_.erase(name);
}

}  // namespace cosmo::store
