#include "controller/sim/cpu_model.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

namespace vmbalance {
namespace sim {

std::vector<double> FairShare(const std::vector<double>& demands,
                              double capacity) {
  std::vector<size_t> order(demands.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return demands[a] < demands[b]; });
  std::vector<double> granted(demands.size(), 0.0);
  double left = capacity;
  size_t remaining = demands.size();
  for (size_t i : order) {
    double share = left / remaining;
    double give = std::max(0.0, std::min(demands[i], share));
    granted[i] = give;
    left -= give;
    --remaining;
  }
  return granted;
}

void PlaceVcpus(int pcpu_count, double migrate_threshold,
                std::vector<PlacedVcpu>* vcpus) {
  std::vector<double> load(pcpu_count, 0.0);
  std::vector<int> count(pcpu_count, 0);
  for (const PlacedVcpu& v : *vcpus) {
    if (v.pcpu >= 0 && v.pcpu < pcpu_count) {
      load[v.pcpu] += v.demand;
      ++count[v.pcpu];
    }
  }
  auto move = [&](PlacedVcpu& v, int to) {
    if (v.pcpu >= 0 && v.pcpu < pcpu_count) {
      load[v.pcpu] -= v.demand;
      --count[v.pcpu];
    }
    v.pcpu = to;
    load[to] += v.demand;
    ++count[to];
  };
  auto least_loaded = [&](const std::vector<int>& allowed, int skip) {
    int best = -1;
    for (int p : allowed) {
      if (p == skip) continue;
      if (best < 0 || load[p] < load[best]) best = p;
    }
    return best;
  };

  for (PlacedVcpu& v : *vcpus) {
    if (v.allowed.empty()) continue;
    bool allowed_here =
        std::binary_search(v.allowed.begin(), v.allowed.end(), v.pcpu);
    if (v.pcpu < 0) {
      int to = -1;
      if (std::binary_search(v.allowed.begin(), v.allowed.end(), v.start_at)) {
        to = v.start_at;
      } else {
        for (int p : v.allowed) {
          if (to < 0 || count[p] < count[to]) {
            to = p;
          }
        }
      }
      move(v, to);
    } else if (!allowed_here) {
      move(v, least_loaded(v.allowed, -1));
    } else if (v.allowed.size() > 1) {
      int best = least_loaded(v.allowed, v.pcpu);
      if (best >= 0 &&
          load[v.pcpu] - v.demand - load[best] >= migrate_threshold) {
        move(v, best);
      }
    }
  }
}

std::optional<double> BestReachableStddev(std::vector<double> demands,
                                          int pcpus, int max_vcpus) {
  if (pcpus <= 0) return std::nullopt;
  if (static_cast<int>(demands.size()) > max_vcpus) return std::nullopt;
  // Same total, so the least std-dev is the least sum of squared loads.
  // Big items first prune best; an empty pCPU is tried only once
  // (they are interchangeable).
  std::sort(demands.rbegin(), demands.rend());
  std::vector<double> load(pcpus, 0.0);
  double best = std::numeric_limits<double>::infinity();
  long budget = 5000000;
  std::function<void(size_t, double)> search = [&](size_t i, double squares) {
    if (--budget < 0 || squares >= best - 1e-12) return;
    if (i == demands.size()) {
      best = squares;
      return;
    }
    bool tried_empty = false;
    for (int p = 0; p < pcpus; ++p) {
      if (load[p] == 0) {
        if (tried_empty) continue;
        tried_empty = true;
      }
      double before = load[p];
      double after = before + demands[i];
      load[p] = after;
      search(i + 1, squares - before * before + after * after);
      load[p] = before;
    }
  };
  search(0, 0.0);
  if (budget < 0) return std::nullopt;
  double total = std::accumulate(demands.begin(), demands.end(), 0.0);
  double mean = total / pcpus;
  double variance = std::max(0.0, best / pcpus - mean * mean);
  return std::sqrt(variance);
}

}  // namespace sim
}  // namespace vmbalance
