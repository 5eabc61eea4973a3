#include "exporter/core/host_topology.h"

#include <gtest/gtest.h>

namespace vmbalance {
namespace {

TopologyCpu Cpu(int id, int cell, int socket, int core_id, CpuSet siblings) {
  TopologyCpu cpu;
  cpu.id = id;
  cpu.cell = cell;
  cpu.socket = socket;
  cpu.die = 0;
  cpu.core_id = core_id;
  cpu.siblings = siblings;
  return cpu;
}

TopologyCell Cell(int id) {
  TopologyCell cell;
  cell.id = id;
  cell.memory_kib = 1024;
  return cell;
}

TEST(HostTopologyTest, FlatIsOneCellWithACorePerPcpu) {
  HostTopology flat = HostTopology::Flat(CpuSet{0, 1, 3});
  ASSERT_EQ(flat.cells().size(), 1u);
  EXPECT_EQ(flat.core_count(), 3);
  EXPECT_EQ(flat.CoreOf(3), 2);
  EXPECT_EQ(flat.CoreOf(2), -1);
  EXPECT_EQ(flat.CellOf(1), 0);
  EXPECT_EQ(flat.max_threads_per_core(), 1);
  EXPECT_EQ(flat.Distance(0, 0), 10);
}

TEST(HostTopologyTest, SiblingsMakeOneCore) {
  auto topology = HostTopology::Build(
      {Cell(0)}, {Cpu(0, 0, 0, 0, {0, 2}), Cpu(1, 0, 0, 1, {1, 3}),
                  Cpu(2, 0, 0, 0, {0, 2}), Cpu(3, 0, 0, 1, {1, 3})});
  ASSERT_TRUE(topology.ok()) << topology.status().message();
  EXPECT_EQ(topology->core_count(), 2);
  EXPECT_EQ(topology->CoreOf(0), topology->CoreOf(2));
  EXPECT_NE(topology->CoreOf(0), topology->CoreOf(1));
  EXPECT_EQ(topology->CoreCpus(topology->CoreOf(3)), (CpuSet{1, 3}));
  EXPECT_EQ(topology->max_threads_per_core(), 2);
}

TEST(HostTopologyTest, WithoutSiblingsTheCoreTripleGroups) {
  auto topology = HostTopology::Build(
      {Cell(0)},
      {Cpu(0, 0, 0, 7, {}), Cpu(1, 0, 0, 7, {}), Cpu(2, 0, 1, 7, {})});
  ASSERT_TRUE(topology.ok()) << topology.status().message();
  EXPECT_EQ(topology->core_count(), 2);  // same core_id, other socket
  EXPECT_EQ(topology->CoreOf(0), topology->CoreOf(1));
}

TEST(HostTopologyTest, DisagreeingSiblingsAreAnError) {
  auto topology = HostTopology::Build(
      {Cell(0)}, {Cpu(0, 0, 0, 0, {0, 1}), Cpu(1, 0, 0, 1, {1})});
  ASSERT_FALSE(topology.ok());
  EXPECT_NE(topology.status().message().find("does not agree"),
            std::string::npos);
}

TEST(HostTopologyTest, ACoreCannotSpanCells) {
  auto topology = HostTopology::Build(
      {Cell(0), Cell(1)}, {Cpu(0, 0, 0, 0, {0, 1}), Cpu(1, 1, 0, 0, {0, 1})});
  EXPECT_FALSE(topology.ok());
}

TEST(HostTopologyTest, RejectsDuplicatesAndUnknownCells) {
  EXPECT_FALSE(HostTopology::Build({Cell(0), Cell(0)}, {}).ok());
  EXPECT_FALSE(
      HostTopology::Build({Cell(0)}, {Cpu(1, 0, 0, 0, {}), Cpu(1, 0, 0, 1, {})})
          .ok());
  EXPECT_FALSE(HostTopology::Build({Cell(0)}, {Cpu(0, 5, 0, 0, {})}).ok());
}

TEST(HostTopologyTest, OfflineCpusHaveNoCore) {
  TopologyCpu offline;
  offline.id = 1;
  offline.cell = 0;
  offline.online = false;
  auto topology =
      HostTopology::Build({Cell(0)}, {Cpu(0, 0, 0, 0, {0}), offline});
  ASSERT_TRUE(topology.ok());
  EXPECT_EQ(topology->online(), (CpuSet{0}));
  EXPECT_EQ(topology->CoreOf(1), -1);
  EXPECT_EQ(topology->CellOf(1), 0);
  EXPECT_EQ(topology->Summary(),
            "1 cells, 1 sockets, 1 cores, 1 pCPUs online (1 offline), 1 "
            "threads per core");
}

}  // namespace
}  // namespace vmbalance
