#include "exporter/topology/capabilities_xml.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace vmbalance {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in("exporter/topology/testdata/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

HostTopology Parsed(const std::string& name) {
  StatusOr<HostTopology> topology = ParseCapabilitiesTopology(Fixture(name));
  EXPECT_TRUE(topology.ok()) << name << ": " << topology.status().message();
  return topology.ok() ? *topology : HostTopology();
}

// The testbed itself (a real capture): one cell, two cores, no SMT.
TEST(CapabilitiesXmlTest, Testbed) {
  HostTopology host = Parsed("testbed_1cell_2cpu.xml");
  EXPECT_EQ(host.cells().size(), 1u);
  EXPECT_EQ(host.online(), CpuSet::Range(0, 1));
  EXPECT_EQ(host.core_count(), 2);
  EXPECT_GT(host.cells()[0].memory_kib, 0u);
  EXPECT_EQ(host.Distance(0, 0), 10);
}

// Siblings N and N+40; core_id values are sparse and repeat per socket.
TEST(CapabilitiesXmlTest, TwoSocketSmt) {
  HostTopology host = Parsed("xeon_2socket_40core_smt.xml");
  EXPECT_EQ(host.cells().size(), 2u);
  EXPECT_EQ(host.online(), CpuSet::Range(0, 79));
  EXPECT_EQ(host.core_count(), 40);
  EXPECT_EQ(host.max_threads_per_core(), 2);
  EXPECT_EQ(host.CoreOf(5), host.CoreOf(45));
  EXPECT_NE(host.CoreOf(5), host.CoreOf(25));  // same core_id, other socket
  EXPECT_EQ(host.CellOf(25), 1);
  EXPECT_EQ(host.CellOf(65), 1);
  EXPECT_EQ(host.CellCpus(0),
            CpuSet::Range(0, 19).Union(CpuSet::Range(40, 59)));
  EXPECT_EQ(host.Distance(0, 1), 21);
  EXPECT_EQ(host.Summary(),
            "2 cells, 2 sockets, 40 cores, 80 pCPUs online, 2 threads per "
            "core");
}

TEST(CapabilitiesXmlTest, FourCellsInOneSocket) {
  HostTopology host = Parsed("epyc_1socket_4cell_smt.xml");
  EXPECT_EQ(host.cells().size(), 4u);
  EXPECT_EQ(host.core_count(), 32);
  EXPECT_EQ(host.CellOf(8), 1);
  EXPECT_EQ(host.CellOf(40), 1);
  EXPECT_EQ(host.CoreOf(8), host.CoreOf(40));
  EXPECT_EQ(host.Distance(1, 3), 16);
  EXPECT_EQ(host.cells()[2].memory_kib, 64u * 1024 * 1024 - 54321 * 3);
}

TEST(CapabilitiesXmlTest, OfflineCpusAndAMemoryOnlyCell) {
  HostTopology host = Parsed("smt_off_memory_only_cell.xml");
  EXPECT_EQ(host.cells().size(), 3u);
  EXPECT_EQ(host.cpus().size(), 32u);
  EXPECT_EQ(host.online(), CpuSet::Range(0, 15));
  EXPECT_EQ(host.core_count(), 16);
  EXPECT_EQ(host.CoreOf(20), -1);
  EXPECT_TRUE(host.CellCpus(2).Empty());
  EXPECT_EQ(host.cells()[2].memory_kib, 128u * 1024 * 1024);
  EXPECT_EQ(host.Distance(2, 0), 30);
}

TEST(CapabilitiesXmlTest, ClearErrors) {
  struct Case {
    const char* xml;
    const char* says;
  } cases[] = {
      {"", "not valid XML"},
      {"<capabilities><host>", "not valid XML"},
      {"<domain/>", "no <host><topology><cells>"},
      {"<capabilities><host/></capabilities>", "no <host><topology><cells>"},
      {"<capabilities><host><topology><cells/></topology></host>"
       "</capabilities>",
       "no NUMA cell"},
      {"<capabilities><host><topology><cells><cell id='x'/></cells>"
       "</topology></host></capabilities>",
       "bad id='x'"},
      {"<capabilities><host><topology><cells><cell id='0'><cpus>"
       "<cpu id='0' socket_id='0' core_id='0' siblings='0-'/></cpus></cell>"
       "</cells></topology></host></capabilities>",
       "bad siblings"},
      {"<capabilities><host><topology><cells><cell id='0'>"
       "<memory unit='TiB'>1</memory></cell></cells></topology></host>"
       "</capabilities>",
       "unknown memory unit"},
      {"<capabilities><host><topology><cells><cell id='0'><cpus>"
       "<cpu id='0' socket_id='0' core_id='0' siblings='0,1'/>"
       "<cpu id='1' socket_id='0' core_id='1' siblings='1'/></cpus></cell>"
       "</cells></topology></host></capabilities>",
       "inconsistent topology"},
  };
  for (const Case& c : cases) {
    StatusOr<HostTopology> topology = ParseCapabilitiesTopology(c.xml);
    ASSERT_FALSE(topology.ok()) << c.xml;
    EXPECT_NE(topology.status().message().find(c.says), std::string::npos)
        << c.xml << " -> " << topology.status().message();
  }
}

}  // namespace
}  // namespace vmbalance
