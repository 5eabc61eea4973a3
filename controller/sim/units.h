// Unit helpers shared by the simulator's parts: libvirt speaks KiB, the
// scenario and the report speak MiB.
#ifndef VMBALANCE_CONTROLLER_SIM_UNITS_H_
#define VMBALANCE_CONTROLLER_SIM_UNITS_H_

#include <cstdint>

namespace vmbalance {
namespace sim {

constexpr int64_t kKibPerMib = 1024;

// Floor division, also for negative values (a shortfall stays a shortfall).
inline int64_t ToMib(int64_t kib) {
  return kib >= 0 ? kib / kKibPerMib : -((-kib + kKibPerMib - 1) / kKibPerMib);
}

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_UNITS_H_
