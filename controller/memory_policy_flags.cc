// The memory coordinator's flags; defaults from MemoryPolicyConfig.
#include <gflags/gflags.h>

#include <algorithm>

#include "controller/policy_flags.h"

using vmbalance::MemoryPolicyConfig;
using vmbalance::MibFromKib;

DEFINE_int64(min_unused_mib, MibFromKib(MemoryPolicyConfig().min_unused_kib),
             "Memory coordinator: keep at least this much unused in every "
             "guest (low mark).");
DEFINE_int64(max_unused_mib, MibFromKib(MemoryPolicyConfig().max_unused_kib),
             "Memory coordinator: unused memory above this is idle and is "
             "given back to the host, gradually (high mark).");
DEFINE_int64(host_reserve_mib,
             MibFromKib(MemoryPolicyConfig().host_reserve_kib),
             "Memory coordinator: never give guests host memory when the host "
             "has this much free or less...");
DEFINE_double(host_reserve_fraction, MemoryPolicyConfig().host_reserve_fraction,
              "...or this fraction of host memory, whichever is larger.");
DEFINE_int64(guest_floor_mib, MibFromKib(MemoryPolicyConfig().guest_floor_kib),
             "Memory coordinator: never shrink a guest below this.");
DEFINE_double(max_shrink_fraction, MemoryPolicyConfig().max_shrink_fraction,
              "Memory coordinator: shrink a guest by at most this fraction of "
              "its size per interval.");
DEFINE_int64(qemu_overhead_mib,
             MibFromKib(MemoryPolicyConfig().qemu_overhead_kib),
             "Memory coordinator: assume a guest's QEMU process holds at most "
             "this much of its RSS for itself (not guest memory); raise it "
             "for guests with large device state.");
DEFINE_int64(stale_after_seconds, MemoryPolicyConfig().stale_after_s,
             "Memory coordinator: balloon stats older than this are stale and "
             "the guest is left alone.");

namespace vmbalance {
namespace {

// A flag at its default gives the struct's own value (which need not be a
// whole MiB); only a value the user chose is converted.
uint64_t KibFromFlag(int64_t flag_mib, uint64_t default_kib) {
  return flag_mib == MibFromKib(default_kib) ? default_kib
                                             : KibFromMib(flag_mib);
}

Status CheckMemoryFlags() {
  if (FLAGS_min_unused_mib <= 0 ||
      FLAGS_max_unused_mib <= FLAGS_min_unused_mib) {
    return Status::Error(
        "--min_unused_mib must be > 0 and below --max_unused_mib");
  }
  if (FLAGS_host_reserve_mib < 0 || FLAGS_host_reserve_fraction < 0 ||
      FLAGS_host_reserve_fraction >= 1) {
    return Status::Error(
        "--host_reserve_mib must be >= 0 and --host_reserve_fraction in "
        "[0, 1)");
  }
  if (FLAGS_guest_floor_mib <= 0) {
    return Status::Error("--guest_floor_mib must be > 0");
  }
  if (!(FLAGS_max_shrink_fraction > 0 && FLAGS_max_shrink_fraction <= 0.5)) {
    return Status::Error("--max_shrink_fraction must be in (0, 0.5]");
  }
  if (FLAGS_qemu_overhead_mib < 0) {
    return Status::Error("--qemu_overhead_mib must be >= 0");
  }
  if (FLAGS_stale_after_seconds <= 0) {
    return Status::Error("--stale_after_seconds must be > 0");
  }
  return Status::Ok();
}

}  // namespace

const char* MemoryPolicyFlagsFile() { return __FILE__; }

Status MemoryConfigFromFlags(MemoryPolicyConfig* config) {
  Status valid = CheckMemoryFlags();
  if (!valid.ok()) return valid;
  // Checked before any field is written: a refused flag changes nothing.
  StatusOr<DomainFilter> exclude = ExcludeFromFlag();
  if (!exclude.ok()) return exclude.status();
  const MemoryPolicyConfig defaults;
  config->min_unused_kib =
      KibFromFlag(FLAGS_min_unused_mib, defaults.min_unused_kib);
  config->max_unused_kib =
      KibFromFlag(FLAGS_max_unused_mib, defaults.max_unused_kib);
  // Resized guests aim between the marks: with marks the user moved, the
  // struct's target may lie outside them.
  if (config->min_unused_kib != defaults.min_unused_kib ||
      config->max_unused_kib != defaults.max_unused_kib) {
    config->target_unused_kib =
        (config->min_unused_kib + config->max_unused_kib) / 2;
  }
  config->host_reserve_kib =
      KibFromFlag(FLAGS_host_reserve_mib, defaults.host_reserve_kib);
  config->host_reserve_fraction = FLAGS_host_reserve_fraction;
  config->guest_floor_kib =
      KibFromFlag(FLAGS_guest_floor_mib, defaults.guest_floor_kib);
  config->max_shrink_fraction = FLAGS_max_shrink_fraction;
  // Under host pressure a guest may shrink faster, never slower.
  config->pressure_shrink_fraction =
      std::max(config->pressure_shrink_fraction, config->max_shrink_fraction);
  config->qemu_overhead_kib =
      KibFromFlag(FLAGS_qemu_overhead_mib, defaults.qemu_overhead_kib);
  config->stale_after_s = FLAGS_stale_after_seconds;
  config->exclude = *exclude;
  return Status::Ok();
}

}  // namespace vmbalance
