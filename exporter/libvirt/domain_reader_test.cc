// ReadDomainRecord over records built by hand, whose domain handles come from
// libvirt's in-process test driver (test:///default).
#include "exporter/libvirt/domain_reader.h"

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include "exporter/libvirt/libvirt_handles.h"

namespace vmbalance {
namespace {

using libvirt_internal::ConnectionHandle;
using libvirt_internal::DomainHandle;
using libvirt_internal::TypedParams;

class DomainReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_.reset(virConnectOpen("test:///default"));
    ASSERT_NE(conn_, nullptr);
    test_domain_.reset(virDomainLookupByName(conn_.get(), "test"));
    ASSERT_NE(test_domain_, nullptr);
  }

  static virDomainStatsRecord Record(virDomainPtr dom,
                                     const TypedParams& params) {
    return virDomainStatsRecord{dom, params.get(), params.count()};
  }

  ConnectionHandle conn_;
  DomainHandle test_domain_;  // freed before conn_ closes
};

TEST_F(DomainReaderTest, StateOnlyRecordIsCompletedByPerDomainCalls) {
  TypedParams params;
  params.AddInt("state.state", VIR_DOMAIN_RUNNING);
  DomainSample domain;
  RecordRead read =
      ReadDomainRecord(Record(test_domain_.get(), params),
                       /*balloon=*/nullptr, /*pcpu_count=*/8, &domain);
  ASSERT_TRUE(read.ok) << read.error;
  EXPECT_EQ(domain.name, "test");
  EXPECT_EQ(domain.state, DomainState::kRunning);
  EXPECT_EQ(domain.max_memory_kib, 8388608u);  // from virDomainGetInfo
  ASSERT_EQ(domain.vcpus.size(), 2u);
  EXPECT_GT(domain.vcpus[1].cpu_time_ns, 0u);  // from virDomainGetVcpus
  EXPECT_FALSE(domain.vcpus[1].delay_ns.has_value());
  EXPECT_FALSE(domain.balloon.maximum_kib.has_value());
}

TEST_F(DomainReaderTest, BulkFiguresWinOverPerDomainOnes) {
  TypedParams params;
  params.AddInt("state.state", VIR_DOMAIN_PAUSED);
  params.AddUInt("vcpu.current", 2);
  params.AddULLong("vcpu.0.time", 111);
  params.AddULLong("vcpu.0.delay", 22);
  params.AddULLong("vcpu.1.time", 333);
  params.AddULLong("balloon.maximum", 4096);
  params.AddULLong("balloon.unused", 1024);
  DomainSample domain;
  RecordRead read =
      ReadDomainRecord(Record(test_domain_.get(), params), nullptr, 8, &domain);
  ASSERT_TRUE(read.ok) << read.error;
  EXPECT_EQ(domain.state, DomainState::kPaused);
  EXPECT_EQ(domain.max_memory_kib, 4096u);
  EXPECT_EQ(domain.balloon.unused_kib, 1024u);
  ASSERT_EQ(domain.vcpus.size(), 2u);
  EXPECT_EQ(domain.vcpus[0].cpu_time_ns, 111u);
  EXPECT_EQ(domain.vcpus[0].delay_ns, 22u);
  EXPECT_EQ(domain.vcpus[1].cpu_time_ns, 333u);
  EXPECT_FALSE(domain.vcpus[1].delay_ns.has_value());
}

TEST_F(DomainReaderTest, BalloonFiguresComeFromTheirOwnRecord) {
  TypedParams counters;
  counters.AddInt("state.state", VIR_DOMAIN_RUNNING);
  counters.AddUInt("vcpu.current", 1);
  counters.AddULLong("vcpu.0.time", 5);
  counters.AddULLong("balloon.unused", 1);  // ignored: the balloon call wins
  TypedParams balloon;
  balloon.AddULLong("balloon.maximum", 2048);
  balloon.AddULLong("balloon.unused", 512);
  const virDomainStatsRecord balloon_record =
      Record(test_domain_.get(), balloon);
  DomainSample domain;
  RecordRead read = ReadDomainRecord(Record(test_domain_.get(), counters),
                                     &balloon_record, 8, &domain);
  ASSERT_TRUE(read.ok) << read.error;
  EXPECT_EQ(domain.max_memory_kib, 2048u);
  EXPECT_EQ(domain.balloon.unused_kib, 512u);
  ASSERT_EQ(domain.vcpus.size(), 1u);
  EXPECT_EQ(domain.vcpus[0].cpu_time_ns, 5u);
}

TEST_F(DomainReaderTest, AffinityIsReadAtTheHostsFullWidth) {
  // A host of 200 pCPUs: 25-byte cpumaps, not 1.
  std::vector<unsigned char> map(VIR_CPU_MAPLEN(200), 0);
  map[0] = 0x02;  // pCPU 1
  ASSERT_EQ(virDomainPinVcpuFlags(test_domain_.get(), 1, map.data(),
                                  static_cast<int>(map.size()), 0),
            0);
  TypedParams params;
  DomainSample domain;
  RecordRead read = ReadDomainRecord(Record(test_domain_.get(), params),
                                     nullptr, 200, &domain);
  ASSERT_TRUE(read.ok) << read.error;
  ASSERT_EQ(domain.vcpus.size(), 2u);
  // The test driver fills as many bits as its nodeinfo has pCPUs (16), more
  // than one byte holds, and more than its own 8-wide node map: unpinned
  // vCPU 0 shows all 16.
  EXPECT_EQ(domain.vcpus[0].affinity.ToString(), "0-15");
  EXPECT_EQ(domain.vcpus[1].affinity.ToString(), "1");
}

TEST_F(DomainReaderTest, DomainGoneBetweenListAndReadIsReportedVanished) {
  const char* xml =
      "<domain type='test'><name>shortlived</name><memory>524288</memory>"
      "<vcpu>1</vcpu><os><type>hvm</type></os></domain>";
  DomainHandle transient(virDomainCreateXML(conn_.get(), xml, 0));
  ASSERT_NE(transient, nullptr);
  ASSERT_EQ(virDomainDestroy(transient.get()), 0);  // transient: now gone

  TypedParams params;
  params.AddInt("state.state", VIR_DOMAIN_RUNNING);
  DomainSample domain;
  RecordRead read =
      ReadDomainRecord(Record(transient.get(), params), nullptr, 8, &domain);
  EXPECT_FALSE(read.ok);
  EXPECT_TRUE(read.vanished);
  EXPECT_NE(read.error.find("omain not found"), std::string::npos)
      << read.error;
  EXPECT_EQ(domain.name, "shortlived");  // still named in the skip log
}

// A later read of an instance skips virDomainGetInfo: the max memory is the
// one known from the first read (not the test domain's 8388608), and the vCPU
// count is what virDomainGetVcpus returns, whether the known count is too
// low (vCPUs added: asked again with more) or too high.
TEST_F(DomainReaderTest, LaterReadsTakeTheCountFromGetVcpusAlone) {
  DomainStatsParams listed;
  listed.state = VIR_DOMAIN_RUNNING;
  for (int known_vcpus : {0, 1, 2, 5}) {
    const KnownFacts known{known_vcpus, 777};
    DomainSample domain;
    RecordRead read =
        ReadDomainCounters(test_domain_.get(), listed, 8, &known, &domain);
    ASSERT_TRUE(read.ok) << read.error;
    EXPECT_EQ(domain.max_memory_kib, 777u);
    EXPECT_EQ(domain.state, DomainState::kRunning);
    ASSERT_EQ(domain.vcpus.size(), 2u) << "known " << known_vcpus;
    EXPECT_EQ(domain.vcpus[1].index, 1);
    EXPECT_GT(domain.vcpus[1].cpu_time_ns, 0u);
  }
}

TEST_F(DomainReaderTest, FirstReadAsksGetInfoForTheFactsItKeeps) {
  DomainStatsParams listed;
  listed.state = VIR_DOMAIN_PAUSED;  // the listing's state wins
  DomainSample domain;
  RecordRead read =
      ReadDomainCounters(test_domain_.get(), listed, 8, nullptr, &domain);
  ASSERT_TRUE(read.ok) << read.error;
  EXPECT_EQ(domain.state, DomainState::kPaused);
  EXPECT_EQ(domain.max_memory_kib, 8388608u);  // from virDomainGetInfo
  EXPECT_EQ(domain.vcpus.size(), 2u);
}

TEST(MergeMonitorStatsTest, AddsDelaysAndBalloonKeepsTimes) {
  DomainSample domain;
  domain.max_memory_kib = 100;
  domain.vcpus.resize(2);
  domain.vcpus[0].index = 0;
  domain.vcpus[0].cpu_time_ns = 7;
  domain.vcpus[1].index = 1;
  DomainStatsParams stats;
  stats.vcpu_time_ns[0] = 999;  // the stamp's time stays
  stats.vcpu_delay_ns[1] = 44;
  stats.balloon.maximum_kib = 2048;
  stats.balloon.unused_kib = 512;
  MergeMonitorStats(stats, &domain);
  EXPECT_EQ(domain.vcpus[0].cpu_time_ns, 7u);
  EXPECT_FALSE(domain.vcpus[0].delay_ns.has_value());
  EXPECT_EQ(domain.vcpus[1].delay_ns, 44u);
  EXPECT_EQ(domain.max_memory_kib, 2048u);
  EXPECT_EQ(domain.balloon.unused_kib, 512u);
}

}  // namespace
}  // namespace vmbalance
