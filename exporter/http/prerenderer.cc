#include "exporter/http/prerenderer.h"

#include <exception>
#include <utility>

#include "glog/logging.h"

namespace vmbalance {

void Prerenderer::Signal::Notify() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    pending = true;
  }
  wake.notify_one();
}

Prerenderer::Prerenderer(std::function<void()> work)
    : work_(std::move(work)), thread_([this] { Loop(); }) {}

Prerenderer::~Prerenderer() {
  {
    std::lock_guard<std::mutex> lock(signal_->mutex);
    signal_->stop = true;
  }
  signal_->wake.notify_one();
  thread_.join();
}

std::function<void()> Prerenderer::Listener() const {
  // Holds the Signal, not the Prerenderer: notifying a stopped one is a no-op.
  std::shared_ptr<Signal> signal = signal_;
  return [signal] { signal->Notify(); };
}

int Prerenderer::runs() const {
  std::lock_guard<std::mutex> lock(signal_->mutex);
  return signal_->runs;
}

void Prerenderer::Loop() {
  std::unique_lock<std::mutex> lock(signal_->mutex);
  while (true) {
    signal_->wake.wait(lock,
                       [this] { return signal_->pending || signal_->stop; });
    if (signal_->stop) return;
    signal_->pending = false;
    lock.unlock();
    try {
      work_();
    } catch (const std::exception& e) {
      LOG(ERROR) << "metrics prerender failed: " << e.what();
    } catch (...) {
      LOG(ERROR) << "metrics prerender failed: unknown exception";
    }
    lock.lock();
    ++signal_->runs;
  }
}

}  // namespace vmbalance
