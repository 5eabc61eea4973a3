#include "exporter/libvirt/sample_deadline_flags.h"

#include <gtest/gtest.h>

namespace vmbalance {
namespace {

using std::chrono::milliseconds;

TEST(SampleDeadlineTest, FractionOfTheIntervalAboveTheFloor) {
  auto deadline = SampleDeadline(2.0, 0.5, 500);
  ASSERT_TRUE(deadline.ok()) << deadline.status().message();
  EXPECT_EQ(*deadline, milliseconds(1000));
}

TEST(SampleDeadlineTest, FloorWinsForShortIntervals) {
  auto deadline = SampleDeadline(0.5, 0.5, 500);
  ASSERT_TRUE(deadline.ok());
  EXPECT_EQ(*deadline, milliseconds(500));
}

TEST(SampleDeadlineTest, DefaultsGiveHalfTheIntervalWithA1000MsFloor) {
  auto one_s = SampleDeadlineFromFlags(1.0);
  auto ten_s = SampleDeadlineFromFlags(10.0);
  ASSERT_TRUE(one_s.ok() && ten_s.ok());
  EXPECT_EQ(*one_s, milliseconds(1000));
  EXPECT_EQ(*ten_s, milliseconds(5000));
}

TEST(SampleDeadlineTest, BadValuesAreErrors) {
  EXPECT_FALSE(SampleDeadline(1.0, 0, 500).ok());
  EXPECT_FALSE(SampleDeadline(1.0, 1.5, 500).ok());
  EXPECT_FALSE(SampleDeadline(1.0, -0.1, 500).ok());
  EXPECT_FALSE(SampleDeadline(1.0, 0.5, -1).ok());
  EXPECT_FALSE(SampleDeadline(0, 0.5, 500).ok());
  EXPECT_NE(SampleDeadline(1.0, 2, 0).status().message().find("fraction"),
            std::string::npos);
}

}  // namespace
}  // namespace vmbalance
