#pragma once
/// MatchMemo: remembered calendar-query verdicts. A strong ETag names the
/// exact bytes of an object (SHA-256), so whether those bytes match a given
/// filter, read in a given time zone with a given instance limit, never
/// changes: ical::matches need not parse and expand them again. Clients
/// repeat the same queries (a month view on every refresh), and parsing the
/// candidates is what a calendar-query costs (docs/performance.md).
///
/// Thread-safe; bounded by an entry count, emptied when full (cheap, rare,
/// and a cleared memo only costs the parses it saved).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
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

class MatchMemo {
public:
    /// capacity 0 disables the memo (find never hits, remember keeps nothing).
    explicit MatchMemo(std::size_t capacity) : capacity_(capacity) {}

    /// The context of one query: everything but the object that decides a
    /// verdict. Build once per request.
    static std::string context(std::string_view filter_xml, std::string_view tzid,
                               std::size_t max_instances);

    /// The verdict for the object with this ETag under context, if known.
    std::optional<bool> find(const std::string& context, std::string_view etag);
    /// Remembers a verdict. ETags that are not 32 hex digits are ignored.
    void remember(const std::string& context, std::string_view etag, bool verdict);

    /// Entries held (tests).
    std::size_t size();

private:
    std::size_t capacity_;
    std::mutex mutex_;
    std::size_t entries_ = 0;
    std::unordered_map<std::string, std::unordered_map<EtagKey, bool, EtagKeyHash>> by_context_;
};

/// InstanceMemo: an object's instances over a window (about a year), for
/// the filters of day, week and month views (ical::simple_time_range). A
/// MatchMemo verdict holds for one range only, so each new month of a
/// calendar parsed and expanded every candidate again; with these, an
/// object is parsed once per window, and any range inside it is answered
/// by ical::overlaps on the kept instances (ical::component_instances says
/// why that equals ical::matches). Also keeps "declined" (nullptr): the
/// object needs ical::matches for every range.
///
/// Thread-safe; bounded by the instances held, emptied when full.
class InstanceMemo {
public:
    using Instances = std::shared_ptr<const std::vector<ical::Instance>>;

    /// capacity: instances held at most; 0 disables the memo.
    explicit InstanceMemo(std::size_t capacity) : capacity_(capacity) {}

    /// Everything but the object that decides the instances.
    static std::string context(std::string_view component, std::string_view tzid,
                               std::size_t max_instances, std::int64_t window_start);

    /// The instances (nullptr: declined) of the object with this ETag, if known.
    std::optional<Instances> find(const std::string& context, std::string_view etag);
    /// Keeps them. ETags that are not 32 hex digits are ignored.
    void remember(const std::string& context, std::string_view etag, Instances instances);

    /// Instances held (tests).
    std::size_t size();

private:
    std::size_t capacity_;
    std::mutex mutex_;
    std::size_t held_ = 0;
    std::unordered_map<std::string, std::unordered_map<EtagKey, Instances, EtagKeyHash>>
        by_context_;
};

}  // namespace cosmo::caldav::detail
