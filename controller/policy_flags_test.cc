#include "controller/policy_flags.h"

#include <gflags/gflags.h>

#include <string>
#include <utility>
#include <vector>

#include "exporter/cli.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

void Set(const char* flag, const char* value) {
  ASSERT_FALSE(gflags::SetCommandLineOption(flag, value).empty())
      << "--" << flag << "=" << value;
}

std::string DefaultOf(const char* flag) {
  gflags::CommandLineFlagInfo info;
  EXPECT_TRUE(gflags::GetCommandLineFlagInfo(flag, &info)) << flag;
  return info.default_value;
}

// Flags left alone give exactly the structs' defaults: a flag whose default
// was typed again (and drifted) shows up here.
TEST(PolicyFlagsTest, UntouchedFlagsGiveTheConfigDefaults) {
  gflags::FlagSaver saver;
  ControllerOptions options;
  ASSERT_TRUE(PolicyConfigsFromFlags(&options).ok());
  const VcpuPolicyConfig vcpu;
  EXPECT_EQ(options.vcpu.max_stddev_ratio, vcpu.max_stddev_ratio);
  EXPECT_EQ(options.vcpu.max_stddev_abs, vcpu.max_stddev_abs);
  EXPECT_TRUE(options.vcpu.allowed_pcpus.Empty());
  const FairnessConfig& fair = options.vcpu.fairness;
  EXPECT_EQ(fair.enabled, vcpu.fairness.enabled);
  EXPECT_EQ(fair.busy_want, vcpu.fairness.busy_want);
  EXPECT_EQ(fair.min_served_ratio, vcpu.fairness.min_served_ratio);
  EXPECT_EQ(fair.stranded_idle, vcpu.fairness.stranded_idle);
  EXPECT_EQ(fair.stranded_wait, vcpu.fairness.stranded_wait);
  const TopologyConfig& topology = options.vcpu.topology;
  EXPECT_EQ(topology.busy_vcpu_demand, vcpu.topology.busy_vcpu_demand);
  EXPECT_EQ(topology.idle_core_load, vcpu.topology.idle_core_load);
  EXPECT_EQ(topology.home_cells, vcpu.topology.home_cells);
  EXPECT_EQ(topology.cell_fill_slack, vcpu.topology.cell_fill_slack);
  const MemoryPolicyConfig memory;
  const MemoryPolicyConfig& got = options.memory_config;
  EXPECT_EQ(got.min_unused_kib, memory.min_unused_kib);
  EXPECT_EQ(got.max_unused_kib, memory.max_unused_kib);
  EXPECT_EQ(got.target_unused_kib, memory.target_unused_kib);
  EXPECT_EQ(got.host_reserve_kib, memory.host_reserve_kib);
  EXPECT_EQ(got.host_reserve_fraction, memory.host_reserve_fraction);
  EXPECT_EQ(got.guest_floor_kib, memory.guest_floor_kib);
  EXPECT_EQ(got.max_shrink_fraction, memory.max_shrink_fraction);
  EXPECT_EQ(got.pressure_shrink_fraction, memory.pressure_shrink_fraction);
  EXPECT_EQ(got.stale_after_s, memory.stale_after_s);
}

// What --help shows is what the structs hold, in the flags' units.
TEST(PolicyFlagsTest, RegistryDefaultsAreTheConfigDefaults) {
  const MemoryPolicyConfig memory;
  for (const auto& [flag, kib] : std::vector<std::pair<const char*, uint64_t>>{
           {"min_unused_mib", memory.min_unused_kib},
           {"max_unused_mib", memory.max_unused_kib},
           {"host_reserve_mib", memory.host_reserve_kib},
           {"guest_floor_mib", memory.guest_floor_kib}}) {
    EXPECT_EQ(DefaultOf(flag), std::to_string(MibFromKib(kib))) << flag;
  }
  EXPECT_EQ(DefaultOf("stale_after_seconds"),
            std::to_string(memory.stale_after_s));
  EXPECT_EQ(std::stod(DefaultOf("max_shrink_fraction")),
            memory.max_shrink_fraction);
  EXPECT_EQ(std::stod(DefaultOf("balance_ratio")),
            VcpuPolicyConfig().max_stddev_ratio);
  const FairnessConfig fair;
  const TopologyConfig topology;
  for (const auto& [flag, value] : std::vector<std::pair<const char*, double>>{
           {"fair_busy_want", fair.busy_want},
           {"fair_min_served_ratio", fair.min_served_ratio},
           {"stranded_idle_pcpus", fair.stranded_idle},
           {"stranded_wait_pcpus", fair.stranded_wait},
           {"smt_busy_vcpu_demand", topology.busy_vcpu_demand},
           {"smt_idle_core_load", topology.idle_core_load},
           {"numa_cell_fill_slack", topology.cell_fill_slack}}) {
    EXPECT_EQ(std::stod(DefaultOf(flag)), value) << flag;
  }
  EXPECT_EQ(DefaultOf("fairness"), fair.enabled ? "true" : "false");
  EXPECT_EQ(DefaultOf("numa_home_cells"),
            topology.home_cells ? "true" : "false");
}

// Each fairness and topology flag lands in its field.
TEST(PolicyFlagsTest, FairnessAndTopologyFlagsReachTheConfig) {
  gflags::FlagSaver saver;
  Set("fairness", "false");
  Set("fair_busy_want", "0.9");
  Set("fair_min_served_ratio", "0.6");
  Set("stranded_idle_pcpus", "1.5");
  Set("stranded_wait_pcpus", "2");
  Set("smt_busy_vcpu_demand", "0.7");
  Set("smt_idle_core_load", "0.3");
  Set("numa_home_cells", "true");
  Set("numa_cell_fill_slack", "0.04");
  ControllerOptions options;
  ASSERT_TRUE(PolicyConfigsFromFlags(&options).ok());
  const FairnessConfig& fair = options.vcpu.fairness;
  EXPECT_FALSE(fair.enabled);
  EXPECT_EQ(fair.busy_want, 0.9);
  EXPECT_EQ(fair.min_served_ratio, 0.6);
  EXPECT_EQ(fair.stranded_idle, 1.5);
  EXPECT_EQ(fair.stranded_wait, 2);
  const TopologyConfig& topology = options.vcpu.topology;
  EXPECT_EQ(topology.busy_vcpu_demand, 0.7);
  EXPECT_EQ(topology.idle_core_load, 0.3);
  EXPECT_TRUE(topology.home_cells);
  EXPECT_EQ(topology.cell_fill_slack, 0.04);
}

TEST(PolicyFlagsTest, UserValuesReachTheConfigsInTheirUnits) {
  gflags::FlagSaver saver;
  Set("pcpus", "0-3");
  Set("exclude", "^infra-");
  Set("balance_ratio", "0.1");
  Set("min_unused_mib", "150");
  Set("max_unused_mib", "500");
  Set("guest_floor_mib", "300");
  Set("max_shrink_fraction", "0.4");
  ControllerOptions options;
  ASSERT_TRUE(PolicyConfigsFromFlags(&options).ok());
  EXPECT_EQ(options.vcpu.allowed_pcpus, CpuSet::Range(0, 3));
  EXPECT_TRUE(options.vcpu.exclude.Matches("infra-dns"));
  EXPECT_FALSE(options.vcpu.exclude.Matches("web1"));
  EXPECT_EQ(options.vcpu.max_stddev_ratio, 0.1);
  EXPECT_EQ(options.memory_config.min_unused_kib, 150u * 1024);
  EXPECT_EQ(options.memory_config.max_unused_kib, 500u * 1024);
  // Moved marks move the target to between them.
  EXPECT_EQ(options.memory_config.target_unused_kib, 325u * 1024);
  EXPECT_EQ(options.memory_config.guest_floor_kib, 300u * 1024);
  // Shrinking under pressure is never slower than the normal step.
  EXPECT_EQ(options.memory_config.pressure_shrink_fraction, 0.4);
}

TEST(PolicyFlagsTest, BadValuesAreRefusedWithTheFlagNamed) {
  for (const auto& [flag, value] :
       std::vector<std::pair<const char*, const char*>>{
           {"pcpus", "3-1"},
           {"exclude", "(unclosed"},
           {"balance_ratio", "0"},
           {"balance_abs", "1"},
           {"fair_busy_want", "0"},
           {"fair_busy_want", "1.5"},
           {"fair_min_served_ratio", "0"},
           {"fair_min_served_ratio", "1.1"},
           {"stranded_idle_pcpus", "0"},
           {"stranded_wait_pcpus", "-1"},
           {"smt_busy_vcpu_demand", "0"},
           {"smt_busy_vcpu_demand", "1.2"},
           {"smt_idle_core_load", "0"},
           {"smt_idle_core_load", "0.6"},  // above the busy demand (0.5)
           {"numa_cell_fill_slack", "-0.01"},
           {"numa_cell_fill_slack", "1"},
           {"min_unused_mib", "0"},
           {"max_unused_mib", "50"},
           {"host_reserve_mib", "-1"},
           {"host_reserve_fraction", "1"},
           {"guest_floor_mib", "0"},
           {"max_shrink_fraction", "0.6"},
           {"stale_after_seconds", "0"}}) {
    gflags::FlagSaver saver;
    Set(flag, value);
    ControllerOptions options;
    Status status = PolicyConfigsFromFlags(&options);
    EXPECT_FALSE(status.ok()) << flag << "=" << value;
    EXPECT_THAT(status.message(), HasSubstr(std::string("--") + flag));
  }
}

// --helpshort reads the registry: each policy's file lists its own flags.
TEST(PolicyFlagsTest, ShortHelpListsEachPolicysFlagsByFile) {
  const std::string cpu = ShortHelp("usage", {VcpuPolicyFlagsFile()});
  for (const char* flag :
       {"-pcpus", "-balance_ratio", "-balance_abs", "-fairness",
        "-fair_busy_want", "-fair_min_served_ratio", "-stranded_idle_pcpus",
        "-stranded_wait_pcpus", "-smt_busy_vcpu_demand", "-smt_idle_core_load",
        "-numa_home_cells", "-numa_cell_fill_slack"}) {
    EXPECT_THAT(cpu, HasSubstr(flag));
  }
  EXPECT_THAT(cpu, Not(HasSubstr("-min_unused_mib")));
  const std::string memory = ShortHelp("usage", {MemoryPolicyFlagsFile()});
  for (const char* flag :
       {"-min_unused_mib", "-max_unused_mib", "-host_reserve_mib",
        "-host_reserve_fraction", "-guest_floor_mib", "-max_shrink_fraction",
        "-stale_after_seconds"}) {
    EXPECT_THAT(memory, HasSubstr(flag));
  }
  EXPECT_THAT(memory, Not(HasSubstr("-pcpus")));
  // --exclude serves both controllers: in the shared file, which every
  // controller's --helpshort lists.
  EXPECT_THAT(ShortHelp("usage", {SharedPolicyFlagsFile()}),
              HasSubstr("-exclude"));
  EXPECT_THAT(memory, Not(HasSubstr("-exclude")));
}

}  // namespace
}  // namespace vmbalance
