#include "exporter/libvirt/domain_call_pool.h"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <utility>

namespace vmbalance {

struct DomainCallPool::State {
  mutable std::mutex mu;
  std::condition_variable work_ready;  // queue gained a call, or stopping
  std::condition_variable call_ended;  // a call finished or was cancelled
  std::deque<std::shared_ptr<Ticket>> queue;
  // Key -> its queued or running ticket.
  std::map<std::string, std::shared_ptr<Ticket>> by_key;
  int running = 0;
  bool stopping = false;

  // With mu held: the ticket leaves by_key and wakes waiters.
  void Finish(const std::shared_ptr<Ticket>& ticket, Ticket::Phase phase) {
    ticket->phase_ = phase;
    ticket->call_ = nullptr;  // frees what the call captured, here
    auto it = by_key.find(ticket->key_);
    if (it != by_key.end() && it->second == ticket) by_key.erase(it);
    call_ended.notify_all();
  }
};

bool DomainCallPool::Ticket::done() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return phase_ == Phase::kDone;
}

bool DomainCallPool::Ticket::cancelled() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return phase_ == Phase::kCancelled;
}

bool DomainCallPool::Ticket::started() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return phase_ == Phase::kRunning || phase_ == Phase::kDone;
}

DomainCallPool::DomainCallPool(Options options)
    : state_(std::make_shared<State>()), options_(options) {
  const int threads = options_.threads > 0 ? options_.threads : 1;
  workers_.reserve(threads);
  for (int i = 0; i < threads; ++i) workers_.emplace_back(Work, state_);
}

DomainCallPool::~DomainCallPool() {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->stopping = true;
  for (const auto& ticket : state_->queue) {
    state_->Finish(ticket, Ticket::Phase::kCancelled);
  }
  state_->queue.clear();
  state_->work_ready.notify_all();
  const bool idle = state_->call_ended.wait_for(
      lock, options_.shutdown_grace, [this] { return state_->running == 0; });
  lock.unlock();
  // Idle workers exit at once when stopping. A stuck one would make join()
  // wait for libvirt, maybe forever: detach them all then.
  for (std::thread& worker : workers_) {
    if (idle) {
      worker.join();
    } else {
      worker.detach();
    }
  }
}

void DomainCallPool::Work(std::shared_ptr<State> state) {
  std::unique_lock<std::mutex> lock(state->mu);
  while (true) {
    state->work_ready.wait(
        lock, [&] { return state->stopping || !state->queue.empty(); });
    if (state->queue.empty()) return;  // stopping
    std::shared_ptr<Ticket> ticket = std::move(state->queue.front());
    state->queue.pop_front();
    ticket->phase_ = Ticket::Phase::kRunning;
    ++state->running;
    std::function<void()> call = std::move(ticket->call_);
    lock.unlock();
    call();
    call = nullptr;  // destroys captures (e.g. libvirt handles) off the lock
    lock.lock();
    --state->running;
    state->Finish(ticket, Ticket::Phase::kDone);
  }
}

std::shared_ptr<DomainCallPool::Ticket> DomainCallPool::Submit(
    const std::string& key, std::function<void()> call) {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->stopping || state_->by_key.count(key) != 0) return nullptr;
  std::shared_ptr<Ticket> ticket(new Ticket(state_));
  ticket->key_ = key;
  ticket->call_ = std::move(call);
  ticket->submitted_ = Clock::now();
  state_->by_key[key] = ticket;
  state_->queue.push_back(ticket);
  state_->work_ready.notify_one();
  return ticket;
}

void DomainCallPool::WaitUntil(
    const std::vector<std::shared_ptr<Ticket>>& tickets,
    Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(state_->mu);
  auto all_ended = [&] {
    for (const auto& ticket : tickets) {
      if (ticket == nullptr) continue;
      if (ticket->phase_ == Ticket::Phase::kQueued ||
          ticket->phase_ == Ticket::Phase::kRunning) {
        return false;
      }
    }
    return true;
  };
  if (state_->call_ended.wait_until(lock, deadline, all_ended)) return;
  for (const auto& ticket : tickets) {
    if (ticket == nullptr || ticket->phase_ != Ticket::Phase::kQueued) continue;
    for (auto it = state_->queue.begin(); it != state_->queue.end(); ++it) {
      if (*it == ticket) {
        state_->queue.erase(it);
        break;
      }
    }
    state_->Finish(ticket, Ticket::Phase::kCancelled);
  }
}

std::optional<DomainCallPool::Clock::duration> DomainCallPool::PendingFor(
    const std::string& key) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->by_key.find(key);
  if (it == state_->by_key.end()) return std::nullopt;
  return Clock::now() - it->second->submitted_;
}

int DomainCallPool::outstanding() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return static_cast<int>(state_->by_key.size());
}

}  // namespace vmbalance
