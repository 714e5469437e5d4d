// bench/loadgen/histogram.hpp: Histogram, a log-linear latency histogram in
// the manner of HdrHistogram: fixed memory, O(1) record, exact merge.
// It knows no time unit; the load generator records nanoseconds.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

namespace echolab::loadgen {

// Counts values in buckets that are 1/128 of their lower bound wide (exact
// below 256), so every reported percentile is within 0.4 % of a recorded
// value. Recording never allocates; one histogram takes 34 KiB.
class Histogram {
public:
    static constexpr int kSubBucketBits = 7;
    static constexpr std::uint64_t kSubBuckets = 1u << kSubBucketBits;
    // Values of 2^40 ns (18 minutes) and above share the last bucket;
    // max() still reports them exactly.
    static constexpr int kMaxBits = 40;
    static constexpr std::uint64_t kBucketCount =
        (kMaxBits - kSubBucketBits + 1) * kSubBuckets;

    struct Bucket {
        std::uint64_t low = 0;   // smallest value counted here
        std::uint64_t high = 0;  // largest value counted here
        std::uint64_t count = 0;
    };

    Histogram() : counts_(kBucketCount, 0) {}

    void record(std::uint64_t value) noexcept {
        ++counts_[index_of(value)];
        ++count_;
        sum_ += value;
        min_ = value < min_ ? value : min_;
        max_ = value > max_ ? value : max_;
    }

    // Adds every value recorded in other, as if recorded here.
    void merge(const Histogram& other) noexcept;

    std::uint64_t count() const noexcept { return count_; }
    // 0 for an empty histogram, like every other statistic here.
    std::uint64_t min() const noexcept { return count_ ? min_ : 0; }
    std::uint64_t max() const noexcept { return max_; }
    double mean() const noexcept;

    // The nearest-rank percentile: the value below which ceil(q * count)
    // values lie, q in [0, 1]. Returns the midpoint of its bucket, clamped
    // to [min, max], so q = 1 gives max() exactly.
    std::uint64_t percentile(double q) const noexcept;

    // The buckets that hold values, in increasing order (for plots).
    std::vector<Bucket> nonzero_buckets() const;

    static std::uint64_t index_of(std::uint64_t value) noexcept {
        constexpr std::uint64_t kLast = (std::uint64_t{1} << kMaxBits) - 1;
        value = value < kLast ? value : kLast;
        if (value < 2 * kSubBuckets) {
            return value;
        }
        // The top kSubBucketBits + 1 bits of the value pick the bucket.
        auto shift =
            static_cast<unsigned>(std::bit_width(value) - 1 - kSubBucketBits);
        return shift * kSubBuckets + (value >> shift);
    }
    static Bucket bucket_at(std::uint64_t index) noexcept;

private:
    std::vector<std::uint64_t> counts_;
    std::uint64_t count_ = 0;
    std::uint64_t sum_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    std::uint64_t max_ = 0;
};

}  // namespace echolab::loadgen
