#include "exporter/http/reload_watcher.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace vmbalance {
namespace {

bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 2000 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

class ReloadWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/reload_watcher_test.XXXXXX";
    dir_ = mkdtemp(pattern);
    file_ = dir_ + "/web.yml";
    std::ofstream(file_) << "a\n";
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::vector<std::string> Reasons() {
    std::lock_guard<std::mutex> lock(mutex_);
    return reasons_;
  }
  std::unique_ptr<ReloadWatcher> Watch() {
    return std::make_unique<ReloadWatcher>(
        [this] { return std::vector<std::string>{file_}; },
        [this](const std::string& why) {
          std::lock_guard<std::mutex> lock(mutex_);
          reasons_.push_back(why);
        },
        std::chrono::milliseconds(10));
  }
  std::string dir_, file_;
  std::mutex mutex_;
  std::vector<std::string> reasons_;
};

TEST_F(ReloadWatcherTest, SeesAChangedFileOnce) {
  auto watcher = Watch();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(Reasons().empty());
  std::ofstream(file_) << "a longer text\n";
  ASSERT_TRUE(Eventually([&] { return !Reasons().empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(Reasons().size(), 1u);
  EXPECT_EQ(Reasons()[0], file_ + " changed");
  std::remove(file_.c_str());  // a deleted file is a change too
  ASSERT_TRUE(Eventually([&] { return Reasons().size() == 2; }));
}

TEST_F(ReloadWatcherTest, SighupTriggersAReload) {
  BlockReloadSignal();  // as main() does, before the watcher's thread
  auto watcher = Watch();
  kill(getpid(), SIGHUP);
  ASSERT_TRUE(Eventually([&] { return !Reasons().empty(); }));
  EXPECT_EQ(Reasons()[0], "SIGHUP");
}

}  // namespace
}  // namespace vmbalance
