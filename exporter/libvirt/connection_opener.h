// ConnectionOpener: opens libvirt connections (virConnectOpen) on a thread of
// its own, so that a libvirtd that accepts the socket but never answers (hung,
// or its workers all stuck) cannot hold the caller past a deadline. libvirt's
// open has no timeout: the client waits for the daemon's reply to its
// connect-open call for as long as the socket stays up.
//
// At most one attempt runs at a time. An attempt that misses the caller's
// deadline is abandoned, not cancelled (libvirt cannot cancel it): the
// caller gets an error, and the attempt's outcome, whenever it comes, is kept
// for the next Open (a libvirtd that is merely slow still gets connected). A
// connection that opens after the opener is gone is closed by its thread.
// Thread-safe; the thread owns its share of the state, so the opener may be
// destroyed, and the process exit, while an attempt is stuck.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_CONNECTION_OPENER_H_
#define VMBALANCE_EXPORTER_LIBVIRT_CONNECTION_OPENER_H_

#include <chrono>
#include <memory>
#include <string>

#include "exporter/core/status.h"
#include "exporter/libvirt/libvirt_handles.h"

namespace vmbalance {

class ConnectionOpener {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ConnectionOpener(std::string uri);
  ~ConnectionOpener();

  ConnectionOpener(const ConnectionOpener&) = delete;
  ConnectionOpener& operator=(const ConnectionOpener&) = delete;

  // A connection with libvirt's error reporting silenced, or why not:
  // libvirt's error, or that the daemon did not answer by `deadline` (then
  // the attempt goes on in the background). Starts an attempt unless one is
  // already running or has a result waiting.
  StatusOr<libvirt_internal::ConnectionHandle> Open(Clock::time_point deadline);

  const std::string& uri() const { return uri_; }

 private:
  struct State;
  static void Attempt(std::shared_ptr<State> state, std::string uri);

  std::string uri_;
  std::shared_ptr<State> state_;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_CONNECTION_OPENER_H_
