// Tests LibvirtHypervisor against libvirt's in-process test driver
// (test:///default). Its state is shared by all connections of this process
// while at least one is open, and reset when the last one closes: each test
// holds a `control_` connection to change domains behind the hypervisor's
// back, and closes it at the end so the next test starts fresh.
#include "exporter/libvirt/libvirt_hypervisor.h"

#include <glog/logging.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "exporter/libvirt/libvirt_handles.h"

namespace vmbalance {
namespace {

using libvirt_internal::ConnectionHandle;
using libvirt_internal::DomainHandle;
using ::testing::HasSubstr;

constexpr char kTestUri[] = "test:///default";
// The built-in domain of the test driver.
constexpr char kTestUuid[] = "6695eb01-f6a4-8304-79aa-97f2502e193f";
constexpr char kUnreachableUri[] =
    "qemu+unix:///system?socket=/nonexistent/vmbalance.sock";

const DomainSample* FindDomain(const Sample& sample, const std::string& name) {
  for (const DomainSample& domain : sample.domains) {
    if (domain.name == name) return &domain;
  }
  return nullptr;
}

// Collects ERROR log lines, where the hypervisor reports leaked handles.
class ErrorLogCollector : public google::LogSink {
 public:
  void send(google::LogSeverity severity, const char* /*full_filename*/,
            const char* /*base_filename*/, int /*line*/,
            const struct ::tm* /*tm_time*/, const char* message,
            size_t message_len) override {
    if (severity >= google::GLOG_ERROR) {
      errors.emplace_back(message, message_len);
    }
  }
  std::vector<std::string> errors;
};

class LibvirtHypervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    google::AddLogSink(&log_);
    control_.reset(virConnectOpen(kTestUri));
    ASSERT_NE(control_, nullptr);
    hypervisor_ = std::make_unique<LibvirtHypervisor>(kTestUri);
  }

  void TearDown() override {
    // Closing the connection reports any domain handle still holding it.
    hypervisor_.reset();
    google::RemoveLogSink(&log_);
    EXPECT_THAT(log_.errors, ::testing::IsEmpty());
  }

  // Defines and starts a domain with `vcpus` vCPUs on the shared test host.
  DomainHandle StartDomain(const std::string& name, int vcpus,
                           bool balloon = false) {
    std::string xml = "<domain type='test'><name>" + name +
                      "</name><memory>1048576</memory><vcpu>" +
                      std::to_string(vcpus) +
                      "</vcpu><os><type>hvm</type></os>" +
                      (balloon ? "<devices><memballoon model='virtio'/>"
                                 "</devices>"
                               : "") +
                      "</domain>";
    DomainHandle dom(virDomainDefineXML(control_.get(), xml.c_str()));
    EXPECT_NE(dom, nullptr);
    if (dom != nullptr) {
      EXPECT_EQ(virDomainCreate(dom.get()), 0);
    }
    return dom;
  }

  ErrorLogCollector log_;
  ConnectionHandle control_;  // outlives hypervisor_, keeping the state
  std::unique_ptr<LibvirtHypervisor> hypervisor_;
};

TEST_F(LibvirtHypervisorTest, ConstructionDoesNotConnect) {
  EXPECT_FALSE(hypervisor_->connected());
  EXPECT_EQ(hypervisor_->Describe(), kTestUri);
}

TEST_F(LibvirtHypervisorTest, TakeSeesTheTestDomain) {
  StatusOr<Sample> sample = hypervisor_->Take();
  ASSERT_TRUE(sample.ok()) << sample.status().message();
  EXPECT_TRUE(hypervisor_->connected());
  EXPECT_EQ(sample->errors, 0);
  EXPECT_GT(sample->monotonic_ns, 0);
  EXPECT_NEAR(sample->wall_time_s, std::time(nullptr), 5);

  ASSERT_EQ(sample->domains.size(), 1u);
  const DomainSample& domain = sample->domains[0];
  EXPECT_EQ(domain.uuid, kTestUuid);
  EXPECT_EQ(domain.name, "test");
  EXPECT_EQ(domain.id, 1);
  EXPECT_EQ(domain.state, DomainState::kRunning);
  EXPECT_EQ(domain.max_memory_kib, 8388608u);
  ASSERT_EQ(domain.vcpus.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const VcpuSample& vcpu = domain.vcpus[i];
    EXPECT_EQ(vcpu.index, i);
    EXPECT_EQ(vcpu.affinity, CpuSet::Range(0, 7));
    // The test driver has no vcpu.N.delay and reports a pCPU (15) outside
    // its own 8-pCPU map: both must come out as "unknown", not garbage.
    EXPECT_FALSE(vcpu.delay_ns.has_value());
    EXPECT_EQ(vcpu.pcpu, -1);
  }
  // Only the state group comes back from the test driver's bulk call.
  EXPECT_FALSE(domain.balloon.actual_kib.has_value());
  EXPECT_FALSE(domain.balloon.unused_kib.has_value());
  EXPECT_FALSE(domain.balloon.last_update_s.has_value());
}

TEST_F(LibvirtHypervisorTest, TakeReadsTheHost) {
  StatusOr<Sample> sample = hypervisor_->Take();
  ASSERT_TRUE(sample.ok()) << sample.status().message();
  const HostSample& host = sample->host;
  // The test driver's map: 8 pCPUs present, 0, 2 and 4 online.
  EXPECT_EQ(host.pcpu_count, 8);
  EXPECT_EQ(host.online_pcpus, CpuSet({0, 2, 4}));
  ASSERT_EQ(host.pcpus.size(), 3u);
  EXPECT_EQ(host.pcpus[1].index, 2);
  EXPECT_GT(host.pcpus[1].busy_ns, 0u);
  EXPECT_GT(host.pcpus[1].idle_ns, 0u);
  // No virNodeGetMemoryStats in the test driver: the fallback answers.
  EXPECT_EQ(host.memory_source, "virNodeGetInfo+virNodeGetFreeMemory");
  EXPECT_EQ(host.memory_total_kib, 3145728u);
  // The test driver's host is made up: this machine's MemAvailable is not it.
  EXPECT_FALSE(host.memory_available_kib.has_value());
}

TEST_F(LibvirtHypervisorTest, PinnedVcpuShowsInNextTake) {
  ASSERT_TRUE(hypervisor_->Take().ok());
  Status pinned = hypervisor_->PinVcpu(kTestUuid, 1, CpuSet({2}));
  ASSERT_TRUE(pinned.ok()) << pinned.message();

  StatusOr<Sample> sample = hypervisor_->Take();
  ASSERT_TRUE(sample.ok()) << sample.status().message();
  ASSERT_EQ(sample->domains.size(), 1u);
  ASSERT_EQ(sample->domains[0].vcpus.size(), 2u);
  EXPECT_EQ(sample->domains[0].vcpus[0].affinity, CpuSet::Range(0, 7));
  EXPECT_EQ(sample->domains[0].vcpus[1].affinity, CpuSet({2}));
}

TEST_F(LibvirtHypervisorTest, PinWorksBeforeAnyTake) {
  // PinVcpu connects by itself and sizes the cpumap from the host.
  EXPECT_TRUE(hypervisor_->PinVcpu(kTestUuid, 0, CpuSet({4, 6})).ok());
}

TEST_F(LibvirtHypervisorTest, PinRejectsPcpusTheHostLacks) {
  Status pinned = hypervisor_->PinVcpu(kTestUuid, 0, CpuSet({8}));
  EXPECT_FALSE(pinned.ok());
  EXPECT_THAT(pinned.message(), HasSubstr("beyond the host's 8 pCPUs"));
  EXPECT_FALSE(hypervisor_->PinVcpu(kTestUuid, 0, CpuSet()).ok());
}

TEST_F(LibvirtHypervisorTest, PinOfMissingVcpuIsAnError) {
  Status pinned = hypervisor_->PinVcpu(kTestUuid, 5, CpuSet({0}));
  EXPECT_FALSE(pinned.ok());
  EXPECT_THAT(pinned.message(), HasSubstr("pinning vCPU 5"));
}

TEST_F(LibvirtHypervisorTest, SetMemoryIsAcceptedWithinMaximum) {
  Status set = hypervisor_->SetMemory(kTestUuid, 1048576);
  EXPECT_TRUE(set.ok()) << set.message();
  // libvirt itself refuses more than the maximum: the error carries its text.
  Status too_much = hypervisor_->SetMemory(kTestUuid, 2 * 8388608u);
  EXPECT_FALSE(too_much.ok());
  EXPECT_THAT(too_much.message(), HasSubstr("setting memory of"));
}

TEST_F(LibvirtHypervisorTest, UnknownDomainIsAnErrorNotACrash) {
  const std::string unknown = "00000000-0000-0000-0000-000000000001";
  Status pinned = hypervisor_->PinVcpu(unknown, 0, CpuSet({0}));
  EXPECT_FALSE(pinned.ok());
  EXPECT_THAT(pinned.message(), HasSubstr("unknown domain " + unknown));
  Status set = hypervisor_->SetMemory(unknown, 1048576);
  EXPECT_FALSE(set.ok());
  EXPECT_THAT(set.message(), HasSubstr("unknown domain"));
  EXPECT_FALSE(hypervisor_->SetMemory("not-a-uuid", 1048576).ok());
}

TEST_F(LibvirtHypervisorTest, NewAndVanishedDomainsFollowTheHost) {
  DomainHandle extra = StartDomain("extra", 3);
  ASSERT_NE(extra, nullptr);
  StatusOr<Sample> with_extra = hypervisor_->Take();
  ASSERT_TRUE(with_extra.ok()) << with_extra.status().message();
  ASSERT_EQ(with_extra->domains.size(), 2u);
  EXPECT_LT(with_extra->domains[0].uuid, with_extra->domains[1].uuid);
  const DomainSample* seen = FindDomain(*with_extra, "extra");
  ASSERT_NE(seen, nullptr);
  EXPECT_EQ(seen->vcpus.size(), 3u);
  EXPECT_EQ(seen->max_memory_kib, 1048576u);

  ASSERT_EQ(virDomainDestroy(extra.get()), 0);
  StatusOr<Sample> without = hypervisor_->Take();
  ASSERT_TRUE(without.ok()) << without.status().message();
  EXPECT_EQ(without->errors, 0);
  ASSERT_EQ(without->domains.size(), 1u);
  EXPECT_EQ(without->domains[0].name, "test");
}

// The balloon statistics period as the domain's live XML says it.
std::string StatsPeriodOf(virDomainPtr dom) {
  char* xml = virDomainGetXMLDesc(dom, 0);
  std::string text = xml != nullptr ? xml : "";
  free(xml);
  size_t at = text.find("<stats period='");
  if (at == std::string::npos) return "none";
  at += strlen("<stats period='");
  return text.substr(at, text.find('\'', at) - at);
}

TEST_F(LibvirtHypervisorTest, SetsBalloonPeriodOncePerDomainInstance) {
  hypervisor_->set_stats_period_seconds(7);
  DomainHandle extra = StartDomain("ballooned", 1, /*balloon=*/true);
  ASSERT_NE(extra, nullptr);
  ASSERT_TRUE(hypervisor_->Take().ok());
  EXPECT_EQ(StatsPeriodOf(extra.get()), "7");

  // Someone else changes it: the same instance is not touched again.
  ASSERT_EQ(
      virDomainSetMemoryStatsPeriod(extra.get(), 3, VIR_DOMAIN_AFFECT_LIVE), 0);
  ASSERT_TRUE(hypervisor_->Take().ok());
  EXPECT_EQ(StatsPeriodOf(extra.get()), "3");

  // A restart is a new instance (same UUID, new id): set again.
  ASSERT_EQ(virDomainDestroy(extra.get()), 0);
  ASSERT_EQ(virDomainCreate(extra.get()), 0);
  ASSERT_EQ(
      virDomainSetMemoryStatsPeriod(extra.get(), 3, VIR_DOMAIN_AFFECT_LIVE), 0);
  ASSERT_TRUE(hypervisor_->Take().ok());
  EXPECT_EQ(StatsPeriodOf(extra.get()), "7");
}

TEST_F(LibvirtHypervisorTest, ManyDomainsAreSortedByUuid) {
  std::vector<DomainHandle> started;
  for (int i = 0; i < 10; ++i) {
    started.push_back(StartDomain("guest" + std::to_string(i), 1 + i % 3));
  }
  StatusOr<Sample> sample = hypervisor_->Take();
  ASSERT_TRUE(sample.ok()) << sample.status().message();
  ASSERT_EQ(sample->domains.size(), 11u);
  for (size_t i = 1; i < sample->domains.size(); ++i) {
    EXPECT_LT(sample->domains[i - 1].uuid, sample->domains[i].uuid);
  }
  const DomainSample* guest4 = FindDomain(*sample, "guest4");
  ASSERT_NE(guest4, nullptr);
  EXPECT_EQ(guest4->vcpus.size(), 2u);
}

TEST(LibvirtHypervisorUnreachableTest, FailsCleanlyAndBacksOff) {
  LibvirtHypervisor hypervisor(kUnreachableUri);
  hypervisor.set_reconnect_backoff(std::chrono::milliseconds(50),
                                   std::chrono::milliseconds(400));
  StatusOr<Sample> first = hypervisor.Take();
  ASSERT_FALSE(first.ok());
  EXPECT_THAT(first.status().message(), HasSubstr("cannot connect to"));
  EXPECT_FALSE(hypervisor.connected());

  // Within the backoff no new attempt is made.
  StatusOr<Sample> soon = hypervisor.Take();
  ASSERT_FALSE(soon.ok());
  EXPECT_THAT(soon.status().message(), HasSubstr("next attempt in"));
  EXPECT_FALSE(hypervisor.PinVcpu(kTestUuid, 0, CpuSet({0})).ok());
  EXPECT_FALSE(hypervisor.SetMemory(kTestUuid, 1024).ok());

  // After it, the next call tries again and fails the same clean way.
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  StatusOr<Sample> later = hypervisor.Take();
  ASSERT_FALSE(later.ok());
  EXPECT_THAT(later.status().message(), HasSubstr("cannot connect to"));
  EXPECT_FALSE(hypervisor.connected());
}

}  // namespace
}  // namespace vmbalance
