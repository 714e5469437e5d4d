#include "bench/harness/aggregate.hpp"

#include <gtest/gtest.h>

namespace echolab::harness {
namespace {

harness::Run round(double seconds, double rate, bool failed = false) {
    harness::Run run;
    run.iterations = 1;
    run.real_accumulated_time = seconds;
    run.counters["msgs_per_s"] = benchmark::Counter(rate);
    run.error_occurred = failed;
    return run;
}

TEST(Median, OddEvenAndEmpty) {
    EXPECT_DOUBLE_EQ(median_of({3, 1, 2}), 2);
    EXPECT_DOUBLE_EQ(median_of({4, 1, 3, 2}), 2.5);
    EXPECT_DOUBLE_EQ(median_of({}), 0);
}

TEST(Aggregates, MedianMinMaxOfCountersAndTime) {
    auto out =
        aggregates_of({round(1.0, 100), round(3.0, 300), round(2.0, 200)});
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].aggregate_name, "median");
    EXPECT_EQ(out[0].run_type, harness::Run::RT_Aggregate);
    EXPECT_DOUBLE_EQ(out[0].counters["msgs_per_s"].value, 200);
    EXPECT_DOUBLE_EQ(out[0].real_accumulated_time, 2.0);
    EXPECT_DOUBLE_EQ(out[1].counters["msgs_per_s"].value, 100);
    EXPECT_DOUBLE_EQ(out[2].counters["msgs_per_s"].value, 300);
}

TEST(Aggregates, FailedRoundsAreLeftOut) {
    auto out = aggregates_of(
        {round(1.0, 100), round(9.0, 900, true), round(3.0, 300)});
    ASSERT_EQ(out.size(), 3u);
    EXPECT_DOUBLE_EQ(out[0].counters["msgs_per_s"].value, 200);
    EXPECT_DOUBLE_EQ(out[2].counters["msgs_per_s"].value, 300);
}

TEST(Aggregates, NoneForFewerThanTwoGoodRounds) {
    EXPECT_TRUE(aggregates_of({round(1.0, 100)}).empty());
    EXPECT_TRUE(aggregates_of({round(1.0, 1, true), round(2.0, 5)}).empty());
}

TEST(Aggregates, TimesArePerIteration) {
    harness::Run many = round(10.0, 1);
    many.iterations = 10;
    auto out = aggregates_of({many, round(3.0, 1)});
    ASSERT_FALSE(out.empty());
    EXPECT_DOUBLE_EQ(out[1].real_accumulated_time, 1.0);  // min
}

}  // namespace
}  // namespace echolab::harness
