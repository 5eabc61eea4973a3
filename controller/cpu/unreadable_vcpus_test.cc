// The vCPU policy and a domain whose figures missed the sampling deadline
// (DomainRead::kTimedOut): its vCPUs are never moved or pinned, what they
// were seen to demand stays where they run, and its smoothed demand is kept.
#include <map>
#include <string>
#include <vector>

#include "controller/cpu/reading_trust.h"
#include "controller/cpu/usage_builder.h"
#include "controller/cpu/vcpu_policy.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using testing_usage::ApplyAndCommit;
using testing_usage::DomainSpec;
using testing_usage::Floating;
using testing_usage::MakeUsage;
using testing_usage::Pinned;
using testing_usage::Unknown;
using testing_usage::UuidOf;

void MarkUnreadable(const std::string& name, Usage* usage) {
  for (DomainUsage& domain : usage->domains) {
    if (domain.name == name) domain.read = DomainRead::kTimedOut;
  }
}

// Decides up to `intervals` times on a host that obeys; returns every pin.
std::vector<PinChange> RunLoop(const Usage& start, int intervals,
                               VcpuPolicyState* state, Usage* end = nullptr) {
  Usage usage = start;
  std::vector<PinChange> all;
  for (int i = 0; i < intervals; ++i) {
    const VcpuDecision decision = DecideVcpuPins({}, usage, state);
    all.insert(all.end(), decision.pins.begin(), decision.pins.end());
    ApplyAndCommit(decision.pins, &usage, state);
  }
  if (end != nullptr) *end = usage;
  return all;
}

int PcpuOf(const Usage& usage, const std::string& name, int vcpu) {
  for (const DomainUsage& d : usage.domains) {
    if (d.name == name) return d.vcpus[vcpu].pcpu;
  }
  return -2;
}

TEST(UnreadableVcpusTest, HungDomainIsNeverPinnedTheOthersAreBalanced) {
  // Everything floats on pCPU 0; the hung guest's two vCPUs are busy there.
  Usage usage = MakeUsage(4, {{"busy1", {Floating(1.0, 0)}},
                              {"busy2", {Floating(1.0, 0)}},
                              {"busy3", {Floating(1.0, 0)}},
                              {"hung", {Floating(1.0, 0), Floating(1.0, 0)}}});
  MarkUnreadable("hung", &usage);
  VcpuPolicyState state;
  Usage end;
  const std::vector<PinChange> pins = RunLoop(usage, 6, &state, &end);
  ASSERT_FALSE(pins.empty());
  for (const PinChange& pin : pins) EXPECT_NE(pin.uuid, UuidOf("hung"));
  // The hung guest's load (2.0) stays on pCPU 0: the others go elsewhere.
  for (const char* name : {"busy1", "busy2", "busy3"}) {
    EXPECT_NE(PcpuOf(end, name, 0), 0) << name;
  }
}

TEST(UnreadableVcpusTest, HeldLoadCountsWhereItSits) {
  // pCPU 0 carries the hung guest's 1.0; two 0.5 vCPUs sit there too. Only
  // moving both to pCPU 1 balances (1.0 / 1.0); ignoring the held load
  // would split them (0.5 / 0.5 as seen, 1.5 / 0.5 in truth).
  Usage usage = MakeUsage(2, {{"a", {Pinned(0.5, 0)}},
                              {"b", {Pinned(0.5, 0)}},
                              {"hung", {Pinned(1.0, 0)}}});
  MarkUnreadable("hung", &usage);
  VcpuPolicyState state;
  Usage end;
  RunLoop(usage, 6, &state, &end);
  EXPECT_EQ(PcpuOf(end, "a", 0), 1);
  EXPECT_EQ(PcpuOf(end, "b", 0), 1);
  const VcpuDecision last = DecideVcpuPins({}, end, &state);
  EXPECT_DOUBLE_EQ(last.pcpu_demand[0], 1.0);
  EXPECT_TRUE(last.balanced);
  EXPECT_NE(last.reason.find("left alone, unreadable: hung"), std::string::npos)
      << last.reason;
}

TEST(UnreadableVcpusTest, SmoothedDemandIsKeptThroughTheHang) {
  Usage usage =
      MakeUsage(2, {{"a", {Pinned(0.6, 0)}}, {"hung", {Pinned(0.4, 1)}}});
  VcpuPolicyState state;
  DecideVcpuPins({}, usage, &state);
  ASSERT_EQ(state.demand.count(UuidOf("hung")), 1u);
  const std::map<int, SmoothedVcpu> before = state.demand.at(UuidOf("hung"));
  // Hung: no vCPUs read this tick (a stopped QEMU's first tick), then some.
  Usage hung = usage;
  MarkUnreadable("hung", &hung);
  for (DomainUsage& d : hung.domains) {
    if (d.name == "hung") d.vcpus.clear();
  }
  DecideVcpuPins({}, hung, &state);
  ASSERT_EQ(state.demand.count(UuidOf("hung")), 1u);
  EXPECT_EQ(state.demand.at(UuidOf("hung")).size(), before.size());
  EXPECT_DOUBLE_EQ(state.demand.at(UuidOf("hung")).at(0).demand,
                   before.at(0).demand);
  EXPECT_TRUE(state.demand.at(UuidOf("hung")).at(0).known);
}

TEST(UnreadableVcpusTest, UnreadVcpusOfAHungGuestDoNotStopTheDecision) {
  // Three unread vCPUs of the hung guest would make "too few valid
  // readings" (1 of 4): they are not ours to judge this tick.
  Usage usage = MakeUsage(2, {{"a", {Pinned(1.0, 0)}},
                              {"hung", {Unknown(0), Unknown(0), Unknown(1)}}});
  MarkUnreadable("hung", &usage);
  VcpuPolicyState state;
  const VcpuDecision decision = DecideVcpuPins({}, usage, &state);
  EXPECT_EQ(decision.reason.find("too few valid"), std::string::npos)
      << decision.reason;
  EXPECT_EQ(state.unknown_streak, 0);
}

TEST(UnreadableVcpusTest, ImpossibleReadingsOfAHungGuestDoNotSkipTheOthers) {
  Usage usage = MakeUsage(2, {{"a", {Pinned(1.0, 0)}},
                              {"b", {Pinned(1.0, 0)}},
                              {"hung", {Pinned(0.2, 1)}}});
  for (DomainUsage& d : usage.domains) {
    if (d.name == "hung") d.vcpus[0].runnable = 3.0;  // its stamps are off
  }
  MarkUnreadable("hung", &usage);
  VcpuPolicyState state;
  EXPECT_FALSE(DecideVcpuPins({}, usage, &state).skipped);
}

TEST(UnreadableVcpusTest, ActionableUsageKeepsIndicesAndHoldsValidDemand) {
  Usage usage =
      MakeUsage(3, {{"a", {Pinned(0.5, 0)}},
                    {"hung", {Pinned(0.7, 2), Unknown(1), Floating(1.0, 1)}}});
  MarkUnreadable("hung", &usage);
  HeldVcpus held;
  const Usage actionable = ActionableUsage(usage, &held);
  ASSERT_EQ(actionable.domains.size(), 2u);
  EXPECT_EQ(actionable.domains[0].vcpus.size(), 1u);
  EXPECT_TRUE(actionable.domains[1].vcpus.empty());
  EXPECT_EQ(held.domains, std::vector<std::string>{"hung"});
  EXPECT_EQ(held.pcpu_demand, (std::vector<double>{0, 1.0, 0.7}));
}

}  // namespace
}  // namespace vmbalance
