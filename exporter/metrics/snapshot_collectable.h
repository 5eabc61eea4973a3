// SnapshotCollectable<SnapshotT>: a prometheus-cpp Collectable that serves the
// latest immutable snapshot a loop published, rendered by a pure function on
// every Collect(); its generation() counts publishes, so a server renders once
// per snapshot (exporter/http/page_cache.h). Thread-safe: Publish() from the
// loop and Collect() from the server's threads may run concurrently.
// Collect() never throws.
#ifndef VMBALANCE_EXPORTER_METRICS_SNAPSHOT_COLLECTABLE_H_
#define VMBALANCE_EXPORTER_METRICS_SNAPSHOT_COLLECTABLE_H_

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "exporter/metrics/versioned_collectable.h"
#include "glog/logging.h"
#include "prometheus/metric_family.h"

namespace vmbalance {

template <typename SnapshotT>
class SnapshotCollectable : public VersionedCollectable {
 public:
  using Families = std::vector<prometheus::MetricFamily>;
  // Turns one snapshot into its families. Should be pure: it runs on scrape
  // threads, outside the lock, possibly on a snapshot the loop has replaced.
  using Render = std::function<Families(const SnapshotT&)>;

  // Starts with `initial`, which may be null (Collect() is then empty until
  // the first Publish()).
  explicit SnapshotCollectable(Render render,
                               std::shared_ptr<const SnapshotT> initial = {})
      : render_(std::move(render)), latest_(std::move(initial)) {}

  // Replaces the snapshot scrapes read. Null clears it: scrapes are empty.
  void Publish(std::shared_ptr<const SnapshotT> snapshot) {
    std::vector<std::function<void()>> listeners;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      latest_ = std::move(snapshot);
      generation_.fetch_add(1);
      listeners = listeners_;
    }
    for (const auto& listener : listeners) listener();
  }

  void AddChangeListener(std::function<void()> listener) override {
    std::lock_guard<std::mutex> lock(mutex_);
    listeners_.push_back(std::move(listener));
  }

  // Publishes so far (each may change what Collect() returns).
  uint64_t generation() const override { return generation_.load(); }

  std::shared_ptr<const SnapshotT> Latest() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return latest_;
  }

  // Empty for a null snapshot or when rendering throws: the exposer calls
  // this without a try/catch, and an empty scrape beats a dead process.
  Families Collect() const override {
    const std::shared_ptr<const SnapshotT> snapshot = Latest();
    if (snapshot == nullptr) return {};
    try {
      return render_(*snapshot);
    } catch (const std::exception& e) {
      NoteFailure(e.what());
    } catch (...) {
      NoteFailure("unknown exception");
    }
    return {};
  }

  // Scrapes that came back empty because rendering threw.
  uint64_t render_failures() const { return render_failures_.load(); }

 private:
  // Logs the first failure only: a broken render fails on every scrape, and
  // one line says as much as thousands.
  void NoteFailure(const char* what) const noexcept {
    if (render_failures_.fetch_add(1) == 0) {
      try {
        LOG(ERROR) << "metrics render failed, scrape left empty: " << what;
      } catch (...) {
        // Logging itself failed (allocation): the count still says it.
      }
    }
  }

  const Render render_;
  mutable std::mutex mutex_;
  std::shared_ptr<const SnapshotT> latest_;  // guarded by mutex_; may be null
  std::vector<std::function<void()>> listeners_;  // guarded by mutex_
  mutable std::atomic<uint64_t> render_failures_{0};
  std::atomic<uint64_t> generation_{0};
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_METRICS_SNAPSHOT_COLLECTABLE_H_
