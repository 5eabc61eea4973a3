#include "exporter/http/prerenderer.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <thread>

#include "gtest/gtest.h"

namespace vmbalance {
namespace {

// Waits (without asserting on time) until `done`, up to a generous bound.
bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 2000 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

TEST(PrerendererTest, RunsOnWakeNotBefore) {
  std::atomic<int> work{0};
  Prerenderer prerenderer([&work] { ++work; });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(work.load(), 0);
  prerenderer.Wake();
  EXPECT_TRUE(Eventually([&] { return prerenderer.runs() == 1; }));
  EXPECT_EQ(work.load(), 1);
}

TEST(PrerendererTest, WakesDuringARunAreCoalescedIntoOneMore) {
  std::atomic<bool> release{false};
  std::atomic<int> work{0};
  Prerenderer prerenderer([&] {
    ++work;
    while (!release.load()) std::this_thread::yield();
  });
  prerenderer.Wake();
  ASSERT_TRUE(Eventually([&] { return work.load() == 1; }));
  for (int i = 0; i < 10; ++i) prerenderer.Wake();  // while it runs
  release = true;
  EXPECT_TRUE(Eventually([&] { return prerenderer.runs() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(prerenderer.runs(), 2);
}

TEST(PrerendererTest, ThrowingWorkIsCaughtAndTheThreadGoesOn) {
  std::atomic<int> work{0};
  Prerenderer prerenderer([&work] {
    if (++work == 1) throw std::runtime_error("render broke");
  });
  prerenderer.Wake();
  ASSERT_TRUE(Eventually([&] { return prerenderer.runs() == 1; }));
  prerenderer.Wake();
  EXPECT_TRUE(Eventually([&] { return prerenderer.runs() == 2; }));
}

TEST(PrerendererTest, ListenerOutlivesThePrerenderer) {
  std::function<void()> listener;
  {
    Prerenderer prerenderer([] {});
    listener = prerenderer.Listener();
    listener();
    EXPECT_TRUE(Eventually([&] { return prerenderer.runs() == 1; }));
  }
  listener();  // the source publishes after the server stopped: no crash
}

}  // namespace
}  // namespace vmbalance
