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

// OneVcpu as a hung QEMU's tick gives it: listed, nothing read in time,
// counted in the sample's errors by the source.
Sample TimedOut(int64_t at_ns) {
  Sample sample = OneVcpu(at_ns, 0, /*errors=*/1);
  sample.domains[0].read = DomainRead::kTimedOut;
  sample.domains[0].vcpus.clear();
  return sample;
}

std::string Series(const std::string& name, double value) {
  std::ostringstream line;
  line << name << "{domain=\"one\",uuid=\"u1\"} " << value << "\n";
  return line.str();
}

TEST_F(ObserverTest, TimedOutDomainIsCountedAndShownUnreadable) {
  hypervisor_.Push(OneVcpu(0, 0));
  hypervisor_.Push(TimedOut(kSecond));
  hypervisor_.Push(TimedOut(2 * kSecond));
  hypervisor_.Push(Status::Error("connection refused"));
  hypervisor_.Push(OneVcpu(4 * kSecond, kSecond));

  observer_.Tick();
  std::string text = Scrape(*metrics_);
  EXPECT_THAT(text, HasSubstr(Series("vmbalance_domain_readable", 1)));
  EXPECT_THAT(text,
              HasSubstr(Series("vmbalance_domain_read_timeouts_total", 0)));
  observer_.Tick();
  observer_.Tick();
  text = Scrape(*metrics_);
  EXPECT_THAT(text, HasSubstr(Series("vmbalance_domain_readable", 0)));
  EXPECT_THAT(text,
              HasSubstr(Series("vmbalance_domain_read_timeouts_total", 2)));
  EXPECT_THAT(text, HasSubstr("vmbalance_sample_errors_total 2\n"));
  // Through a libvirt outage the count is kept; readable again after it.
  observer_.Tick();
  observer_.Tick();
  text = Scrape(*metrics_);
  EXPECT_THAT(text, HasSubstr(Series("vmbalance_domain_readable", 1)));
  EXPECT_THAT(text,
              HasSubstr(Series("vmbalance_domain_read_timeouts_total", 2)));
}

TEST_F(ObserverTest, RestartIsCountedAndAGoneDomainForgotten) {
  Sample restarted = OneVcpu(kSecond, 0);
  restarted.domains[0].id = 2;
  Sample empty = OneVcpu(2 * kSecond, 0);
  empty.domains.clear();
  Sample back = OneVcpu(3 * kSecond, 0);
  back.domains[0].id = 3;
  hypervisor_.Push(TimedOut(0));
  hypervisor_.Push(restarted);
  hypervisor_.Push(empty);
  hypervisor_.Push(back);

  observer_.Tick();
  observer_.Tick();
  std::string text = Scrape(*metrics_);
  EXPECT_THAT(text, HasSubstr(Series("vmbalance_domain_restarts_total", 1)));
  observer_.Tick();
  EXPECT_THAT(Scrape(*metrics_), Not(HasSubstr("domain=\"one\"")));
  // Back under a new id after it was gone: a new domain as far as the
  // series go, not a restart, and its old timeouts are not carried over.
  observer_.Tick();
  text = Scrape(*metrics_);
  EXPECT_THAT(text, HasSubstr(Series("vmbalance_domain_restarts_total", 0)));
  EXPECT_THAT(text,
              HasSubstr(Series("vmbalance_domain_read_timeouts_total", 0)));
}

TEST(ObserverNoMetricsTest, WorksWithoutACollector) {
  ScriptedHypervisor hypervisor;
  hypervisor.Push(OneVcpu(0, 0));
  Observer observer(&hypervisor, nullptr);
  EXPECT_TRUE(observer.Tick().ok);
}

}  // namespace
}  // namespace vmbalance
