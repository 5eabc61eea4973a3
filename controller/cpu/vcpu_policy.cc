#include "controller/cpu/vcpu_policy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "controller/cpu/planner.h"
#include "controller/cpu/vcpu_problem.h"

namespace vmbalance {
namespace {

std::string Format(const char* format, double a, double b) {
  char buffer[160];
  std::snprintf(buffer, sizeof(buffer), format, a, b);
  return buffer;
}

// Fills mean, stddev and pcpu_demand from the current placement.
void DescribeCurrent(const Usage& usage, const VcpuProblem& problem,
                     VcpuDecision* decision) {
  const std::vector<double> loads =
      BinLoads(problem.placement, problem.placement.current);
  int width = static_cast<int>(usage.pcpu_load.size());
  if (!problem.bin_pcpu.empty()) {
    width = std::max(width, problem.bin_pcpu.back() + 1);
  }
  decision->pcpu_demand.assign(width, 0.0);
  for (size_t b = 0; b < loads.size(); ++b) {
    decision->pcpu_demand[problem.bin_pcpu[b]] = loads[b];
  }
  decision->mean = MeanOf(loads);
  decision->stddev = StddevOf(loads);
  decision->planned_stddev = decision->stddev;
}

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

// Typical measurement noise of one pCPU's demand: the root mean over pCPUs of
// the summed noise variances of the vCPUs placed there now.
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

// How far this interval's pCPU demands are likely off because each domain's
// window differs from the interval (Usage::window_skew, e): a vCPU's
// demand, time / (wall - delay), moves by about demand x e / (1 - waiting
// share), a lot for a vCPU that mostly waits. The root mean square over
// pCPUs of the per-pCPU sums.
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

// The pins that turn the current placement into `plan`.
std::vector<PinChange> PinsFor(const Usage& usage, const VcpuProblem& problem,
                               const Plan& plan, bool pin_unpinned) {
  std::vector<PinChange> pins;
  for (size_t i = 0; i < problem.items.size(); ++i) {
    const VcpuRef& ref = problem.items[i];
    const int bin = plan.assignment[i];
    const bool moves = bin != problem.placement.current[i];
    if (!moves && (ref.pinned || !pin_unpinned)) continue;
    const DomainUsage& domain = usage.domains[ref.domain];
    const VcpuUsage& vcpu = domain.vcpus[ref.vcpu];
    PinChange pin;
    pin.uuid = domain.uuid;
    pin.domain = domain.name;
    pin.vcpu = vcpu.index;
    pin.from = vcpu.affinity;
    pin.to_pcpu = problem.bin_pcpu[bin];
    pins.push_back(std::move(pin));
  }
  return pins;
}

// Why this interval's readings cannot be trusted, or empty when they can.
std::string DistrustOf(const VcpuPolicyConfig& config, const Usage& usage) {
  if (usage.window_error > config.max_window_error) {
    return Format(
        "readings uncertain: rates may be %.0f%% off (over %.0f%%), the vCPU "
        "counters took long to read: deciding nothing",
        100 * usage.window_error, 100 * config.max_window_error);
  }
  const double resolution =
      usage.interval_s > 0 ? 2 * config.counter_resolution_s / usage.interval_s
                           : 0;
  const double ceiling =
      1 + usage.window_error + config.impossible_demand_margin + resolution;
  for (const DomainUsage& domain : usage.domains) {
    for (const VcpuUsage& vcpu : domain.vcpus) {
      if (vcpu.valid && vcpu.runnable > ceiling) {
        return "readings impossible: a vCPU of " + domain.name +
               Format(" ran or waited %.2f of the interval (over %.2f)",
                      vcpu.runnable, ceiling) +
               ": the stamps do not match the counters; deciding nothing";
      }
    }
  }
  return "";
}

}  // namespace

VcpuDecision DecideVcpuPins(const VcpuPolicyConfig& config, const Usage& usage,
                            VcpuPolicyState* state) {
  VcpuDecision decision;
  ++state->intervals;
  const bool cooling = state->cooldown > 0;
  if (cooling) --state->cooldown;

  std::string distrust = DistrustOf(config, usage);
  if (!distrust.empty()) {
    decision.skipped = true;
    decision.reason = std::move(distrust);
    decision.pcpu_demand = usage.pcpu_demand;
    decision.mean = usage.demand_mean;
    decision.stddev = decision.planned_stddev = usage.demand_stddev;
    return decision;
  }

  std::vector<std::vector<double>> noise_variance;
  const std::vector<std::vector<double>> demand =
      SmoothDemand(usage, config.demand_smoothing, config.demand_jump,
                   &state->demand, &noise_variance);
  const CpuSet usable = UsablePcpus(usage, config.allowed_pcpus);
  const VcpuProblem problem = BuildVcpuProblem(usage, usable, demand);
  DescribeCurrent(usage, problem, &decision);
  state->unknown_streak = problem.invalid > 0 ? state->unknown_streak + 1 : 0;

  if (problem.bin_pcpu.empty()) {
    decision.reason = "no usable pCPU";
    return decision;
  }
  if (problem.managed == 0) {
    decision.balanced = decision.at_optimum = true;
    decision.reason = "no vCPU to place";
    return decision;
  }
  const int valid = problem.managed - problem.invalid;
  if (valid == 0 || valid < config.min_valid_fraction * problem.managed) {
    decision.reason = "too few valid readings (" + std::to_string(valid) +
                      " of " + std::to_string(problem.managed) +
                      "): deciding nothing";
    return decision;
  }

  const double mean = PlacedMean(problem.placement);
  // The SPEC's target, both readings. On a noisy host it can sit below what
  // the measurements resolve; noise_margin below keeps that from churning.
  const double target =
      std::max(config.min_stddev_floor,
               std::min(config.max_stddev_ratio * mean, config.max_stddev_abs));
  decision.target_stddev = target;
  const double noise_margin =
      config.noise_factor * PcpuNoiseStddev(problem, noise_variance) +
      WindowMargin(usage, problem, demand, config.max_window_amplification);
  decision.noise_margin = noise_margin;
  if (problem.unplaced == 0 && decision.stddev <= target) {
    state->imbalanced_streak = 0;
    decision.balanced = true;
    decision.at_optimum = decision.stddev <= config.min_gain_abs;
    decision.reason = Format("balanced: std-dev %.3f <= target %.3f",
                             decision.stddev, target);
    return decision;
  }
  if (problem.unplaced == 0 && decision.stddev <= target + noise_margin) {
    state->imbalanced_streak = 0;
    decision.balanced = true;
    decision.reason =
        Format("within noise: std-dev %.3f <= target + noise %.3f",
               decision.stddev, target + noise_margin);
    return decision;
  }
  if (problem.unplaced == 0 && mean < config.idle_mean) {
    state->imbalanced_streak = 0;
    decision.balanced = decision.at_optimum = true;
    decision.reason =
        Format("idle: mean demand %.3f < %.3f", mean, config.idle_mean);
    return decision;
  }

  PlanOptions options;
  options.aim_stddev = config.aim_fraction * target;
  options.target_stddev = target;
  options.candidate_bins = config.candidate_bins;
  options.exact_budget = config.exact_budget;
  const PlanResult plan = PlanPlacement(problem.placement, options);
  decision.best_stddev = plan.best_stddev;
  const double min_gain =
      std::max({config.min_gain_abs, config.min_gain_ratio * decision.stddev,
                noise_margin});
  const bool reachable = plan.chosen.stddev <= target;
  if (problem.unplaced == 0 && !reachable &&
      decision.stddev - plan.best_stddev < min_gain) {
    state->imbalanced_streak = 0;
    decision.balanced = decision.at_optimum = true;
    decision.reason = Format(
        "best reachable: std-dev %.3f, nothing reachable better than %.3f",
        decision.stddev, plan.best_stddev);
    return decision;
  }
  if (problem.unplaced == 0 && reachable &&
      decision.stddev - plan.chosen.stddev < min_gain) {
    state->imbalanced_streak = 0;
    decision.balanced = decision.at_optimum = true;
    decision.reason =
        Format("within noise: std-dev %.3f, a plan would only reach %.3f",
               decision.stddev, plan.chosen.stddev);
    return decision;
  }

  const bool urgent =
      problem.unplaced > 0 ||
      decision.stddev > config.urgent_factor * target + noise_margin;
  if (cooling) {
    decision.reason =
        Format("cooling down after pins: std-dev %.3f, target %.3f",
               decision.stddev, target);
    return decision;
  }
  if (problem.invalid > 0 &&
      state->unknown_streak <= config.unknown_wait_intervals) {
    decision.reason = "imbalanced, but " + std::to_string(problem.invalid) +
                      " vCPU(s) have no reading yet: waiting for them";
    return decision;
  }
  ++state->imbalanced_streak;
  if (!urgent && state->imbalanced_streak < config.imbalanced_intervals) {
    decision.reason =
        Format("imbalanced (std-dev %.3f > %.3f), waiting to see it again",
               decision.stddev, target);
    return decision;
  }

  decision.pins = PinsFor(usage, problem, plan.chosen, config.pin_unpinned);
  decision.migrations = plan.chosen.changes;
  decision.planned_stddev = plan.chosen.stddev;
  decision.method = plan.chosen.method;
  state->imbalanced_streak = 0;
  if (!decision.pins.empty()) {
    state->cooldown = config.cooldown_intervals;
    ++state->actions;
  }
  decision.reason = Format("imbalanced: std-dev %.3f -> %.3f planned",
                           decision.stddev, plan.chosen.stddev) +
                    ", target " + Format("%.3f", target, 0) + ", " +
                    std::to_string(decision.migrations) + " moves, " +
                    std::to_string(decision.pins.size()) + " pins (" +
                    plan.chosen.method + ")";
  return decision;
}

}  // namespace vmbalance
