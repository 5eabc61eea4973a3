// Helpers shared by the simulator's facade tests: scenarios from text or
// from testdata/, a Take() that must succeed, a domain of a sample by name.
#ifndef VMBALANCE_CONTROLLER_SIM_SIM_TEST_UTIL_H_
#define VMBALANCE_CONTROLLER_SIM_SIM_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>

#include "controller/sim/simulator.h"

namespace vmbalance {
namespace sim {

constexpr uint64_t kMib = 1024;

inline Scenario Parse(const std::string& text) {
  StatusOr<Scenario> s = ParseScenario(text);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : Scenario();
}

inline Scenario Load(const std::string& name) {
  StatusOr<Scenario> s = LoadScenario("controller/sim/testdata/" + name);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : Scenario();
}

inline Sample MustTake(Simulator& sim) {
  StatusOr<Sample> s = sim.Take();
  EXPECT_TRUE(s.ok());
  return s.ok() ? *s : Sample();
}

inline const DomainSample* Find(const Sample& s, const std::string& name) {
  for (const DomainSample& d : s.domains) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_SIM_TEST_UTIL_H_
