#pragma once
/// PgSession: one transaction on one shard, scoped to one owner's home.

#include <optional>
#include <pqxx/pqxx>

#include "cosmo/store/shard_store.hpp"
#include "errors.hpp"
#include "pool.hpp"

namespace cosmo::store_pg::detail {

/// Hex SHA-256 of body, truncated to 32 characters: the strong ETag.
std::string etag_of(const std::string& body);

/// Implements store::Session; see shard_store.hpp for each method's contract.
class PgSession final : public store::Session {
public:
    /// Begins the transaction on a leased connection. read_only makes every
    /// write throw Error{kReadOnly} (shard state "readonly").
    PgSession(Pool::Lease lease, store::UserId owner, bool read_only);
    ~PgSession() override;

    void ensure_home() override;
    std::optional<store::Resource> stat(const std::string& path) override;
    std::vector<store::Resource> children(const store::Resource& collection) override;
    std::string read_body(const store::Resource& object) override;
    store::Resource put_object(const std::string& path, const std::string& content_type,
                               const std::string& body, bool* created) override;
    store::Resource make_collection(const std::string& path,
                                    store::CollectionKind kind) override;
    void remove(const store::Resource& resource) override;
    store::Resource copy(const store::Resource& src, const std::string& dst_path,
                         bool depth_infinity) override;
    store::Resource move(const store::Resource& src, const std::string& dst_path) override;

    std::vector<store::DeadProperty> dead_properties(const store::Resource& resource) override;
    std::optional<store::DeadProperty> dead_property(const store::Resource& resource,
                                                     const std::string& ns,
                                                     const std::string& name) override;
    void set_dead_property(const store::Resource& resource,
                           const store::DeadProperty& prop) override;
    void remove_dead_property(const store::Resource& resource, const std::string& ns,
                              const std::string& name) override;

    std::vector<store::Lock> locks_covering(const std::string& path) override;
    std::vector<store::Lock> locks_within(const std::string& path) override;
    std::optional<store::Lock> find_lock(const std::string& token) override;
    void create_lock(const store::Lock& lock) override;
    void refresh_lock(const std::string& token, std::int64_t timeout_seconds) override;
    void remove_lock(const std::string& token) override;
    void remove_locks_within(const std::string& path) override;

    std::int64_t used_bytes() override;
    void commit() override;

private:
    /// Runs f with the transaction, translating errors; a broken connection
    /// is discarded instead of going back to the pool.
    template <typename F>
    auto run(F&& f) {
        return guarded([&] {
            try {
                return f(*txn_);
            } catch (const pqxx::broken_connection&) {
                lease_.discard();
                throw;
            }
        });
    }

    /// Throws kReadOnly on a read-only shard.
    void check_writable() const;
    /// The collection at path, locked FOR UPDATE; nullopt when missing.
    std::optional<store::Resource> lock_collection(const std::string& path);
    /// Appends a change_log row for member name of collection_id and bumps
    /// its revision (RFC 6578: every membership change gets a revision).
    void log_change(std::int64_t collection_id, const std::string& name, bool deleted);
    /// Kind-agnostic "something is at path or at its other form" check:
    /// "x" and "x/" may not both exist.
    bool occupied(const std::string& path);
    std::optional<store::Resource> stat_unguarded(const std::string& path);
    store::Resource make_collection_unguarded(const std::string& path,
                                              store::CollectionKind kind);

    Pool::Lease lease_;
    std::optional<pqxx::work> txn_;  ///< destroyed (rolled back) before the lease
    store::UserId owner_;
    bool read_only_;
};

}  // namespace cosmo::store_pg::detail
