#include "controller/sim/cpu_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

namespace vmbalance {
namespace sim {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;

TEST(FairShareTest, EveryoneGetsTheirDemandWhenItFits) {
  EXPECT_THAT(FairShare({0.2, 0.3, 0.4}),
              ElementsAre(DoubleNear(0.2, 1e-12), DoubleNear(0.3, 1e-12),
                          DoubleNear(0.4, 1e-12)));
}

TEST(FairShareTest, OvercommitSplitsEvenlyAmongTheHungry) {
  // The small one keeps its 0.2; the two busy ones share the rest.
  EXPECT_THAT(FairShare({0.9, 0.2, 0.9}),
              ElementsAre(DoubleNear(0.4, 1e-12), DoubleNear(0.2, 1e-12),
                          DoubleNear(0.4, 1e-12)));
  std::vector<double> eight = FairShare(std::vector<double>(8, 0.5));
  for (double g : eight) EXPECT_NEAR(g, 0.125, 1e-12);
}

TEST(FairShareTest, EmptyAndZeroDemands) {
  EXPECT_TRUE(FairShare({}).empty());
  EXPECT_THAT(FairShare({0, 0}), ElementsAre(0, 0));
}

PlacedVcpu Unplaced(std::vector<int> allowed, double demand) {
  PlacedVcpu v;
  v.allowed = std::move(allowed);
  v.demand = demand;
  return v;
}

std::vector<int> Pcpus(const std::vector<PlacedVcpu>& v) {
  std::vector<int> out;
  for (const PlacedVcpu& p : v) out.push_back(p.pcpu);
  return out;
}

TEST(PlaceVcpusTest, NewVcpusSpreadByCountNotLoad) {
  // Linux does not know a new task's load: round-robin by count, so the
  // heavy ones (even positions) end up sharing pCPUs 0 and 2.
  std::vector<PlacedVcpu> v;
  for (int i = 0; i < 8; ++i)
    v.push_back(Unplaced({0, 1, 2, 3}, i % 2 ? 0.3 : 0.9));
  PlaceVcpus(4, 0.5, &v);
  EXPECT_THAT(Pcpus(v), ElementsAre(0, 1, 2, 3, 0, 1, 2, 3));
}

TEST(PlaceVcpusTest, StartAtIsHonouredWhenAllowed) {
  std::vector<PlacedVcpu> v = {Unplaced({0, 1}, 0.5), Unplaced({0, 1}, 0.5)};
  v[0].start_at = 1;
  v[1].start_at = 3;  // not allowed: falls back to the emptiest
  PlaceVcpus(4, 0.5, &v);
  EXPECT_THAT(Pcpus(v), ElementsAre(1, 0));
}

TEST(PlaceVcpusTest, VcpuLeavesAPcpuItIsNoLongerAllowedOn) {
  std::vector<PlacedVcpu> v = {Unplaced({1}, 0.5), Unplaced({0, 1, 2}, 0.5),
                               Unplaced({1, 2}, 0.4)};
  v[0].pcpu = 1;
  v[1].pcpu = 2;
  v[2].pcpu = 0;  // was pinned to 0, now allowed on 1-2: goes to the lighter
  PlaceVcpus(3, 0.5, &v);
  EXPECT_THAT(Pcpus(v), ElementsAre(1, 2, 1));
}

TEST(PlaceVcpusTest, StickyUnderSmallImbalance) {
  // pCPU 0: 0.9 + 0.9, pCPU 1: 0.3 + 0.3. Without one heavy vCPU pCPU 0 has
  // 0.9 against 0.6: not clearly better, so nothing moves.
  std::vector<PlacedVcpu> v;
  for (int i = 0; i < 4; ++i) {
    v.push_back(Unplaced({0, 1}, i < 2 ? 0.9 : 0.3));
    v.back().pcpu = i < 2 ? 0 : 1;
  }
  PlaceVcpus(2, 0.5, &v);
  EXPECT_THAT(Pcpus(v), ElementsAre(0, 0, 1, 1));
}

TEST(PlaceVcpusTest, MovesWhenClearlyBetter) {
  std::vector<PlacedVcpu> v;
  for (int i = 0; i < 3; ++i) {
    v.push_back(Unplaced({0, 1}, 0.9));
    v.back().pcpu = 0;
  }
  PlaceVcpus(2, 0.5, &v);
  // The first moves (1.8 vs 0 without it); then 0.9 vs 0.9: stays.
  EXPECT_THAT(Pcpus(v), ElementsAre(1, 0, 0));
}

TEST(PlaceVcpusTest, PinnedVcpusNeverMove) {
  std::vector<PlacedVcpu> v;
  for (int i = 0; i < 4; ++i) {
    v.push_back(Unplaced({0}, 0.9));
    v.back().pcpu = 0;
  }
  PlaceVcpus(4, 0.5, &v);
  EXPECT_THAT(Pcpus(v), ElementsAre(0, 0, 0, 0));
}

TEST(BestReachableStddevTest, ThreeEqualOnTwoIsTwoPlusOne) {
  // Loads 1.8 and 0.9: mean 1.35, std-dev 0.45.
  std::optional<double> best = BestReachableStddev({0.9, 0.9, 0.9}, 2);
  ASSERT_TRUE(best.has_value());
  EXPECT_NEAR(*best, 0.45, 1e-9);
}

TEST(BestReachableStddevTest, HeavyLightPairsBalancePerfectly) {
  std::optional<double> best =
      BestReachableStddev({0.9, 0.3, 0.9, 0.3, 0.9, 0.3, 0.9, 0.3}, 4);
  ASSERT_TRUE(best.has_value());
  EXPECT_NEAR(*best, 0.0, 1e-9);
}

TEST(BestReachableStddevTest, FewerVcpusThanPcpusLeavesIdlePcpus) {
  // 0.6 and 0.2 on 4 pCPUs: loads 0.6, 0.2, 0, 0.
  std::optional<double> best = BestReachableStddev({0.2, 0.6}, 4);
  ASSERT_TRUE(best.has_value());
  EXPECT_NEAR(*best, std::sqrt((0.16 + 0 + 0.04 + 0.04) / 4), 1e-9);
}

TEST(BestReachableStddevTest, TooBigGivesNothing) {
  EXPECT_FALSE(BestReachableStddev(std::vector<double>(17, 0.5), 4));
  EXPECT_TRUE(BestReachableStddev(std::vector<double>(16, 0.5), 4));
}

}  // namespace
}  // namespace sim
}  // namespace vmbalance
