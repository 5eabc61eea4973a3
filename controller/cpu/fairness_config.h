// FairnessConfig: the thresholds of the guests'-side judgement (do no harm):
// how the vCPU policy tells a placement the kernel already serves fairly
// from one where pins help. Plain value, each default with its reason; the
// flags fill it once at start and the policy only reads it.
#ifndef VMBALANCE_CONTROLLER_CPU_FAIRNESS_CONFIG_H_
#define VMBALANCE_CONTROLLER_CPU_FAIRNESS_CONFIG_H_

namespace vmbalance {

struct FairnessConfig {
  // Judge placements from the guests' side too. Off: per-pCPU demand sums
  // alone decide, and any imbalance above the urgent level is acted on at
  // once (the behaviour before issue 12).
  bool enabled = true;
  // A vCPU wanting at least this much of a pCPU is CPU-bound, and judged.
  // Busy loops read 0.98-1 here (run + wait). Light vCPUs are not judged:
  // under TCG a duty-0.2 vCPU reads 0.3-0.7, because each of its many
  // wake-ups waits behind a busy thread, which no placement removes.
  double busy_want = 0.8;
  // Fair: every CPU-bound vCPU runs at least this share of its max-min fair
  // due of what the guests could have had (their run time plus the idle
  // time of the usable pCPUs). The kernel's own spread among equal TCG
  // vCPUs sharing one pCPU read 20-29% each (the least ~0.8 of the mean);
  // the placements pins must undo read 0.5 (all on pCPU 0) and 0.57 (7 on
  // one pCPU, 1 on the other).
  double min_served_ratio = 0.7;
  // Stranded capacity, the one imbalance acted on at the first reading:
  // at least this much of the usable pCPUs idles (in pCPUs)...
  double stranded_idle = 0.5;
  // ...while vCPUs pinned to one pCPU wait at least this much (in pCPUs)
  // for theirs. Only pins cause that (the kernel runs a floating vCPU on
  // an idle pCPU within milliseconds), and both figures are far above the
  // noise of a one-second reading. Any other imbalance must be seen in
  // consecutive readings (VcpuPolicyConfig::imbalanced_intervals): with
  // host load stealing CPU, one reading alone can look urgent.
  double stranded_wait = 0.5;
};

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_FAIRNESS_CONFIG_H_
