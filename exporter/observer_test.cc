#include "exporter/observer.h"

#include <deque>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"

namespace vmbalance {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kSecond = 1000000000;

// Replays a script of Take() results.
class ScriptedHypervisor : public Hypervisor {
 public:
  void Push(StatusOr<Sample> result) { script_.push_back(std::move(result)); }

  StatusOr<Sample> Take() override {
    StatusOr<Sample> next = std::move(script_.front());
    script_.pop_front();
    return next;
  }
  Status PinVcpu(const DomainKey&, int, const CpuSet&) override {
    return Status::Error("unused");
  }
  Status SetMemory(const DomainKey&, uint64_t) override {
    return Status::Error("unused");
  }
  std::string Describe() const override { return "scripted"; }

 private:
  std::deque<StatusOr<Sample>> script_;
};

Sample OneVcpu(int64_t at_ns, uint64_t cpu_ns, int errors = 0) {
  Sample sample;
  sample.monotonic_ns = at_ns;
  sample.host.pcpu_count = 1;
  sample.host.online_pcpus = CpuSet{0};
  DomainSample domain;
  domain.uuid = "u1";
  domain.name = "one";
  domain.id = 1;
  VcpuSample vcpu;
  vcpu.cpu_time_ns = cpu_ns;
  vcpu.pcpu = 0;
  vcpu.affinity = CpuSet{0};
  domain.vcpus = {vcpu};
  sample.domains = {domain};
  sample.errors = errors;
  return sample;
}

std::string Scrape(const MetricsCollector& collector) {
  std::ostringstream text;
  prometheus::TextSerializer().Serialize(text, collector.Collect());
  return text.str();
}

class ObserverTest : public ::testing::Test {
 protected:
  ScriptedHypervisor hypervisor_;
  std::shared_ptr<MetricsCollector> metrics_ =
      std::make_shared<MetricsCollector>();
  Observer observer_{&hypervisor_, metrics_};
};

TEST_F(ObserverTest, DerivesAgainstThePreviousSampleAndPublishes) {
  hypervisor_.Push(OneVcpu(0, 0));
  hypervisor_.Push(OneVcpu(2 * kSecond, kSecond));

  Observer::Observation first = observer_.Tick();
  ASSERT_TRUE(first.ok);
  ASSERT_TRUE(first.usage.has_value());
  EXPECT_FALSE(first.usage->domains[0].vcpus[0].valid);
  EXPECT_THAT(Scrape(*metrics_), HasSubstr("libvirt_up 1\n"));

  Observer::Observation second = observer_.Tick();
  ASSERT_TRUE(second.ok);
  ASSERT_TRUE(second.sample.has_value());
  EXPECT_EQ(second.sample->monotonic_ns, 2 * kSecond);
  EXPECT_DOUBLE_EQ(second.usage->domains[0].vcpus[0].utilization, 0.5);
  EXPECT_THAT(Scrape(*metrics_),
              HasSubstr("vmbalance_vcpu_utilization_ratio{domain=\"one\","
                        "uuid=\"u1\",vcpu=\"0\"} 0.5\n"));
  EXPECT_GE(metrics_->Latest()->sample_duration_seconds, 0);
}

TEST_F(ObserverTest, FailedTakeReportsDownCountsAndForgetsThePreviousSample) {
  hypervisor_.Push(OneVcpu(0, 0, /*errors=*/2));
  hypervisor_.Push(Status::Error("connection refused"));
  hypervisor_.Push(OneVcpu(2 * kSecond, kSecond));
  hypervisor_.Push(OneVcpu(3 * kSecond, 2 * kSecond));

  EXPECT_TRUE(observer_.Tick().ok);
  EXPECT_EQ(observer_.errors_total(), 2u);

  Observer::Observation down = observer_.Tick();
  EXPECT_FALSE(down.ok);
  EXPECT_EQ(down.status.message(), "connection refused");
  EXPECT_FALSE(down.sample.has_value());
  EXPECT_FALSE(down.usage.has_value());
  const std::string text = Scrape(*metrics_);
  EXPECT_THAT(text, HasSubstr("libvirt_up 0\n"));
  EXPECT_THAT(text, HasSubstr("vmbalance_sample_errors_total 3\n"));
  EXPECT_THAT(text, Not(HasSubstr("domain=\"one\"")));

  // First sample after the outage has no rates; the next one does.
  Observer::Observation back = observer_.Tick();
  ASSERT_TRUE(back.ok);
  EXPECT_FALSE(back.usage->domains[0].vcpus[0].valid);
  Observer::Observation next = observer_.Tick();
  EXPECT_DOUBLE_EQ(next.usage->domains[0].vcpus[0].utilization, 1.0);
  EXPECT_THAT(Scrape(*metrics_),
              HasSubstr("vmbalance_sample_errors_total 3\n"));
}

TEST(ObserverNoMetricsTest, WorksWithoutACollector) {
  ScriptedHypervisor hypervisor;
  hypervisor.Push(OneVcpu(0, 0));
  Observer observer(&hypervisor, nullptr);
  EXPECT_TRUE(observer.Tick().ok);
}

}  // namespace
}  // namespace vmbalance
