// Test helpers: one guest's status or balloon change in a MemoryDecision,
// found by domain name, for the memory policy's tests.
#ifndef VMBALANCE_CONTROLLER_MEMORY_DECISION_LOOKUP_H_
#define VMBALANCE_CONTROLLER_MEMORY_DECISION_LOOKUP_H_

#include <optional>
#include <string>

#include "controller/memory/memory_decision.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace testing_memory {

// The change `d` makes to `name`'s balloon, if any.
inline std::optional<BalloonChange> ChangeFor(const MemoryDecision& d,
                                              const std::string& name) {
  for (const BalloonChange& c : d.changes) {
    if (c.domain == name) return c;
  }
  return std::nullopt;
}

// `name`'s status in `d`; a test failure (and an empty status) without one.
inline const GuestMemoryStatus& StatusFor(const MemoryDecision& d,
                                          const std::string& name) {
  for (const GuestMemoryStatus& g : d.guests) {
    if (g.domain == name) return g;
  }
  static const GuestMemoryStatus kNone;
  ADD_FAILURE() << "no status for " << name;
  return kNone;
}

}  // namespace testing_memory
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_MEMORY_DECISION_LOOKUP_H_
