#include "exporter/core/derive.h"

#include <cmath>

#include "gtest/gtest.h"

namespace vmbalance {
namespace {

constexpr int64_t kSecond = 1000000000;

VcpuSample Vcpu(int index, uint64_t time_ns, int pcpu, CpuSet affinity,
                std::optional<uint64_t> delay_ns = std::nullopt) {
  VcpuSample vcpu;
  vcpu.index = index;
  vcpu.cpu_time_ns = time_ns;
  vcpu.delay_ns = delay_ns;
  vcpu.pcpu = pcpu;
  vcpu.affinity = affinity;
  return vcpu;
}

DomainSample Domain(std::string uuid, int id, std::vector<VcpuSample> vcpus) {
  DomainSample domain;
  domain.uuid = uuid;
  domain.name = "vm-" + uuid;
  domain.id = id;
  domain.state = DomainState::kRunning;
  domain.vcpus = std::move(vcpus);
  return domain;
}

Sample HostWith(int64_t at_ns, int pcpus, std::vector<DomainSample> domains) {
  Sample sample;
  sample.monotonic_ns = at_ns;
  sample.host.pcpu_count = pcpus;
  sample.host.online_pcpus = CpuSet::Range(0, pcpus - 1);
  sample.domains = std::move(domains);
  return sample;
}

const VcpuUsage& VcpuOf(const Usage& usage, const std::string& uuid,
                        int index) {
  for (const DomainUsage& domain : usage.domains) {
    if (domain.uuid != uuid) continue;
    for (const VcpuUsage& vcpu : domain.vcpus) {
      if (vcpu.index == index) return vcpu;
    }
  }
  ADD_FAILURE() << "no vcpu " << uuid << "/" << index;
  static const VcpuUsage kNone;
  return kNone;
}

TEST(DeriveTest, FirstSampleHasNoRatesAndZeroLoad) {
  const Sample now = HostWith(
      5 * kSecond, 2, {Domain("a", 1, {Vcpu(0, 7 * kSecond, 1, {0, 1})})});
  const Usage usage = Derive(nullptr, now);
  EXPECT_EQ(usage.interval_s, 0);
  ASSERT_EQ(usage.domains.size(), 1u);
  const VcpuUsage& vcpu = VcpuOf(usage, "a", 0);
  EXPECT_FALSE(vcpu.valid);
  EXPECT_EQ(vcpu.utilization, 0);
  EXPECT_EQ(vcpu.pcpu, 1);
  EXPECT_EQ(usage.pcpu_load, (std::vector<double>{0, 0}));
  EXPECT_EQ(usage.load_mean, 0);
  EXPECT_EQ(usage.load_stddev, 0);
}

TEST(DeriveTest, UtilizationDemandAndLoad) {
  // a/0 pinned to pCPU 0 (but last ran on 1): counts on 0. b/0 unpinned, last
  // ran on 1: counts on 1.
  const Sample then =
      HostWith(0, 2,
               {Domain("a", 1, {Vcpu(0, 10 * kSecond, 1, {0}, 1 * kSecond)}),
                Domain("b", 2, {Vcpu(0, 0, 1, {0, 1})})});
  const Sample now = HostWith(
      2 * kSecond, 2,
      {Domain("a", 1,
              {Vcpu(0, 11 * kSecond, 1, {0}, 1 * kSecond + kSecond / 2)}),
       Domain("b", 2, {Vcpu(0, kSecond / 2, 1, {0, 1})})});
  const Usage usage = Derive(&then, now);
  EXPECT_DOUBLE_EQ(usage.interval_s, 2.0);
  const VcpuUsage& a = VcpuOf(usage, "a", 0);
  EXPECT_TRUE(a.valid);
  EXPECT_TRUE(a.has_delay);
  EXPECT_DOUBLE_EQ(a.utilization, 0.5);
  EXPECT_DOUBLE_EQ(a.runnable, 0.75);
  EXPECT_DOUBLE_EQ(a.demand, 2.0 / 3);  // ran 1 s of the 1.5 s not waiting
  EXPECT_EQ(a.pcpu, 0);
  const VcpuUsage& b = VcpuOf(usage, "b", 0);
  EXPECT_TRUE(b.valid);
  EXPECT_FALSE(b.has_delay);
  EXPECT_DOUBLE_EQ(b.utilization, 0.25);
  EXPECT_DOUBLE_EQ(b.demand, 0.25);  // no delay figure: demand = utilization
  EXPECT_EQ(b.pcpu, 1);
  ASSERT_EQ(usage.pcpu_load.size(), 2u);
  EXPECT_DOUBLE_EQ(usage.pcpu_load[0], 0.5);
  EXPECT_DOUBLE_EQ(usage.pcpu_load[1], 0.25);
  EXPECT_DOUBLE_EQ(usage.load_mean, 0.375);
  EXPECT_DOUBLE_EQ(usage.load_stddev, 0.125);
  EXPECT_DOUBLE_EQ(usage.pcpu_demand[0], 2.0 / 3);
  EXPECT_DOUBLE_EQ(usage.pcpu_demand[1], 0.25);
  EXPECT_DOUBLE_EQ(usage.demand_mean, (2.0 / 3 + 0.25) / 2);
  EXPECT_DOUBLE_EQ(usage.demand_stddev, (2.0 / 3 - 0.25) / 2);
}

TEST(DeriveTest, DemandIsTheSameWhereverAVcpuWaits) {
  // One vCPU that needs 30% of a pCPU: alone it runs 0.3 s of 1 s; sharing
  // a pCPU it runs 0.15 s and its work takes twice as long (waits 0.5 s);
  // starved it runs 0.03 s and waits 0.9 s. Busy vCPUs: 1 s, or 1/7 s with
  // 6/7 s waiting (7 on one pCPU). A vCPU that only waited wants a whole pCPU.
  struct Case {
    double time_s, delay_s, demand;
  };
  for (const Case& c :
       {Case{0.3, 0, 0.3}, Case{0.15, 0.5, 0.3}, Case{0.03, 0.9, 0.3},
        Case{1, 0, 1}, Case{1.0 / 7, 6.0 / 7, 1}, Case{0, 0.999, 1},
        Case{0, 0, 0}}) {
    const Sample then =
        HostWith(0, 1, {Domain("a", 1, {Vcpu(0, 0, 0, {0}, uint64_t{0})})});
    const Sample now =
        HostWith(kSecond, 1,
                 {Domain("a", 1,
                         {Vcpu(0, std::llround(c.time_s * kSecond), 0, {0},
                               std::llround(c.delay_s * kSecond))})});
    const Usage usage = Derive(&then, now);
    const VcpuUsage& vcpu = usage.domains[0].vcpus[0];
    EXPECT_NEAR(vcpu.demand, c.demand, 1e-6) << c.time_s << " " << c.delay_s;
    EXPECT_NEAR(vcpu.utilization, c.time_s, 1e-6);
    EXPECT_NEAR(vcpu.runnable, c.time_s + c.delay_s, 1e-6);
  }
}

TEST(DeriveTest, CounterResetInvalidatesThatVcpu) {
  const Sample then = HostWith(
      0, 1,
      {Domain("a", 1,
              {Vcpu(0, 9 * kSecond, 0, {0}), Vcpu(1, kSecond, 0, {0})})});
  const Sample now = HostWith(
      kSecond, 1,
      {Domain("a", 1,
              {Vcpu(0, kSecond, 0, {0}), Vcpu(1, 2 * kSecond, 0, {0})})});
  const Usage usage = Derive(&then, now);
  EXPECT_FALSE(VcpuOf(usage, "a", 0).valid);
  EXPECT_EQ(VcpuOf(usage, "a", 0).utilization, 0);
  EXPECT_TRUE(VcpuOf(usage, "a", 1).valid);
  EXPECT_DOUBLE_EQ(usage.pcpu_load[0], 1.0);  // only the valid vCPU counts
}

TEST(DeriveTest, DelayResetInvalidates) {
  const Sample then =
      HostWith(0, 1, {Domain("a", 1, {Vcpu(0, 0, 0, {0}, 5 * kSecond)})});
  const Sample now =
      HostWith(kSecond, 1, {Domain("a", 1, {Vcpu(0, kSecond, 0, {0}, 0)})});
  EXPECT_FALSE(VcpuOf(Derive(&then, now), "a", 0).valid);
}

TEST(DeriveTest, RestartWithNewIdInvalidatesEvenIfCountersGrew) {
  const Sample then =
      HostWith(0, 1, {Domain("a", 1, {Vcpu(0, kSecond, 0, {0})})});
  const Sample now =
      HostWith(kSecond, 1, {Domain("a", 7, {Vcpu(0, 2 * kSecond, 0, {0})})});
  const Usage usage = Derive(&then, now);
  EXPECT_FALSE(VcpuOf(usage, "a", 0).valid);
  EXPECT_EQ(usage.pcpu_load[0], 0);
}

TEST(DeriveTest, HotPluggedVcpuIsInvalidOthersStayValid) {
  const Sample then = HostWith(0, 2, {Domain("a", 1, {Vcpu(0, 0, 0, {0})})});
  const Sample now = HostWith(
      kSecond, 2,
      {Domain("a", 1,
              {Vcpu(0, kSecond / 2, 0, {0}), Vcpu(1, kSecond, 1, {1})})});
  const Usage usage = Derive(&then, now);
  EXPECT_TRUE(VcpuOf(usage, "a", 0).valid);
  EXPECT_FALSE(VcpuOf(usage, "a", 1).valid);
  EXPECT_DOUBLE_EQ(usage.pcpu_load[0], 0.5);
  EXPECT_EQ(usage.pcpu_load[1], 0);
}

TEST(DeriveTest, MatchesByUuidNotPosition) {
  // "b" vanishes and "c" appears between a and d: list positions shift.
  const Sample then = HostWith(0, 2,
                               {Domain("a", 1, {Vcpu(0, 0, 0, {0})}),
                                Domain("b", 2, {Vcpu(0, 0, 1, {1})}),
                                Domain("d", 4, {Vcpu(0, 0, 1, {1})})});
  const Sample now = HostWith(kSecond, 2,
                              {Domain("a", 1, {Vcpu(0, kSecond / 4, 0, {0})}),
                               Domain("c", 3, {Vcpu(0, 50 * kSecond, 1, {1})}),
                               Domain("d", 4, {Vcpu(0, kSecond / 2, 1, {1})})});
  const Usage usage = Derive(&then, now);
  ASSERT_EQ(usage.domains.size(), 3u);
  EXPECT_EQ(usage.domains[0].uuid, "a");
  EXPECT_EQ(usage.domains[1].uuid, "c");
  EXPECT_EQ(usage.domains[2].uuid, "d");
  EXPECT_DOUBLE_EQ(VcpuOf(usage, "a", 0).utilization, 0.25);
  EXPECT_FALSE(VcpuOf(usage, "c", 0).valid);  // appeared
  EXPECT_DOUBLE_EQ(VcpuOf(usage, "d", 0).utilization, 0.5);
  EXPECT_DOUBLE_EQ(usage.pcpu_load[1], 0.5);  // the new domain adds nothing
}

TEST(DeriveTest, WindowErrorIsTheMeanReadSpanOverTheInterval) {
  // Counters read over 0.2 s, then 0.6 s, stamped in the middle: a domain
  // read first then last had a window 0.4 s longer than the 2 s between the
  // stamps (and one read last then first, 0.4 s shorter).
  Sample then = HostWith(0, 1, {Domain("a", 1, {Vcpu(0, 0, 0, {0})})});
  then.vcpu_read_span_ns = kSecond / 5;
  Sample now =
      HostWith(2 * kSecond, 1, {Domain("a", 1, {Vcpu(0, kSecond, 0, {0})})});
  now.vcpu_read_span_ns = 3 * kSecond / 5;
  EXPECT_DOUBLE_EQ(Derive(&then, now).window_error, 0.2);
  // Read in the same order, a domain's window moves by at most half the
  // change of span: 0.2 s of 2 s.
  EXPECT_DOUBLE_EQ(Derive(&then, now).window_skew, 0.1);
  EXPECT_EQ(Derive(nullptr, now).window_error, 0);
  then.vcpu_read_span_ns = now.vcpu_read_span_ns;
  EXPECT_DOUBLE_EQ(Derive(&then, now).window_error, 0.3);
  EXPECT_EQ(Derive(&then, now).window_skew, 0);
  then.vcpu_read_span_ns = now.vcpu_read_span_ns = 0;
  EXPECT_EQ(Derive(&then, now).window_error, 0);
}

TEST(DeriveTest, NonPositiveIntervalGivesNoRates) {
  const Sample then =
      HostWith(5 * kSecond, 1, {Domain("a", 1, {Vcpu(0, 0, 0, {0})})});
  const Sample now =
      HostWith(5 * kSecond, 1, {Domain("a", 1, {Vcpu(0, kSecond, 0, {0})})});
  const Usage usage = Derive(&then, now);
  EXPECT_EQ(usage.interval_s, 0);
  EXPECT_FALSE(VcpuOf(usage, "a", 0).valid);
  EXPECT_FALSE(std::isnan(usage.load_mean));
}

TEST(DeriveTest, WideAffinityAndHighPcpuNumbers) {
  // 200 pCPUs: a vCPU pinned to pCPU 130 alone, another allowed on 64-199
  // that last ran on 199.
  const CpuSet wide = CpuSet::Range(64, 199);
  const Sample then = HostWith(
      0, 200, {Domain("a", 1, {Vcpu(0, 0, 3, {130}), Vcpu(1, 0, 199, wide)})});
  const Sample now = HostWith(
      kSecond, 200,
      {Domain("a", 1,
              {Vcpu(0, kSecond, 3, {130}), Vcpu(1, kSecond / 2, 199, wide)})});
  const Usage usage = Derive(&then, now);
  ASSERT_EQ(usage.pcpu_load.size(), 200u);
  EXPECT_DOUBLE_EQ(usage.pcpu_load[130], 1.0);
  EXPECT_DOUBLE_EQ(usage.pcpu_load[199], 0.5);
  EXPECT_EQ(usage.pcpu_load[3], 0);
  EXPECT_EQ(VcpuOf(usage, "a", 1).affinity, wide);
  EXPECT_DOUBLE_EQ(usage.load_mean, 1.5 / 200);
}

TEST(DeriveTest, OfflinePcpusStayZeroAndAreLeftOutOfMeanAndStddev) {
  // pCPUs 0-3 exist, 1 is offline. A vCPU pinned to offline pCPU 1 (stale
  // data) must not add load there.
  Sample then = HostWith(0, 4,
                         {Domain("a", 1,
                                 {Vcpu(0, 0, 0, {0}), Vcpu(1, 0, 1, {1}),
                                  Vcpu(2, 0, 2, {2}), Vcpu(3, 0, 3, {3})})});
  Sample now =
      HostWith(kSecond, 4,
               {Domain("a", 1,
                       {Vcpu(0, kSecond, 0, {0}), Vcpu(1, kSecond, 1, {1}),
                        Vcpu(2, kSecond, 2, {2}), Vcpu(3, 0, 3, {3})})});
  then.host.online_pcpus = now.host.online_pcpus = CpuSet{0, 2, 3};
  const Usage usage = Derive(&then, now);
  EXPECT_EQ(usage.pcpu_load, (std::vector<double>{1, 0, 1, 0}));
  EXPECT_DOUBLE_EQ(usage.load_mean, 2.0 / 3);
  EXPECT_DOUBLE_EQ(usage.load_stddev, std::sqrt(2.0) / 3);
}

TEST(DeriveTest, UnknownPcpuIsNotCounted) {
  const Sample then =
      HostWith(0, 2, {Domain("a", 1, {Vcpu(0, 0, -1, {0, 1})})});
  const Sample now =
      HostWith(kSecond, 2, {Domain("a", 1, {Vcpu(0, kSecond, -1, {0, 1})})});
  const Usage usage = Derive(&then, now);
  EXPECT_TRUE(VcpuOf(usage, "a", 0).valid);
  EXPECT_EQ(usage.pcpu_load, (std::vector<double>{0, 0}));
}

TEST(DeriveTest, HostBusyRatioFromPcpuCounters) {
  Sample then = HostWith(0, 2, {});
  Sample now = HostWith(kSecond, 2, {});
  then.host.pcpus = {{0, 100, 100}, {1, 500, 0}};
  now.host.pcpus = {{0, 400, 200}, {1, 400, 100}};  // pCPU 1 went backwards
  const Usage usage = Derive(&then, now);
  ASSERT_EQ(usage.pcpu_busy_ratio.size(), 2u);
  EXPECT_DOUBLE_EQ(usage.pcpu_busy_ratio[0], 0.75);
  EXPECT_EQ(usage.pcpu_busy_ratio[1], -1);
  EXPECT_EQ(Derive(nullptr, now).pcpu_busy_ratio,
            (std::vector<double>{-1, -1}));
}

TEST(DeriveTest, MissingOnlineSetMeansAllPcpusOnline) {
  Sample then = HostWith(0, 2, {Domain("a", 1, {Vcpu(0, 0, 1, {1})})});
  Sample now =
      HostWith(kSecond, 2, {Domain("a", 1, {Vcpu(0, kSecond, 1, {1})})});
  then.host.online_pcpus = now.host.online_pcpus = CpuSet();
  const Usage usage = Derive(&then, now);
  EXPECT_EQ(usage.online_pcpus, (CpuSet{0, 1}));
  EXPECT_DOUBLE_EQ(usage.load_mean, 0.5);
}

}  // namespace
}  // namespace vmbalance
