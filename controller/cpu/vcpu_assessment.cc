#include "controller/cpu/vcpu_assessment.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "controller/cpu/format.h"

namespace vmbalance {
namespace {

// Per pCPU (bin), the sum of `of(ref)` over the vCPUs placed there now.
template <typename PerVcpu>
std::vector<double> SumPerBin(const VcpuProblem& problem, PerVcpu of) {
  std::vector<double> sums(problem.bin_pcpu.size(), 0.0);
  for (size_t i = 0; i < problem.items.size(); ++i) {
    const int bin = problem.placement.current[i];
    if (bin < 0 || bin >= static_cast<int>(sums.size())) continue;
    sums[bin] += of(problem.items[i]);
  }
  return sums;
}

double PcpuNoiseStddev(const VcpuProblem& problem,
                       const std::vector<std::vector<double>>& noise_variance) {
  if (problem.bin_pcpu.empty()) return 0;
  const std::vector<double> bin_variance = SumPerBin(
      problem,
      [&](const VcpuRef& ref) { return noise_variance[ref.domain][ref.vcpu]; });
  double sum = 0;
  for (double variance : bin_variance) sum += variance;
  return std::sqrt(sum / bin_variance.size());
}

// A vCPU's demand, time / (wall - delay), moves by about
// demand x e / (1 - waiting share) when its window is off by e: a lot for a
// vCPU that mostly waits. The root mean square over pCPUs of the per-pCPU
// sums.
double WindowMargin(const Usage& usage, const VcpuProblem& problem,
                    const std::vector<std::vector<double>>& demand,
                    double max_amplification) {
  if (problem.bin_pcpu.empty() || usage.window_skew <= 0) return 0;
  const std::vector<double> bin_error =
      SumPerBin(problem, [&](const VcpuRef& ref) {
        const VcpuUsage& vcpu = usage.domains[ref.domain].vcpus[ref.vcpu];
        const double waiting = std::max(0.0, vcpu.runnable - vcpu.utilization);
        const double amplification =
            std::min(max_amplification, 1.0 / std::max(1e-9, 1.0 - waiting));
        return demand[ref.domain][ref.vcpu] * usage.window_skew * amplification;
      });
  double squares = 0;
  for (double error : bin_error) squares += error * error;
  return std::sqrt(squares / bin_error.size());
}

// Load that cannot move, on the usable pCPUs it sits on.
void AddHeldLoad(const std::vector<double>& held_pcpu_demand,
                 VcpuProblem* problem) {
  for (size_t b = 0; b < problem->bin_pcpu.size(); ++b) {
    const size_t pcpu = static_cast<size_t>(problem->bin_pcpu[b]);
    if (pcpu < held_pcpu_demand.size()) {
      problem->placement.base_load[b] += held_pcpu_demand[pcpu];
    }
  }
}

// Fills pcpu_demand, mean and stddev from the current placement.
void DescribeCurrent(const Usage& usage, VcpuAssessment* now) {
  const VcpuProblem& problem = now->problem;
  const std::vector<double> loads =
      BinLoads(problem.placement, problem.placement.current);
  int width = static_cast<int>(usage.pcpu_load.size());
  if (!problem.bin_pcpu.empty()) {
    width = std::max(width, problem.bin_pcpu.back() + 1);
  }
  now->pcpu_demand.assign(width, 0.0);
  for (size_t b = 0; b < loads.size(); ++b) {
    now->pcpu_demand[problem.bin_pcpu[b]] = loads[b];
  }
  now->mean = MeanOf(loads);
  now->stddev = StddevOf(loads);
}

// Every vCPU floats and the guests feel it fair: the kernel balances them
// within milliseconds, where they are attributed is only where each last
// ran, and pins would take that balancing away for no gain. Not when pCPUs
// idle while the floating vCPUs wait: then the kernel is not balancing.
bool KernelServesFairly(const GuestFairness& guests) {
  return guests.known && guests.fair && !guests.kernel_strands &&
         guests.pinned == 0 && guests.floating > 0;
}

// Whether each item's current pCPU is a fact for the core rules. A pinned
// vCPU runs where it is pinned: two busy ones pinned to SMT siblings share
// a core until a pin moves one. A floating vCPU is credited to the pCPU it
// last ran on; the kernel's SMT-aware balancing moves a busy task to an
// idle core within milliseconds, so two floating busy vCPUs seen on
// siblings say where they happened to be, and pins would take that
// balancing away (do no harm). So floating placements count only when the
// guests' side shows the kernel is not serving them: a CPU-bound vCPU got
// less than its fair share, or capacity idles while floating vCPUs wait.
// Unknown (no host figures, too few delay figures, fairness off) shows no
// harm. Run time cannot show SMT sharing itself (a thread on a shared core
// still runs the whole interval), hence the pinned rule above.
std::vector<bool> PlacementKnown(const VcpuProblem& problem,
                                 const GuestFairness& guests) {
  const bool harmed = guests.known && (!guests.fair || guests.kernel_strands);
  std::vector<bool> known(problem.items.size());
  for (size_t i = 0; i < problem.items.size(); ++i) {
    known[i] = harmed || problem.items[i].pinned;
  }
  return known;
}

}  // namespace

VcpuAssessment Assess(const VcpuPolicyConfig& config, const Usage& usage,
                      const SmoothedDemand& smoothed,
                      const std::vector<double>& held_pcpu_demand,
                      const FairnessConfig& fairness) {
  VcpuAssessment now;
  now.problem = BuildVcpuProblem(
      usage, UsablePcpus(usage, config.allowed_pcpus), smoothed.demand, config);
  AddHeldLoad(held_pcpu_demand, &now.problem);
  DescribeCurrent(usage, &now);
  now.placed_mean = PlacedMean(now.problem.placement);
  now.pcpu_noise = PcpuNoiseStddev(now.problem, smoothed.noise_variance);
  now.window_margin = WindowMargin(usage, now.problem, smoothed.demand,
                                   config.max_window_amplification);
  now.guests = JudgeGuests(fairness, usage, now.problem);
  now.topology = config.topology;
  now.placement_known = PlacementKnown(now.problem, now.guests);
  now.crowding = CrowdingOf(now, now.problem.placement.current);
  return now;
}

VcpuThresholds ThresholdsFor(const VcpuPolicyConfig& config,
                             const VcpuAssessment& now) {
  return ComputeThresholds(config, now.placed_mean, now.stddev, now.pcpu_noise,
                           now.window_margin);
}

std::optional<VcpuVerdict> Unjudgeable(const VcpuPolicyConfig& config,
                                       const VcpuProblem& problem) {
  if (problem.bin_pcpu.empty())
    return VcpuVerdict{false, false, "no usable pCPU"};
  if (problem.managed == 0) {
    return VcpuVerdict{true, true, "no vCPU to place"};
  }
  const int valid = problem.managed - problem.invalid;
  if (valid == 0 || valid < config.min_valid_fraction * problem.managed) {
    return VcpuVerdict{false, false,
                       "too few valid readings (" + std::to_string(valid) +
                           " of " + std::to_string(problem.managed) +
                           "): deciding nothing"};
  }
  return std::nullopt;
}

CoreCrowding CrowdingOf(const VcpuAssessment& now,
                        const Assignment& assignment) {
  const PlacementProblem& placement = now.problem.placement;
  if (assignment.size() != placement.current.size()) return CoreCrowding();
  std::vector<bool> counted = now.placement_known;
  counted.resize(assignment.size(), false);
  for (size_t i = 0; i < assignment.size(); ++i) {
    if (assignment[i] != placement.current[i]) counted[i] = true;
  }
  return FindCoreCrowding(placement, assignment, now.topology, counted);
}

std::optional<VcpuVerdict> JudgeCurrent(const VcpuPolicyConfig& config,
                                        const VcpuThresholds& limits,
                                        const VcpuAssessment& now) {
  // A vCPU outside the usable pCPUs must be placed, balanced or not.
  if (now.problem.unplaced > 0) return std::nullopt;
  // Cores before threads: two busy vCPUs on one core while a core idles
  // lose about 0.4 of a core each whatever the per-pCPU figures say (the
  // std-dev reads the same whichever pCPUs carry the load), and a host of
  // many pCPUs can read "idle" with them. So before every check below.
  if (now.crowding.crowded()) return std::nullopt;
  if (now.stddev <= limits.target_stddev) {
    return VcpuVerdict{true, now.stddev <= config.min_gain_abs,
                       FormatReason("balanced: std-dev %.3f <= target %.3f",
                                    now.stddev, limits.target_stddev)};
  }
  if (now.stddev <= limits.noise_ceiling) {
    return VcpuVerdict{
        true, false,
        FormatReason("within noise: std-dev %.3f <= target + noise %.3f",
                     now.stddev, limits.noise_ceiling)};
  }
  if (KernelServesFairly(now.guests)) {
    return VcpuVerdict{
        true, true,
        FormatReason("floating and served fairly: std-dev %.3f, yet every "
                     "busy vCPU ran >= %.2f of its fair due",
                     now.stddev, now.guests.min_served) +
            " (" + std::to_string(now.guests.floating) +
            " unpinned, the kernel balances them): no pins"};
  }
  if (now.placed_mean < config.idle_mean) {
    return VcpuVerdict{true, true,
                       FormatReason("idle: mean demand %.3f < %.3f",
                                    now.placed_mean, config.idle_mean)};
  }
  return std::nullopt;
}

}  // namespace vmbalance
