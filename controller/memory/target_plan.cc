#include "controller/memory/target_plan.h"

namespace vmbalance {

TargetPlan StartPlan(const std::vector<GuestView>& views) {
  TargetPlan plan;
  plan.target_kib.reserve(views.size());
  for (const GuestView& v : views) plan.target_kib.push_back(v.current_kib);
  plan.note.resize(views.size());
  return plan;
}

std::vector<BalloonChange> EmitChanges(
    const std::vector<GuestView>& views, const TargetPlan& plan,
    std::vector<GuestMemoryStatus>* statuses) {
  std::vector<BalloonChange> changes;
  for (bool grows : {false, true}) {
    for (size_t i = 0; i < views.size(); ++i) {
      const GuestView& v = views[i];
      const uint64_t target = plan.target_kib[i];
      if (target == v.current_kib || (target > v.current_kib) != grows) {
        continue;
      }
      GuestMemoryStatus& status = (*statuses)[v.domain_index];
      changes.push_back({status.uuid, status.domain, v.actual_kib, target});
      status.target_kib = target;
      status.in_flight = target != v.actual_kib;
    }
  }
  for (size_t i = 0; i < views.size(); ++i) {
    if (!plan.note[i].empty())
      (*statuses)[views[i].domain_index].note = plan.note[i];
  }
  return changes;
}

}  // namespace vmbalance
