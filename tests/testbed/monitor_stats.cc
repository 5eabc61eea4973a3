#include "tests/testbed/monitor_stats.h"

#include <cmath>

namespace vmbalance::testbed {

int CreditedPcpu(const VcpuReading& r) {
  if (r.affinity.Size() == 1) return r.affinity.First();
  return r.last_pcpu;
}

double VcpuPercent(const VcpuReadings& prev, const VcpuKey& key,
                   const VcpuReading& cur, int64_t wall_ns) {
  const auto it = prev.find(key);
  if (it == prev.end()) return 0;
  if (cur.read_ns > 0 && it->second.read_ns > 0) {
    wall_ns = cur.read_ns - it->second.read_ns;
  }
  if (wall_ns <= 0) return 0;
  if (cur.cpu_time_ns < it->second.cpu_time_ns) return 0;  // restarted
  return 100.0 * static_cast<double>(cur.cpu_time_ns - it->second.cpu_time_ns) /
         static_cast<double>(wall_ns);
}

double VcpuWaitPercent(const VcpuReadings& prev, const VcpuKey& key,
                       const VcpuReading& cur, int64_t wall_ns) {
  const auto it = prev.find(key);
  if (it == prev.end()) return -1;
  if (cur.read_ns > 0 && it->second.read_ns > 0) {
    wall_ns = cur.read_ns - it->second.read_ns;
  }
  return CounterPercent(it->second.delay_ns, cur.delay_ns, wall_ns);
}

double CounterPercent(int64_t prev_ns, int64_t cur_ns, int64_t wall_ns) {
  if (prev_ns < 0 || cur_ns < prev_ns || wall_ns <= 0) return -1;
  return 100.0 * static_cast<double>(cur_ns - prev_ns) /
         static_cast<double>(wall_ns);
}

std::vector<double> PcpuLoadPercent(const VcpuReadings& prev,
                                    const VcpuReadings& cur, int64_t wall_ns,
                                    int pcpu_count) {
  std::vector<double> loads(pcpu_count > 0 ? pcpu_count : 0, 0.0);
  for (const auto& [key, reading] : cur) {
    const int pcpu = CreditedPcpu(reading);
    if (pcpu < 0 || pcpu >= pcpu_count) continue;
    loads[pcpu] += VcpuPercent(prev, key, reading, wall_ns);
  }
  return loads;
}

LoadSummary Summarize(const std::vector<double>& loads) {
  LoadSummary s;
  if (loads.empty()) return s;
  for (double l : loads) s.mean += l;
  s.mean /= static_cast<double>(loads.size());
  double sq = 0;
  for (double l : loads) sq += (l - s.mean) * (l - s.mean);
  s.stddev = std::sqrt(sq / static_cast<double>(loads.size()));
  s.balanced = s.stddev <= 0.05 * s.mean + 1e-9 && s.stddev <= 5.0 + 1e-9;
  return s;
}

int CountAffinityChanges(const VcpuReadings& prev, const VcpuReadings& cur) {
  int changes = 0;
  for (const auto& [key, reading] : cur) {
    const auto it = prev.find(key);
    if (it != prev.end() && it->second.affinity != reading.affinity) ++changes;
  }
  return changes;
}

}  // namespace vmbalance::testbed
