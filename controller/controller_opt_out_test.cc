// The operator's opt-out through the loop: --exclude reaches both policies
// (vmbalanced runs both), and a guest the memory coordinator leaves alone is
// published as vmbalance_memory_left_alone with its reason.
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <memory>
#include <string>

#include "controller/controller.h"
#include "controller/scripted_hypervisor.h"

namespace vmbalance {
namespace {

using testing_controller::Imbalanced;
using testing_controller::ScriptedHypervisor;

std::string Scrape(const ControllerMetrics& metrics) {
  return prometheus::TextSerializer().Serialize(metrics.Collect());
}

// vm0 is short of memory: excluded, it is not grown, and says why.
TEST(ControllerOptOutTest, ExcludedStarvingGuestIsNotGrownAndIsPublished) {
  ScriptedHypervisor host;
  host.samples.push_back(Imbalanced(10));
  ControllerOptions options;
  options.cpu = false;
  std::string error;
  options.memory_config.exclude = *DomainFilter::Parse("^vm0$", &error);
  auto metrics = std::make_shared<ControllerMetrics>();
  Controller controller(&host, options, nullptr, metrics);
  TickReport report = controller.Tick();
  ASSERT_TRUE(report.memory.has_value());
  EXPECT_TRUE(report.memory->changes.empty());
  EXPECT_TRUE(host.calls.empty());
  const std::string text = Scrape(*metrics);
  EXPECT_NE(text.find("vmbalance_memory_left_alone{domain=\"vm0\",uuid=\""
                      "00000000-0000-0000-0000-000000000000\","
                      "reason=\"exclude\"} 1"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("vmbalance_memory_left_alone{domain=\"vm1\""),
            std::string::npos);
}

// Its XML says memory="off": the same.
TEST(ControllerOptOutTest, PolicyOffStarvingGuestIsNotGrownAndIsPublished) {
  ScriptedHypervisor host;
  Sample sample = Imbalanced(10);
  sample.domains[0].config = DomainConfig();
  sample.domains[0].config->policy.memory = PolicySwitch::kOff;
  host.samples.push_back(sample);
  ControllerOptions options;
  options.cpu = false;
  auto metrics = std::make_shared<ControllerMetrics>();
  Controller controller(&host, options, nullptr, metrics);
  TickReport report = controller.Tick();
  ASSERT_TRUE(report.memory.has_value());
  EXPECT_TRUE(report.memory->changes.empty());
  EXPECT_NE(Scrape(*metrics).find("reason=\"policy\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace vmbalance
