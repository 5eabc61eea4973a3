#include "controller/cpu/guest_fairness.h"

#include <vector>

#include "controller/cpu/felt_usage.h"
#include "controller/cpu/usage_builder.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using testing_usage::Felt;
using testing_usage::Floating;
using testing_usage::HostBusy;
using testing_usage::MakeUsage;
using testing_usage::OneVcpuEach;
using testing_usage::Pinned;

GuestFairness Judge(const Usage& usage, FairnessConfig config = {}) {
  const VcpuProblem problem = BuildVcpuProblem(
      usage, usage.online_pcpus,
      std::vector<std::vector<double>>(usage.domains.size(), {0.0}));
  return JudgeGuests(config, usage, problem);
}

TEST(FairDuesTest, SmallWantsAreMetAndTheRestShareWhatIsLeft) {
  // 2 pCPUs: two light (0.2) met, two busy share 1.6.
  EXPECT_EQ(FairDues({1, 0.2, 1, 0.2}, 2),
            (std::vector<double>{0.8, 0.2, 0.8, 0.2}));
  // Room for everyone: each gets what it wants, at most one pCPU.
  EXPECT_EQ(FairDues({0.5, 3}, 4), (std::vector<double>{0.5, 1}));
  EXPECT_EQ(FairDues({1, 1}, 0), (std::vector<double>{0, 0}));
}

// 4 busy and 4 light vCPUs, all unpinned, on 2 saturated pCPUs, attributed
// 3 busy + 1 light to pCPU 0 (where each last ran): the per-pCPU sums look
// far apart, but every busy vCPU ran ~0.3 of a pCPU, its fair share of what
// the light ones leave.
Usage FairFloating() {
  Usage usage = MakeUsage(
      2, OneVcpuEach({Floating(1, 0), Floating(0.3, 0), Floating(1, 0),
                      Floating(0.3, 1), Floating(1, 0), Floating(0.3, 1),
                      Floating(1, 1), Floating(0.3, 1)}));
  for (int d : {0, 2, 4, 6}) Felt(&usage, d, d == 4 ? 0.27 : 0.31, 0.69);
  for (int d : {1, 3, 5, 7}) Felt(&usage, d, 0.2, 0.3);
  HostBusy(&usage, {1, 1});
  return usage;
}

TEST(JudgeGuestsTest, AFairlyServedFloatingSetIsFair) {
  const GuestFairness view = Judge(FairFloating());
  ASSERT_TRUE(view.known);
  EXPECT_EQ(view.floating, 8);
  EXPECT_EQ(view.pinned, 0);
  EXPECT_EQ(view.busy, 4);  // the light ones are not judged
  EXPECT_NEAR(view.capacity, 3 * 0.31 + 0.27 + 4 * 0.2, 1e-9);
  EXPECT_GT(view.min_served, 0.8);
  EXPECT_TRUE(view.fair);
  EXPECT_FALSE(view.stranded);
}

TEST(JudgeGuestsTest, AllPinnedToOnePcpuIsUnfairAndStranded) {
  std::vector<testing_usage::VcpuSpec> vcpus(8, Pinned(1, 0));
  Usage usage = MakeUsage(2, OneVcpuEach(vcpus));
  for (int d = 0; d < 8; ++d) Felt(&usage, d, 0.125, 0.875);
  HostBusy(&usage, {1, 0});
  const GuestFairness view = Judge(usage);
  ASSERT_TRUE(view.known);
  EXPECT_NEAR(view.idle, 1, 1e-9);
  EXPECT_NEAR(view.capacity, 2, 1e-9);
  EXPECT_NEAR(view.min_served, 0.5, 1e-9);  // 0.125 of a due 0.25
  EXPECT_FALSE(view.fair);
  EXPECT_TRUE(view.stranded);
  EXPECT_EQ(view.worst, "vm0/0");
}

TEST(JudgeGuestsTest, SevenCrowdedOnOnePcpuIsUnfairButNotStranded) {
  std::vector<testing_usage::VcpuSpec> vcpus(7, Pinned(1, 0));
  vcpus.push_back(Pinned(1, 1));
  Usage usage = MakeUsage(2, OneVcpuEach(vcpus));
  for (int d = 0; d < 7; ++d) Felt(&usage, d, 0.14, 0.85);
  Felt(&usage, 7, 0.97, 0.02);
  HostBusy(&usage, {1, 1});
  const GuestFairness view = Judge(usage);
  EXPECT_NEAR(view.min_served, 0.14 / ((0.98 + 0.97) / 8), 1e-9);
  EXPECT_FALSE(view.fair);
  EXPECT_FALSE(view.stranded);  // no pCPU idles: one reading is not enough
}

TEST(JudgeGuestsTest, OtherWorkOnTheHostIsNotTheGuestsToHave) {
  // Both pCPUs busy, a third of it other work: 8 busy guests sharing the
  // rest evenly are served fairly.
  std::vector<testing_usage::VcpuSpec> vcpus(8, Floating(1, 0));
  Usage usage = MakeUsage(2, OneVcpuEach(vcpus));
  for (int d = 0; d < 8; ++d) Felt(&usage, d, 0.17, 0.8);
  HostBusy(&usage, {1, 1});
  EXPECT_TRUE(Judge(usage).fair);
}

TEST(JudgeGuestsTest, AVcpuWithoutADelayFigureIsNotJudged) {
  // The least-served busy vCPU (vm4, 0.27) has no delay figure this time
  // (its QEMU did not answer in the previous sample): the others decide.
  Usage usage = FairFloating();
  Felt(&usage, 4, 0.05, 0.9);
  usage.domains[4].vcpus[0].has_delay = false;
  const GuestFairness view = Judge(usage);
  EXPECT_TRUE(view.known);
  EXPECT_EQ(view.unjudged, 1);
  EXPECT_EQ(view.busy, 3);
  EXPECT_TRUE(view.fair);
}

TEST(JudgeGuestsTest, WithoutTheHostsFiguresItHasNoOpinion) {
  Usage usage = FairFloating();
  usage.pcpu_busy_ratio = {1, -1};
  EXPECT_FALSE(Judge(usage).known);
  EXPECT_FALSE(Judge(usage).fair);
  usage = FairFloating();
  for (int d : {0, 1, 2, 3, 5}) usage.domains[d].vcpus[0].has_delay = false;
  EXPECT_FALSE(Judge(usage).known);
  EXPECT_TRUE(Judge(usage).AmbiguousWaits());
  FairnessConfig off;
  off.enabled = false;
  EXPECT_FALSE(Judge(FairFloating(), off).known);
}

}  // namespace
}  // namespace vmbalance
