#include "controller/controller_main.h"

#include <gflags/gflags.h>
#include <glog/logging.h>
#include <prometheus/collectable.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "controller/controller.h"
#include "controller/controller_metrics.h"
#include "controller/policy_flags.h"
#include "controller/sim/scenario.h"
#include "controller/sim/simulator.h"
#include "controller/tick_printer.h"
#include "exporter/cli.h"
#include "exporter/http/readiness.h"
#include "exporter/http/reload_watcher.h"
#include "exporter/libvirt/domain_config_flags.h"
#include "exporter/libvirt/libvirt_hypervisor.h"
#include "exporter/libvirt/sample_deadline_flags.h"
#include "exporter/metrics/metrics_collector.h"
#include "exporter/observer.h"
#include "exporter/stoppable_schedule.h"

DEFINE_bool(dry_run, false,
            "Decide and report every interval, but never pin or resize.");
DEFINE_string(simulate, "",
              "Testing aid: replace libvirt with the deterministic simulator "
              "running this scenario file, in virtual time.");
DEFINE_int64(ticks, 100, "With --simulate: how many intervals to run.");
DEFINE_string(summary_json, "",
              "With --simulate: write the run's summary to this JSON file.");
DEFINE_bool(sim_realtime, false,
            "With --simulate: wait one real interval between ticks and serve "
            "/metrics, as against a real host.");
DEFINE_bool(quiet, false, "Do not print the per-interval report.");

namespace vmbalance {
namespace {

constexpr int kOk = 0;
constexpr int kRuntimeError = 1;  // e.g. a busy port, an unwritable summary

int UsageError(const BinaryTraits& traits, const std::string& why) {
  std::fprintf(stderr,
               "%s: %s\nusage: %s [flags] INTERVAL_SECONDS\n"
               "  e.g. %s 2    (see --helpshort for flags)\n",
               traits.name, why.c_str(), traits.name, traits.name);
  return kUsageExitCode;
}

int Fail(const BinaryTraits& traits, int code, const std::string& why) {
  std::fprintf(stderr, "%s: %s\n", traits.name, why.c_str());
  return code;
}

// Flags and the positional interval into *interval and *options; kOk or the
// exit code of a usage error. Exits itself for --help*.
int ParseCommandLine(int argc, char** argv, const BinaryTraits& traits,
                     double* interval, ControllerOptions* options) {
  // gflags would read "-1" as an unknown flag and exit 1; a negative
  // interval is bad input like any other.
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] == '-' && (std::isdigit(argv[i][1]) || argv[i][1] == '.')) {
      return UsageError(traits, std::string("the interval must be a positive "
                                            "number of seconds, not ") +
                                    argv[i]);
    }
  }
  SetListenDefault(traits.default_listen);
  std::vector<std::string> flag_files = {
      CommonFlagsFile(),         __FILE__,
      traits.main_file,          ObserverFlagsFile(),
      SampleDeadlineFlagsFile(), DomainConfigFlagsFile(),
      SharedPolicyFlagsFile()};
  if (traits.cpu) flag_files.push_back(VcpuPolicyFlagsFile());
  if (traits.memory) flag_files.push_back(MemoryPolicyFlagsFile());
  ParseFlagsOrExit(&argc, &argv,
                   std::string("usage: ") + traits.name +
                       " [flags] INTERVAL_SECONDS\n  e.g. " + traits.name +
                       " 2",
                   flag_files);
  if (argc != 2) {
    return UsageError(traits, argc < 2 ? "missing the interval"
                                       : "expected exactly one argument");
  }
  StatusOr<double> parsed = ParseIntervalSeconds(argv[1]);
  if (!parsed.ok()) return UsageError(traits, parsed.status().message());
  *interval = *parsed;

  options->cpu = traits.cpu_flag != nullptr ? *traits.cpu_flag : traits.cpu;
  options->memory =
      traits.memory_flag != nullptr ? *traits.memory_flag : traits.memory;
  if (!options->cpu && !options->memory) {
    return UsageError(traits, "--nocpu and --nomemory leave nothing to do");
  }
  options->dry_run = FLAGS_dry_run;
  Status policy_status = PolicyConfigsFromFlags(options);
  if (!policy_status.ok()) return UsageError(traits, policy_status.message());
  if (!FLAGS_simulate.empty() && FLAGS_ticks <= 0) {
    return UsageError(traits, "--ticks must be > 0");
  }
  return kOk;
}

// A simulated run is judged by the rules it was configured with (the flags,
// whose defaults are the SPEC's), so the referee's verdict and the policies'
// aim are one rule.
sim::RefereeRules ConfiguredRules(const ControllerOptions& options) {
  sim::RefereeRules rules;
  rules.max_stddev_ratio = options.vcpu.max_stddev_ratio;
  rules.max_stddev_abs = options.vcpu.max_stddev_abs;
  rules.low_mark_mib = MibFromKib(options.memory_config.min_unused_kib);
  return rules;
}

// libvirt, or with --simulate the simulator (also returned in *simulator);
// kOk or the exit code for a scenario that cannot be loaded.
int MakeHypervisor(const BinaryTraits& traits, double interval,
                   const ControllerOptions& options,
                   std::unique_ptr<Hypervisor>* hypervisor,
                   sim::Simulator** simulator) {
  if (FLAGS_simulate.empty()) {
    StatusOr<std::chrono::milliseconds> deadline =
        SampleDeadlineFromFlags(interval);
    if (!deadline.ok()) {
      return Fail(traits, kUsageExitCode, deadline.status().message());
    }
    auto libvirt = std::make_unique<LibvirtHypervisor>(FLAGS_connect);
    libvirt->set_sample_deadline(*deadline);
    *hypervisor = std::move(libvirt);
    return kOk;
  }
  StatusOr<sim::Scenario> scenario = sim::LoadScenario(FLAGS_simulate);
  if (!scenario.ok()) {
    return Fail(traits, kUsageExitCode, scenario.status().message());
  }
  // In real time the guests' balloon reports must carry real timestamps,
  // or anything comparing them with the clock (alerts) sees them as stale.
  if (FLAGS_sim_realtime) scenario->epoch_s = std::time(nullptr);
  auto owned = std::make_unique<sim::Simulator>(std::move(*scenario), interval,
                                                ConfiguredRules(options));
  *simulator = owned.get();
  *hypervisor = std::move(owned);
  return kOk;
}

// Serves both metric sets on --listen; logs the port(s).
StatusOr<std::unique_ptr<MetricsServer>> ServeMetrics(
    const BinaryTraits& traits,
    const std::vector<std::shared_ptr<prometheus::Collectable>>& metrics,
    const Readiness* readiness) {
  StatusOr<std::unique_ptr<MetricsServer>> exposer = StartExposer(
      FLAGS_listen, traits.name, [readiness] { return readiness->Check(); });
  if (!exposer.ok()) return exposer;
  for (const auto& collectable : metrics) {
    (*exposer)->RegisterCollectable(collectable);
  }
  for (int port : (*exposer)->GetListeningPorts()) {
    LOG(INFO) << traits.name << " serving " << TelemetryPathFlag()
              << " on port " << port << ((*exposer)->tls() ? " (TLS)" : "")
              << " (--listen=" << FLAGS_listen << ")";
  }
  return exposer;
}

// Ticks until a stop signal, or for --ticks intervals in virtual time.
void RunLoop(const BinaryTraits& traits, const ControllerOptions& options,
             bool simulating, StoppableSchedule* schedule,
             Controller* controller, Readiness* readiness) {
  const bool virtual_time = simulating && !FLAGS_sim_realtime;
  for (int64_t tick = 0; !simulating || tick < FLAGS_ticks; ++tick) {
    TickReport report = controller->Tick();
    readiness->Record(report.sampled, report.sample_error);
    if (!FLAGS_quiet) {
      std::cout << FormatTick(tick, report, options) << std::flush;
    }
    for (const std::string& failure : report.pins.failures) {
      LOG(WARNING) << failure;
    }
    for (const std::string& failure : report.balloons.failures) {
      LOG(WARNING) << failure;
    }
    const int signal =
        virtual_time ? schedule->PollStop() : schedule->WaitForNextSlot();
    if (signal != 0) {
      LOG(INFO) << traits.name << " stopping on " << strsignal(signal);
      return;
    }
  }
}

// The simulated run's summary: to --summary_json if given, and to stdout.
int ReportSimulation(const BinaryTraits& traits,
                     const sim::Simulator& simulator,
                     double max_decision_seconds) {
  if (!FLAGS_summary_json.empty()) {
    Status written =
        simulator.WriteSummary(FLAGS_summary_json, max_decision_seconds);
    if (!written.ok()) return Fail(traits, kRuntimeError, written.message());
  }
  std::cout << simulator.Summary(max_decision_seconds).dump() << std::endl;
  return kOk;
}

}  // namespace

int RunControllerMain(int argc, char** argv, const BinaryTraits& traits) {
  double interval = 0;
  ControllerOptions options;
  if (int code = ParseCommandLine(argc, argv, traits, &interval, &options)) {
    return code;
  }
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(traits.name);

  // Before any thread starts (civetweb, libvirt): see StoppableSchedule and
  // BlockReloadSignal.
  BlockReloadSignal();
  StoppableSchedule schedule(interval);
  std::unique_ptr<Hypervisor> hypervisor;
  sim::Simulator* simulator = nullptr;
  if (int code =
          MakeHypervisor(traits, interval, options, &hypervisor, &simulator)) {
    return code;
  }
  const bool simulating = simulator != nullptr;

  auto exporter_metrics = std::make_shared<MetricsCollector>();
  auto controller_metrics = std::make_shared<ControllerMetrics>();
  Readiness readiness(interval);
  std::unique_ptr<MetricsServer> exposer;
  if (!simulating || FLAGS_sim_realtime) {
    auto served = ServeMetrics(traits, {exporter_metrics, controller_metrics},
                               &readiness);
    if (!served.ok()) {
      return Fail(traits, kRuntimeError, served.status().message());
    }
    exposer = std::move(*served);
  }
  LOG(INFO) << traits.name << " on " << hypervisor->Describe() << ", every "
            << interval << " s" << (options.cpu ? ", vCPU scheduler" : "")
            << (options.memory ? ", memory coordinator" : "")
            << (options.dry_run ? ", dry run" : "");

  Controller controller(hypervisor.get(), options, exporter_metrics,
                        controller_metrics);
  RunLoop(traits, options, simulating, &schedule, &controller, &readiness);
  if (simulating) {
    const int code =
        ReportSimulation(traits, *simulator, controller.max_decision_seconds());
    if (code != kOk) return code;
  }
  LOG(INFO) << traits.name << " stopped";
  return kOk;
}

}  // namespace vmbalance
