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

namespace {

// The least sum of squared loads reachable from `load` by adding `rest` in
// any (divisible) way: water-filling. A lower bound for the real search.
double WaterFilledSquares(std::vector<double> load, double rest) {
  std::sort(load.begin(), load.end());
  size_t n = load.size();
  double level = load[0];
  size_t k = 1;  // load[0..k) are raised to `level`
  while (true) {
    double next = k < n ? load[k] : std::numeric_limits<double>::infinity();
    double need = (next - level) * k;
    if (rest <= need) {
      level += rest / k;
      break;
    }
    rest -= need;
    level = next;
    ++k;
  }
  double squares = 0;
  for (size_t i = 0; i < n; ++i) {
    double v = i < k ? level : load[i];
    squares += v * v;
  }
  return squares;
}

}  // namespace

std::optional<double> BestReachableStddev(std::vector<double> demands,
                                          int pcpus, int max_vcpus) {
  if (pcpus <= 0) return std::nullopt;
  if (static_cast<int>(demands.size()) > max_vcpus) return std::nullopt;
  // Same total, so the least std-dev is the least sum of squared loads.
  // Big items first; at each step a pCPU is tried only if no pCPU with the
  // same load was tried (they are interchangeable); a branch is cut when
  // even a perfectly divisible rest could not beat the best found.
  std::sort(demands.rbegin(), demands.rend());
  std::vector<double> suffix(demands.size() + 1, 0.0);
  for (size_t i = demands.size(); i-- > 0;) {
    suffix[i] = suffix[i + 1] + demands[i];
  }
  std::vector<double> load(pcpus, 0.0);
  double best = std::numeric_limits<double>::infinity();
  const double perfect = suffix[0] * suffix[0] / pcpus;
  long budget = 2000000;
  std::function<void(size_t)> search = [&](size_t i) {
    if (--budget < 0 || best <= perfect + 1e-12) return;
    if (WaterFilledSquares(load, suffix[i]) >= best - 1e-12) return;
    if (i == demands.size()) {
      double squares = 0;
      for (double l : load) squares += l * l;
      best = std::min(best, squares);
      return;
    }
    std::vector<int> order(pcpus);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return load[a] < load[b]; });
    for (size_t k = 0; k < order.size(); ++k) {
      int p = order[k];
      if (k > 0 && load[p] == load[order[k - 1]]) continue;
      load[p] += demands[i];
      search(i + 1);
      load[p] -= demands[i];
    }
  };
  search(0);
  if (budget < 0) return std::nullopt;
  double mean = suffix[0] / pcpus;
  return std::sqrt(std::max(0.0, best / pcpus - mean * mean));
}

}  // namespace sim
}  // namespace vmbalance
