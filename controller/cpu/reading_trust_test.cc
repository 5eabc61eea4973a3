#include "controller/cpu/reading_trust.h"

#include <string>

#include "controller/cpu/usage_builder.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using testing_usage::MakeUsage;
using testing_usage::OneVcpuEach;
using testing_usage::Pinned;
using testing_usage::Unknown;

TEST(ReadingTrustTest, OrdinaryReadingsAreTrusted) {
  Usage usage = MakeUsage(2, OneVcpuEach({Pinned(1.0, 0), Pinned(0.3, 1)}));
  usage.window_error = 0.05;
  EXPECT_EQ(DistrustReason({}, usage), "");
}

TEST(ReadingTrustTest, SlowReadIsDistrusted) {
  Usage usage = MakeUsage(2, OneVcpuEach({Pinned(1.0, 0)}));
  VcpuPolicyConfig config;
  usage.window_error = config.max_window_error;
  EXPECT_EQ(DistrustReason(config, usage), "");  // at the limit: still trusted
  usage.window_error = config.max_window_error + 0.01;
  EXPECT_NE(DistrustReason(config, usage).find("uncertain"), std::string::npos);
}

TEST(ReadingTrustTest, MoreRunAndWaitThanTheIntervalIsImpossible) {
  // Ceiling: 1 + window error 0.05 + margin 0.1 + 2 x 10 ms / 1 s = 1.17.
  Usage usage = MakeUsage(2, OneVcpuEach({Pinned(1.0, 0), Pinned(0.5, 1)}));
  usage.window_error = 0.05;
  usage.domains[1].vcpus[0].runnable = 1.16;
  EXPECT_EQ(DistrustReason({}, usage), "");
  usage.domains[1].vcpus[0].runnable = 1.18;
  const std::string reason = DistrustReason({}, usage);
  EXPECT_NE(reason.find("impossible"), std::string::npos) << reason;
  EXPECT_NE(reason.find("vm1"), std::string::npos) << reason;
  // The counters' resolution weighs less over a longer interval.
  usage.interval_s = 10;
  usage.domains[1].vcpus[0].runnable = 1.16;
  EXPECT_NE(DistrustReason({}, usage).find("impossible"), std::string::npos);
}

TEST(ReadingTrustTest, InvalidReadingsAreNotJudged) {
  Usage usage = MakeUsage(2, OneVcpuEach({Pinned(1.0, 0), Unknown(1)}));
  usage.domains[1].vcpus[0].runnable = 5;
  EXPECT_EQ(DistrustReason({}, usage), "");
}

}  // namespace
}  // namespace vmbalance
