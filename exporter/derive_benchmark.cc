// Cost of one exporter tick for N synthetic domains (2 vCPUs each, 64 pCPUs):
// derive alone, metrics build + text serialization alone, and the whole
// observe (sample copy, derive, publish) + scrape path.
//   bazel run -c opt //exporter:derive_benchmark
#include <sstream>
#include <string>

#include "benchmark/benchmark.h"
#include "exporter/core/derive.h"
#include "exporter/metrics/metrics_collector.h"
#include "exporter/observer.h"
#include "prometheus/text_serializer.h"

namespace vmbalance {
namespace {

constexpr int kPcpus = 64;
constexpr int kVcpusPerDomain = 2;

Sample SyntheticSample(int domains, int tick) {
  Sample sample;
  sample.monotonic_ns = static_cast<int64_t>(tick) * 1000000000;
  sample.wall_time_s = 1700000000 + tick;
  sample.host.pcpu_count = kPcpus;
  sample.host.online_pcpus = CpuSet::Range(0, kPcpus - 1);
  sample.host.memory_total_kib = 64ull << 20;
  sample.host.memory_free_kib = 16ull << 20;
  sample.domains.reserve(domains);
  for (int d = 0; d < domains; ++d) {
    DomainSample& domain = sample.domains.emplace_back();
    char uuid[37];
    std::snprintf(uuid, sizeof(uuid), "00000000-0000-0000-0000-%012d", d);
    domain.uuid = uuid;
    domain.name = "guest-" + std::to_string(d);
    domain.id = d + 1;
    domain.state = DomainState::kRunning;
    domain.max_memory_kib = 2 << 20;
    for (int v = 0; v < kVcpusPerDomain; ++v) {
      VcpuSample& vcpu = domain.vcpus.emplace_back();
      vcpu.index = v;
      vcpu.cpu_time_ns = static_cast<uint64_t>(tick) * (1 + d % 7) * 100000000;
      vcpu.delay_ns = vcpu.cpu_time_ns / 3;
      vcpu.pcpu = (d * kVcpusPerDomain + v + tick) % kPcpus;
      vcpu.affinity =
          d % 2 == 0 ? CpuSet{vcpu.pcpu} : CpuSet::Range(0, kPcpus - 1);
    }
    domain.balloon.actual_kib = 1 << 20;
    domain.balloon.maximum_kib = 2 << 20;
    domain.balloon.unused_kib = 300 << 10;
    domain.balloon.available_kib = 900 << 10;
    domain.balloon.usable_kib = 500 << 10;
    domain.balloon.rss_kib = 1100 << 10;
    domain.balloon.last_update_s = sample.wall_time_s;
  }
  return sample;
}

class SyntheticHypervisor : public Hypervisor {
 public:
  explicit SyntheticHypervisor(int domains) : domains_(domains) {}
  StatusOr<Sample> Take() override {
    return SyntheticSample(domains_, ++tick_);
  }
  Status PinVcpu(const DomainKey&, int, const CpuSet&) override { return {}; }
  Status SetMemory(const DomainKey&, uint64_t) override { return {}; }
  std::string Describe() const override { return "synthetic"; }

 private:
  int domains_;
  int tick_ = 0;
};

void BM_Derive(benchmark::State& state) {
  const Sample previous = SyntheticSample(state.range(0), 1);
  const Sample current = SyntheticSample(state.range(0), 2);
  for (auto _ : state) benchmark::DoNotOptimize(Derive(&previous, current));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_BuildFamilies(benchmark::State& state) {
  const Sample previous = SyntheticSample(state.range(0), 1);
  Snapshot snapshot;
  snapshot.libvirt_up = true;
  snapshot.sample = SyntheticSample(state.range(0), 2);
  snapshot.usage = Derive(&previous, *snapshot.sample);
  for (auto _ : state) benchmark::DoNotOptimize(BuildMetricFamilies(snapshot));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_CollectAndSerialize(benchmark::State& state) {
  const Sample previous = SyntheticSample(state.range(0), 1);
  Snapshot snapshot;
  snapshot.libvirt_up = true;
  snapshot.sample = SyntheticSample(state.range(0), 2);
  snapshot.usage = Derive(&previous, *snapshot.sample);
  size_t bytes = 0;
  for (auto _ : state) {
    std::ostringstream text;
    prometheus::TextSerializer().Serialize(text, BuildMetricFamilies(snapshot));
    bytes = text.str().size();
  }
  state.counters["exposition_bytes"] = bytes;
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// Take (synthetic, includes building the Sample) -> derive -> publish ->
// Collect -> serialize: what one interval plus one scrape costs.
void BM_TickAndScrape(benchmark::State& state) {
  SyntheticHypervisor hypervisor(state.range(0));
  auto metrics = std::make_shared<MetricsCollector>();
  Observer observer(&hypervisor, metrics);
  observer.Tick();
  for (auto _ : state) {
    benchmark::DoNotOptimize(observer.Tick());
    std::ostringstream text;
    prometheus::TextSerializer().Serialize(text, metrics->Collect());
    benchmark::DoNotOptimize(text.str().size());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_Derive)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(BM_BuildFamilies)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(BM_CollectAndSerialize)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(BM_TickAndScrape)->Arg(10)->Arg(100)->Arg(1000);

}  // namespace
}  // namespace vmbalance
