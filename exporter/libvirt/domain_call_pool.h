// DomainCallPool: runs blocking per-domain calls (libvirt calls that go
// through a guest's QEMU monitor) on a few worker threads, so that the control
// loop can stop waiting for them at a deadline. A call that misses its
// deadline keeps running on its worker until libvirt returns; until then its
// key (the domain's UUID) is busy and refuses new calls, so a hung guest never
// has more than one call piling up. Knows nothing of libvirt.
//
// Thread-safe. Shutdown policy: the destructor cancels queued calls and waits
// up to `shutdown_grace` for running ones; when a call is still stuck after
// that, every worker is detached instead of joined (a worker owns the shared
// state it touches, and exits when its call returns or the process does), so
// a guest hung forever never hangs the process on exit.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_DOMAIN_CALL_POOL_H_
#define VMBALANCE_EXPORTER_LIBVIRT_DOMAIN_CALL_POOL_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace vmbalance {

class DomainCallPool {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    // Worker threads, i.e. calls in flight at once. Every stuck call holds
    // one, and libvirtd serves at most max_client_requests (5 by default)
    // calls at once per connection: 4 leaves the control loop's own calls on
    // the shared connection one slot even when every worker is stuck.
    int threads = 4;
    // How long the destructor waits for running calls before detaching.
    std::chrono::milliseconds shutdown_grace{500};
  };

  // One submitted call. The caller reads results the call wrote only after
  // done() returned true (done() synchronises with the worker).
  class Ticket;

  explicit DomainCallPool(Options options);
  DomainCallPool() : DomainCallPool(Options{}) {}
  ~DomainCallPool();

  DomainCallPool(const DomainCallPool&) = delete;
  DomainCallPool& operator=(const DomainCallPool&) = delete;

  // Queues `call` for `key`. Returns null, and never runs `call`, while an
  // earlier call for `key` is queued or running.
  std::shared_ptr<Ticket> Submit(const std::string& key,
                                 std::function<void()> call);
  // Blocks until every ticket is done or `deadline` passes. Tickets still
  // queued at the deadline are cancelled: they never run and free their key.
  void WaitUntil(const std::vector<std::shared_ptr<Ticket>>& tickets,
                 Clock::time_point deadline);
  // How long the call outstanding for `key` has been waiting or running;
  // nullopt when none is.
  std::optional<Clock::duration> PendingFor(const std::string& key) const;
  // Calls submitted and not yet finished or cancelled.
  int outstanding() const;

 private:
  struct State;
  // A worker's loop; owns its share of the state so that it may outlive the
  // pool when detached.
  static void Work(std::shared_ptr<State> state);

  std::shared_ptr<State> state_;
  std::vector<std::thread> workers_;
  Options options_;
};

class DomainCallPool::Ticket {
 public:
  bool done() const;       // the call ran and returned
  bool cancelled() const;  // the call was dropped before it started
  bool started() const;    // the call began (it may still be running)

 private:
  friend class DomainCallPool;
  explicit Ticket(std::shared_ptr<State> state) : state_(std::move(state)) {}
  enum class Phase { kQueued, kRunning, kDone, kCancelled };
  std::shared_ptr<State> state_;
  std::string key_;
  std::function<void()> call_;
  Phase phase_ = Phase::kQueued;  // guarded by State::mu
  Clock::time_point submitted_;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_DOMAIN_CALL_POOL_H_
