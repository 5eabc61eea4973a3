#include "exporter/http/page_cache.h"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "exporter/metrics/metric_family_builder.h"
#include "exporter/metrics/snapshot_collectable.h"
#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"

namespace vmbalance {
namespace {

using Families = std::vector<prometheus::MetricFamily>;

Families Render(const double& value) {
  Families out;
  MetricFamilyBuilder::Gauge("test_value", "A value.")
      .Add(value)
      .AppendTo(&out);
  return out;
}

std::shared_ptr<SnapshotCollectable<double>> Source(double value) {
  return std::make_shared<SnapshotCollectable<double>>(
      Render, std::make_shared<const double>(value));
}

// A plain Collectable: no generation, so it may change on every scrape.
class Counting : public prometheus::Collectable {
 public:
  Families Collect() const override { return Render(++calls_); }
  mutable double calls_ = 0;
};

TEST(PageCacheTest, ServesOnePageUntilASourcePublishes) {
  auto source = Source(1);
  PageCache cache;
  cache.Register(source);
  const auto first = cache.Get();
  EXPECT_NE(first->Text().find("test_value 1\n"), std::string::npos);
  EXPECT_EQ(cache.Get(), first);  // the same bytes, not a copy
  EXPECT_EQ(cache.Get(), first);
  EXPECT_EQ(cache.renders(), 1u);

  source->Publish(std::make_shared<const double>(2));
  const auto second = cache.Get();
  EXPECT_NE(second, first);
  EXPECT_NE(second->Text().find("test_value 2\n"), std::string::npos);
  EXPECT_EQ(cache.renders(), 2u);
  EXPECT_NE(first->Text().find("test_value 1\n"), std::string::npos);
}

TEST(PageCacheTest, TextIsWhatTheExposerSerialized) {
  auto a = Source(1.5);
  auto b = Source(7);
  PageCache cache;
  cache.Register(a);
  cache.Register(b);
  Families all = a->Collect();
  const Families more = b->Collect();
  all.insert(all.end(), more.begin(), more.end());
  EXPECT_EQ(cache.Get()->Text(), prometheus::TextSerializer().Serialize(all));
}

TEST(PageCacheTest, UnversionedSourcesAreCollectedEveryTime) {
  auto counting = std::make_shared<Counting>();
  PageCache cache;
  cache.Register(Source(1));  // expires at once: skipped
  cache.Register(counting);
  EXPECT_NE(cache.Get()->Text().find("test_value 1\n"), std::string::npos);
  EXPECT_NE(cache.Get()->Text().find("test_value 2\n"), std::string::npos);
  EXPECT_EQ(cache.renders(), 2u);
}

TEST(PageCacheTest, ASourceGoingAwayChangesThePage) {
  auto kept = Source(1);
  auto dropped = Source(2);
  PageCache cache;
  cache.Register(kept);
  cache.Register(dropped);
  EXPECT_NE(cache.Get()->Text().find("test_value 2\n"), std::string::npos);
  dropped.reset();
  EXPECT_EQ(cache.Get()->Text().find("test_value 2\n"), std::string::npos);
}

TEST(PageCacheTest, ThrowingSourceLeavesTheCacheUsable) {
  auto counting = std::make_shared<Counting>();
  struct Throwing : prometheus::Collectable {
    Families Collect() const override { throw std::runtime_error("no"); }
  };
  auto throwing = std::make_shared<Throwing>();
  PageCache cache;
  cache.Register(throwing);
  cache.Register(counting);
  EXPECT_THROW(cache.Get(), std::runtime_error);
  throwing.reset();
  EXPECT_NE(cache.Get()->Text().find("test_value 1\n"), std::string::npos);
}

TEST(PageCacheTest, AThrowingSourceDoesNotLeaveAStalePage) {
  auto before = Source(1);
  struct Throwing : prometheus::Collectable {
    Families Collect() const override { throw std::runtime_error("no"); }
  };
  auto throwing = std::make_shared<Throwing>();
  PageCache cache;
  cache.Register(before);
  EXPECT_NE(cache.Get()->Text().find("test_value 1\n"), std::string::npos);
  cache.Register(throwing);
  before->Publish(std::make_shared<const double>(2));
  EXPECT_THROW(cache.Get(), std::runtime_error);  // rendered `before` first
  throwing.reset();
  EXPECT_NE(cache.Get()->Text().find("test_value 2\n"), std::string::npos);
}

TEST(PageCacheTest, NoSourcesLeftIsAnEmptyPage) {
  auto source = Source(1);
  PageCache cache;
  cache.Register(source);
  EXPECT_NE(cache.Get()->Text(), "");
  source.reset();
  EXPECT_EQ(cache.Get()->Text(), "");
}

TEST(PageCacheTest, DeflatedOnceAndRoundTrips) {
  PageCache cache;
  auto a = Source(3);
  auto b = Source(4);
  cache.Register(a);
  cache.Register(b);
  const auto page = cache.Get();
  const auto deflated = page->Deflated();
  ASSERT_TRUE(deflated.has_value());
  ASSERT_EQ(deflated->size(), 2u);
  EXPECT_EQ(page->Deflated(), deflated);  // built once
  EXPECT_EQ(Gunzip(GzipJoin(*deflated)),
            std::optional<std::string>(page->Text()));
}

TEST(PageCacheTest, OnlyTheChangedSourceIsRenderedAgain) {
  auto exporter = Source(1);
  auto controller = Source(2);
  PageCache cache;
  cache.Register(exporter);
  cache.Register(controller);
  const auto first = cache.Get();
  EXPECT_EQ(cache.renders(), 2u);
  controller->Publish(std::make_shared<const double>(5));
  const auto second = cache.Get();
  EXPECT_EQ(cache.renders(), 3u);
  EXPECT_EQ(second->parts[0], first->parts[0]);  // the exporter's, kept
  EXPECT_NE(second->Text().find("test_value 5\n"), std::string::npos);
}

TEST(PageCacheTest, ConcurrentScrapesShareRendersAndSeeNewSnapshots) {
  auto source = Source(0);
  PageCache cache;
  cache.Register(source);
  constexpr int kPublishes = 200;
  std::atomic<bool> done{false};
  std::vector<std::thread> scrapers;
  for (int t = 0; t < 8; ++t) {
    scrapers.emplace_back([&] {
      while (!done.load()) {
        const std::string& text = cache.Get()->Text();
        EXPECT_NE(text.find("test_value "), std::string::npos);
      }
    });
  }
  for (int i = 1; i <= kPublishes; ++i) {
    source->Publish(std::make_shared<const double>(i));
  }
  done = true;
  for (std::thread& t : scrapers) t.join();
  EXPECT_NE(cache.Get()->Text().find("test_value 200\n"), std::string::npos);
  EXPECT_LE(cache.renders(), kPublishes + 1u);
}

}  // namespace
}  // namespace vmbalance
