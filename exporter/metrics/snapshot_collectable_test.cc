#include "exporter/metrics/snapshot_collectable.h"

#include <memory>
#include <stdexcept>
#include <thread>

#include "exporter/metrics/metric_family_builder.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

struct Reading {
  double value = 0;
  bool fail = false;  // render throws for this snapshot
};

using Families = std::vector<prometheus::MetricFamily>;

Families RenderReading(const Reading& reading) {
  if (reading.fail) throw std::runtime_error("render broke");
  Families out;
  MetricFamilyBuilder::Gauge("test_value", "A value.")
      .Add(reading.value)
      .AppendTo(&out);
  return out;
}

std::shared_ptr<const Reading> MakeReading(double value, bool fail = false) {
  return std::make_shared<const Reading>(Reading{value, fail});
}

double OnlyValue(const Families& families) {
  EXPECT_EQ(families.size(), 1u);
  if (families.size() != 1 || families[0].metric.size() != 1) return -1;
  return families[0].metric[0].gauge.value;
}

TEST(SnapshotCollectableTest, NullSnapshotCollectsNothing) {
  int renders = 0;
  SnapshotCollectable<Reading> collectable([&renders](const Reading& reading) {
    ++renders;
    return RenderReading(reading);
  });
  EXPECT_TRUE(collectable.Collect().empty());
  collectable.Publish(MakeReading(1));
  EXPECT_EQ(OnlyValue(collectable.Collect()), 1);
  collectable.Publish(nullptr);  // null clears
  EXPECT_TRUE(collectable.Collect().empty());
  EXPECT_EQ(renders, 1);  // never called with a null snapshot
}

TEST(SnapshotCollectableTest, InitialSnapshotIsServed) {
  SnapshotCollectable<Reading> collectable(RenderReading, MakeReading(4));
  EXPECT_EQ(OnlyValue(collectable.Collect()), 4);
}

TEST(SnapshotCollectableTest, ThrowingRenderGivesAnEmptyScrapeAndIsCounted) {
  SnapshotCollectable<Reading> collectable(RenderReading,
                                           MakeReading(1, /*fail=*/true));
  Families families;
  EXPECT_NO_THROW(families = collectable.Collect());
  EXPECT_TRUE(families.empty());
  EXPECT_NO_THROW(families = collectable.Collect());
  EXPECT_EQ(collectable.render_failures(), 2u);
  // A good snapshot afterwards is served again.
  collectable.Publish(MakeReading(2));
  EXPECT_EQ(OnlyValue(collectable.Collect()), 2);
  EXPECT_EQ(collectable.render_failures(), 2u);
}

TEST(SnapshotCollectableTest, NonStandardExceptionsAreCaughtToo) {
  SnapshotCollectable<Reading> collectable(
      [](const Reading&) -> Families { throw 42; }, MakeReading(1));
  EXPECT_NO_THROW(EXPECT_TRUE(collectable.Collect().empty()));
  EXPECT_EQ(collectable.render_failures(), 1u);
}

TEST(SnapshotCollectableTest, GenerationCountsPublishesNotCollects) {
  SnapshotCollectable<Reading> collectable(RenderReading, MakeReading(1));
  const uint64_t start = collectable.generation();
  collectable.Collect();
  EXPECT_EQ(collectable.generation(), start);
  collectable.Publish(MakeReading(2));
  EXPECT_EQ(collectable.generation(), start + 1);
  collectable.Publish(nullptr);  // clearing changes the scrape too
  EXPECT_EQ(collectable.generation(), start + 2);
}

TEST(SnapshotCollectableTest, ListenersHearEveryPublishAfterTheChange) {
  SnapshotCollectable<Reading> collectable(RenderReading, MakeReading(1));
  std::vector<double> heard;
  collectable.AddChangeListener([&] {
    // Called after the change: the new snapshot is what Collect() sees.
    heard.push_back(OnlyValue(collectable.Collect()));
  });
  int second = 0;
  collectable.AddChangeListener([&second] { ++second; });
  collectable.Publish(MakeReading(2));
  collectable.Publish(MakeReading(3));
  EXPECT_EQ(heard, (std::vector<double>{2, 3}));
  EXPECT_EQ(second, 2);
}

TEST(SnapshotCollectableTest, PublishAndCollectFromTwoThreads) {
  SnapshotCollectable<Reading> collectable(RenderReading, MakeReading(0));
  constexpr int kRounds = 2000;
  std::thread publisher([&collectable] {
    for (int i = 1; i <= kRounds; ++i) {
      collectable.Publish(MakeReading(i, /*fail=*/i % 7 == 0));
    }
    collectable.Publish(MakeReading(kRounds + 1));
  });
  double last = 0;
  for (int i = 0; i < kRounds; ++i) {
    const Families families = collectable.Collect();
    if (families.empty()) continue;  // a failing snapshot
    const double value = OnlyValue(families);
    EXPECT_GE(value, last);  // snapshots are seen in publish order
    last = value;
  }
  publisher.join();
  EXPECT_EQ(OnlyValue(collectable.Collect()), kRounds + 1);
}

}  // namespace
}  // namespace vmbalance
