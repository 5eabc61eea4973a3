#include "controller/memory/grant.h"

#include <algorithm>

namespace vmbalance {

namespace {

// The need of one guest that is low on free memory now or by the next
// decision, or under pressure (grown by at least pressure_grow_kib, all of
// it urgent: the guest is already evicting to keep its free memory up).
MemoryNeed NeedOf(const MemoryPolicyConfig& config,
                  const MemoryThresholds& limits, const GuestView& v,
                  uint64_t trigger_kib, uint64_t room_kib) {
  const bool low = v.projected_free_kib < trigger_kib;
  const uint64_t want_free =
      limits.aim_unused_kib + limits.HeadroomKib(v.rate_kib_s);
  MemoryNeed need;
  if (low) {
    need.want_kib = std::max(SatSub(want_free, v.projected_free_kib),
                             config.min_change_kib);
    need.urgent_kib = SatSub(trigger_kib, v.projected_free_kib);
  }
  if (!v.pressure.empty()) {
    need.want_kib = std::max(need.want_kib, config.pressure_grow_kib);
    need.urgent_kib = need.want_kib;
  }
  need.want_kib = std::min(room_kib, need.want_kib);
  need.urgent_kib = std::min(need.want_kib, need.urgent_kib);
  return need;
}

// What need n still lacks, given `share`, to get back above the low mark:
// its urgent part plus one minimum change (so the grant is worth a call),
// within its want.
uint64_t StarvingKib(const MemoryPolicyConfig& config, const MemoryNeed& n,
                     uint64_t share_kib) {
  if (n.urgent_kib <= share_kib) return 0;
  return SatSub(std::min(n.want_kib, n.urgent_kib + config.min_change_kib),
                share_kib);
}

}  // namespace

std::vector<MemoryNeed> FindNeeds(const MemoryPolicyConfig& config,
                                  const MemoryThresholds& limits,
                                  const std::vector<GuestView>& views,
                                  TargetPlan* plan) {
  std::vector<MemoryNeed> needs;
  for (size_t i = 0; i < views.size(); ++i) {
    const GuestView& v = views[i];
    const uint64_t trigger = config.min_unused_kib + v.expected_kib;
    if (v.projected_free_kib >= trigger && v.pressure.empty()) continue;
    const uint64_t room = SatSub(v.max_kib, v.current_kib);
    if (room == 0) {
      plan->note[i] = "needs memory but at max";
      continue;
    }
    needs.push_back(NeedOf(config, limits, v, trigger, room));
    needs.back().view = i;
  }
  std::sort(needs.begin(), needs.end(),
            [](const MemoryNeed& a, const MemoryNeed& b) {
              if (a.urgent_kib != b.urgent_kib)
                return a.urgent_kib > b.urgent_kib;
              return a.view < b.view;
            });
  return needs;
}

std::vector<uint64_t> ShareBudget(const std::vector<MemoryNeed>& needs,
                                  uint64_t budget_kib) {
  std::vector<uint64_t> share(needs.size(), 0);
  for (bool urgent_pass : {true, false}) {
    for (size_t i = 0; i < needs.size(); ++i) {
      const uint64_t goal =
          urgent_pass ? needs[i].urgent_kib : needs[i].want_kib;
      const uint64_t give = std::min(SatSub(goal, share[i]), budget_kib);
      share[i] += give;
      budget_kib -= give;
    }
  }
  return share;
}

GrantResult GrantMemory(const MemoryPolicyConfig& config,
                        const MemoryThresholds& limits,
                        const std::vector<GuestView>& views,
                        const HostBudget& budget, TargetPlan plan) {
  GrantResult result;
  const std::vector<MemoryNeed> needs = FindNeeds(config, limits, views, &plan);
  if (budget.host_short) {
    for (const MemoryNeed& n : needs) {
      plan.note[n.view] = "needs memory; host short";
      result.starving_kib += StarvingKib(config, n, 0);
    }
    result.plan = std::move(plan);
    return result;
  }
  const std::vector<uint64_t> share =
      ShareBudget(needs, budget.grant_budget_kib);
  for (size_t i = 0; i < needs.size(); ++i) {
    const MemoryNeed& n = needs[i];
    const GuestView& v = views[n.view];
    const bool reaches_max = v.current_kib + share[i] == v.max_kib;
    if (share[i] == 0 || (share[i] < config.min_change_kib && !reaches_max)) {
      result.unmet_kib += n.want_kib;
      result.starving_kib += StarvingKib(config, n, 0);
      plan.note[n.view] = "needs memory; no host budget";
      continue;
    }
    result.unmet_kib += n.want_kib - share[i];
    result.starving_kib += StarvingKib(config, n, share[i]);
    result.granted_kib += share[i];
    plan.target_kib[n.view] = v.current_kib + share[i];
    plan.note[n.view] =
        share[i] < n.want_kib ? "grow (partial: host budget)" : "grow";
    if (!v.pressure.empty()) plan.note[n.view] += " (" + v.pressure + ")";
  }
  result.plan = std::move(plan);
  return result;
}

}  // namespace vmbalance
