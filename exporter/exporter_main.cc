// libvirt_exporter: samples libvirt every --interval seconds and serves the
// figures as Prometheus metrics on --listen (/metrics). Runs until SIGINT or
// SIGTERM; keeps serving libvirt_up 0 while libvirt is unreachable.
#include <signal.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <memory>

#include "exporter/cli.h"
#include "exporter/libvirt/libvirt_hypervisor.h"
#include "exporter/metrics_collector.h"
#include "exporter/observer.h"
#include "gflags/gflags.h"
#include "glog/logging.h"

DEFINE_string(interval, "5", "Seconds between samples (decimal, > 0).");

namespace vmbalance {
namespace {

using Clock = std::chrono::steady_clock;

// Waits until `deadline` or a signal in `signals`; returns the signal, or 0
// when the deadline passed.
int WaitForSignalUntil(const sigset_t& signals, Clock::time_point deadline) {
  while (true) {
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) return 0;
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    timespec timeout{static_cast<time_t>(ns / 1000000000),
                     static_cast<long>(ns % 1000000000)};
    const int signal = sigtimedwait(&signals, nullptr, &timeout);
    if (signal > 0) return signal;
    // EAGAIN: timed out (checked on the next pass); EINTR: wait again.
  }
}

int Run(double interval_s) {
  // Block the stop signals before any thread starts (civetweb, libvirt), so
  // every thread inherits the mask and only sigtimedwait below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto metrics = std::make_shared<MetricsCollector>();
  auto exposer = StartExposer(FLAGS_listen);
  if (!exposer.ok()) {
    LOG(ERROR) << exposer.status().message();
    return 1;
  }
  (*exposer)->RegisterCollectable(metrics);
  for (int port : (*exposer)->GetListeningPorts()) {
    LOG(INFO) << "serving /metrics on port " << port
              << " (--listen=" << FLAGS_listen << ")";
  }

  LibvirtHypervisor hypervisor(FLAGS_connect);
  Observer observer(&hypervisor, metrics);
  LOG(INFO) << "sampling " << hypervisor.Describe() << " every " << interval_s
            << " s";

  const auto period = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(interval_s));
  Clock::time_point next = Clock::now();
  while (true) {
    observer.Tick();
    next += period;
    const Clock::time_point now = Clock::now();
    if (next <= now) {
      // A slow sample overran: skip the missed ticks, keep the phase.
      const auto missed = (now - next) / period + 1;
      LOG(WARNING) << "sampling overran the interval; skipping " << missed
                   << " tick(s)";
      next += missed * period;
    }
    if (const int signal = WaitForSignalUntil(stop_signals, next)) {
      LOG(INFO) << "stopping on " << strsignal(signal);
      return 0;
    }
  }
}

}  // namespace
}  // namespace vmbalance

int main(int argc, char** argv) {
  FLAGS_logtostderr = true;
  vmbalance::SetListenDefault(":9177");
  vmbalance::ParseFlagsOrExit(
      &argc, &argv,
      "serves libvirt guest figures as Prometheus metrics.\n"
      "Usage: libvirt_exporter [--connect=URI] [--listen=ADDR] "
      "[--interval=SECONDS]",
      {"connect", "listen", "interval"});
  google::InitGoogleLogging(argv[0]);
  if (argc > 1) {
    vmbalance::ExitWithUsageError(std::string("unexpected argument '") +
                                  argv[1] + "'");
  }
  vmbalance::StatusOr<double> interval =
      vmbalance::ParseIntervalSeconds(FLAGS_interval);
  if (!interval.ok()) {
    vmbalance::ExitWithUsageError("--interval: " + interval.status().message());
  }
  if (auto listen = vmbalance::ParseListenAddress(FLAGS_listen); !listen.ok()) {
    vmbalance::ExitWithUsageError("--listen: " + listen.status().message());
  }
  return vmbalance::Run(*interval);
}
