// A libvirtd that accepts connections and never answers (hung, or every one
// of its workers stuck): a unix socket that only accepts, reached through
// qemu+unix:///system?socket=PATH. libvirt's open waits for the daemon's
// reply with no timeout (virsh hangs on it), so every call here must return
// at its deadline instead, again and again, and the process exit cleanly.
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "exporter/core/cpu_set.h"
#include "exporter/libvirt/connection_opener.h"
#include "exporter/libvirt/libvirt_hypervisor.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using Clock = std::chrono::steady_clock;

// Accepts every connection on a fresh unix socket and holds it, unanswered,
// until Hangup or destruction.
class SilentDaemon {
 public:
  SilentDaemon() {
    char dir[] = "/tmp/vmb-silent-XXXXXX";  // short: sun_path is 108 bytes
    if (mkdtemp(dir) != nullptr) dir_ = dir;
    path_ = dir_ + "/libvirt-sock";
    listener_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    bound_ = bind(listener_, reinterpret_cast<sockaddr*>(&addr),
                  sizeof(addr)) == 0 &&
             listen(listener_, 16) == 0;
    acceptor_ = std::thread([this] { Accept(); });
  }
  ~SilentDaemon() {
    stop_ = true;
    acceptor_.join();
    Hangup();
    close(listener_);
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }

  bool ok() const { return bound_; }
  std::string uri() const { return "qemu+unix:///system?socket=" + path_; }
  int accepted() const { return accepted_; }
  // Closes every held connection: the clients' opens fail at once.
  void Hangup() {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : held_) close(fd);
    held_.clear();
  }

 private:
  void Accept() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const int fd = accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      std::lock_guard<std::mutex> lock(mu_);
      held_.push_back(fd);
      ++accepted_;
    }
  }

  std::string dir_, path_;
  int listener_ = -1;
  bool bound_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::mutex mu_;
  std::vector<int> held_;
  std::thread acceptor_;
};

// Runs `call`; a call still blocked after `limit` is the failure under test,
// and its thread cannot be taken back: report and end the process.
template <typename T>
T Bounded(const std::string& what, std::chrono::seconds limit,
          std::function<T()> call) {
  auto running = std::make_shared<std::packaged_task<T()>>(std::move(call));
  std::future<T> result = running->get_future();
  std::thread([running] { (*running)(); }).detach();
  if (result.wait_for(limit) != std::future_status::ready) {
    std::fprintf(stderr, "FAIL: %s still blocked after %lld s\n", what.c_str(),
                 static_cast<long long>(limit.count()));
    std::_Exit(1);
  }
  return result.get();
}

// Far above any deadline here (at most 2 s), far below a hang.
constexpr std::chrono::seconds kHang{20};

TEST(ConnectionOpenerTest, ReturnsAtTheDeadlineWithOneAttemptInFlight) {
  SilentDaemon daemon;
  ASSERT_TRUE(daemon.ok());
  ConnectionOpener opener(daemon.uri());
  for (int i = 0; i < 3; ++i) {
    Status status = Bounded<Status>("Open", kHang, [&] {
      return opener.Open(Clock::now() + std::chrono::milliseconds(200))
          .status();
    });
    EXPECT_FALSE(status.ok());
    EXPECT_NE(status.message().find("has not answered"), std::string::npos)
        << status.message();
  }
  // The stuck attempt is waited on again, not repeated.
  EXPECT_EQ(daemon.accepted(), 1);
}

TEST(ConnectionOpenerTest, AnAbandonedAttemptsFailureIsReportedThenRetried) {
  SilentDaemon daemon;
  ASSERT_TRUE(daemon.ok());
  ConnectionOpener opener(daemon.uri());
  EXPECT_FALSE(opener.Open(Clock::now() + std::chrono::milliseconds(100)).ok());
  daemon.Hangup();  // the abandoned attempt now fails
  Status late = Bounded<Status>("Open", kHang, [&] {
    return opener.Open(Clock::now() + std::chrono::seconds(5)).status();
  });
  EXPECT_FALSE(late.ok());
  EXPECT_EQ(late.message().find("has not answered"), std::string::npos)
      << late.message();
  EXPECT_FALSE(opener.Open(Clock::now() + std::chrono::milliseconds(100)).ok());
  EXPECT_EQ(daemon.accepted(), 2);  // a new attempt
}

TEST(UnansweredConnectTest, TakePinAndSetMemoryReturnAndTheProcessExits) {
  SilentDaemon daemon;
  ASSERT_TRUE(daemon.ok());
  auto owned = std::make_unique<LibvirtHypervisor>(daemon.uri());
  {
    LibvirtHypervisor& hypervisor = *owned;
    hypervisor.set_sample_deadline(std::chrono::milliseconds(200));
    // Every call may try again: the wait, not the backoff, bounds them.
    hypervisor.set_reconnect_backoff(std::chrono::milliseconds(1),
                                     std::chrono::milliseconds(1));
    for (int i = 0; i < 3; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // backoff
      Status taken = Bounded<Status>(
          "Take", kHang, [&] { return hypervisor.Take().status(); });
      EXPECT_FALSE(taken.ok());
      EXPECT_NE(taken.message().find("has not answered"), std::string::npos)
          << taken.message();
      EXPECT_FALSE(hypervisor.connected());
    }
    const std::string uuid = "6695eb01-f6a4-8304-79aa-97f2502e193f";
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_FALSE(Bounded<Status>("PinVcpu", kHang, [&] {
                   return hypervisor.PinVcpu(uuid, 0, CpuSet({0}));
                 }).ok());
    EXPECT_FALSE(Bounded<Status>("SetMemory", kHang, [&] {
                   return hypervisor.SetMemory(uuid, 1048576);
                 }).ok());
  }
  // Destroyed with the open still stuck: must not wait for it.
  Bounded<bool>("~LibvirtHypervisor", kHang, [&] {
    owned.reset();
    return true;
  });
  EXPECT_EQ(daemon.accepted(), 1);
}

}  // namespace
}  // namespace vmbalance
