// Sensor: what libvirt would show of the World at the end of a tick, as a
// Sample. Counters are read one domain after another across a read span
// (a slow read stalls early), cpu time moves in scheduler quanta, an
// unpinned vCPU's last-ran pCPU hops as on real hosts, host free memory
// never reads below 0, and a guest's balloon statistics come from its
// driver: none without one, the last report of each stats period
// (Scenario::stats_period_s), frozen once its driver stops updating them.
// A hung domain (Faults::Hung) is listed kTimedOut, with only what does not
// need its QEMU when the hang is partial, and counted in Sample::errors.
// Keeps the last statistics each guest reported. Not thread-safe.
#ifndef VMBALANCE_CONTROLLER_SIM_SENSOR_H_
#define VMBALANCE_CONTROLLER_SIM_SENSOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "controller/sim/faults.h"
#include "controller/sim/world.h"
#include "exporter/core/sample.h"

namespace vmbalance {
namespace sim {

class Sensor {
 public:
  // `scenario` must outlive the Sensor.
  explicit Sensor(const Scenario* scenario);

  // The sample taken at the end of tick `tick` (after World::Advance).
  // `frozen` receives the names of guests whose statistics in it are
  // frozen (repeated from an earlier sample).
  Sample Read(const World& world, const Faults& faults, int64_t tick,
              std::vector<std::string>* frozen);

 private:
  // Statistics as a guest last reported them, per qemu process.
  struct LastReport {
    int64_t process = 0;
    BalloonSample stats;
    int64_t period = -1;  // ReportPeriod of the report
  };

  HostSample ReadHost(const World& world) const;
  VcpuSample ReadVcpu(const World& world, size_t domain, int vcpu, int64_t tick,
                      double read_offset_ns) const;
  // What a hung domain's sample carries (see HangSpec::partial).
  void ReadHung(const World& world, size_t domain, int64_t tick,
                DomainSample* ds) const;
  BalloonSample ReadBalloon(const World& world, const Faults& faults,
                            size_t domain, int64_t tick, int64_t wall_time_s,
                            bool* frozen);
  // Which of the guest's reports a sample at the end of tick `tick` shows.
  int64_t ReportPeriod(const World& world, int64_t tick) const;
  // The pCPU a sample reports a vCPU last ran on (see last_ran_jitter).
  int ReportedPcpu(const World& world, size_t domain, int vcpu,
                   int64_t tick) const;

  // Counters never go back: with read jitter a vCPU read late in one sample
  // and early in the next would otherwise show less time than before.
  struct LastCounters {
    int64_t process = 0;
    std::vector<std::pair<uint64_t, uint64_t>> cpu_delay_ns;  // per vCPU
  };
  void KeepMonotonic(const World& world, size_t domain, VcpuSample* v) const;

  const Scenario* scenario_;
  std::vector<LastReport> last_reports_;  // parallel to scenario_->domains
  mutable std::vector<LastCounters> last_counters_;  // parallel, too
};

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_SENSOR_H_
