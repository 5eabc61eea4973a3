// Prerenderer: runs `work` (render the page) on its own thread soon after a
// source changes, so scrapes find the page ready instead of rendering it on
// their own time. Changes that arrive during a run are coalesced into one
// more run. Listener() may outlive the Prerenderer (it is kept by the
// sources): once the Prerenderer is gone it does nothing.
#ifndef VMBALANCE_EXPORTER_HTTP_PRERENDERER_H_
#define VMBALANCE_EXPORTER_HTTP_PRERENDERER_H_

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace vmbalance {

class Prerenderer {
 public:
  // `work` must not throw past itself: the thread catches and logs.
  explicit Prerenderer(std::function<void()> work);
  ~Prerenderer();  // waits for a run in progress

  Prerenderer(const Prerenderer&) = delete;
  Prerenderer& operator=(const Prerenderer&) = delete;

  // Asks for one run (soon, on the Prerenderer's thread). Never blocks on
  // the work.
  void Wake() { signal_->Notify(); }
  // A Wake() that stays safe to call after this object is destroyed.
  std::function<void()> Listener() const;

  // Runs finished so far (for tests).
  int runs() const;

 private:
  struct Signal {
    void Notify();
    std::mutex mutex;
    std::condition_variable wake;
    bool pending = false;  // a change not yet rendered
    bool stop = false;
    int runs = 0;
  };
  void Loop();

  const std::function<void()> work_;
  const std::shared_ptr<Signal> signal_ = std::make_shared<Signal>();
  std::thread thread_;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_HTTP_PRERENDERER_H_
