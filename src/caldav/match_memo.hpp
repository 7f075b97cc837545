#pragma once
/// Memos of calendar-query work, keyed by ETag. A strong ETag names the
/// exact bytes of an object (SHA-256), so what those bytes give under a
/// fixed context (filter, time zone, instance limit) never changes, and
/// parsing the candidates is what a calendar-query costs
/// (docs/performance.md). Both memos are thread-safe and bounded, and are
/// emptied when full (cheap, rare, and a cleared memo only costs the parses
/// it saved).
///
/// - MatchMemo: verdicts of ical::matches. Clients repeat the same queries
///   (a month view on every refresh).
/// - InstanceMemo: an object's instances over a window (about a year), for
///   the filters of day, week and month views (ical::simple_time_range). A
///   verdict holds for one range only, so a view that moves (the next seven
///   days, asked every hour) parsed and expanded every candidate again; with
///   these, any range inside the window is answered by ical::overlaps on
///   the kept instances (ical::component_instances says why that equals
///   ical::matches).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cosmo/ical/expand.hpp"

namespace cosmo::caldav::detail {

/// A strong ETag (32 hex digits, the first half of a SHA-256) as a key.
struct EtagKey {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    bool operator==(const EtagKey&) const = default;
};
struct EtagKeyHash {
    std::size_t operator()(const EtagKey& k) const { return k.hi ^ (k.lo * 0x9e3779b97f4a7c15ULL); }
};
/// The key of an ETag; nullopt when it is not 32 lowercase hex digits.
std::optional<EtagKey> etag_key(std::string_view etag);

/// Values per (context, ETag), bounded by the sum of their weights.
template <typename Value>
class EtagMemo {
public:
    /// capacity 0 disables the memo (find never hits, remember keeps nothing).
    explicit EtagMemo(std::size_t capacity) : capacity_(capacity) {}

    /// The value for the object with this ETag under context, if known.
    std::optional<Value> find(const std::string& context, std::string_view etag) {
        const std::optional<EtagKey> k = etag_key(etag);
        if (!k || capacity_ == 0) return std::nullopt;
        std::lock_guard lock(mutex_);
        const auto c = by_context_.find(context);
        if (c == by_context_.end()) return std::nullopt;
        const auto v = c->second.find(*k);
        if (v == c->second.end()) return std::nullopt;
        return v->second.first;
    }

    /// Keeps a value of this weight. ETags that are not 32 hex digits are
    /// ignored.
    void remember(const std::string& context, std::string_view etag, Value value,
                  std::size_t weight) {
        const std::optional<EtagKey> k = etag_key(etag);
        if (!k || capacity_ == 0) return;
        std::lock_guard lock(mutex_);
        if (held_ + weight > capacity_) {
            by_context_.clear();
            held_ = 0;
        }
        const auto [it, inserted] = by_context_[context].try_emplace(*k);
        if (!inserted) held_ -= it->second.second;  // kept twice at once
        it->second = {std::move(value), weight};
        held_ += weight;
    }

    /// The weight held (tests).
    std::size_t size() {
        std::lock_guard lock(mutex_);
        return held_;
    }

private:
    std::size_t capacity_;
    std::mutex mutex_;
    std::size_t held_ = 0;
    std::unordered_map<std::string,
                       std::unordered_map<EtagKey, std::pair<Value, std::size_t>, EtagKeyHash>>
        by_context_;
};

/// Verdicts; capacity in entries.
class MatchMemo : public EtagMemo<bool> {
public:
    using EtagMemo::EtagMemo;

    /// The context of one query: everything but the object that decides a
    /// verdict. Build once per request.
    static std::string context(std::string_view filter_xml, std::string_view tzid,
                               std::size_t max_instances);

    void remember(const std::string& context, std::string_view etag, bool verdict) {
        EtagMemo::remember(context, etag, verdict, 1);
    }
};

/// Instances (nullptr: declined, the object needs ical::matches for every
/// range). Weights are in units of about 40 bytes, an ical::Instance's
/// size: a kept object costs about 160 bytes besides its instances (map
/// node, bucket, shared vector), a refusal about 70.
class InstanceMemo : public EtagMemo<std::shared_ptr<const std::vector<ical::Instance>>> {
public:
    using Instances = std::shared_ptr<const std::vector<ical::Instance>>;
    using EtagMemo::EtagMemo;

    /// Everything but the object that decides the instances.
    static std::string context(std::string_view component, std::string_view tzid,
                               std::size_t max_instances, std::int64_t window_start);

    void remember(const std::string& context, std::string_view etag, Instances instances) {
        const std::size_t weight = instances ? 4 + instances->size() : 2;
        EtagMemo::remember(context, etag, std::move(instances), weight);
    }
};

}  // namespace cosmo::caldav::detail
