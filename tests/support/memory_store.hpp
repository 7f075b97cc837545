#pragma once
/// In-memory store::Directory and store::ShardStore for tests: thread-safe,
/// and transactional enough (a session works on a copy of the home and
/// swaps it in on commit). Follows the semantics of the store headers so
/// the same contract tests can run against it and against PostgreSQL.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cosmo/store/directory.hpp"
#include "cosmo/store/error.hpp"
#include "cosmo/store/shard_store.hpp"

namespace cosmo::test {

/// Directory with users and shards in maps.
class MemoryDirectory : public store::Directory {
public:
    std::optional<store::User> find_user(const std::string& name) override;
    store::User add_user(const std::string& name, const std::string& email,
                         const std::string& password_hash) override;
    std::vector<store::User> list_users() override;
    void set_password(const std::string& name, const std::string& password_hash) override;
    void set_disabled(const std::string& name, bool disabled) override;
    std::vector<store::Shard> list_shards() override;
    std::optional<store::Shard> find_shard(store::ShardId id) override;
    store::Shard add_shard(const std::string& name, const std::string& dsn) override;
    void set_shard_state(const std::string& name, const std::string& state) override;
    void ping() override {}

private:
    std::mutex mutex_;
    std::map<std::string, store::User> users_;
    std::vector<store::Shard> shards_;
    store::UserId next_user_ = 1;
};

/// All homes of all users in memory.
class MemoryShardStore : public store::ShardStore {
public:
    struct Entry {
        store::Resource resource;
        std::string body;
        std::vector<store::DeadProperty> properties;
        std::optional<store::CalendarIndex> index;  ///< objects in calendars
    };
    /// One change_log row (schema/shard/001_init.sql).
    struct LoggedChange {
        std::int64_t collection_id = 0;
        store::Change change;
        store::Timestamp at;
    };
    struct Home {
        std::map<std::string, Entry> entries;  ///< by Resource::path
        std::vector<store::Lock> locks;
        std::vector<LoggedChange> change_log;  ///< in revision order per collection
        std::int64_t next_id = 1;
    };

    using store::ShardStore::open;
    std::unique_ptr<store::Session> open(const store::User& owner,
                                         const store::OpenHint& hint) override;
    void ping_all() override;
    std::int64_t purge_change_log(std::chrono::seconds max_age) override;

    /// Moves every change_log timestamp of owner's home back by `by` (tests
    /// of the retention purge).
    void age_change_log(store::UserId owner, std::chrono::seconds by);

    /// The next `count` calls to open() throw Error{code} (fault injection).
    void fail_next_opens(store::Errc code, int count = 1);
    /// The next `count` calls to a session's confirm_reads() throw
    /// Error{kMoved}, as a shard does when a move finished under a read.
    void fail_next_confirms(int count = 1);
    /// Used by sessions: throws when a failure is pending; counts calls.
    void confirm_read();
    /// Number of confirm_reads() calls so far.
    int confirms() const;
    /// Number of sessions opened so far.
    int opens() const;
    /// Dead-property list reads so far (dead_properties, and one per
    /// dead_properties_of batch): PROPFIND must not read per member.
    int dead_property_reads() const;
    /// Used by sessions: counts one dead-property list read.
    void count_dead_property_read();
    /// Body reads so far (read_body, and one per read_objects batch): a
    /// multistatus must not read bodies per member.
    int body_reads() const;
    /// Used by sessions: counts one body read.
    void count_body_read();
    /// Committed state of a home (a copy), for assertions.
    Home snapshot(store::UserId owner) const;

    /// Used by sessions.
    Home load(store::UserId owner) const;
    void store(store::UserId owner, Home home);

private:
    mutable std::mutex mutex_;
    std::map<store::UserId, Home> homes_;
    std::optional<store::Errc> fail_code_;
    int fail_count_ = 0;
    int opens_ = 0;
    int confirm_failures_ = 0;
    int confirms_ = 0;
    int dead_property_reads_ = 0;
    int body_reads_ = 0;
};

}  // namespace cosmo::test
