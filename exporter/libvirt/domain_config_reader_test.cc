// DomainConfigReader over libvirt's in-process test driver: a persistent
// domain whose pending (persistent) pins differ from its live ones, and whose
// live metadata differs from the persistent one.
#include "exporter/libvirt/domain_config_reader.h"

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include <chrono>
#include <string>
#include <vector>

#include "exporter/libvirt/libvirt_handles.h"

namespace vmbalance {
namespace {

using libvirt_internal::ConnectionHandle;
using libvirt_internal::DomainHandle;
using Clock = DomainConfigReader::Clock;

constexpr char kUuid[] = "11111111-2222-3333-4444-555555555555";
constexpr char kNovaNs[] = "http://openstack.org/xmlns/libvirt/nova/1.1";

std::string DomainXml(int pinned_pcpu) {
  return R"(<domain type='test'><name>cfg</name>
  <uuid>11111111-2222-3333-4444-555555555555</uuid>
  <memory unit='KiB'>1048576</memory>
  <vcpu placement='static' cpuset='0-3'>2</vcpu>
  <cputune><vcpupin vcpu='0' cpuset=')" +
         std::to_string(pinned_pcpu) + R"('/></cputune>
  <metadata><vmbalance:policy
    xmlns:vmbalance='https://vmbalance.dev/xmlns/policy/1' cpu='on'/>
  </metadata>
  <os><type arch='i686'>hvm</type></os></domain>)";
}

class DomainConfigReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_.reset(virConnectOpen("test:///default"));
    ASSERT_NE(conn_, nullptr);
    DomainHandle defined(virDomainDefineXML(conn_.get(), DomainXml(1).c_str()));
    ASSERT_NE(defined, nullptr);
    ASSERT_EQ(virDomainCreate(defined.get()), 0);
    // Persistent pins change while it runs: pending until a restart.
    dom_ = std::make_shared<DomainHandle>(
        virDomainDefineXML(conn_.get(), DomainXml(3).c_str()));
    ASSERT_NE(*dom_, nullptr);
    SetLivePolicy("off");
    ASSERT_EQ(virDomainSetMetadata(dom_->get(), VIR_DOMAIN_METADATA_ELEMENT,
                                   "<instance><name>db-primary</name>"
                                   "<flavor name='c4.large'/></instance>",
                                   "nova", kNovaNs, VIR_DOMAIN_AFFECT_LIVE),
              0);
  }
  void SetLivePolicy(const std::string& cpu) {
    const std::string policy = "<policy cpu='" + cpu + "'/>";
    ASSERT_EQ(virDomainSetMetadata(dom_->get(), VIR_DOMAIN_METADATA_ELEMENT,
                                   policy.c_str(), "vmbalance",
                                   kPolicyNamespace, VIR_DOMAIN_AFFECT_LIVE),
              0);
  }
  DomainConfigReader::Instance Instance() const {
    return {kUuid, static_cast<int>(virDomainGetID(dom_->get())), "cfg", dom_};
  }
  std::vector<DomainSample> Domains() const {
    DomainSample domain;
    domain.uuid = kUuid;
    domain.id = Instance().id;
    return {domain};
  }
  // One Start + Finish at `now`, as Take does.
  std::vector<DomainSample> Cycle(DomainConfigReader* reader,
                                  Clock::time_point now) {
    reader->Start({Instance()}, now);
    std::vector<DomainSample> domains = Domains();
    reader->Finish(Clock::now() + std::chrono::seconds(30), &domains);
    return domains;
  }

  ConnectionHandle conn_;
  std::shared_ptr<DomainHandle> dom_;
  DomainCallPool pool_;
};

TEST_F(DomainConfigReaderTest, PlacementFromPersistentMetadataFromLive) {
  ConfigRead read = ReadDomainConfig(dom_->get());
  ASSERT_TRUE(read.config) << read.error;
  const DomainConfig& config = *read.config;
  EXPECT_EQ(config.placement.AllowedFor(0), CpuSet::Range(3, 3));
  EXPECT_EQ(config.placement.AllowedFor(1), CpuSet::Range(0, 3));
  EXPECT_EQ(config.policy.cpu, PolicySwitch::kOff);  // live, not "on"
  ASSERT_TRUE(config.nova);
  EXPECT_EQ(config.nova->name, "db-primary");
  EXPECT_EQ(config.nova->flavor, "c4.large");
  EXPECT_TRUE(config.problems.empty());
}

TEST_F(DomainConfigReaderTest, TransientDomainSaysWherePlacementCameFrom) {
  ASSERT_EQ(virDomainUndefine(dom_->get()), 0);  // running, now transient
  ConfigRead read = ReadDomainConfig(dom_->get());
  ASSERT_TRUE(read.config) << read.error;
  ASSERT_EQ(read.config->problems.size(), 1u);
  EXPECT_NE(read.config->problems[0].find("transient"), std::string::npos);
}

TEST_F(DomainConfigReaderTest, CachedPerInstanceAndRefreshed) {
  DomainConfigReader reader(&pool_, {std::chrono::seconds(60)});
  const auto start = Clock::now();
  std::vector<DomainSample> domains = Cycle(&reader, start);
  ASSERT_TRUE(domains[0].config);
  EXPECT_EQ(domains[0].config->policy.cpu, PolicySwitch::kOff);
  SetLivePolicy("on");
  // Not read again within the period: the cached value.
  domains = Cycle(&reader, start + std::chrono::seconds(59));
  ASSERT_TRUE(domains[0].config);
  EXPECT_EQ(domains[0].config->policy.cpu, PolicySwitch::kOff);
  domains = Cycle(&reader, start + std::chrono::seconds(60));
  ASSERT_TRUE(domains[0].config);
  EXPECT_EQ(domains[0].config->policy.cpu, PolicySwitch::kOn);
}

TEST_F(DomainConfigReaderTest, ForgetsVanishedAndUnlistedInstances) {
  DomainConfigReader reader(&pool_, {});
  const auto now = Clock::now();
  Cycle(&reader, now);
  EXPECT_EQ(reader.cached(), 1u);
  // Another instance of the same UUID (a restart): not read yet.
  std::vector<DomainSample> other = Domains();
  other[0].id += 1;
  reader.Finish(now, &other);
  EXPECT_FALSE(other[0].config);
  reader.Start({}, now);  // the domain is gone
  EXPECT_EQ(reader.cached(), 0u);
  std::vector<DomainSample> domains = Domains();
  reader.Finish(now, &domains);
  EXPECT_FALSE(domains[0].config);
}

TEST_F(DomainConfigReaderTest, FailedReadLeavesConfigUnsetUntilRetried) {
  DomainConfigReader reader(&pool_, {std::chrono::seconds(60)});
  ASSERT_EQ(virDomainDestroy(dom_->get()), 0);
  ASSERT_EQ(virDomainUndefine(dom_->get()), 0);  // gone: every call fails
  const auto start = Clock::now();
  std::vector<DomainSample> domains = Cycle(&reader, start);
  EXPECT_FALSE(domains[0].config);
  EXPECT_EQ(reader.cached(), 1u);  // tried; retried after the period
}

}  // namespace
}  // namespace vmbalance
