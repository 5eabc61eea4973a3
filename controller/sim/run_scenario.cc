// run_scenario: runs a scenario with no policy at all (nobody pins or
// resizes) and prints the simulator's summary, or its per-tick records as
// CSV. A baseline to compare a policy's summary with, and a quick way to
// check a new scenario file.
//   run_scenario SCENARIO.json [TICKS=100] [INTERVAL_S=1] [--csv]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "controller/sim/simulator.h"

int main(int argc, char** argv) {
  bool csv = false;
  std::string args[3] = {"", "100", "1"};
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--csv") == 0) {
      csv = true;
    } else if (positional < 3) {
      args[positional++] = argv[i];
    }
  }
  char* end = nullptr;
  long ticks = std::strtol(args[1].c_str(), &end, 10);
  bool ticks_ok = *end == '\0' && ticks > 0;
  double interval = std::strtod(args[2].c_str(), &end);
  if (positional < 1 || !ticks_ok || *end != '\0' || !(interval > 0)) {
    std::cerr << "usage: run_scenario SCENARIO.json [TICKS] [INTERVAL_S] "
                 "[--csv]\n";
    return 2;
  }
  vmbalance::StatusOr<vmbalance::sim::Scenario> scenario =
      vmbalance::sim::LoadScenario(args[0]);
  if (!scenario.ok()) {
    std::cerr << scenario.status().message() << "\n";
    return 1;
  }
  vmbalance::sim::Simulator sim(*scenario, interval);
  for (long t = 0; t < ticks; ++t) sim.Take();
  if (!csv) {
    std::cout << sim.Summary(0).dump(2) << "\n";
    return 0;
  }
  std::cout << "tick,mean,stddev,balanced,settled,host_free_mib,"
               "min_guest_unused_mib,running_domains\n";
  for (const vmbalance::sim::TickRecord& r : sim.records()) {
    std::printf("%lld,%.4f,%.4f,%d,%d,%lld,%s,%d\n",
                static_cast<long long>(r.tick), r.mean, r.stddev, r.balanced,
                r.settled, static_cast<long long>(r.host_free_mib),
                r.min_guest_unused_mib
                    ? std::to_string(*r.min_guest_unused_mib).c_str()
                    : "",
                r.running_domains);
  }
  return 0;
}
