#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace cosmo::loadtest {

// Values below 128 have their own bucket; above, a power of two [2^k, 2^(k+1))
// splits into 64 buckets of width 2^(k-6).
int Histogram::bucket_of(std::int64_t v) {
    if (v < 128) {
        return static_cast<int>(std::max<std::int64_t>(v, 0));
    }
    const int msb = 63 - std::countl_zero(static_cast<std::uint64_t>(v));
    const int shift = msb - 6;  // >= 1
    const int sub = static_cast<int>(v >> shift);  // 64..127
    const int index = 128 + (shift - 1) * 64 + (sub - 64);
    return std::min(index, kBuckets - 1);
}

std::int64_t Histogram::bucket_high(int index) {
    if (index < 128) {
        return index;
    }
    const int shift = (index - 128) / 64 + 1;
    const std::int64_t sub = (index - 128) % 64 + 64;
    return ((sub + 1) << shift) - 1;
}

void Histogram::record(std::int64_t v) {
    v = std::max<std::int64_t>(v, 0);
    ++counts_[static_cast<std::size_t>(bucket_of(v))];
    ++count_;
    sum_ += v;
    max_ = std::max(max_, v);
    min_ = std::min(min_, v);
}

void Histogram::merge(const Histogram& o) {
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        counts_[i] += o.counts_[i];
    }
    count_ += o.count_;
    sum_ += o.sum_;
    max_ = std::max(max_, o.max_);
    min_ = std::min(min_, o.min_);
}

std::int64_t Histogram::percentile(double p) const {
    if (count_ == 0) {
        return 0;
    }
    p = std::clamp(p, 0.0, 100.0);
    auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
    rank = std::max<std::uint64_t>(rank, 1);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen >= rank) {
            return std::min(bucket_high(static_cast<int>(i)), max_);
        }
    }
    return max_;
}

}  // namespace cosmo::loadtest
