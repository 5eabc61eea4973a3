#include "exporter/metrics/metrics_collector.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "exporter/core/derive.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/check_names.h"
#include "prometheus/text_serializer.h"

namespace vmbalance {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kSecond = 1000000000;

Sample MakeSample(int64_t at_ns, uint64_t cpu_ns) {
  Sample sample;
  sample.monotonic_ns = at_ns;
  sample.wall_time_s = 1700000000;
  sample.vcpu_read_span_ns = 50000000;
  sample.host.pcpu_count = 4;
  sample.host.online_pcpus = CpuSet::Range(0, 3);
  sample.host.memory_total_kib = 8 * 1024 * 1024;
  sample.host.memory_free_kib = 2 * 1024 * 1024;
  sample.host.memory_available_kib = 1024 * 1024;
  DomainSample web;
  web.uuid = "11111111-2222-3333-4444-555555555555";
  web.name = "web";
  web.id = 3;
  web.max_memory_kib = 2097152;
  VcpuSample vcpu0;
  vcpu0.index = 0;
  vcpu0.cpu_time_ns = cpu_ns;
  vcpu0.delay_ns = cpu_ns / 2;
  vcpu0.pcpu = 2;
  vcpu0.affinity = CpuSet::Range(0, 3);
  VcpuSample vcpu1 = vcpu0;
  vcpu1.index = 1;
  vcpu1.pcpu = 1;
  vcpu1.delay_ns.reset();
  vcpu1.affinity = CpuSet{1};
  web.vcpus = {vcpu0, vcpu1};
  web.balloon.actual_kib = 524288;
  web.balloon.unused_kib = 102400;
  web.balloon.last_update_s = 1699999999;
  web.balloon.disk_caches_kib = 204800;
  web.balloon.major_faults = 42;
  web.balloon.swap_in_kib = 3;
  web.balloon.swap_out_kib = 5;
  DomainSample bare;  // no balloon driver, no vCPU data
  bare.uuid = "99999999-0000-0000-0000-000000000000";
  bare.name = "bare";
  bare.id = 4;
  sample.domains = {web, bare};
  return sample;
}

Snapshot FullSnapshot() {
  Snapshot snapshot;
  const Sample then = MakeSample(0, 0);
  snapshot.libvirt_up = true;
  snapshot.sample = MakeSample(2 * kSecond, kSecond);
  snapshot.usage = Derive(&then, *snapshot.sample);
  snapshot.sample_duration_seconds = 0.25;
  snapshot.sample_errors_total = 3;
  return snapshot;
}

// FullSnapshot with what the Observer follows per domain: "bare" missed
// the deadline 4 times and is unreadable now, and restarted once.
Snapshot WithHealth(Snapshot snapshot) {
  snapshot.health = {
      {"11111111-2222-3333-4444-555555555555", "web", true, 0, 0},
      {"99999999-0000-0000-0000-000000000000", "bare", false, 4, 1}};
  return snapshot;
}

std::string Exposition(const std::vector<prometheus::MetricFamily>& families) {
  std::ostringstream text;
  prometheus::TextSerializer().Serialize(text, families);
  return text.str();
}

TEST(MetricsCollectorTest, ExpositionHasTheExpectedLines) {
  const std::string text = Exposition(BuildMetricFamilies(FullSnapshot()));
  const std::string web =
      "domain=\"web\",uuid=\"11111111-2222-3333-4444-555555555555\"";
  for (const std::string& line : std::vector<std::string>{
           "libvirt_up 1\n",
           "libvirt_domain_vcpu_time_seconds_total{" + web + ",vcpu=\"0\"} 1\n",
           "libvirt_domain_vcpu_delay_seconds_total{" + web +
               ",vcpu=\"0\"} 0.5\n",
           "libvirt_domain_vcpu_pcpu{" + web + ",vcpu=\"1\"} 1\n",
           "libvirt_domain_vcpu_affinity_info{" + web +
               ",vcpu=\"0\",cpuset=\"0-3\"} 1\n",
           "libvirt_domain_memory_actual_bytes{" + web + "} 536870912\n",
           "libvirt_domain_memory_maximum_bytes{" + web + "} 2147483648\n",
           "libvirt_domain_memory_unused_bytes{" + web + "} 104857600\n",
           "libvirt_domain_memory_stats_last_update_timestamp_seconds{" + web +
               "} 1699999999\n",
           "libvirt_node_memory_total_bytes 8589934592\n",
           "libvirt_node_memory_free_bytes 2147483648\n",
           "vmbalance_host_memory_available_bytes 1073741824\n",
           "libvirt_domain_memory_disk_caches_bytes{" + web + "} 209715200\n",
           "libvirt_domain_memory_major_faults_total{" + web + "} 42\n",
           "libvirt_domain_memory_swap_in_bytes_total{" + web + "} 3072\n",
           "libvirt_domain_memory_swap_out_bytes_total{" + web + "} 5120\n",
           "# TYPE libvirt_domain_memory_major_faults_total counter\n",
           "# TYPE libvirt_domain_memory_swap_in_bytes_total counter\n",
           "# TYPE libvirt_domain_memory_swap_out_bytes_total counter\n",
           "vmbalance_vcpu_utilization_ratio{" + web + ",vcpu=\"0\"} 0.5\n",
           "vmbalance_vcpu_demand_ratio{" + web +
               ",vcpu=\"0\"} 0.6666666666666666\n",
           "vmbalance_pcpu_load_ratio{pcpu=\"1\"} 0.5\n",
           "vmbalance_pcpu_load_ratio{pcpu=\"2\"} 0.5\n",
           "vmbalance_pcpu_load_ratio{pcpu=\"3\"} 0\n",
           "vmbalance_pcpu_load_mean_ratio 0.25\n",
           "vmbalance_pcpu_load_stddev_ratio 0.25\n",
           "vmbalance_sample_duration_seconds 0.25\n",
           "vmbalance_sample_vcpu_read_seconds 0.05\n",
           "vmbalance_sample_errors_total 3\n",
           "# TYPE vmbalance_sample_errors_total counter\n",
           "# HELP libvirt_up ",
       }) {
    EXPECT_THAT(text, HasSubstr(line));
  }
  // Only present figures: no delay for vCPU 1, no memory series for "bare".
  EXPECT_THAT(text,
              Not(HasSubstr("delay_seconds_total{" + web + ",vcpu=\"1\"}")));
  EXPECT_THAT(text, Not(HasSubstr("domain=\"bare\"")));
  EXPECT_THAT(text, Not(HasSubstr("libvirt_domain_memory_rss_bytes")));
}

TEST(MetricsCollectorTest, DomainHealthForEveryDomainZerosIncluded) {
  const std::string text =
      Exposition(BuildMetricFamilies(WithHealth(FullSnapshot())));
  const std::string web =
      "{domain=\"web\",uuid=\"11111111-2222-3333-4444-555555555555\"} ";
  const std::string bare =
      "{domain=\"bare\",uuid=\"99999999-0000-0000-0000-000000000000\"} ";
  EXPECT_THAT(text, HasSubstr("vmbalance_domain_readable" + web + "1\n"));
  EXPECT_THAT(text, HasSubstr("vmbalance_domain_readable" + bare + "0\n"));
  EXPECT_THAT(text,
              HasSubstr("vmbalance_domain_read_timeouts_total" + web + "0\n"));
  EXPECT_THAT(text,
              HasSubstr("vmbalance_domain_read_timeouts_total" + bare + "4\n"));
  EXPECT_THAT(text,
              HasSubstr("vmbalance_domain_restarts_total" + bare + "1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE vmbalance_domain_read_timeouts_total "
                              "counter\n"));
}

TEST(MetricsCollectorTest, EveryNameAndLabelIsValidAndHasHelp) {
  const auto families = BuildMetricFamilies(FullSnapshot());
  EXPECT_GE(families.size(), 20u);
  for (const prometheus::MetricFamily& family : families) {
    EXPECT_TRUE(prometheus::CheckMetricName(family.name)) << family.name;
    EXPECT_FALSE(family.help.empty()) << family.name;
    EXPECT_FALSE(family.metric.empty()) << family.name;
    for (const prometheus::ClientMetric& metric : family.metric) {
      for (const auto& label : metric.label) {
        EXPECT_TRUE(prometheus::CheckLabelName(label.name))
            << family.name << " " << label.name;
      }
    }
  }
}

TEST(MetricsCollectorTest, HostAvailableOnlyWhenKnown) {
  Snapshot remote = FullSnapshot();
  remote.sample->host.memory_available_kib.reset();  // a remote host
  const std::string text = Exposition(BuildMetricFamilies(remote));
  EXPECT_THAT(text, HasSubstr("libvirt_node_memory_free_bytes 2147483648\n"));
  EXPECT_THAT(text, Not(HasSubstr("vmbalance_host_memory_available_bytes")));
}

TEST(MetricsCollectorTest, LibvirtDownExportsOnlyHealthSeries) {
  Snapshot down;
  down.sample_errors_total = 7;
  const std::string text = Exposition(BuildMetricFamilies(down));
  EXPECT_THAT(text, HasSubstr("libvirt_up 0\n"));
  EXPECT_THAT(text, HasSubstr("vmbalance_sample_errors_total 7\n"));
  EXPECT_THAT(text, Not(HasSubstr("libvirt_domain_")));
  EXPECT_THAT(text, Not(HasSubstr("vmbalance_pcpu_")));
}

TEST(MetricsCollectorTest, FirstSampleHasFactsButNoRates) {
  Snapshot first;
  first.libvirt_up = true;
  first.sample = MakeSample(0, kSecond);
  first.usage = Derive(nullptr, *first.sample);
  const std::string text = Exposition(BuildMetricFamilies(first));
  EXPECT_THAT(text, HasSubstr("libvirt_domain_vcpu_time_seconds_total{"));
  EXPECT_THAT(text, Not(HasSubstr("vmbalance_vcpu_utilization_ratio")));
  EXPECT_THAT(text, Not(HasSubstr("vmbalance_pcpu_load")));
}

TEST(MetricsCollectorTest,
     CollectReturnsTheLatestSnapshotAndVanishedDomainsGo) {
  MetricsCollector collector;
  EXPECT_THAT(Exposition(collector.Collect()), HasSubstr("libvirt_up 0\n"));
  collector.Publish(std::make_shared<const Snapshot>(FullSnapshot()));
  EXPECT_THAT(Exposition(collector.Collect()), HasSubstr("domain=\"web\""));
  Snapshot without_web = FullSnapshot();
  without_web.sample->domains.erase(without_web.sample->domains.begin());
  without_web.usage = Derive(nullptr, *without_web.sample);
  collector.Publish(std::make_shared<const Snapshot>(without_web));
  EXPECT_THAT(Exposition(collector.Collect()),
              Not(HasSubstr("domain=\"web\"")));
}

TEST(MetricsCollectorTest, ConcurrentPublishAndCollect) {
  MetricsCollector collector;
  std::thread publisher([&collector] {
    for (int i = 0; i < 200; ++i) {
      collector.Publish(std::make_shared<const Snapshot>(FullSnapshot()));
    }
  });
  size_t families = 0;
  for (int i = 0; i < 200; ++i) families += collector.Collect().size();
  publisher.join();
  EXPECT_GT(families, 0u);
}

// promtool is Prometheus' own linter for expositions. Missing promtool is a
// failure, not a skip: a skipped lint proves nothing in CI, and
// tools/setup.sh installs it (Debian's prometheus package).
TEST(MetricsCollectorTest, PromtoolCheckMetricsIsClean) {
  const char* path = std::getenv("PATH");
  ASSERT_EQ(std::system("command -v promtool >/dev/null 2>&1"), 0)
      << "promtool is not on PATH (" << (path != nullptr ? path : "unset")
      << "): install Debian's prometheus package (tools/setup.sh does)";
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = tmp != nullptr ? tmp : "/tmp";
  const std::string in = dir + "/exposition.txt";
  const std::string out = dir + "/promtool.out";
  std::ofstream(in) << Exposition(
      BuildMetricFamilies(WithHealth(FullSnapshot())));
  const int rc = std::system(
      ("promtool check metrics < " + in + " > " + out + " 2>&1").c_str());
  std::ifstream report(out);
  const std::string complaints((std::istreambuf_iterator<char>(report)),
                               std::istreambuf_iterator<char>());
  EXPECT_EQ(rc, 0) << complaints;
  EXPECT_EQ(complaints, "");
}

}  // namespace
}  // namespace vmbalance
