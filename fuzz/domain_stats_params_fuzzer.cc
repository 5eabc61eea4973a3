// Fuzzes ParseDomainStatsParams with arbitrary virTypedParameter arrays, as a
// libvirtd of any version (or a broken one) may send in a
// virConnectGetAllDomainStats record: any names, types and values. No live
// libvirt is needed: the array is built from the input. The parser must
// read only what is there and never a negative count or index.
#include <fuzzer/FuzzedDataProvider.h>
#include <libvirt/libvirt.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "exporter/libvirt/domain_stats_params.h"
#include "fuzz/fuzz_check.h"

namespace {

// Names libvirt really sends, so the fuzzer reaches every branch quickly;
// arbitrary bytes are used as names too.
constexpr const char* kNames[] = {
    "state.state",
    "state.reason",
    "vcpu.current",
    "vcpu.maximum",
    "vcpu.0.time",
    "vcpu.1.delay",
    "vcpu.0.state",
    "vcpu.2147483647.time",
    "vcpu.-1.time",
    "vcpu..time",
    "vcpu.1",
    "balloon.current",
    "balloon.maximum",
    "balloon.unused",
    "balloon.available",
    "balloon.usable",
    "balloon.rss",
    "balloon.disk_caches",
    "balloon.major_fault",
    "balloon.swap_in",
    "balloon.swap_out",
    "balloon.last-update",
    "balloon.",
    "vcpu.",
};

void FillName(FuzzedDataProvider* in, virTypedParameter* param) {
  if (in->ConsumeBool()) {
    const char* name = in->PickValueInArray(kNames);
    std::strncpy(param->field, name, sizeof(param->field) - 1);
    return;
  }
  // Raw bytes, possibly filling the whole field with no terminating NUL.
  const std::string raw = in->ConsumeRandomLengthString(sizeof(param->field));
  std::memcpy(param->field, raw.data(), raw.size());
}

void FillValue(FuzzedDataProvider* in, std::deque<std::string>* strings,
               virTypedParameter* param) {
  param->type = in->ConsumeIntegralInRange<int>(0, VIR_TYPED_PARAM_STRING + 1);
  switch (param->type) {
    case VIR_TYPED_PARAM_INT:
      param->value.i = in->ConsumeIntegral<int>();
      break;
    case VIR_TYPED_PARAM_UINT:
      param->value.ui = in->ConsumeIntegral<unsigned>();
      break;
    case VIR_TYPED_PARAM_LLONG:
      param->value.l = in->ConsumeIntegral<long long>();
      break;
    case VIR_TYPED_PARAM_ULLONG:
      param->value.ul = in->ConsumeIntegral<unsigned long long>();
      break;
    case VIR_TYPED_PARAM_DOUBLE:
      param->value.d = in->ConsumeFloatingPoint<double>();
      break;
    case VIR_TYPED_PARAM_BOOLEAN:
      param->value.b = in->ConsumeBool();
      break;
    case VIR_TYPED_PARAM_STRING:
      strings->push_back(in->ConsumeRandomLengthString(64));
      param->value.s = strings->back().data();
      break;
    default:  // an unknown type: its value must not be read
      param->value.ul = in->ConsumeIntegral<unsigned long long>();
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const int claimed_extra = in.ConsumeIntegralInRange<int>(-2, 0);
  std::vector<virTypedParameter> params;
  std::deque<std::string> strings;  // stable addresses for value.s
  while (in.remaining_bytes() > 0 && params.size() < 256) {
    virTypedParameter param;
    std::memset(&param, 0, sizeof(param));
    FillName(&in, &param);
    FillValue(&in, &strings, &param);
    params.push_back(param);
  }
  // A count at or below the array's size (libvirt's nparams); a negative
  // count must read nothing.
  const int count = static_cast<int>(params.size()) + claimed_extra;
  const vmbalance::DomainStatsParams out = vmbalance::ParseDomainStatsParams(
      params.empty() ? nullptr : params.data(), count);

  FUZZ_CHECK(count > 0 ||
             (!out.state && !out.vcpu_current && out.vcpu_time_ns.empty() &&
              out.vcpu_delay_ns.empty()));
  FUZZ_CHECK(!out.vcpu_current || *out.vcpu_current >= 0);
  FUZZ_CHECK(static_cast<int>(out.vcpu_time_ns.size()) <= std::max(count, 0));
  for (const auto& [vcpu, ns] : out.vcpu_time_ns) FUZZ_CHECK(vcpu >= 0);
  for (const auto& [vcpu, ns] : out.vcpu_delay_ns) FUZZ_CHECK(vcpu >= 0);
  if (out.state) vmbalance::DomainStateFromLibvirt(*out.state);
  return 0;
}
