#include "controller/controller_main.h"

#include <gflags/gflags.h>
#include <glog/logging.h>
#include <prometheus/exposer.h>

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
#include "exporter/libvirt/libvirt_hypervisor.h"
#include "exporter/metrics/metrics_collector.h"
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

int UsageError(const BinaryTraits& traits, const std::string& why) {
  std::fprintf(stderr,
               "%s: %s\nusage: %s [flags] INTERVAL_SECONDS\n"
               "  e.g. %s 2    (see --helpshort for flags)\n",
               traits.name, why.c_str(), traits.name, traits.name);
  return 2;
}

}  // namespace

int RunControllerMain(int argc, char** argv, const BinaryTraits& traits) {
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
  std::vector<std::string> flag_files = {CommonFlagsFile(), __FILE__,
                                         traits.main_file};
  if (traits.cpu) flag_files.push_back(VcpuPolicyFlagsFile());
  if (traits.memory) flag_files.push_back(MemoryPolicyFlagsFile());
  ParseFlagsOrExit(&argc, &argv,
                   std::string("usage: ") + traits.name +
                       " [flags] INTERVAL_SECONDS\n  e.g. " + traits.name +
                       " 2",
                   flag_files);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(traits.name);

  if (argc != 2) {
    return UsageError(traits, argc < 2 ? "missing the interval"
                                       : "expected exactly one argument");
  }
  StatusOr<double> interval = ParseIntervalSeconds(argv[1]);
  if (!interval.ok()) return UsageError(traits, interval.status().message());

  ControllerOptions options;
  options.cpu = traits.cpu;
  options.memory = traits.memory;
  if (traits.cpu_flag != nullptr) options.cpu = *traits.cpu_flag;
  if (traits.memory_flag != nullptr) options.memory = *traits.memory_flag;
  if (!options.cpu && !options.memory) {
    return UsageError(traits, "--nocpu and --nomemory leave nothing to do");
  }
  options.dry_run = FLAGS_dry_run;
  Status policy_status = PolicyConfigsFromFlags(&options);
  if (!policy_status.ok()) return UsageError(traits, policy_status.message());

  // Before any thread starts (civetweb, libvirt): see StoppableSchedule.
  StoppableSchedule schedule(*interval);
  std::unique_ptr<Hypervisor> hypervisor;
  sim::Simulator* simulator = nullptr;
  const bool simulating = !FLAGS_simulate.empty();
  if (simulating) {
    StatusOr<sim::Scenario> scenario = sim::LoadScenario(FLAGS_simulate);
    if (!scenario.ok()) {
      std::fprintf(stderr, "%s: %s\n", traits.name,
                   scenario.status().message().c_str());
      return 2;
    }
    if (FLAGS_ticks <= 0) return UsageError(traits, "--ticks must be > 0");
    // In real time the guests' balloon reports must carry real timestamps,
    // or anything comparing them with the clock (alerts) sees them as stale.
    if (FLAGS_sim_realtime) scenario->epoch_s = std::time(nullptr);
    auto owned =
        std::make_unique<sim::Simulator>(std::move(*scenario), *interval);
    simulator = owned.get();
    hypervisor = std::move(owned);
  } else {
    hypervisor = std::make_unique<LibvirtHypervisor>(FLAGS_connect);
  }

  auto exporter_metrics = std::make_shared<MetricsCollector>();
  auto controller_metrics = std::make_shared<ControllerMetrics>();
  std::unique_ptr<prometheus::Exposer> exposer;
  if (!simulating || FLAGS_sim_realtime) {
    StatusOr<std::unique_ptr<prometheus::Exposer>> started =
        StartExposer(FLAGS_listen);
    if (!started.ok()) {
      std::fprintf(stderr, "%s: %s\n", traits.name,
                   started.status().message().c_str());
      return 1;
    }
    exposer = std::move(*started);
    exposer->RegisterCollectable(exporter_metrics);
    exposer->RegisterCollectable(controller_metrics);
    for (int port : exposer->GetListeningPorts()) {
      LOG(INFO) << traits.name << " serving /metrics on port " << port
                << " (--listen=" << FLAGS_listen << ")";
    }
  }
  LOG(INFO) << traits.name << " on " << hypervisor->Describe() << ", every "
            << *interval << " s" << (options.cpu ? ", vCPU scheduler" : "")
            << (options.memory ? ", memory coordinator" : "")
            << (options.dry_run ? ", dry run" : "");

  Controller controller(hypervisor.get(), options, exporter_metrics,
                        controller_metrics);
  const bool virtual_time = simulating && !FLAGS_sim_realtime;
  for (int64_t tick = 0; !simulating || tick < FLAGS_ticks; ++tick) {
    TickReport report = controller.Tick();
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
        virtual_time ? schedule.PollStop() : schedule.WaitForNextSlot();
    if (signal != 0) {
      LOG(INFO) << traits.name << " stopping on " << strsignal(signal);
      break;
    }
  }
  if (simulator != nullptr && !FLAGS_summary_json.empty()) {
    Status written = simulator->WriteSummary(FLAGS_summary_json,
                                             controller.max_decision_seconds());
    if (!written.ok()) {
      std::fprintf(stderr, "%s: %s\n", traits.name, written.message().c_str());
      return 1;
    }
  }
  if (simulator != nullptr) {
    std::cout << simulator->Summary(controller.max_decision_seconds()).dump()
              << std::endl;
  }
  LOG(INFO) << traits.name << " stopped";
  return 0;
}

}  // namespace vmbalance
