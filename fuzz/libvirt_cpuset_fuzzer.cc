// Fuzzes ParseLibvirtCpuset, libvirt's cpuset syntax in domain definitions
// ("0-7,^3"). A set that parses is never empty, its canonical form (no
// exclusions) parses back to the same set with both this parser and
// CpuSet::Parse, and without exclusions both parsers agree.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "exporter/core/cpu_set.h"
#include "exporter/domain_xml/domain_xml.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::optional<vmbalance::CpuSet> set =
      vmbalance::ParseLibvirtCpuset(text);
  if (!set) return 0;
  FUZZ_CHECK(!set->Empty());
  const std::string printed = set->ToString();
  FUZZ_CHECK(vmbalance::ParseLibvirtCpuset(printed) == set);
  FUZZ_CHECK(vmbalance::CpuSet::Parse(printed) == set);
  // Without exclusions, the two parsers agree wherever the stricter one
  // (CpuSet::Parse) accepts the text; libvirt also takes a trailing comma.
  if (text.find('^') == std::string_view::npos) {
    const std::optional<vmbalance::CpuSet> plain =
        vmbalance::CpuSet::Parse(text);
    FUZZ_CHECK(!plain || plain->Empty() || plain == set);
  }
  return 0;
}
