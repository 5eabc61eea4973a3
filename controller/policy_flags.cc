#include "controller/policy_flags.h"

#include <gflags/gflags.h>

#include <string>

DEFINE_string(
    pcpus, "",
    "vCPU scheduler: pCPUs it may pin to, in list format (\"0-3,8\"); "
    "empty means every online pCPU.");
DEFINE_double(balance_ratio, 0.05,
              "vCPU scheduler: balanced when the std-dev of pCPU demand is at "
              "most this fraction of the mean...");
DEFINE_double(balance_abs, 0.05,
              "...and at most this much of one pCPU in absolute terms.");
DEFINE_int64(min_unused_mib, 100,
             "Memory coordinator: keep at least this much unused in every "
             "guest (low mark).");
DEFINE_int64(max_unused_mib, 300,
             "Memory coordinator: unused memory above this is idle and is "
             "given back to the host, gradually (high mark).");
DEFINE_int64(host_reserve_mib, 200,
             "Memory coordinator: never give guests host memory when the host "
             "has this much free or less...");
DEFINE_double(host_reserve_fraction, 0.02,
              "...or this fraction of host memory, whichever is larger.");
DEFINE_int64(guest_floor_mib, 256,
             "Memory coordinator: never shrink a guest below this.");
DEFINE_double(max_shrink_fraction, 0.10,
              "Memory coordinator: shrink a guest by at most this fraction of "
              "its size per interval.");
DEFINE_int64(stale_after_seconds, 10,
             "Memory coordinator: balloon stats older than this are stale and "
             "the guest is left alone.");

namespace vmbalance {

Status PolicyConfigsFromFlags(ControllerOptions* options) {
  std::optional<CpuSet> pcpus = CpuSet::Parse(FLAGS_pcpus);
  if (!pcpus.has_value()) {
    return Status::Error("--pcpus: not a CPU list: \"" + FLAGS_pcpus + "\"");
  }
  if (!(FLAGS_balance_ratio > 0 && FLAGS_balance_ratio < 1) ||
      !(FLAGS_balance_abs > 0 && FLAGS_balance_abs < 1)) {
    return Status::Error("--balance_ratio and --balance_abs must be in (0, 1)");
  }
  options->vcpu.allowed_pcpus = *pcpus;
  options->vcpu.max_stddev_ratio = FLAGS_balance_ratio;
  options->vcpu.max_stddev_abs = FLAGS_balance_abs;

  if (FLAGS_min_unused_mib <= 0 ||
      FLAGS_max_unused_mib <= FLAGS_min_unused_mib) {
    return Status::Error(
        "--min_unused_mib must be > 0 and below --max_unused_mib");
  }
  if (FLAGS_host_reserve_mib < 0 || FLAGS_host_reserve_fraction < 0 ||
      FLAGS_host_reserve_fraction >= 1) {
    return Status::Error(
        "--host_reserve_mib must be >= 0 and --host_reserve_fraction in [0, "
        "1)");
  }
  if (FLAGS_guest_floor_mib <= 0) {
    return Status::Error("--guest_floor_mib must be > 0");
  }
  if (!(FLAGS_max_shrink_fraction > 0 && FLAGS_max_shrink_fraction <= 0.5)) {
    return Status::Error("--max_shrink_fraction must be in (0, 0.5]");
  }
  if (FLAGS_stale_after_seconds <= 0) {
    return Status::Error("--stale_after_seconds must be > 0");
  }
  MemoryPolicyConfig& memory = options->memory_config;
  memory.min_unused_kib = static_cast<uint64_t>(FLAGS_min_unused_mib) * 1024;
  memory.max_unused_kib = static_cast<uint64_t>(FLAGS_max_unused_mib) * 1024;
  memory.target_unused_kib =
      (memory.min_unused_kib + memory.max_unused_kib) / 2;
  memory.host_reserve_kib =
      static_cast<uint64_t>(FLAGS_host_reserve_mib) * 1024;
  memory.host_reserve_fraction = FLAGS_host_reserve_fraction;
  memory.guest_floor_kib = static_cast<uint64_t>(FLAGS_guest_floor_mib) * 1024;
  memory.max_shrink_fraction = FLAGS_max_shrink_fraction;
  if (memory.pressure_shrink_fraction < memory.max_shrink_fraction) {
    memory.pressure_shrink_fraction = memory.max_shrink_fraction;
  }
  memory.stale_after_s = FLAGS_stale_after_seconds;
  return Status::Ok();
}

}  // namespace vmbalance
