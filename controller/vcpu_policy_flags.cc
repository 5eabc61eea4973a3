// The vCPU scheduler's flags; defaults from VcpuPolicyConfig (and its
// FairnessConfig and TopologyConfig).
#include <gflags/gflags.h>

#include <optional>
#include <string>

#include "controller/cpu/fairness_config.h"
#include "controller/cpu/topology_config.h"
#include "controller/policy_flags.h"

DEFINE_string(
    pcpus, "",
    "vCPU scheduler: pCPUs it may pin to, in list format (\"0-3,8\"); "
    "empty means every online pCPU.");
DEFINE_double(balance_ratio, vmbalance::VcpuPolicyConfig().max_stddev_ratio,
              "vCPU scheduler: balanced when the std-dev of pCPU demand is at "
              "most this fraction of the mean...");
DEFINE_double(balance_abs, vmbalance::VcpuPolicyConfig().max_stddev_abs,
              "...and at most this much of one pCPU in absolute terms.");

// The guests'-side judgement (do no harm), FairnessConfig.
DEFINE_bool(fairness, vmbalance::FairnessConfig().enabled,
            "vCPU scheduler: judge placements from the guests' side too (run "
            "time against a fair share, idle capacity against waiting), so "
            "vCPUs the kernel already serves fairly are not pinned. Off: "
            "per-pCPU demand sums alone decide.");
DEFINE_double(fair_busy_want, vmbalance::FairnessConfig().busy_want,
              "vCPU scheduler: a vCPU wanting at least this much of a pCPU "
              "(run + wait) is CPU-bound and its share is judged; lighter "
              "ones wait on wake-ups no placement removes.");
DEFINE_double(fair_min_served_ratio,
              vmbalance::FairnessConfig().min_served_ratio,
              "vCPU scheduler: fair when every CPU-bound vCPU runs at least "
              "this share of its max-min fair due; below it pins may help.");
DEFINE_double(stranded_idle_pcpus, vmbalance::FairnessConfig().stranded_idle,
              "vCPU scheduler: act at the first reading when at least this "
              "much of the usable pCPUs idles (in pCPUs)...");
DEFINE_double(stranded_wait_pcpus, vmbalance::FairnessConfig().stranded_wait,
              "...while pinned vCPUs wait at least this much (in pCPUs): only "
              "pins strand capacity so.");

// The topology rules, TopologyConfig.
DEFINE_double(smt_busy_vcpu_demand,
              vmbalance::TopologyConfig().busy_vcpu_demand,
              "vCPU scheduler: a vCPU wanting at least this much of a pCPU is "
              "busy; two busy vCPUs do not share an SMT core (each would get "
              "about 0.6 of it) while a core idles.");
DEFINE_double(smt_idle_core_load, vmbalance::TopologyConfig().idle_core_load,
              "vCPU scheduler: a core is idle when the load on all its "
              "threads is below this (at most --smt_busy_vcpu_demand): a busy "
              "vCPU moved there has it nearly to itself.");
DEFINE_bool(numa_home_cells, vmbalance::TopologyConfig().home_cells,
            "vCPU scheduler: on a host with several NUMA cells, keep each "
            "guest without a memory binding in one home cell. Off by "
            "default: where its memory lives is not known, and homes make "
            "big decisions slower and costlier in pins.");
DEFINE_double(numa_cell_fill_slack, vmbalance::TopologyConfig().cell_fill_slack,
              "vCPU scheduler: a guest gets a home cell only while the cell "
              "stays within its fair share plus this much per pCPU, so homes "
              "never put the balance target out of reach.");

namespace vmbalance {
namespace {

bool InUnit(double value) { return value > 0 && value <= 1; }  // (0, 1]

Status FairnessFromFlags(FairnessConfig* config) {
  if (!InUnit(FLAGS_fair_busy_want)) {
    return Status::Error("--fair_busy_want must be in (0, 1]");
  }
  if (!InUnit(FLAGS_fair_min_served_ratio)) {
    return Status::Error("--fair_min_served_ratio must be in (0, 1]");
  }
  // Zero would call any idle time (or any wait) stranded: every reading
  // would look urgent.
  if (!(FLAGS_stranded_idle_pcpus > 0) || !(FLAGS_stranded_wait_pcpus > 0)) {
    return Status::Error(
        "--stranded_idle_pcpus and --stranded_wait_pcpus must be > 0");
  }
  config->enabled = FLAGS_fairness;
  config->busy_want = FLAGS_fair_busy_want;
  config->min_served_ratio = FLAGS_fair_min_served_ratio;
  config->stranded_idle = FLAGS_stranded_idle_pcpus;
  config->stranded_wait = FLAGS_stranded_wait_pcpus;
  return Status::Ok();
}

Status TopologyFromFlags(TopologyConfig* config) {
  if (!InUnit(FLAGS_smt_busy_vcpu_demand)) {
    return Status::Error("--smt_busy_vcpu_demand must be in (0, 1]");
  }
  // A core whose load could hold a busy vCPU is not one a busy vCPU would
  // have to itself.
  if (!(FLAGS_smt_idle_core_load > 0 &&
        FLAGS_smt_idle_core_load <= FLAGS_smt_busy_vcpu_demand)) {
    return Status::Error(
        "--smt_idle_core_load must be in (0, --smt_busy_vcpu_demand]");
  }
  if (!(FLAGS_numa_cell_fill_slack >= 0 && FLAGS_numa_cell_fill_slack < 1)) {
    return Status::Error("--numa_cell_fill_slack must be in [0, 1)");
  }
  config->busy_vcpu_demand = FLAGS_smt_busy_vcpu_demand;
  config->idle_core_load = FLAGS_smt_idle_core_load;
  config->home_cells = FLAGS_numa_home_cells;
  config->cell_fill_slack = FLAGS_numa_cell_fill_slack;
  return Status::Ok();
}

}  // namespace

const char* VcpuPolicyFlagsFile() { return __FILE__; }

Status VcpuConfigFromFlags(VcpuPolicyConfig* config) {
  std::optional<CpuSet> pcpus = CpuSet::Parse(FLAGS_pcpus);
  if (!pcpus.has_value()) {
    return Status::Error("--pcpus: not a CPU list: \"" + FLAGS_pcpus + "\"");
  }
  if (!(FLAGS_balance_ratio > 0 && FLAGS_balance_ratio < 1) ||
      !(FLAGS_balance_abs > 0 && FLAGS_balance_abs < 1)) {
    return Status::Error("--balance_ratio and --balance_abs must be in (0, 1)");
  }
  StatusOr<DomainFilter> exclude = ExcludeFromFlag();
  if (!exclude.ok()) return exclude.status();
  config->exclude = *exclude;
  config->allowed_pcpus = *pcpus;
  config->max_stddev_ratio = FLAGS_balance_ratio;
  config->max_stddev_abs = FLAGS_balance_abs;
  Status fairness = FairnessFromFlags(&config->fairness);
  if (!fairness.ok()) return fairness;
  return TopologyFromFlags(&config->topology);
}

}  // namespace vmbalance
