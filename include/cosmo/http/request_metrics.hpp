#pragma once
/// What one listener's requests were: a count per method and status, and
/// a latency histogram per method, for the admin port's /metrics
/// (admin/metrics.hpp renders them). Recording is a few relaxed atomic
/// additions, no lock, so it stays on for every request.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "cosmo/http/message.hpp"

namespace cosmo::http {

class RequestMetrics {
public:
    /// Upper bounds of the latency buckets, in seconds (Prometheus `le`),
    /// from a cached GET (about a millisecond under load) to a slow
    /// free-busy report; a last bucket (+Inf) takes the rest.
    static constexpr std::array<double, 14> kBounds{0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                    0.025,  0.05,  0.1,    0.25,  0.5,
                                                    1,      2.5,   5,      10};
    static constexpr std::size_t kBuckets = kBounds.size() + 1;

    /// One method's requests so far.
    struct Method {
        std::string_view name;  ///< "GET", ..., "other"
        /// (status, requests), by status; only statuses seen.
        std::vector<std::pair<unsigned, std::uint64_t>> statuses;
        /// Requests per bucket, not cumulative; the last one is +Inf.
        /// Requests refused before they were read whole (400, 413, 431,
        /// 503 at the connection limit) are counted in statuses only.
        std::array<std::uint64_t, kBuckets> buckets{};
        double seconds = 0;  ///< the sum of the timed requests' latencies
    };

    RequestMetrics() = default;
    RequestMetrics(const RequestMetrics&) = delete;
    RequestMetrics& operator=(const RequestMetrics&) = delete;

    /// A request answered with status, elapsed from when it had been read
    /// whole until its response was written.
    void record(Verb method, unsigned status, std::chrono::steady_clock::duration elapsed);
    /// A request refused before it was read whole, without a latency;
    /// its method when its header had been read (a body over the limit),
    /// else Verb::unknown ("other").
    void record_refused(unsigned status, Verb method = Verb::unknown);

    /// A request is being handled (between read and answered).
    void begin() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
    void end() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
    std::int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

    /// The methods with at least one request, in a fixed order. Taken
    /// while requests are recorded, so counts of different statuses may be
    /// a request apart; each count only grows.
    std::vector<Method> snapshot() const;

private:
    /// The methods counted by name; every other verb is "other".
    static constexpr std::array<Verb, 16> kVerbs{
        Verb::get,      Verb::head,      Verb::put,        Verb::delete_,
        Verb::post,     Verb::options,   Verb::propfind,   Verb::proppatch,
        Verb::report,   Verb::mkcol,     Verb::mkcalendar, Verb::copy,
        Verb::move,     Verb::lock,      Verb::unlock,     Verb::acl};
    static constexpr std::size_t kMethods = kVerbs.size() + 1;
    static constexpr unsigned kFirstStatus = 100;
    static constexpr std::size_t kStatuses = 500;  ///< 100..599

    static std::size_t index_of(Verb method);

    struct PerMethod {
        std::array<std::atomic<std::uint64_t>, kStatuses> statuses{};
        std::array<std::atomic<std::uint64_t>, kBuckets> buckets{};
        std::atomic<std::uint64_t> micros{0};
    };
    std::array<PerMethod, kMethods> methods_{};
    std::atomic<std::int64_t> in_flight_{0};
};

}  // namespace cosmo::http
