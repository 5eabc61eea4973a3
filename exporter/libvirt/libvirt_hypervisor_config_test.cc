// LibvirtHypervisor::Take fills the host's topology and each domain's
// DomainConfig, over libvirt's in-process test driver (test:///default: 2
// cells of 8 pCPUs; its state is shared by the connections of this process
// while one is open, so `control_` changes the domain behind Take's back).
#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include <string>

#include "exporter/libvirt/libvirt_handles.h"
#include "exporter/libvirt/libvirt_hypervisor.h"

namespace vmbalance {
namespace {

using libvirt_internal::ConnectionHandle;
using libvirt_internal::DomainHandle;

constexpr char kTestUuid[] = "6695eb01-f6a4-8304-79aa-97f2502e193f";

TEST(LibvirtHypervisorConfigTest, TakeFillsTopologyAndDomainConfig) {
  ConnectionHandle control(virConnectOpen("test:///default"));
  ASSERT_NE(control, nullptr);
  DomainHandle dom(virDomainLookupByUUIDString(control.get(), kTestUuid));
  ASSERT_NE(dom, nullptr);
  ASSERT_EQ(virDomainSetMetadata(dom.get(), VIR_DOMAIN_METADATA_ELEMENT,
                                 "<policy cpu='off' memory='on'/>", "vmbalance",
                                 kPolicyNamespace, VIR_DOMAIN_AFFECT_LIVE),
            0);
  LibvirtHypervisor hypervisor("test:///default");
  hypervisor.set_sample_deadline(std::chrono::seconds(30));
  StatusOr<Sample> sample = hypervisor.Take();
  ASSERT_TRUE(sample.ok()) << sample.status().message();
  EXPECT_EQ(sample->host.topology.cells().size(), 2u);
  EXPECT_EQ(sample->host.topology.CellOf(9), 1);
  ASSERT_EQ(sample->domains.size(), 1u);
  const DomainSample& domain = sample->domains[0];
  ASSERT_TRUE(domain.config.has_value());
  EXPECT_EQ(domain.config->policy.cpu, PolicySwitch::kOff);
  EXPECT_EQ(domain.config->policy.memory, PolicySwitch::kOn);
  // The next Take serves both from the cache.
  sample = hypervisor.Take();
  ASSERT_TRUE(sample.ok()) << sample.status().message();
  EXPECT_FALSE(sample->host.topology.empty());
  ASSERT_EQ(sample->domains.size(), 1u);
  EXPECT_TRUE(sample->domains[0].config.has_value());
}

}  // namespace
}  // namespace vmbalance
