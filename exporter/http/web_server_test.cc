// MetricsServer's web features: landing page, health endpoints, telemetry
// path, basic auth and headers from a web config, and reloads of that config.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "exporter/http/http_test_client.h"
#include "exporter/http/metrics_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using ::testing::HasSubstr;

// htpasswd -bnBC 5 alice wonderland / htpasswd -bnBC 5 bob builder
constexpr char kAliceHash[] =
    "$2y$05$NuUdxVOgiOIQqD8nSsCI6e6h.dy.2xaPaYrYsNFHHrEfpNBrmEcOu";
constexpr char kBobHash[] =
    "$2y$05$De.P0He5O8ri2icVE.YJmel2mADgNVZdfkrEMSGtET5UXW1vWzRz6";
constexpr char kAlice[] = "Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n";
constexpr char kBob[] = "Authorization: Basic Ym9iOmJ1aWxkZXI=\r\n";

bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 2000 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

class WebServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/web_server_test.XXXXXX";
    dir_ = mkdtemp(pattern);
    config_.binary_name = "test_binary";
    config_.version = "1.2.3";
    config_.web_config_poll_ms = 20;
  }
  void TearDown() override {
    server_.reset();
    std::system(("rm -rf " + dir_).c_str());
  }
  // Replaces the web config file (a new inode, as editors and installers do).
  void WriteConfig(const std::string& text) {
    const std::string tmp = dir_ + "/web.yml.tmp";
    std::ofstream(tmp) << text;
    std::rename(tmp.c_str(), (dir_ + "/web.yml").c_str());
  }
  std::string Users(const std::string& user, const char* hash) {
    return "basic_auth_users:\n  " + user + ": '" + hash + "'\n";
  }
  void Start() {
    StatusOr<std::unique_ptr<MetricsServer>> started =
        MetricsServer::Start("127.0.0.1:0", config_);
    ASSERT_TRUE(started.ok()) << started.status().message();
    server_ = std::move(*started);
    port_ = server_->GetListeningPorts().at(0);
  }
  std::string dir_;
  MetricsServerConfig config_;
  std::unique_ptr<MetricsServer> server_;
  int port_ = 0;
};

TEST_F(WebServerTest, LandingAndHealthPages) {
  bool ready = false;
  config_.ready = [&ready] {
    return ready ? Status::Ok() : Status::Error("libvirt is down");
  };
  Start();
  Response landing = Fetch(port_, "GET", "/");
  EXPECT_EQ(landing.code, 200);
  EXPECT_THAT(landing.headers["content-type"], HasSubstr("text/html"));
  EXPECT_THAT(landing.body, HasSubstr("test_binary"));
  EXPECT_THAT(landing.body, HasSubstr("1.2.3"));
  EXPECT_THAT(landing.body, HasSubstr("href=\"/metrics\""));
  EXPECT_EQ(Fetch(port_, "GET", "/-/healthy").code, 200);
  Response not_ready = Fetch(port_, "GET", "/-/ready");
  EXPECT_EQ(not_ready.code, 503);
  EXPECT_EQ(not_ready.body, "test_binary is not ready: libvirt is down\n");
  ready = true;
  EXPECT_EQ(Fetch(port_, "GET", "/-/ready").code, 200);
  EXPECT_EQ(Fetch(port_, "HEAD", "/-/ready").code, 200);
  EXPECT_EQ(Fetch(port_, "POST", "/-/healthy").code, 405);
  EXPECT_EQ(Fetch(port_, "GET", "/-/nothing").code, 404);
}

TEST_F(WebServerTest, TelemetryPathMovesTheMetrics) {
  config_.telemetry_path = "/custom/metrics";
  Start();
  EXPECT_EQ(Fetch(port_, "GET", "/custom/metrics").code, 200);
  EXPECT_EQ(Fetch(port_, "GET", "/metrics").code, 404);
  EXPECT_THAT(Fetch(port_, "GET", "/").body,
              HasSubstr("href=\"/custom/metrics\""));
}

TEST_F(WebServerTest, BasicAuthGuardsEveryPath) {
  WriteConfig(Users("alice", kAliceHash) +
              "http_server_config:\n  headers:\n"
              "    X-Content-Type-Options: nosniff\n");
  config_.web_config_file = dir_ + "/web.yml";
  Start();
  for (const char* path : {"/metrics", "/", "/-/healthy", "/-/ready", "/x"}) {
    Response denied = Fetch(port_, "GET", path);
    EXPECT_EQ(denied.code, 401) << path;
    EXPECT_EQ(denied.headers["www-authenticate"], "Basic") << path;
    EXPECT_EQ(Fetch(port_, "GET", path, kBob).code, 401) << path;
  }
  Response metrics = Fetch(port_, "GET", "/metrics", kAlice);
  EXPECT_EQ(metrics.code, 200);
  EXPECT_EQ(metrics.headers["x-content-type-options"], "nosniff");
  EXPECT_EQ(Fetch(port_, "GET", "/-/healthy", kAlice).code, 200);
  EXPECT_EQ(Fetch(port_, "GET", "/", kAlice).headers["x-content-type-options"],
            "nosniff");
}

TEST_F(WebServerTest, ABadConfigAtStartIsAnError) {
  WriteConfig("basic_auth_users:\n  alice: plaintext\n");
  config_.web_config_file = dir_ + "/web.yml";
  StatusOr<std::unique_ptr<MetricsServer>> started =
      MetricsServer::Start("127.0.0.1:0", config_);
  ASSERT_FALSE(started.ok());
  EXPECT_THAT(started.status().message(),
              HasSubstr("basic_auth_users.alice: not a bcrypt hash"));
}

TEST_F(WebServerTest, ChangesAreReadAndBadOnesKeepTheLastGoodConfig) {
  WriteConfig(Users("alice", kAliceHash));
  config_.web_config_file = dir_ + "/web.yml";
  Start();
  EXPECT_EQ(Fetch(port_, "GET", "/metrics", kAlice).code, 200);

  WriteConfig(Users("bob", kBobHash));  // seen by the file watch
  ASSERT_TRUE(Eventually(
      [&] { return Fetch(port_, "GET", "/metrics", kBob).code == 200; }));
  EXPECT_EQ(Fetch(port_, "GET", "/metrics", kAlice).code, 401);

  WriteConfig("basic_auth_users:\n  alice: plaintext\n");  // bad: kept out
  EXPECT_FALSE(server_->ReloadWebConfig().ok());
  EXPECT_EQ(Fetch(port_, "GET", "/metrics", kBob).code, 200);
  EXPECT_EQ(Fetch(port_, "GET", "/metrics", kAlice).code, 401);

  WriteConfig("");  // an empty config: open again
  ASSERT_TRUE(
      Eventually([&] { return Fetch(port_, "GET", "/metrics").code == 200; }));
}

TEST_F(WebServerTest, ADeletedConfigKeepsTheLastGoodOne) {
  WriteConfig(Users("alice", kAliceHash));
  config_.web_config_file = dir_ + "/web.yml";
  Start();
  std::remove((dir_ + "/web.yml").c_str());
  Status reload = server_->ReloadWebConfig();
  EXPECT_THAT(reload.message(), HasSubstr("keeping the config in force"));
  EXPECT_EQ(Fetch(port_, "GET", "/metrics").code, 401);
  EXPECT_EQ(Fetch(port_, "GET", "/metrics", kAlice).code, 200);
}

}  // namespace
}  // namespace vmbalance
