#include "controller/sim/faults.h"

#include <gtest/gtest.h>

namespace vmbalance {
namespace sim {
namespace {

Scenario Faulty() {
  Scenario s;
  s.fail_take_at = {3, 7};
  s.fail_calls_at = {4};
  s.read_span_s = 0.05;
  s.slow_read_at = {2};
  s.slow_read_span_s = 2;
  DomainSpec a;
  a.name = "a";
  a.start = 5;
  a.stop = 9;
  a.restart_at = {6};
  a.stats_stale_from = 8;
  s.domains = {a, DomainSpec()};
  return s;
}

TEST(FaultsTest, LostSamplesAndRefusedCallsOnlyAtTheirTicks) {
  const Scenario s = Faulty();
  const Faults faults(&s);
  for (int64_t t = 0; t < 10; ++t) {
    EXPECT_EQ(faults.TakeFails(t), t == 3 || t == 7) << t;
    EXPECT_EQ(faults.CallsRefused(t), t == 4) << t;
  }
}

TEST(FaultsTest, HangCoversItsWindowOnly) {
  Scenario s = Faulty();
  s.domains[1].hang = HangSpec{4, 3, false};
  const Faults faults(&s);
  for (int64_t t = 0; t < 10; ++t) {
    EXPECT_EQ(faults.Hung(1, t), t >= 4 && t < 7) << t;
    EXPECT_FALSE(faults.Hung(0, t)) << t;
  }
}

TEST(FaultsTest, SlowReadsTakeTheSlowSpan) {
  const Scenario s = Faulty();
  const Faults faults(&s);
  EXPECT_TRUE(faults.SlowRead(2));
  EXPECT_FALSE(faults.SlowRead(3));
  EXPECT_DOUBLE_EQ(faults.ReadSpanS(2), 2.0);
  EXPECT_DOUBLE_EQ(faults.ReadSpanS(3), 0.05);
}

TEST(FaultsTest, DomainsRunBetweenStartAndStopAndRestartOnSchedule) {
  const Scenario s = Faulty();
  const Faults faults(&s);
  for (int64_t t = 0; t < 12; ++t) {
    EXPECT_EQ(faults.Runs(0, t), t >= 5 && t < 9) << t;
    EXPECT_TRUE(faults.Runs(1, t)) << t;  // no start, no stop: always
    EXPECT_EQ(faults.RestartsAt(0, t), t == 6) << t;
  }
}

TEST(FaultsTest, StatsFreezeFromTheirTickOn) {
  const Scenario s = Faulty();
  const Faults faults(&s);
  EXPECT_FALSE(faults.StatsFrozen(0, 7));
  EXPECT_TRUE(faults.StatsFrozen(0, 8));
  EXPECT_TRUE(faults.StatsFrozen(0, 100));
  EXPECT_FALSE(faults.StatsFrozen(1, 100));
}

}  // namespace
}  // namespace sim
}  // namespace vmbalance
