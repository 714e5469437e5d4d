#include "bench/loadgen/histogram.hpp"

#include <algorithm>
#include <cmath>

namespace echolab::loadgen {

void Histogram::merge(const Histogram& other) noexcept {
    for (std::uint64_t i = 0; i < kBucketCount; ++i) {
        counts_[i] += other.counts_[i];
    }
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

double Histogram::mean() const noexcept {
    return count_ ? static_cast<double>(sum_) / static_cast<double>(count_)
                  : 0.0;
}

std::uint64_t Histogram::percentile(double q) const noexcept {
    if (count_ == 0) {
        return 0;
    }
    q = std::clamp(q, 0.0, 1.0);
    auto rank =
        static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    // The extremes are known exactly; no need for a bucket's midpoint.
    if (rank == count_) {
        return max_;
    }
    if (rank == 1) {
        return min_;
    }
    std::uint64_t seen = 0;
    for (std::uint64_t i = 0; i < kBucketCount; ++i) {
        seen += counts_[i];
        if (seen >= rank) {
            Bucket b = bucket_at(i);
            std::uint64_t mid = b.low + (b.high - b.low) / 2;
            return std::clamp(mid, min(), max_);
        }
    }
    return max_;
}

std::vector<Histogram::Bucket> Histogram::nonzero_buckets() const {
    std::vector<Bucket> out;
    for (std::uint64_t i = 0; i < kBucketCount; ++i) {
        if (counts_[i] != 0) {
            Bucket b = bucket_at(i);
            b.count = counts_[i];
            out.push_back(b);
        }
    }
    return out;
}

Histogram::Bucket Histogram::bucket_at(std::uint64_t index) noexcept {
    if (index < 2 * kSubBuckets) {
        return {index, index, 0};
    }
    // Inverse of index_of: index = shift * kSubBuckets + top bits, with
    // the top bits in [kSubBuckets, 2 * kSubBuckets).
    std::uint64_t shift = index / kSubBuckets - 1;
    std::uint64_t top = index % kSubBuckets + kSubBuckets;
    std::uint64_t low = top << shift;
    return {low, low + (std::uint64_t{1} << shift) - 1, 0};
}

}  // namespace echolab::loadgen
