#include "exporter/libvirt/connection_opener.h"

#include <libvirt/libvirt.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include "exporter/libvirt/libvirt_errors.h"

namespace vmbalance {

using libvirt_internal::ConnectionHandle;
using libvirt_internal::LastLibvirtError;
using libvirt_internal::LibvirtError;
using libvirt_internal::SilenceLibvirtErrors;

struct ConnectionOpener::State {
  std::mutex mu;
  std::condition_variable finished;
  bool running = false;     // an attempt's thread is in virConnectOpen
  Clock::time_point began;  // of the running attempt
  bool has_result = false;  // an attempt ended; its outcome not yet taken
  virConnectPtr conn = nullptr;
  LibvirtError error;
  bool closed = false;  // the opener is gone: a late connection is closed
};

ConnectionOpener::ConnectionOpener(std::string uri)
    : uri_(std::move(uri)), state_(std::make_shared<State>()) {
  SilenceLibvirtErrors();  // virInitialize before any thread opens
}

ConnectionOpener::~ConnectionOpener() {
  virConnectPtr unused = nullptr;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->closed = true;
    unused = std::exchange(state_->conn, nullptr);
  }
  if (unused != nullptr) virConnectClose(unused);
}

void ConnectionOpener::Attempt(std::shared_ptr<State> state, std::string uri) {
  virConnectPtr conn = virConnectOpen(uri.c_str());
  LibvirtError error;
  if (conn == nullptr) {
    error = LastLibvirtError();  // this thread's error
  } else {
    SilenceLibvirtErrors(conn);
  }
  std::unique_lock<std::mutex> lock(state->mu);
  state->running = false;
  if (state->closed) {
    lock.unlock();
    if (conn != nullptr) virConnectClose(conn);
    return;
  }
  state->has_result = true;
  state->conn = conn;
  state->error = std::move(error);
  state->finished.notify_all();
}

StatusOr<ConnectionHandle> ConnectionOpener::Open(Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(state_->mu);
  if (!state_->running && !state_->has_result) {
    state_->running = true;
    state_->began = Clock::now();
    // Detached: it may outlive the opener (it holds the state) and is
    // never joined, so a libvirtd that never answers cannot hang the exit.
    std::thread(Attempt, state_, uri_).detach();
  }
  if (!state_->finished.wait_until(lock, deadline,
                                   [this] { return state_->has_result; })) {
    const auto pending = std::chrono::duration_cast<std::chrono::milliseconds>(
        Clock::now() - state_->began);
    return Status::Error("cannot connect to " + uri_ +
                         ": libvirtd accepted but has not answered for " +
                         std::to_string(pending.count()) +
                         " ms (the attempt goes on in the background)");
  }
  state_->has_result = false;
  ConnectionHandle conn(std::exchange(state_->conn, nullptr));
  if (conn != nullptr) return conn;
  const std::string why = state_->error.message.empty()
                              ? "unknown libvirt error"
                              : state_->error.message;
  return Status::Error("cannot connect to " + uri_ + ": " + why);
}

}  // namespace vmbalance
