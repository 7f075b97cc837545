#pragma once
/// A Directory that remembers find_user answers for a short time: every
/// request needs its owner's placement, and the directory database must not
/// be asked each time. Soft state: any entry may be dropped at any moment,
/// so app servers stay identical and interchangeable.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <unordered_map>

#include "cosmo/store/directory.hpp"

namespace cosmo::store {

class CachedDirectory : public Directory {
public:
    /// Entries live for ttl; at most capacity users are kept. While the
    /// directory is unreachable, an entry up to stale_if_error past its ttl
    /// is still answered (a short directory outage is ridden out: every
    /// shard fences its writes by placement epoch, so a stale route can
    /// never write to the wrong shard).
    CachedDirectory(Directory& inner, std::chrono::milliseconds ttl, std::size_t capacity,
                    std::chrono::milliseconds stale_if_error = std::chrono::minutes(5));

    std::optional<User> find_user(const std::string& name) override;
    User add_user(const std::string& name, const std::string& email,
                  const std::string& password_hash) override;
    std::vector<User> list_users() override;
    void set_password(const std::string& name, const std::string& password_hash) override;
    void set_disabled(const std::string& name, bool disabled) override;
    std::vector<Shard> list_shards() override;
    std::optional<Shard> find_shard(ShardId id) override;
    Shard add_shard(const std::string& name, const std::string& dsn) override;
    void set_shard_state(const std::string& name, const std::string& state) override;
    void ping() override;

    /// Forgets one user (e.g. after the shard said the user moved).
    void invalidate(const std::string& name) override;

private:
    struct Entry {
        User user;
        std::chrono::steady_clock::time_point expires;
    };
    Directory& inner_;
    std::chrono::milliseconds ttl_;
    std::size_t capacity_;
    std::chrono::milliseconds stale_if_error_;
    std::mutex mutex_;
    std::unordered_map<std::string, Entry> users_;
};

}  // namespace cosmo::store
