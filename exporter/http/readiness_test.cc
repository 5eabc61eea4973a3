#include "exporter/http/readiness.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using ::testing::HasSubstr;
using Clock = Readiness::Clock;
using std::chrono::milliseconds;

TEST(ReadinessTest, NotReadyBeforeTheFirstSample) {
  Readiness readiness(2);
  EXPECT_EQ(readiness.Check().message(), "no sample taken yet");
}

TEST(ReadinessTest, ReadyWhileSamplesSucceedWithinThreeIntervals) {
  Readiness readiness(2);  // 2 s interval: 6 s of grace
  const Clock::time_point t0 = Clock::now();
  readiness.Record(true, "", t0);
  EXPECT_TRUE(readiness.Check(t0).ok());
  EXPECT_TRUE(readiness.Check(t0 + milliseconds(5999)).ok());
  Status late = readiness.Check(t0 + milliseconds(6500));
  EXPECT_FALSE(late.ok());
  EXPECT_THAT(late.message(), HasSubstr("6.5 s old (more than 3 intervals"));
  readiness.Record(true, "", t0 + milliseconds(6600));
  EXPECT_TRUE(readiness.Check(t0 + milliseconds(6600)).ok());
}

TEST(ReadinessTest, AFailedSampleIsNotReadyAtOnce) {
  Readiness readiness(2);
  const Clock::time_point t0 = Clock::now();
  readiness.Record(true, "", t0);
  readiness.Record(false, "connecting to qemu:///system: refused",
                   t0 + milliseconds(2000));
  EXPECT_EQ(readiness.Check(t0 + milliseconds(2000)).message(),
            "the last sample failed: connecting to qemu:///system: refused");
  readiness.Record(true, "", t0 + milliseconds(4000));
  EXPECT_TRUE(readiness.Check(t0 + milliseconds(4000)).ok());
}

}  // namespace
}  // namespace vmbalance
