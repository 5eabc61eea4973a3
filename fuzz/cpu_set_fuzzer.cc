// Fuzzes CpuSet::Parse, the "0-3,8" list format that --pcpus and libvirt's
// affinity strings use. A list that parses must print canonically and parse
// back to the same set, and survive the cpumap round trip that pinning uses.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "exporter/core/cpu_set.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::optional<vmbalance::CpuSet> set = vmbalance::CpuSet::Parse(text);
  if (!set) return 0;

  const std::string printed = set->ToString();
  const std::optional<vmbalance::CpuSet> again =
      vmbalance::CpuSet::Parse(printed);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == *set);
  FUZZ_CHECK(again->ToString() == printed);  // canonical: a fixed point

  FUZZ_CHECK(set->Size() == static_cast<int>(set->ToVector().size()));
  FUZZ_CHECK(set->Empty() == (set->Size() == 0));
  FUZZ_CHECK(set->Empty() ||
             (set->Contains(set->First()) && set->Contains(set->Last()) &&
              set->First() <= set->Last()));

  const std::vector<unsigned char> map = set->ToCpumap(set->Last() + 1);
  FUZZ_CHECK(vmbalance::CpuSet::FromCpumap(map.data(), map.size()) == *set);
  FUZZ_CHECK(set->Union(*set) == *set && set->Intersection(*set) == *set &&
             set->Difference(*set).Empty() && set->IsSubsetOf(*set));
  return 0;
}
