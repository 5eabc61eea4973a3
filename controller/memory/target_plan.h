// TargetPlan, what the phases of one memory decision have planned so far for
// each guest view (each phase takes the previous plan and returns a new one),
// and the emit phase that turns the final plan into balloon changes.
#ifndef VMBALANCE_CONTROLLER_MEMORY_TARGET_PLAN_H_
#define VMBALANCE_CONTROLLER_MEMORY_TARGET_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "controller/memory/guest_views.h"
#include "controller/memory/memory_decision.h"

namespace vmbalance {

// Indexed like the views.
struct TargetPlan {
  std::vector<uint64_t> target_kib;  // the view's current_kib when unchanged
  std::vector<std::string> note;     // what the last phase to act said
};

// Every guest stays where its balloon is heading; no notes.
TargetPlan StartPlan(const std::vector<GuestView>& views);

// The emit phase: one change per guest whose planned target differs from
// where its balloon is heading, shrinks first (memory comes back before it is
// given), each group in sample order. Writes the plan's targets and notes
// into *statuses (indexed by domain_index).
std::vector<BalloonChange> EmitChanges(
    const std::vector<GuestView>& views, const TargetPlan& plan,
    std::vector<GuestMemoryStatus>* statuses);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_MEMORY_TARGET_PLAN_H_
