#pragma once
/// What a PUT's first read returned about the parent collection, kept per
/// shard so that the next PUT into the same parent can skip that read (a
/// "guessed" PgSession: one round trip instead of two). An entry is only a
/// hint: the write checks every part of it under the parent's row lock
/// (cosmo_put_object_guessed, schema/shard/006) and the request runs again
/// the long way when one no longer holds.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cosmo/store/types.hpp"

namespace cosmo::store_pg::detail {

struct WriteContext {
    store::Resource home;
    store::Resource parent;
    /// The parent's dead properties, ordered by (ns, name) as the first read
    /// returns them: what the PUT validated against (a calendar's
    /// components and time zone).
    std::vector<store::DeadProperty> parent_props;
};

/// Thread-safe and bounded: when full it starts again empty (a miss costs
/// one read, the same as without it). Keyed by owner, routing epoch and
/// parent path, so a home that moved away and back is never guessed from
/// what its earlier placement returned.
class WriteContexts {
public:
    /// An entry is about 0.5 KB, up to a few KB when the parent has a
    /// calendar-timezone: 4,096 parents written to lately stay under ~16 MB
    /// (the server's RSS target is 200 MB). Writes come in bursts per
    /// calendar (a client's edits, an import), which is what this serves.
    static constexpr std::size_t kDefaultCapacity = 4096;

    explicit WriteContexts(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

    std::optional<WriteContext> find(std::int64_t owner, std::int64_t epoch,
                                     const std::string& parent) const {
        std::lock_guard lock(mutex_);
        const auto it = entries_.find(key(owner, epoch, parent));
        if (it == entries_.end()) return std::nullopt;
        return it->second;
    }

    void remember(std::int64_t owner, std::int64_t epoch, const std::string& parent,
                  WriteContext context) {
        std::lock_guard lock(mutex_);
        if (entries_.size() >= capacity_) entries_.clear();
        entries_.insert_or_assign(key(owner, epoch, parent), std::move(context));
    }

    void forget(std::int64_t owner, std::int64_t epoch, const std::string& parent) {
        std::lock_guard lock(mutex_);
        entries_.erase(key(owner, epoch, parent));
    }

private:
    static std::string key(std::int64_t owner, std::int64_t epoch, const std::string& parent) {
        return std::to_string(owner) + ':' + std::to_string(epoch) + ':' + parent;
    }

    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, WriteContext> entries_;
};

}  // namespace cosmo::store_pg::detail
