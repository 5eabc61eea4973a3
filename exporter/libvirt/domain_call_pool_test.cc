// DomainCallPool with fake calls that block on a latch the test opens: the
// deadline is kept, a busy key refuses a second call, queued calls are
// cancelled at the deadline, and the pool's destructor returns with a worker
// still stuck.
#include "exporter/libvirt/domain_call_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace vmbalance {
namespace {

using std::chrono::milliseconds;
using Clock = DomainCallPool::Clock;

// A gate that calls wait behind until the test opens it.
class Latch {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // Waits until `n` calls are blocked in Wait().
  void AwaitWaiting(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return waiting_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int waiting_ = 0;
};

DomainCallPool::Options Threads(int n) {
  DomainCallPool::Options options;
  options.threads = n;
  options.shutdown_grace = milliseconds(50);
  return options;
}

TEST(DomainCallPoolTest, FastCallsAreDoneBeforeTheDeadline) {
  DomainCallPool pool(Threads(2));
  std::atomic<int> ran{0};
  std::vector<std::shared_ptr<DomainCallPool::Ticket>> tickets;
  for (const char* key : {"a", "b", "c"}) {
    tickets.push_back(pool.Submit(key, [&] { ++ran; }));
  }
  // Generous: fast calls finish long before; only a hang would reach it.
  pool.WaitUntil(tickets, Clock::now() + std::chrono::seconds(30));
  for (const auto& ticket : tickets) EXPECT_TRUE(ticket->done());
  EXPECT_EQ(ran, 3);
  EXPECT_EQ(pool.outstanding(), 0);
}

TEST(DomainCallPoolTest, StuckCallIsAbandonedAtTheDeadlineAndKeepsItsKeyBusy) {
  auto latch = std::make_shared<Latch>();
  DomainCallPool pool(Threads(2));
  auto stuck = pool.Submit("hung", [latch] { latch->Wait(); });
  bool other_ran = false;
  auto other = pool.Submit("fine", [&] { other_ran = true; });
  latch->AwaitWaiting(1);
  pool.WaitUntil({stuck, other}, Clock::now() + milliseconds(20));
  EXPECT_TRUE(stuck->started());
  EXPECT_FALSE(stuck->done());
  EXPECT_TRUE(other->done());
  EXPECT_TRUE(other_ran);

  // No second call for a key whose call is still outstanding.
  bool second_ran = false;
  EXPECT_EQ(pool.Submit("hung", [&] { second_ran = true; }), nullptr);
  ASSERT_TRUE(pool.PendingFor("hung").has_value());
  EXPECT_FALSE(pool.PendingFor("fine").has_value());
  EXPECT_EQ(pool.outstanding(), 1);

  latch->Open();
  pool.WaitUntil({stuck}, Clock::now() + std::chrono::seconds(30));
  EXPECT_TRUE(stuck->done());
  EXPECT_FALSE(second_ran);
  EXPECT_NE(pool.Submit("hung", [] {}), nullptr);  // free again
}

TEST(DomainCallPoolTest, CallsQueuedBehindStuckWorkersAreCancelledNotRun) {
  auto latch = std::make_shared<Latch>();
  DomainCallPool pool(Threads(1));
  auto stuck = pool.Submit("hung", [latch] { latch->Wait(); });
  latch->AwaitWaiting(1);
  std::atomic<bool> queued_ran{false};
  auto queued = pool.Submit("queued", [&] { queued_ran = true; });
  pool.WaitUntil({stuck, queued}, Clock::now() + milliseconds(20));
  EXPECT_TRUE(queued->cancelled());
  EXPECT_FALSE(pool.PendingFor("queued").has_value());
  latch->Open();
  pool.WaitUntil({stuck}, Clock::now() + std::chrono::seconds(30));
  EXPECT_FALSE(queued_ran);
}

TEST(DomainCallPoolTest, DestructorReturnsWhileAWorkerIsStuck) {
  auto latch = std::make_shared<Latch>();
  // The call owns a share of what it touches, as the libvirt calls own their
  // domain handles: it outlives the pool.
  auto freed = std::make_shared<std::atomic<bool>>(false);
  struct Handle {
    std::shared_ptr<std::atomic<bool>> freed;
    ~Handle() { *freed = true; }
  };
  {
    DomainCallPool pool(Threads(2));
    std::shared_ptr<Handle> handle(new Handle{freed});
    pool.Submit("hung", [latch, handle] { latch->Wait(); });
    handle.reset();
    latch->AwaitWaiting(1);
  }  // must return: the stuck worker is detached
  EXPECT_FALSE(*freed);
  latch->Open();  // the detached worker finishes and frees the handle
  for (int i = 0; i < 3000 && !*freed; ++i) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_TRUE(*freed);
}

TEST(DomainCallPoolTest, DestructorJoinsIdleWorkers) {
  std::atomic<int> ran{0};
  {
    DomainCallPool pool(Threads(3));
    auto ticket = pool.Submit("a", [&] { ++ran; });
    pool.WaitUntil({ticket}, Clock::now() + std::chrono::seconds(30));
  }
  EXPECT_EQ(ran, 1);
}

}  // namespace
}  // namespace vmbalance
