#include "exporter/core/cpu_set.h"

#include <gtest/gtest.h>

namespace vmbalance {
namespace {

TEST(CpuSetTest, ParsesAndPrintsListFormat) {
  auto set = CpuSet::Parse("0-3,8,10-11");
  ASSERT_TRUE(set.has_value());
  EXPECT_EQ(set->ToString(), "0-3,8,10-11");
  EXPECT_EQ(set->Size(), 7);
  EXPECT_TRUE(set->Contains(8));
  EXPECT_FALSE(set->Contains(9));
  EXPECT_EQ(set->First(), 0);
  EXPECT_EQ(set->Last(), 11);
}

TEST(CpuSetTest, EmptyAndTrailingNewline) {
  EXPECT_TRUE(CpuSet::Parse("")->Empty());
  EXPECT_EQ(CpuSet::Parse("0-1\n")->ToString(), "0-1");
  EXPECT_EQ(CpuSet().ToString(), "");
  EXPECT_EQ(CpuSet().First(), -1);
}

TEST(CpuSetTest, RejectsMalformedLists) {
  for (const char* bad : {"a", "1-", "-1", "3-1", "1,,2", "1-2-3", ",", "0x1"}) {
    EXPECT_FALSE(CpuSet::Parse(bad).has_value()) << bad;
  }
}

TEST(CpuSetTest, CpumapRoundTripWiderThanEightCpus) {
  CpuSet set{0, 9, 63, 64, 200};
  std::vector<unsigned char> map = set.ToCpumap(256);
  EXPECT_EQ(map.size(), 32u);
  EXPECT_EQ(map[1], 0x02);  // cpu 9
  EXPECT_EQ(CpuSet::FromCpumap(map.data(), map.size()), set);
  // Members beyond the map's width are dropped, not wrapped.
  EXPECT_EQ(CpuSet::FromCpumap(set.ToCpumap(64).data(), 8).ToString(), "0,9,63");
}

TEST(CpuSetTest, SetAlgebra) {
  CpuSet a = CpuSet::Range(0, 5);
  CpuSet b{4, 5, 6, 130};
  EXPECT_EQ(a.Union(b).ToString(), "0-6,130");
  EXPECT_EQ(a.Intersection(b).ToString(), "4-5");
  EXPECT_EQ(a.Difference(b).ToString(), "0-3");
  EXPECT_EQ(b.Difference(a).ToString(), "6,130");
  EXPECT_TRUE(CpuSet({1, 2}).IsSubsetOf(a));
  EXPECT_FALSE(b.IsSubsetOf(a));
  EXPECT_EQ(b.Difference(b), CpuSet());
  EXPECT_EQ(b.Difference(b).Last(), -1);
}

}  // namespace
}  // namespace vmbalance
