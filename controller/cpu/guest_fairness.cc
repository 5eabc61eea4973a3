#include "controller/cpu/guest_fairness.h"

#include <algorithm>
#include <numeric>

namespace vmbalance {
namespace {

// Idle time of the usable pCPUs in pCPUs, or -1 when a busy ratio is
// missing.
double UsableIdle(const Usage& usage, const VcpuProblem& problem) {
  double idle = 0;
  for (int pcpu : problem.bin_pcpu) {
    const size_t p = static_cast<size_t>(pcpu);
    if (p >= usage.pcpu_busy_ratio.size() || usage.pcpu_busy_ratio[p] < 0) {
      return -1;
    }
    idle += 1.0 - std::min(1.0, usage.pcpu_busy_ratio[p]);
  }
  return idle;
}

const VcpuUsage& VcpuOf(const Usage& usage, const VcpuRef& ref) {
  return usage.domains[ref.domain].vcpus[ref.vcpu];
}

double WaitOf(const VcpuUsage& vcpu) {
  return std::max(0.0, vcpu.runnable - vcpu.utilization);
}

// What a vCPU wants of a pCPU: its demand, at least what it ran, at most 1.
double WantOf(const VcpuUsage& vcpu) {
  return std::min(1.0, std::max(vcpu.demand, vcpu.utilization));
}

// Fills busy, min_served, worst and fair from the dues.
void JudgeServed(const FairnessConfig& config, const Usage& usage,
                 const VcpuProblem& problem, const std::vector<double>& wants,
                 GuestFairness* view) {
  const std::vector<double> dues = FairDues(wants, view->capacity);
  for (size_t i = 0; i < problem.items.size(); ++i) {
    if (!VcpuOf(usage, problem.items[i]).has_delay) continue;
    if (wants[i] < config.busy_want || dues[i] <= 0) continue;
    ++view->busy;
    const VcpuRef& ref = problem.items[i];
    const double served = VcpuOf(usage, ref).utilization / dues[i];
    if (served < view->min_served) {
      view->min_served = served;
      view->worst = usage.domains[ref.domain].name + "/" +
                    std::to_string(VcpuOf(usage, ref).index);
    }
  }
  view->fair = view->min_served >= config.min_served_ratio;
}

}  // namespace

std::vector<double> FairDues(const std::vector<double>& wants,
                             double capacity) {
  std::vector<size_t> order(wants.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return wants[a] < wants[b]; });
  std::vector<double> dues(wants.size(), 0.0);
  double left = std::max(0.0, capacity);
  for (size_t k = 0; k < order.size(); ++k) {
    const double level = left / static_cast<double>(order.size() - k);
    const double want = std::min(1.0, std::max(0.0, wants[order[k]]));
    dues[order[k]] = std::min(want, level);
    left -= dues[order[k]];
  }
  return dues;
}

GuestFairness JudgeGuests(const FairnessConfig& config, const Usage& usage,
                          const VcpuProblem& problem) {
  GuestFairness view;
  if (!config.enabled) return view;
  const double idle = UsableIdle(usage, problem);
  if (idle < 0) return view;
  view.idle = idle;
  view.host_known = true;
  std::vector<double> wants;
  double run = 0;
  for (const VcpuRef& ref : problem.items) {
    const VcpuUsage& vcpu = VcpuOf(usage, ref);
    if (!vcpu.has_delay) ++view.unjudged;
    (ref.pinned ? view.pinned : view.floating) += 1;
    (ref.pinned ? view.pinned_wait : view.floating_wait) += WaitOf(vcpu);
    run += vcpu.utilization;
    wants.push_back(WantOf(vcpu));
  }
  view.capacity =
      std::min(static_cast<double>(problem.bin_pcpu.size()), run + view.idle);
  view.known = 2 * view.unjudged <= static_cast<int>(problem.items.size());
  if (!view.known) return view;
  JudgeServed(config, usage, problem, wants, &view);
  view.stranded = view.idle >= config.stranded_idle &&
                  view.pinned_wait >= config.stranded_wait;
  view.kernel_strands = view.idle >= config.stranded_idle &&
                        view.floating_wait >= config.stranded_wait;
  return view;
}

}  // namespace vmbalance
