#include "exporter/libvirt/failure_log.h"

#include <gtest/gtest.h>

namespace vmbalance {
namespace {

TEST(FailureLogTest, ReportsOnlyTheStartAndTheEndOfAFailure) {
  FailureLog log;
  EXPECT_FALSE(log.Clear("connect"));  // never failed: nothing to say
  EXPECT_TRUE(log.Fail("connect", "refused"));
  EXPECT_FALSE(log.Fail("connect", "refused"));
  EXPECT_FALSE(log.Fail("connect", "timed out"));
  EXPECT_TRUE(log.failing("connect"));
  EXPECT_TRUE(log.Fail("host memory", "unsupported"));  // independent keys
  EXPECT_TRUE(log.Clear("connect"));
  EXPECT_FALSE(log.Clear("connect"));
  EXPECT_FALSE(log.failing("connect"));
  EXPECT_TRUE(log.failing("host memory"));
  EXPECT_TRUE(log.Fail("connect", "refused again"));  // a new episode
}

}  // namespace
}  // namespace vmbalance
