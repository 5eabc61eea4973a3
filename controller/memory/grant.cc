#include "controller/memory/grant.h"

#include <algorithm>

namespace vmbalance {

std::vector<MemoryNeed> FindNeeds(const MemoryPolicyConfig& config,
                                  const MemoryThresholds& limits,
                                  const std::vector<GuestView>& views,
                                  TargetPlan* plan) {
  std::vector<MemoryNeed> needs;
  for (size_t i = 0; i < views.size(); ++i) {
    const GuestView& v = views[i];
    const uint64_t trigger = config.min_unused_kib + v.expected_kib;
    if (v.projected_unused_kib >= trigger) continue;
    const uint64_t room = SatSub(v.max_kib, v.current_kib);
    if (room == 0) {
      plan->note[i] = "needs memory but at max";
      continue;
    }
    const uint64_t want_unused =
        limits.aim_unused_kib + limits.HeadroomKib(v.rate_kib_s);
    MemoryNeed need;
    need.view = i;
    need.want_kib =
        std::min(room, std::max(SatSub(want_unused, v.projected_unused_kib),
                                config.min_change_kib));
    need.urgent_kib =
        std::min(need.want_kib, SatSub(trigger, v.projected_unused_kib));
    needs.push_back(need);
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
    for (const MemoryNeed& n : needs)
      plan.note[n.view] = "needs memory; host short";
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
      plan.note[n.view] = "needs memory; no host budget";
      continue;
    }
    result.unmet_kib += n.want_kib - share[i];
    result.granted_kib += share[i];
    plan.target_kib[n.view] = v.current_kib + share[i];
    plan.note[n.view] =
        share[i] < n.want_kib ? "grow (partial: host budget)" : "grow";
  }
  result.plan = std::move(plan);
  return result;
}

}  // namespace vmbalance
