// Fuzzes ParseScenario, the JSON that --simulate=FILE loads. Bad input must
// be an error naming a field, never a crash or an exception; a scenario it
// accepts must keep every promise the simulator relies on (scenario.h).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "controller/sim/scenario.h"
#include "fuzz/fuzz_check.h"

namespace {

using vmbalance::sim::DomainSpec;
using vmbalance::sim::Scenario;
using vmbalance::sim::SeriesPoint;

bool Ascending(const std::vector<SeriesPoint>& series) {
  return std::is_sorted(series.begin(), series.end(),
                        [](const SeriesPoint& a, const SeriesPoint& b) {
                          return a.tick < b.tick;
                        });
}

bool Offline(const Scenario& s, int cpu) {
  return std::binary_search(s.offline_pcpus.begin(), s.offline_pcpus.end(),
                            cpu);
}

void CheckPcpus(const Scenario& s, const std::vector<int>& cpus,
                const DomainSpec& d) {
  FUZZ_CHECK(cpus.empty() || static_cast<int>(cpus.size()) == d.vcpus);
  for (int cpu : cpus) {
    FUZZ_CHECK(cpu >= 0 && cpu < s.pcpus && !Offline(s, cpu));
  }
}

void CheckDomain(const Scenario& s, const DomainSpec& d) {
  FUZZ_CHECK(!d.name.empty() && !d.uuid.empty());
  FUZZ_CHECK(d.vcpus >= 1 && static_cast<int>(d.cpu.size()) == d.vcpus);
  FUZZ_CHECK(d.memory_mib >= 1 && d.max_memory_mib >= d.memory_mib);
  CheckPcpus(s, d.pin, d);
  CheckPcpus(s, d.at, d);
  for (const std::vector<SeriesPoint>& series : d.cpu) {
    FUZZ_CHECK(Ascending(series));
    for (const SeriesPoint& p : series) {
      FUZZ_CHECK(p.value >= 0 && p.value <= 1);
    }
  }
  FUZZ_CHECK(Ascending(d.mem));
  FUZZ_CHECK(!d.stop || *d.stop > d.start);
  for (size_t i = 0; i < d.restart_at.size(); ++i) {
    FUZZ_CHECK(d.restart_at[i] > d.start);
    FUZZ_CHECK(i == 0 || d.restart_at[i] > d.restart_at[i - 1]);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const vmbalance::StatusOr<Scenario> scenario =
      vmbalance::sim::ParseScenario(text);
  if (!scenario.ok()) {
    FUZZ_CHECK(!scenario.status().message().empty());
    return 0;
  }
  const Scenario& s = *scenario;
  FUZZ_CHECK(s.pcpus >= 1 && s.pcpus <= (1 << 16));
  FUZZ_CHECK(static_cast<int>(s.offline_pcpus.size()) < s.pcpus);
  FUZZ_CHECK(std::is_sorted(s.offline_pcpus.begin(), s.offline_pcpus.end()));
  for (const auto* ticks :
       {&s.fail_take_at, &s.fail_calls_at, &s.slow_read_at}) {
    FUZZ_CHECK(std::is_sorted(ticks->begin(), ticks->end()));
  }
  FUZZ_CHECK(Ascending(s.host_holder_mib));
  std::set<std::string> names, uuids;
  for (const DomainSpec& d : s.domains) {
    CheckDomain(s, d);
    FUZZ_CHECK(names.insert(d.name).second && uuids.insert(d.uuid).second);
  }
  return 0;
}
