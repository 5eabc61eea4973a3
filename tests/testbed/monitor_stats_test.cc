#include "tests/testbed/monitor_stats.h"

#include <gtest/gtest.h>

namespace vmbalance::testbed {
namespace {

constexpr int64_t kSecondNs = 1'000'000'000;

VcpuReading At(uint64_t time_ns, int last_pcpu, CpuSet affinity) {
  return VcpuReading{time_ns, last_pcpu, std::move(affinity)};
}

TEST(CreditedPcpuTest, PinnedVcpuCountsOnItsPcpuUnpinnedWhereItRan) {
  EXPECT_EQ(CreditedPcpu(At(0, 0, CpuSet{1})), 1);
  EXPECT_EQ(CreditedPcpu(At(0, 0, CpuSet{0, 1})), 0);
  EXPECT_EQ(CreditedPcpu(At(0, 1, CpuSet{0, 1})), 1);
}

TEST(PcpuLoadPercentTest, SumsVcpuUtilisationPerPcpu) {
  const VcpuReadings prev = {{{"a", 0}, At(0, 0, CpuSet{0})},
                             {{"b", 0}, At(0, 0, CpuSet{0})},
                             {{"c", 0}, At(0, 1, CpuSet{0, 1})}};
  const VcpuReadings cur = {
      {{"a", 0}, At(kSecondNs / 2, 1, CpuSet{0})},  // pinned: pCPU 0
      {{"b", 0}, At(kSecondNs / 4, 0, CpuSet{0})},
      {{"c", 0}, At(kSecondNs * 3 / 5, 1, CpuSet{0, 1})}};
  const std::vector<double> loads = PcpuLoadPercent(prev, cur, kSecondNs, 2);
  ASSERT_EQ(loads.size(), 2u);
  EXPECT_DOUBLE_EQ(loads[0], 75.0);
  EXPECT_DOUBLE_EQ(loads[1], 60.0);
}

TEST(PcpuLoadPercentTest, NewOrRestartedVcpusContributeNothing) {
  const VcpuReadings prev = {{{"old", 0}, At(5 * kSecondNs, 0, CpuSet{0})}};
  const VcpuReadings cur = {{{"old", 0}, At(kSecondNs, 0, CpuSet{0})},
                            {{"new", 0}, At(kSecondNs, 0, CpuSet{0})}};
  EXPECT_EQ(PcpuLoadPercent(prev, cur, kSecondNs, 1), std::vector<double>{0.0});
}

TEST(PcpuLoadPercentTest, EachVcpuUsesItsOwnReadTimes) {
  // "a" was read 0.5 s apart, "b" 2 s apart; the reading's wall time (1 s)
  // only applies where read times are missing.
  VcpuReading a0 = At(0, 0, CpuSet{0}), a1 = At(kSecondNs / 4, 0, CpuSet{0});
  a0.read_ns = 10 * kSecondNs;
  a1.read_ns = a0.read_ns + kSecondNs / 2;
  VcpuReading b0 = At(0, 1, CpuSet{1}), b1 = At(kSecondNs, 1, CpuSet{1});
  b0.read_ns = 10 * kSecondNs;
  b1.read_ns = b0.read_ns + 2 * kSecondNs;
  const VcpuReadings prev = {{{"a", 0}, a0}, {{"b", 0}, b0}};
  const VcpuReadings cur = {{{"a", 0}, a1}, {{"b", 0}, b1}};
  EXPECT_EQ(PcpuLoadPercent(prev, cur, kSecondNs, 2),
            (std::vector<double>{50.0, 50.0}));
}

TEST(PcpuLoadPercentTest, IgnoresPcpusOutsideTheHost) {
  const VcpuReadings prev = {{{"a", 0}, At(0, 7, CpuSet{7})}};
  const VcpuReadings cur = {{{"a", 0}, At(kSecondNs, 7, CpuSet{7})}};
  EXPECT_EQ(PcpuLoadPercent(prev, cur, kSecondNs, 2),
            (std::vector<double>{0.0, 0.0}));
}

TEST(SummarizeTest, BalancedNeedsBothRelativeAndAbsoluteBounds) {
  // sd 1 on mean 50: within 5% (2.5) and 5 points.
  EXPECT_TRUE(Summarize({49, 51}).balanced);
  // sd 3 on mean 50: within 5 points but not within 5% of the mean.
  EXPECT_FALSE(Summarize({47, 53}).balanced);
  // sd 6 on mean 300: within 5% (15) but not within 5 points.
  EXPECT_FALSE(Summarize({294, 306}).balanced);
  // 8 guests all on pCPU 0 of 2.
  const LoadSummary piled = Summarize({100, 0});
  EXPECT_DOUBLE_EQ(piled.mean, 50);
  EXPECT_DOUBLE_EQ(piled.stddev, 50);
  EXPECT_FALSE(piled.balanced);
}

TEST(SummarizeTest, IdleHostIsBalanced) {
  EXPECT_TRUE(Summarize({0, 0}).balanced);
}

TEST(CountAffinityChangesTest, CountsOnlyVcpusSeenTwiceWithNewAffinity) {
  const VcpuReadings prev = {{{"a", 0}, At(0, 0, CpuSet{0})},
                             {{"b", 0}, At(0, 0, CpuSet{0})}};
  const VcpuReadings cur = {{{"a", 0}, At(0, 0, CpuSet{1})},
                            {{"b", 0}, At(0, 0, CpuSet{0})},
                            {{"c", 0}, At(0, 0, CpuSet{1})}};
  EXPECT_EQ(CountAffinityChanges(prev, cur), 1);
}

TEST(VcpuWaitPercentTest, DelayGrowthOverEachVcpusOwnReadSpan) {
  VcpuReading before = At(0, 0, CpuSet{0});
  before.read_ns = kSecondNs;
  before.delay_ns = 100;
  VcpuReading after = At(kSecondNs / 4, 0, CpuSet{0});
  after.read_ns = 3 * kSecondNs;  // 2 s later, whatever the row's span
  after.delay_ns = 100 + kSecondNs / 2;
  const VcpuReadings prev = {{{"a", 0}, before}};
  EXPECT_DOUBLE_EQ(VcpuWaitPercent(prev, {"a", 0}, after, kSecondNs), 25.0);
}

TEST(VcpuWaitPercentTest, UnknownWhenMissingUnreportedOrBackwards) {
  VcpuReading before = At(0, 0, CpuSet{0});
  VcpuReading after = At(0, 0, CpuSet{0});
  after.delay_ns = kSecondNs;
  const VcpuReadings unreported = {{{"a", 0}, before}};  // delay_ns -1
  EXPECT_EQ(VcpuWaitPercent(unreported, {"a", 0}, after, kSecondNs), -1);
  EXPECT_EQ(VcpuWaitPercent({}, {"a", 0}, after, kSecondNs), -1);
  before.delay_ns = 2 * kSecondNs;  // a restarted guest's counter
  const VcpuReadings restarted = {{{"a", 0}, before}};
  EXPECT_EQ(VcpuWaitPercent(restarted, {"a", 0}, after, kSecondNs), -1);
}

TEST(CounterPercentTest, RateOfACumulativeCounter) {
  EXPECT_DOUBLE_EQ(CounterPercent(0, 3 * kSecondNs, 2 * kSecondNs), 150.0);
  EXPECT_EQ(CounterPercent(-1, kSecondNs, kSecondNs), -1);
  EXPECT_EQ(CounterPercent(kSecondNs, 0, kSecondNs), -1);
  EXPECT_EQ(CounterPercent(0, kSecondNs, 0), -1);
}

}  // namespace
}  // namespace vmbalance::testbed
