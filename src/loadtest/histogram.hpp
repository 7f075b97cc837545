#pragma once
// A log-linear latency histogram (the HdrHistogram layout with 64 sub-buckets
// per power of two): constant memory, < 1.6% relative error, mergeable, so
// each connection records without locks and the runner adds them up.

#include <array>
#include <cstdint>

namespace cosmo::loadtest {

/// Latency histogram in microseconds.
class Histogram {
public:
    /// Records one value (microseconds; negative counts as 0).
    void record(std::int64_t micros);
    /// Adds another histogram's counts.
    void merge(const Histogram& other);
    /// The value at percentile p (0..100): the upper edge of the bucket that
    /// holds the ceil(p% * count)-th smallest value, capped at max(); 0 if empty.
    std::int64_t percentile(double p) const;
    /// Number of recorded values.
    std::uint64_t count() const { return count_; }
    /// Largest recorded value.
    std::int64_t max() const { return max_; }
    /// Smallest recorded value (0 if empty).
    std::int64_t min() const { return count_ == 0 ? 0 : min_; }
    /// Mean of recorded values.
    double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / count_; }

    /// Bucket index of a value (exposed for tests).
    static int bucket_of(std::int64_t v);
    /// Largest value that falls into a bucket.
    static std::int64_t bucket_high(int index);

private:
    static constexpr int kBuckets = 128 + 50 * 64;
    std::array<std::uint64_t, kBuckets> counts_{};
    std::uint64_t count_ = 0;
    std::int64_t max_ = 0;
    std::int64_t min_ = INT64_MAX;
    std::int64_t sum_ = 0;
};

}  // namespace cosmo::loadtest
