// Derive: turns two consecutive Samples into rates (Usage). A pure function:
// no clocks, no I/O, safe to call from any thread.
#ifndef VMBALANCE_EXPORTER_CORE_DERIVE_H_
#define VMBALANCE_EXPORTER_CORE_DERIVE_H_

#include "exporter/core/sample.h"
#include "exporter/core/usage.h"

namespace vmbalance {

// Per-vCPU utilisation (Δcpu_time/Δwall), demand (Δcpu_time/(Δwall-Δdelay):
// what it would use if it never waited; see VcpuUsage::demand) and runnable
// share ((Δcpu_time+Δdelay)/Δwall, for plausibility); per-pCPU load
// (utilisation summed where each vCPU is attributed: its pCPU when pinned to
// exactly one, else where it last ran) with mean and population std-dev over
// online pCPUs, and the same for demand; and how far the read window may be
// off (Usage::window_error, window_skew) from the samples' read spans.
//
// `previous` may be null (first sample). Domains are matched by UUID, vCPUs by
// index. A vCPU's rates are invalid (0, valid=false) without a usable previous
// reading: no previous sample, new domain, restart (same UUID, new id),
// hot-plugged vCPU, counter decrease, or non-positive Δwall. Invalid vCPUs add
// nothing to the pCPU figures.
//
// When the host gives no online set, pCPUs [0, pcpu_count) count as online.
Usage Derive(const Sample* previous, const Sample& current);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_CORE_DERIVE_H_
