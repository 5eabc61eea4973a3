// libvirt_exporter: samples libvirt every --interval seconds and serves the
// figures as Prometheus metrics on --listen (/metrics). Runs until SIGINT or
// SIGTERM; keeps serving libvirt_up 0 while libvirt is unreachable.
#include <cstring>
#include <memory>

#include "exporter/cli.h"
#include "exporter/http/readiness.h"
#include "exporter/http/reload_watcher.h"
#include "exporter/libvirt/domain_config_flags.h"
#include "exporter/libvirt/libvirt_hypervisor.h"
#include "exporter/libvirt/sample_deadline_flags.h"
#include "exporter/metrics/metrics_collector.h"
#include "exporter/observer.h"
#include "exporter/stoppable_schedule.h"
#include "gflags/gflags.h"
#include "glog/logging.h"

DEFINE_string(interval, "5", "Seconds between samples (decimal, > 0).");

namespace vmbalance {
namespace {

int Run(double interval_s) {
  // Before any thread starts: see StoppableSchedule and BlockReloadSignal.
  BlockReloadSignal();
  StoppableSchedule schedule(interval_s);
  auto metrics = std::make_shared<MetricsCollector>();
  Readiness readiness(interval_s);
  auto exposer = StartExposer(FLAGS_listen, "libvirt_exporter",
                              [&readiness] { return readiness.Check(); });
  if (!exposer.ok()) {
    LOG(ERROR) << exposer.status().message();
    return 1;
  }
  (*exposer)->RegisterCollectable(metrics);
  for (int port : (*exposer)->GetListeningPorts()) {
    LOG(INFO) << "serving " << TelemetryPathFlag() << " on port " << port
              << ((*exposer)->tls() ? " (TLS)" : "")
              << " (--listen=" << FLAGS_listen << ")";
  }

  LibvirtHypervisor hypervisor(FLAGS_connect);
  StatusOr<std::chrono::milliseconds> deadline =
      SampleDeadlineFromFlags(interval_s);
  if (!deadline.ok()) ExitWithUsageError(deadline.status().message());
  hypervisor.set_sample_deadline(*deadline);
  Observer observer(&hypervisor, metrics);
  LOG(INFO) << "sampling " << hypervisor.Describe() << " every " << interval_s
            << " s";

  while (true) {
    const Observer::Observation observation = observer.Tick();
    readiness.Record(observation.ok, observation.status.message());
    if (const int signal = schedule.WaitForNextSlot()) {
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
      {vmbalance::CommonFlagsFile(), __FILE__, vmbalance::ObserverFlagsFile(),
       vmbalance::SampleDeadlineFlagsFile(),
       vmbalance::DomainConfigFlagsFile()});
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
