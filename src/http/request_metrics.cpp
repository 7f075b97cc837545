#include "cosmo/http/request_metrics.hpp"

#include <algorithm>

namespace cosmo::http {

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

}  // namespace

std::size_t RequestMetrics::index_of(Verb method) {
    const auto it = std::find(kVerbs.begin(), kVerbs.end(), method);
    return static_cast<std::size_t>(it - kVerbs.begin());  // kVerbs.size(): "other"
}

void RequestMetrics::record(Verb method, unsigned status,
                            std::chrono::steady_clock::duration elapsed) {
    PerMethod& m = methods_[index_of(method)];
    if (status >= kFirstStatus && status < kFirstStatus + kStatuses) {
        m.statuses[status - kFirstStatus].fetch_add(1, kRelaxed);
    }
    const double seconds = std::chrono::duration<double>(elapsed).count();
    const auto bucket = static_cast<std::size_t>(
        std::lower_bound(kBounds.begin(), kBounds.end(), seconds) - kBounds.begin());
    m.buckets[bucket].fetch_add(1, kRelaxed);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
    m.micros.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(micros, 0)), kRelaxed);
}

void RequestMetrics::record_refused(unsigned status, Verb method) {
    if (status >= kFirstStatus && status < kFirstStatus + kStatuses) {
        methods_[index_of(method)].statuses[status - kFirstStatus].fetch_add(1, kRelaxed);
    }
}

std::vector<RequestMetrics::Method> RequestMetrics::snapshot() const {
    std::vector<Method> out;
    for (std::size_t i = 0; i < kMethods; ++i) {
        const PerMethod& m = methods_[i];
        Method method;
        if (i < kVerbs.size()) {
            const auto name = to_string(kVerbs[i]);  // static storage (Beast's table)
            method.name = std::string_view(name.data(), name.size());
        } else {
            method.name = "other";
        }
        for (std::size_t s = 0; s < kStatuses; ++s) {
            if (const std::uint64_t n = m.statuses[s].load(kRelaxed); n > 0) {
                method.statuses.emplace_back(static_cast<unsigned>(kFirstStatus + s), n);
            }
        }
        for (std::size_t b = 0; b < kBuckets; ++b) {
            method.buckets[b] = m.buckets[b].load(kRelaxed);
        }
        method.seconds = static_cast<double>(m.micros.load(kRelaxed)) / 1e6;
        if (!method.statuses.empty()) {
            out.push_back(std::move(method));
        }
    }
    return out;
}

}  // namespace cosmo::http
