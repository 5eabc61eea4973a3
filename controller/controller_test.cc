// The loop's own rules, with a scripted fake host: no decision without data,
// failures counted and never fatal, dry run never acts, and only what the
// host accepted enters the policies' state (the closed loop).
#include "controller/controller.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "controller/scripted_hypervisor.h"

namespace vmbalance {
namespace {

using testing_controller::Imbalanced;
using testing_controller::ScriptedHypervisor;

TEST(ControllerTest, NoSampleNoDecisionAndTheLoopGoesOn) {
  ScriptedHypervisor host;
  host.samples.push_back(Status::Error("libvirt down"));
  host.samples.push_back(Status::Error("libvirt down"));
  Controller controller(&host, ControllerOptions(), nullptr, nullptr);
  for (int i = 0; i < 2; ++i) {
    TickReport report = controller.Tick();
    EXPECT_FALSE(report.sampled);
    EXPECT_EQ(report.sample_error, "libvirt down");
    EXPECT_FALSE(report.vcpu.has_value());
    EXPECT_FALSE(report.memory.has_value());
  }
  EXPECT_TRUE(host.calls.empty());
}

TEST(ControllerTest, FirstSampleHasNoRatesSoNoPins) {
  ScriptedHypervisor host;
  host.samples.push_back(Imbalanced(10));
  ControllerOptions options;
  options.memory = false;
  Controller controller(&host, options, nullptr, nullptr);
  TickReport report = controller.Tick();
  EXPECT_TRUE(report.sampled);
  EXPECT_TRUE(report.pins.failures.empty());
  for (const std::string& call : host.calls)
    EXPECT_NE(call.rfind("pin", 0), 0u);
}

TEST(ControllerTest, ImbalanceIsPinnedAndCounted) {
  ScriptedHypervisor host;
  host.samples.push_back(Imbalanced(10));
  host.samples.push_back(Imbalanced(11));
  ControllerOptions options;
  options.memory = false;
  auto metrics = std::make_shared<ControllerMetrics>();
  Controller controller(&host, options, nullptr, metrics);
  controller.Tick();
  TickReport report = controller.Tick();
  ASSERT_TRUE(report.vcpu.has_value());
  EXPECT_FALSE(report.vcpu->balanced);
  EXPECT_GE(report.pins.applied.size(), 2u);  // half must leave pCPU 0
  EXPECT_EQ(controller.pin_changes_total(), report.pins.applied.size());
  int moved_to_1 = 0;
  for (const std::string& call : host.calls)
    moved_to_1 += call.find("->1") != std::string::npos;
  EXPECT_EQ(moved_to_1, 2);
}

TEST(ControllerTest, RefusedActionsAreCountedNotFatal) {
  ScriptedHypervisor host;
  host.refuse_actions = true;
  host.samples.push_back(Imbalanced(10));
  host.samples.push_back(Imbalanced(11));
  Controller controller(&host, ControllerOptions(), nullptr, nullptr);
  size_t failures = 0;
  for (int tick = 0; tick < 2; ++tick) {
    TickReport report = controller.Tick();
    EXPECT_TRUE(report.sampled);
    EXPECT_TRUE(report.pins.applied.empty());
    EXPECT_TRUE(report.balloons.applied.empty());
    failures += report.pins.failures.size() + report.balloons.failures.size();
  }
  EXPECT_FALSE(host.calls.empty());
  EXPECT_EQ(failures, host.calls.size());
  EXPECT_EQ(controller.pin_changes_total(), 0u);
  EXPECT_EQ(controller.balloon_changes_total(), 0u);
}

TEST(ControllerTest, DryRunDecidesButNeverCalls) {
  ScriptedHypervisor host;
  host.samples.push_back(Imbalanced(10));
  host.samples.push_back(Imbalanced(11));
  ControllerOptions options;
  options.dry_run = true;
  Controller controller(&host, options, nullptr, nullptr);
  controller.Tick();
  TickReport report = controller.Tick();
  ASSERT_TRUE(report.vcpu.has_value());
  EXPECT_FALSE(report.vcpu->pins.empty());
  ASSERT_TRUE(report.memory.has_value());
  EXPECT_TRUE(host.calls.empty());
}

TEST(ControllerTest, StarvingGuestIsGrown) {
  ScriptedHypervisor host;
  host.samples.push_back(Imbalanced(10));
  ControllerOptions options;
  options.cpu = false;
  Controller controller(&host, options, nullptr, nullptr);
  TickReport report = controller.Tick();
  ASSERT_TRUE(report.memory.has_value());
  ASSERT_EQ(report.balloons.applied.size(), 1u);
  EXPECT_EQ(report.memory->changes[0].domain, "vm0");
  EXPECT_GT(report.memory->changes[0].to_kib,
            report.memory->changes[0].from_kib);
}

// The memory decision for vm0, the starving guest, in one tick's report.
const BalloonChange* ChangeFor(const TickReport& report,
                               const std::string& domain) {
  if (!report.memory.has_value()) return nullptr;
  for (const BalloonChange& change : report.memory->changes) {
    if (change.domain == domain) return &change;
  }
  return nullptr;
}

// A refused setmem must not become an in-flight target: the next tick sees
// the same starving guest and asks again, with no host budget held for it.
TEST(ControllerClosedLoopTest, RefusedResizeLeavesNoPhantomTarget) {
  ScriptedHypervisor host;
  host.refuse_actions = true;
  host.samples.push_back(Imbalanced(10));
  host.samples.push_back(Imbalanced(11));
  ControllerOptions options;
  options.cpu = false;
  Controller controller(&host, options, nullptr, nullptr);
  const TickReport first = controller.Tick();
  ASSERT_NE(ChangeFor(first, "vm0"), nullptr);
  ASSERT_EQ(first.balloons.failures.size(), 1u);
  const TickReport second = controller.Tick();
  const BalloonChange* again = ChangeFor(second, "vm0");
  ASSERT_NE(again, nullptr) << second.memory->reason;
  EXPECT_EQ(again->to_kib, ChangeFor(first, "vm0")->to_kib);
  EXPECT_EQ(second.memory->grants_in_flight_kib, 0u);
}

// An accepted setmem is in flight until the balloon gets there: the next
// tick (balloon not moved yet) does not ask again and counts the grant.
TEST(ControllerClosedLoopTest, AcceptedResizeIsInFlight) {
  ScriptedHypervisor host;
  host.samples.push_back(Imbalanced(10));
  host.samples.push_back(Imbalanced(11));
  ControllerOptions options;
  options.cpu = false;
  Controller controller(&host, options, nullptr, nullptr);
  const TickReport first = controller.Tick();
  ASSERT_EQ(first.balloons.applied.size(), 1u);
  const TickReport second = controller.Tick();
  EXPECT_EQ(ChangeFor(second, "vm0"), nullptr);
  EXPECT_GT(second.memory->grants_in_flight_kib, 0u);
}

// Dry run commits nothing: every tick decides the same as the first, for
// both policies (no phantom balloon target, no pin cooldown).
TEST(ControllerClosedLoopTest, DryRunCommitsNothing) {
  ScriptedHypervisor host;
  for (int s = 10; s < 14; ++s) host.samples.push_back(Imbalanced(s));
  ControllerOptions options;
  options.dry_run = true;
  Controller controller(&host, options, nullptr, nullptr);
  const TickReport first = controller.Tick();
  const BalloonChange* wanted = ChangeFor(first, "vm0");
  ASSERT_NE(wanted, nullptr);
  const uint64_t wanted_kib = wanted->to_kib;
  size_t first_pins = 0;
  for (int tick = 1; tick < 4; ++tick) {
    const TickReport report = controller.Tick();
    const BalloonChange* change = ChangeFor(report, "vm0");
    ASSERT_NE(change, nullptr) << "tick " << tick;
    EXPECT_EQ(change->to_kib, wanted_kib);
    ASSERT_TRUE(report.vcpu.has_value());
    if (tick == 1) first_pins = report.vcpu->pins.size();
    EXPECT_EQ(report.vcpu->pins.size(), first_pins) << "tick " << tick;
  }
  EXPECT_GT(first_pins, 0u);
  EXPECT_TRUE(host.calls.empty());
}

// Refused pins start no cooldown: the next interval plans them again.
TEST(ControllerClosedLoopTest, RefusedPinsArePlannedAgain) {
  ScriptedHypervisor host;
  host.refuse_actions = true;
  for (int s = 10; s < 13; ++s) host.samples.push_back(Imbalanced(s));
  ControllerOptions options;
  options.memory = false;
  Controller controller(&host, options, nullptr, nullptr);
  controller.Tick();
  const TickReport planned = controller.Tick();
  ASSERT_TRUE(planned.vcpu.has_value());
  ASSERT_FALSE(planned.vcpu->pins.empty());
  EXPECT_EQ(planned.pins.failures.size(), planned.vcpu->pins.size());
  const TickReport again = controller.Tick();
  ASSERT_TRUE(again.vcpu.has_value());
  EXPECT_FALSE(again.vcpu->pins.empty()) << again.vcpu->reason;
}

}  // namespace
}  // namespace vmbalance
