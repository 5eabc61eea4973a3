// Operator constraints, opt-outs, --pcpus, host load and missing delay
// counters as the vCPU problem and the decision see them.
#include "controller/cpu/vcpu_problem.h"

#include <string>
#include <vector>

#include "controller/cpu/opt_out.h"
#include "controller/cpu/reading_trust.h"
#include "controller/cpu/usage_builder.h"
#include "controller/cpu/vcpu_policy.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using testing_usage::ApplyAndCommit;
using testing_usage::DemandByPcpu;
using testing_usage::Floating;
using testing_usage::MakeUsage;
using testing_usage::OneVcpuEach;
using testing_usage::Pinned;
using testing_usage::VcpuSpec;

std::vector<std::vector<double>> DemandOf(const Usage& usage) {
  std::vector<std::vector<double>> demand;
  for (const DomainUsage& domain : usage.domains) {
    demand.emplace_back();
    for (const VcpuUsage& vcpu : domain.vcpus) {
      demand.back().push_back(vcpu.demand);
    }
  }
  return demand;
}

VcpuProblem ProblemOf(const Usage& usage, const CpuSet& allowed = CpuSet()) {
  return BuildVcpuProblem(usage, UsablePcpus(usage, allowed), DemandOf(usage));
}

DomainConfig WithCpuset(const CpuSet& cpus) {
  DomainConfig config;
  config.placement.vcpu_cpuset = cpus;
  return config;
}

TEST(OperatorSetTest, ConfigCpusetBoundsVmbalancesOwnPin) {
  // vm0's live affinity is one pCPU (vmbalance pinned it earlier); its
  // persistent config says 2-3: it is an item that may use pCPUs 2 and 3.
  Usage usage = MakeUsage(4, OneVcpuEach({Pinned(1, 2), Pinned(1, 0)}));
  usage.domains[0].config = WithCpuset(CpuSet{2, 3});
  usage.domains[1].config = DomainConfig();  // read, no restriction
  const VcpuProblem problem = ProblemOf(usage);
  ASSERT_EQ(problem.items.size(), 2u);
  EXPECT_EQ(problem.placement.allowed[0], (std::vector<int>{2, 3}));
  EXPECT_TRUE(problem.placement.allowed[1].empty());  // its pin is ours
  EXPECT_EQ(problem.constrained, 1);
}

TEST(OperatorSetTest, VcpupinWinsOverTheDomainCpuset) {
  Usage usage = MakeUsage(4, {{"vm", {Pinned(1, 0), Pinned(1, 1)}}});
  DomainConfig config = WithCpuset(CpuSet{0, 1});
  config.placement.vcpupin[1] = CpuSet{1, 2, 3};
  usage.domains[0].config = config;
  const VcpuProblem problem = ProblemOf(usage);
  ASSERT_EQ(problem.items.size(), 2u);
  EXPECT_EQ(problem.placement.allowed[0], (std::vector<int>{0, 1}));
  EXPECT_EQ(problem.placement.allowed[1], (std::vector<int>{1, 2, 3}));
}

TEST(OperatorSetTest, ConfigPinToOnePcpuIsFixedLoad) {
  Usage usage = MakeUsage(4, OneVcpuEach({Pinned(0.7, 1), Pinned(0.5, 3)}));
  DomainConfig config;
  config.placement.vcpupin[0] = CpuSet{1};
  usage.domains[0].config = config;
  // vm1: the operator says pCPU 2, vmbalance's old pin says 3: it must go.
  DomainConfig back;
  back.placement.vcpupin[0] = CpuSet{2};
  usage.domains[1].config = back;
  const VcpuProblem problem = ProblemOf(usage);
  EXPECT_EQ(problem.fixed, 1);
  EXPECT_DOUBLE_EQ(problem.placement.base_load[1], 0.7);
  ASSERT_EQ(problem.items.size(), 1u);
  EXPECT_EQ(problem.placement.allowed[0], (std::vector<int>{2}));
  VcpuPolicyState state;
  for (int t = 0; t < 3; ++t) {
    VcpuDecision d = DecideVcpuPins({}, usage, &state);
    for (const PinChange& pin : d.pins) EXPECT_NE(pin.domain, "vm0");
    ApplyAndCommit(d.pins, &usage, &state);
  }
}

TEST(OperatorSetTest, RestrictedLiveSetIsTheOperatorsWithoutConfig) {
  VcpuSpec in_set = Floating(1, 1);
  in_set.affinity = CpuSet{0, 1};
  Usage usage = MakeUsage(4, OneVcpuEach({in_set, Floating(1, 2)}));
  // No config read (nullopt): the live set is all we know.
  const VcpuProblem problem = ProblemOf(usage);
  ASSERT_EQ(problem.items.size(), 2u);
  EXPECT_EQ(problem.placement.allowed[0], (std::vector<int>{0, 1}));
  EXPECT_TRUE(problem.placement.allowed[1].empty());  // every online pCPU
  // With a config, both must hold: the intersection.
  usage.domains[0].config = WithCpuset(CpuSet{1, 2, 3});
  EXPECT_EQ(ProblemOf(usage).placement.allowed[0], (std::vector<int>{1}));
}

TEST(OperatorSetTest, PlansNeverLeaveTheOperatorsSet) {
  // Six busy vCPUs piled on pCPU 0, all of them bound by the operator to
  // pCPUs 0-1 of 4: the best is 3 + 3 on those two, never pCPUs 2 or 3.
  std::vector<VcpuSpec> specs(6, Pinned(1, 0));
  Usage usage = MakeUsage(4, OneVcpuEach(specs));
  for (DomainUsage& domain : usage.domains) {
    domain.config = WithCpuset(CpuSet{0, 1});
  }
  VcpuPolicyState state;
  for (int t = 0; t < 6; ++t) {
    VcpuDecision d = DecideVcpuPins({}, usage, &state);
    for (const PinChange& pin : d.pins) EXPECT_LE(pin.to_pcpu, 1);
    ApplyAndCommit(d.pins, &usage, &state);
  }
  EXPECT_EQ(DemandByPcpu(usage), (std::vector<double>{3, 3, 0, 0}));
}

// A balanced host where one vCPU runs outside the pCPUs its config allows
// (vmbalance's own earlier pin, or the kernel's choice before the operator
// narrowed the definition): it counts as unplaced, so the decision moves it
// into its set although no per-pCPU figure says imbalance.
TEST(OperatorSetTest, AVcpuOutsideItsSetMovesOnABalancedHost) {
  Usage usage = MakeUsage(4, OneVcpuEach({Pinned(0.5, 0), Pinned(0.5, 1),
                                          Pinned(0.5, 2), Pinned(0.5, 3)}));
  for (DomainUsage& domain : usage.domains) domain.config = DomainConfig();
  usage.domains[0].config = WithCpuset(CpuSet{2, 3});
  EXPECT_EQ(ProblemOf(usage).unplaced, 1);
  VcpuPolicyState state;
  bool moved = false;
  for (int t = 0; t < 3 && !moved; ++t) {
    VcpuDecision d = DecideVcpuPins({}, usage, &state);
    for (const PinChange& pin : d.pins) {
      if (pin.domain == "vm0") {
        EXPECT_GE(pin.to_pcpu, 2);
        moved = true;
      }
    }
    ApplyAndCommit(d.pins, &usage, &state);
  }
  EXPECT_TRUE(moved) << "vm0 left on pCPU 0, outside its cpuset 2-3";
  EXPECT_EQ(ProblemOf(usage).unplaced, 0);
}

TEST(PcpusTest, FloatingVcpusOutsideThemAreNotAdopted) {
  // --pcpus=2-3; vm0 floats over every pCPU, running on 2; vm1 on 0.
  Usage usage = MakeUsage(
      4, OneVcpuEach({Floating(0.6, 2), Floating(1, 0), Pinned(0.5, 3)}));
  const VcpuProblem problem = ProblemOf(usage, CpuSet{2, 3});
  EXPECT_EQ(problem.managed, 1);  // only vm2, pinned within
  ASSERT_EQ(problem.items.size(), 1u);
  // vm0's load where it runs counts; vm1's is outside.
  EXPECT_EQ(problem.placement.base_load, (std::vector<double>{0.6, 0}));
  // Without --pcpus the floating ones are managed.
  EXPECT_EQ(ProblemOf(usage).managed, 3);
}

TEST(HostLoadTest, BusyTimeNotExplainedByVcpusIsBaseLoad) {
  Usage usage = MakeUsage(4, OneVcpuEach({Pinned(0.5, 0), Pinned(0.5, 1)}));
  // pCPU 0: only its vCPU; 1: 0.05 of noise; 2: 0.8 of host work; 3:
  // unknown (the vector is short).
  usage.pcpu_busy_ratio = {0.5, 0.55, 0.8};
  const VcpuProblem problem = ProblemOf(usage);
  EXPECT_DOUBLE_EQ(problem.placement.base_load[0], 0);
  EXPECT_DOUBLE_EQ(problem.placement.base_load[1], 0);
  EXPECT_NEAR(problem.placement.base_load[2], 0.7, 1e-12);
  EXPECT_DOUBLE_EQ(problem.placement.base_load[3], 0);
  // Readings that say less busy than the vCPUs ran clamp at 0.
  usage.pcpu_busy_ratio = {0.1, 0.1, 0.1, 0.1};
  for (double load : ProblemOf(usage).placement.base_load) EXPECT_EQ(load, 0);
}

// What a host shows with `host` of its own work per pCPU: where vCPUs and
// host work together want more than the pCPU, each gets its share (the
// vCPUs' utilisation drops, their demand stays) and the pCPU reads busy.
void ShareWithHostWork(const std::vector<double>& host, Usage* usage) {
  const std::vector<double> want = DemandByPcpu(*usage);
  for (DomainUsage& domain : usage->domains) {
    for (VcpuUsage& vcpu : domain.vcpus) {
      const double total = want[vcpu.pcpu] + host[vcpu.pcpu];
      vcpu.utilization = vcpu.demand / std::max(1.0, total);
    }
  }
  testing_usage::RecomputeLoads(usage);
  usage->pcpu_busy_ratio.assign(host.size(), 0.0);
  for (size_t p = 0; p < host.size(); ++p) {
    usage->pcpu_busy_ratio[p] = std::min(1.0, want[p] + host[p]);
  }
}

TEST(HostLoadTest, APcpuWithHostLoadGetsFewerVcpus) {
  // Eight 0.5 vCPUs on pCPU 0 of 4; pCPU 3 is 0.8 busy with host work.
  Usage usage =
      MakeUsage(4, OneVcpuEach(std::vector<VcpuSpec>(8, Pinned(0.5, 0))));
  const std::vector<double> host = {0, 0, 0, 0.8};
  VcpuPolicyState state;
  for (int t = 0; t < 8; ++t) {
    ShareWithHostWork(host, &usage);
    VcpuDecision d = DecideVcpuPins({}, usage, &state);
    ApplyAndCommit(d.pins, &usage, &state);
  }
  const std::vector<double> demand = DemandByPcpu(usage);
  // 4 of vCPU demand and 0.7 of host load (after the floor) over 4 pCPUs:
  // pCPU 3 takes one 0.5 vCPU, one other pCPU three.
  EXPECT_DOUBLE_EQ(demand[3], 0.5);
  for (int p = 0; p < 3; ++p) EXPECT_GE(demand[p], 1.0) << p;
}

TEST(OptOutTest, BadRegexIsAnError) {
  std::string error;
  EXPECT_FALSE(DomainFilter::Parse("(unclosed", &error).has_value());
  EXPECT_NE(error.find("(unclosed"), std::string::npos);
  std::optional<DomainFilter> ok = DomainFilter::Parse("^infra-", &error);
  ASSERT_TRUE(ok.has_value());
  EXPECT_TRUE(ok->Matches("infra-dns"));
  EXPECT_FALSE(ok->Matches("web-infra-1"));
  EXPECT_FALSE(DomainFilter().Matches("anything"));
}

// Busy guests on pCPU 0 of 2, one of them opted out.
Usage CrowdedWithOptedOut(PolicySwitch cpu) {
  Usage usage = MakeUsage(
      2, OneVcpuEach({Pinned(1, 0), Pinned(1, 0), Pinned(1, 0), Pinned(1, 0)}));
  DomainConfig config;
  config.policy.cpu = cpu;
  usage.domains[0].config = config;  // vm0
  return usage;
}

TEST(OptOutTest, PolicyOffDomainIsNeverPinnedAndItsLoadCounts) {
  Usage usage = CrowdedWithOptedOut(PolicySwitch::kOff);
  VcpuPolicyState state;
  for (int t = 0; t < 5; ++t) {
    VcpuDecision d = DecideVcpuPins({}, usage, &state);
    EXPECT_EQ(d.policy_off_domains, 1);
    for (const PinChange& pin : d.pins) EXPECT_NE(pin.domain, "vm0");
    ApplyAndCommit(d.pins, &usage, &state);
  }
  // vm0 stays on pCPU 0 and counts there: one more guest joins it.
  EXPECT_EQ(DemandByPcpu(usage), (std::vector<double>{2, 2}));
  EXPECT_EQ(usage.domains[0].vcpus[0].pcpu, 0);
}

TEST(OptOutTest, UnreadableConfigIsNotAnOptOut) {
  Usage usage = CrowdedWithOptedOut(PolicySwitch::kOn);
  usage.domains[0].config.reset();
  HeldVcpus held;
  ActionableUsage(VcpuPolicyConfig(), usage, &held);
  EXPECT_EQ(held.excluded + held.policy_off, 0);
}

TEST(OptOutTest, ExcludedByNameIsNeverPinned) {
  Usage usage = CrowdedWithOptedOut(PolicySwitch::kDefault);
  VcpuPolicyConfig config;
  std::string error;
  config.exclude = *DomainFilter::Parse("^vm[01]$", &error);
  VcpuPolicyState state;
  for (int t = 0; t < 5; ++t) {
    VcpuDecision d = DecideVcpuPins(config, usage, &state);
    EXPECT_EQ(d.excluded_domains, 2);
    for (const PinChange& pin : d.pins) {
      EXPECT_NE(pin.domain, "vm0");
      EXPECT_NE(pin.domain, "vm1");
    }
    ApplyAndCommit(d.pins, &usage, &state);
  }
  EXPECT_EQ(DemandByPcpu(usage), (std::vector<double>{2, 2}));
}

TEST(DelayTest, MissingDelayIsCountedLoggedOnceAndRaisesTheGain) {
  Usage usage = MakeUsage(2, OneVcpuEach({Pinned(0.5, 0), Pinned(0.3, 1)}));
  for (DomainUsage& domain : usage.domains) {
    for (VcpuUsage& vcpu : domain.vcpus) vcpu.has_delay = false;
  }
  const VcpuProblem problem = ProblemOf(usage);
  EXPECT_EQ(problem.without_delay, 2);
  VcpuThresholds limits;
  limits.min_gain = 0.02;
  EXPECT_DOUBLE_EQ(
      ForMissingDelay(VcpuPolicyConfig(), problem, limits).min_gain, 0.04);
  bool missing = false;
  EXPECT_NE(DelayNotice(problem, &missing), "");
  EXPECT_EQ(DelayNotice(problem, &missing), "");  // once per episode
  VcpuPolicyState state;
  VcpuDecision d = DecideVcpuPins({}, usage, &state);
  EXPECT_EQ(d.vcpus_without_delay, 2);
  EXPECT_NE(d.notice.find("no delay counter"), std::string::npos);
  d = DecideVcpuPins({}, usage, &state);
  EXPECT_EQ(d.notice, "");
  for (DomainUsage& domain : usage.domains) {
    for (VcpuUsage& vcpu : domain.vcpus) vcpu.has_delay = true;
  }
  d = DecideVcpuPins({}, usage, &state);
  EXPECT_EQ(d.vcpus_without_delay, 0);
  EXPECT_NE(d.notice.find("available again"), std::string::npos);
  EXPECT_DOUBLE_EQ(
      ForMissingDelay(VcpuPolicyConfig(), ProblemOf(usage), limits).min_gain,
      0.02);
}

}  // namespace
}  // namespace vmbalance
