#include "exporter/http/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "exporter/http/gzip.h"
#include "exporter/http/http_test_client.h"
#include "exporter/metrics/metric_family_builder.h"
#include "exporter/metrics/snapshot_collectable.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using Families = std::vector<prometheus::MetricFamily>;

// Waits (without asserting on time) until `done`, up to a generous bound.
bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 2000 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

Families Render(const double& value) {
  Families out;
  MetricFamilyBuilder::Gauge("test_value", "A value.")
      .Add(value)
      .AppendTo(&out);
  return out;
}

class MetricsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = MetricsServer::Start("127.0.0.1:0");
    ASSERT_TRUE(started.ok()) << started.status().message();
    server_ = std::move(*started);
    server_->RegisterCollectable(source_);
    ASSERT_EQ(server_->GetListeningPorts().size(), 1u);
    port_ = server_->GetListeningPorts()[0];
  }
  void Publish(double value) {
    source_->Publish(std::make_shared<const double>(value));
  }

  std::shared_ptr<SnapshotCollectable<double>> source_ =
      std::make_shared<SnapshotCollectable<double>>(
          Render, std::make_shared<const double>(1));
  std::unique_ptr<MetricsServer> server_;
  int port_ = 0;
};

TEST_F(MetricsServerTest, ServesTheCachedPageUntilANewSnapshot) {
  const Response first = Fetch(port_, "GET", "/metrics");
  EXPECT_EQ(first.code, 200);
  EXPECT_EQ(first.headers.at("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(first.headers.at("content-length"),
            std::to_string(first.body.size()));
  EXPECT_NE(first.body.find("\ntest_value 1\n"), std::string::npos);
  EXPECT_EQ(first.body.rfind("# HELP exposer_transferred_bytes_total", 0), 0u);
  EXPECT_NE(first.body.find("\nexposer_scrapes_total 0\n"), std::string::npos);
  for (int i = 0; i < 5; ++i) Fetch(port_, "GET", "/metrics");
  EXPECT_EQ(server_->renders(), 1u);
  EXPECT_NE(
      Fetch(port_, "GET", "/metrics").body.find("\nexposer_scrapes_total 6\n"),
      std::string::npos);

  Publish(2);
  const Response after = Fetch(port_, "GET", "/metrics");
  EXPECT_NE(after.body.find("\ntest_value 2\n"), std::string::npos);
  EXPECT_EQ(server_->renders(), 2u);
}

TEST_F(MetricsServerTest, NothingIsRenderedBeforeTheFirstScrape) {
  Publish(2);
  Publish(3);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(server_->renders(), 0u);
  EXPECT_EQ(Fetch(port_, "HEAD", "/nothing").code, 404);
  EXPECT_EQ(server_->renders(), 0u);
}

TEST_F(MetricsServerTest, ANewSnapshotIsRenderedBeforeTheNextScrape) {
  // Two snapshots read in a row: scrapes keep up, so render ahead.
  EXPECT_EQ(Fetch(port_, "GET", "/metrics").code, 200);
  Publish(2);
  // Lets the prerenderer see this publish before the scrape.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(Fetch(port_, "GET", "/metrics").code, 200);
  ASSERT_EQ(server_->renders(), 2u);
  Publish(3);
  ASSERT_TRUE(Eventually([this] { return server_->renders() == 3; }));
  const Response after = Fetch(port_, "GET", "/metrics");
  EXPECT_NE(after.body.find("\ntest_value 3\n"), std::string::npos);
  EXPECT_EQ(server_->renders(), 3u);
}

TEST_F(MetricsServerTest, ScrapesRarerThanSnapshotsRenderOnDemand) {
  EXPECT_EQ(Fetch(port_, "GET", "/metrics").code, 200);
  for (int round = 0; round < 3; ++round) {
    Publish(2 + 2 * round);  // two snapshots per scrape
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    Publish(3 + 2 * round);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(server_->renders(), 1u + round);  // nothing rendered ahead
    const Response page = Fetch(port_, "GET", "/metrics");
    EXPECT_NE(
        page.body.find("\ntest_value " + std::to_string(3 + 2 * round) + "\n"),
        std::string::npos);
    EXPECT_EQ(server_->renders(), 2u + round);  // one render per scrape
  }
}

TEST_F(MetricsServerTest, GzipWhenAcceptedInflatesToThePlainPage) {
  const Response gz =
      Fetch(port_, "GET", "/metrics", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(gz.code, 200);
  EXPECT_EQ(gz.headers.at("content-encoding"), "gzip");
  EXPECT_EQ(gz.headers.at("content-length"), std::to_string(gz.body.size()));
  const std::optional<std::string> plain = Gunzip(gz.body);
  ASSERT_TRUE(plain.has_value());
  // The next plain scrape differs only in the exposer_* figures it counts.
  const Response next = Fetch(port_, "GET", "/metrics");
  EXPECT_EQ(next.headers.count("content-encoding"), 0u);
  const size_t body_start = next.body.find("# HELP test_value");
  ASSERT_NE(body_start, std::string::npos);
  EXPECT_EQ(plain->substr(plain->find("# HELP test_value")),
            next.body.substr(body_start));
  EXPECT_NE(plain->find("\nexposer_scrapes_total 0\n"), std::string::npos);
  EXPECT_EQ(server_->renders(), 1u);
}

TEST_F(MetricsServerTest, HeadAnswersHeadersOnlyAndIsNotAScrape) {
  const Response head = Fetch(port_, "HEAD", "/metrics");
  EXPECT_EQ(head.code, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.headers.at("content-type"), "text/plain; charset=utf-8");
  const Response get = Fetch(port_, "GET", "/metrics");
  EXPECT_EQ(head.headers.at("content-length"), std::to_string(get.body.size()));
  EXPECT_NE(get.body.find("\nexposer_scrapes_total 0\n"), std::string::npos);
}

TEST_F(MetricsServerTest, OtherPathsAre404AndOtherMethods405) {
  EXPECT_EQ(Fetch(port_, "GET", "/index.html").code, 404);  // / is a page
  EXPECT_EQ(Fetch(port_, "GET", "/metrics/x").code, 404);
  EXPECT_EQ(Fetch(port_, "GET", "/metricsx").code, 404);
  const Response post = Fetch(port_, "POST", "/metrics");
  EXPECT_EQ(post.code, 405);
  EXPECT_EQ(post.headers.at("allow"), "GET, HEAD");
  EXPECT_EQ(Fetch(port_, "GET", "/metrics?x=1").code, 200);
  EXPECT_EQ(server_->renders(), 1u);
}

TEST_F(MetricsServerTest, ConcurrentScrapesAllSucceedOnOneRender) {
  constexpr int kThreads = 50;
  constexpr int kEach = 4;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const Response r = Fetch(port_, "GET", "/metrics",
                                 t % 2 ? "Accept-Encoding: gzip\r\n" : "");
        const std::string body = t % 2 ? Gunzip(r.body).value_or("") : r.body;
        if (r.code == 200 && body.find("\ntest_value 1\n") != std::string::npos)
          ++ok;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kEach);
  EXPECT_EQ(server_->renders(), 1u);
  EXPECT_NE(Fetch(port_, "GET", "/metrics")
                .body.find("\nexposer_scrapes_total 200\n"),
            std::string::npos);
}

TEST(MetricsServerPrerenderTest, StopsWhenNobodyScrapedLately) {
  MetricsServerConfig config;
  config.prerender_while_scraped_s = 0;  // any scrape is too long ago
  auto server = MetricsServer::Start("127.0.0.1:0", config);
  ASSERT_TRUE(server.ok());
  auto source = std::make_shared<SnapshotCollectable<double>>(
      Render, std::make_shared<const double>(1));
  (*server)->RegisterCollectable(source);
  const int port = (*server)->GetListeningPorts()[0];
  EXPECT_EQ(Fetch(port, "GET", "/metrics").code, 200);
  source->Publish(std::make_shared<const double>(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ((*server)->renders(), 1u);  // not ahead: rendered on demand
  EXPECT_NE(Fetch(port, "GET", "/metrics").body.find("\ntest_value 2\n"),
            std::string::npos);
  EXPECT_EQ((*server)->renders(), 2u);
}

TEST(MetricsServerStartTest, BusyPortIsAnError) {
  auto first = MetricsServer::Start("127.0.0.1:0");
  ASSERT_TRUE(first.ok());
  const int port = (*first)->GetListeningPorts()[0];
  auto second = MetricsServer::Start("127.0.0.1:" + std::to_string(port));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().message(),
            "cannot listen on 127.0.0.1:" + std::to_string(port));
}

}  // namespace
}  // namespace vmbalance
