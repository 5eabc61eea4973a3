// The loop under issue 10's faults, with a scripted fake host: a pin or
// setmem that times out is a refusal (counted, never committed, asked again),
// and a domain whose figures missed the sampling deadline is left alone by
// both policies while the others are acted on.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "controller/controller.h"
#include "controller/scripted_hypervisor.h"

namespace vmbalance {
namespace {

using testing_controller::Imbalanced;
using testing_controller::ScriptedHypervisor;

// What libvirt says when a domain's job is held (a migration, a hung
// monitor) past its wait.
constexpr char kJobTimeout[] =
    "Timeout was reached: cannot acquire state change lock (held by "
    "monitor=remoteDispatchDomainMigratePerform3Params)";

const DomainKey kVm0 = "00000000-0000-0000-0000-000000000000";
const DomainKey kVm1 = "00000000-0000-0000-0000-000000000001";

// `sample` with vm0 and vm1 read only in part: their figures were read
// (counters from /proc, a balloon size) but one call missed the deadline.
// The figures alone would have vm0 grown and vm0, vm1 moved.
Sample WithHung(Sample sample) {
  for (DomainSample& domain : sample.domains) {
    if (domain.uuid != kVm0 && domain.uuid != kVm1) continue;
    domain.read = DomainRead::kTimedOut;
    domain.read_error = "balloon stats: no answer within the deadline";
    ++sample.errors;
  }
  return sample;
}

bool Touches(const std::vector<std::string>& calls, const DomainKey& uuid) {
  for (const std::string& call : calls) {
    if (call.find(uuid) != std::string::npos) return true;
  }
  return false;
}

TEST(ControllerFaultsTest, TimedOutSetmemIsARefusalAndIsAskedAgain) {
  ScriptedHypervisor host;
  host.refuse_domains = {kVm0};
  host.refusal = kJobTimeout;
  host.samples.push_back(Imbalanced(10));
  host.samples.push_back(Imbalanced(11));
  ControllerOptions options;
  options.cpu = false;
  Controller controller(&host, options, nullptr, nullptr);
  const TickReport first = controller.Tick();
  ASSERT_EQ(first.balloons.failures.size(), 1u);
  EXPECT_NE(first.balloons.failures[0].find("vm0"), std::string::npos);
  EXPECT_NE(first.balloons.failures[0].find("Timeout"), std::string::npos);
  EXPECT_TRUE(first.balloons.applied.empty());
  const TickReport second = controller.Tick();
  ASSERT_TRUE(second.memory.has_value());
  EXPECT_EQ(second.memory->grants_in_flight_kib, 0u);  // nothing committed
  ASSERT_EQ(second.balloons.failures.size(), 1u);      // asked again
  EXPECT_EQ(controller.balloon_changes_total(), 0u);
}

TEST(ControllerFaultsTest, TimedOutPinIsNotCommittedTheOthersAre) {
  ScriptedHypervisor host;
  host.refusal = kJobTimeout;
  host.refuse_actions = true;
  for (int s = 10; s < 13; ++s) host.samples.push_back(Imbalanced(s));
  ControllerOptions options;
  options.memory = false;
  Controller controller(&host, options, nullptr, nullptr);
  controller.Tick();
  const TickReport timed_out = controller.Tick();
  ASSERT_FALSE(timed_out.pins.failures.empty());
  EXPECT_TRUE(timed_out.pins.applied.empty());
  EXPECT_NE(timed_out.pins.failures[0].find("Timeout"), std::string::npos);
  // No cooldown from pins that never took: planned again at once.
  const TickReport again = controller.Tick();
  ASSERT_TRUE(again.vcpu.has_value());
  EXPECT_FALSE(again.vcpu->pins.empty()) << again.vcpu->reason;
  EXPECT_EQ(controller.pin_changes_total(), 0u);
}

TEST(ControllerFaultsTest, HungDomainsAreLeftAloneTheOthersAreActedOn) {
  ScriptedHypervisor host;
  host.samples.push_back(WithHung(Imbalanced(10)));
  host.samples.push_back(WithHung(Imbalanced(11)));
  host.samples.push_back(Imbalanced(12));
  Controller controller(&host, ControllerOptions(), nullptr, nullptr);
  controller.Tick();
  const TickReport hung = controller.Tick();
  EXPECT_TRUE(hung.sampled);
  // vm0 starves and all four vCPUs crowd pCPU 0, but vm0 and vm1 cannot be
  // read: only vm2 and vm3 are balanced.
  EXPECT_FALSE(hung.pins.applied.empty()) << hung.vcpu->reason;
  EXPECT_FALSE(Touches(host.calls, kVm0));
  EXPECT_FALSE(Touches(host.calls, kVm1));
  // Readable again: vm0 is fed.
  host.calls.clear();
  const TickReport back = controller.Tick();
  EXPECT_TRUE(Touches(host.calls, kVm0)) << back.memory->reason;
}

}  // namespace
}  // namespace vmbalance
