#include "controller/sim/cpu_balancer.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace vmbalance {
namespace sim {
namespace {

// Load on each pCPU and core from host load and placed vCPUs.
struct Loads {
  std::vector<double> pcpu;
  std::vector<double> core;

  void Add(const CoreLayout& layout, int p, double amount) {
    pcpu[p] += amount;
    core[layout.core_of[p]] += amount;
  }
};

// How much less a busy run queue (or a busy core) is worth than an idle
// one even when there is room: tasks on one queue still wait for each
// other's bursts, and a busy sibling slows a thread down, so the kernel
// wakes a task on an idle core first, then an idle thread
// (select_idle_sibling). A pCPU (core) fully loaded by others is worth this
// fraction less.
constexpr double kQueueAversion = 0.2;

// The work a vCPU wanting `demand` expects on pCPU p as loaded now (itself
// not counted): the thread does `speed` work per unit of time beside its
// busy siblings (times remote_memory_speed outside the vCPU's home cell);
// when the queue wants more than that, the vCPU gets its proportional
// share. Less the queue and core aversion.
double ExpectedWork(const CoreLayout& layout, const LinuxBalancerParams& params,
                    const Loads& loads, int p, double demand, int home) {
  const double siblings = loads.core[layout.core_of[p]] - loads.pcpu[p];
  double speed = ThreadSpeed(params.smt_yield, siblings);
  if (home >= 0 && layout.cell_of[p] != home) {
    speed *= params.remote_memory_speed;
  }
  const double queue = loads.pcpu[p] + demand;
  const double work = queue > speed ? demand * speed / queue : demand;
  return work * (1 - kQueueAversion * std::min(1.0, loads.pcpu[p])) *
         (1 - kQueueAversion * std::min(1.0, siblings));
}

}  // namespace

void PlaceLinux(const CoreLayout& layout, const LinuxBalancerParams& params,
                const std::vector<double>& host_load,
                const std::vector<int>& home_cell,
                std::vector<PlacedVcpu>* vcpus) {
  const int width = static_cast<int>(layout.core_of.size());
  Loads loads{std::vector<double>(width, 0.0),
              std::vector<double>(layout.core_pcpus.size(), 0.0)};
  for (int p = 0; p < width && p < static_cast<int>(host_load.size()); ++p) {
    if (layout.core_of[p] >= 0) loads.Add(layout, p, host_load[p]);
  }
  auto allowed_at = [](const PlacedVcpu& v, int p) {
    return std::binary_search(v.allowed.begin(), v.allowed.end(), p);
  };
  for (PlacedVcpu& v : *vcpus) {
    if (v.pcpu >= 0 && !allowed_at(v, v.pcpu)) v.pcpu = -1;
    if (v.pcpu >= 0) loads.Add(layout, v.pcpu, v.demand);
  }
  for (int pass = 0; pass < params.passes; ++pass) {
    bool moved = false;
    for (size_t k = 0; k < vcpus->size(); ++k) {
      PlacedVcpu& v = (*vcpus)[k];
      if (v.allowed.empty()) continue;
      const int home = k < home_cell.size() ? home_cell[k] : -1;
      if (v.pcpu < 0 && allowed_at(v, v.start_at)) {
        v.pcpu = v.start_at;
        loads.Add(layout, v.pcpu, v.demand);
        continue;
      }
      if (v.pcpu >= 0 && v.allowed.size() < 2) continue;
      if (v.pcpu >= 0) loads.Add(layout, v.pcpu, -v.demand);
      // A new vCPU's load is not known yet: it goes where one would run
      // best, like a light task waking up.
      const double demand = v.pcpu < 0 ? std::max(v.demand, 0.5) : v.demand;
      int best = -1;
      double best_work = -1;
      for (int p : v.allowed) {
        const double work =
            ExpectedWork(layout, params, loads, p, demand, home);
        if (work > best_work + 1e-12) {
          best = p;
          best_work = work;
        }
      }
      if (v.pcpu >= 0 && best != v.pcpu) {
        const double here =
            ExpectedWork(layout, params, loads, v.pcpu, demand, home);
        if (best_work <= here * (1 + params.min_gain) + 1e-12) best = v.pcpu;
      }
      moved = moved || best != v.pcpu;
      v.pcpu = best;
      loads.Add(layout, v.pcpu, v.demand);
    }
    if (!moved) break;
  }
}

void RotateGroups(const std::vector<PlacedVcpu>& vcpus, double fairness,
                  double migration_loss, std::vector<ShareResult>* results) {
  std::map<std::vector<int>, std::vector<size_t>> groups;
  for (size_t k = 0; k < vcpus.size(); ++k) {
    if (vcpus[k].allowed.size() > 1 && vcpus[k].pcpu >= 0) {
      groups[vcpus[k].allowed].push_back(k);
    }
  }
  for (const auto& [allowed, members] : groups) {
    if (members.size() < 2) continue;
    std::vector<double> wants;
    double total = 0;
    for (size_t k : members) {
      wants.push_back((*results)[k].time_want);
      total += (*results)[k].time;
    }
    const std::vector<double> fair = FairShare(wants, total);
    for (size_t j = 0; j < members.size(); ++j) {
      ShareResult& r = (*results)[members[j]];
      const double time = (1 - fairness) * r.time + fairness * fair[j];
      if (std::abs(time - r.time) < 1e-9) continue;
      r.time = time;
      r.work = time * r.speed * (1 - migration_loss);
      r.wait = r.time_want > time ? 1.0 - time / r.time_want : 0.0;
    }
  }
}

}  // namespace sim
}  // namespace vmbalance
