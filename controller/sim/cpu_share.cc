#include "controller/sim/cpu_share.h"

#include <algorithm>

#include "controller/sim/cpu_model.h"

namespace vmbalance {
namespace sim {
namespace {

// Fixed-point rounds for the threads' mutual slowdown: a thread's speed
// depends on its siblings' busy time, which depends on their speed. Busy
// fractions only grow round to round, so a few rounds settle it.
constexpr int kSmtRounds = 4;

}  // namespace

CoreLayout CoreLayout::Of(const Scenario& scenario, const CpuSet& online) {
  CoreLayout layout;
  layout.core_of.assign(scenario.pcpus, -1);
  layout.cell_of.assign(scenario.pcpus, -1);
  if (!scenario.topology) {
    for (int p : online.ToVector()) {
      layout.core_of[p] = static_cast<int>(layout.core_pcpus.size());
      layout.cell_of[p] = 0;
      layout.core_pcpus.push_back({p});
    }
    return layout;
  }
  const HostTopology& topo = *scenario.topology;
  layout.core_pcpus.resize(topo.core_count());
  for (int p : online.ToVector()) {
    const int core = topo.CoreOf(p);
    if (core < 0) continue;
    layout.core_of[p] = core;
    layout.cell_of[p] = topo.CellOf(p);
    layout.core_pcpus[core].push_back(p);
    layout.smt = layout.smt || layout.core_pcpus[core].size() > 1;
  }
  return layout;
}

double ThreadSpeed(double smt_yield, double sibling_busy) {
  return 1.0 - (1.0 - smt_yield / 2) * std::clamp(sibling_busy, 0.0, 1.0);
}

std::vector<ShareResult> ShareCpus(const CoreLayout& layout, double smt_yield,
                                   const std::vector<double>& host_load,
                                   const std::vector<ShareClaim>& claims,
                                   std::vector<double>* pcpu_busy) {
  const int width = static_cast<int>(layout.core_of.size());
  std::vector<std::vector<size_t>> on(width);
  for (size_t k = 0; k < claims.size(); ++k) {
    if (claims[k].pcpu >= 0 && claims[k].pcpu < width) {
      on[claims[k].pcpu].push_back(k);
    }
  }
  std::vector<ShareResult> out(claims.size());
  std::vector<double> speed(width, 1.0);
  pcpu_busy->assign(width, 0.0);
  auto share = [&](int p) {
    std::vector<double> wants;
    for (size_t k : on[p]) {
      const double s = speed[p] * claims[k].speed;
      out[k].speed = s;
      out[k].time_want = std::min(1.0, claims[k].want / s);
      wants.push_back(out[k].time_want);
    }
    const double host =
        p < static_cast<int>(host_load.size()) ? host_load[p] : 0;
    if (host > 0) wants.push_back(host);
    std::vector<double> granted = FairShare(wants);
    double busy = 0;
    for (double g : granted) busy += g;
    for (size_t j = 0; j < on[p].size(); ++j) {
      ShareResult& r = out[on[p][j]];
      r.time = granted[j];
      r.work = granted[j] * r.speed;
      r.wait = r.time_want > r.time ? 1.0 - r.time / r.time_want : 0.0;
    }
    (*pcpu_busy)[p] = std::min(busy, 1.0);
  };
  const int rounds = layout.smt ? kSmtRounds : 1;
  for (int round = 0; round < rounds; ++round) {
    if (round > 0) {
      for (const std::vector<int>& threads : layout.core_pcpus) {
        double core_busy = 0;
        for (int p : threads) core_busy += (*pcpu_busy)[p];
        for (int p : threads) {
          speed[p] = ThreadSpeed(smt_yield, core_busy - (*pcpu_busy)[p]);
        }
      }
    }
    for (int p = 0; p < width; ++p) {
      if (layout.core_of[p] >= 0) share(p);
    }
  }
  return out;
}

}  // namespace sim
}  // namespace vmbalance
