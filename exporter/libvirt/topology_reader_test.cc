// TopologyReader over libvirt's in-process test driver (2 cells of 8 pCPUs)
// and over a fake capabilities source that counts and fails on demand.
#include "exporter/libvirt/topology_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "exporter/libvirt/libvirt_handles.h"

namespace vmbalance {
namespace {

using libvirt_internal::ConnectionHandle;
using Clock = TopologyReader::Clock;

constexpr char kKey[] = "host topology";
constexpr char kTwoCpus[] = R"(<capabilities><host><topology><cells num='1'>
  <cell id='0'><memory unit='KiB'>1024</memory><cpus num='2'>
    <cpu id='0' socket_id='0' die_id='0' core_id='0' siblings='0-1'/>
    <cpu id='1' socket_id='0' die_id='0' core_id='0' siblings='0-1'/>
  </cpus></cell></cells></topology></host></capabilities>)";

TEST(TopologyReaderTest, ReadsTheTestDriversTwoCells) {
  ConnectionHandle conn(virConnectOpen("test:///default"));
  ASSERT_NE(conn, nullptr);
  TopologyReader reader;
  FailureLog failures;
  HostTopology topology =
      reader.Read(conn.get(), CpuSet::Range(0, 15), &failures, Clock::now());
  ASSERT_EQ(topology.cells().size(), 2u);
  EXPECT_EQ(topology.cpus().size(), 16u);
  EXPECT_EQ(topology.CellOf(9), 1);
  EXPECT_EQ(topology.core_count(), 16);
  EXPECT_FALSE(failures.failing(kKey));
}

// A fake libvirt: returns `xml`, or fails while `fail` is set.
struct FakeCapabilities {
  std::string xml = kTwoCpus;
  bool fail = false;
  int calls = 0;
  TopologyReader::Fetch AsFetch() {
    return [this](virConnectPtr) -> StatusOr<std::string> {
      ++calls;
      if (fail) return Status::Error("libvirt says no");
      return xml;
    };
  }
};

TEST(TopologyReaderTest, ReadsOncePerConnectionAndOnlineSet) {
  FakeCapabilities fake;
  TopologyReader reader({}, fake.AsFetch());
  FailureLog failures;
  const CpuSet both = CpuSet::Range(0, 1);
  const auto now = Clock::now();
  EXPECT_EQ(reader.Read(nullptr, both, &failures, now).core_count(), 1);
  EXPECT_EQ(reader.Read(nullptr, both, &failures, now).core_count(), 1);
  EXPECT_EQ(fake.calls, 1);
  // pCPU 1 goes offline: read again.
  reader.Read(nullptr, CpuSet::Range(0, 0), &failures, now);
  EXPECT_EQ(fake.calls, 2);
  reader.Read(nullptr, CpuSet::Range(0, 0), &failures, now);
  EXPECT_EQ(fake.calls, 2);
  reader.Reset();  // a new connection
  reader.Read(nullptr, CpuSet::Range(0, 0), &failures, now);
  EXPECT_EQ(fake.calls, 3);
}

TEST(TopologyReaderTest, FailureLeavesItEmptyAndRetriesAfterAWhile) {
  FakeCapabilities fake;
  fake.fail = true;
  TopologyReader::Options options;
  options.retry_after = std::chrono::seconds(60);
  TopologyReader reader(options, fake.AsFetch());
  FailureLog failures;
  const CpuSet both = CpuSet::Range(0, 1);
  const auto start = Clock::now();
  EXPECT_TRUE(reader.Read(nullptr, both, &failures, start).empty());
  EXPECT_TRUE(failures.failing(kKey));
  fake.fail = false;
  // Not every interval: only after retry_after.
  EXPECT_TRUE(
      reader.Read(nullptr, both, &failures, start + std::chrono::seconds(59))
          .empty());
  EXPECT_EQ(fake.calls, 1);
  EXPECT_FALSE(
      reader.Read(nullptr, both, &failures, start + std::chrono::seconds(60))
          .empty());
  EXPECT_EQ(fake.calls, 2);
  EXPECT_FALSE(failures.failing(kKey));
}

TEST(TopologyReaderTest, UnparsableCapabilitiesLeaveItEmpty) {
  FakeCapabilities fake;
  fake.xml = "<capabilities><host/></capabilities>";
  TopologyReader reader({}, fake.AsFetch());
  FailureLog failures;
  EXPECT_TRUE(reader.Read(nullptr, CpuSet::Range(0, 1), &failures, Clock::now())
                  .empty());
  EXPECT_TRUE(failures.failing(kKey));
}

}  // namespace
}  // namespace vmbalance
