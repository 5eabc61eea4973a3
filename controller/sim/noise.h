// UnitNoise: the simulator's one source of randomness, a stateless hash of
// (seed, domain, vCPU, tick) to [-1, 1]. It never depends on call order,
// which is what keeps runs reproducible bit for bit.
#ifndef VMBALANCE_CONTROLLER_SIM_NOISE_H_
#define VMBALANCE_CONTROLLER_SIM_NOISE_H_

#include <cstdint>

namespace vmbalance {
namespace sim {

// splitmix64 finalisation of the packed inputs, scaled to [-1, 1].
inline double UnitNoise(uint64_t seed, uint64_t domain, uint64_t vcpu,
                        int64_t tick) {
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL ^ (domain << 40) ^ (vcpu << 20) ^
               static_cast<uint64_t>(tick);
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return (x >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_NOISE_H_
