#include "exporter/libvirt/reconnect_backoff.h"

#include <gtest/gtest.h>

namespace vmbalance {
namespace {

using std::chrono::seconds;

TEST(ReconnectBackoffTest, DoublesUpToTheMaximumAndResetsOnSuccess) {
  ReconnectBackoff backoff(seconds(1), seconds(30));
  const ReconnectBackoff::Clock::time_point start{};
  EXPECT_TRUE(backoff.MayAttempt(start));

  backoff.RecordFailure(start);
  EXPECT_FALSE(backoff.MayAttempt(start + std::chrono::milliseconds(999)));
  EXPECT_TRUE(backoff.MayAttempt(start + seconds(1)));

  std::vector<long> waits_s;  // NOLINT
  auto now = start + seconds(1);
  for (int i = 0; i < 7; ++i) {
    backoff.RecordFailure(now);
    waits_s.push_back(
        std::chrono::duration_cast<seconds>(backoff.delay()).count());
    now = backoff.next_attempt();
  }
  EXPECT_EQ(waits_s, (std::vector<long>{2, 4, 8, 16, 30, 30, 30}));  // NOLINT
  EXPECT_EQ(backoff.failures(), 8);

  backoff.RecordSuccess();
  EXPECT_TRUE(backoff.MayAttempt(now));
  backoff.RecordFailure(now);
  EXPECT_EQ(backoff.delay(), seconds(1));
}

}  // namespace
}  // namespace vmbalance
