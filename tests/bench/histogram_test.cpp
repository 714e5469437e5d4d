// Histogram against exact nearest-rank percentiles on known and random
// data, and merging.
#include "bench/loadgen/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace {

using echolab::loadgen::Histogram;

constexpr double kQuantiles[] = {0.0,   0.01,   0.5,     0.9, 0.99,
                                 0.999, 0.9999, 0.99999, 1.0};

std::uint64_t exact_percentile(std::vector<std::uint64_t> values, double q) {
    std::sort(values.begin(), values.end());
    auto rank = static_cast<std::size_t>(
        std::ceil(q * static_cast<double>(values.size())));
    rank = std::clamp<std::size_t>(rank, 1, values.size());
    return values[rank - 1];
}

// The promise of the issue: within 1 % from 1 us to 100 s.
void expect_within_one_percent(const Histogram& h,
                               const std::vector<std::uint64_t>& values) {
    for (double q : kQuantiles) {
        auto exact = static_cast<double>(exact_percentile(values, q));
        auto got = static_cast<double>(h.percentile(q));
        EXPECT_LE(std::abs(got - exact), exact * 0.01)
            << "q=" << q << " exact=" << exact << " got=" << got;
    }
}

std::vector<std::uint64_t> log_uniform(std::size_t n, std::uint32_t seed) {
    std::mt19937_64 gen(seed);
    // 1 us to 100 s in nanoseconds, evenly spread over the decades.
    std::uniform_real_distribution<double> exponent(3.0, 11.0);
    std::vector<std::uint64_t> values(n);
    for (auto& v : values) {
        v = static_cast<std::uint64_t>(std::pow(10.0, exponent(gen)));
    }
    return values;
}

Histogram histogram_of(const std::vector<std::uint64_t>& values) {
    Histogram h;
    for (std::uint64_t v : values) {
        h.record(v);
    }
    return h;
}

TEST(Histogram, EmptyReportsZeros) {
    Histogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.max(), 0u);
    EXPECT_EQ(h.percentile(0.99), 0u);
    EXPECT_EQ(h.mean(), 0.0);
}

TEST(Histogram, SmallValuesAreExact) {
    std::vector<std::uint64_t> values;
    for (std::uint64_t v = 0; v < 256; ++v) {
        values.push_back(v);
    }
    Histogram h = histogram_of(values);
    for (double q : kQuantiles) {
        EXPECT_EQ(h.percentile(q), exact_percentile(values, q)) << q;
    }
}

TEST(Histogram, KnownDataMatchesExactPercentiles) {
    // 1..100000 us: p50 is 50 ms, p99 99 ms, max 100 ms.
    std::vector<std::uint64_t> values;
    for (std::uint64_t us = 1; us <= 100000; ++us) {
        values.push_back(us * 1000);
    }
    Histogram h = histogram_of(values);
    expect_within_one_percent(h, values);
    EXPECT_EQ(h.min(), 1000u);
    EXPECT_EQ(h.max(), 100'000'000u);
    EXPECT_EQ(h.count(), 100000u);
    EXPECT_NEAR(h.mean(), 50'000'500.0, 1.0);
}

TEST(Histogram, RandomDataWithinOnePercentFromMicrosecondsTo100Seconds) {
    for (std::uint32_t seed : {1u, 2u, 3u}) {
        std::vector<std::uint64_t> values = log_uniform(50000, seed);
        expect_within_one_percent(histogram_of(values), values);
    }
}

TEST(Histogram, EveryBucketHoldsItsValuesAndIsNarrow) {
    std::mt19937_64 gen(7);
    for (int i = 0; i < 100000; ++i) {
        std::uint64_t v = gen() >> (gen() % 64);
        if (v >= (std::uint64_t{1} << Histogram::kMaxBits)) {
            continue;
        }
        Histogram::Bucket b = Histogram::bucket_at(Histogram::index_of(v));
        ASSERT_LE(b.low, v);
        ASSERT_GE(b.high, v);
        ASSERT_LE(static_cast<double>(b.high - b.low),
                  static_cast<double>(b.low) / 128.0)
            << v;
    }
}

TEST(Histogram, HugeValuesKeepAnExactMax) {
    Histogram h;
    h.record(1000);
    h.record(std::uint64_t{1} << 50);
    EXPECT_EQ(h.max(), std::uint64_t{1} << 50);
    EXPECT_EQ(h.percentile(1.0), std::uint64_t{1} << 50);
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
    std::vector<std::uint64_t> values = log_uniform(40000, 11);
    Histogram whole = histogram_of(values);
    Histogram merged;
    for (int part = 0; part < 4; ++part) {
        Histogram h;
        for (std::size_t i = static_cast<std::size_t>(part); i < values.size();
             i += 4) {
            h.record(values[i]);
        }
        merged.merge(h);
    }
    EXPECT_EQ(merged.count(), whole.count());
    EXPECT_EQ(merged.min(), whole.min());
    EXPECT_EQ(merged.max(), whole.max());
    EXPECT_DOUBLE_EQ(merged.mean(), whole.mean());
    for (double q : kQuantiles) {
        EXPECT_EQ(merged.percentile(q), whole.percentile(q)) << q;
    }
    expect_within_one_percent(merged, values);
}

TEST(Histogram, MergingAnEmptyOneChangesNothing) {
    Histogram h = histogram_of({5, 500, 50000});
    h.merge(Histogram{});
    EXPECT_EQ(h.count(), 3u);
    EXPECT_EQ(h.min(), 5u);
    EXPECT_EQ(h.max(), 50000u);
}

}  // namespace
