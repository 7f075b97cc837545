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
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cosmo::caldav::detail {

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
    struct Key {
        std::uint64_t hi = 0;
        std::uint64_t lo = 0;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const { return k.hi ^ (k.lo * 0x9e3779b97f4a7c15ULL); }
    };
    static std::optional<Key> key_of(std::string_view etag);

    std::size_t capacity_;
    std::mutex mutex_;
    std::size_t entries_ = 0;
    std::unordered_map<std::string, std::unordered_map<Key, bool, KeyHash>> by_context_;
};

}  // namespace cosmo::caldav::detail
