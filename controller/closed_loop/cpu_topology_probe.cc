// cpu_topology_probe: runs a topology scenario with and without the vCPU
// scheduler and prints, per tick, the referee's crowded cores, pins and
// served shares, then the cores still crowded and how long it took. For
// sizing and debugging cpu_topology_policy_test.
//   cpu_topology_probe SCENARIO.json TICKS [JUDGE_FROM]
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "controller/closed_loop/cpu_topology_run.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: cpu_topology_probe SCENARIO.json TICKS [FROM]\n";
    return 2;
  }
  const int ticks = std::atoi(argv[2]);
  const int from = argc > 3 ? std::atoi(argv[3]) : ticks / 2;
  for (bool scheduler : {true, false}) {
    vmbalance::CpuRun run =
        vmbalance::RunCpuScenario(argv[1], ticks, scheduler, from);
    if (!run.simulator) return 1;
    std::printf("== %s: wall %.1f s, slowest decision %.3f s\n",
                scheduler ? "scheduler" : "linux alone", run.wall_seconds,
                run.max_decision_seconds);
    for (const auto& r : run.simulator->records()) {
      std::printf("t%lld crowded %d pins %d min %.3f mean %.3f jain %.4f\n",
                  static_cast<long long>(r.tick), r.crowded_cores,
                  r.pin_changes, r.min_served, r.mean_served, r.jain_served);
    }
    for (const std::string& d : run.decisions) std::cout << d << "\n";
    const vmbalance::TailFairness t = vmbalance::Tail(*run.simulator, from);
    std::printf(
        "tail from %d: crowded ticks %d max %d, min %.4f mean %.4f jain "
        "%.4f, pins %d, cell violations %d, opted-out calls %d, operator "
        "violations %d, total pins %d\n",
        from, t.crowded_ticks, t.max_crowded_cores, t.mean_min_served,
        t.mean_served, t.mean_jain, t.pin_changes, run.cell_violations,
        run.simulator->Summary(0)["opted_out_pin_calls"].get<int>(),
        run.simulator->Summary(0)["operator_set_violations"].get<int>(),
        run.simulator->pin_changes());
    std::cout << vmbalance::DescribeCores(*run.simulator) << "\n";
    // Where the NUMA-bound guests run now.
    for (const auto& d : run.simulator->scenario().domains) {
      if (!d.config.placement.memory_cells) continue;
      std::cout << d.name << " (cells "
                << d.config.placement.memory_cells->ToString() << "):";
      const auto placed = run.simulator->Assignment();
      for (int p : placed.at(d.name)) std::cout << " " << p;
      std::cout << "\n";
    }
  }
  return 0;
}
