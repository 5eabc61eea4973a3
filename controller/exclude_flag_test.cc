// --exclude is one flag for both controllers: it fills the vCPU and the
// memory config alike, and a bad pattern is refused by either.
#include <gflags/gflags.h>
#include <gtest/gtest.h>

#include <string>

#include "controller/policy_flags.h"

namespace vmbalance {
namespace {

TEST(ExcludeFlagTest, FillsBothConfigs) {
  gflags::FlagSaver saver;
  ASSERT_FALSE(gflags::SetCommandLineOption("exclude", "^infra-").empty());
  ControllerOptions options;
  ASSERT_TRUE(PolicyConfigsFromFlags(&options).ok());
  EXPECT_TRUE(options.memory_config.exclude.Matches("infra-dns"));
  EXPECT_FALSE(options.memory_config.exclude.Matches("web1"));
  EXPECT_EQ(options.memory_config.exclude.pattern(),
            options.vcpu.exclude.pattern());
}

TEST(ExcludeFlagTest, DefaultExcludesNothing) {
  MemoryPolicyConfig memory;
  ASSERT_TRUE(MemoryConfigFromFlags(&memory).ok());
  EXPECT_FALSE(memory.exclude.Matches("infra-dns"));
}

TEST(ExcludeFlagTest, MemoryCoordinatorRefusesABadPattern) {
  gflags::FlagSaver saver;
  ASSERT_FALSE(gflags::SetCommandLineOption("exclude", "(unclosed").empty());
  MemoryPolicyConfig memory;
  const Status status = MemoryConfigFromFlags(&memory);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("--exclude"), std::string::npos);
}

}  // namespace
}  // namespace vmbalance
